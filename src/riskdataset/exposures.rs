//! The wide exposure frame of a risk dataset: `date`, the id column, then one Float32 column per
//! factor (`market.<group>.<factor>`, `style.…`, `other.…`, and on request the 0/1 columns
//! `industry.…` / `region.…`), sorted by date then id.
//!
//! Styles are standardized per date by default: cap-weighted mean 0 (equal-weighted when the
//! reference has no market caps that day; assets without a cap get no weight) and equal-weighted
//! sample standard deviation 1, over the assets returned that day.

use rustc_hash::FxHashMap;
use std::path::Path;

use super::batches::{DATES_PER_BATCH, in_batches};
use super::built::{Built, Categories, Layout, NONE};
use super::settings::Role;
use super::store;
use crate::frame::{Dict, StrColumn};
use crate::progress::Progress;
use crate::reference::ReferenceIds;
use crate::table::{Format, Table, TableWriter, Values};
use crate::{Error, Home, Result};
use rayon::prelude::*;

/// Which factors of a group to return. Lists hold factor names or `<group>.<factor>` labels;
/// an entry starting with `~` excludes. On the wire: `"none"`, `"all"` or `{"only": [...]}`, so
/// names with commas (e.g. "Institutions, Associations & Organizations") travel whole.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// No columns (and, for industries and regions, no restriction of the universe).
    #[default]
    None,
    /// Every factor.
    All,
    /// These factors; for industries and regions the universe is restricted to their members.
    Only(Vec<String>),
}

impl Selection {
    /// A selection from whole items, as repeated command-line flags give them: no items is
    /// `default`, a single `none` or `all` is that, anything else is the list as given.
    pub fn from_items(items: &[String], default: Selection) -> Selection {
        match items {
            [] => default,
            [one] if matches!(one.trim(), "none" | "None") => Selection::None,
            [one] if matches!(one.trim(), "all" | "All" | "ALL") => Selection::All,
            list => Selection::Only(list.iter().map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect()),
        }
    }

    /// The chosen factor indexes of `factors` (labels `<group>.<factor>`), or `None` for no columns.
    fn resolve(&self, what: &str, group: &str, factors: &[String]) -> Result<Option<Vec<usize>>> {
        let items = match self {
            Selection::None => return Ok(None),
            Selection::All => return Ok(Some((0..factors.len()).collect())),
            Selection::Only(items) => items,
        };
        let find = |item: &str| {
            factors.iter().position(|f| f == item || format!("{group}.{f}") == item).ok_or_else(|| {
                Error::invalid(format!(
                    "{what} '{item}' does not exist (known: {})",
                    factors.iter().map(|f| format!("{group}.{f}")).collect::<Vec<_>>().join(", ")
                ))
            })
        };
        let (excludes, includes): (Vec<&String>, Vec<&String>) = items.iter().partition(|i| i.starts_with('~'));
        let mut chosen: Vec<usize> =
            if includes.is_empty() { (0..factors.len()).collect() } else { includes.iter().map(|i| find(i)).collect::<Result<_>>()? };
        for e in excludes {
            let e = find(&e[1..])?;
            chosen.retain(|&c| c != e);
        }
        chosen.sort_unstable();
        chosen.dedup();
        if chosen.is_empty() {
            return Err(Error::invalid(format!("the {what} selection {items:?} leaves nothing")));
        }
        Ok(Some(chosen))
    }

    fn restricts(&self) -> bool {
        matches!(self, Selection::Only(_))
    }
}

/// What to return.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ExposureQuery {
    /// First date (`YYYY-MM-DD`, inclusive); the dataset's first when `None` or empty.
    #[serde(default)]
    pub start: Option<String>,
    /// Last date (inclusive).
    #[serde(default)]
    pub end: Option<String>,
    /// The id type of the id column; the reference's primary id type when `None` or empty.
    #[serde(default)]
    pub id_type: Option<String>,
    /// Which industries to return as 0/1 columns (none by default); `only` also keeps only
    /// their members' rows.
    #[serde(default)]
    pub industries: Selection,
    /// Which regions to return as 0/1 columns (none by default); `only` also keeps only
    /// their members' rows.
    #[serde(default)]
    pub regions: Selection,
    /// Which styles to return (all by default); market and other factors are always returned.
    #[serde(default = "all")]
    pub styles: Selection,
    /// Whether to standardize the returned styles per date (see the module docs); true by default.
    #[serde(default = "yes")]
    pub standardize: bool,
}

fn all() -> Selection {
    Selection::All
}

fn yes() -> bool {
    true
}

impl ExposureQuery {
    /// The date range as days since the epoch; empty strings mean no bound.
    fn range(&self) -> Result<(i32, i32)> {
        let day = |d: &Option<String>| d.as_deref().filter(|s| !s.trim().is_empty()).map(crate::date::parse_arg).transpose();
        let (start, end) = (day(&self.start)?, day(&self.end)?);
        if let (Some(a), Some(b)) = (start, end)
            && a > b
        {
            return Err(Error::invalid(format!("the start {} is after the end {}", crate::date::format(a), crate::date::format(b))));
        }
        Ok((start.unwrap_or(i32::MIN), end.unwrap_or(i32::MAX)))
    }
}

impl Default for ExposureQuery {
    fn default() -> Self {
        ExposureQuery {
            start: None,
            end: None,
            id_type: None,
            industries: Selection::None,
            regions: Selection::None,
            styles: Selection::All,
            standardize: true,
        }
    }
}

/// Rows of one day whose category is among `chosen` (all rows when `chosen` is `None`).
fn member(codes: &[u16], row: usize, chosen: &Option<Vec<usize>>) -> bool {
    match chosen {
        None => true,
        Some(c) => codes.get(row).is_some_and(|&k| k != NONE && c.contains(&(k as usize))),
    }
}

fn categorical_columns(table: &mut Table, role: Role, cats: &Option<Categories>, codes: &[u16], chosen: &Option<Vec<usize>>, rows: &[u32]) {
    let (Some(c), Some(chosen)) = (cats, chosen) else { return };
    for &k in chosen {
        let values = rows.iter().map(|&r| if codes[r as usize] as usize == k { 1.0 } else { 0.0 }).collect();
        *table = std::mem::take(table).with(&format!("{}.{}.{}", role.name(), c.group, c.factors[k]), Values::F32(values));
    }
}

/// An exposure query resolved against a risk dataset: which dates and columns to read, and how
/// to shape each date's rows. Dates are read and shaped one at a time, so memory does not grow
/// with the length of history.
pub struct Query {
    query: ExposureQuery,
    reader: store::Reader,
    reference: ReferenceIds,
    range: (i32, i32),
    /// Reference asset index by primary id, made only if the reference's ids are not sorted.
    ref_index: std::sync::OnceLock<FxHashMap<String, u32>>,
    /// Whether the reference's primary ids are in ascending order (as stored).
    reference_sorted: bool,
    id_type: String,
    /// Alternative ids per reference asset, when the id type is not the primary one.
    alt: Option<Vec<Option<String>>>,
    industries: Option<Vec<usize>>,
    regions: Option<Vec<usize>>,
    /// The numeric columns returned, as indexes into the layout's.
    numeric: Vec<usize>,
    standardized: bool,
    /// When set, per reference asset whether its rows are output (styles are still
    /// standardized over the whole date): see [`Query::keep_only`].
    keep: Option<Vec<bool>>,
}

impl Home {
    /// Resolves `q` against the risk dataset `dataset`; see [`Query`].
    pub(crate) fn exposure_query(&self, dataset: &str, q: &ExposureQuery) -> Result<Query> {
        let range = q.range()?;
        let row = self.risk_row(dataset)?;
        let reference = self.reference_ids(&row.report.reference_dataset)?;
        let reader = store::Reader::open(&self.local(&row.file)?, &row.layout)?;
        let layout = &row.layout;

        let id_type = q.id_type.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| reference.id_type.clone());
        let alt = if id_type == reference.id_type {
            None
        } else {
            let Some((_, alt)) = reference.alt_ids.iter().find(|(t, _)| *t == id_type) else {
                let known: Vec<String> =
                    std::iter::once(reference.id_type.clone()).chain(reference.alt_ids.iter().map(|a| a.0.clone())).collect();
                return Err(Error::invalid(format!(
                    "id type '{id_type}' is not supported by '{dataset}' (id types: {})",
                    known.join(", ")
                )));
            };
            Some(alt.clone())
        };

        let empty = Categories { group: String::new(), factors: Vec::new() };
        let ind = layout.industry.as_ref().unwrap_or(&empty);
        let reg = layout.region.as_ref().unwrap_or(&empty);
        if layout.industry.is_none() && q.industries != Selection::None {
            return Err(Error::invalid(format!("'{dataset}' has no industry factor group")));
        }
        if layout.region.is_none() && q.regions != Selection::None {
            return Err(Error::invalid(format!("'{dataset}' has no region factor group")));
        }
        let industries = q.industries.resolve("industry", &ind.group, &ind.factors)?;
        let regions = q.regions.resolve("region", &reg.group, &reg.factors)?;
        let style_cols: Vec<usize> = (0..layout.numeric.len()).filter(|&c| layout.numeric[c].role == Role::Style).collect();
        let style_names: Vec<String> = style_cols.iter().map(|&c| layout.numeric[c].factor.clone()).collect();
        let style_group = style_cols.first().map(|&c| layout.numeric[c].group.clone()).unwrap_or_default();
        let chosen_styles: Vec<usize> =
            q.styles.resolve("style", &style_group, &style_names)?.unwrap_or_default().into_iter().map(|i| style_cols[i]).collect();
        let numeric: Vec<usize> =
            (0..layout.numeric.len()).filter(|c| layout.numeric[*c].role != Role::Style || chosen_styles.contains(c)).collect();
        Ok(Query {
            query: q.clone(),
            reader,
            range,
            ref_index: std::sync::OnceLock::new(),
            reference_sorted: reference.asset_id.windows(2).all(|w| w[0] < w[1]),
            id_type,
            alt,
            industries,
            regions,
            standardized: q.standardize && !chosen_styles.is_empty(),
            numeric,
            reference,
            keep: None,
        })
    }

    /// The wide exposures of a risk dataset, all at once; see the module docs and [`Query`].
    pub fn exposures(&self, dataset: &str, q: &ExposureQuery) -> Result<Table> {
        let query = self.exposure_query(dataset, q)?;
        let mut out: Option<Table> = None;
        query.each_day(self, |day| {
            match &mut out {
                None => out = Some(day),
                Some(t) => t.append(day),
            }
            Ok(())
        })?;
        Ok(out.unwrap_or_else(|| query.empty()))
    }
}

impl Home {
    /// Writes the wide exposures of a risk dataset to `path` in `format` date by date (memory
    /// stays flat), atomically; returns the rows written.
    pub fn export_exposures(
        &self,
        dataset: &str,
        q: &ExposureQuery,
        format: Format,
        path: &Path,
        progress: &Progress<'_>,
    ) -> Result<usize> {
        let query = self.exposure_query(dataset, q)?;
        let total = query.dates()?.len() as u64;
        let mut rows = 0;
        crate::store::parts::write_atomically(path, |file| {
            let mut w = TableWriter::new(format, std::io::BufWriter::with_capacity(1 << 20, file), &query.empty())?;
            let mut done = 0;
            query.each_day(self, |day| {
                w.write(&day)?;
                done += 1;
                progress.report("export", done, total, format!("{} rows written", crate::text::thousands(w.rows() as u64)));
                progress.check()
            })?;
            rows = w.rows();
            w.finish()
        })?;
        Ok(rows)
    }
}

impl Query {
    /// Outputs only the rows of these reference assets (a portfolio's holdings): each date's
    /// styles are standardized over all its rows first, so the values are those of the whole
    /// query, at a fraction of the cost of shaping every row.
    pub(crate) fn keep_only(&mut self, assets: impl IntoIterator<Item = u32>) {
        let mut keep = vec![false; self.reference.len()];
        for a in assets {
            if let Some(k) = keep.get_mut(a as usize) {
                *k = true;
            }
        }
        self.keep = Some(keep);
    }

    /// The reference asset of each of a date's asset ids: a merge of the two sorted lists when
    /// the ids are sorted (as stored dates' are), else a search each.
    fn reference_indexes(&self, ids: &[String]) -> Vec<Option<u32>> {
        let known = &self.reference.asset_id;
        if !self.reference_sorted {
            let index = self.ref_index.get_or_init(|| known.iter().enumerate().map(|(i, a)| (a.clone(), i as u32)).collect());
            return ids.iter().map(|a| index.get(a).copied()).collect();
        }
        if !ids.windows(2).all(|w| w[0] < w[1]) {
            return ids.iter().map(|a| known.binary_search(a).ok().map(|i| i as u32)).collect();
        }
        let mut j = 0;
        ids.iter()
            .map(|id| {
                while j < known.len() && known[j] < *id {
                    j += 1;
                }
                (j < known.len() && known[j] == *id).then_some(j as u32)
            })
            .collect()
    }

    /// Each row's market cap (`refs`: each row's reference asset) from a date's (asset, cap)
    /// pairs, 0 when it has none; `None` when no row has a positive cap.
    fn cap_weights(&self, caps: &[(u32, f64)], refs: &[Option<u32>]) -> Option<Vec<f64>> {
        let mut cap_of = vec![0.0; self.reference.len()];
        for &(a, cap) in caps {
            if let Some(slot) = cap_of.get_mut(a as usize) {
                *slot = cap;
            }
        }
        let weights: Vec<f64> = refs.iter().map(|a| a.map_or(0.0, |a| cap_of[a as usize])).collect();
        weights.iter().any(|w| *w > 0.0).then_some(weights)
    }

    /// The output with no rows, industries and regions shown as `categorical` says.
    pub(super) fn empty_as(&self, categorical: Categorical) -> Table {
        let layout = self.reader.layout();
        let built = Built { layout: layout.clone(), values: vec![Vec::new(); layout.numeric.len()], ..Default::default() };
        self.shape_as(&built, Scaling::Caps(&[]), categorical).table
    }

    /// The output with no rows.
    pub(crate) fn empty(&self) -> Table {
        self.empty_as(Categorical::Indicators)
    }

    /// Every stored date of the dataset within the query's range.
    pub(crate) fn dates(&self) -> Result<Vec<i32>> {
        Ok(self.reader.dates()?.into_iter().filter(|d| (self.range.0..=self.range.1).contains(d)).collect())
    }

    /// Hands each date's rows to `each`, in date order.
    pub(crate) fn each_day(&self, home: &Home, mut each: impl FnMut(Table) -> Result<()>) -> Result<()> {
        self.map_days(home, &self.dates()?, Categorical::Indicators, &|shaped| shaped.table, &mut each)
    }

    /// Reads and shapes `dates` (sorted) in parallel, a batch at a time, runs `work` on each
    /// date's output there, and hands the results to `take` in date order.
    pub(crate) fn map_days<T: Send>(
        &self,
        home: &Home,
        dates: &[i32],
        categorical: Categorical,
        work: &(dyn Fn(Shaped) -> T + Sync),
        take: &mut dyn FnMut(T) -> Result<()>,
    ) -> Result<()> {
        let caps = match (self.standardized, dates.first()) {
            (true, Some(&first)) => Some(home.market_caps(&self.reference.name, first)?),
            _ => None,
        };
        // A batch of dates a time, the next read while the last is taken; the caps, read in date
        // order, by the one thread that starts the batches.
        let caps = std::sync::Mutex::new(caps);
        let chunks: Vec<&[i32]> = dates.chunks(DATES_PER_BATCH).collect();
        in_batches(
            &chunks,
            1,
            |chunk| {
                let day_caps: Vec<Vec<(u32, f64)>> = match caps.lock().expect("not poisoned").as_mut() {
                    Some(c) => chunk.iter().map(|&d| c.day(d)).collect::<Result<_>>()?,
                    None => vec![Vec::new(); chunk.len()],
                };
                chunk
                    .par_iter()
                    .zip(day_caps)
                    .map(|(&date, caps)| Ok(work(self.shape_as(&self.reader.day(date, &self.numeric)?, Scaling::Caps(&caps), categorical))))
                    .collect::<Result<Vec<T>>>()
            },
            |shaped| shaped.into_iter().try_for_each(&mut *take),
        )
    }

    /// One date's output with each output row's reference asset; industries and regions as
    /// 0/1 columns per chosen category, or as one column of labels each.
    pub(crate) fn shape_as(&self, built: &Built, scaling: Scaling<'_>, categorical: Categorical) -> Shaped {
        let layout = &built.layout;
        let q = &self.query;
        let asset_ref = self.reference_indexes(built.asset.dict.values());
        let id_of = |r: usize| -> Option<&str> {
            match &self.alt {
                None => Some(built.asset.get(r)),
                Some(alt) => asset_ref[built.asset.codes[r] as usize].and_then(|a| alt[a as usize].as_deref()),
            }
        };
        let mut rows: Vec<u32> = (0..built.len())
            .filter(|&r| {
                id_of(r).is_some()
                    && (!q.industries.restricts() || member(&built.industry, r, &self.industries))
                    && (!q.regions.restricts() || member(&built.region, r, &self.regions))
            })
            .map(|r| r as u32)
            .collect();
        if self.alt.is_some() {
            rows.sort_by(|&a, &b| id_of(a as usize).cmp(&id_of(b as usize)));
        }
        let refs: Vec<Option<u32>> = rows.iter().map(|&r| asset_ref[built.asset.codes[r as usize] as usize]).collect();
        // Styles are standardized over every row of the date, whichever rows are output.
        let mut scales = vec![None; self.numeric.len()];
        if self.standardized && !rows.is_empty() {
            let styles = (0..self.numeric.len()).filter(|&i| layout.numeric[self.numeric[i]].role == Role::Style);
            match scaling {
                Scaling::Caps(caps) => {
                    let weights = self.cap_weights(caps, &refs);
                    // Every row in stored order: the stored column as it is.
                    let all_rows = self.alt.is_none() && rows.len() == built.len();
                    let mut column = Vec::new();
                    for i in styles {
                        let values = &built.values[self.numeric[i]];
                        let values = if all_rows {
                            values.as_slice()
                        } else {
                            column.clear();
                            column.extend(rows.iter().map(|&r| values[r as usize]));
                            column.as_slice()
                        };
                        scales[i] = scale_of(values, weights.as_deref());
                    }
                }
                Scaling::Known(known) => styles.for_each(|i| scales[i] = known[i]),
            }
        }
        let (rows, refs) = match &self.keep {
            Some(keep) => rows.iter().zip(&refs).filter(|(_, a)| a.is_some_and(|a| keep[a as usize])).map(|(&r, &a)| (r, a)).unzip(),
            None => (rows, refs),
        };
        let mut columns: Vec<Vec<f32>> =
            self.numeric.iter().map(|&c| rows.iter().map(|&r| built.values[c][r as usize]).collect()).collect();
        for (column, scale) in columns.iter_mut().zip(&scales) {
            if let Some(scale) = scale {
                rescale(column, *scale);
            }
        }
        let mut table = Table::default()
            .with("date", Values::Date(rows.iter().map(|&r| built.date[r as usize]).collect()))
            .with(&self.id_type, Values::Text(rows.iter().map(|&r| id_of(r as usize).unwrap_or_default().to_owned()).collect()));
        for (i, &c) in self.numeric.iter().enumerate() {
            table = table.with(&layout.numeric[c].label(), Values::F32(std::mem::take(&mut columns[i])));
        }
        match categorical {
            Categorical::Indicators => {
                categorical_columns(&mut table, Role::Industry, &layout.industry, &built.industry, &self.industries, &rows);
                categorical_columns(&mut table, Role::Region, &layout.region, &built.region, &self.regions, &rows);
            }
            Categorical::Labels => {
                for (role, cats, codes) in
                    [(Role::Industry, &layout.industry, &built.industry), (Role::Region, &layout.region, &built.region)]
                {
                    if let Some(c) = cats {
                        // Labels are the factors, then "" for no category.
                        let mut labels = c.factors.clone();
                        labels.push(String::new());
                        let none = c.factors.len() as u32;
                        let codes =
                            rows.iter().map(|&r| if codes[r as usize] == NONE { none } else { u32::from(codes[r as usize]) }).collect();
                        table = table.with(role.name(), Values::Dict(StrColumn { codes, dict: Dict::from_values(labels) }));
                    }
                }
            }
        }
        Shaped { table, refs, scales }
    }

    /// The layout of the risk dataset.
    pub(crate) fn layout(&self) -> &Layout {
        self.reader.layout()
    }

    /// The ids of the reference's assets.
    pub fn reference(&self) -> &ReferenceIds {
        &self.reference
    }

    /// The id type of the id column.
    pub(crate) fn id_type(&self) -> &str {
        &self.id_type
    }

    /// The stored rows of one date.
    pub(super) fn stored_day(&self, date: i32) -> Result<Built> {
        self.reader.day(date, &self.numeric)
    }
}

/// How [`Query::shape_as`] standardizes styles.
#[derive(Clone, Copy)]
pub(crate) enum Scaling<'a> {
    /// From that date's market caps (asset, cap).
    Caps(&'a [(u32, f64)]),
    /// By the scales a shaping of the same date and query found before (see [`Shaped::scales`]).
    Known(&'a [Option<(f64, f64)>]),
}

/// How [`Query::shape_as`] shows industries and regions.
#[derive(Clone, Copy)]
pub(crate) enum Categorical {
    /// A 0/1 column per chosen category (the export's columns).
    Indicators,
    /// One column each (`industry`, `region`) holding the category's name ("" for none).
    Labels,
}

/// One date's output and each row's reference asset.
pub(crate) struct Shaped {
    pub table: Table,
    pub refs: Vec<Option<u32>>,
    /// Per numeric column, how it was standardized (see [`scale_of`]).
    pub scales: Vec<Option<(f64, f64)>>,
}

/// What standardizing present values shifts by and divides by, to weighted mean 0 (equal weights
/// when `weights` is `None`) and equal-weighted sample standard deviation 1 (`None` when no value
/// is present): the weighted mean and the sample standard deviation (0 when undefined: values are
/// then only shifted).
pub(crate) fn scale_of(values: &[f32], weights: Option<&[f64]>) -> Option<(f64, f64)> {
    let present = || values.iter().filter(|v| !v.is_nan()).map(|&v| f64::from(v));
    let count = present().count();
    if count == 0 {
        return None;
    }
    let (mut wsum, mut wx) = (0.0f64, 0.0f64);
    match weights {
        Some(weights) => {
            for (&v, &w) in values.iter().zip(weights).filter(|(v, _)| !v.is_nan()) {
                wsum += w;
                wx += w * f64::from(v);
            }
        }
        None => {
            for x in present() {
                wsum += 1.0;
                wx += x;
            }
        }
    }
    let n = count as f64;
    let mean = present().sum::<f64>() / n;
    let mean_w = if wsum > 0.0 { wx / wsum } else { mean };
    let std = if count > 1 { (present().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
    Some((mean_w, std))
}

/// Shifts and scales the present values by a [`scale_of`].
pub(crate) fn rescale(values: &mut [f32], (mean_w, std): (f64, f64)) {
    for v in values.iter_mut().filter(|v| !v.is_nan()) {
        let x = f64::from(*v) - mean_w;
        *v = if std > 0.0 { (x / std) as f32 } else { x as f32 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardizes_to_weighted_mean_zero_and_unit_std() {
        let mut v = [1.0f32, 2.0, 3.0, 6.0, f32::NAN];
        let w = [3.0, 1.0, 0.0, 0.0, 5.0];
        let scale = scale_of(&v, Some(&w)).expect("values are present");
        rescale(&mut v, scale);
        // weighted mean (3·1 + 1·2)/4 = 1.25; sample std of 1,2,3,6 = sqrt(14/3)
        let s = (14.0f64 / 3.0).sqrt();
        assert_eq!(v[0], ((1.0 - 1.25) / s) as f32);
        assert_eq!(v[3], ((6.0 - 1.25) / s) as f32);
        assert!(v[4].is_nan());
        let cap_mean: f64 = v[..4].iter().zip(&w).map(|(x, w)| f64::from(*x) * w).sum::<f64>() / 4.0;
        assert!(cap_mean.abs() < 1e-6);
    }

    #[test]
    fn selections_resolve_names_labels_and_exclusions() {
        let f = vec!["Energy".to_owned(), "Financials".to_owned(), "Utilities".to_owned()];
        let items = |xs: &[&str]| Selection::from_items(&xs.iter().map(|x| x.to_string()).collect::<Vec<_>>(), Selection::None);
        assert_eq!(items(&[]).resolve("industry", "ind", &f).unwrap(), None);
        assert_eq!(items(&["none"]).resolve("industry", "ind", &f).unwrap(), None);
        assert_eq!(items(&["all"]).resolve("industry", "ind", &f).unwrap(), Some(vec![0, 1, 2]));
        assert_eq!(items(&["ind.Utilities", "Energy"]).resolve("industry", "ind", &f).unwrap(), Some(vec![0, 2]));
        assert_eq!(items(&["~Financials"]).resolve("industry", "ind", &f).unwrap(), Some(vec![0, 2]));
        let err = items(&["Tech"]).resolve("industry", "ind", &f).unwrap_err().to_string();
        assert!(err.contains("industry 'Tech' does not exist") && err.contains("ind.Energy"), "{err}");
    }

    #[test]
    fn a_name_with_commas_is_one_item() {
        let f = vec!["Banks".to_owned(), "Institutions, Associations & Organizations".to_owned()];
        let only = Selection::from_items(&["Institutions, Associations & Organizations".to_owned()], Selection::None);
        assert_eq!(only.resolve("industry", "ind", &f).unwrap(), Some(vec![1]));
        let json = serde_json::to_string(&only).unwrap();
        assert_eq!(json, r#"{"only":["Institutions, Associations & Organizations"]}"#);
        assert_eq!(serde_json::from_str::<Selection>(&json).unwrap(), only);
    }
}
