//! Building a risk dataset from settings: roles, id mapping, coverage universe, date trimming,
//! categorical checks, huberizing and filling of style factors.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::settings::{ExposureSource, RiskDatasetSettings, Role, TrimAssets, TrimDate, UploadedExposures};
use crate::frame::{Dict, Exposures, StrColumn};
use crate::progress::Progress;
use crate::reference::Reference;
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

struct Source<'a> {
    settings: &'a UploadedExposures,
    version: u32,
    frame: Exposures,
}

/// Up to `n` items, then how many more.
fn list_some(items: &[String], n: usize) -> String {
    if items.len() <= n { items.join(", ") } else { format!("{} and {} more dates", items[..n].join(", "), items.len() - n) }
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items.into_iter().map(|s| s.as_ref().to_owned()).collect::<Vec<_>>().join(", ")
}

/// Loads each uploaded source at its pinned version (or the latest) and checks its roles.
fn load_sources<'a>(
    home: &Home,
    settings: &'a RiskDatasetSettings,
    pinned: &HashMap<String, u32>,
    progress: &Progress<'_>,
) -> Result<Vec<Source<'a>>> {
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
        progress.check()?;
        out.push(Source { settings: u, version, frame: up.data(Some(version))? });
    }
    Ok(out)
}

/// The (start, end) dates kept, from the rules and the sources' own ranges.
fn date_range(settings: &RiskDatasetSettings, sources: &[Source<'_>]) -> Result<(i32, i32)> {
    let ranges: Vec<(i32, i32)> = sources
        .iter()
        .map(|s| {
            let (lo, hi) = s.frame.date.iter().fold((i32::MAX, i32::MIN), |(lo, hi), &d| (lo.min(d), hi.max(d)));
            (lo, hi)
        })
        .collect();
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

/// Maps each source row's (asset_id_type, asset_id) to a reference asset index.
fn map_ids(
    reference: &Reference,
    frame: &Exposures,
    report: &mut CreationReport,
    unmatched: &mut HashSet<String>,
) -> Result<Vec<Option<u32>>> {
    let assets = &reference.assets;
    let mut by_type: HashMap<&str, HashMap<&str, u32>> = HashMap::new();
    by_type.insert(reference.id_type.as_str(), assets.asset_id.iter().enumerate().map(|(i, a)| (a.as_str(), i as u32)).collect());
    for (id_type, values) in &assets.alt_ids {
        let map = values.iter().enumerate().filter_map(|(i, v)| v.as_deref().map(|v| (v, i as u32))).collect();
        by_type.insert(id_type.as_str(), map);
    }
    // Resolve per (type code, asset code) once.
    let mut cache: HashMap<(u32, u32), Option<u32>> = HashMap::new();
    let mut out = Vec::with_capacity(frame.len());
    for r in 0..frame.len() {
        let key = (frame.asset_id_type.codes[r], frame.asset_id.codes[r]);
        let found = match cache.get(&key) {
            Some(f) => *f,
            None => {
                let id_type = frame.asset_id_type.get(r);
                let Some(map) = by_type.get(id_type) else {
                    return Err(Error::invalid(format!(
                        "asset_id_type '{id_type}' is not an id of reference dataset '{}' (its ids: {})",
                        reference.name,
                        list(std::iter::once(reference.id_type.clone()).chain(assets.alt_ids.iter().map(|a| a.0.clone())))
                    )));
                };
                let f = map.get(frame.asset_id.get(r)).copied();
                if f.is_none() && unmatched.insert(format!("{id_type}:{}", frame.asset_id.get(r))) {
                    report.unmatched_ids += 1;
                }
                cache.insert(key, f);
                f
            }
        };
        out.push(found);
    }
    Ok(out)
}

/// The coverage universe: a mask over reference assets.
fn coverage(settings: &RiskDatasetSettings, reference: &Reference, matched: &HashSet<u32>) -> Result<Vec<bool>> {
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
        TrimAssets::AssetUnion => keep.iter_mut().enumerate().for_each(|(i, k)| *k &= matched.contains(&(i as u32))),
        TrimAssets::CcyUnion => {
            let currencies: HashSet<&str> = matched.iter().map(|&i| assets.currency[i as usize].as_str()).collect();
            keep.iter_mut().enumerate().for_each(|(i, k)| *k &= currencies.contains(assets.currency[i].as_str()));
        }
    }
    Ok(keep)
}

/// Builds a risk dataset from settings. `pinned` fixes source versions (for rebuilding as created).
pub fn build(
    home: &Home,
    settings: &RiskDatasetSettings,
    pinned: &HashMap<String, u32>,
    progress: &Progress<'_>,
) -> Result<(Built, CreationReport)> {
    settings.check()?;
    let reference = home.reference(&settings.reference_dataset).map_err(|e| match e {
        Error::NotFound { .. } => {
            let known = home.references().map(|r| list(r.iter().map(|x| x.name.clone()))).unwrap_or_default();
            Error::invalid(format!("reference dataset '{}' does not exist (reference datasets: {known})", settings.reference_dataset))
        }
        other => other,
    })?;
    progress.report("create", 1, 5, "loading exposures");
    let sources = load_sources(home, settings, pinned, progress)?;
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
    progress.report("create", 2, 5, "mapping ids");
    let mut unmatched = HashSet::new();
    let mapped: Vec<Vec<Option<u32>>> =
        sources.iter().map(|s| map_ids(&reference, &s.frame, &mut report, &mut unmatched)).collect::<Result<_>>()?;
    let mut sample: Vec<String> = unmatched.into_iter().collect();
    sample.sort();
    sample.truncate(10);
    report.unmatched_sample = sample;
    let matched: HashSet<u32> = mapped.iter().flatten().flatten().copied().collect();
    let universe = coverage(settings, &reference, &matched)?;
    report.coverage_assets = universe.iter().filter(|k| **k).count() as u32;
    let mut exchanges: Vec<String> = (0..universe.len()).filter(|&i| universe[i]).map(|i| reference.assets.exchange[i].clone()).collect();
    exchanges.sort();
    exchanges.dedup();
    report.exchanges = exchanges;
    report.outside_universe_assets = matched.iter().filter(|&&i| !universe[i as usize]).count() as u32;
    progress.check()?;

    // Columns: numeric factors in role order (market, style, other), then the categoricals.
    let mut layout = Layout::default();
    let mut numeric_index: HashMap<(usize, u32, u32), usize> = HashMap::new();
    let mut column_flags: Vec<(bool, bool)> = Vec::new(); // (huberize, fill) per numeric column
    let mut categorical: [Option<(usize, u32, HashMap<u32, u16>)>; 2] = [None, None];
    for role in [Role::Market, Role::Style, Role::Other] {
        for (si, s) in sources.iter().enumerate() {
            let Some(&(_, group)) = s.settings.roles().iter().find(|(r, _)| *r == role) else { continue };
            let gcode = s.frame.factor_group.dict.code(group).expect("checked");
            for factor in factors_of(&s.frame, gcode) {
                let column = FactorColumn { role, group: group.to_owned(), factor: factor.clone() };
                if layout.numeric.iter().any(|c| c.label() == column.label()) {
                    return Err(Error::invalid(format!("column {} comes from two exposure sources", column.label())));
                }
                numeric_index.insert((si, gcode, s.frame.factor.dict.code(&factor).unwrap()), layout.numeric.len());
                let is_style = role == Role::Style;
                column_flags.push((is_style && s.settings.style_factor_huberize, is_style && s.settings.style_factor_fill_miss));
                layout.numeric.push(column);
            }
        }
    }
    for (slot, role) in [Role::Industry, Role::Region].into_iter().enumerate() {
        for (si, s) in sources.iter().enumerate() {
            let Some(&(_, group)) = s.settings.roles().iter().find(|(r, _)| *r == role) else { continue };
            let gcode = s.frame.factor_group.dict.code(group).expect("checked");
            let factors = factors_of(&s.frame, gcode);
            let codes = factors.iter().enumerate().map(|(i, f)| (s.frame.factor.dict.code(f).unwrap(), i as u16)).collect();
            let cats = Some(Categories { group: group.to_owned(), factors });
            if role == Role::Industry {
                layout.industry = cats
            } else {
                layout.region = cats
            }
            categorical[slot] = Some((si, gcode, codes));
        }
    }

    // Rows: one per (date, reference asset) with any exposure in range and in the universe.
    progress.report("create", 3, 5, "assembling exposures");
    let mut row_of: HashMap<(i32, u32), u32> = HashMap::new();
    let mut keys: Vec<(i32, u32)> = Vec::new();
    let mut values: Vec<Vec<f32>> = vec![Vec::new(); layout.numeric.len()];
    let mut cats: [Vec<u16>; 2] = [Vec::new(), Vec::new()];
    let mut offenders: Vec<String> = Vec::new();
    let mut offender_count = 0u64;
    let mut offend = |msg: String| {
        offender_count += 1;
        if offenders.len() < 20 {
            offenders.push(msg);
        }
    };
    let mut duplicates: Vec<String> = Vec::new();
    for (si, s) in sources.iter().enumerate() {
        let f = &s.frame;
        for r in 0..f.len() {
            let date = f.date[r];
            let Some(asset) = mapped[si][r] else { continue };
            if date < start || date > end {
                report.rows_outside_dates += 1;
                continue;
            }
            if !universe[asset as usize] {
                continue;
            }
            let (g, fc) = (f.factor_group.codes[r], f.factor.codes[r]);
            let numeric = numeric_index.get(&(si, g, fc));
            let cat_slot = (0..2).find(|&k| categorical[k].as_ref().is_some_and(|(csi, cg, _)| *csi == si && *cg == g));
            if numeric.is_none() && cat_slot.is_none() {
                continue; // an unmapped group
            }
            let row = *row_of.entry((date, asset)).or_insert_with(|| {
                keys.push((date, asset));
                values.iter_mut().for_each(|v| v.push(f32::NAN));
                cats.iter_mut().for_each(|c| c.push(NONE));
                (keys.len() - 1) as u32
            }) as usize;
            let v = f.exposure[r];
            if let Some(&col) = numeric {
                if !values[col][row].is_nan() && duplicates.len() < 20 {
                    duplicates.push(format!(
                        "{} on {}: two uploaded ids map to reference asset {}",
                        layout.numeric[col].label(),
                        crate::date::format(date),
                        reference.assets.asset_id[asset as usize]
                    ));
                }
                values[col][row] = v;
            } else if let Some(k) = cat_slot {
                let (_, _, codes) = categorical[k].as_ref().unwrap();
                let what = if k == 0 { "industry" } else { "region" };
                if v == 0.0 {
                    continue;
                }
                if v != 1.0 {
                    offend(format!(
                        "{} {}: {what} {} has exposure {v}, not 1",
                        crate::date::format(date),
                        f.asset_id.get(r),
                        f.factor.get(r)
                    ));
                } else if cats[k][row] != NONE {
                    offend(format!("{} {}: more than one {what} (also {})", crate::date::format(date), f.asset_id.get(r), f.factor.get(r)));
                } else {
                    cats[k][row] = codes[&fc];
                }
            }
        }
    }
    if !duplicates.is_empty() {
        return Err(Error::InvalidInput { message: "several uploaded ids map to the same reference asset".into(), details: duplicates });
    }
    for (k, what) in [(0, "industry"), (1, "region")] {
        if categorical[k].is_some() {
            for (row, &(date, asset)) in keys.iter().enumerate() {
                if cats[k][row] == NONE {
                    offend(format!("{} {}: no {what}", crate::date::format(date), reference.assets.asset_id[asset as usize]));
                }
            }
        }
    }
    if offender_count > 0 {
        return Err(Error::InvalidInput {
            message: format!(
                "industry and region groups must be categorical (exactly one factor with exposure 1 per asset and date); {} offending (date, asset) pairs{}",
                crate::text::thousands(offender_count),
                crate::text::listed(offenders.len(), offender_count)
            ),
            details: offenders,
        });
    }
    if keys.is_empty() {
        return Err(Error::invalid("no exposures are left after mapping ids, the coverage universe and the date range"));
    }
    progress.check()?;

    // Sort rows by date, then primary id (reference assets are sorted by id).
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_unstable_by_key(|&r| keys[r as usize]);
    let mut built = Built {
        date: order.iter().map(|&r| keys[r as usize].0).collect(),
        values: values.iter().map(|v| order.iter().map(|&r| v[r as usize]).collect()).collect(),
        industry: if layout.industry.is_some() { order.iter().map(|&r| cats[0][r as usize]).collect() } else { Vec::new() },
        region: if layout.region.is_some() { order.iter().map(|&r| cats[1][r as usize]).collect() } else { Vec::new() },
        ..Default::default()
    };
    let asset_codes: Vec<u32> = order.iter().map(|&r| keys[r as usize].1).collect();
    let mut used: Vec<u32> = asset_codes.clone();
    used.sort_unstable();
    used.dedup();
    let remap: HashMap<u32, u32> = used.iter().enumerate().map(|(i, &a)| (a, i as u32)).collect();
    built.asset = StrColumn {
        codes: asset_codes.iter().map(|a| remap[a]).collect(),
        dict: Dict::from_values(used.iter().map(|&a| reference.assets.asset_id[a as usize].clone()).collect()),
    };
    built.layout = layout;

    progress.report("create", 4, 5, "huberizing and filling styles");
    let days = day_ranges(&built.date);
    for (col, &(_, fill)) in column_flags.iter().enumerate() {
        let c = &built.layout.numeric[col];
        if c.role != Role::Style {
            continue;
        }
        let empty: Vec<String> = days
            .iter()
            .filter(|d| built.values[col][(*d).clone()].iter().all(|v| v.is_nan()))
            .map(|d| crate::date::format(built.date[d.start]))
            .collect();
        if !empty.is_empty() {
            let what = if fill { "every asset's value there is filled from industry means" } else { "its values there are empty" };
            report.warnings.push(format!("{} has no uploaded value on {}: {what}", c.label(), list_some(&empty, 5)));
        }
    }
    for (col, &(huberize, fill)) in column_flags.iter().enumerate() {
        let label = built.layout.numeric[col].label();
        if huberize {
            let n: u64 = days.iter().map(|d| huberize_day(&mut built.values[col][d.clone()])).sum();
            report.clipped.insert(label.clone(), n);
        }
        if fill {
            let n: u64 =
                days.iter().map(|d| fill_day(&mut built.values[col][d.clone()], built.industry.get(d.clone()).unwrap_or(&[]))).sum();
            report.filled.insert(label, n);
        }
    }
    report.rows = built.len() as u64;
    report.dates = days.len() as u32;
    report.first_date = built.date.first().map(|&d| crate::date::format(d));
    report.last_date = built.date.last().map(|&d| crate::date::format(d));
    report.assets = built.asset.dict.len() as u32;
    if report.coverage_assets > 0 && f64::from(report.assets) < 0.5 * f64::from(report.coverage_assets) {
        report.warnings.push(format!(
            "only {} of the {} assets of the coverage universe have exposures ({:.0}%)",
            crate::text::thousands(u64::from(report.assets)),
            crate::text::thousands(u64::from(report.coverage_assets)),
            100.0 * f64::from(report.assets) / f64::from(report.coverage_assets)
        ));
    }
    Ok((built, report))
}

/// The factors of a group in a frame, sorted.
fn factors_of(frame: &Exposures, group: u32) -> Vec<String> {
    let mut codes: Vec<u32> = (0..frame.len()).filter(|&r| frame.factor_group.codes[r] == group).map(|r| frame.factor.codes[r]).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut names: Vec<String> = codes.into_iter().map(|c| frame.factor.dict.get(c).to_owned()).collect();
    names.sort();
    names
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
