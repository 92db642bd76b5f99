//! Reading and checking a reference folder. Nothing is written here: the whole folder is read
//! and checked first, and every problem becomes a [`Diagnostic`] naming the file, line (1-based,
//! the CSV header is line 1; for Parquet the row), column and value.
//!
//! The folder holds `assets` (required), `market_caps` and `returns` (optional), each as `.csv`
//! or `.parquet`. Hidden files are ignored; anything else refuses the import.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rustc_hash::FxHashMap;

use super::ReferenceAssets;
use crate::parse::{Diagnostic, KNOWN_ID_TYPES};
use crate::{Error, Result};

/// Reading stops after this many problems.
const MAX_PROBLEMS: usize = 20;

/// The tables of a reference folder.
const TABLES: [&str; 3] = ["assets", "market_caps", "returns"];

/// What a valid folder holds.
#[derive(Debug)]
pub struct Folder {
    pub assets: ReferenceAssets,
    pub market_caps: Vec<(i32, u32, f64)>,
    pub returns: Vec<(i32, u32, f64)>,
}

/// One input file of the folder.
struct Input {
    /// The file name, used in messages.
    label: String,
    path: PathBuf,
    parquet: bool,
}

/// One cell as read: CSV cells are always text; Parquet cells keep their type.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    Float(f64),
    Date(i32),
}

impl Cell<'_> {
    /// The cell as trimmed text (empty when null).
    fn text(&self) -> Cow<'_, str> {
        match *self {
            Cell::Null => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s.trim()),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            Cell::Float(f) => Cow::Owned(f.to_string()),
            Cell::Date(d) => Cow::Owned(crate::date::format(d)),
        }
    }

    /// The cell as found, for messages.
    fn shown(&self) -> String {
        match *self {
            Cell::Text(s) => s.to_owned(),
            other => other.text().into_owned(),
        }
    }

    /// A number (`None` when the cell is not one).
    fn number(&self) -> Option<f64> {
        match *self {
            Cell::Text(s) => fast_float2::parse::<f64, _>(s.trim()).ok(),
            Cell::Int(i) => Some(i as f64),
            Cell::Float(f) => Some(f),
            Cell::Null | Cell::Date(_) => None,
        }
    }

    /// A date (`None` when the cell is not `YYYY-MM-DD` or a date).
    fn date(&self) -> Option<i32> {
        match *self {
            Cell::Date(d) => Some(d),
            Cell::Text(s) => crate::date::parse(s.trim().as_bytes()),
            _ => None,
        }
    }
}

/// A problem that stops reading a file (boxed: it is rare and large).
type Problem = Box<Diagnostic>;

/// A problem at a header position of `label`.
fn header_problem(label: &str, column: Option<usize>, value: Option<&str>, message: String) -> Problem {
    Box::new(Diagnostic {
        line: Some(1),
        column: column.map(|c| c + 1),
        value: value.map(str::to_owned),
        ..Diagnostic::file(label, message)
    })
}

/// The refusal for a list of problems: the first one as the message, the others as details.
fn refuse(mut problems: Vec<Diagnostic>) -> Error {
    let first = problems.remove(0).to_string();
    let message = match problems.len() {
        0 => first,
        n => format!("{first} (and {n} more problem{})", if n == 1 { "" } else { "s" }),
    };
    Error::InvalidInput { message, details: problems.iter().map(Diagnostic::to_string).collect() }
}

/// Reads a table: `columns` maps the header (trimmed names) to what `row` needs, then `row` is
/// called with each row's 1-based line and cells until it returns `false`.
fn read_table<C>(
    input: &Input,
    columns: impl FnOnce(&[String]) -> Result<C, Problem>,
    row: impl FnMut(&C, u64, &[Cell<'_>]) -> bool,
) -> Result<(), Problem> {
    if input.parquet { read_parquet(input, columns, row) } else { read_csv(input, columns, row) }
}

fn csv_problem(label: &str, e: &csv::Error) -> Problem {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!("this line has {len} fields but the header has {expected_len}"),
        _ => format!("unreadable CSV: {e}"),
    };
    Box::new(Diagnostic { line, ..Diagnostic::file(label, message) })
}

fn read_csv<C>(
    input: &Input,
    columns: impl FnOnce(&[String]) -> Result<C, Problem>,
    mut row: impl FnMut(&C, u64, &[Cell<'_>]) -> bool,
) -> Result<(), Problem> {
    let label = input.label.as_str();
    let file = File::open(&input.path).map_err(|e| Box::new(Diagnostic::file(label, format!("cannot open: {e}"))))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    if reader.fill_buf().map_err(|e| Box::new(Diagnostic::file(label, format!("cannot read: {e}"))))?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(reader);
    let header = csv.byte_headers().map_err(|e| csv_problem(label, &e))?.clone();
    let mut names = Vec::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        let name = std::str::from_utf8(h)
            .map_err(|_| header_problem(label, Some(i), Some(&String::from_utf8_lossy(h)), "the header is not valid UTF-8 text".into()))?;
        names.push(name.trim().to_owned());
    }
    if names.iter().all(String::is_empty) {
        return Err(Box::new(Diagnostic::file(label, "the file is empty (no header line)")));
    }
    let columns = columns(&names)?;
    let mut record = csv::ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => return Err(csv_problem(label, &e)),
        }
        let line = record.position().map_or(0, csv::Position::line);
        let mut cells: Vec<Cell<'_>> = Vec::with_capacity(names.len());
        for (i, field) in record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(s) => cells.push(Cell::Text(s)),
                Err(_) => {
                    return Err(Box::new(Diagnostic {
                        line: Some(line),
                        column: Some(i + 1),
                        column_name: names.get(i).cloned(),
                        value: Some(String::from_utf8_lossy(field).into_owned()),
                        ..Diagnostic::file(label, "not valid UTF-8 text")
                    }));
                }
            }
        }
        if !row(&columns, line, &cells) {
            return Ok(());
        }
    }
}

/// A Parquet column of one batch, prepared for reading cells.
enum ParquetColumn<'a> {
    Plain(&'a ArrayRef),
    /// A dictionary: the array (for nulls), its keys as positions, and its values.
    Dict(&'a ArrayRef, Vec<usize>, &'a ArrayRef),
}

fn supported(t: &DataType) -> bool {
    match t {
        DataType::Dictionary(_, v) => supported(v),
        _ => matches!(
            t,
            DataType::Null
                | DataType::Utf8
                | DataType::LargeUtf8
                | DataType::Utf8View
                | DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64
                | DataType::Float32
                | DataType::Float64
                | DataType::Date32
                | DataType::Date64
        ),
    }
}

fn cell_at(a: &ArrayRef, row: usize) -> Cell<'_> {
    if a.is_null(row) {
        return Cell::Null;
    }
    match a.data_type() {
        DataType::Utf8 => Cell::Text(a.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => Cell::Text(a.as_string::<i64>().value(row)),
        DataType::Utf8View => Cell::Text(a.as_string_view().value(row)),
        DataType::Int8 => Cell::Int(i64::from(a.as_primitive::<Int8Type>().value(row))),
        DataType::Int16 => Cell::Int(i64::from(a.as_primitive::<Int16Type>().value(row))),
        DataType::Int32 => Cell::Int(i64::from(a.as_primitive::<Int32Type>().value(row))),
        DataType::Int64 => Cell::Int(a.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => Cell::Int(i64::from(a.as_primitive::<UInt8Type>().value(row))),
        DataType::UInt16 => Cell::Int(i64::from(a.as_primitive::<UInt16Type>().value(row))),
        DataType::UInt32 => Cell::Int(i64::from(a.as_primitive::<UInt32Type>().value(row))),
        DataType::UInt64 => {
            let v = a.as_primitive::<UInt64Type>().value(row);
            i64::try_from(v).map_or(Cell::Float(v as f64), Cell::Int)
        }
        DataType::Float32 => Cell::Float(f64::from(a.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => Cell::Float(a.as_primitive::<Float64Type>().value(row)),
        DataType::Date32 => Cell::Date(a.as_primitive::<Date32Type>().value(row)),
        DataType::Date64 => Cell::Date(a.as_primitive::<Date64Type>().value(row).div_euclid(86_400_000) as i32),
        _ => Cell::Null,
    }
}

fn read_parquet<C>(
    input: &Input,
    columns: impl FnOnce(&[String]) -> Result<C, Problem>,
    mut row: impl FnMut(&C, u64, &[Cell<'_>]) -> bool,
) -> Result<(), Problem> {
    let label = input.label.as_str();
    let unreadable = |e: &dyn std::fmt::Display| Box::new(Diagnostic::file(label, format!("not a readable Parquet file: {e}")));
    let file = File::open(&input.path).map_err(|e| Box::new(Diagnostic::file(label, format!("cannot open: {e}"))))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| unreadable(&e))?;
    let fields = builder.schema().fields().clone();
    let names: Vec<String> = fields.iter().map(|f| f.name().trim().to_owned()).collect();
    let columns = columns(&names)?;
    if let Some((i, f)) = fields.iter().enumerate().find(|(_, f)| !supported(f.data_type())) {
        return Err(header_problem(label, Some(i), Some(f.name()), format!("unsupported column type {}", f.data_type())));
    }
    let reader = builder.with_batch_size(1 << 16).build().map_err(|e| unreadable(&e))?;
    let mut line = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| unreadable(&e))?;
        let prepared: Vec<ParquetColumn<'_>> = batch
            .columns()
            .iter()
            .map(|a| match a.as_any_dictionary_opt() {
                Some(d) => ParquetColumn::Dict(a, d.normalized_keys(), d.values()),
                None => ParquetColumn::Plain(a),
            })
            .collect();
        for r in 0..batch.num_rows() {
            line += 1;
            let cells: Vec<Cell<'_>> = prepared
                .iter()
                .map(|c| match c {
                    ParquetColumn::Plain(a) => cell_at(a, r),
                    ParquetColumn::Dict(a, _, _) if a.is_null(r) => Cell::Null,
                    ParquetColumn::Dict(_, keys, values) => cell_at(values, keys[r]),
                })
                .collect();
            if !row(&columns, line, &cells) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Finds the folder's inputs by table; refuses unknown files and tables given twice.
fn inputs(dir: &Path) -> Result<[Option<Input>; 3]> {
    if !dir.is_dir() {
        let what = if dir.exists() { "is not a folder" } else { "does not exist" };
        return Err(Error::invalid(format!("the reference folder {} {what}", dir.display())));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?;
    let mut found: [Option<Input>; 3] = [None, None, None];
    let mut problems = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    for name in names {
        if name.starts_with('.') {
            continue;
        }
        let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
        let table = TABLES.iter().position(|t| *t == stem);
        let path = dir.join(&name);
        match (table, ext) {
            (Some(t), "csv" | "parquet") if path.is_file() => {
                if let Some(other) = &found[t] {
                    problems.push(Diagnostic::file(&name, format!("{} is given twice: as {} and as {name}; keep one", TABLES[t], other.label)));
                } else {
                    found[t] = Some(Input { parquet: ext == "parquet", label: name, path });
                }
            }
            _ => problems.push(Diagnostic::file(
                &name,
                format!(
                    "unexpected file in the reference folder {} (expected assets.csv or assets.parquet, and optionally market_caps and returns as .csv or .parquet)",
                    dir.display()
                ),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    if found[0].is_none() {
        return Err(Error::invalid(format!("the reference folder {} has no assets.csv (or assets.parquet)", dir.display())));
    }
    Ok(found)
}

/// Where each assets column is.
struct AssetColumns {
    asset_id: usize,
    alt: Vec<(usize, String)>,
    exchange: usize,
    country: usize,
    currency: usize,
    name: Option<usize>,
    names: Vec<String>,
}

/// Checks a header for repeated and missing names; returns the lowercased names.
fn check_header(label: &str, names: &[String], required: &[&str]) -> Result<Vec<String>, Problem> {
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    for (i, n) in lower.iter().enumerate() {
        if n.is_empty() {
            return Err(header_problem(label, Some(i), None, "empty column name in the header".into()));
        }
        if let Some(first) = lower[..i].iter().position(|m| m == n) {
            return Err(header_problem(label, Some(i), Some(&names[i]), format!("column name repeated (first at column {})", first + 1)));
        }
    }
    let missing: Vec<&str> = required.iter().copied().filter(|r| !lower.iter().any(|n| n == r)).collect();
    if !missing.is_empty() {
        return Err(header_problem(
            label,
            None,
            None,
            format!("the header lacks required column(s) {}; found: {}", missing.join(", "), names.join(", ")),
        ));
    }
    Ok(lower)
}

fn asset_columns(label: &str, names: &[String], id_type: &str) -> Result<AssetColumns, Problem> {
    let lower = check_header(label, names, &["asset_id", "exchange", "country", "currency"])?;
    let find = |n: &str| lower.iter().position(|m| m == n);
    let mut alt = Vec::new();
    for (i, n) in lower.iter().enumerate() {
        match n.as_str() {
            "asset_id" | "exchange" | "country" | "currency" | "name" => {}
            t if t == id_type => {
                return Err(header_problem(
                    label,
                    Some(i),
                    Some(&names[i]),
                    format!("'{t}' is the primary id type of this reference; its ids belong in asset_id"),
                ));
            }
            t if KNOWN_ID_TYPES.contains(&t) => alt.push((i, t.to_owned())),
            _ => {
                return Err(header_problem(
                    label,
                    Some(i),
                    Some(&names[i]),
                    format!(
                        "unknown column (expected asset_id, exchange, country, currency, name, or an alternative id type: {})",
                        KNOWN_ID_TYPES.iter().filter(|t| **t != id_type).copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    Ok(AssetColumns {
        asset_id: find("asset_id").unwrap_or_default(),
        alt,
        exchange: find("exchange").unwrap_or_default(),
        country: find("country").unwrap_or_default(),
        currency: find("currency").unwrap_or_default(),
        name: find("name"),
        names: names.to_vec(),
    })
}

/// A problem in a cell.
fn cell_problem(label: &str, line: u64, col: usize, names: &[String], cell: &Cell<'_>, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        line: Some(line),
        column: Some(col + 1),
        column_name: names.get(col).cloned(),
        value: Some(cell.shown()),
        ..Diagnostic::file(label, message)
    }
}

fn optional(cell: &Cell<'_>) -> Option<String> {
    let t = cell.text();
    (!t.is_empty()).then(|| t.into_owned())
}

/// An asset as read: id, alternative ids, [exchange, country, currency], name.
type AssetRow = (String, Vec<Option<String>>, [String; 3], Option<String>);

/// Reads and checks the assets; returns them sorted by id.
fn read_assets(input: &Input, id_type: &str) -> Result<ReferenceAssets> {
    let label = input.label.as_str();
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut rows: Vec<AssetRow> = Vec::new();
    let mut alt_types: Vec<String> = Vec::new();
    let mut first_line: FxHashMap<String, u64> = FxHashMap::default();
    let read = read_table(
        input,
        |names| {
            let c = asset_columns(label, names, id_type)?;
            alt_types = c.alt.iter().map(|(_, t)| t.clone()).collect();
            Ok(c)
        },
        |c, line, cells| {
            let mut ok = true;
            let mut required = |col: usize, what: &str| -> String {
                let text = cells[col].text();
                if text.is_empty() {
                    problems.push(cell_problem(label, line, col, &c.names, &cells[col], format!("{what} is empty")));
                    ok = false;
                }
                text.into_owned()
            };
            let id = required(c.asset_id, "the asset id");
            let fixed = [required(c.exchange, "the exchange"), required(c.country, "the country"), required(c.currency, "the currency")];
            if ok {
                match first_line.get(&id) {
                    Some(first) => {
                        let message = format!("asset id repeated (first on line {first})");
                        problems.push(cell_problem(label, line, c.asset_id, &c.names, &cells[c.asset_id], message));
                    }
                    None => {
                        first_line.insert(id.clone(), line);
                        let alt = c.alt.iter().map(|(i, _)| optional(&cells[*i])).collect();
                        rows.push((id, alt, fixed, c.name.and_then(|i| optional(&cells[i]))));
                    }
                }
            }
            problems.len() < MAX_PROBLEMS
        },
    );
    if let Err(d) = read {
        problems.push(*d);
    }
    if problems.is_empty() && rows.is_empty() {
        problems.push(Diagnostic::file(label, "there are no assets (only a header)"));
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut assets = ReferenceAssets {
        alt_ids: alt_types.into_iter().map(|t| (t, Vec::with_capacity(rows.len()))).collect(),
        ..ReferenceAssets::default()
    };
    for (id, alt, [exchange, country, currency], name) in rows {
        assets.asset_id.push(id);
        for ((_, values), v) in assets.alt_ids.iter_mut().zip(alt) {
            values.push(v);
        }
        assets.exchange.push(exchange);
        assets.country.push(country);
        assets.currency.push(currency);
        assets.name.push(name);
    }
    Ok(assets)
}

/// Reads and checks market caps (`positive`) or returns: (date, asset index, value), sorted.
fn read_series(
    input: &Input,
    value: &str,
    positive: bool,
    assets: &ReferenceAssets,
    assets_label: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(i32, u32, f64)> {
    let label = input.label.as_str();
    let mut out: Vec<(i32, u32, f64)> = Vec::new();
    let mut first_line: FxHashMap<(i32, u32), u64> = FxHashMap::default();
    let what = value.replace('_', " ");
    let read = read_table(
        input,
        |names| {
            let lower = check_header(label, names, &["date", "asset_id", value])?;
            if let Some(i) = lower.iter().position(|n| !["date", "asset_id", value].contains(&n.as_str())) {
                return Err(header_problem(label, Some(i), Some(&names[i]), format!("unknown column (expected date, asset_id, {value})")));
            }
            let find = |n: &str| lower.iter().position(|m| m == n).unwrap_or_default();
            Ok((find("date"), find("asset_id"), find(value), names.to_vec()))
        },
        |(date_col, id_col, value_col, names), line, cells| {
            let date = cells[*date_col].date();
            if date.is_none() {
                problems.push(cell_problem(label, line, *date_col, names, &cells[*date_col], "not a valid date (expected YYYY-MM-DD)"));
            }
            let id = cells[*id_col].text();
            let index = assets.index_of(&id);
            if id.is_empty() {
                problems.push(cell_problem(label, line, *id_col, names, &cells[*id_col], "the asset id is empty"));
            } else if index.is_none() {
                problems.push(cell_problem(label, line, *id_col, names, &cells[*id_col], format!("asset id not in {assets_label}")));
            }
            let number = cells[*value_col].number().filter(|v| v.is_finite() && (!positive || *v > 0.0));
            if number.is_none() {
                let expected = if positive { "a finite number greater than 0" } else { "a finite number" };
                problems.push(cell_problem(label, line, *value_col, names, &cells[*value_col], format!("the {what} is not {expected}")));
            }
            if let (Some(date), Some(index), Some(number)) = (date, index, number) {
                match first_line.get(&(date, index)) {
                    Some(first) => {
                        let message = format!("date {} and asset id repeated (first on line {first})", crate::date::format(date));
                        problems.push(cell_problem(label, line, *id_col, names, &cells[*id_col], message));
                    }
                    None => {
                        first_line.insert((date, index), line);
                        out.push((date, index, number));
                    }
                }
            }
            problems.len() < MAX_PROBLEMS
        },
    );
    if let Err(d) = read {
        problems.push(*d);
    }
    out.sort_unstable_by_key(|r| (r.0, r.1));
    out
}

/// Reads and checks the whole folder `dir` whose primary ids are of type `id_type`.
pub fn read_folder(dir: &Path, id_type: &str) -> Result<Folder> {
    let [assets_input, caps_input, returns_input] = inputs(dir)?;
    let assets_input = assets_input.expect("checked by inputs");
    let assets = read_assets(&assets_input, id_type)?;
    let mut problems = Vec::new();
    let series = |input: Option<Input>, value: &str, positive: bool, problems: &mut Vec<Diagnostic>| match input {
        Some(input) if problems.len() < MAX_PROBLEMS => read_series(&input, value, positive, &assets, &assets_input.label, problems),
        _ => Vec::new(),
    };
    let market_caps = series(caps_input, "market_cap", true, &mut problems);
    let returns = series(returns_input, "return", false, &mut problems);
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    Ok(Folder { assets, market_caps, returns })
}
