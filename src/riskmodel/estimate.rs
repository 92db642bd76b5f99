//! Estimating a risk model date by date: the exposures of each date d(t-1) of the risk dataset
//! (as `exposures get` returns them), the market caps of d(t-1) and the returns of d(t) make one
//! cross-section; its regression gives the factor returns stamped d(t) and every asset's residual.
//! Dates are read in order and fitted in parallel a batch at a time, so memory stays flat whatever
//! the length of history.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::regression::{self, CrossSection, Group, NO_MEMBER};
use super::settings::{RiskModelSettings, Weights};
use super::store::{self, DayResiduals, ResidualWriter, Stats};
use super::{ModelFactor, RiskModelReport};
use crate::progress::Progress;
use crate::riskdataset::batches::DATES_PER_BATCH;
use crate::riskdataset::exposures::{Categorical, ExposureQuery, Selection, Shaped};
use crate::riskdataset::settings::Role;
use crate::table::Values;
use crate::{Error, Home, Result};

/// One cross-section waiting for its regression.
pub(super) struct Job {
    /// The exposures' date d(t-1) and the returns' date d(t).
    pub exposures_date: i32,
    pub date: i32,
    pub shaped: Shaped,
    pub caps: Vec<(u32, f64)>,
    pub returns: Vec<(u32, f64)>,
}

/// What one date's regression gives.
pub(super) struct DayFit {
    pub date: i32,
    pub fit: regression::Fit,
    /// The estimation universe's size.
    pub assets: u32,
    pub residuals: DayResiduals,
}

/// Where each kind of column sits in a shaped day's table, and the categorical groups.
pub(super) struct Shape {
    /// Table columns of the numeric factors.
    pub numeric: Vec<usize>,
    /// Per categorical group: its table column, its factor count and its settings' constraint
    /// and shrinkage.
    pub groups: Vec<(usize, usize, super::settings::ZeroSum, Option<f64>)>,
}

/// The model an update replaces: what it estimated, so that unchanged dates are taken as they were.
pub(crate) struct Previous {
    /// Its report (the dataset's digests and the reference it was estimated from).
    pub report: RiskModelReport,
    /// Its statistics.
    pub stats: Stats,
    /// Its residuals' file, on this machine.
    pub residuals: PathBuf,
}

/// The exposures a model regresses on: every numeric factor, industries and regions as labels.
pub(super) fn model_query(layout: &crate::riskdataset::Layout) -> ExposureQuery {
    let all_of = |c: &Option<_>| if c.is_some() { Selection::All } else { Selection::None };
    ExposureQuery { industries: all_of(&layout.industry), regions: all_of(&layout.region), ..ExposureQuery::default() }
}

/// A model's factors (numeric, then each category of industry and region) and where they sit
/// in a shaped day, for the risk dataset `layout` and `settings`.
pub(super) fn model_shape(settings: &RiskModelSettings, layout: &crate::riskdataset::Layout) -> Result<(Vec<ModelFactor>, Shape)> {
    let categories: Vec<(Role, &crate::riskdataset::built::Categories)> =
        [(Role::Industry, &layout.industry), (Role::Region, &layout.region)]
            .into_iter()
            .filter_map(|(r, c)| c.as_ref().map(|c| (r, c)))
            .collect();
    settings.check_groups(&categories.iter().map(|(_, c)| c.group.as_str()).collect::<Vec<_>>())?;
    let mut factors: Vec<ModelFactor> = layout
        .numeric
        .iter()
        .map(|c| ModelFactor { label: c.label(), role: c.role, group: c.group.clone(), factor: c.factor.clone() })
        .collect();
    let first_group_column = 2 + layout.numeric.len();
    let mut shape = Shape { numeric: (2..first_group_column).collect(), groups: Vec::new() };
    for (i, (role, c)) in categories.iter().enumerate() {
        factors.extend(c.factors.iter().map(|f| ModelFactor {
            label: format!("{}.{}.{f}", role.name(), c.group),
            role: *role,
            group: c.group.clone(),
            factor: f.clone(),
        }));
        shape.groups.push((
            first_group_column + i,
            c.factors.len(),
            settings.constraint(&c.group),
            settings.thin_category_shrinkage.get(&c.group).copied(),
        ));
    }
    Ok((factors, shape))
}

/// How many leading date pairs (d(t-1), d(t)) of `dates` the previous model estimated from the
/// same inputs: both dates were consecutive dates of its risk dataset, d(t-1)'s rows have the
/// same digest, the reference and the factors are the same, and d(t) is not after its last date.
fn reusable(
    previous: &Previous,
    dates: &[i32],
    digests: &BTreeMap<String, String>,
    reference_created: &str,
    factors: &[ModelFactor],
) -> usize {
    let old = &previous.report;
    if old.reference_created.is_empty() || old.reference_created != reference_created || old.factors != factors {
        return 0;
    }
    let old_dates: Vec<&String> = old.dataset_digests.keys().collect();
    let last = previous.stats.dates.last().copied().unwrap_or(i32::MIN);
    let mut reuse = 0;
    for t in 1..dates.len() {
        let (before, date) = (crate::date::format(dates[t - 1]), crate::date::format(dates[t]));
        let consecutive = old_dates.iter().position(|d| **d == before).is_some_and(|i| old_dates.get(i + 1).is_some_and(|d| **d == date));
        let same = digests.get(&before).is_some_and(|d| old.dataset_digests.get(&before) == Some(d));
        if !(consecutive && same && dates[t] <= last) {
            break;
        }
        reuse = t;
    }
    reuse
}

/// Estimates the model of `settings`, writing the statistics to `stats_path` and the residuals
/// to `residuals_path`; returns the report. With `previous`, its leading dates estimated from
/// unchanged inputs are copied rather than estimated again.
pub(crate) fn estimate(
    home: &Home,
    settings: &RiskModelSettings,
    previous: Option<&Previous>,
    stats_path: &Path,
    residuals_path: &Path,
    progress: &Progress<'_>,
) -> Result<RiskModelReport> {
    settings.check()?;
    let dataset = home.risk_row(&settings.risk_dataset)?;
    let layout = &dataset.layout;
    let reference = &dataset.report.reference_dataset;
    let info = home.references()?.into_iter().find(|r| r.name == *reference).ok_or_else(|| {
        Error::invalid(format!("reference dataset '{reference}' of risk dataset '{}' no longer exists", settings.risk_dataset))
    })?;
    for (has, what, file) in [(info.has_returns, "returns", "returns.csv"), (info.has_market_caps, "market caps", "market_caps.csv")] {
        if !has {
            return Err(Error::invalid(format!(
                "risk dataset '{}' has no {what}: its reference dataset '{reference}' was imported without {file}, and a risk model \
                 regresses the assets' returns on their exposures, weighted by market cap",
                settings.risk_dataset
            )));
        }
    }
    let (factors, shape) = model_shape(settings, layout)?;
    let query = home.exposure_query(&settings.risk_dataset, &model_query(layout))?;
    let dates = query.dates()?;
    if dates.len() < 2 {
        return Err(Error::invalid(format!(
            "risk dataset '{}' has {} date(s): a model needs exposures on one date and returns on the next",
            settings.risk_dataset,
            dates.len()
        )));
    }

    let digests = &dataset.report.day_digests;
    let reuse = previous.map_or(0, |p| reusable(p, &dates, digests, &dataset.report.reference_created, &factors));
    let mut writer = ResidualWriter::create(residuals_path, settings.halflife_idio_vol)?;
    let mut stats = Stats { factors: factors.iter().map(|f| f.label.clone()).collect(), ..Stats::default() };
    let mut skipped: Vec<String> = Vec::new();
    let mut reused_dates = 0;
    if let (Some(p), true) = (previous, reuse > 0) {
        reused_dates = copy_previous(p, dates[reuse], &mut stats, &mut writer)?;
        let through = crate::date::format(dates[reuse]);
        skipped.extend(p.report.skipped.iter().filter(|s| s.get(..10).is_some_and(|d| *d <= *through.as_str())).cloned());
    }
    let total = (dates.len() - 1 - reuse) as u64;
    let mut pending: Vec<Job> = Vec::with_capacity(DATES_PER_BATCH);
    let mut next = reuse;

    let mut flush = |pending: &mut Vec<Job>, stats: &mut Stats, skipped: &mut Vec<String>| -> Result<()> {
        let fits: Vec<Result<Option<DayFit>>> = pending.par_iter().map(|job| fit_day(job, settings, &shape)).collect();
        let mut days = Vec::with_capacity(fits.len());
        for (job, fit) in pending.iter().zip(fits) {
            match fit? {
                Some(day) => {
                    stats.dates.push(day.date);
                    stats.assets.push(day.assets);
                    stats.r2.push(day.fit.r2);
                    stats.sigma2.push(day.fit.sigma2);
                    stats.fret.push(day.fit.factor_returns);
                    stats.se.push(day.fit.std_errors);
                    stats.t.push(day.fit.t_stats);
                    stats.p.push(day.fit.p_values);
                    days.push(day.residuals);
                }
                None => skipped.push(format!(
                    "{}: no asset has both exposures on {} and a return, so no factor returns",
                    crate::date::format(job.date),
                    crate::date::format(job.exposures_date)
                )),
            }
        }
        writer.write(&days)?;
        let done = (stats.dates.len() + skipped.len() - reused_dates) as u64;
        progress.report("estimate", done, total, format!("{} of {total} dates regressed", crate::text::thousands(done)));
        pending.clear();
        progress.check()
    };

    let exposure_dates = &dates[reuse..dates.len() - 1];
    let (mut caps, mut returns) = match exposure_dates.first() {
        Some(&first) => (Some(home.market_caps(reference, first)?), Some(home.returns(reference, dates[reuse + 1])?)),
        None => (None, None),
    };
    query.map_days(home, exposure_dates, Categorical::Labels, &|shaped| shaped, &mut |shaped| {
        let (Some(caps), Some(returns)) = (caps.as_mut(), returns.as_mut()) else { return Ok(()) };
        let (exposures_date, date) = (dates[next], dates[next + 1]);
        next += 1;
        pending.push(Job { exposures_date, date, shaped, caps: caps.day(exposures_date)?, returns: returns.day(date)? });
        if pending.len() == DATES_PER_BATCH {
            flush(&mut pending, &mut stats, &mut skipped)?;
        }
        Ok(())
    })?;
    flush(&mut pending, &mut stats, &mut skipped)?;
    if stats.dates.is_empty() {
        return Err(Error::invalid(format!(
            "no date of risk dataset '{}' has assets with both exposures and a next-date return: check the reference's returns",
            settings.risk_dataset
        )));
    }
    writer.finish()?;
    stats.write(stats_path)?;

    let valid_r2: Vec<f64> = stats.r2.iter().copied().filter(|r| r.is_finite()).collect();
    Ok(RiskModelReport {
        risk_dataset: settings.risk_dataset.clone(),
        dataset_file: dataset.file.clone(),
        dataset_created: dataset.created.clone(),
        reference_dataset: reference.clone(),
        dates: stats.dates.len() as u32,
        first_date: stats.dates.first().map(|&d| crate::date::format(d)),
        last_date: stats.dates.last().map(|&d| crate::date::format(d)),
        factors,
        min_assets: stats.assets.iter().copied().min().unwrap_or(0),
        max_assets: stats.assets.iter().copied().max().unwrap_or(0),
        mean_r2: if valid_r2.is_empty() { f64::NAN } else { valid_r2.iter().sum::<f64>() / valid_r2.len() as f64 },
        skipped,
        reference_created: dataset.report.reference_created.clone(),
        dataset_digests: digests.clone(),
        reused_dates: reused_dates as u32,
    })
}

/// Copies the previous model's statistics and residuals of the model dates up to `through`
/// into the new ones; returns how many model dates were copied.
fn copy_previous(previous: &Previous, through: i32, stats: &mut Stats, writer: &mut ResidualWriter) -> Result<usize> {
    let old = &previous.stats;
    let count = old.dates.partition_point(|&d| d <= through);
    stats.dates.extend_from_slice(&old.dates[..count]);
    stats.assets.extend_from_slice(&old.assets[..count]);
    stats.r2.extend_from_slice(&old.r2[..count]);
    stats.sigma2.extend_from_slice(&old.sigma2[..count]);
    stats.fret.extend_from_slice(&old.fret[..count]);
    stats.se.extend_from_slice(&old.se[..count]);
    stats.t.extend_from_slice(&old.t[..count]);
    stats.p.extend_from_slice(&old.p[..count]);
    // The residuals, a batch of dates at a time (the file is in date order).
    let mut days: Vec<DayResiduals> = Vec::with_capacity(DATES_PER_BATCH);
    store::each_residual(&previous.residuals, through, |date, asset, residual, cap, universe| {
        if days.last().is_none_or(|d| d.date != date) {
            if days.len() == DATES_PER_BATCH {
                writer.write(&days)?;
                days.clear();
            }
            days.push(DayResiduals { date, ..DayResiduals::default() });
        }
        if let Some(d) = days.last_mut() {
            d.asset.push(asset);
            d.residual.push(residual);
            d.cap.push(cap);
            d.universe.push(universe);
        }
        Ok(())
    })?;
    writer.write(&days)?;
    Ok(count)
}

/// The regression of one cross-section, or `None` when no asset has both exposures and a return.
pub(super) fn fit_day(job: &Job, settings: &RiskModelSettings, shape: &Shape) -> Result<Option<DayFit>> {
    let table = &job.shaped.table;
    let refs = &job.shaped.refs;
    let numeric: Vec<&[f32]> = shape
        .numeric
        .iter()
        .map(|&c| match &table.columns[c] {
            Values::F32(v) => Ok(v.as_slice()),
            _ => Err(Error::Internal("a numeric exposure column is not numeric".into())),
        })
        .collect::<Result<_>>()?;
    let members: Vec<Vec<u16>> = shape
        .groups
        .iter()
        .map(|&(c, count, _, _)| match &table.columns[c] {
            Values::Dict(d) => Ok(d.codes.iter().map(|&code| if code as usize >= count { NO_MEMBER } else { code as u16 }).collect()),
            _ => Err(Error::Internal("a categorical exposure column is not categorical".into())),
        })
        .collect::<Result<_>>()?;
    let cap_of: FxHashMap<u32, f64> = job.caps.iter().copied().collect();
    let return_of: FxHashMap<u32, f64> = job.returns.iter().copied().collect();

    // Rows with every numeric exposure and a return; the universe also has a positive cap.
    let mut rows: Vec<(usize, u32, f64, f64)> = Vec::new();
    for (r, asset) in refs.iter().enumerate() {
        let Some(asset) = *asset else { continue };
        let Some(&ret) = return_of.get(&asset) else { continue };
        if !ret.is_finite() || numeric.iter().any(|c| !c[r].is_finite()) {
            continue;
        }
        rows.push((r, asset, ret, cap_of.get(&asset).copied().filter(|c| c.is_finite()).unwrap_or(f64::NAN)));
    }
    let universe: Vec<&(usize, u32, f64, f64)> = rows.iter().filter(|row| row.3 > 0.0).collect();
    if universe.is_empty() {
        return Ok(None);
    }
    let x: Vec<Vec<f64>> = numeric.iter().map(|c| universe.iter().map(|row| f64::from(c[row.0])).collect()).collect();
    let groups_members: Vec<Vec<u16>> = members.iter().map(|m| universe.iter().map(|row| m[row.0]).collect()).collect();
    let groups: Vec<Group<'_>> = shape
        .groups
        .iter()
        .zip(&groups_members)
        .map(|(&(_, count, constraint, shrinkage), m)| Group { members: m, count, constraint, shrinkage })
        .collect();
    let caps: Vec<f64> = universe.iter().map(|row| row.3).collect();
    let weights: Vec<f64> = match settings.weights {
        Weights::SqrtCap => caps.iter().map(|c| c.sqrt()).collect(),
        Weights::Equal => vec![1.0; caps.len()],
    };
    let returns: Vec<f64> = universe.iter().map(|row| settings.clip(row.2)).collect();
    let fit = regression::fit(&CrossSection { numeric: &x, groups: &groups, weights: &weights, caps: &caps, returns: &returns })
        .map_err(|e| Error::invalid(format!("the regression of {} cannot be solved: {e}", crate::date::format(job.date))))?;

    // Every row's residual, from the same clipped return.
    let q = numeric.len();
    let mut offsets = Vec::with_capacity(shape.groups.len());
    let mut o = q;
    for &(_, count, _, _) in &shape.groups {
        offsets.push(o);
        o += count;
    }
    let mut residuals = DayResiduals { date: job.date, ..DayResiduals::default() };
    for &(r, asset, ret, cap) in &rows {
        let mut e = settings.clip(ret);
        for (c, column) in numeric.iter().enumerate() {
            e -= fit.factor_returns[c] * f64::from(column[r]);
        }
        for (m, o) in members.iter().zip(&offsets) {
            if m[r] != NO_MEMBER {
                e -= fit.factor_returns[o + m[r] as usize];
            }
        }
        if e.is_finite() {
            residuals.asset.push(asset);
            residuals.residual.push(e);
            residuals.cap.push(cap);
            residuals.universe.push(cap > 0.0);
        }
    }
    Ok(Some(DayFit { date: job.date, assets: universe.len() as u32, fit, residuals }))
}
