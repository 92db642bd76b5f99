//! One date's exposures as a dense matrix (assets × factors) and the checks that need only it.

use std::sync::OnceLock;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::stats::{self, NO_SLOT, Sorted};
use super::{CheckId, EXAMPLES, Finding, Severity, Thresholds, finding, pct};
use crate::frame::Exposures;

/// What a factor group is, told from its name and values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A group named like "market".
    Market,
    /// Every value 0 or 1 (industries, regions).
    Categorical,
    /// Anything else.
    Style,
}

/// One factor's values on one date, aligned with [`DayView::assets`] (NaN: no value).
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub group: String,
    pub factor: String,
    pub kind: Kind,
    pub values: Vec<f32>,
    /// The positions of the present values by ascending value, sorted once when first asked for
    /// (by the checks of styles; a commit preview never needs it).
    order: OnceLock<Vec<u32>>,
}

impl Column {
    fn sorted(&self) -> Sorted<'_> {
        Sorted { values: &self.values, order: self.order.get_or_init(|| stats::sorted_order(&self.values)) }
    }
}

/// One date of exposures: its assets (sorted) and one column per (group, factor), sorted.
#[derive(Debug, Clone)]
pub(crate) struct DayView {
    pub date: i32,
    pub assets: Vec<String>,
    pub columns: Vec<Column>,
}

impl DayView {
    /// The view of `rows` of `frame` (all of one date).
    pub(crate) fn of(frame: &Exposures, rows: &[u32], date: i32) -> DayView {
        // Assets and (group, factor) pairs seen, by their dense dictionary codes, then sorted by
        // their strings: slot vectors instead of hash maps, as every row passes here.
        const UNSEEN: u32 = u32::MAX;
        let nf = frame.factor.dict.len().max(1);
        let mut asset_slot = vec![UNSEEN; frame.asset_id.dict.len()];
        let mut pair_slot = vec![UNSEEN; frame.factor_group.dict.len() * nf];
        let (mut asset_codes, mut pair_codes) = (Vec::new(), Vec::new());
        for &r in rows {
            let r = r as usize;
            let a = frame.asset_id.codes[r] as usize;
            if asset_slot[a] == UNSEEN {
                asset_slot[a] = 0;
                asset_codes.push(a as u32);
            }
            let p = frame.factor_group.codes[r] as usize * nf + frame.factor.codes[r] as usize;
            if pair_slot[p] == UNSEEN {
                pair_slot[p] = 0;
                pair_codes.push(p);
            }
        }
        let mut assets: Vec<(u32, &str)> = asset_codes.iter().map(|&c| (c, frame.asset_id.dict.get(c))).collect();
        assets.sort_unstable_by(|a, b| a.1.cmp(b.1));
        for (i, (c, _)) in assets.iter().enumerate() {
            asset_slot[*c as usize] = i as u32;
        }
        let mut factors: Vec<(usize, (&str, &str))> = pair_codes
            .iter()
            .map(|&p| (p, (frame.factor_group.dict.get((p / nf) as u32), frame.factor.dict.get((p % nf) as u32))))
            .collect();
        factors.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        for (i, (p, _)) in factors.iter().enumerate() {
            pair_slot[*p] = i as u32;
        }
        let mut values = vec![vec![f32::NAN; assets.len()]; factors.len()];
        for &r in rows {
            let r = r as usize;
            let a = asset_slot[frame.asset_id.codes[r] as usize] as usize;
            let f = pair_slot[frame.factor_group.codes[r] as usize * nf + frame.factor.codes[r] as usize] as usize;
            values[f][a] = frame.exposure[r];
        }
        // Kinds by group: named like "market", else all 0/1 (categorical), else style.
        let mut categorical: FxHashMap<&str, bool> = FxHashMap::default();
        for ((_, (g, _)), v) in factors.iter().zip(&values) {
            let all01 = v.iter().all(|x| x.is_nan() || *x == 0.0 || *x == 1.0);
            *categorical.entry(g).or_insert(true) &= all01;
        }
        let columns = factors
            .iter()
            .zip(values)
            .map(|((_, (g, f)), values)| {
                let kind = if g.to_lowercase().contains("market") {
                    Kind::Market
                } else if categorical[g] {
                    Kind::Categorical
                } else {
                    Kind::Style
                };
                Column { group: (*g).to_owned(), factor: (*f).to_owned(), kind, values, order: OnceLock::new() }
            })
            .collect();
        DayView { date, assets: assets.into_iter().map(|(_, s)| s.to_owned()).collect(), columns }
    }

    /// Coverage, mean, standard deviation, min and max of every market and style factor.
    pub(crate) fn factor_stats(&self) -> Vec<super::FactorDayStats> {
        let n = self.assets.len().max(1) as f64;
        let date = crate::date::format(self.date);
        let known = |v: f64| v.is_finite().then_some(v);
        self.columns
            .iter()
            .filter(|c| c.kind != Kind::Categorical)
            .map(|c| {
                let present: Vec<f32> = c.values.iter().copied().filter(|v| !v.is_nan()).collect();
                let (mean, std) = if present.is_empty() { (f64::NAN, f64::NAN) } else { stats::mean_std(&present) };
                let (lo, hi) =
                    present.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(f64::from(v)), h.max(f64::from(v))));
                super::FactorDayStats {
                    date: date.clone(),
                    factor_group: c.group.clone(),
                    factor: c.factor.clone(),
                    coverage: present.len() as f64 / n,
                    mean: known(mean),
                    std: known(std),
                    min: known(lo),
                    max: known(hi),
                }
            })
            .collect()
    }

    /// The asset ids at `indexes`.
    fn names(&self, indexes: impl Iterator<Item = usize>) -> Vec<String> {
        indexes.take(EXAMPLES).map(|i| self.assets[i].clone()).collect()
    }
}

fn on(mut f: Finding, c: &Column, assets: Vec<String>) -> Finding {
    f.factor_group = Some(c.group.clone());
    f.factor = Some(c.factor.clone());
    f.assets = assets;
    f
}

/// The checks of one date alone: missing values, outliers and standardisation of styles,
/// one-hot categorical groups, a market group of ones.
pub(crate) fn check_columns(day: &DayView, t: &Thresholds) -> Vec<Finding> {
    let n = day.assets.len();
    let mut found: Vec<Finding> =
        day.columns.par_iter().filter(|c| c.kind == Kind::Style).flat_map_iter(|c| style_findings(day, c, t, n)).collect();
    // Market: every value is 1.
    for c in day.columns.iter().filter(|c| c.kind == Kind::Market) {
        let bad: Vec<usize> = (0..n).filter(|&i| !c.values[i].is_nan() && c.values[i] != 1.0).collect();
        if !bad.is_empty() {
            let f = finding(
                CheckId::MarketNotOne,
                Severity::Fail,
                day.date,
                bad.len() as f64,
                0.0,
                format!(
                    "{} of {}.{}'s values are not 1 (e.g. {})",
                    crate::text::thousands(bad.len() as u64),
                    c.group,
                    c.factor,
                    c.values[bad[0]]
                ),
            );
            found.push(on(f, c, day.names(bad.into_iter())));
        }
    }
    // Categorical groups: exactly one member per asset.
    let mut groups: Vec<&str> = day.columns.iter().filter(|c| c.kind == Kind::Categorical).map(|c| c.group.as_str()).collect();
    groups.dedup();
    for g in groups {
        // Memberships per asset, counted column by column.
        let mut count = vec![0u32; n];
        for c in day.columns.iter().filter(|c| c.group == g) {
            count.iter_mut().zip(&c.values).for_each(|(k, &v)| *k += u32::from(v == 1.0));
        }
        let none: Vec<usize> = (0..n).filter(|&i| count[i] == 0).collect();
        let many: Vec<usize> = (0..n).filter(|&i| count[i] > 1).collect();
        if none.is_empty() && many.is_empty() {
            continue;
        }
        let mut f = finding(
            CheckId::NotOneHot,
            Severity::Fail,
            day.date,
            (none.len() + many.len()) as f64,
            0.0,
            format!(
                "in {g}, {} no member and {} more than one (each needs exactly one)",
                crate::text::count(none.len() as u64, "asset has", "assets have"),
                crate::text::thousands(many.len() as u64)
            ),
        );
        f.factor_group = Some(g.to_owned());
        f.assets = day.names(many.into_iter().chain(none));
        found.push(f);
    }
    found
}

fn style_findings(day: &DayView, c: &Column, t: &Thresholds, n: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    let present: Vec<f32> = c.values.iter().copied().filter(|v| !v.is_nan()).collect();
    let missing = n - present.len();
    let share = missing as f64 / n.max(1) as f64;
    if share > t.missing_values {
        let (severity, threshold) =
            if share > t.missing_values_fail { (Severity::Fail, t.missing_values_fail) } else { (Severity::Warn, t.missing_values) };
        let f = finding(
            CheckId::MissingValues,
            severity,
            day.date,
            share,
            threshold,
            format!(
                "{}.{} has no value for {} of the {} assets ({})",
                c.group,
                c.factor,
                crate::text::thousands(missing as u64),
                crate::text::thousands(n as u64),
                pct(share)
            ),
        );
        out.push(on(f, c, day.names((0..n).filter(|&i| c.values[i].is_nan()))));
    }
    if present.len() < 2 {
        return out;
    }
    let (mean, std) = stats::mean_std(&present);
    let off_mean = mean.abs() > t.not_standardized_mean;
    let off_std = (std - 1.0).abs() > t.not_standardized_std;
    if off_mean || off_std {
        let (value, threshold) = if off_mean { (mean, t.not_standardized_mean) } else { (std, t.not_standardized_std) };
        let f = finding(
            CheckId::NotStandardized,
            Severity::Warn,
            day.date,
            value,
            threshold,
            format!(
                "{}.{} has mean {mean:.3} and standard deviation {std:.3} (expected about 0 and 1: within ±{} and 1 ± {})",
                c.group, c.factor, t.not_standardized_mean, t.not_standardized_std
            ),
        );
        out.push(on(f, c, Vec::new()));
    }
    let (median, robust_sd) = c.sorted().median_robust_sd();
    if robust_sd > 0.0 {
        let limit = t.outliers_sd * robust_sd;
        let mut far: Vec<(usize, f64)> = (0..n)
            .filter(|&i| !c.values[i].is_nan())
            .map(|i| (i, (f64::from(c.values[i]) - median).abs()))
            .filter(|(_, d)| *d > limit)
            .collect();
        let share = far.len() as f64 / present.len() as f64;
        if share > t.outliers {
            far.sort_by(|a, b| b.1.total_cmp(&a.1));
            let f = finding(
                CheckId::Outliers,
                Severity::Warn,
                day.date,
                share,
                t.outliers,
                format!(
                    "{} of {}.{}'s values ({}) lie beyond {} robust standard deviations of the median {median:.3}",
                    crate::text::thousands(far.len() as u64),
                    c.group,
                    c.factor,
                    pct(share),
                    t.outliers_sd
                ),
            );
            out.push(on(f, c, day.names(far.into_iter().map(|(i, _)| i))));
        }
    }
    out
}

/// A style on two consecutive dates, compared over the assets both have a value for.
pub(crate) struct StylePair {
    pub group: String,
    pub factor: String,
    /// Values present on both dates, and how many are identical.
    pub shared: usize,
    pub identical: usize,
    /// Population stability index of today's values in the previous date's deciles.
    pub psi: f64,
    /// Spearman rank correlation (none with fewer than 10 shared values).
    pub rank_correlation: Option<f64>,
    /// The ranks of the shared values (before, now; empty without a correlation) and the asset
    /// index (in the later date) of each.
    before: Vec<f64>,
    now: Vec<f64>,
    assets: Vec<usize>,
}

impl StylePair {
    /// The assets whose rank moved most (asked for only when the ranking is flagged).
    pub(crate) fn movers(&self, day: &DayView) -> Vec<String> {
        stats::movers(&self.before, &self.now, EXAMPLES).into_iter().map(|k| day.assets[self.assets[k]].clone()).collect()
    }
}

/// Every style of `day` that `prev` has too, compared.
pub(crate) fn aligned_styles(prev: &DayView, day: &DayView) -> Vec<StylePair> {
    let common = stats::common_indexes(&prev.assets, &day.assets);
    day.columns
        .par_iter()
        .filter(|c| c.kind == Kind::Style)
        .filter_map(|c| {
            let p = prev.columns.iter().find(|p| p.kind == Kind::Style && p.group == c.group && p.factor == c.factor)?;
            // Each asset valued on both dates gets a slot, in both dates' positions.
            let (mut slot_before, mut slot_now) = (vec![NO_SLOT; prev.assets.len()], vec![NO_SLOT; day.assets.len()]);
            let (mut assets, mut identical) = (Vec::new(), 0);
            for &(i, j) in &common {
                let (x, y) = (p.values[i], c.values[j]);
                if !x.is_nan() && !y.is_nan() {
                    slot_before[i] = assets.len() as u32;
                    slot_now[j] = assets.len() as u32;
                    assets.push(j);
                    identical += usize::from(x.to_bits() == y.to_bits());
                }
            }
            let shared = assets.len();
            let (before, now) = if shared >= 10 {
                (p.sorted().ranks_of(&slot_before, shared), c.sorted().ranks_of(&slot_now, shared))
            } else {
                (Vec::new(), Vec::new())
            };
            let rank_correlation = (shared >= 10).then(|| stats::spearman(&before, &now));
            Some(StylePair {
                group: c.group.clone(),
                factor: c.factor.clone(),
                shared,
                identical,
                psi: stats::psi(p.sorted(), c.sorted()),
                rank_correlation,
                before,
                now,
                assets,
            })
        })
        .collect()
}
