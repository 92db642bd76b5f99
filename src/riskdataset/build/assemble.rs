//! The second pass: each date's rows assembled from the sources' files, styles huberized and
//! filled, then written.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::columns::Plan;
use super::sources::{Source, read_part};
use super::styles::{fill_day, huberize_day};
use crate::Result;
use crate::frame::Exposures;
use crate::frame::{Dict, StrColumn};
use crate::progress::Progress;
use crate::riskdataset::batches::in_batches;
use crate::riskdataset::built::{Built, NONE};
use crate::riskdataset::settings::Role;
use crate::riskdataset::store::Writer;

/// Up to 20 messages and how many there were.
#[derive(Default)]
pub(super) struct Sample {
    pub messages: Vec<String>,
    pub count: u64,
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
pub(super) struct Day {
    pub built: Built,
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

/// One date's rows as gathered from the files, in the order their assets came.
struct Rows {
    /// The reference asset of each row.
    keys: Vec<u32>,
    /// Per numeric column, a value per row (NaN: none).
    values: Vec<Vec<f32>>,
    /// Per categorical slot, a category per row ([`NONE`]: none).
    cats: [Vec<u16>; 2],
    offenders: Vec<Sample>,
    duplicates: Vec<Sample>,
}

/// Gathers the rows of one date from its sources' files (read): one per reference asset in the
/// universe with an exposure in a mapped group.
fn gather(plan: &Plan<'_>, date: i32, parts: &[(usize, &Exposures)], sources: usize) -> Result<Rows> {
    let reference = plan.ids.reference;
    let layout = &plan.layout;
    let mut row_of: Vec<u32> = vec![u32::MAX; reference.assets.asset_id.len()];
    let mut keys: Vec<u32> = Vec::new();
    let mut values: Vec<Vec<f32>> = vec![Vec::new(); layout.numeric.len()];
    let mut cats: [Vec<u16>; 2] = [Vec::new(), Vec::new()];
    let mut offenders: Vec<Sample> = (0..sources).map(|_| Sample::default()).collect();
    let mut duplicates: Vec<Sample> = (0..sources).map(|_| Sample::default()).collect();
    for (si, f) in parts {
        let si = *si;
        let (mapped, _) = plan.ids.map(f)?;
        // Per (group code, factor code) of this file: its numeric column or categorical slot (a
        // table: the codes are small and dense).
        let factors = f.factor.dict.len();
        let mut targets: Vec<Option<(Option<usize>, Option<usize>)>> = vec![None; f.factor_group.dict.len() * factors];
        for (r, &asset) in mapped.iter().enumerate() {
            let Some(asset) = asset else { continue };
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
            } else if let Some((k, cat)) = cat_slot.and_then(|k| Some((k, plan.categorical[k].as_ref()?))) {
                let codes = &cat.codes;
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
                } else if let Some(&code) = codes.get(f.factor.get(r)) {
                    cats[k][row] = code;
                }
                // A category the layout lacks occurs only when dates are assembled again on a
                // stored layout (`assemble_with`, which names it): it is left out there.
            }
        }
    }
    Ok(Rows { keys, values, cats, offenders, duplicates })
}

/// The rows of one date: one per reference asset with any exposure in the universe, sorted by
/// primary id; styles huberized and filled.
pub(super) fn assemble_day(plan: &Plan<'_>, date: i32, parts: &[(usize, &Exposures)], sources: usize) -> Result<Day> {
    let reference = plan.ids.reference;
    let layout = &plan.layout;
    let Rows { keys, values, cats, offenders, duplicates } = gather(plan, date, parts, sources)?;
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

/// What the second pass gathers over all dates for the report.
pub(super) struct Totals {
    /// Per source: categorical values that are not 0/1 or a second category.
    pub offenders: Vec<Sample>,
    /// Per categorical slot: rows without a category.
    pub missing: [Sample; 2],
    /// Per source: two uploaded ids mapped to one asset.
    pub duplicates: Vec<Sample>,
    /// Per style column without any value on some dates: those dates.
    pub empty_styles: BTreeMap<usize, Vec<String>>,
    /// Values clipped and filled, per numeric column.
    pub clipped: Vec<u64>,
    pub filled: Vec<u64>,
    /// Per reference asset: whether it has a row.
    pub assets: Vec<bool>,
    pub rows: u64,
    pub dates: u32,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Per date (`YYYY-MM-DD`), a digest of the rows written (see [`digest`]).
    pub digests: BTreeMap<String, String>,
    /// A categorical check failed: the rows are no longer written, the report explains why.
    failed: bool,
}

impl Totals {
    fn new(plan: &Plan<'_>, sources: usize) -> Totals {
        let columns = plan.layout.numeric.len();
        Totals {
            offenders: (0..sources).map(|_| Sample::default()).collect(),
            missing: [Sample::default(), Sample::default()],
            duplicates: (0..sources).map(|_| Sample::default()).collect(),
            empty_styles: BTreeMap::new(),
            clipped: vec![0; columns],
            filled: vec![0; columns],
            assets: vec![false; plan.ids.reference.assets.asset_id.len()],
            rows: 0,
            dates: 0,
            first_date: None,
            last_date: None,
            digests: BTreeMap::new(),
            failed: false,
        }
    }

    /// Adds a date's figures, and writes its rows while every check passed.
    fn add(&mut self, day: Day, writer: &mut Writer) -> Result<()> {
        let date = day.built.date.first().copied();
        self.failed |= day.offenders.iter().chain(&day.missing).chain(&day.duplicates).any(|s| s.count > 0);
        day.offenders.into_iter().zip(self.offenders.iter_mut()).for_each(|(d, o)| o.extend(d));
        day.duplicates.into_iter().zip(self.duplicates.iter_mut()).for_each(|(d, o)| o.extend(d));
        day.missing.into_iter().zip(self.missing.iter_mut()).for_each(|(d, o)| o.extend(d));
        let Some(date) = date else { return Ok(()) };
        for col in day.empty_styles {
            self.empty_styles.entry(col).or_default().push(crate::date::format(date));
        }
        self.clipped.iter_mut().zip(&day.clipped).for_each(|(a, b)| *a += b);
        self.filled.iter_mut().zip(&day.filled).for_each(|(a, b)| *a += b);
        day.assets.iter().for_each(|&a| self.assets[a as usize] = true);
        self.rows += day.built.len() as u64;
        self.dates += 1;
        self.first_date.get_or_insert_with(|| crate::date::format(date));
        self.last_date = Some(crate::date::format(date));
        self.digests.insert(crate::date::format(date), digest(&day.built));
        if !self.failed {
            writer.day(&day.built)?;
        }
        Ok(())
    }
}

/// A digest of one date's rows as written: the columns' labels, each row's asset id, numeric
/// values (bits) and categories. Equal digests mean a model can reuse what it estimated from the date.
fn digest(built: &Built) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let layout = &built.layout;
    for c in &layout.numeric {
        h.update(c.label().as_bytes());
        h.update(&[0]);
    }
    for cats in [&layout.industry, &layout.region].into_iter().flatten() {
        h.update(cats.group.as_bytes());
        cats.factors.iter().for_each(|f| {
            h.update(f.as_bytes());
            h.update(&[0]);
        });
    }
    for r in 0..built.len() {
        h.update(built.asset.get(r).as_bytes());
        h.update(&[0]);
        for v in &built.values {
            h.update(&v[r].to_bits().to_le_bytes());
        }
        for codes in [&built.industry, &built.region] {
            if let Some(c) = codes.get(r) {
                h.update(&c.to_le_bytes());
            }
        }
    }
    format!("{:032x}", h.digest128())
}

/// Assembles and writes every date of `dates`, `batch` dates at a time. Progress counts a step
/// per date, after the first pass's step per file.
pub(super) fn assemble(
    plan: &Plan<'_>,
    sources: &[Source<'_>],
    dates: &[i32],
    batch: usize,
    progress: &Progress<'_>,
    steps: u64,
    writer: &mut Writer,
) -> Result<Totals> {
    let by_date: Vec<HashMap<i32, &Path>> = sources.iter().map(|s| s.parts.iter().map(|(d, p)| (*d, p.as_path())).collect()).collect();
    let mut totals = Totals::new(plan, sources.len());
    let mut done: u64 = sources.iter().map(|s| s.parts.len() as u64).sum();
    in_batches(
        dates,
        batch,
        |&date| {
            let parts: Vec<(usize, Exposures)> =
                (0..sources.len()).filter_map(|si| by_date[si].get(&date).map(|p| Ok((si, read_part(p, date)?)))).collect::<Result<_>>()?;
            assemble_day(plan, date, &parts.iter().map(|(si, f)| (*si, f)).collect::<Vec<_>>(), sources.len())
        },
        |day| {
            let date = day.built.date.first().copied();
            totals.add(day, writer)?;
            done += 1;
            progress.report("create", done, steps, format!("assembling {}", date.map(crate::date::format).unwrap_or_default()));
            progress.check()
        },
    )?;
    Ok(totals)
}
