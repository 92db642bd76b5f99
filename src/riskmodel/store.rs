//! Persisting risk models: a catalog row (settings and report) and two Parquet files, the
//! per-date statistics (`stats`: factor returns, standard errors, t-stats, p-values, R², σ²,
//! estimation-universe size) and the residuals (`date`, `asset`, `residual`, `cap`, `universe`),
//! one row group per batch of dates so that a date range is read without the rest. The
//! residuals' footer also keeps each asset's specific-variance sums at the model's last date
//! ([`Tail`]), so that the forecasts of that date need no pass over the residuals.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, UInt32Type};
use arrow_array::{Array, ArrayRef, BooleanArray, Date32Array, Float64Array, RecordBatch, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::RiskModelReport;
use super::covariance::{self, Specific};
use super::settings::RiskModelSettings;
use crate::error::IoContext;
use crate::store::catalog;
use crate::store::parts;
use crate::store::sql::Sql;
use crate::{Error, Result};

/// A risk model's catalog row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub name: String,
    pub settings: RiskModelSettings,
    pub report: RiskModelReport,
    /// The residuals' object key.
    pub file: String,
    /// The statistics' object key.
    pub stats_file: String,
    pub created: String,
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, name: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Storage(format!("the catalog's {what} of risk model '{name}' cannot be read: {e}")))
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serializable")
}

impl Row {
    fn from_catalog(r: catalog::ModelRow) -> Result<Row> {
        Ok(Row {
            settings: parse("settings", &r.name, &r.settings)?,
            report: parse("report", &r.name, &r.report)?,
            file: r.file,
            stats_file: r.stats_file,
            created: r.created,
            name: r.name,
        })
    }
}

/// Every risk model, by name.
pub(crate) fn all(db: &dyn Sql) -> Result<Vec<Row>> {
    catalog::risk_models(db)?.into_iter().map(Row::from_catalog).collect()
}

/// One risk model by name.
pub(crate) fn get(db: &dyn Sql, name: &str) -> Result<Option<Row>> {
    catalog::risk_model(db, name)?.map(Row::from_catalog).transpose()
}

/// Replaces (or inserts) the row of `row.name`; returns the old files, if any.
pub(crate) fn put(db: &dyn Sql, row: &Row) -> Result<Vec<String>> {
    catalog::put_risk_model(
        db,
        &catalog::ModelRow {
            name: row.name.clone(),
            settings: json(&row.settings),
            report: json(&row.report),
            file: row.file.clone(),
            stats_file: row.stats_file.clone(),
            created: row.created.clone(),
        },
    )
}

/// Deletes the row of `name`; returns its files, or `None` when there was none.
pub(crate) fn delete(db: &dyn Sql, name: &str) -> Result<Option<Vec<String>>> {
    catalog::delete_risk_model(db, name)
}

/// Per model date, the regression's statistics; per factor values in the order of `factors`
/// (NaN where a factor has no return that date).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Stats {
    /// The factors' column labels, as `exposures get` names them.
    pub factors: Vec<String>,
    /// The model dates (the returns' dates), ascending.
    pub dates: Vec<i32>,
    /// The estimation universe's size per date.
    pub assets: Vec<u32>,
    /// Weighted centred R² per date.
    pub r2: Vec<f64>,
    /// Weighted residual variance per date.
    pub sigma2: Vec<f64>,
    /// Factor returns, standard errors, t-stats and p-values: per date, per factor.
    pub fret: Vec<Vec<f64>>,
    /// Standard errors of the factor returns.
    pub se: Vec<Vec<f64>>,
    /// t-statistics.
    pub t: Vec<Vec<f64>>,
    /// Two-sided p-values.
    pub p: Vec<Vec<f64>>,
}

/// The statistics' per-factor blocks, with their column prefixes.
const BLOCKS: [&str; 4] = ["fret", "se", "t", "p"];

impl Stats {
    fn block(&self, i: usize) -> &Vec<Vec<f64>> {
        [&self.fret, &self.se, &self.t, &self.p][i]
    }

    /// Writes the statistics to `path` atomically.
    pub(crate) fn write(&self, path: &Path) -> Result<()> {
        let mut fields = vec![
            Field::new("date", DataType::Date32, false),
            Field::new("assets", DataType::UInt32, false),
            Field::new("r2", DataType::Float64, false),
            Field::new("sigma2", DataType::Float64, false),
        ];
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(Date32Array::from(self.dates.clone())),
            Arc::new(UInt32Array::from(self.assets.clone())),
            Arc::new(Float64Array::from(self.r2.clone())),
            Arc::new(Float64Array::from(self.sigma2.clone())),
        ];
        for (b, prefix) in BLOCKS.iter().enumerate() {
            for (j, f) in self.factors.iter().enumerate() {
                fields.push(Field::new(format!("{prefix}/{f}"), DataType::Float64, false));
                columns.push(Arc::new(Float64Array::from_iter_values(self.block(b).iter().map(|row| row[j]))));
            }
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?;
        parts::write_object(path, |file| parts::write_batches(BufWriter::new(file), batch.schema(), &[batch]))
    }

    /// Reads statistics written by [`Stats::write`].
    pub(crate) fn read(path: &Path) -> Result<Stats> {
        let file = File::open(path).at("cannot open", path)?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)?.build()?;
        let bad = || Error::Storage(format!("{}: not a risk model's statistics", path.display()));
        let mut stats = Stats::default();
        for batch in reader {
            let batch = batch?;
            let schema = batch.schema();
            if stats.factors.is_empty() {
                stats.factors = schema.fields().iter().filter_map(|f| f.name().strip_prefix("fret/").map(str::to_owned)).collect();
            }
            let column = |name: &str| batch.column_by_name(name).ok_or_else(bad);
            let f64s =
                |name: &str| -> Result<Vec<f64>> { Ok(column(name)?.as_primitive_opt::<Float64Type>().ok_or_else(bad)?.values().to_vec()) };
            let first = stats.dates.len();
            stats.dates.extend(column("date")?.as_primitive_opt::<Date32Type>().ok_or_else(bad)?.values().iter());
            stats.assets.extend(column("assets")?.as_primitive_opt::<UInt32Type>().ok_or_else(bad)?.values().iter());
            stats.r2.extend(f64s("r2")?);
            stats.sigma2.extend(f64s("sigma2")?);
            let rows = stats.dates.len() - first;
            let mut blocks: Vec<Vec<Vec<f64>>> = vec![vec![Vec::with_capacity(stats.factors.len()); rows]; 4];
            for (b, prefix) in BLOCKS.iter().enumerate() {
                for f in &stats.factors {
                    for (r, v) in f64s(&format!("{prefix}/{f}"))?.into_iter().enumerate() {
                        blocks[b][r].push(v);
                    }
                }
            }
            let mut blocks = blocks.into_iter();
            for target in [&mut stats.fret, &mut stats.se, &mut stats.t, &mut stats.p] {
                target.extend(blocks.next().unwrap_or_default());
            }
        }
        Ok(stats)
    }
}

/// One date's residuals, one entry per asset with exposures (no style missing) and a return.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DayResiduals {
    /// The model date (the returns' date).
    pub date: i32,
    /// The assets, as indexes into the reference's assets, ascending.
    pub asset: Vec<u32>,
    /// The residual returns.
    pub residual: Vec<f64>,
    /// The market caps at the exposures' date (NaN: none).
    pub cap: Vec<f64>,
    /// Whether the asset was in the estimation universe.
    pub universe: Vec<bool>,
}

fn residual_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("date", DataType::Date32, false),
        Field::new("asset", DataType::UInt32, false),
        Field::new("residual", DataType::Float64, false),
        Field::new("cap", DataType::Float64, true),
        Field::new("universe", DataType::Boolean, false),
    ]))
}

/// Writes the residuals' file a batch of dates at a time; the file appears whole at
/// [`ResidualWriter::finish`] or not at all.
pub(crate) struct ResidualWriter {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<ArrowWriter<BufWriter<File>>>,
    halflife: f64,
    /// The weights by age in model dates, as far as needed so far.
    decay: Vec<f64>,
    /// The specific-variance sums as the residuals go by (see [`Tail`]), and where each
    /// asset is in them.
    tail: Tail,
    slot: Vec<u32>,
}

impl ResidualWriter {
    /// Starts the file at `path`; `halflife` is the model's specific-variance half-life.
    pub(crate) fn create(path: &Path, halflife: f64) -> Result<ResidualWriter> {
        let tmp = path.with_extension("tmp");
        let file = crate::store::durable::create_private_file(&tmp)?;
        let writer = ArrowWriter::try_new(BufWriter::with_capacity(1 << 20, file), residual_schema(), Some(parts::writer_properties()))?;
        Ok(ResidualWriter {
            path: path.to_owned(),
            tmp,
            writer: Some(writer),
            halflife,
            decay: Vec::new(),
            tail: Tail::default(),
            slot: Vec::new(),
        })
    }

    /// Appends the residuals of some dates (ascending, each after the dates written before) as
    /// one row group.
    pub(crate) fn write(&mut self, days: &[DayResiduals]) -> Result<()> {
        for day in days {
            let t = self.tail.dates as usize;
            while self.decay.len() <= t {
                self.decay.push(covariance::weight(self.decay.len(), self.halflife));
            }
            self.tail.record_date(day, &self.decay, &mut self.slot);
        }
        let dates: Vec<i32> = days.iter().flat_map(|d| std::iter::repeat_n(d.date, d.asset.len())).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Date32Array::from(dates)),
            Arc::new(UInt32Array::from_iter_values(days.iter().flat_map(|d| d.asset.iter().copied()))),
            Arc::new(Float64Array::from_iter_values(days.iter().flat_map(|d| d.residual.iter().copied()))),
            Arc::new(Float64Array::from_iter(days.iter().flat_map(|d| d.cap.iter().map(|&c| (!c.is_nan()).then_some(c))))),
            Arc::new(BooleanArray::from_iter(days.iter().flat_map(|d| d.universe.iter().map(|&u| Some(u))))),
        ];
        let writer = self.writer.as_mut().ok_or_else(|| Error::Internal("the residuals' file is closed".into()))?;
        writer.write(&RecordBatch::try_new(residual_schema(), columns)?)?;
        writer.flush()?;
        Ok(())
    }

    /// Closes, syncs and renames the file into place, with the [`Tail`] in its footer.
    pub(crate) fn finish(mut self) -> Result<()> {
        let mut writer = self.writer.take().ok_or_else(|| Error::Internal("the residuals' file is closed".into()))?;
        writer.append_key_value_metadata(parquet::file::metadata::KeyValue::new(TAIL_KEY.to_owned(), self.tail.encode()));
        let file = writer.into_inner()?.into_inner().map_err(|e| e.into_error()).at("cannot write", &self.tmp)?;
        file.sync_all().at("cannot sync", &self.tmp)?;
        crate::store::durable::rename(&self.tmp, &self.path)
    }
}

impl Drop for ResidualWriter {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The footer key of the [`Tail`].
const TAIL_KEY: &str = "riskdesk.specific_sums";

/// Each asset's specific-variance sums at the model's last date, as a pass over every residual
/// in file order leaves them (the same operations in the same order, so the variances are those
/// of the pass to the last bit), and the estimation universe of that date.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tail {
    /// How many model dates the residuals cover, and the last one.
    pub dates: u32,
    pub last: i32,
    /// Per asset with a residual: the asset, its sums as of its last residual, and the index
    /// of that residual's model date.
    pub assets: Vec<(u32, Specific, u32)>,
    /// The estimation universe of the last date, in file order: (asset, cap or NaN).
    pub universe: Vec<(u32, f64)>,
}

impl Tail {
    /// Adds one date's residuals, the next model date; `decay[k]` weighs an age of k dates;
    /// `slot[asset]` is where the asset is in `assets` (`u32::MAX`: not yet).
    fn record_date(&mut self, day: &DayResiduals, decay: &[f64], slot: &mut Vec<u32>) {
        let t = self.dates;
        self.dates += 1;
        self.last = day.date;
        self.universe.clear();
        for i in 0..day.asset.len() {
            let a = day.asset[i];
            if slot.len() <= a as usize {
                slot.resize(a as usize + 1, u32::MAX);
            }
            if slot[a as usize] == u32::MAX {
                slot[a as usize] = self.assets.len() as u32;
                self.assets.push((a, Specific::default(), 0));
            }
            let (_, s, seen) = &mut self.assets[slot[a as usize] as usize];
            s.push(day.residual[i], decay[(t - (*seen).min(t)) as usize]);
            *seen = t;
            if day.universe[i] {
                self.universe.push((a, day.cap[i]));
            }
        }
    }

    /// Little-endian bytes in base64: dates, last, the counts, then the assets and universe.
    fn encode(&self) -> String {
        use base64::Engine;
        let mut b = Vec::with_capacity(16 + self.assets.len() * 32 + self.universe.len() * 12);
        b.extend_from_slice(&self.dates.to_le_bytes());
        b.extend_from_slice(&self.last.to_le_bytes());
        b.extend_from_slice(&(self.assets.len() as u32).to_le_bytes());
        b.extend_from_slice(&(self.universe.len() as u32).to_le_bytes());
        for (a, s, seen) in &self.assets {
            b.extend_from_slice(&a.to_le_bytes());
            b.extend_from_slice(&s.weighted.to_le_bytes());
            b.extend_from_slice(&s.weights.to_le_bytes());
            b.extend_from_slice(&s.count.to_le_bytes());
            b.extend_from_slice(&seen.to_le_bytes());
        }
        for (a, cap) in &self.universe {
            b.extend_from_slice(&a.to_le_bytes());
            b.extend_from_slice(&cap.to_le_bytes());
        }
        base64::engine::general_purpose::STANDARD.encode(b)
    }

    fn decode(text: &str) -> Option<Tail> {
        use base64::Engine;
        let b = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
        let mut at = 0;
        let mut take = |n: usize| -> Option<&[u8]> {
            let s = b.get(at..at + n)?;
            at += n;
            Some(s)
        };
        let u32_of = |s: &[u8]| u32::from_le_bytes(s.try_into().unwrap_or_default());
        let f64_of = |s: &[u8]| f64::from_le_bytes(s.try_into().unwrap_or_default());
        let dates = u32_of(take(4)?);
        let last = i32::from_le_bytes(take(4)?.try_into().ok()?);
        let (n, u) = (u32_of(take(4)?) as usize, u32_of(take(4)?) as usize);
        let mut assets = Vec::with_capacity(n.min(1 << 24));
        for _ in 0..n {
            let a = u32_of(take(4)?);
            let (weighted, weights) = (f64_of(take(8)?), f64_of(take(8)?));
            let (count, seen) = (u32_of(take(4)?), u32_of(take(4)?));
            assets.push((a, Specific { weighted, weights, count }, seen));
        }
        let mut universe = Vec::with_capacity(u.min(1 << 24));
        for _ in 0..u {
            let a = u32_of(take(4)?);
            universe.push((a, f64_of(take(8)?)));
        }
        Some(Tail { dates, last, assets, universe })
    }
}

/// The [`Tail`] in the footer of the residuals at `path`; `None` for a file written before
/// footers kept it.
pub(crate) fn tail(path: &Path) -> Result<Option<Tail>> {
    let file = File::open(path).at("cannot open", path)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
    let Some(kv) = builder.metadata().file_metadata().key_value_metadata() else { return Ok(None) };
    match kv.iter().find(|kv| kv.key == TAIL_KEY).and_then(|kv| kv.value.as_deref()) {
        None => Ok(None),
        Some(text) => Tail::decode(text)
            .map(Some)
            .ok_or_else(|| Error::Storage(format!("{}: the specific-variance sums in its footer cannot be read", path.display()))),
    }
}

/// Hands every residual row dated up to `last` to `each` (date, asset, residual, cap or NaN,
/// universe), in file order, a row group at a time (memory stays flat); stops at the first error
/// `each` returns (a failed write, a cancel) and returns it.
pub(crate) fn each_residual(path: &Path, last: i32, each: impl FnMut(i32, u32, f64, f64, bool) -> Result<()>) -> Result<()> {
    each_residual_between(path, i32::MIN, last, each)
}

/// [`each_residual`] for the rows dated from `first` to `last` (the row groups of other dates
/// are not read).
pub(crate) fn each_residual_between(
    path: &Path,
    first: i32,
    last: i32,
    mut each: impl FnMut(i32, u32, f64, f64, bool) -> Result<()>,
) -> Result<()> {
    let file = File::open(path).at("cannot open", path)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
    let groups: Vec<usize> = (0..builder.metadata().num_row_groups())
        .filter(|&g| match builder.metadata().row_group(g).column(0).statistics() {
            Some(parquet::file::statistics::Statistics::Int32(s)) => {
                s.min_opt().is_none_or(|&min| min <= last) && s.max_opt().is_none_or(|&max| max >= first)
            }
            _ => true,
        })
        .collect();
    let bad = || Error::Storage(format!("{}: not a risk model's residuals", path.display()));
    let reader = builder.with_row_groups(groups).with_batch_size(1 << 16).build()?;
    // Batches are decoded on a thread of their own while `each` takes the previous ones, two
    // ahead at most (memory stays flat); when `each` stops, the decoder stops at its next send.
    std::thread::scope(|scope| {
        let (send, batches) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || {
            for batch in reader {
                if send.send(batch).is_err() {
                    break;
                }
            }
        });
        for batch in batches {
            each_row(batch?, first, last, &mut each, &bad)?;
        }
        Ok(())
    })
}

/// Hands the rows of one batch of residuals dated from `first` to `last` to `each`.
fn each_row(
    batch: arrow_array::RecordBatch,
    first: i32,
    last: i32,
    each: &mut impl FnMut(i32, u32, f64, f64, bool) -> Result<()>,
    bad: &impl Fn() -> Error,
) -> Result<()> {
    let dates = batch.column(0).as_primitive_opt::<Date32Type>().ok_or_else(bad)?;
    let assets = batch.column(1).as_primitive_opt::<UInt32Type>().ok_or_else(bad)?;
    let residuals = batch.column(2).as_primitive_opt::<Float64Type>().ok_or_else(bad)?;
    let caps = batch.column(3).as_primitive_opt::<Float64Type>().ok_or_else(bad)?;
    let universe = batch.column(4).as_boolean_opt().ok_or_else(bad)?;
    for i in 0..batch.num_rows() {
        let date = dates.value(i);
        if (first..=last).contains(&date) {
            let cap = if caps.is_null(i) { f64::NAN } else { caps.value(i) };
            each(date, assets.value(i), residuals.value(i), cap, universe.value(i))?;
        }
    }
    Ok(())
}
