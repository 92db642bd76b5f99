//! The model's forecasts over a range of model dates in one pass: the factor covariance at each
//! date (a [`CovarianceWalk`]) and the specific variances of chosen assets (the residuals read
//! once, each asset's sums decayed as its residuals come), equal to rounding to
//! [`Home::factor_covariance`] and [`Home::specific_risk`] at each date.

use super::covariance::{self, CovarianceWalk, MIN_RESIDUALS, Specific};
use super::store;
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

impl Home {
    /// The model dates from `start` to `end` (model dates; none: `end`, and the last model
    /// date): an error naming the model's range when a single date is not a model date or a
    /// range holds none.
    pub(crate) fn model_dates(&self, name: &str, start: Option<&str>, end: Option<&str>) -> Result<Vec<i32>> {
        let row = self.model_row(name)?;
        let stats = self.model_stats(&row)?;
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
            let at = Self::model_date(name, &stats, &crate::date::format(end_day))?;
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

    /// The forecasts of model `name` at `dates` (model dates, ascending) for `assets` (indexes
    /// into the reference's assets).
    pub(crate) fn model_forecasts(&self, name: &str, dates: &[i32], assets: &[u32]) -> Result<Forecasts> {
        let row = self.model_row(name)?;
        let stats = self.model_stats(&row)?;
        let s = &row.settings;
        let at: Vec<usize> = dates.iter().map(|d| Self::model_date(name, &stats, &crate::date::format(*d))).collect::<Result<_>>()?;
        let Some(&last) = at.last() else {
            return Ok(Forecasts { covariance: vec![], specific: vec![] });
        };

        let mut walk = CovarianceWalk::new(stats.factors.len(), s.halflife_factor_vol, s.halflife_factor_cor, s.nw_lags as usize);
        let mut cov = Vec::with_capacity(at.len());
        let mut wanted = at.iter().peekable();
        for (t, returns) in stats.fret[..=last].iter().enumerate() {
            walk.push(returns);
            if wanted.next_if(|&&w| w == t).is_some() {
                cov.push(walk.covariance());
            }
        }

        // The residuals in one pass, date by date: each asset's sums as of its last residual
        // (the variance, a ratio of two sums decayed alike, is that of any later date too).
        let reference = self.reference_assets(&row.report.reference_dataset)?;
        let halflife = s.halflife_idio_vol;
        let mut per_asset = vec![(Specific::default(), 0usize); reference.assets.len()];
        let mut universe: Vec<(u32, f64)> = Vec::new();
        let mut specific = Vec::with_capacity(at.len());
        let mut wanted = at.iter().copied().peekable();
        let mut current: Option<usize> = None;
        // Closes model date `t`: its variances, if it is one of the dates asked for.
        let mut close = |t: usize, per_asset: &[(Specific, usize)], universe: &mut Vec<(u32, f64)>, specific: &mut Vec<Vec<f64>>| {
            while wanted.next_if(|&w| w < t).is_some() {
                // A date asked for without any residual: nothing estimated that date.
                specific.push(vec![0.0; assets.len()]);
            }
            if wanted.next_if_eq(&t).is_some() {
                let estimated = |a: u32| per_asset.get(a as usize).filter(|(s, _)| s.count >= MIN_RESIDUALS).map(|(s, _)| s.variance());
                let mut fill: Option<Option<f64>> = None;
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
                specific.push(assets.iter().map(|&a| estimated(a).unwrap_or_else(|| fill_value().unwrap_or(0.0))).collect());
            }
            universe.clear();
        };
        store::each_residual(&self.local(&row.file)?, stats.dates[last], |date, asset, residual, cap, in_universe| {
            let Ok(t) = stats.dates.binary_search(&date) else { return };
            if current.is_some_and(|c| c != t) {
                close(current.unwrap_or(t), &per_asset, &mut universe, &mut specific);
            }
            current = Some(t);
            if let Some((s, seen)) = per_asset.get_mut(asset as usize) {
                s.push(residual, t - (*seen).min(t), halflife);
                *seen = t;
            }
            if in_universe {
                universe.push((asset, cap));
            }
        })?;
        if let Some(c) = current {
            close(c, &per_asset, &mut universe, &mut specific);
        }
        while specific.len() < at.len() {
            specific.push(vec![0.0; assets.len()]);
        }
        Ok(Forecasts { covariance: cov, specific })
    }
}
