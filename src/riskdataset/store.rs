//! Persisting built risk datasets: one Parquet file each, and a catalog row with the settings,
//! column layout and creation report.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float32Type, UInt16Type, UInt32Type};
use arrow_array::{ArrayRef, Date32Array, DictionaryArray, Float32Array, RecordBatch, StringArray, UInt16Array, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::file::statistics::Statistics;
use parquet::schema::types::SchemaDescriptor;

use super::built::{Built, CreationReport, Layout};
use super::settings::RiskDatasetSettings;
use crate::error::IoContext;
use crate::frame::{Dict, StrColumn};
use crate::store::sql::Sql;
use crate::store::{catalog, parts};
use crate::{Error, Result};

/// A risk dataset's catalog row.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub settings: RiskDatasetSettings,
    pub layout: Layout,
    pub report: CreationReport,
    pub file: String,
    pub created: String,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serializable")
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, name: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Storage(format!("the catalog's {what} of risk dataset '{name}' cannot be read: {e}")))
}

impl Row {
    fn from_catalog(r: catalog::RiskRow) -> Result<Row> {
        Ok(Row {
            settings: parse("settings", &r.name, &r.settings)?,
            layout: parse("layout", &r.name, &r.layout)?,
            report: parse("report", &r.name, &r.report)?,
            file: r.file,
            created: r.created,
            name: r.name,
        })
    }
}

/// Every risk dataset, by name.
pub fn all(db: &dyn Sql) -> Result<Vec<Row>> {
    catalog::risk_datasets(db)?.into_iter().map(Row::from_catalog).collect()
}

/// One risk dataset by name.
pub fn get(db: &dyn Sql, name: &str) -> Result<Option<Row>> {
    catalog::risk_dataset(db, name)?.map(Row::from_catalog).transpose()
}

/// Replaces (or inserts) the row of `row.name`; returns the old file, if any.
pub fn put(db: &dyn Sql, row: &Row) -> Result<Option<String>> {
    let r = catalog::RiskRow {
        name: row.name.clone(),
        settings: json(&row.settings),
        layout: json(&row.layout),
        report: json(&row.report),
        file: row.file.clone(),
        created: row.created.clone(),
    };
    catalog::put_risk_dataset(db, &r)
}

/// Deletes a row; returns its file.
pub fn delete(db: &dyn Sql, name: &str) -> Result<Option<String>> {
    catalog::delete_risk_dataset(db, name)
}

fn schema(layout: &Layout) -> Arc<Schema> {
    let mut fields = vec![
        Field::new("date", DataType::Date32, false),
        Field::new("asset_id", DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::Utf8)), false),
    ];
    fields.extend(layout.numeric.iter().map(|c| Field::new(c.label(), DataType::Float32, false)));
    for (name, present) in [("industry", layout.industry.is_some()), ("region", layout.region.is_some())] {
        if present {
            fields.push(Field::new(name, DataType::UInt16, false));
        }
    }
    Arc::new(Schema::new(fields))
}

/// Writes a risk dataset's file date by date: one Parquet row group per [`Writer::day`], so that
/// readers can fetch a date (or a range) without the rest. The file appears whole at
/// [`Writer::finish`] (temporary sibling, fsync, rename) or not at all.
pub struct Writer {
    path: PathBuf,
    tmp: PathBuf,
    schema: Arc<Schema>,
    writer: Option<ArrowWriter<BufWriter<File>>>,
}

impl Writer {
    /// Starts the file at `path` for rows of `layout`.
    pub fn create(path: &Path, layout: &Layout) -> Result<Writer> {
        let tmp = path.with_extension("tmp");
        let file = crate::store::durable::create_private_file(&tmp)?;
        let schema = schema(layout);
        let writer = ArrowWriter::try_new(BufWriter::with_capacity(1 << 20, file), schema.clone(), Some(parts::writer_properties()))?;
        Ok(Writer { path: path.to_owned(), tmp, schema, writer: Some(writer) })
    }

    /// Appends the rows of one date (or several, sorted) as one row group.
    pub fn day(&mut self, built: &Built) -> Result<()> {
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(Date32Array::from(built.date.clone())),
            Arc::new(DictionaryArray::<UInt32Type>::try_new(
                UInt32Array::from(built.asset.codes.clone()),
                Arc::new(StringArray::from_iter_values(built.asset.dict.values())),
            )?),
        ];
        columns.extend(built.values.iter().map(|v| Arc::new(Float32Array::from(v.clone())) as ArrayRef));
        for (codes, present) in [(&built.industry, built.layout.industry.is_some()), (&built.region, built.layout.region.is_some())] {
            if present {
                columns.push(Arc::new(UInt16Array::from(codes.clone())));
            }
        }
        let writer = self.writer.as_mut().expect("open until finished");
        writer.write(&RecordBatch::try_new(self.schema.clone(), columns)?)?;
        writer.flush()?;
        Ok(())
    }

    /// Closes, syncs and renames the file into place.
    pub fn finish(mut self) -> Result<()> {
        let file = self.writer.take().expect("open until finished").into_inner()?.into_inner().map_err(|e| e.into_error());
        let file = file.at("cannot write", &self.tmp)?;
        file.sync_all().at("cannot sync", &self.tmp)?;
        crate::store::durable::rename(&self.tmp, &self.path)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A risk dataset's file opened for reading by date: which row groups hold which dates.
pub struct Reader {
    path: PathBuf,
    layout: Layout,
    /// The file's footer, parsed once.
    metadata: ArrowReaderMetadata,
    /// (first date, last date) of each row group.
    groups: Vec<(i32, i32)>,
}

impl Reader {
    /// Opens the file at `path`, written for `layout`.
    pub fn open(path: &Path, layout: &Layout) -> Result<Reader> {
        let file = File::open(path).at("cannot open", path)?;
        let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())?;
        let bad = || Error::Storage(format!("{}: the date column has no statistics", path.display()));
        let date = metadata.parquet_schema().columns().iter().position(|c| c.name() == "date").ok_or_else(bad)?;
        let groups = metadata
            .metadata()
            .row_groups()
            .iter()
            .map(|g| match g.column(date).statistics() {
                Some(Statistics::Int32(s)) => Ok((*s.min_opt().ok_or_else(bad)?, *s.max_opt().ok_or_else(bad)?)),
                _ => Err(bad()),
            })
            .collect::<Result<_>>()?;
        Ok(Reader { path: path.to_owned(), layout: layout.clone(), metadata, groups })
    }

    fn builder(&self) -> Result<ParquetRecordBatchReaderBuilder<File>> {
        let file = File::open(&self.path).at("cannot open", &self.path)?;
        Ok(ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata.clone()))
    }

    /// The stored rows with a date in `start..=end`, one date at a time, in date order; `columns`
    /// picks the numeric columns read (indexes into the layout's; the others stay empty).
    pub fn days(&self, start: i32, end: i32, columns: &[usize]) -> Result<Days> {
        let groups: Vec<usize> = (0..self.groups.len()).filter(|&g| self.groups[g].1 >= start && self.groups[g].0 <= end).collect();
        let builder = self.builder()?;
        let names: Vec<String> = ["date".to_owned(), "asset_id".to_owned()]
            .into_iter()
            .chain(columns.iter().map(|&c| self.layout.numeric[c].label()))
            .chain(self.layout.industry.as_ref().map(|_| "industry".to_owned()))
            .chain(self.layout.region.as_ref().map(|_| "region".to_owned()))
            .collect();
        let mask = projection(builder.parquet_schema(), &names);
        let reader = builder.with_row_groups(groups).with_projection(mask).with_batch_size(1 << 16).build()?;
        Ok(Days {
            reader,
            label: self.path.display().to_string(),
            layout: self.layout.clone(),
            columns: columns.to_vec(),
            range: (start, end),
            pending: None,
        })
    }

    /// Every distinct date, in order: from the row groups' statistics when each holds one date
    /// (as [`Writer`] writes them), else from the date column.
    pub fn dates(&self) -> Result<Vec<i32>> {
        if self.groups.iter().all(|(a, b)| a == b) {
            let mut out: Vec<i32> = self.groups.iter().map(|g| g.0).collect();
            out.dedup();
            return Ok(out);
        }
        let builder = self.builder()?;
        let mask = projection(builder.parquet_schema(), &["date".to_owned()]);
        let mut out: Vec<i32> = Vec::new();
        for batch in builder.with_projection(mask).with_batch_size(1 << 20).build()? {
            for &d in batch?.column(0).as_primitive::<Date32Type>().values() {
                if out.last() != Some(&d) {
                    out.push(d);
                }
            }
        }
        Ok(out)
    }

    /// The stored rows of one date (empty when it has none); `columns` as for [`Reader::days`].
    pub fn day(&self, date: i32, columns: &[usize]) -> Result<Built> {
        match self.days(date, date, columns)?.next() {
            Some(day) => day,
            None => Ok(Built { layout: self.layout.clone(), values: vec![Vec::new(); self.layout.numeric.len()], ..Default::default() }),
        }
    }

    /// The layout the file was written for.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
}

/// The columns named `names` (whole names: labels hold dots, which `ProjectionMask::columns`
/// would take for nesting).
fn projection(schema: &SchemaDescriptor, names: &[String]) -> ProjectionMask {
    let leaves = schema.columns().iter().enumerate().filter(|(_, c)| names.iter().any(|n| n == c.name())).map(|(i, _)| i);
    ProjectionMask::leaves(schema, leaves)
}

/// The rows of a risk dataset date by date; see [`Reader::days`].
pub struct Days {
    reader: ParquetRecordBatchReader,
    label: String,
    layout: Layout,
    columns: Vec<usize>,
    range: (i32, i32),
    /// Rows read past the date last returned.
    pending: Option<Built>,
}

impl Days {
    fn batch(&mut self) -> Result<Option<Built>> {
        let Some(batch) = self.reader.next().transpose()? else { return Ok(None) };
        let bad = |what: &str| Error::Storage(format!("{}: {what}", self.label));
        let col = |name: &str| batch.column_by_name(name).ok_or_else(|| bad(&format!("missing column {name}")));
        let assets = col("asset_id")?.as_dictionary::<UInt32Type>().clone();
        let mut built = Built {
            layout: self.layout.clone(),
            date: col("date")?.as_primitive::<Date32Type>().values().to_vec(),
            asset: StrColumn {
                codes: assets.keys().values().to_vec(),
                dict: Dict::from_values(assets.values().as_string::<i32>().iter().map(|v| v.unwrap_or_default().to_owned()).collect()),
            },
            values: vec![Vec::new(); self.layout.numeric.len()],
            ..Default::default()
        };
        for &c in &self.columns {
            built.values[c] = col(&self.layout.numeric[c].label())?.as_primitive::<Float32Type>().values().to_vec();
        }
        if self.layout.industry.is_some() {
            built.industry = col("industry")?.as_primitive::<UInt16Type>().values().to_vec();
        }
        if self.layout.region.is_some() {
            built.region = col("region")?.as_primitive::<UInt16Type>().values().to_vec();
        }
        Ok(Some(built))
    }
}

impl Iterator for Days {
    type Item = Result<Built>;

    /// The next date's rows (within the range asked for).
    fn next(&mut self) -> Option<Result<Built>> {
        loop {
            let mut have = match self.pending.take() {
                Some(b) => b,
                None => match self.batch() {
                    Ok(Some(b)) => b,
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e)),
                },
            };
            let first = have.date[0];
            let same = have.date.iter().take_while(|&&d| d == first).count();
            if same < have.len() {
                self.pending = Some(have.slice(same..have.len()));
                have = have.slice(0..same);
            } else {
                // The date may go on in the next batch.
                loop {
                    match self.batch() {
                        Ok(Some(next)) => {
                            let more = next.date.iter().take_while(|&&d| d == first).count();
                            have.append(&next.slice(0..more));
                            if more < next.len() {
                                self.pending = Some(next.slice(more..next.len()));
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => return Some(Err(e)),
                    }
                }
            }
            if first >= self.range.0 && first <= self.range.1 {
                return Some(Ok(have));
            }
        }
    }
}
