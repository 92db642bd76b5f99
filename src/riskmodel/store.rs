//! Persisting risk models: a catalog row (settings and report) and two Parquet files, the
//! per-date statistics (`stats`: factor returns, standard errors, t-stats, p-values, R², σ²,
//! estimation-universe size) and the residuals (`date`, `asset`, `residual`, `cap`, `universe`),
//! one row group per batch of dates so that a date range is read without the rest.

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
        parts::write_atomically(path, |file| parts::write_batches(BufWriter::new(file), batch.schema(), &[batch]))
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
}

impl ResidualWriter {
    /// Starts the file at `path`.
    pub(crate) fn create(path: &Path) -> Result<ResidualWriter> {
        let tmp = path.with_extension("tmp");
        let file = File::create(&tmp).at("cannot create", &tmp)?;
        let writer = ArrowWriter::try_new(BufWriter::with_capacity(1 << 20, file), residual_schema(), Some(parts::writer_properties()))?;
        Ok(ResidualWriter { path: path.to_owned(), tmp, writer: Some(writer) })
    }

    /// Appends the residuals of some dates (ascending) as one row group.
    pub(crate) fn write(&mut self, days: &[DayResiduals]) -> Result<()> {
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

    /// Closes, syncs and renames the file into place.
    pub(crate) fn finish(mut self) -> Result<()> {
        let writer = self.writer.take().ok_or_else(|| Error::Internal("the residuals' file is closed".into()))?;
        let file = writer.into_inner()?.into_inner().map_err(|e| e.into_error()).at("cannot write", &self.tmp)?;
        file.sync_all().at("cannot sync", &self.tmp)?;
        std::fs::rename(&self.tmp, &self.path).at("cannot rename into", &self.path)
    }
}

impl Drop for ResidualWriter {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Hands every residual row dated up to `last` to `each` (date, asset, residual, cap or NaN,
/// universe), in file order, a row group at a time (memory stays flat); stops at the first error
/// `each` returns (a failed write, a cancel) and returns it.
pub(crate) fn each_residual(path: &Path, last: i32, mut each: impl FnMut(i32, u32, f64, f64, bool) -> Result<()>) -> Result<()> {
    let file = File::open(path).at("cannot open", path)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
    let groups: Vec<usize> = (0..builder.metadata().num_row_groups())
        .filter(|&g| match builder.metadata().row_group(g).column(0).statistics() {
            Some(parquet::file::statistics::Statistics::Int32(s)) => s.min_opt().is_none_or(|&first| first <= last),
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
            each_row(batch?, last, &mut each, &bad)?;
        }
        Ok(())
    })
}

/// Hands the rows of one batch of residuals dated up to `last` to `each`.
fn each_row(
    batch: arrow_array::RecordBatch,
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
        if date <= last {
            let cap = if caps.is_null(i) { f64::NAN } else { caps.value(i) };
            each(date, assets.value(i), residuals.value(i), cap, universe.value(i))?;
        }
    }
    Ok(())
}
