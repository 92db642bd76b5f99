//! A reference dataset's Parquet files (zstd, written atomically):
//!
//! - `assets.parquet`: `asset_id`, one column per alternative id type (nullable), `exchange`,
//!   `country`, `currency`, `name` (nullable); sorted by `asset_id`;
//! - `market_caps.parquet`: `date` (Date32), `asset` (UInt32 index into the assets),
//!   `market_cap` (Float64); sorted by (date, asset); absent when there are none;
//! - `returns.parquet`: the same with `return`.

use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, UInt32Type};
use arrow_array::{Array, ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::ReferenceAssets;
use crate::error::IoContext;
use crate::store::catalog::ReferenceRow;
use crate::store::objects::Objects;
use crate::store::parts;
use crate::{Error, Result};

/// The stored assets file.
pub(crate) const ASSETS: &str = "assets.parquet";
/// The stored market caps file.
pub(crate) const MARKET_CAPS: &str = "market_caps.parquet";
/// The stored returns file.
pub(crate) const RETURNS: &str = "returns.parquet";

/// What [`read`] loads.
pub struct Stored {
    pub assets: ReferenceAssets,
    pub market_caps: Vec<(i32, u32, f64)>,
    pub returns: Vec<(i32, u32, f64)>,
}

/// Rows per row group of a series file (market caps, returns): reading from a date on skips
/// the row groups before it, so one date of 35,800 assets decodes about 64 thousand rows, not
/// the file's first million.
const SERIES_GROUP_ROWS: usize = 1 << 16;

fn write_batch(path: &Path, batch: RecordBatch, group_rows: Option<usize>) -> Result<()> {
    let mut props = parts::writer_properties();
    if let Some(rows) = group_rows {
        props = props.into_builder().set_max_row_group_row_count(Some(rows)).build();
    }
    parts::write_object(path, |file| parts::write_batches_with(BufWriter::new(file), batch.schema(), &[batch], props))
}

fn series_batch(rows: &[(i32, u32, f64)], value: &str) -> Result<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("date", DataType::Date32, false),
        Field::new("asset", DataType::UInt32, false),
        Field::new(value, DataType::Float64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Date32Array::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.1))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.2))),
    ];
    Ok(RecordBatch::try_new(schema, columns)?)
}

fn assets_batch(a: &ReferenceAssets) -> Result<RecordBatch> {
    let mut fields = vec![Field::new("asset_id", DataType::Utf8, false)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(&a.asset_id))];
    for (id_type, values) in &a.alt_ids {
        fields.push(Field::new(id_type, DataType::Utf8, true));
        columns.push(Arc::new(values.iter().map(Option::as_deref).collect::<StringArray>()));
    }
    for (name, values) in [("exchange", &a.exchange), ("country", &a.country), ("currency", &a.currency)] {
        fields.push(Field::new(name, DataType::Utf8, false));
        columns.push(Arc::new(StringArray::from_iter_values(values)));
    }
    fields.push(Field::new("name", DataType::Utf8, true));
    columns.push(Arc::new(a.name.iter().map(Option::as_deref).collect::<StringArray>()));
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
}

/// Writes the reference's files as new objects under the folder key `key` (which holds none).
pub fn write(objects: &dyn Objects, key: &str, r: &super::Reference) -> Result<()> {
    let mut files = vec![(ASSETS, assets_batch(&r.assets)?, None)];
    if !r.market_caps.is_empty() {
        files.push((MARKET_CAPS, series_batch(&r.market_caps, "market_cap")?, Some(SERIES_GROUP_ROWS)));
    }
    if !r.returns.is_empty() {
        files.push((RETURNS, series_batch(&r.returns, "return")?, Some(SERIES_GROUP_ROWS)));
    }
    for (name, batch, group_rows) in files {
        let file = format!("{key}/{name}");
        write_batch(&objects.create(&file)?, batch, group_rows)?;
        objects.publish(&file)?;
    }
    Ok(())
}

/// A whole Parquet file as record batches, with typed column access.
pub(crate) struct Columns {
    label: String,
    batches: Vec<RecordBatch>,
}

impl Columns {
    /// Reads every record batch of the Parquet file at `path`.
    pub fn read(path: &Path) -> Result<Columns> {
        Self::read_only(path, None)
    }

    /// Reads the columns named `names` (all when `None`) of the Parquet file at `path`.
    pub fn read_only(path: &Path, names: Option<&[&str]>) -> Result<Columns> {
        let file = std::fs::File::open(path).at("cannot open", path)?;
        let mut builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        if let Some(names) = names {
            // Whole names: an id type may hold a dot, which `ProjectionMask::columns` would take
            // for nesting.
            let schema = builder.parquet_schema();
            let leaves = schema.columns().iter().enumerate().filter(|(_, c)| names.contains(&c.name())).map(|(i, _)| i);
            let mask = parquet::arrow::ProjectionMask::leaves(schema, leaves);
            builder = builder.with_projection(mask);
        }
        let reader = builder.with_batch_size(1 << 20).build()?;
        let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Columns { label: path.display().to_string(), batches })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    fn problem(&self, message: String) -> Error {
        Error::Storage(format!("{}: {message}", self.label))
    }

    /// Every batch's piece of column `name`.
    fn pieces(&self, name: &str) -> Result<Vec<&ArrayRef>> {
        self.batches.iter().map(|b| b.column_by_name(name).ok_or_else(|| self.problem(format!("missing column {name}")))).collect()
    }

    /// A string column, nulls as `None`.
    pub(crate) fn optional_strings(&self, name: &str) -> Result<Vec<Option<String>>> {
        let mut out = Vec::with_capacity(self.rows());
        for a in self.pieces(name)? {
            let s = a.as_string_opt::<i32>().ok_or_else(|| self.problem(format!("column {name} is not text")))?;
            out.extend(s.iter().map(|v| v.map(str::to_owned)));
        }
        Ok(out)
    }

    /// A string column without nulls.
    pub(crate) fn strings(&self, name: &str) -> Result<Vec<String>> {
        self.optional_strings(name)?
            .into_iter()
            .map(|v| v.ok_or_else(|| self.problem(format!("column {name} has a missing value"))))
            .collect()
    }

    fn primitive<T: arrow_array::ArrowPrimitiveType>(&self, name: &str) -> Result<Vec<T::Native>> {
        let mut out = Vec::with_capacity(self.rows());
        for a in self.pieces(name)? {
            let p = a.as_primitive_opt::<T>().ok_or_else(|| self.problem(format!("column {name} has the wrong type")))?;
            if p.null_count() > 0 {
                return Err(self.problem(format!("column {name} has a missing value")));
            }
            out.extend_from_slice(p.values());
        }
        Ok(out)
    }

    /// A Date32 column as days since the epoch.
    pub(crate) fn dates(&self, name: &str) -> Result<Vec<i32>> {
        self.primitive::<Date32Type>(name)
    }

    /// A UInt32 column.
    pub(crate) fn u32s(&self, name: &str) -> Result<Vec<u32>> {
        self.primitive::<UInt32Type>(name)
    }

    /// A Float64 column.
    pub(crate) fn f64s(&self, name: &str) -> Result<Vec<f64>> {
        self.primitive::<Float64Type>(name)
    }
}

/// A stored daily series (market caps or returns) read forward date by date, a batch at a time:
/// memory stays flat whatever the length of history.
pub struct SeriesDays {
    reader: Option<parquet::arrow::arrow_reader::ParquetRecordBatchReader>,
    label: String,
    /// (date, asset, value) rows read but not yet asked for, sorted.
    pending: std::collections::VecDeque<(i32, u32, f64)>,
}

impl SeriesDays {
    /// Opens the series `value` at `path` for dates from `start` on; a missing file reads as empty.
    pub fn open(path: &Path, value: &str, start: i32) -> Result<SeriesDays> {
        let label = path.display().to_string();
        if !path.exists() {
            return Ok(SeriesDays { reader: None, label, pending: Default::default() });
        }
        let file = std::fs::File::open(path).at("cannot open", path)?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        let date = builder.parquet_schema().columns().iter().position(|c| c.name() == "date");
        // Skip the row groups that end before `start`.
        let groups: Vec<usize> = (0..builder.metadata().num_row_groups())
            .filter(|&g| match date.and_then(|d| builder.metadata().row_group(g).column(d).statistics().cloned()) {
                Some(parquet::file::statistics::Statistics::Int32(s)) => s.max_opt().is_none_or(|&last| last >= start),
                _ => true,
            })
            .collect();
        let mask = parquet::arrow::ProjectionMask::columns(builder.parquet_schema(), ["date", "asset", value]);
        let reader = builder.with_row_groups(groups).with_projection(mask).with_batch_size(1 << 16).build()?;
        Ok(SeriesDays { reader: Some(reader), label, pending: Default::default() })
    }

    /// The (asset, value) rows of `date`; dates before it are skipped. Ask in increasing order.
    pub(crate) fn day(&mut self, date: i32) -> Result<Vec<(u32, f64)>> {
        let mut out = Vec::new();
        loop {
            while let Some(&(d, a, v)) = self.pending.front() {
                if d > date {
                    return Ok(out);
                }
                if d == date {
                    out.push((a, v));
                }
                self.pending.pop_front();
            }
            let Some(batch) = self.reader.as_mut().and_then(Iterator::next).transpose()? else { return Ok(out) };
            let bad = || Error::Storage(format!("{}: unexpected columns", self.label));
            let dates = batch.column(0).as_primitive_opt::<Date32Type>().ok_or_else(bad)?;
            let assets = batch.column(1).as_primitive_opt::<UInt32Type>().ok_or_else(bad)?;
            let values = batch.column(2).as_primitive_opt::<Float64Type>().ok_or_else(bad)?;
            // Rows before the date are not kept (dates are sorted).
            let from = dates.values().partition_point(|&d| d < date);
            self.pending.extend((from..batch.num_rows()).map(|i| (dates.value(i), assets.value(i), values.value(i))));
        }
    }
}

fn read_series(path: &Path, value: &str, assets: usize, expected: u64) -> Result<Vec<(i32, u32, f64)>> {
    if expected == 0 {
        return Ok(Vec::new());
    }
    let c = Columns::read(path)?;
    let (dates, index, values) = (c.dates("date")?, c.u32s("asset")?, c.f64s(value)?);
    if dates.len() as u64 != expected || index.iter().any(|&i| i as usize >= assets) {
        return Err(c.problem(format!("expected {expected} rows indexing {assets} assets; the file does not match its catalog entry")));
    }
    Ok(dates.into_iter().zip(index).zip(values).map(|((d, i), v)| (d, i, v)).collect())
}

/// Reads the ids of the reference recorded as `row` from `dir`: the primary ids and the
/// alternative ids of each of its id types.
pub fn read_ids(dir: &Path, row: &ReferenceRow) -> Result<super::ReferenceIds> {
    let mut names = vec!["asset_id"];
    names.extend(row.id_types.iter().skip(1).map(String::as_str));
    let c = Columns::read_only(&dir.join(ASSETS), Some(&names))?;
    let ids = super::ReferenceIds {
        name: row.name.clone(),
        id_type: row.id_type.clone(),
        asset_id: c.strings("asset_id")?,
        alt_ids: row.id_types.iter().skip(1).map(|t| Ok((t.clone(), c.optional_strings(t)?))).collect::<Result<_>>()?,
    };
    if ids.len() as u64 != row.assets {
        return Err(c.problem(format!("expected {} assets, found {}", row.assets, ids.len())));
    }
    Ok(ids)
}

/// Loads the files of the reference recorded as `row` from `dir`. With `series`, the whole of
/// it; without, what a risk dataset's build reads: the ids, exchanges and currencies (`country`
/// and `name` stay empty, as do the market caps and returns).
pub fn read(dir: &Path, row: &ReferenceRow, series: bool) -> Result<Stored> {
    let mut names = vec!["asset_id", "exchange", "currency"];
    names.extend(row.id_types.iter().skip(1).map(String::as_str));
    let c = if series { Columns::read(&dir.join(ASSETS))? } else { Columns::read_only(&dir.join(ASSETS), Some(&names))? };
    let assets = ReferenceAssets {
        asset_id: c.strings("asset_id")?,
        alt_ids: row.id_types.iter().skip(1).map(|t| Ok((t.clone(), c.optional_strings(t)?))).collect::<Result<_>>()?,
        exchange: c.strings("exchange")?,
        country: if series { c.strings("country")? } else { Vec::new() },
        currency: c.strings("currency")?,
        name: if series { c.optional_strings("name")? } else { Vec::new() },
    };
    if assets.len() as u64 != row.assets {
        return Err(c.problem(format!("expected {} assets, found {}", row.assets, assets.len())));
    }
    if !series {
        return Ok(Stored { assets, market_caps: Vec::new(), returns: Vec::new() });
    }
    Ok(Stored {
        market_caps: read_series(&dir.join(MARKET_CAPS), "market_cap", assets.len(), row.market_caps)?,
        returns: read_series(&dir.join(RETURNS), "return", assets.len(), row.returns)?,
        assets,
    })
}
