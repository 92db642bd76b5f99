//! A small column-oriented table for everything the engine hands out as rows: listings,
//! summaries and exposure data. One table renders as aligned text, CSV, JSON or Parquet.

use rayon::prelude::*;
use std::io::Write;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Date32Array, Float32Array, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema};

use crate::Result;
use crate::frame::{Exposures, StrColumn};
use crate::uploader::Column;

pub use crate::store::parts::write_batches;

/// One page of a wide frame: column names, cells as text, and the frame's total row count.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Page {
    /// The column names, in order.
    pub columns: Vec<String>,
    /// The page's rows, each with one cell's text per column (empty for a missing number).
    pub rows: Vec<Vec<String>>,
    /// How many rows the whole frame has (after filters and search), not just this page.
    pub total: usize,
}

/// The values of one column.
#[derive(Debug, Clone)]
pub enum Values {
    /// Dates as days since 1970-01-01, written as `YYYY-MM-DD`.
    Date(Vec<i32>),
    /// Strings, one per row (a missing value is empty).
    Text(Vec<String>),
    /// Strings stored as dictionary codes, one per row.
    Dict(StrColumn),
    /// 32-bit floats; NaN means missing.
    F32(Vec<f32>),
    /// 64-bit floats; NaN means missing.
    F64(Vec<f64>),
    /// Unsigned integers, such as counts.
    U64(Vec<u64>),
    /// Booleans, written as `true` or `false`.
    Bool(Vec<bool>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Date(v) => v.len(),
            Values::Text(v) => v.len(),
            Values::Dict(c) => c.codes.len(),
            Values::F32(v) => v.len(),
            Values::F64(v) => v.len(),
            Values::U64(v) => v.len(),
            Values::Bool(v) => v.len(),
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, Values::F32(_) | Values::F64(_) | Values::U64(_))
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The column names, in order.
    pub names: Vec<String>,
    /// The columns' values, in the order of `names`.
    pub columns: Vec<Values>,
}

/// An output format for tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "TableFormat")]
pub enum Format {
    /// Aligned text for a terminal.
    Text,
    /// CSV with a header line; a missing number is an empty cell.
    Csv,
    /// A JSON array of one object per row; a missing number is `null`.
    Json,
    /// Apache Parquet; a missing number is null.
    Parquet,
}

impl Table {
    /// Adds a column.
    pub fn with(mut self, name: &str, values: Values) -> Self {
        self.names.push(name.to_owned());
        self.columns.push(values);
        self
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Values::len)
    }

    /// A table from serializable records (field names become columns; numbers stay numbers).
    pub fn from_records<T: serde::Serialize>(records: &[T]) -> Table {
        let values: Vec<serde_json::Map<String, serde_json::Value>> = records
            .iter()
            .filter_map(|r| match serde_json::to_value(r) {
                Ok(serde_json::Value::Object(m)) => Some(m),
                _ => None,
            })
            .collect();
        let Some(first) = values.first() else { return Table::default() };
        let mut table = Table::default();
        for key in first.keys() {
            let cells: Vec<&serde_json::Value> = values.iter().map(|m| m.get(key).unwrap_or(&serde_json::Value::Null)).collect();
            let column = if cells.iter().all(|v| v.is_u64()) {
                Values::U64(cells.iter().map(|v| v.as_u64().unwrap_or_default()).collect())
            } else if cells.iter().all(|v| v.is_null() || v.as_f64().is_some_and(|x| f64::from(x as f32) == x || x.is_nan())) {
                // Values that are exactly f32 (statistics stored as Float32) print as f32.
                Values::F32(cells.iter().map(|v| v.as_f64().map_or(f32::NAN, |x| x as f32)).collect())
            } else if cells.iter().all(|v| v.is_number() || v.is_null()) {
                Values::F64(cells.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
            } else if cells.iter().all(|v| v.is_boolean()) {
                Values::Bool(cells.iter().map(|v| v.as_bool().unwrap_or_default()).collect())
            } else {
                Values::Text(
                    cells
                        .iter()
                        .map(|v| match v {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Null => String::new(),
                            serde_json::Value::Array(a) => {
                                a.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned)).collect::<Vec<_>>().join(",")
                            }
                            other => other.to_string(),
                        })
                        .collect(),
                )
            };
            table = table.with(key, column);
        }
        table
    }

    /// Exposure rows projected on `columns`; with `unique`, distinct rows sorted by value.
    pub(crate) fn from_exposures(frame: &Exposures, columns: &[Column], unique: bool) -> Table {
        let mut rows: Vec<u32> = (0..frame.len() as u32).collect();
        if unique {
            let key = |r: u32| {
                let r = r as usize;
                columns
                    .iter()
                    .map(|c| match c {
                        Column::Date => frame.date[r] as u64,
                        Column::AssetId => u64::from(frame.asset_id.codes[r]),
                        Column::AssetIdType => u64::from(frame.asset_id_type.codes[r]),
                        Column::FactorGroup => u64::from(frame.factor_group.codes[r]),
                        Column::Factor => u64::from(frame.factor.codes[r]),
                        Column::Exposure => u64::from(frame.exposure[r].to_bits()),
                    })
                    .collect::<Vec<u64>>()
            };
            let mut seen = rustc_hash::FxHashSet::default();
            rows.retain(|&r| seen.insert(key(r)));
            let text = |r: u32, c: &Column| -> (i64, f32, &str) {
                let r = r as usize;
                match c {
                    Column::Date => (i64::from(frame.date[r]), 0.0, ""),
                    Column::AssetId => (0, 0.0, frame.asset_id.get(r)),
                    Column::AssetIdType => (0, 0.0, frame.asset_id_type.get(r)),
                    Column::FactorGroup => (0, 0.0, frame.factor_group.get(r)),
                    Column::Factor => (0, 0.0, frame.factor.get(r)),
                    Column::Exposure => (0, frame.exposure[r], ""),
                }
            };
            rows.sort_by(|&a, &b| {
                columns.iter().fold(std::cmp::Ordering::Equal, |o, c| {
                    o.then_with(|| {
                        let (x, y) = (text(a, c), text(b, c));
                        x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)).then(x.2.cmp(y.2))
                    })
                })
            });
        }
        let all = rows.len() == frame.len() && !unique;
        let pick = |c: &StrColumn| {
            if all { c.clone() } else { StrColumn { codes: rows.iter().map(|&r| c.codes[r as usize]).collect(), dict: c.dict.clone() } }
        };
        let mut table = Table::default();
        for c in columns {
            let values = match c {
                Column::Date => Values::Date(if all { frame.date.clone() } else { rows.iter().map(|&r| frame.date[r as usize]).collect() }),
                Column::AssetId => Values::Dict(pick(&frame.asset_id)),
                Column::AssetIdType => Values::Dict(pick(&frame.asset_id_type)),
                Column::FactorGroup => Values::Dict(pick(&frame.factor_group)),
                Column::Factor => Values::Dict(pick(&frame.factor)),
                Column::Exposure => {
                    Values::F32(if all { frame.exposure.clone() } else { rows.iter().map(|&r| frame.exposure[r as usize]).collect() })
                }
            };
            table = table.with(c.name(), values);
        }
        table
    }

    /// The text of a cell (empty for a missing number).
    pub fn cell(&self, row: usize, col: usize) -> String {
        let mut out = String::new();
        self.push_cell(row, col, &mut out);
        out
    }

    /// Appends the text of a cell to `out` (as [`Table::cell`] gives it).
    pub(crate) fn push_cell(&self, row: usize, col: usize, out: &mut String) {
        use std::fmt::Write as _;
        let _ = match &self.columns[col] {
            Values::Date(v) => {
                crate::date::push(v[row], out);
                Ok(())
            }
            Values::Text(v) => {
                out.push_str(&v[row]);
                Ok(())
            }
            Values::Dict(c) => {
                out.push_str(c.get(row));
                Ok(())
            }
            Values::F32(v) if v[row].is_nan() => Ok(()),
            Values::F32(v) => write!(out, "{}", v[row]),
            Values::F64(v) if v[row].is_nan() => Ok(()),
            Values::F64(v) => write!(out, "{}", v[row]),
            Values::U64(v) => write!(out, "{}", v[row]),
            Values::Bool(v) => write!(out, "{}", v[row]),
        };
    }

    /// Writes the whole table to `path` in `format`, atomically: a failure leaves no file behind
    /// and an existing file whole.
    pub fn save(&self, format: Format, path: &std::path::Path) -> Result<()> {
        crate::store::parts::write_atomically(path, |file| {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            self.write(format, &mut w, None)?;
            w.flush().map_err(|e| crate::Error::io(format!("cannot write {}", path.display()), e))
        })
    }

    /// Writes the table in `format`. `Text` shows at most `max_rows` rows (all when `None`).
    pub fn write(&self, format: Format, out: &mut dyn Write, max_rows: Option<usize>) -> Result<()> {
        let io = |e| crate::Error::io("cannot write the output", e);
        match format {
            Format::Text => out.write_all(self.render(max_rows).as_bytes()).map_err(io),
            Format::Csv | Format::Json | Format::Parquet => {
                let mut w = TableWriter::new(format, out, self)?;
                w.write(self)?;
                w.finish()
            }
        }
    }

    /// Appends the rows of `other`, which has the same columns.
    pub(crate) fn append(&mut self, other: Table) {
        for (a, b) in self.columns.iter_mut().zip(other.columns) {
            match (a, b) {
                (Values::Date(a), Values::Date(b)) => a.extend(b),
                (Values::Text(a), Values::Text(b)) => a.extend(b),
                (Values::Dict(a), Values::Dict(b)) => a.append(&b),
                (Values::F32(a), Values::F32(b)) => a.extend(b),
                (Values::F64(a), Values::F64(b)) => a.extend(b),
                (Values::U64(a), Values::U64(b)) => a.extend(b),
                (Values::Bool(a), Values::Bool(b)) => a.extend(b),
                _ => panic!("appending a table of other columns"),
            }
        }
    }

    /// Aligned text: numbers right-aligned, a header rule, and a note when rows are left out.
    pub fn render(&self, max_rows: Option<usize>) -> String {
        let total = self.rows();
        let shown = max_rows.map_or(total, |m| m.min(total));
        let cells: Vec<Vec<String>> = (0..shown).map(|r| (0..self.columns.len()).map(|c| self.cell(r, c)).collect()).collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|c| cells.iter().map(|row| row[c].chars().count()).chain([self.names[c].chars().count()]).max().unwrap_or(0))
            .collect();
        let line =
            |row: &[String]| -> String {
                let parts: Vec<String> =
                    row.iter()
                        .enumerate()
                        .map(|(c, s)| {
                            if self.columns[c].is_number() { format!("{s:>w$}", w = widths[c]) } else { format!("{s:<w$}", w = widths[c]) }
                        })
                        .collect();
                parts.join("  ").trim_end().to_owned() + "\n"
            };
        let mut out = line(&self.names);
        out += &(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  ") + "\n");
        for row in &cells {
            out += &line(row);
        }
        if shown < total {
            out += &format!("… {} more rows ({total} in all); use --format csv for everything\n", total - shown);
        }
        out
    }

    fn schema(&self) -> Arc<Schema> {
        let fields: Vec<Field> = self
            .names
            .iter()
            .zip(&self.columns)
            .map(|(n, v)| {
                let t = match v {
                    Values::Date(_) => DataType::Date32,
                    Values::Text(_) | Values::Dict(_) => DataType::Utf8,
                    Values::F32(_) => DataType::Float32,
                    Values::F64(_) => DataType::Float64,
                    Values::U64(_) => DataType::UInt64,
                    Values::Bool(_) => DataType::Boolean,
                };
                Field::new(n, t, matches!(v, Values::F32(_) | Values::F64(_)))
            })
            .collect();
        Arc::new(Schema::new(fields))
    }

    /// A table from Arrow batches of one schema (as read from Parquet): dates, text (nulls as
    /// empty text), Float32 and Float64 (nulls as NaN), unsigned integers, signed integers (as
    /// Float64) and booleans.
    pub(crate) fn from_batches(schema: &Schema, batches: &[RecordBatch]) -> Result<Table> {
        use arrow_array::cast::AsArray;
        let mut table = Table::default();
        for (i, field) in schema.fields().iter().enumerate() {
            let parts: Vec<&ArrayRef> = batches.iter().map(|b| b.column(i)).collect();
            let values = match field.data_type() {
                DataType::Date32 => Values::Date(
                    parts
                        .iter()
                        .flat_map(|a| a.as_primitive::<arrow_array::types::Date32Type>().iter().map(|d| d.unwrap_or_default()))
                        .collect(),
                ),
                DataType::Float32 => Values::F32(
                    parts
                        .iter()
                        .flat_map(|a| a.as_primitive::<arrow_array::types::Float32Type>().iter().map(|x| x.unwrap_or(f32::NAN)))
                        .collect(),
                ),
                DataType::Float64 => Values::F64(
                    parts
                        .iter()
                        .flat_map(|a| a.as_primitive::<arrow_array::types::Float64Type>().iter().map(|x| x.unwrap_or(f64::NAN)))
                        .collect(),
                ),
                DataType::Int64 | DataType::Int32 => {
                    let mut out = Vec::new();
                    for a in &parts {
                        let a = arrow_cast::cast(a, &DataType::Float64)?;
                        out.extend(a.as_primitive::<arrow_array::types::Float64Type>().iter().map(|x| x.unwrap_or(f64::NAN)));
                    }
                    Values::F64(out)
                }
                DataType::UInt64 | DataType::UInt32 => {
                    let mut out = Vec::new();
                    for a in &parts {
                        let a = arrow_cast::cast(a, &DataType::UInt64)?;
                        out.extend(a.as_primitive::<arrow_array::types::UInt64Type>().iter().map(|x| x.unwrap_or_default()));
                    }
                    Values::U64(out)
                }
                DataType::Boolean => {
                    Values::Bool(parts.iter().flat_map(|a| a.as_boolean().iter().map(|x| x.unwrap_or_default())).collect())
                }
                _ => {
                    let mut out = Vec::new();
                    for a in &parts {
                        let a = arrow_cast::cast(a, &DataType::Utf8)?;
                        out.extend(a.as_string::<i32>().iter().map(|x| x.unwrap_or_default().to_owned()));
                    }
                    Values::Text(out)
                }
            };
            table = table.with(field.name(), values);
        }
        Ok(table)
    }

    /// A table from a Parquet file's bytes.
    pub fn from_parquet(bytes: bytes::Bytes) -> Result<Table> {
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)?.build()?;
        let schema = arrow_array::RecordBatchReader::schema(&reader);
        let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
        Table::from_batches(&schema, &batches)
    }

    /// The table as one Arrow record batch.
    pub fn to_batch(&self) -> Result<RecordBatch> {
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter()
            .map(|v| -> ArrayRef {
                match v {
                    Values::Date(d) => Arc::new(Date32Array::from(d.clone())),
                    Values::Text(t) => Arc::new(StringArray::from_iter_values(t)),
                    Values::Dict(c) => Arc::new(StringArray::from_iter_values(c.codes.iter().map(|&k| c.dict.get(k)))),
                    Values::F32(f) => Arc::new(Float32Array::from_iter(f.iter().map(|x| (!x.is_nan()).then_some(*x)))),
                    Values::F64(f) => Arc::new(Float64Array::from_iter(f.iter().map(|x| (!x.is_nan()).then_some(*x)))),
                    Values::U64(u) => Arc::new(UInt64Array::from(u.clone())),
                    Values::Bool(b) => Arc::new(BooleanArray::from(b.clone())),
                }
            })
            .collect();
        Ok(RecordBatch::try_new(self.schema(), arrays)?)
    }
}

/// Rows of a CSV formatted as one part (in parallel with the others, when a table has more).
const CSV_ROWS_PER_PART: usize = 1 << 14;

/// `rows` of `table` as CSV records.
fn csv_rows(table: &Table, rows: std::ops::Range<usize>) -> csv::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::with_capacity(64 * rows.len()));
    // One buffer per column, reused row after row.
    let mut record = vec![String::new(); table.columns.len()];
    for row in rows {
        for (c, cell) in record.iter_mut().enumerate() {
            cell.clear();
            table.push_cell(row, c, cell);
        }
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

enum Sink<W: Write> {
    /// The output; the header is written.
    Csv(W),
    Json {
        out: W,
        keys: Vec<String>,
        numbers: Vec<Option<bool>>,
        rows: usize,
    },
    /// The encoder writes into memory; each finished row group's bytes are moved on to `out`.
    Parquet {
        encoder: Box<parquet::arrow::ArrowWriter<Vec<u8>>>,
        out: W,
    },
}

/// Writes tables with the same columns one after another as one CSV, JSON or Parquet output, so
/// that a large result never has to be in memory at once.
pub(crate) struct TableWriter<W: Write> {
    sink: Sink<W>,
    rows: usize,
}

impl<W: Write> TableWriter<W> {
    /// Starts the output; `template` gives the columns (its rows are not written).
    pub fn new(format: Format, out: W, template: &Table) -> Result<TableWriter<W>> {
        let io = |e| crate::Error::io("cannot write the output", e);
        let sink = match format {
            Format::Csv => {
                let mut out = out;
                let mut header = csv::WriterBuilder::new().from_writer(Vec::new());
                header.write_record(&template.names).map_err(|e| io(e.into()))?;
                out.write_all(&header.into_inner().map_err(|e| io(e.into_error()))?).map_err(io)?;
                Sink::Csv(out)
            }
            Format::Json => {
                let mut out = out;
                out.write_all(b"[").map_err(io)?;
                let keys = template.names.iter().map(|n| serde_json::to_string(n).expect("a string")).collect();
                // Per column: Some(true) for numbers (missing ones as null), Some(false) for
                // booleans and counts, None for text.
                let numbers = template
                    .columns
                    .iter()
                    .map(|v| match v {
                        Values::Bool(_) | Values::U64(_) => Some(false),
                        v if v.is_number() => Some(true),
                        _ => None,
                    })
                    .collect();
                Sink::Json { out, keys, numbers, rows: 0 }
            }
            Format::Parquet => Sink::Parquet {
                encoder: Box::new(parquet::arrow::ArrowWriter::try_new(
                    Vec::new(),
                    template.schema(),
                    Some(crate::store::parts::writer_properties()),
                )?),
                out,
            },
            Format::Text => return Err(crate::Error::invalid("aligned text is rendered whole (Table::render)")),
        };
        Ok(TableWriter { sink, rows: 0 })
    }

    /// Appends `table`'s rows.
    pub fn write(&mut self, table: &Table) -> Result<()> {
        let io = |e| crate::Error::io("cannot write the output", e);
        match &mut self.sink {
            Sink::Csv(out) => {
                // Parts of the table formatted in parallel, a few at a time, written in order.
                let rows = table.rows();
                let parts: Vec<std::ops::Range<usize>> =
                    (0..rows).step_by(CSV_ROWS_PER_PART).map(|s| s..(s + CSV_ROWS_PER_PART).min(rows)).collect();
                for group in parts.chunks(2 * rayon::current_num_threads()) {
                    let texts: Vec<csv::Result<Vec<u8>>> = group.par_iter().map(|range| csv_rows(table, range.clone())).collect();
                    for text in texts {
                        out.write_all(&text.map_err(|e| io(e.into()))?).map_err(io)?;
                    }
                }
            }
            Sink::Json { out, keys, numbers, rows } => {
                let mut buf = Vec::with_capacity(1 << 16);
                let mut text = String::new();
                for row in 0..table.rows() {
                    buf.extend_from_slice(if *rows == 0 { b"\n{" } else { b",\n{" });
                    *rows += 1;
                    for (c, key) in keys.iter().enumerate() {
                        if c > 0 {
                            buf.push(b',');
                        }
                        buf.extend_from_slice(key.as_bytes());
                        buf.push(b':');
                        text.clear();
                        table.push_cell(row, c, &mut text);
                        match numbers[c] {
                            Some(false) => buf.extend_from_slice(text.as_bytes()),
                            Some(true) => buf.extend_from_slice(if text.is_empty() { b"null" } else { text.as_bytes() }),
                            None => serde_json::to_writer(&mut buf, &text).expect("a string"),
                        }
                    }
                    buf.push(b'}');
                    if buf.len() > 1 << 16 {
                        out.write_all(&buf).map_err(io)?;
                        buf.clear();
                    }
                }
                out.write_all(&buf).map_err(io)?;
            }
            Sink::Parquet { encoder, out } => {
                if table.rows() > 0 {
                    encoder.write(&table.to_batch()?)?;
                    let bytes = encoder.inner_mut();
                    if !bytes.is_empty() {
                        out.write_all(bytes).map_err(io)?;
                        bytes.clear();
                    }
                }
            }
        }
        self.rows += table.rows();
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Ends the output (CSV flushed, JSON closed, Parquet footer written).
    pub fn finish(self) -> Result<()> {
        let io = |e| crate::Error::io("cannot write the output", e);
        match self.sink {
            Sink::Csv(mut out) => out.flush().map_err(io),
            Sink::Json { mut out, .. } => out.write_all(b"\n]\n").and_then(|()| out.flush()).map_err(io),
            Sink::Parquet { mut encoder, mut out } => {
                encoder.finish()?; // writes the footer
                out.write_all(encoder.inner_mut()).and_then(|()| out.flush()).map_err(io)
            }
        }
    }
}
