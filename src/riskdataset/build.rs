//! Building a risk dataset from settings: roles, id mapping, coverage universe, date trimming,
//! categorical checks, huberizing and filling of style factors.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::settings::{ExposureSource, RiskDatasetSettings, Role, TrimAssets, TrimDate, UploadedExposures};
use super::store;
use crate::frame::{Dict, Exposures, StrColumn};
use crate::progress::Progress;
use crate::reference::Reference;
use crate::store::parts;
use crate::{Error, Home, Result};

/// Marks "no industry / region" in a categorical column.
pub const NONE: u16 = u16::MAX;

/// A numeric factor column of a built dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct FactorColumn {
    pub role: Role,
    pub group: String,
    pub factor: String,
}

impl FactorColumn {
    /// `<role>.<group>.<factor>`, the column name in exposure frames.
    pub fn label(&self) -> String {
        format!("{}.{}.{}", self.role.name(), self.group, self.factor)
    }
}

/// A categorical role (industry or region): its group and factors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Categories {
    pub group: String,
    pub factors: Vec<String>,
}

/// The columns of a built dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Layout {
    /// Market, style and other factors, in that order.
    pub numeric: Vec<FactorColumn>,
    pub industry: Option<Categories>,
    pub region: Option<Categories>,
}

/// A built risk dataset: one row per (date, asset), sorted by date then asset id.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub layout: Layout,
    pub date: Vec<i32>,
    /// Primary ids of the reference.
    pub asset: StrColumn,
    /// One vector per numeric column; NaN where there is no value.
    pub values: Vec<Vec<f32>>,
    /// Index into `layout.industry.factors`, or [`NONE`].
    pub industry: Vec<u16>,
    pub region: Vec<u16>,
}

impl Built {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.date.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.date.is_empty()
    }

    /// The rows in `rows`, as a dataset of their own (values of unread columns stay empty).
    pub fn slice(&self, rows: std::ops::Range<usize>) -> Built {
        let part = |v: &[u16]| if v.is_empty() { Vec::new() } else { v[rows.clone()].to_vec() };
        Built {
            layout: self.layout.clone(),
            date: self.date[rows.clone()].to_vec(),
            asset: StrColumn { codes: self.asset.codes[rows.clone()].to_vec(), dict: self.asset.dict.clone() },
            values: self.values.iter().map(|v| if v.is_empty() { Vec::new() } else { v[rows.clone()].to_vec() }).collect(),
            industry: part(&self.industry),
            region: part(&self.region),
        }
    }

    /// Appends `other`'s rows (same layout and columns read).
    pub fn append(&mut self, other: &Built) {
        self.date.extend_from_slice(&other.date);
        self.asset.append(&other.asset);
        self.values.iter_mut().zip(&other.values).for_each(|(a, b)| a.extend_from_slice(b));
        self.industry.extend_from_slice(&other.industry);
        self.region.extend_from_slice(&other.region);
    }
}

/// The exposure dataset version a risk dataset was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SourceVersion {
    pub dataset: String,
    pub version: u32,
}

/// What creation did, stored with the dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct CreationReport {
    pub rows: u64,
    pub dates: u32,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Distinct assets with exposures in the dataset.
    pub assets: u32,
    /// Reference assets in the coverage universe (after exchange_codes and trim_assets).
    pub coverage_assets: u32,
    /// The sorted distinct exchanges (MICs) of the coverage universe.
    pub exchanges: Vec<String>,
    /// Distinct uploaded ids that match no reference asset, with a sample.
    pub unmatched_ids: u64,
    pub unmatched_sample: Vec<String>,
    /// Matched assets left out because they are outside the coverage universe.
    pub outside_universe_assets: u32,
    /// Uploaded rows left out because their date is outside the trimmed range.
    pub rows_outside_dates: u64,
    /// Style values clipped by huberizing, per column label.
    pub clipped: BTreeMap<String, u64>,
    /// Style values filled, per column label.
    pub filled: BTreeMap<String, u64>,
    pub sources: Vec<SourceVersion>,
    pub reference_dataset: String,
    /// When the reference dataset used was created (to see when it is replaced).
    pub reference_created: String,
    /// What a user should know before trusting the dataset: a style without any value on a
    /// date, a small share of the coverage universe with exposures.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// Dates assembled together (in parallel) before their rows are written: bounds the memory a
/// build holds, whatever the length of history. The result does not depend on it.
pub const DATES_PER_BATCH: usize = 8;

struct Source<'a> {
    settings: &'a UploadedExposures,
    version: u32,
    /// The committed files of the version: one per date, by date.
    parts: Vec<(i32, PathBuf)>,
}

/// Up to `n` items, then how many more.
fn list_some(items: &[String], n: usize) -> String {
    if items.len() <= n { items.join(", ") } else { format!("{} and {} more dates", items[..n].join(", "), items.len() - n) }
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items.into_iter().map(|s| s.as_ref().to_owned()).collect::<Vec<_>>().join(", ")
}

/// Runs `work` on `items` in parallel, `batch` at a time, handing each result to `take` in order:
/// at most `batch` results are held at once.
pub(super) fn in_batches<I: Sync, T: Send>(
    items: &[I],
    batch: usize,
    work: impl Fn(&I) -> Result<T> + Sync,
    mut take: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    for chunk in items.chunks(batch.max(1)) {
        let results: Vec<Result<T>> = chunk.par_iter().map(&work).collect();
        for r in results {
            take(r?)?;
        }
    }
    Ok(())
}

/// Checks each uploaded source at its pinned version (or the latest) and lists its files.
fn load_sources<'a>(home: &Home, settings: &'a RiskDatasetSettings, pinned: &HashMap<String, u32>) -> Result<Vec<Source<'a>>> {
    let mut out = Vec::new();
    for source in &settings.exposures {
        let u = match source {
            ExposureSource::Uploaded(u) => u,
            ExposureSource::Referenced { .. } => {
                return Err(Error::invalid(format!(
                    "reference dataset '{}' holds no exposures to reference; use exposure_type \"uploaded\"",
                    settings.reference_dataset
                )));
            }
        };
        let up = home.uploader(&u.exposure_source).map_err(|_| {
            let known = home.datasets().map(|d| list(d.iter().map(|x| x.name.clone()))).unwrap_or_default();
            Error::invalid(format!("exposure dataset '{}' does not exist (exposure datasets: {known})", u.exposure_source))
        })?;
        let version = up.resolve_version(pinned.get(&u.exposure_source).copied())?;
        if version == 0 {
            return Err(Error::invalid(format!("exposure dataset '{}' has no committed data; commit first", u.exposure_source)));
        }
        let groups = up.factor_groups(Some(version))?;
        for (role, group) in u.roles() {
            if !groups.iter().any(|g| g == group) {
                return Err(Error::invalid(format!(
                    "{}_factor_group '{group}' is not a factor group of '{}' (version {version}); its factor groups are: {}",
                    role.name(),
                    u.exposure_source,
                    list(&groups)
                )));
            }
        }
        out.push(Source { settings: u, version, parts: up.part_files(Some(version))? });
    }
    Ok(out)
}

/// The (start, end) dates kept, from the rules and the sources' own ranges.
fn date_range(settings: &RiskDatasetSettings, sources: &[Source<'_>]) -> Result<(i32, i32)> {
    let ranges: Vec<(i32, i32)> =
        sources.iter().map(|s| (s.parts.first().map_or(i32::MAX, |p| p.0), s.parts.last().map_or(i32::MIN, |p| p.0))).collect();
    let start = match settings.trim_start_date {
        TrimDate::None => i32::MIN,
        TrimDate::EarliestStart => ranges.iter().map(|r| r.0).min().unwrap(),
        TrimDate::LatestStart => ranges.iter().map(|r| r.0).max().unwrap(),
        TrimDate::Date(d) => d,
        _ => unreachable!("checked by settings"),
    };
    let end = match settings.trim_end_date {
        TrimDate::None => i32::MAX,
        TrimDate::EarliestEnd => ranges.iter().map(|r| r.1).min().unwrap(),
        TrimDate::LatestEnd => ranges.iter().map(|r| r.1).max().unwrap(),
        TrimDate::Date(d) => d,
        _ => unreachable!("checked by settings"),
    };
    if start > end {
        return Err(Error::invalid(format!(
            "the trimmed date range is empty: it starts {} and ends {}",
            crate::date::format(start),
            crate::date::format(end)
        )));
    }
    Ok((start, end))
}

/// The reference's assets by id, per id type.
struct Ids<'r> {
    reference: &'r Reference,
    by_type: HashMap<&'r str, FxHashMap<&'r str, u32>>,
}

impl<'r> Ids<'r> {
    fn new(reference: &'r Reference) -> Ids<'r> {
        let assets = &reference.assets;
        let mut by_type: HashMap<&str, FxHashMap<&str, u32>> = HashMap::new();
        by_type.insert(reference.id_type.as_str(), assets.asset_id.iter().enumerate().map(|(i, a)| (a.as_str(), i as u32)).collect());
        for (id_type, values) in &assets.alt_ids {
            let map = values.iter().enumerate().filter_map(|(i, v)| v.as_deref().map(|v| (v, i as u32))).collect();
            by_type.insert(id_type.as_str(), map);
        }
        Ids { reference, by_type }
    }

    /// Each row's reference asset (`None`: unmatched), and the distinct unmatched `type:id`s.
    fn map(&self, frame: &Exposures) -> Result<(Vec<Option<u32>>, Vec<String>)> {
        // Resolved per (type code, asset code) once; codes are small and dense, so the cache is a
        // table (a hash map per row took a quarter of a build).
        const UNKNOWN: u32 = u32::MAX;
        const NONE: u32 = u32::MAX - 1;
        let assets = frame.asset_id.dict.len();
        let mut cache: Vec<Vec<u32>> = vec![Vec::new(); frame.asset_id_type.dict.len()];
        let mut unmatched = Vec::new();
        let mut out = Vec::with_capacity(frame.len());
        for r in 0..frame.len() {
            let (t, a) = (frame.asset_id_type.codes[r] as usize, frame.asset_id.codes[r] as usize);
            if cache[t].is_empty() {
                cache[t] = vec![UNKNOWN; assets];
            }
            let found = match cache[t][a] {
                NONE => None,
                UNKNOWN => {
                    let id_type = frame.asset_id_type.get(r);
                    let Some(map) = self.by_type.get(id_type) else {
                        let reference = self.reference;
                        return Err(Error::invalid(format!(
                            "asset_id_type '{id_type}' is not an id of reference dataset '{}' (its ids: {})",
                            reference.name,
                            list(std::iter::once(reference.id_type.clone()).chain(reference.assets.alt_ids.iter().map(|a| a.0.clone())))
                        )));
                    };
                    let f = map.get(frame.asset_id.get(r)).copied();
                    if f.is_none() {
                        unmatched.push(format!("{id_type}:{}", frame.asset_id.get(r)));
                    }
                    cache[t][a] = f.unwrap_or(NONE);
                    f
                }
                found => Some(found),
            };
            out.push(found);
        }
        Ok((out, unmatched))
    }
}

/// What the first pass learns from one committed file.
struct PartScan {
    date: i32,
    matched: Vec<u32>,
    unmatched: Vec<String>,
    mapped_rows: u64,
    /// (group, factor) pairs present.
    factors: Vec<(String, String)>,
}

fn read_part(path: &Path, date: i32) -> Result<Exposures> {
    let frame = parts::read(path)?;
    if frame.date.iter().any(|&d| d != date) {
        return Err(Error::Storage(format!("{}: holds rows of another date than {}", path.display(), crate::date::format(date))));
    }
    Ok(frame)
}

fn scan_part(ids: &Ids<'_>, date: i32, path: &Path) -> Result<PartScan> {
    let frame = read_part(path, date)?;
    let (mapped, unmatched) = ids.map(&frame)?;
    // Sets as tables over the (small, dense) codes.
    let mut seen = vec![false; ids.reference.assets.asset_id.len()];
    mapped.iter().flatten().for_each(|&a| seen[a as usize] = true);
    let factors = frame.factor.dict.len();
    let mut pairs = vec![false; frame.factor_group.dict.len() * factors];
    (0..frame.len()).for_each(|r| pairs[frame.factor_group.codes[r] as usize * factors + frame.factor.codes[r] as usize] = true);
    Ok(PartScan {
        date,
        matched: (0..seen.len() as u32).filter(|&a| seen[a as usize]).collect(),
        unmatched,
        mapped_rows: mapped.iter().filter(|m| m.is_some()).count() as u64,
        factors: (0..pairs.len())
            .filter(|&i| pairs[i])
            .map(|i| (frame.factor_group.dict.get((i / factors) as u32).to_owned(), frame.factor.dict.get((i % factors) as u32).to_owned()))
            .collect(),
    })
}

/// The coverage universe: a mask over reference assets.
fn coverage(settings: &RiskDatasetSettings, reference: &Reference, matched: &[bool]) -> Result<Vec<bool>> {
    let assets = &reference.assets;
    let mut keep = vec![true; assets.asset_id.len()];
    if let Some(codes) = &settings.exchange_codes {
        let known: HashSet<&str> = assets.exchange.iter().map(String::as_str).collect();
        let unknown: Vec<&String> = codes.iter().filter(|c| !known.contains(c.as_str())).collect();
        if !unknown.is_empty() {
            let mut all: Vec<&str> = known.into_iter().collect();
            all.sort_unstable();
            return Err(Error::invalid(format!(
                "exchange_codes {} are not exchanges of reference dataset '{}' (its exchanges: {})",
                list(&unknown),
                reference.name,
                list(all)
            )));
        }
        let codes: HashSet<&str> = codes.iter().map(String::as_str).collect();
        keep.iter_mut().enumerate().for_each(|(i, k)| *k &= codes.contains(assets.exchange[i].as_str()));
    }
    match settings.trim_assets {
        TrimAssets::None => {}
        TrimAssets::AssetUnion => keep.iter_mut().zip(matched).for_each(|(k, m)| *k &= *m),
        TrimAssets::CcyUnion => {
            let currencies: HashSet<&str> = (0..matched.len()).filter(|&i| matched[i]).map(|i| assets.currency[i].as_str()).collect();
            keep.iter_mut().enumerate().for_each(|(i, k)| *k &= currencies.contains(assets.currency[i].as_str()));
        }
    }
    Ok(keep)
}

/// Where each (source, group, factor) goes: a numeric column, or a categorical slot.
struct Plan<'r> {
    ids: Ids<'r>,
    universe: Vec<bool>,
    layout: Layout,
    /// (source, group, factor) → numeric column.
    numeric: HashMap<(usize, String, String), usize>,
    /// (huberize, fill) per numeric column.
    flags: Vec<(bool, bool)>,
    /// Per categorical slot (industry, region).
    categorical: [Option<Slot>; 2],
}

/// Where a categorical role comes from: its source and group, and each factor's category.
struct Slot {
    source: usize,
    group: String,
    codes: HashMap<String, u16>,
}

/// Up to 20 messages and how many there were.
#[derive(Default)]
struct Sample {
    messages: Vec<String>,
    count: u64,
}

impl Sample {
    fn push(&mut self, message: impl FnOnce() -> String) {
        self.count += 1;
        if self.messages.len() < 20 {
            self.messages.push(message());
        }
    }

    fn extend(&mut self, other: Sample) {
        self.count += other.count;
        let room = 20usize.saturating_sub(self.messages.len());
        self.messages.extend(other.messages.into_iter().take(room));
    }
}

/// One date assembled: its rows and what the report needs of it.
struct Day {
    built: Built,
    /// The reference assets of its rows.
    assets: Vec<u32>,
    /// Per source: categorical values that are not 0/1 or a second category.
    offenders: Vec<Sample>,
    /// Per categorical slot: rows without a category.
    missing: [Sample; 2],
    /// Per source: two uploaded ids mapped to one asset.
    duplicates: Vec<Sample>,
    /// Style columns without any value that date.
    empty_styles: Vec<usize>,
    clipped: Vec<u64>,
    filled: Vec<u64>,
}

/// The rows of one date: one per reference asset with any exposure in the universe, sorted by
/// primary id; styles huberized and filled.
fn assemble_day(plan: &Plan<'_>, date: i32, parts: &[(usize, &Path)], sources: usize) -> Result<Day> {
    let reference = plan.ids.reference;
    let layout = &plan.layout;
    let mut row_of: Vec<u32> = vec![u32::MAX; reference.assets.asset_id.len()];
    let mut keys: Vec<u32> = Vec::new();
    let mut values: Vec<Vec<f32>> = vec![Vec::new(); layout.numeric.len()];
    let mut cats: [Vec<u16>; 2] = [Vec::new(), Vec::new()];
    let mut offenders: Vec<Sample> = (0..sources).map(|_| Sample::default()).collect();
    let mut duplicates: Vec<Sample> = (0..sources).map(|_| Sample::default()).collect();
    for &(si, path) in parts {
        let f = read_part(path, date)?;
        let (mapped, _) = plan.ids.map(&f)?;
        // Per (group code, factor code) of this file: its numeric column or categorical slot (a
        // table: the codes are small and dense).
        let factors = f.factor.dict.len();
        let mut targets: Vec<Option<(Option<usize>, Option<usize>)>> = vec![None; f.factor_group.dict.len() * factors];
        for r in 0..f.len() {
            let Some(asset) = mapped[r] else { continue };
            if !plan.universe[asset as usize] {
                continue;
            }
            let (g, fc) = (f.factor_group.codes[r], f.factor.codes[r]);
            let (numeric, cat_slot) = *targets[g as usize * factors + fc as usize].get_or_insert_with(|| {
                let (group, factor) = (f.factor_group.dict.get(g), f.factor.dict.get(fc));
                let numeric = plan.numeric.get(&(si, group.to_owned(), factor.to_owned())).copied();
                let slot = (0..2).find(|&k| plan.categorical[k].as_ref().is_some_and(|c| c.source == si && c.group == group));
                (numeric, slot)
            });
            if numeric.is_none() && cat_slot.is_none() {
                continue; // an unmapped group
            }
            let row = match row_of[asset as usize] {
                u32::MAX => {
                    row_of[asset as usize] = keys.len() as u32;
                    keys.push(asset);
                    values.iter_mut().for_each(|v| v.push(f32::NAN));
                    cats.iter_mut().for_each(|c| c.push(NONE));
                    keys.len() - 1
                }
                row => row as usize,
            };
            let v = f.exposure[r];
            if let Some(col) = numeric {
                if !values[col][row].is_nan() {
                    duplicates[si].push(|| {
                        format!(
                            "{} on {}: two uploaded ids map to reference asset {}",
                            layout.numeric[col].label(),
                            crate::date::format(date),
                            reference.assets.asset_id[asset as usize]
                        )
                    });
                }
                values[col][row] = v;
            } else if let Some(k) = cat_slot {
                let codes = &plan.categorical[k].as_ref().unwrap().codes;
                let what = if k == 0 { "industry" } else { "region" };
                if v == 0.0 {
                    continue;
                }
                if v != 1.0 {
                    offenders[si].push(|| {
                        format!("{} {}: {what} {} has exposure {v}, not 1", crate::date::format(date), f.asset_id.get(r), f.factor.get(r))
                    });
                } else if cats[k][row] != NONE {
                    offenders[si].push(|| {
                        format!("{} {}: more than one {what} (also {})", crate::date::format(date), f.asset_id.get(r), f.factor.get(r))
                    });
                } else {
                    cats[k][row] = codes[f.factor.get(r)];
                }
            }
        }
    }
    let mut missing = [Sample::default(), Sample::default()];
    for (k, what) in [(0, "industry"), (1, "region")] {
        if plan.categorical[k].is_some() {
            for (row, &asset) in keys.iter().enumerate() {
                if cats[k][row] == NONE {
                    missing[k].push(|| format!("{} {}: no {what}", crate::date::format(date), reference.assets.asset_id[asset as usize]));
                }
            }
        }
    }

    // Sort rows by primary id (reference assets are sorted by id).
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_unstable_by_key(|&r| keys[r as usize]);
    let mut built = Built {
        date: vec![date; keys.len()],
        asset: StrColumn {
            codes: (0..keys.len() as u32).collect(),
            dict: Dict::from_values(order.iter().map(|&r| reference.assets.asset_id[keys[r as usize] as usize].clone()).collect()),
        },
        values: values.iter().map(|v| order.iter().map(|&r| v[r as usize]).collect()).collect(),
        industry: if layout.industry.is_some() { order.iter().map(|&r| cats[0][r as usize]).collect() } else { Vec::new() },
        region: if layout.region.is_some() { order.iter().map(|&r| cats[1][r as usize]).collect() } else { Vec::new() },
        layout: layout.clone(),
    };
    let mut empty_styles = Vec::new();
    let (mut clipped, mut filled) = (vec![0; layout.numeric.len()], vec![0; layout.numeric.len()]);
    if !keys.is_empty() {
        for (col, &(huberize, fill)) in plan.flags.iter().enumerate() {
            if layout.numeric[col].role == Role::Style && built.values[col].iter().all(|v| v.is_nan()) {
                empty_styles.push(col);
            }
            if huberize {
                clipped[col] = huberize_day(&mut built.values[col]);
            }
            if fill {
                filled[col] = fill_day(&mut built.values[col], &built.industry);
            }
        }
    }
    let assets = order.iter().map(|&r| keys[r as usize]).collect();
    Ok(Day { built, assets, offenders, missing, duplicates, empty_styles, clipped, filled })
}

/// Builds a risk dataset from settings into a new file at `out`, date by date (see
/// [`DATES_PER_BATCH`]): memory stays flat whatever the length of history. Two passes over the
/// committed files: the first maps ids and gathers the factors (which fix the coverage universe
/// and the columns), the second assembles, huberizes, fills and writes each date. `pinned` fixes
/// source versions (for rebuilding as created). On any error no file is left at `out`.
pub fn build(
    home: &Home,
    settings: &RiskDatasetSettings,
    pinned: &HashMap<String, u32>,
    progress: &Progress<'_>,
    out: &Path,
    dates_per_batch: usize,
) -> Result<(Layout, CreationReport)> {
    settings.check()?;
    let reference = home.reference_assets(&settings.reference_dataset).map_err(|e| match e {
        Error::NotFound { .. } => {
            let known = home.references().map(|r| list(r.iter().map(|x| x.name.clone()))).unwrap_or_default();
            Error::invalid(format!("reference dataset '{}' does not exist (reference datasets: {known})", settings.reference_dataset))
        }
        other => other,
    })?;
    let sources = load_sources(home, settings, pinned)?;
    let mut report = CreationReport {
        sources: sources.iter().map(|s| SourceVersion { dataset: s.settings.exposure_source.clone(), version: s.version }).collect(),
        reference_dataset: reference.name.clone(),
        reference_created: reference.created.clone(),
        ..Default::default()
    };
    let roles_taken: Vec<Role> = sources.iter().flat_map(|s| s.settings.roles().into_iter().map(|(r, _)| r)).collect();
    for role in [Role::Industry, Role::Region] {
        if roles_taken.iter().filter(|r| **r == role).count() > 1 {
            return Err(Error::invalid(format!("only one {}_factor_group may be given across all exposure sources", role.name())));
        }
    }
    let (start, end) = date_range(settings, &sources)?;
    let dates: Vec<i32> = {
        let mut d: Vec<i32> = sources.iter().flat_map(|s| s.parts.iter().map(|p| p.0)).filter(|d| (start..=end).contains(d)).collect();
        d.sort_unstable();
        d.dedup();
        d
    };
    let files: usize = sources.iter().map(|s| s.parts.len()).sum();
    let steps = (files + dates.len() + 1) as u64;

    // First pass: ids and factors of every committed file.
    let ids = Ids::new(&reference);
    let mut matched = vec![false; reference.assets.asset_id.len()];
    let mut unmatched: HashSet<String> = HashSet::new();
    let mut factors: Vec<HashMap<String, BTreeSet<String>>> = vec![HashMap::new(); sources.len()];
    let mut done = 0u64;
    for (si, s) in sources.iter().enumerate() {
        in_batches(
            &s.parts,
            dates_per_batch,
            |(date, path)| scan_part(&ids, *date, path),
            |scan| {
                scan.matched.iter().for_each(|&a| matched[a as usize] = true);
                for u in scan.unmatched {
                    if unmatched.insert(u) {
                        report.unmatched_ids += 1;
                    }
                }
                if !(start..=end).contains(&scan.date) {
                    report.rows_outside_dates += scan.mapped_rows;
                }
                for (g, f) in scan.factors {
                    factors[si].entry(g).or_default().insert(f);
                }
                done += 1;
                progress.report("create", done, steps, format!("mapping ids: {}", crate::date::format(scan.date)));
                progress.check()
            },
        )?;
    }
    let mut sample: Vec<String> = unmatched.into_iter().collect();
    sample.sort();
    sample.truncate(10);
    report.unmatched_sample = sample;
    let universe = coverage(settings, &reference, &matched)?;
    report.coverage_assets = universe.iter().filter(|k| **k).count() as u32;
    let mut exchanges: Vec<String> = (0..universe.len()).filter(|&i| universe[i]).map(|i| reference.assets.exchange[i].clone()).collect();
    exchanges.sort();
    exchanges.dedup();
    report.exchanges = exchanges;
    report.outside_universe_assets = (0..matched.len()).filter(|&i| matched[i] && !universe[i]).count() as u32;

    // Columns: numeric factors in role order (market, style, other), then the categoricals.
    let mut plan = Plan { ids, universe, layout: Layout::default(), numeric: HashMap::new(), flags: Vec::new(), categorical: [None, None] };
    let factors_of =
        |si: usize, group: &str| -> Vec<String> { factors[si].get(group).map(|f| f.iter().cloned().collect()).unwrap_or_default() };
    for role in [Role::Market, Role::Style, Role::Other] {
        for (si, s) in sources.iter().enumerate() {
            let Some(&(_, group)) = s.settings.roles().iter().find(|(r, _)| *r == role) else { continue };
            for factor in factors_of(si, group) {
                let column = FactorColumn { role, group: group.to_owned(), factor: factor.clone() };
                if plan.layout.numeric.iter().any(|c| c.label() == column.label()) {
                    return Err(Error::invalid(format!("column {} comes from two exposure sources", column.label())));
                }
                plan.numeric.insert((si, group.to_owned(), factor), plan.layout.numeric.len());
                let is_style = role == Role::Style;
                plan.flags.push((is_style && s.settings.style_factor_huberize, is_style && s.settings.style_factor_fill_miss));
                plan.layout.numeric.push(column);
            }
        }
    }
    for (slot, role) in [Role::Industry, Role::Region].into_iter().enumerate() {
        for (si, s) in sources.iter().enumerate() {
            let Some(&(_, group)) = s.settings.roles().iter().find(|(r, _)| *r == role) else { continue };
            let factors = factors_of(si, group);
            let codes = factors.iter().enumerate().map(|(i, f)| (f.clone(), i as u16)).collect();
            let cats = Some(Categories { group: group.to_owned(), factors });
            if role == Role::Industry {
                plan.layout.industry = cats
            } else {
                plan.layout.region = cats
            }
            plan.categorical[slot] = Some(Slot { source: si, group: group.to_owned(), codes });
        }
    }

    // Second pass: assemble each date and write it.
    let by_date: Vec<HashMap<i32, &Path>> = sources.iter().map(|s| s.parts.iter().map(|(d, p)| (*d, p.as_path())).collect()).collect();
    let mut writer = store::Writer::create(out, &plan.layout)?;
    let mut offenders: Vec<Sample> = (0..sources.len()).map(|_| Sample::default()).collect();
    let mut missing = [Sample::default(), Sample::default()];
    let mut duplicates: Vec<Sample> = (0..sources.len()).map(|_| Sample::default()).collect();
    let mut empty_styles: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let (mut clipped, mut filled) = (vec![0u64; plan.layout.numeric.len()], vec![0u64; plan.layout.numeric.len()]);
    let mut assets = vec![false; reference.assets.asset_id.len()];
    let mut failed = false;
    in_batches(
        &dates,
        dates_per_batch,
        |&date| {
            let parts: Vec<(usize, &Path)> = (0..sources.len()).filter_map(|si| by_date[si].get(&date).map(|p| (si, *p))).collect();
            assemble_day(&plan, date, &parts, sources.len())
        },
        |day| {
            let date = day.built.date.first().copied();
            failed |= day.offenders.iter().chain(&day.missing).chain(&day.duplicates).any(|s| s.count > 0);
            day.offenders.into_iter().zip(offenders.iter_mut()).for_each(|(d, o)| o.extend(d));
            day.duplicates.into_iter().zip(duplicates.iter_mut()).for_each(|(d, o)| o.extend(d));
            day.missing.into_iter().zip(missing.iter_mut()).for_each(|(d, o)| o.extend(d));
            if let Some(date) = date {
                for col in day.empty_styles {
                    empty_styles.entry(col).or_default().push(crate::date::format(date));
                }
                clipped.iter_mut().zip(&day.clipped).for_each(|(a, b)| *a += b);
                filled.iter_mut().zip(&day.filled).for_each(|(a, b)| *a += b);
                day.assets.iter().for_each(|&a| assets[a as usize] = true);
                report.rows += day.built.len() as u64;
                report.dates += 1;
                report.first_date.get_or_insert_with(|| crate::date::format(date));
                report.last_date = Some(crate::date::format(date));
                if !failed {
                    writer.day(&day.built)?;
                }
            }
            done += 1;
            progress.report("create", done, steps, format!("assembling {}", date.map(crate::date::format).unwrap_or_default()));
            progress.check()
        },
    )?;
    let duplicates: Vec<String> = duplicates.into_iter().flat_map(|s| s.messages).take(20).collect();
    if !duplicates.is_empty() {
        return Err(Error::InvalidInput { message: "several uploaded ids map to the same reference asset".into(), details: duplicates });
    }
    let offender_count: u64 = offenders.iter().chain(&missing).map(|s| s.count).sum();
    if offender_count > 0 {
        let offenders: Vec<String> = offenders.into_iter().chain(missing).flat_map(|s| s.messages).take(20).collect();
        return Err(Error::InvalidInput {
            message: format!(
                "industry and region groups must be categorical (exactly one factor with exposure 1 per asset and date); {} offending (date, asset) pairs{}",
                crate::text::thousands(offender_count),
                crate::text::listed(offenders.len(), offender_count)
            ),
            details: offenders,
        });
    }
    if report.rows == 0 {
        return Err(Error::invalid("no exposures are left after mapping ids, the coverage universe and the date range"));
    }
    for (col, &(_, fill)) in plan.flags.iter().enumerate() {
        let c = &plan.layout.numeric[col];
        if let Some(empty) = empty_styles.get(&col) {
            // Filling takes means of the date's own values: with none, there is nothing to fill from.
            let what = if fill {
                "its values there stay empty (filling has no value that date to start from)"
            } else {
                "its values there are empty"
            };
            report.warnings.push(format!("{} has no uploaded value on {}: {what}", c.label(), list_some(empty, 5)));
        }
    }
    for (col, &(huberize, fill)) in plan.flags.iter().enumerate() {
        let label = plan.layout.numeric[col].label();
        if huberize {
            report.clipped.insert(label.clone(), clipped[col]);
        }
        if fill {
            report.filled.insert(label, filled[col]);
        }
    }
    report.assets = assets.iter().filter(|a| **a).count() as u32;
    if report.coverage_assets > 0 && f64::from(report.assets) < 0.5 * f64::from(report.coverage_assets) {
        report.warnings.push(format!(
            "only {} of the {} assets of the coverage universe have exposures ({:.0}%)",
            crate::text::thousands(u64::from(report.assets)),
            crate::text::thousands(u64::from(report.coverage_assets)),
            100.0 * f64::from(report.assets) / f64::from(report.coverage_assets)
        ));
    }
    progress.report("create", steps, steps, "saving");
    progress.check()?;
    writer.finish()?;
    Ok((plan.layout, report))
}

/// Row ranges of each date (rows are sorted by date).
pub fn day_ranges(dates: &[i32]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=dates.len() {
        if i == dates.len() || dates[i] != dates[start] {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// Clips values beyond median ± 3 × 1.4826 × MAD; returns how many were clipped.
pub fn huberize_day(values: &mut [f32]) -> u64 {
    let mut present: Vec<f32> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if present.is_empty() {
        return 0;
    }
    let median = crate::frame::median(&mut present);
    let mut deviations: Vec<f32> = present.iter().map(|&v| (f64::from(v) - median).abs() as f32).collect();
    let mad = crate::frame::median(&mut deviations);
    let (lo, hi) = (median - 3.0 * 1.4826 * mad, median + 3.0 * 1.4826 * mad);
    let mut clipped = 0;
    for v in values.iter_mut().filter(|v| !v.is_nan()) {
        let x = f64::from(*v);
        if x < lo || x > hi {
            *v = x.clamp(lo, hi) as f32;
            clipped += 1;
        }
    }
    clipped
}

/// Fills missing values with the mean of the asset's industry that day, else the mean of all;
/// returns how many were filled.
pub fn fill_day(values: &mut [f32], industry: &[u16]) -> u64 {
    let mut sums: HashMap<u16, (f64, u64)> = HashMap::new();
    let (mut total, mut count) = (0.0f64, 0u64);
    for (i, &v) in values.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        total += f64::from(v);
        count += 1;
        if let Some(&ind) = industry.get(i).filter(|&&c| c != NONE) {
            let e = sums.entry(ind).or_default();
            e.0 += f64::from(v);
            e.1 += 1;
        }
    }
    if count == 0 {
        return 0;
    }
    let overall = total / count as f64;
    let mut filled = 0;
    for (i, v) in values.iter_mut().enumerate() {
        if v.is_nan() {
            let mean = industry.get(i).and_then(|c| sums.get(c)).map_or(overall, |(s, n)| s / *n as f64);
            *v = mean as f32;
            filled += 1;
        }
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huberize_clips_at_three_scaled_mads() {
        // median 3, |deviations| = 2,1,0,1,97 → MAD 1 → bounds 3 ± 4.4478
        let mut v = [1.0, 2.0, 3.0, 4.0, 100.0, f32::NAN];
        assert_eq!(huberize_day(&mut v), 1);
        assert_eq!(v[..4], [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(v[4], (3.0 + 3.0 * 1.4826) as f32);
        assert!(v[5].is_nan());
    }

    #[test]
    fn fill_uses_industry_means_then_the_overall_mean() {
        let mut v = [1.0, 3.0, f32::NAN, 10.0, f32::NAN, f32::NAN];
        let ind = [0, 0, 0, 1, 2, NONE];
        assert_eq!(fill_day(&mut v, &ind), 3);
        // industry 0 → (1+3)/2; industry 2 has no values → overall (1+3+10)/3; none → overall
        assert_eq!(v[2], 2.0);
        assert_eq!(v[4], (14.0f64 / 3.0) as f32);
        assert_eq!(v[5], (14.0f64 / 3.0) as f32);
    }
}
