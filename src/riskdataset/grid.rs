//! A data grid over a risk dataset's exposures: the rows of an exposure query, filtered,
//! searched and sorted, with a profile of each column. Running a grid reads every date in range
//! once and keeps only which rows are shown and in what order (a few bytes per row); pages are
//! then read from storage date by date on demand, with the last dates read kept for scrolling.
//! Industries and regions show as one column of names each.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::exposures::{Categorical, ExposureQuery, Query, Scaling, Shaped};
use crate::compare::Comparison;
use crate::progress::Progress;
use crate::table::{Page, Table, Values};
use crate::{Error, Home, Result};

/// What a grid shows: the rows of `query`, kept by every filter and the search, in `sort`'s order
/// (date then id when `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct GridRequest {
    /// The risk dataset to read.
    pub dataset: String,
    /// The rows and columns to show; industries and regions show as name columns whatever it
    /// selects.
    pub query: ExposureQuery,
    /// The column to sort by; date then id order when `None`.
    #[serde(default)]
    pub sort: Option<GridSort>,
    /// Filters that every row shown passes.
    #[serde(default)]
    pub filters: Vec<GridFilter>,
    /// Keeps the rows of assets with an id of any type (the primary id, a ticker, …) containing
    /// this text, ignoring case; everything when empty.
    #[serde(default)]
    pub search: String,
}

/// A sort on one column; missing values come last either way, ties stay in date then id order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct GridSort {
    /// The column's name, as in [`GridColumn::name`].
    pub column: String,
    /// Largest first; smallest first when false (the default).
    #[serde(default)]
    pub descending: bool,
}

/// How a filter compares a column's values with its `values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum GridOp {
    /// Equal to the value.
    Eq,
    /// Not equal to the value (a missing number never passes).
    Ne,
    /// Less than the value.
    Lt,
    /// Less than or equal to the value.
    Le,
    /// Greater than the value.
    Gt,
    /// Greater than or equal to the value.
    Ge,
    /// Text containing the value, ignoring case (ids and categories).
    Contains,
    /// Equal to one of the values.
    OneOf,
    /// No value (a missing number, no category).
    Empty,
    /// Has a value.
    NotEmpty,
}

/// A filter on one column: numbers compare as numbers, dates as dates, text as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct GridFilter {
    /// The column's name, as in [`GridColumn::name`].
    pub column: String,
    /// How the column's values are compared with `values`.
    pub op: GridOp,
    /// One value, all of them for `one_of`, none for `empty` and `not_empty`.
    #[serde(default)]
    pub values: Vec<String>,
}

/// What a grid column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// The `date` column.
    Date,
    /// The asset id column, named after the query's id type.
    Id,
    /// A numeric factor column, `<role>.<group>.<factor>`: market, style or other.
    Number,
    /// The `industry` or `region` column: each row's category name, empty for none.
    Category,
}

/// A grid column and its profile over the rows shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct GridColumn {
    /// The column's name: `date`, the id type, a factor label, `industry` or `region`.
    pub name: String,
    /// What the column holds, which decides how it filters and sorts.
    pub kind: ColumnKind,
    /// A category column's categories, by name.
    pub categories: Vec<String>,
    /// Rows without a value.
    pub nulls: u64,
    /// The smallest and largest value (numbers exact, dates as `YYYY-MM-DD`); none for ids and categories.
    pub min: Option<String>,
    /// The largest value, written as `min`; none for ids and categories.
    pub max: Option<String>,
    /// Distinct values, for dates and categories.
    pub distinct: Option<u64>,
}

/// A date of the grid: its rows shown, and where they start when the grid is in date order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct GridDay {
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// Rows shown on this date, after filters and search.
    pub rows: u64,
    /// Position of its first row among the rows shown; `None` when the grid is sorted.
    pub first: Option<u64>,
}

/// A grid that has run: its columns with their profiles, its size and its dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct GridInfo {
    /// The columns, in page order, with their profiles over the rows shown.
    pub columns: Vec<GridColumn>,
    /// Rows shown.
    pub total: u64,
    /// Rows of the query before filters and search.
    pub unfiltered: u64,
    /// Every stored date in the query's range, in order, including dates with no row shown.
    pub days: Vec<GridDay>,
}

/// Dates kept read for scrolling (a date of 35,800 assets is a few MB).
const CACHED_DATES: usize = 32;

/// A grid that has run; see the module docs.
pub struct Grid {
    query: Query,
    info: GridInfo,
    dates: Vec<i32>,
    /// Per date: the rows shown (indexes into that date's rows), all of them when `None`.
    kept: Vec<Option<Vec<u32>>>,
    /// Per date: rows shown before it, in date order.
    starts: Vec<u64>,
    /// When sorted: each row shown, in order, as its sort key's bits (high half) and its index
    /// among all the query's rows in date order (low half): 8 bytes a row.
    order: Option<Vec<u64>>,
    /// Per date: the query's rows before it (filters and search aside).
    unfiltered_starts: Vec<u64>,
    /// Per date: how each numeric column was standardized, so that a page needs no market caps.
    scales: Vec<Vec<Option<(f64, f64)>>>,
    cache: Mutex<VecDeque<(u32, Arc<Table>)>>,
}

/// A filter resolved against the columns.
enum Test {
    Number(usize, GridOp, Vec<f32>),
    Date(usize, GridOp, Vec<i32>),
    Text(usize, GridOp, Vec<String>),
}

/// The comparisons shared with the platform's filters; `contains`, `empty` and `not_empty` are
/// the grid's own, evaluated by [`Test::passes`].
fn compare<T: PartialOrd>(op: GridOp, x: &T, values: &[T]) -> bool {
    let comparison = match op {
        GridOp::Eq => Comparison::Eq,
        GridOp::Ne => Comparison::Ne,
        GridOp::Lt => Comparison::Lt,
        GridOp::Le => Comparison::Le,
        GridOp::Gt => Comparison::Gt,
        GridOp::Ge => Comparison::Ge,
        GridOp::OneOf => Comparison::In,
        GridOp::Contains | GridOp::Empty | GridOp::NotEmpty => unreachable!("handled by the caller"),
    };
    comparison.holds(x, values)
}

fn text(values: &Values, row: usize) -> &str {
    match values {
        Values::Text(v) => &v[row],
        Values::Dict(c) => c.get(row),
        _ => "",
    }
}

impl Test {
    fn passes(&self, t: &Table, row: usize) -> bool {
        match self {
            Test::Number(c, op, values) => {
                let Values::F32(v) = &t.columns[*c] else { return false };
                let x = v[row];
                match op {
                    GridOp::Empty => x.is_nan(),
                    GridOp::NotEmpty => !x.is_nan(),
                    _ => !x.is_nan() && compare(*op, &x, values),
                }
            }
            Test::Date(c, op, values) => {
                let Values::Date(v) = &t.columns[*c] else { return false };
                match op {
                    GridOp::Empty => false,
                    GridOp::NotEmpty => true,
                    _ => compare(*op, &v[row], values),
                }
            }
            Test::Text(c, op, values) => {
                let x = text(&t.columns[*c], row);
                match op {
                    GridOp::Empty => x.is_empty(),
                    GridOp::NotEmpty => !x.is_empty(),
                    GridOp::Contains => x.to_lowercase().contains(values[0].as_str()),
                    _ => compare(*op, &x, &values.iter().map(String::as_str).collect::<Vec<_>>()),
                }
            }
        }
    }
}

/// A sort key as bits whose unsigned order is the sort's: ascending or descending by value (as
/// `f32::total_cmp`), a missing value last either way.
fn sort_bits(x: f32, descending: bool) -> u32 {
    if x.is_nan() {
        return u32::MAX;
    }
    let b = x.to_bits();
    let ascending = if b >> 31 == 1 { !b } else { b | 1 << 31 };
    if descending { !ascending } else { ascending }
}

/// A column's profile, gathered date by date.
#[derive(Clone, Default)]
struct Profile {
    nulls: u64,
    min: f64,
    max: f64,
    seen: bool,
    /// Categories (or dates) present.
    present: BTreeSet<u32>,
}

impl Profile {
    fn value(&mut self, x: f64) {
        if !self.seen || x < self.min {
            self.min = x;
        }
        if !self.seen || x > self.max {
            self.max = x;
        }
        self.seen = true;
    }

    fn merge(&mut self, other: Profile) {
        self.nulls += other.nulls;
        if other.seen {
            self.value(other.min);
            self.value(other.max);
        }
        self.present.extend(other.present);
    }
}

/// What running a grid learns from one date.
struct DayScan {
    rows: u64,
    scales: Vec<Option<(f64, f64)>>,
    kept: Option<Vec<u32>>,
    keys: Vec<f32>,
    profiles: Vec<Profile>,
}

impl Home {
    /// Runs the grid `request` (reading every date in range once); see the module docs.
    pub fn grid(&self, request: &GridRequest, progress: &Progress<'_>) -> Result<Grid> {
        let query = self.exposure_query(&request.dataset, &request.query)?;
        let names = query.empty_as(Categorical::Labels).names;
        let layout = query.layout().clone();
        let kinds: Vec<ColumnKind> = (0..names.len())
            .map(|c| match c {
                0 => ColumnKind::Date,
                1 => ColumnKind::Id,
                c if names[c] == "industry" || names[c] == "region" => ColumnKind::Category,
                _ => ColumnKind::Number,
            })
            .collect();
        let categories = |c: usize| -> Vec<String> {
            match names[c].as_str() {
                "industry" if kinds[c] == ColumnKind::Category => layout.industry.as_ref().map(|x| x.factors.clone()).unwrap_or_default(),
                "region" if kinds[c] == ColumnKind::Category => layout.region.as_ref().map(|x| x.factors.clone()).unwrap_or_default(),
                _ => Vec::new(),
            }
        };
        let column = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| Error::invalid(format!("column '{name}' is not a column of this grid (columns: {})", names.join(", "))))
        };
        let tests: Vec<Test> = request
            .filters
            .iter()
            .map(|f| {
                let c = column(&f.column)?;
                let fits = match f.op {
                    GridOp::Empty | GridOp::NotEmpty => true,
                    GridOp::OneOf => !f.values.is_empty(),
                    _ => f.values.len() == 1,
                };
                if !fits {
                    return Err(Error::invalid(format!("the filter on '{}' needs one value, got {}", f.column, f.values.len())));
                }
                let bad = |v: &str, what: &str| Error::invalid(format!("the filter on '{}': '{v}' is not {what}", f.column));
                Ok(match kinds[c] {
                    ColumnKind::Number if f.op == GridOp::Contains => {
                        return Err(Error::invalid(format!("'{}' holds numbers: filter with =, <, >", f.column)));
                    }
                    ColumnKind::Number => Test::Number(
                        c,
                        f.op,
                        f.values
                            .iter()
                            .map(|v| v.trim().parse::<f32>().ok().filter(|x| !x.is_nan()).ok_or_else(|| bad(v, "a number")))
                            .collect::<Result<_>>()?,
                    ),
                    ColumnKind::Date if f.op == GridOp::Contains => {
                        return Err(Error::invalid(format!("'{}' holds dates: filter with =, <, >", f.column)));
                    }
                    ColumnKind::Date => Test::Date(
                        c,
                        f.op,
                        f.values
                            .iter()
                            .map(|v| crate::date::parse_arg(v.trim()).map_err(|_| bad(v, "a date (YYYY-MM-DD)")))
                            .collect::<Result<_>>()?,
                    ),
                    _ if f.op == GridOp::Contains => Test::Text(c, f.op, vec![f.values[0].to_lowercase()]),
                    _ => Test::Text(c, f.op, f.values.clone()),
                })
            })
            .collect::<Result<_>>()?;
        let sort = request.sort.as_ref().map(|s| column(&s.column).map(|c| (c, s.descending))).transpose()?;

        // The search: a mask over the reference's assets; id ranks for sorting by id.
        let reference = query.reference();
        let search = request.search.trim().to_lowercase();
        let found: Option<Vec<bool>> = (!search.is_empty()).then(|| {
            (0..reference.len())
                .map(|i| {
                    reference.asset_id[i].to_lowercase().contains(&search)
                        || reference.alt_ids.iter().any(|(_, ids)| ids[i].as_deref().is_some_and(|x| x.to_lowercase().contains(&search)))
                })
                .collect()
        });
        let id_rank: Vec<u32> = if sort.is_some_and(|(c, _)| c == 1) {
            let ids: Vec<Option<&str>> = if query.id_type() == reference.id_type {
                reference.asset_id.iter().map(|a| Some(a.as_str())).collect()
            } else {
                reference
                    .alt_ids
                    .iter()
                    .find(|(t, _)| t == query.id_type())
                    .map(|(_, v)| v.iter().map(Option::as_deref).collect())
                    .unwrap_or_default()
            };
            let mut by: Vec<u32> = (0..ids.len() as u32).collect();
            by.sort_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
            let mut rank = vec![0; ids.len()];
            by.iter().enumerate().for_each(|(r, &a)| rank[a as usize] = r as u32);
            rank
        } else {
            Vec::new()
        };

        let dates = query.dates()?;
        let ncols = names.len();
        let scan = |shaped: Shaped| -> DayScan {
            let t = &shaped.table;
            let n = t.rows();
            let kept: Vec<u32> = (0..n)
                .filter(|&r| {
                    found.as_ref().is_none_or(|m| shaped.refs[r].is_some_and(|a| m[a as usize])) && tests.iter().all(|x| x.passes(t, r))
                })
                .map(|r| r as u32)
                .collect();
            let mut profiles = vec![Profile::default(); ncols];
            for (c, p) in profiles.iter_mut().enumerate() {
                match &t.columns[c] {
                    Values::F32(v) => kept.iter().for_each(|&r| match v[r as usize] {
                        x if x.is_nan() => p.nulls += 1,
                        x => p.value(f64::from(x)),
                    }),
                    Values::Date(v) => {
                        // One date per day.
                        if let Some(&r) = kept.first() {
                            p.value(f64::from(v[r as usize]));
                            p.present.insert(v[r as usize] as u32);
                        }
                    }
                    Values::Dict(d) => {
                        let none = d.dict.len() as u32 - 1; // the "" label
                        let mut seen = vec![false; d.dict.len()];
                        kept.iter().for_each(|&r| seen[d.codes[r as usize] as usize] = true);
                        p.nulls += kept.iter().filter(|&&r| d.codes[r as usize] == none).count() as u64;
                        p.present.extend((0..none).filter(|&k| seen[k as usize]));
                    }
                    _ => {}
                }
            }
            let keys = match sort {
                None => Vec::new(),
                Some((c, _)) => kept
                    .iter()
                    .map(|&r| match &t.columns[c] {
                        Values::F32(v) => v[r as usize],
                        Values::Date(v) => v[r as usize] as f32,
                        Values::Dict(d) => d.codes[r as usize] as f32,
                        _ => shaped.refs[r as usize].map_or(f32::NAN, |a| id_rank[a as usize] as f32),
                    })
                    .collect(),
            };
            let kept = if kept.len() == n { None } else { Some(kept) };
            DayScan { rows: n as u64, kept, keys, profiles, scales: shaped.scales }
        };

        let mut grid = Grid {
            info: GridInfo { columns: Vec::new(), total: 0, unfiltered: 0, days: Vec::new() },
            dates: dates.clone(),
            kept: Vec::with_capacity(dates.len()),
            starts: Vec::with_capacity(dates.len()),
            order: None,
            unfiltered_starts: Vec::with_capacity(dates.len()),
            scales: Vec::with_capacity(dates.len()),
            cache: Mutex::new(VecDeque::new()),
            query,
        };
        let mut profiles = vec![Profile::default(); ncols];
        let mut keyed: Vec<u64> = Vec::new();
        let descending = sort.is_some_and(|(_, d)| d);
        let mut done = 0u64;
        let total_dates = dates.len() as u64;
        grid.query.map_days(self, &dates, Categorical::Labels, &scan, &mut |day: DayScan| {
            let d = grid.kept.len();
            let shown = day.kept.as_ref().map_or(day.rows, |k| k.len() as u64);
            grid.starts.push(grid.info.total);
            grid.unfiltered_starts.push(grid.info.unfiltered);
            grid.info.days.push(GridDay { date: crate::date::format(dates[d]), rows: shown, first: None });
            grid.info.total += shown;
            if sort.is_some() {
                if grid.info.unfiltered + day.rows > u64::from(u32::MAX) {
                    return Err(Error::invalid("more than 4 billion rows cannot be sorted: narrow the dates first"));
                }
                let base = grid.info.unfiltered;
                keyed.extend(day.keys.iter().enumerate().map(|(i, &k)| {
                    let row = day.kept.as_ref().map_or(i as u64, |kept| u64::from(kept[i]));
                    u64::from(sort_bits(k, descending)) << 32 | (base + row)
                }));
            }
            grid.info.unfiltered += day.rows;
            day.profiles.into_iter().zip(profiles.iter_mut()).for_each(|(p, all)| all.merge(p));
            grid.kept.push(day.kept);
            grid.scales.push(day.scales);
            done += 1;
            progress.report("grid", done, total_dates, format!("reading {}", crate::date::format(dates[d])));
            progress.check()
        })?;
        if sort.is_some() {
            // Keys then row indexes: ties keep date then id order.
            keyed.par_sort_unstable();
            grid.order = Some(keyed);
        } else {
            grid.info.days.iter_mut().zip(&grid.starts).for_each(|(day, &s)| day.first = Some(s));
        }
        grid.info.columns = names
            .iter()
            .enumerate()
            .map(|(c, name)| {
                let p = &profiles[c];
                let (min, max, distinct) = match kinds[c] {
                    ColumnKind::Number if p.seen => (Some((p.min as f32).to_string()), Some((p.max as f32).to_string()), None),
                    ColumnKind::Date if p.seen => {
                        (Some(crate::date::format(p.min as i32)), Some(crate::date::format(p.max as i32)), Some(p.present.len() as u64))
                    }
                    ColumnKind::Category => (None, None, Some(p.present.len() as u64)),
                    _ => (None, None, None),
                };
                GridColumn { name: name.clone(), kind: kinds[c], categories: categories(c), nulls: p.nulls, min, max, distinct }
            })
            .collect();
        Ok(grid)
    }
}

impl Grid {
    /// The columns, their profiles, the size and the dates.
    pub fn info(&self) -> &GridInfo {
        &self.info
    }

    /// Rows `offset..offset + limit` of the grid, as text.
    pub fn page(&self, offset: usize, limit: usize) -> Result<Page> {
        let end = (offset.saturating_add(limit) as u64).min(self.info.total);
        let positions: Vec<(u32, u32)> = (offset as u64..end.max(offset as u64))
            .map(|i| match &self.order {
                Some(order) => {
                    let index = order[i as usize] & u64::from(u32::MAX);
                    let d = self.unfiltered_starts.partition_point(|&s| s <= index) - 1;
                    (d as u32, (index - self.unfiltered_starts[d]) as u32)
                }
                None => {
                    let d = self.starts.partition_point(|&s| s <= i) - 1;
                    let within = (i - self.starts[d]) as u32;
                    (d as u32, self.kept[d].as_ref().map_or(within, |k| k[within as usize]))
                }
            })
            .collect();
        let mut wanted: Vec<u32> = positions.iter().map(|p| p.0).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let days = self.days(&wanted)?;
        let table = |d: u32| &days[wanted.binary_search(&d).expect("read")];
        let rows = positions.iter().map(|&(d, r)| (0..table(d).columns.len()).map(|c| table(d).cell(r as usize, c)).collect()).collect();
        Ok(Page { columns: self.info.columns.iter().map(|c| c.name.clone()).collect(), rows, total: self.info.total as usize })
    }

    /// The shaped rows of dates `wanted` (indexes, sorted): from the cache, else read (in parallel).
    fn days(&self, wanted: &[u32]) -> Result<Vec<Arc<Table>>> {
        let have: Vec<Option<Arc<Table>>> = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            wanted.iter().map(|&d| cache.iter().find(|(x, _)| *x == d).map(|(_, t)| Arc::clone(t))).collect()
        };
        let missing: Vec<u32> = wanted.iter().zip(&have).filter(|(_, h)| h.is_none()).map(|(&d, _)| d).collect();
        let read: Vec<Arc<Table>> = missing
            .par_iter()
            .map(|&d| {
                let stored = self.query.stored_day(self.dates[d as usize])?;
                Ok(Arc::new(self.query.shape_as(&stored, Scaling::Known(&self.scales[d as usize]), Categorical::Labels).table))
            })
            .collect::<Result<_>>()?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        for (&d, t) in missing.iter().zip(&read) {
            cache.push_back((d, Arc::clone(t)));
            if cache.len() > CACHED_DATES {
                cache.pop_front();
            }
        }
        let mut read = read.into_iter();
        Ok(have.into_iter().map(|h| h.unwrap_or_else(|| read.next().expect("one read per missing date"))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_bits_order_values_either_way_with_missing_values_last() {
        let values = [f32::NAN, 3.0, -0.0, 0.0, -2.5, f32::INFINITY, f32::NEG_INFINITY, 1e-30];
        for descending in [false, true] {
            let mut order: Vec<f32> = values.to_vec();
            order.sort_by_key(|&x| sort_bits(x, descending));
            let mut expected: Vec<f32> = values.iter().copied().filter(|x| !x.is_nan()).collect();
            expected.sort_by(|a, b| if descending { b.total_cmp(a) } else { a.total_cmp(b) });
            assert_eq!(
                order[..7].iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                expected.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
            assert!(order[7].is_nan(), "missing last ({descending})");
        }
    }
}
