//! Reading exposure files of any accepted layout into the canonical long [`Exposures`].
//!
//! Layouts (detected from the header, per file):
//! - `long`: `date, asset_id, asset_id_type?, factor_group, factor, exposure`;
//! - `long_without_date`: the same without `date`, which is taken from the file name;
//! - `wide`: `date?`, an id column (`asset_id` or an id type such as `bayesid`), `asset_id_type?`,
//!   then one column per `<factor_group>.<factor>`. An empty cell means no value; in a group whose
//!   values are all 0 or 1 (categorical), 0 means "not a member" and makes no row.
//!
//! Every problem becomes a [`Diagnostic`] naming the file, line, column and value.

mod csv;
mod parquet;
mod tokenize;

use std::fmt;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::frame::{Dict, Exposures};
use crate::names::Format;

/// The id type assumed when a file has no `asset_id_type` column.
pub const DEFAULT_ID_TYPE: &str = "bayesid";

/// Column names accepted as the id column of a wide file (the id type is the column name).
pub const KNOWN_ID_TYPES: &[&str] =
    &["bayesid", "ticker", "isin", "cusip", "cusip8", "cusip9", "sedol", "sedol6", "sedol7", "cins", "figi", "permid", "ric"];

/// Files stop being read after this many problems.
const MAX_DIAGNOSTICS: usize = 20;

/// Which layout a file had (reported as the "parser" of a staging result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    Long,
    LongWithoutDate,
    Wide,
}

impl Layout {
    /// The parser name shown to users.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Long => "long",
            Layout::LongWithoutDate => "long_without_date",
            Layout::Wide => "wide",
        }
    }
}

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

/// A successfully read file.
#[derive(Debug)]
pub struct Parsed {
    pub frame: Exposures,
    pub layout: Layout,
}

/// What the caller knows about a file besides its bytes.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// How to name the file in messages.
    pub label: &'a str,
    /// The date in the file name, if any.
    pub name_date: Option<i32>,
}

/// Reads a whole file's bytes in the given format (not ZIP: archives are opened by the caller).
pub fn parse(bytes: &[u8], format: Format, src: &Source<'_>) -> Result<Parsed, Vec<Diagnostic>> {
    match format {
        Format::Csv => csv::parse(bytes, src),
        Format::CsvGz => {
            let mut plain = Vec::with_capacity(bytes.len() * 5);
            let mut decoder = flate2::read::MultiGzDecoder::new(bytes);
            if let Err(e) = std::io::Read::read_to_end(&mut decoder, &mut plain) {
                return Err(vec![Diagnostic::file(src.label, format!("not a valid gzip file: {e}"))]);
            }
            csv::parse(&plain, src)
        }
        Format::Parquet => parquet::parse(bytes, src),
        Format::Zip => Err(vec![Diagnostic::file(src.label, "a ZIP inside a ZIP is not supported")]),
    }
}

/// Where each canonical column sits in a file's header.
#[derive(Debug)]
struct Columns {
    layout: Layout,
    date: Option<usize>,
    asset_id: usize,
    /// Set when the id column is named after its id type (wide files).
    id_type_from_header: Option<String>,
    asset_id_type: Option<usize>,
    factor_group: usize,
    factor: usize,
    exposure: usize,
    /// Wide files: (column, factor_group, factor) per factor column.
    wide: Vec<(usize, String, String)>,
}

impl Columns {
    /// Detects the layout from header names.
    fn detect(header: &[String], src: &Source<'_>) -> Result<Columns, Diagnostic> {
        let problem = |message: String| Diagnostic { line: Some(1), ..Diagnostic::file(src.label, message) };
        let found = || header.join(", ");
        let mut seen: FxHashMap<String, usize> = FxHashMap::default();
        for (i, h) in header.iter().enumerate() {
            if h.is_empty() {
                return Err(Diagnostic { column: Some(i + 1), ..problem("empty column name in the header".into()) });
            }
            if let Some(first) = seen.insert(h.to_ascii_lowercase(), i) {
                return Err(Diagnostic {
                    column: Some(i + 1),
                    value: Some(h.clone()),
                    ..problem(format!("column name repeated (first at column {})", first + 1))
                });
            }
        }
        let find = |name: &str| seen.get(name).copied();
        let date = find("date");
        let asset_id_type = find("asset_id_type");
        let is_long = ["factor_group", "factor", "exposure"].iter().any(|c| find(c).is_some());
        if is_long {
            let missing: Vec<&str> = ["asset_id", "factor_group", "factor", "exposure"].into_iter().filter(|c| find(c).is_none()).collect();
            if !missing.is_empty() {
                return Err(problem(format!(
                    "the header lacks required column(s) {} for the long layout (date, asset_id, asset_id_type, factor_group, factor, exposure); found: {}",
                    missing.join(", "),
                    found()
                )));
            }
            let known = ["date", "asset_id", "asset_id_type", "factor_group", "factor", "exposure"];
            if let Some((i, h)) = header.iter().enumerate().find(|(_, h)| !known.contains(&h.to_ascii_lowercase().as_str())) {
                return Err(Diagnostic {
                    column: Some(i + 1),
                    value: Some(h.clone()),
                    ..problem(
                        "unexpected column in a long file (expected date, asset_id, asset_id_type, factor_group, factor, exposure)".into(),
                    )
                });
            }
            let layout = if date.is_some() { Layout::Long } else { Layout::LongWithoutDate };
            return Ok(Columns {
                layout,
                date,
                asset_id: find("asset_id").unwrap(),
                id_type_from_header: None,
                asset_id_type,
                factor_group: find("factor_group").unwrap(),
                factor: find("factor").unwrap(),
                exposure: find("exposure").unwrap(),
                wide: Vec::new(),
            });
        }
        let id = find("asset_id").map(|i| (i, None)).or_else(|| {
            header
                .iter()
                .enumerate()
                .find(|(_, h)| KNOWN_ID_TYPES.contains(&h.to_ascii_lowercase().as_str()))
                .map(|(i, h)| (i, Some(h.to_ascii_lowercase())))
        });
        let mut wide = Vec::new();
        for (i, h) in header.iter().enumerate() {
            if Some(i) == date || Some(i) == asset_id_type || Some(i) == id.as_ref().map(|x| x.0) {
                continue;
            }
            match h.split_once('.') {
                Some((g, f)) if !g.is_empty() && !f.is_empty() => wide.push((i, g.to_owned(), f.to_owned())),
                _ => {
                    return Err(Diagnostic {
                        column: Some(i + 1),
                        value: Some(h.clone()),
                        ..problem(format!(
                            "{} (a wide file has date, an id column such as asset_id or bayesid, asset_id_type, then <factor_group>.<factor> columns; a long file has date, asset_id, asset_id_type, factor_group, factor, exposure)",
                            if id.is_none() && wide.is_empty() {
                                "the header has none of the required columns"
                            } else {
                                "unexpected column"
                            }
                        ))
                    });
                }
            }
        }
        let Some((asset_id, id_type_from_header)) = id else {
            return Err(problem(format!(
                "the header has no id column (asset_id, or an id type such as {}); found: {}",
                KNOWN_ID_TYPES[..4].join(", "),
                found()
            )));
        };
        if wide.is_empty() {
            return Err(problem(format!("the header has no <factor_group>.<factor> columns; found: {}", found())));
        }
        Ok(Columns {
            layout: Layout::Wide,
            date,
            asset_id,
            id_type_from_header,
            asset_id_type,
            factor_group: 0,
            factor: 0,
            exposure: 0,
            wide,
        })
    }
}

/// A string interner that remembers the last value, for columns that repeat row after row.
#[derive(Default)]
struct Cached {
    last: Vec<u8>,
    last_code: u32,
    valid: bool,
}

/// Byte equality for short strings without a library call.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap());
    let half = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().unwrap());
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// Interns factor names, predicting each from the one before: the rows of one asset list the
/// same factors in the same order as the asset before it.
#[derive(Default)]
struct Predicted {
    next: Vec<u32>,
    prev: Option<u32>,
}

impl Predicted {
    #[inline]
    fn intern(&mut self, dict: &mut Dict, bytes: &[u8]) -> Result<u32, ()> {
        let guess = self.prev.and_then(|p| self.next.get(p as usize).copied()).filter(|&g| g != u32::MAX);
        let code = match guess {
            Some(g) if same(dict.get(g).as_bytes(), bytes) => g,
            _ => {
                let code = dict.intern(bytes)?;
                if let Some(p) = self.prev {
                    if self.next.len() <= p as usize {
                        self.next.resize(p as usize + 1, u32::MAX);
                    }
                    self.next[p as usize] = code;
                }
                code
            }
        };
        self.prev = Some(code);
        Ok(code)
    }
}

impl Cached {
    #[inline]
    fn intern(&mut self, dict: &mut Dict, bytes: &[u8]) -> Result<u32, ()> {
        if self.valid && same(&self.last, bytes) {
            return Ok(self.last_code);
        }
        let code = dict.intern(bytes)?;
        self.last.clear();
        self.last.extend_from_slice(bytes);
        self.last_code = code;
        self.valid = true;
        Ok(code)
    }
}

/// Accumulates rows, checking each value, and collects diagnostics.
struct Builder<'a> {
    src: &'a Source<'a>,
    header: Vec<String>,
    frame: Exposures,
    /// Line of each row (for duplicate-key messages).
    lines: Vec<u32>,
    caches: [Cached; 3],
    factors: Predicted,
    diagnostics: Vec<Diagnostic>,
}

/// A value's location: line and 0-based column index.
#[derive(Clone, Copy)]
struct At {
    line: u64,
    col: usize,
}

impl<'a> Builder<'a> {
    fn new(src: &'a Source<'a>, header: Vec<String>) -> Self {
        Builder {
            src,
            header,
            frame: Exposures::default(),
            lines: Vec::new(),
            caches: Default::default(),
            factors: Predicted::default(),
            diagnostics: Vec::new(),
        }
    }

    /// Makes room for about `rows` rows.
    fn reserve(&mut self, rows: usize) {
        let f = &mut self.frame;
        f.date.reserve(rows);
        f.exposure.reserve(rows);
        for c in [&mut f.asset_id.codes, &mut f.asset_id_type.codes, &mut f.factor_group.codes, &mut f.factor.codes] {
            c.reserve(rows);
        }
        self.lines.reserve(rows);
        f.asset_id.dict.reserve(rows / 8);
    }

    /// Records a problem; returns false once the file has too many to go on.
    fn problem(&mut self, at: At, value: &[u8], message: impl Into<String>) -> bool {
        self.diagnostics.push(Diagnostic {
            file: self.src.label.into(),
            line: Some(at.line),
            column: Some(at.col + 1),
            column_name: self.header.get(at.col).cloned(),
            value: Some(String::from_utf8_lossy(value).into_owned()),
            message: message.into(),
        });
        self.diagnostics.len() < MAX_DIAGNOSTICS
    }

    fn full(&self) -> bool {
        self.diagnostics.len() >= MAX_DIAGNOSTICS
    }

    /// Checks a parsed date against the file name's date.
    fn check_date(&mut self, at: At, raw: &[u8], date: Option<i32>) -> Option<i32> {
        match (date, self.src.name_date) {
            (None, _) => {
                self.problem(at, raw, "not a valid date (expected YYYY-MM-DD)");
                None
            }
            (Some(d), Some(n)) if d != n => {
                self.problem(at, raw, format!("the date disagrees with the file name's date {}", crate::date::format(n)));
                None
            }
            (d, _) => d,
        }
    }

    /// Interns a string value of column `which` (0 asset, 1 id type, 2 group, 3 factor).
    #[inline]
    fn string(&mut self, which: usize, at: At, raw: &[u8]) -> Option<u32> {
        let text = trim(raw);
        if text.is_empty() {
            self.problem(at, raw, "empty value");
            return None;
        }
        let dict = match which {
            0 => &mut self.frame.asset_id.dict,
            1 => &mut self.frame.asset_id_type.dict,
            2 => &mut self.frame.factor_group.dict,
            _ => &mut self.frame.factor.dict,
        };
        // Factors change on almost every row of a long file: predict them instead.
        let interned = if which == 3 { self.factors.intern(dict, text) } else { self.caches[which].intern(dict, text) };
        match interned {
            Ok(code) if which == 0 || code < u16::MAX as u32 => Some(code),
            Ok(_) => {
                self.problem(at, raw, "too many distinct values in this column (at most 65535)");
                None
            }
            Err(()) => {
                self.problem(at, raw, "not valid UTF-8 text");
                None
            }
        }
    }

    /// Checks an exposure value.
    #[inline]
    fn number(&mut self, at: At, raw: &[u8], value: Result<f64, ()>) -> Option<f32> {
        match value {
            Ok(v) if v.is_finite() && (v as f32).is_finite() => Some(v as f32),
            Ok(v) if v.is_nan() => {
                self.problem(at, raw, "the exposure is NaN (leave the cell empty in a wide file, or omit the row)");
                None
            }
            Ok(_) => {
                self.problem(at, raw, "the exposure is infinite or out of the Float32 range");
                None
            }
            Err(()) => {
                self.problem(at, raw, "the exposure is not a number");
                None
            }
        }
    }

    #[inline]
    fn push(&mut self, line: u64, date: i32, codes: [u32; 4], value: f32) {
        self.frame.push_codes(date, codes[0], codes[1], codes[2], codes[3], value);
        self.lines.push(line.min(u32::MAX as u64) as u32);
    }

    /// Final checks (empty, duplicate keys, categorical zeros), then the frame in file order.
    fn finish(mut self, layout: Layout, categorical_groups: &[u32], what_is_a_line: &str) -> Result<Parsed, Vec<Diagnostic>> {
        if !self.diagnostics.is_empty() {
            return Err(self.diagnostics);
        }
        if !categorical_groups.is_empty() {
            let keep: Vec<u32> = (0..self.frame.len() as u32)
                .filter(|&r| {
                    !(self.frame.exposure[r as usize] == 0.0 && categorical_groups.contains(&self.frame.factor_group.codes[r as usize]))
                })
                .collect();
            if keep.len() < self.frame.len() {
                self.frame = self.frame.take(&keep);
                self.lines = keep.iter().map(|&r| self.lines[r as usize]).collect();
            }
        }
        if self.frame.is_empty() {
            return Err(vec![Diagnostic::file(self.src.label, "the file has a header but no exposure values")]);
        }
        if self.frame.has_duplicate_keys() {
            let dups = self.frame.duplicate_keys();
            let mut out: Vec<Diagnostic> = dups
                .iter()
                .take(MAX_DIAGNOSTICS)
                .map(|&(a, b)| Diagnostic {
                    line: Some(u64::from(self.lines[b].max(self.lines[a]))),
                    ..Diagnostic::file(
                        self.src.label,
                        format!(
                            "duplicate key ({}) also on {what_is_a_line} {}",
                            self.frame.describe_key(a),
                            self.lines[a].min(self.lines[b])
                        ),
                    )
                })
                .collect();
            if dups.len() > MAX_DIAGNOSTICS {
                out.push(Diagnostic::file(self.src.label, format!("{} duplicate keys in all", dups.len())));
            }
            return Err(out);
        }
        Ok(Parsed { frame: self.frame, layout })
    }
}

/// Trims ASCII spaces and tabs.
#[inline]
fn trim(b: &[u8]) -> &[u8] {
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    if !b.first().is_some_and(blank) && !b.last().is_some_and(blank) {
        return b;
    }
    let start = b.iter().position(|c| *c != b' ' && *c != b'\t').unwrap_or(b.len());
    let end = b.iter().rposition(|c| *c != b' ' && *c != b'\t').map_or(start, |e| e + 1);
    &b[start..end]
}

/// Tracks, per factor group of a wide file, whether every value is 0 or 1.
#[derive(Default)]
struct Categorical {
    not_binary: FxHashMap<u32, bool>,
}

impl Categorical {
    #[inline]
    fn see(&mut self, group: u32, value: f32) {
        let flag = self.not_binary.entry(group).or_insert(false);
        *flag |= value != 0.0 && value != 1.0;
    }

    fn groups(&self) -> Vec<u32> {
        self.not_binary.iter().filter(|(_, nb)| !**nb).map(|(g, _)| *g).collect()
    }
}
