//! Reading and checking a reference folder. Nothing is written here: the whole folder is read
//! and checked first, and every problem becomes a [`Diagnostic`] naming the file, line (1-based,
//! the CSV header is line 1; for Parquet the row), column and value.
//!
//! The folder holds `assets` (required), `market_caps` and `returns` (optional), each as `.csv`
//! or `.parquet`. Hidden files are ignored; anything else refuses the import.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::ReferenceAssets;
use crate::parse::KNOWN_ID_TYPES;
use crate::tabular::{self, Diagnostic, Format, Kind, Problem, Reader, Row};
use crate::{Error, Result};

/// Reading stops after this many problems.
const MAX_PROBLEMS: usize = 20;

/// The tables of a reference folder.
const TABLES: [&str; 3] = ["assets", "market_caps", "returns"];

/// What a valid folder holds.
#[derive(Debug)]
pub(crate) struct Folder {
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

/// Reads a table through the [`tabular`] reader: `columns` maps the header (trimmed names) to
/// what `row` needs and to the columns it reads with their kinds, then `row` is called with each
/// row until it returns `false`. A row that cannot be read stops the reading with its problem.
fn read_table<C>(
    input: &Input,
    columns: impl FnOnce(&[String]) -> Result<(C, Vec<(usize, Kind)>), Problem>,
    mut row: impl FnMut(&C, &mut Row<'_, '_>) -> bool,
) -> Result<(), Problem> {
    let format = if input.parquet { Format::Parquet } else { Format::Csv };
    let mut table = Reader::open(tabular::Input::File(&input.path), format, &input.label)?;
    let (columns, kinds) = columns(table.header())?;
    table.select(&kinds)?;
    while let Some(mut r) = table.next_row()? {
        if !row(&columns, &mut r) {
            break;
        }
    }
    Ok(())
}

/// A text cell, trimmed ("" when empty or null); a cell that is not UTF-8 becomes a problem.
fn text(row: &Row<'_, '_>, col: usize, problems: &mut Vec<Diagnostic>) -> Option<String> {
    match row.text(col) {
        Ok(t) => Some(t.trim().to_owned()),
        Err(p) => {
            problems.push(*p);
            None
        }
    }
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
        // Hidden files, and the true factor returns the demo writes beside its reference.
        if name.starts_with('.') || name == super::demo::FACTOR_RETURNS_FILE {
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
    })
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
            let kinds = (0..names.len()).map(|i| (i, Kind::Text)).collect();
            Ok((c, kinds))
        },
        |c, row| {
            let required = |col: usize, what: &str, problems: &mut Vec<Diagnostic>| -> Option<String> {
                let t = text(row, col, problems)?;
                if t.is_empty() {
                    problems.push(*row.problem(col, format!("{what} is empty")));
                    return None;
                }
                Some(t)
            };
            let id = required(c.asset_id, "the asset id", &mut problems);
            let fixed = [
                required(c.exchange, "the exchange", &mut problems),
                required(c.country, "the country", &mut problems),
                required(c.currency, "the currency", &mut problems),
            ];
            if let (Some(id), [Some(exchange), Some(country), Some(currency)]) = (id, fixed) {
                match first_line.get(&id) {
                    Some(first) => problems.push(*row.problem(c.asset_id, format!("asset id repeated (first on line {first})"))),
                    None => {
                        first_line.insert(id.clone(), row.line());
                        let mut optional = |i: usize| text(row, i, &mut problems).filter(|t| !t.is_empty());
                        let alt = c.alt.iter().map(|(i, _)| optional(*i)).collect();
                        let name = c.name.and_then(&mut optional);
                        rows.push((id, alt, [exchange, country, currency], name));
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
            let columns = (find("date"), find("asset_id"), find(value));
            Ok((columns, vec![(columns.0, Kind::Date), (columns.1, Kind::Text), (columns.2, Kind::F64)]))
        },
        |&(date_col, id_col, value_col), row| {
            let date = match row.date(date_col) {
                Ok(Some(d)) => Some(d),
                Ok(None) => {
                    problems.push(*row.problem(date_col, "not a valid date (expected YYYY-MM-DD)"));
                    None
                }
                Err(p) => {
                    problems.push(*p);
                    None
                }
            };
            let index = match text(row, id_col, problems) {
                Some(id) if id.is_empty() => {
                    problems.push(*row.problem(id_col, "the asset id is empty"));
                    None
                }
                Some(id) => {
                    let index = assets.index_of(&id);
                    if index.is_none() {
                        problems.push(*row.problem(id_col, format!("asset id not in {assets_label}")));
                    }
                    index
                }
                None => None,
            };
            let expected = if positive { "a finite number greater than 0" } else { "a finite number" };
            let number = match row.f64(value_col) {
                Ok(Some(v)) if v.is_finite() && (!positive || v > 0.0) => Some(v),
                Ok(_) => {
                    problems.push(*row.problem(value_col, format!("the {what} is not {expected}")));
                    None
                }
                Err(p) => {
                    problems.push((*p).saying(format!("the {what} is not {expected}")));
                    None
                }
            };
            if let (Some(date), Some(index), Some(number)) = (date, index, number) {
                match first_line.get(&(date, index)) {
                    Some(first) => {
                        let message = format!("date {} and asset id repeated (first on line {first})", crate::date::format(date));
                        problems.push(*row.problem(id_col, message));
                    }
                    None => {
                        first_line.insert((date, index), row.line());
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
pub(crate) fn read_folder(dir: &Path, id_type: &str) -> Result<Folder> {
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
