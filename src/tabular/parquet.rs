//! Parquet tables, read through Arrow a batch at a time; each selected column is cast to its
//! kind by Arrow's cast kernel, and the cells the cast could not convert are remembered.

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float32Type, Float64Type};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, Date32Array, PrimitiveArray, RecordBatch, RecordBatchReader, StringArray};
use arrow_cast::{CastOptions, can_cast_types, cast_with_options};
use arrow_schema::{ArrowError, DataType};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use super::{Diagnostic, Input, Kind, Meta, Problem, trim};

/// Rows per batch.
pub(super) const BATCH: usize = 1 << 16;

/// A column of the current batch as its kind.
enum Typed {
    Text(StringArray),
    F64(PrimitiveArray<Float64Type>),
    F32(PrimitiveArray<Float32Type>),
    Date(Date32Array),
}

/// A selected column of the current batch.
struct Column {
    typed: Typed,
    /// Rows (of the batch) whose source value the cast could not convert, ascending.
    bad: Vec<u32>,
}

/// A Parquet table being read.
pub(super) struct Cursor {
    reader: ParquetRecordBatchReader,
    len: usize,
    kinds: Vec<Option<Kind>>,
    batch: Option<RecordBatch>,
    columns: Vec<Option<Column>>,
    /// Rows before the current batch.
    base: u64,
    /// The current row in the batch, and the batch's rows.
    row: usize,
    rows: usize,
    done: bool,
}

/// Whether a type holds text (a dictionary of text included).
fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

/// The Arrow type a kind is cast to.
fn target(kind: Kind) -> DataType {
    match kind {
        Kind::Text => DataType::Utf8,
        Kind::F64 => DataType::Float64,
        Kind::F32 => DataType::Float32,
        Kind::Date => DataType::Date32,
    }
}

/// Whether a column of type `t` can be read as `kind`. Dates come from dates, timestamps or
/// text only (a number is not taken for a count of days).
fn readable(t: &DataType, kind: Kind) -> bool {
    match kind {
        Kind::Date => match t {
            DataType::Dictionary(_, v) => readable(v, kind),
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) | DataType::Null => true,
            t => is_text(t),
        },
        _ => can_cast_types(t, &target(kind)),
    }
}

/// `safe` casting: a value that cannot be converted becomes a null instead of an error.
fn safe_cast(a: &ArrayRef, to: &DataType) -> Result<ArrayRef, ArrowError> {
    cast_with_options(a, to, &CastOptions { safe: true, ..CastOptions::default() })
}

/// Casts one column of a batch to `kind` and finds the cells the cast lost: null in the result
/// while the source held a value.
fn prepare(source: &ArrayRef, kind: Kind) -> Result<Column, ArrowError> {
    let typed = match kind {
        Kind::Text => Typed::Text(safe_cast(source, &DataType::Utf8)?.as_string::<i32>().clone()),
        Kind::F64 => Typed::F64(safe_cast(source, &DataType::Float64)?.as_primitive().clone()),
        Kind::F32 => Typed::F32(safe_cast(source, &DataType::Float32)?.as_primitive().clone()),
        // Text dates follow the one strict rule (the cast kernel would take 2025-5-1 or a time).
        Kind::Date if is_text(source.data_type()) => {
            let text = safe_cast(source, &DataType::Utf8)?;
            Typed::Date(text.as_string::<i32>().iter().map(|v| v.and_then(|s| crate::date::parse(trim(s.as_bytes())))).collect())
        }
        Kind::Date => Typed::Date(safe_cast(source, &DataType::Date32)?.as_primitive().clone()),
    };
    let out: &dyn Array = match &typed {
        Typed::Text(a) => a,
        Typed::F64(a) => a,
        Typed::F32(a) => a,
        Typed::Date(a) => a,
    };
    let mut bad = Vec::new();
    if out.null_count() > source.logical_null_count() {
        let present = source.logical_nulls();
        bad = (0..out.len()).filter(|&i| out.is_null(i) && present.as_ref().is_none_or(|n| n.is_valid(i))).map(|i| i as u32).collect();
    }
    Ok(Column { typed, bad })
}

impl Cursor {
    /// Opens the file and reads its schema: the header is the column names, trimmed.
    pub(super) fn open(input: Input<'_>, label: &str) -> Result<(Vec<String>, Self), Problem> {
        let fail = |m: String| Box::new(Diagnostic::file(label, m));
        match input {
            Input::Bytes(b) => Self::start(bytes::Bytes::copy_from_slice(b), b.len(), label),
            Input::Owned(v) => {
                let len = v.len();
                Self::start(bytes::Bytes::from(v), len, label)
            }
            Input::File(p) => {
                let file = std::fs::File::open(p).map_err(|e| fail(format!("cannot open: {e}")))?;
                let len = file.metadata().map_or(0, |m| m.len() as usize);
                Self::start(file, len, label)
            }
        }
    }

    fn start<T: parquet::file::reader::ChunkReader + 'static>(data: T, len: usize, label: &str) -> Result<(Vec<String>, Self), Problem> {
        let unreadable = |e: parquet::errors::ParquetError| Box::new(Diagnostic::file(label, format!("not a readable Parquet file: {e}")));
        let builder = ParquetRecordBatchReaderBuilder::try_new(data).map_err(unreadable)?;
        let names: Vec<String> = builder.schema().fields().iter().map(|f| f.name().trim().to_owned()).collect();
        let reader = builder.with_batch_size(BATCH).build().map_err(unreadable)?;
        let cursor =
            Cursor { reader, len, kinds: vec![None; names.len()], batch: None, columns: Vec::new(), base: 0, row: 0, rows: 0, done: false };
        Ok((names, cursor))
    }

    #[cfg(test)]
    pub(super) fn data_type(&self, col: usize) -> DataType {
        self.reader.schema().field(col).data_type().clone()
    }

    pub(super) fn input_len(&self) -> usize {
        self.len
    }

    /// Records the kinds, refusing columns whose type cannot be read as their kind.
    pub(super) fn select(&mut self, kinds: Vec<Option<Kind>>, meta: &Meta) -> Result<(), Problem> {
        let schema = self.reader.schema();
        for (i, kind) in kinds.iter().enumerate() {
            if let Some(kind) = *kind {
                let t = schema.field(i).data_type();
                if !readable(t, kind) {
                    let wanted = match kind {
                        Kind::Text => "text",
                        Kind::F64 | Kind::F32 => "numbers",
                        Kind::Date => "dates or YYYY-MM-DD text",
                    };
                    return Err(meta.header_problem(i, format!("unsupported column type {t} (expected {wanted})")));
                }
            }
        }
        self.kinds = kinds;
        Ok(())
    }

    /// Moves to the next row, reading the next batch when needed; returns the 1-based row.
    #[inline(never)]
    pub(super) fn advance(&mut self, meta: &Meta) -> Result<Option<u64>, Problem> {
        if self.row + 1 < self.rows {
            self.row += 1;
            return Ok(Some(self.base + self.row as u64 + 1));
        }
        while !self.done {
            self.base += self.rows as u64;
            (self.row, self.rows) = (0, 0);
            let batch = match self.reader.next() {
                None => break,
                Some(Ok(batch)) => batch,
                Some(Err(e)) => {
                    self.done = true;
                    return Err(Box::new(Diagnostic::file(&meta.label, format!("unreadable Parquet data: {e}"))));
                }
            };
            let mut columns = Vec::with_capacity(self.kinds.len());
            for (i, kind) in self.kinds.iter().enumerate() {
                match kind {
                    None => columns.push(None),
                    Some(kind) => match prepare(batch.column(i), *kind) {
                        Ok(c) => columns.push(Some(c)),
                        Err(e) => {
                            self.done = true;
                            return Err(meta.header_problem(i, format!("the column cannot be read as {kind:?}: {e}")));
                        }
                    },
                }
            }
            (self.columns, self.rows) = (columns, batch.num_rows());
            self.batch = Some(batch);
            if self.rows > 0 {
                return Ok(Some(self.base + 1));
            }
        }
        self.done = true;
        Ok(None)
    }

    #[inline]
    fn column(&self, col: usize) -> &Column {
        self.columns[col].as_ref().expect("the column was selected")
    }

    /// The current row's value of a typed column: a null is missing, or bad if the cast lost it.
    #[inline]
    fn value<T: ArrowPrimitiveType>(&self, c: &Column, a: &PrimitiveArray<T>) -> Result<Option<T::Native>, ()> {
        if a.is_null(self.row) {
            return if c.bad.binary_search(&(self.row as u32)).is_ok() { Err(()) } else { Ok(None) };
        }
        Ok(Some(a.value(self.row)))
    }

    #[inline(never)]
    pub(super) fn bytes(&self, col: usize) -> &[u8] {
        match &self.column(col).typed {
            Typed::Text(a) if a.is_null(self.row) => b"",
            Typed::Text(a) => a.value(self.row).as_bytes(),
            _ => panic!("column {col} was not selected as text"),
        }
    }

    #[inline(never)]
    pub(super) fn f64(&self, col: usize) -> Result<Option<f64>, ()> {
        match &self.column(col).typed {
            Typed::F64(a) => self.value(self.column(col), a),
            _ => panic!("column {col} was not selected as F64"),
        }
    }

    #[inline(never)]
    pub(super) fn f32(&self, col: usize) -> Result<Option<f32>, ()> {
        match &self.column(col).typed {
            Typed::F32(a) => self.value(self.column(col), a),
            _ => panic!("column {col} was not selected as F32"),
        }
    }

    #[inline(never)]
    pub(super) fn date(&self, col: usize) -> Result<Option<i32>, ()> {
        match &self.column(col).typed {
            Typed::Date(a) => self.value::<Date32Type>(self.column(col), a),
            _ => panic!("column {col} was not selected as a date"),
        }
    }

    /// The source value of the current row, cast to text ("" for a null).
    pub(super) fn shown(&self, col: usize) -> String {
        let Some(batch) = &self.batch else { return String::new() };
        let one = batch.column(col).slice(self.row, 1);
        if one.logical_null_count() == 1 {
            return String::new();
        }
        match safe_cast(&one, &DataType::Utf8) {
            Ok(text) if text.is_valid(0) => text.as_string::<i32>().value(0).to_owned(),
            _ => format!("{one:?}"),
        }
    }
}
