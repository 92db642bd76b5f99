//! One reader for input tables, CSV or Parquet: staging (`parse`) and reference import
//! (`reference`) both read through it.
//!
//! [`Reader::open`] reads the header; [`Reader::select`] says which columns are read and as what
//! [`Kind`]; [`Reader::next_row`] then yields [`Row`]s whose typed getters give a value, a missing
//! value (an empty CSV cell, a Parquet null), or a located [`Diagnostic`] for a cell that cannot
//! be read as asked: file, line (Parquet: row), column, column name and the value as found.
//!
//! - CSV goes through a zero-copy tokenizer (`tokenize`) over the whole file in memory; its
//!   cells are text, decoded when asked: numbers by `fast-float2` (an `f32` straight from the
//!   text, rounding once), dates by the strict [`crate::date::parse`].
//! - Parquet is read through Arrow one batch at a time; each selected column is converted to its
//!   kind by Arrow's cast kernel (any integer, float, string, large string, string view or
//!   dictionary type), with `safe` casting: a cell the cast turned into a null while the source
//!   held a value is a bad cell, shown as the source value cast to text. Dates from text columns
//!   follow the same strict `YYYY-MM-DD` rule as CSV.

mod csv;
mod parquet;
mod tokenize;

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use serde::Serialize;

pub(crate) use csv::same;

/// One problem found in an input, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Diagnostic {
    /// The file (for a ZIP member: `archive.zip/member.csv`).
    pub file: String,
    /// 1-based line of a CSV file, or 1-based row of a Parquet file (header = line 1 for CSV).
    pub line: Option<u64>,
    /// 1-based column.
    pub column: Option<usize>,
    /// The column's header name.
    pub column_name: Option<String>,
    /// The offending value, as found.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A problem with the file as a whole.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Diagnostic { file: file.into(), line: None, column: None, column_name: None, value: None, message: message.into() }
    }

    /// The same problem, described by `message` (callers name what the cell should have been).
    pub(crate) fn saying(self, message: impl Into<String>) -> Self {
        Diagnostic { message: message.into(), ..self }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        if let Some(col) = self.column {
            write!(f, ", column {col}")?;
            if let Some(name) = &self.column_name {
                write!(f, " ({name})")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(v) = &self.value {
            write!(f, ": '{}'", v.escape_debug())?;
        }
        Ok(())
    }
}

/// A located problem, boxed: it is rare and large, and rides in the `Err` of hot getters.
pub(crate) type Problem = Box<Diagnostic>;

/// A cell read as a kind: `Ok(Some(v))`, `Ok(None)` when missing (an empty or blank CSV cell, a
/// Parquet null), or the located problem of a cell that is not of the kind.
pub type Cell<T> = Result<Option<T>, Problem>;

/// What a column is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text: the CSV field as is; a Parquet column of any type cast to UTF-8 (null reads as "").
    Text,
    /// A 64-bit float.
    F64,
    /// A 32-bit float (from CSV text: rounded once, straight from the decimal).
    F32,
    /// A calendar day as days since 1970-01-01 (Arrow's `Date32`); text must be `YYYY-MM-DD`.
    Date,
}

impl Kind {
    /// How a cell that is not of this kind is described.
    fn problem(self) -> &'static str {
        match self {
            Kind::Text => "not valid UTF-8 text",
            Kind::F64 | Kind::F32 => "not a number",
            Kind::Date => "not a valid date (expected YYYY-MM-DD)",
        }
    }
}

/// The format of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV with a header line, UTF-8 (a byte-order mark is skipped).
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// Where a table's bytes are.
#[derive(Debug)]
pub(crate) enum Input<'a> {
    /// Bytes in memory, borrowed.
    Bytes(&'a [u8]),
    /// Bytes in memory, handed over (say, an inflated `.csv.gz`).
    Owned(Vec<u8>),
    /// A file, read as needed (a CSV file is read whole).
    File(&'a Path),
}

/// What every row needs to locate its problems.
struct Meta {
    label: String,
    header: Vec<String>,
}

impl Meta {
    fn problem(&self, line: u64, col: usize, value: String, message: impl Into<String>) -> Problem {
        Box::new(Diagnostic {
            line: Some(line),
            column: Some(col + 1),
            column_name: self.header.get(col).cloned(),
            value: Some(value),
            ..Diagnostic::file(&self.label, message)
        })
    }

    /// A problem in the header line.
    fn header_problem(&self, col: usize, message: String) -> Problem {
        Box::new(Diagnostic {
            line: Some(1),
            column: Some(col + 1),
            value: self.header.get(col).cloned(),
            ..Diagnostic::file(&self.label, message)
        })
    }
}

enum Body<'a> {
    Csv(csv::Cursor<'a>),
    Parquet(Box<parquet::Cursor>),
}

/// An open table: its header, then its rows one at a time.
pub struct Reader<'a> {
    meta: Meta,
    body: Body<'a>,
}

impl<'a> Reader<'a> {
    /// Opens `input` as `format` and reads its header (names trimmed). `label` names the file in
    /// problems. Fails on an unreadable file, an empty CSV file or a header that is not UTF-8.
    pub fn open(input: Input<'a>, format: Format, label: &str) -> Result<Self, Problem> {
        let fail = |m: String| Box::new(Diagnostic::file(label, m));
        let (header, body) = match format {
            Format::Csv => {
                let bytes = match input {
                    Input::Bytes(b) => Cow::Borrowed(b),
                    Input::Owned(v) => Cow::Owned(v),
                    Input::File(p) => Cow::Owned(std::fs::read(p).map_err(|e| fail(format!("cannot read: {e}")))?),
                };
                let (header, cursor) = csv::Cursor::open(bytes, label)?;
                (header, Body::Csv(cursor))
            }
            Format::Parquet => {
                let (header, cursor) = parquet::Cursor::open(input, label)?;
                (header, Body::Parquet(Box::new(cursor)))
            }
        };
        Ok(Reader { meta: Meta { label: label.to_owned(), header }, body })
    }

    /// The column names, trimmed, in file order.
    pub fn header(&self) -> &[String] {
        &self.meta.header
    }

    /// The table's format.
    pub fn format(&self) -> Format {
        match self.body {
            Body::Csv(_) => Format::Csv,
            Body::Parquet(_) => Format::Parquet,
        }
    }

    /// How a row is named in messages: "line" for CSV, "row" for Parquet.
    pub(crate) fn row_word(&self) -> &'static str {
        match self.body {
            Body::Csv(_) => "line",
            Body::Parquet(_) => "row",
        }
    }

    /// The size of the input in bytes (CSV: the text; Parquet: the file).
    pub(crate) fn input_len(&self) -> usize {
        match &self.body {
            Body::Csv(c) => c.input_len(),
            Body::Parquet(p) => p.input_len(),
        }
    }

    /// The Arrow type of a Parquet column (tests check that a type survives its file).
    #[cfg(test)]
    fn body_type(&self, col: usize) -> arrow_schema::DataType {
        match &self.body {
            Body::Csv(_) => arrow_schema::DataType::Utf8,
            Body::Parquet(p) => p.data_type(col),
        }
    }

    /// Says which columns (0-based) rows are read from, and as what; call it before the first
    /// row. A getter may only ask a selected column for its kind. Refuses a Parquet column whose
    /// type cannot be cast to the kind (a problem at the header, line 1).
    pub fn select(&mut self, columns: &[(usize, Kind)]) -> Result<(), Problem> {
        let mut kinds = vec![None; self.meta.header.len()];
        for &(c, k) in columns {
            kinds[c] = Some(k);
        }
        match &mut self.body {
            Body::Csv(c) => {
                c.select(&kinds);
                Ok(())
            }
            Body::Parquet(p) => p.select(kinds, &self.meta),
        }
    }

    /// The next row; `Ok(None)` at the end. A row that cannot be read at all (a CSV line with
    /// the wrong number of fields, a malformed quote, unreadable Parquet data) is an `Err`;
    /// reading may go on after it (after a malformed quote or bad data the table ends).
    #[inline(always)]
    pub(crate) fn next_row(&mut self) -> Result<Option<Row<'_, 'a>>, Problem> {
        let meta = &self.meta;
        let found = match &mut self.body {
            Body::Csv(c) => c.advance(meta)?.map(|line| Row { meta, line, body: RowBody::Csv(c) }),
            Body::Parquet(p) => p.advance(meta)?.map(|line| Row { meta, line, body: RowBody::Parquet(p) }),
        };
        Ok(found)
    }
}

enum RowBody<'r, 'a> {
    Csv(&'r mut csv::Cursor<'a>),
    Parquet(&'r mut parquet::Cursor),
}

/// One row of a [`Reader`]; its getters read the columns given to [`Reader::select`].
pub struct Row<'r, 'a> {
    meta: &'r Meta,
    line: u64,
    body: RowBody<'r, 'a>,
}

impl Row<'_, '_> {
    /// The row's 1-based line (CSV: its first line, the header being line 1; Parquet: its row).
    #[inline]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The bytes of a [`Kind::Text`] cell as found: not trimmed, not checked to be UTF-8; an
    /// empty slice for a Parquet null.
    #[inline(always)]
    pub fn bytes(&self, col: usize) -> &[u8] {
        match &self.body {
            RowBody::Csv(c) => c.get(col),
            RowBody::Parquet(p) => p.bytes(col),
        }
    }

    /// A [`Kind::Text`] cell as text, not trimmed ("" for a Parquet null); a problem when it is not UTF-8.
    #[inline(always)]
    pub fn text(&self, col: usize) -> Result<&str, Problem> {
        std::str::from_utf8(self.bytes(col)).map_err(|_| self.problem(col, Kind::Text.problem()))
    }

    /// A [`Kind::F64`] cell.
    #[inline(always)]
    pub(crate) fn f64(&mut self, col: usize) -> Cell<f64> {
        match &mut self.body {
            RowBody::Csv(c) => c.number::<f64>(col).map_err(|()| self.problem(col, Kind::F64.problem())),
            RowBody::Parquet(p) => p.f64(col).map_err(|()| self.problem(col, Kind::F64.problem())),
        }
    }

    /// A [`Kind::F32`] cell.
    #[inline(always)]
    pub(crate) fn f32(&mut self, col: usize) -> Cell<f32> {
        match &mut self.body {
            RowBody::Csv(c) => c.number::<f32>(col).map_err(|()| self.problem(col, Kind::F32.problem())),
            RowBody::Parquet(p) => p.f32(col).map_err(|()| self.problem(col, Kind::F32.problem())),
        }
    }

    /// A [`Kind::Date`] cell as days since 1970-01-01.
    #[inline(always)]
    pub fn date(&mut self, col: usize) -> Cell<i32> {
        match &mut self.body {
            RowBody::Csv(c) => c.date(col).map_err(|()| self.problem(col, Kind::Date.problem())),
            RowBody::Parquet(p) => p.date(col).map_err(|()| self.problem(col, Kind::Date.problem())),
        }
    }

    /// The cell's value as found, as text: the CSV field (invalid UTF-8 replaced), or the Parquet
    /// source value cast to text ("" for a null).
    pub(crate) fn shown(&self, col: usize) -> String {
        match &self.body {
            RowBody::Csv(c) => String::from_utf8_lossy(c.get(col)).into_owned(),
            RowBody::Parquet(p) => p.shown(col),
        }
    }

    /// A problem with this row's cell in column `col`, located and showing the value as found.
    #[cold]
    #[inline(never)]
    pub(crate) fn problem(&self, col: usize, message: impl Into<String>) -> Problem {
        self.meta.problem(self.line, col, self.shown(col), message)
    }
}

/// Trims ASCII spaces and tabs.
#[inline]
pub fn trim(b: &[u8]) -> &[u8] {
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    if !b.first().is_some_and(blank) && !b.last().is_some_and(blank) {
        return b;
    }
    let start = b.iter().position(|c| *c != b' ' && *c != b'\t').unwrap_or(b.len());
    let end = b.iter().rposition(|c| *c != b' ' && *c != b'\t').map_or(start, |e| e + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests;
