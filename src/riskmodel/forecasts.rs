//! The model's forecasts over a range of model dates in one pass: the factor covariance at each
//! date (a [`CovarianceWalk`]) and the specific variances of chosen assets (the residuals read
//! once, each asset's sums decayed as its residuals come), equal to rounding to
//! [`Home::factor_covariance`] and [`Home::specific_risk`] at each date.

use super::covariance::{self, CovarianceWalk, MIN_RESIDUALS, Specific};
use std::collections::{BTreeMap, HashMap};

use super::store::{self, DayResiduals, Stats};
use crate::progress::Progress;
use crate::{Error, Home, Result};

/// The forecasts at each model date of a range, daily.
pub(crate) struct Forecasts {
    /// Per date, the factor covariance (k × k, in the model's factor order; NaN for a factor
    /// without returns yet).
    pub covariance: Vec<Vec<Vec<f64>>>,
    /// Per date, the specific variance of each asset asked for (the estimation universe's
    /// cap-weighted median for an asset with fewer than [`MIN_RESIDUALS`] residuals; 0 when
    /// there is none).
    pub specific: Vec<Vec<f64>>,
}

/// A risk model read once for reports: its catalog row and its statistics.
pub(crate) struct Loaded {
    row: store::Row,
    stats: Stats,
}

impl Loaded {
    /// The model dates from `start` to `end` (model dates; none: `end`, and the last model
    /// date): an error naming the model's range when a single date is not a model date or a
    /// range holds none.
    pub(crate) fn dates(&self, start: Option<&str>, end: Option<&str>) -> Result<Vec<i32>> {
        let (name, stats) = (&self.row.name, &self.stats);
        let day = |d: Option<&str>| d.filter(|s| !s.trim().is_empty()).map(crate::date::parse_arg).transpose();
        let last = *stats.dates.last().ok_or_else(|| Error::invalid(format!("risk model '{name}' has no dates")))?;
        let end_day = day(end)?.unwrap_or(last);
        let start_day = day(start)?.unwrap_or(end_day);
        if start_day > end_day {
            return Err(Error::invalid(format!(
                "the start {} is after the end {}",
                crate::date::format(start_day),
                crate::date::format(end_day)
            )));
        }
        if start_day == end_day {
            let at = Home::model_date(name, stats, &crate::date::format(end_day))?;
            return Ok(vec![stats.dates[at]]);
        }
        let dates: Vec<i32> = stats.dates.iter().copied().filter(|d| (start_day..=end_day).contains(d)).collect();
        if dates.is_empty() {
            return Err(Error::invalid(format!(
                "risk model '{name}' has no date from {} to {} (its dates run from {} to {})",
                crate::date::format(start_day),
                crate::date::format(end_day),
                crate::date::format(stats.dates[0]),
                crate::date::format(last)
            )));
        }
        Ok(dates)
    }
}

impl Home {
    /// Reads risk model `name` for reports.
    pub(crate) fn load_model(&self, name: &str) -> Result<Loaded> {
        let row = self.model_row(name)?;
        let stats = self.model_stats(&row)?;
        Ok(Loaded { row, stats })
    }

    /// The forecasts of `model` at `dates` (model dates, ascending) for `assets` (indexes into
    /// the reference's assets, of which there are `reference_assets`), once per variant of the
    /// model: each as if its dates' returns and residuals were those (`Changed::default()`: the
    /// stored model; the model impact of staged data compares it with a changed one), from one
    /// read of the residuals. Reports that read date by date (phase `forecasts`) and stops when
    /// cancelled. The model's last date alone reads no residual (see [`store::Tail`]).
    pub(crate) fn model_forecasts(
        &self,
        model: &Loaded,
        dates: &[i32],
        assets: &[u32],
        reference_assets: usize,
        variants: &[&Changed],
        progress: &Progress<'_>,
    ) -> Result<Vec<Forecasts>> {
        let (row, stats) = (&model.row, &model.stats);
        let s = &row.settings;
        let at: Vec<usize> = dates.iter().map(|d| Self::model_date(&row.name, stats, &crate::date::format(*d))).collect::<Result<_>>()?;
        let Some(&last) = at.last() else {
            return Ok(variants.iter().map(|_| Forecasts { covariance: vec![], specific: vec![] }).collect());
        };

        let covariances: Vec<Vec<Vec<Vec<f64>>>> = variants
            .iter()
            .map(|changed| {
                let mut walk = CovarianceWalk::new(stats.factors.len(), s.halflife_factor_vol, s.halflife_factor_cor, s.nw_lags as usize);
                let mut cov = Vec::with_capacity(at.len());
                let mut wanted = at.iter().peekable();
                for (t, returns) in stats.fret[..=last].iter().enumerate() {
                    walk.push(changed.fret.get(&stats.dates[t]).unwrap_or(returns));
                    if wanted.next_if(|&&w| w == t).is_some() {
                        cov.push(walk.covariance());
                    }
                }
                cov
            })
            .collect();

        let decay: Vec<f64> = (0..=last).map(|age| covariance::weight(age, s.halflife_idio_vol)).collect();
        let file = self.local(&row.file)?;

        // The model's last date alone: from the sums the residuals' footer keeps, with a changed
        // date's residuals put in place of its stored ones.
        if at == [stats.dates.len() - 1] {
            let tail = store::tail(&file)?.filter(|t| t.dates as usize == stats.dates.len() && t.last == stats.dates[last]);
            if let Some(tail) = tail {
                let mut out = Vec::with_capacity(variants.len());
                for (changed, covariance) in variants.iter().zip(covariances) {
                    let mut pass = Pass {
                        decay: &decay,
                        per_asset: vec![(Specific::default(), 0usize); reference_assets],
                        universe: tail.universe.clone(),
                        wanted: at.clone(),
                        next_wanted: 0,
                        assets,
                        specific: Vec::with_capacity(1),
                        current: Some(last),
                    };
                    for &(a, sums, seen) in &tail.assets {
                        if let Some(slot) = pass.per_asset.get_mut(a as usize) {
                            *slot = (sums, seen as usize);
                        }
                    }
                    for (&date, day) in changed.residuals.range(..=stats.dates[last]) {
                        let Ok(t) = stats.dates.binary_search(&date) else { continue };
                        let mut stored = HashMap::new();
                        store::each_residual_between(&file, date, date, |_, asset, residual, _, _| {
                            stored.insert(asset, residual);
                            Ok(())
                        })?;
                        pass.replace(t, &stored, day);
                    }
                    out.push(Forecasts { covariance, specific: pass.finish() });
                }
                return Ok(out);
            }
        }

        // The residuals in one pass, date by date (a changed date's in place of the stored ones).
        let mut passes: Vec<(Pass<'_>, &Changed, _)> = variants
            .iter()
            .map(|&changed| {
                let pass = Pass {
                    decay: &decay,
                    per_asset: vec![(Specific::default(), 0usize); reference_assets],
                    universe: Vec::new(),
                    wanted: at.clone(),
                    next_wanted: 0,
                    assets,
                    specific: Vec::with_capacity(at.len()),
                    current: None,
                };
                (pass, changed, changed.residuals.range(..=stats.dates[last]).peekable())
            })
            .collect();
        // A changed date's residuals go in where the stored ones of that date would be.
        let inject = |pass: &mut Pass<'_>, pending: &mut Pending<'_>, before: Option<i32>| {
            while let Some((_, day)) = pending.next_if(|(d, _)| before.is_none_or(|b| **d < b)) {
                let Ok(t) = stats.dates.binary_search(&day.date) else { continue };
                for i in 0..day.asset.len() {
                    pass.record(t, day.asset[i], day.residual[i], day.cap[i], day.universe[i]);
                }
            }
        };
        let total = last as u64 + 1;
        // The date being read: its model date index, and per variant whether its stored
        // residuals count (a changed date's do not).
        let mut reading: Option<(i32, Option<usize>, Vec<bool>)> = None;
        store::each_residual(&file, stats.dates[last], |date, asset, residual, cap, in_universe| {
            if reading.as_ref().is_none_or(|r| r.0 != date) {
                let t = stats.dates.binary_search(&date).ok();
                let stored: Vec<bool> = passes.iter().map(|(_, changed, _)| !changed.residuals.contains_key(&date)).collect();
                for ((pass, _, pending), &stored) in passes.iter_mut().zip(&stored) {
                    if stored && t.is_some() {
                        inject(pass, pending, Some(date));
                    }
                }
                reading = Some((date, t, stored));
                let done = stats.dates.partition_point(|&d| d < date) as u64;
                progress.report("forecasts", done, total, format!("the model's residuals of {}", crate::date::format(date)));
                progress.check()?;
            }
            let Some((_, Some(t), stored)) = &reading else { return Ok(()) };
            for ((pass, _, _), &stored) in passes.iter_mut().zip(stored) {
                if stored {
                    pass.record(*t, asset, residual, cap, in_universe);
                }
            }
            Ok(())
        })?;
        Ok(passes
            .into_iter()
            .zip(covariances)
            .map(|((mut pass, _, mut pending), covariance)| {
                inject(&mut pass, &mut pending, None);
                Forecasts { covariance, specific: pass.finish() }
            })
            .collect())
    }
}

/// A variant's changed residuals not read into its pass yet, in date order.
type Pending<'a> = std::iter::Peekable<std::collections::btree_map::Range<'a, i32, DayResiduals>>;

/// A model's returns and residuals of some dates as they would be (see [`Home::model_forecasts`]).
#[derive(Default)]
pub(crate) struct Changed {
    /// Per model date, the factor returns.
    pub fret: BTreeMap<i32, Vec<f64>>,
    /// Per model date, the residuals.
    pub residuals: BTreeMap<i32, DayResiduals>,
    /// Per risk-dataset date, its rows (the exposures a portfolio's risk reads at that date).
    pub exposures: BTreeMap<i32, crate::riskdataset::built::Built>,
}

/// The pass over the residuals: each asset's decayed sums as of its last residual (the
/// variance, a ratio of two sums decayed alike, is that of any later date too), and the
/// specific variances of the wanted assets at each wanted model date as it closes.
struct Pass<'a> {
    /// The weight of a residual by its age in model dates (0 up to the last date asked for).
    decay: &'a [f64],
    per_asset: Vec<(Specific, usize)>,
    /// The current date's estimation universe: (asset, cap).
    universe: Vec<(u32, f64)>,
    /// The wanted model date indexes, ascending, and the next one not closed yet.
    wanted: Vec<usize>,
    next_wanted: usize,
    assets: &'a [u32],
    specific: Vec<Vec<f64>>,
    /// The model date index of the residuals being read.
    current: Option<usize>,
}

impl Pass<'_> {
    fn record(&mut self, t: usize, asset: u32, residual: f64, cap: f64, in_universe: bool) {
        if let Some(c) = self.current.filter(|&c| c != t) {
            self.close(c);
        }
        self.current = Some(t);
        if let Some((s, seen)) = self.per_asset.get_mut(asset as usize) {
            s.push(residual, self.decay[t - (*seen).min(t)]);
            *seen = t;
        }
        if in_universe {
            self.universe.push((asset, cap));
        }
    }

    /// Puts `day`, the residuals of model date `t`, in place of `stored` (asset → residual), in
    /// sums kept as of each asset's last residual (see [`store::Tail`]): a residual's weight is
    /// that of its age from the asset's last one. An identical day changes nothing, to the bit.
    fn replace(&mut self, t: usize, stored: &HashMap<u32, f64>, day: &DayResiduals) {
        let new: HashMap<u32, f64> = day.asset.iter().copied().zip(day.residual.iter().copied()).collect();
        for (&a, &old) in stored {
            let Some((s, seen)) = self.per_asset.get_mut(a as usize) else { continue };
            let w = self.decay[seen.saturating_sub(t)];
            match new.get(&a) {
                Some(&e) => s.weighted += w * (e * e - old * old),
                None => {
                    s.weighted -= w * old * old;
                    s.weights -= w;
                    s.count = s.count.saturating_sub(1);
                }
            }
        }
        for (&a, &e) in &new {
            if stored.contains_key(&a) {
                continue;
            }
            let Some((s, seen)) = self.per_asset.get_mut(a as usize) else { continue };
            if s.count == 0 || *seen < t {
                s.push(e, self.decay[t - (*seen).min(t)]);
                *seen = t;
            } else {
                let w = self.decay[*seen - t];
                s.weighted += w * e * e;
                s.weights += w;
                s.count += 1;
            }
        }
        if self.current == Some(t) {
            self.universe = (0..day.asset.len()).filter(|&i| day.universe[i]).map(|i| (day.asset[i], day.cap[i])).collect();
        }
    }

    /// Closes model date `t`: its variances, if it is one of the dates asked for.
    fn close(&mut self, t: usize) {
        while self.wanted.get(self.next_wanted).is_some_and(|&w| w < t) {
            // A date asked for without any residual: nothing estimated that date.
            self.specific.push(vec![0.0; self.assets.len()]);
            self.next_wanted += 1;
        }
        if self.wanted.get(self.next_wanted) == Some(&t) {
            self.next_wanted += 1;
            let per_asset = &self.per_asset;
            let estimated = |a: u32| per_asset.get(a as usize).filter(|(s, _)| s.count >= MIN_RESIDUALS).map(|(s, _)| s.variance());
            let mut fill: Option<Option<f64>> = None;
            let universe = &self.universe;
            let mut fill_value = || {
                *fill.get_or_insert_with(|| {
                    let enough: Vec<(f64, f64)> = universe.iter().filter_map(|&(a, cap)| estimated(a).map(|v| (v, cap))).collect();
                    let mut pool = if enough.is_empty() {
                        universe.iter().map(|&(a, cap)| (per_asset[a as usize].0.variance(), cap)).collect()
                    } else {
                        enough
                    };
                    covariance::weighted_median(&mut pool)
                })
            };
            let row = self.assets.iter().map(|&a| estimated(a).unwrap_or_else(|| fill_value().unwrap_or(0.0))).collect();
            self.specific.push(row);
        }
        self.universe.clear();
    }

    /// The specific variances at every wanted date.
    fn finish(mut self) -> Vec<Vec<f64>> {
        if let Some(c) = self.current.take() {
            self.close(c);
        }
        while self.specific.len() < self.wanted.len() {
            self.specific.push(vec![0.0; self.assets.len()]);
        }
        self.specific
    }
}
