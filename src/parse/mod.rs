//! Reading exposure files of any accepted layout into the canonical long `Exposures`.
//!
//! Layouts (detected from the header, per file):
//! - `long`: `date, asset_id, asset_id_type?, factor_group, factor, exposure`;
//! - `long_without_date`: the same without `date`, which is taken from the file name;
//! - `wide`: `date?`, an id column (`asset_id` or an id type such as `bayesid`), `asset_id_type?`,
//!   then one column per `<factor_group>.<factor>`. An empty cell means no value; in a group whose
//!   values are all 0 or 1 (categorical), 0 means "not a member" and makes no row.
//!
//! Files are read through `crate::tabular` (CSV and Parquet alike, row by row); every problem
//! becomes a [`Diagnostic`] naming the file, line, column and value.

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::frame::{Dict, Exposures};
use crate::names::Format;
pub use crate::tabular::Diagnostic;
use crate::tabular::{self, Input, Kind, Reader, Row, same, trim};

/// The id type assumed when a file has no `asset_id_type` column.
pub(crate) const DEFAULT_ID_TYPE: &str = "bayesid";

/// Column names accepted as the id column of a wide file (the id type is the column name).
pub(crate) const KNOWN_ID_TYPES: &[&str] =
    &["bayesid", "ticker", "isin", "cusip", "cusip8", "cusip9", "sedol", "sedol6", "sedol7", "cins", "figi", "permid", "ric"];

/// Files stop being read after this many problems.
const MAX_DIAGNOSTICS: usize = 20;

/// Which layout a file had (reported as the "parser" of a staging result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per value: `date, asset_id, asset_id_type?, factor_group, factor, exposure`.
    Long,
    /// [`Layout::Long`] without the `date` column; the date comes from the file name.
    LongWithoutDate,
    /// `date?`, an id column, `asset_id_type?`, then one column per `<factor_group>.<factor>`.
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

/// A successfully read file.
#[derive(Debug)]
pub struct Parsed {
    /// The file's values in long form, in file order: at least one row and no duplicate key.
    pub frame: Exposures,
    /// The layout detected from the file's header.
    pub layout: Layout,
}

/// What the caller knows about a file besides its bytes.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// How to name the file in messages.
    pub label: &'a str,
    /// The date in the file name, if any.
    pub name_date: Option<i32>,
    /// The file's size as stored (as uploaded, or its compressed size in a ZIP): a `.csv.gz`
    /// may inflate only as far as ZIP members may (64 MiB, beyond that 200 times this, 4 GiB at most).
    pub stored: u64,
}

/// Reads a whole file's bytes in the given format (not ZIP: archives are opened by the caller).
pub fn parse(bytes: &[u8], format: Format, src: &Source<'_>) -> Result<Parsed, Vec<Diagnostic>> {
    let (input, format) = match format {
        Format::Csv => (Input::Bytes(bytes), tabular::Format::Csv),
        Format::CsvGz => {
            let limit = crate::inputs::inflation_bound(src.stored);
            let mut plain = Vec::with_capacity(bytes.len().saturating_mul(5).min(limit as usize));
            let decoder = flate2::read::MultiGzDecoder::new(bytes);
            if let Err(e) = std::io::Read::read_to_end(&mut std::io::Read::take(decoder, limit + 1), &mut plain) {
                return Err(vec![Diagnostic::file(src.label, format!("not a valid gzip file: {e}"))]);
            }
            if plain.len() as u64 > limit {
                return Err(vec![Diagnostic::file(src.label, crate::inputs::bomb("gzip", limit))]);
            }
            (Input::Owned(plain), tabular::Format::Csv)
        }
        Format::Parquet => (Input::Bytes(bytes), tabular::Format::Parquet),
        Format::Zip => return Err(vec![Diagnostic::file(src.label, "a ZIP inside a ZIP is not supported")]),
    };
    let table = Reader::open(input, format, src.label).map_err(|d| vec![*d])?;
    read(table, src)
}

/// Reads an open table of any layout, row by row.
fn read(mut table: Reader<'_>, src: &Source<'_>) -> Result<Parsed, Vec<Diagnostic>> {
    let cols = Columns::detect(table.header(), src).map_err(|d| vec![*d])?;
    if cols.date.is_none() && src.name_date.is_none() {
        return Err(vec![Diagnostic::file(src.label, "no date column, and no date in the file name (<prefix>_YYYY-MM-DD)")]);
    }
    let mut kinds = vec![(cols.asset_id, Kind::Text)];
    kinds.extend(cols.date.map(|c| (c, Kind::Date)));
    kinds.extend(cols.asset_id_type.map(|c| (c, Kind::Text)));
    if cols.layout == Layout::Wide {
        kinds.extend(cols.wide.iter().map(|(c, _, _)| (*c, Kind::F32)));
    } else {
        kinds.extend([(cols.factor_group, Kind::Text), (cols.factor, Kind::Text), (cols.exposure, Kind::F32)]);
    }
    table.select(&kinds).map_err(|d| vec![*d])?;
    let mut b = Builder::new(src);
    if table.format() == tabular::Format::Csv {
        b.reserve(table.input_len() / 40);
    }
    let row_word = table.row_word();
    let fixed_id_type = cols.id_type_from_header.clone().unwrap_or_else(|| DEFAULT_ID_TYPE.to_owned());
    let default_id_type = b.frame.asset_id_type.dict.intern_str(&fixed_id_type);
    let mut categorical = Categorical::default();
    let wide_codes: Vec<(usize, u32, u32)> =
        cols.wide.iter().map(|(i, g, f)| (*i, b.frame.factor_group.dict.intern_str(g), b.frame.factor.dict.intern_str(f))).collect();
    loop {
        let mut row = match table.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(problem) => {
                if !b.problem(*problem) {
                    break;
                }
                continue;
            }
        };
        let line = row.line();
        let date = match cols.date {
            None => src.name_date,
            Some(c) => b.check_date(&mut row, c),
        };
        let asset = b.string(0, &row, cols.asset_id);
        let id_type = match cols.asset_id_type {
            Some(c) => b.string(1, &row, c),
            None => Some(default_id_type),
        };
        if cols.layout == Layout::Wide {
            for &(c, group, factor) in &wide_codes {
                // A NaN cell is a missing value, as files written by polars or pandas have them.
                if let Some(value) = b.number(&mut row, c, true)
                    && let (Some(d), Some(a), Some(t), Some(v)) = (date, asset, id_type, value)
                {
                    categorical.see(group, v);
                    b.push(line, d, [a, t, group, factor], v);
                }
            }
        } else {
            let group = b.string(2, &row, cols.factor_group);
            let factor = b.string(3, &row, cols.factor);
            let value = match b.number(&mut row, cols.exposure, false) {
                Some(value) => value,
                None => {
                    b.problem(*row.problem(cols.exposure, "missing exposure value"));
                    None
                }
            };
            if let (Some(d), Some(a), Some(t), Some(g), Some(f), Some(v)) = (date, asset, id_type, group, factor, value) {
                b.push(line, d, [a, t, g, f], v);
            }
        }
        if b.full() {
            break;
        }
    }
    let categorical_groups = if cols.layout == Layout::Wide { categorical.groups() } else { Vec::new() };
    b.finish(cols.layout, &categorical_groups, row_word)
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
    fn detect(header: &[String], src: &Source<'_>) -> Result<Columns, Box<Diagnostic>> {
        let problem = |message: String| Diagnostic { line: Some(1), ..Diagnostic::file(src.label, message) };
        let found = || header.join(", ");
        let mut seen: FxHashMap<String, usize> = FxHashMap::default();
        for (i, h) in header.iter().enumerate() {
            if h.is_empty() {
                return Err(Box::new(Diagnostic { column: Some(i + 1), ..problem("empty column name in the header".into()) }));
            }
            if let Some(first) = seen.insert(h.to_ascii_lowercase(), i) {
                return Err(Box::new(Diagnostic {
                    column: Some(i + 1),
                    value: Some(h.clone()),
                    ..problem(format!("column name repeated (first at column {})", first + 1))
                }));
            }
        }
        let find = |name: &str| seen.get(name).copied();
        let date = find("date");
        let asset_id_type = find("asset_id_type");
        let is_long = ["factor_group", "factor", "exposure"].iter().any(|c| find(c).is_some());
        if is_long {
            let (Some(asset_id), Some(factor_group), Some(factor), Some(exposure)) =
                (find("asset_id"), find("factor_group"), find("factor"), find("exposure"))
            else {
                let missing: Vec<&str> =
                    ["asset_id", "factor_group", "factor", "exposure"].into_iter().filter(|c| find(c).is_none()).collect();
                return Err(Box::new(problem(format!(
                    "the header lacks required column(s) {} for the long layout (date, asset_id, asset_id_type, factor_group, factor, exposure); found: {}",
                    missing.join(", "),
                    found()
                ))));
            };
            let known = ["date", "asset_id", "asset_id_type", "factor_group", "factor", "exposure"];
            if let Some((i, h)) = header.iter().enumerate().find(|(_, h)| !known.contains(&h.to_ascii_lowercase().as_str())) {
                return Err(Box::new(Diagnostic {
                    column: Some(i + 1),
                    value: Some(h.clone()),
                    ..problem(
                        "unexpected column in a long file (expected date, asset_id, asset_id_type, factor_group, factor, exposure)".into(),
                    )
                }));
            }
            let layout = if date.is_some() { Layout::Long } else { Layout::LongWithoutDate };
            return Ok(Columns {
                layout,
                date,
                asset_id,
                id_type_from_header: None,
                asset_id_type,
                factor_group,
                factor,
                exposure,
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
                    return Err(Box::new(Diagnostic {
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
                    }));
                }
            }
        }
        let Some((asset_id, id_type_from_header)) = id else {
            return Err(Box::new(problem(format!(
                "the header has no id column (asset_id, or an id type such as {}); found: {}",
                KNOWN_ID_TYPES[..4].join(", "),
                found()
            ))));
        };
        if wide.is_empty() {
            return Err(Box::new(problem(format!("the header has no <factor_group>.<factor> columns; found: {}", found()))));
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
    frame: Exposures,
    /// Line of each row (for duplicate-key messages).
    lines: Vec<u32>,
    caches: [Cached; 3],
    factors: Predicted,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Builder<'a> {
    fn new(src: &'a Source<'a>) -> Self {
        Builder {
            src,
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
    fn problem(&mut self, problem: Diagnostic) -> bool {
        self.diagnostics.push(problem);
        self.diagnostics.len() < MAX_DIAGNOSTICS
    }

    fn full(&self) -> bool {
        self.diagnostics.len() >= MAX_DIAGNOSTICS
    }

    /// Reads a date and checks it against the file name's date.
    #[inline(always)]
    fn check_date(&mut self, row: &mut Row<'_, '_>, col: usize) -> Option<i32> {
        match row.date(col) {
            Ok(Some(d)) if self.src.name_date.is_none_or(|n| n == d) => Some(d),
            other => {
                self.bad_date(row, col, other);
                None
            }
        }
    }

    /// Records why a date is refused.
    #[cold]
    #[inline(never)]
    fn bad_date(&mut self, row: &Row<'_, '_>, col: usize, cell: tabular::Cell<i32>) {
        let problem = match (cell, self.src.name_date) {
            (Ok(Some(_)), Some(n)) => *row.problem(col, format!("the date disagrees with the file name's date {}", crate::date::format(n))),
            (Ok(_), _) => *row.problem(col, "not a valid date (expected YYYY-MM-DD)"),
            (Err(problem), _) => *problem,
        };
        self.problem(problem);
    }

    /// Interns a string value of column `which` (0 asset, 1 id type, 2 group, 3 factor).
    #[inline]
    fn string(&mut self, which: usize, row: &Row<'_, '_>, col: usize) -> Option<u32> {
        let text = trim(row.bytes(col));
        if text.is_empty() {
            self.problem(*row.problem(col, "empty value"));
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
                self.problem(*row.problem(col, "too many distinct values in this column (at most 65535)"));
                None
            }
            Err(()) => {
                self.problem(*row.problem(col, "not valid UTF-8 text"));
                None
            }
        }
    }

    /// Reads and checks an exposure: `None` when the cell is missing (with `nan_is_missing`, a
    /// NaN cell too: wide files written by polars or pandas mark missing values so), `Some(None)`
    /// when refused.
    #[inline(always)]
    fn number(&mut self, row: &mut Row<'_, '_>, col: usize, nan_is_missing: bool) -> Option<Option<f32>> {
        match row.f32(col) {
            Ok(Some(v)) if v.is_finite() => Some(Some(v)),
            Ok(Some(v)) if nan_is_missing && v.is_nan() => None,
            Ok(None) => None,
            other => {
                self.bad_number(row, col, other);
                Some(None)
            }
        }
    }

    /// Records why an exposure is refused.
    #[cold]
    #[inline(never)]
    fn bad_number(&mut self, row: &Row<'_, '_>, col: usize, cell: tabular::Cell<f32>) {
        let problem = match cell {
            Ok(Some(v)) if v.is_nan() => *row.problem(col, "the exposure is NaN (leave the cell empty in a wide file, or omit the row)"),
            Ok(_) => *row.problem(col, "the exposure is infinite or out of the Float32 range"),
            Err(problem) => (*problem).saying("the exposure is not a number"),
        };
        self.problem(problem);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposures_round_once_to_the_nearest_f32() {
        // Just above the midpoint of 1 and the next f32: through f64 it would land exactly on the
        // midpoint and round (to even) down to 1.0.
        let text = "date,asset_id,factor_group,factor,exposure\n2025-05-01,A,style,Size,1.00000005960464477539062500000001\n";
        let parsed = parse(text.as_bytes(), Format::Csv, &Source { label: "t.csv", name_date: None, stored: text.len() as u64 }).unwrap();
        assert_eq!(parsed.frame.exposure, [1.000_000_1_f32]);
        assert_eq!(parsed.layout, Layout::Long);
    }
}
