//! Sanity checks: the known ways a daily exposure feed goes wrong, found per date and factor.
//!
//! Days are checked in date order, each against the one before (and a window of earlier asset
//! counts); see [`CheckId`] for what each check finds and [`Thresholds`] for when it speaks.
//! Factor groups are told apart from their values: a group whose name contains "market" is the
//! market group, a group whose values are all 0 or 1 is categorical (industries, regions), any
//! other group holds styles.

mod day;
mod stats;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub(crate) use day::DayView;
use day::Kind;

use crate::{Error, Result};

/// At most this many example assets per finding.
const EXAMPLES: usize = 20;
/// Earlier dates whose asset counts make the coverage reference.
const COVERAGE_WINDOW: usize = 20;
/// Fewer earlier dates than this: no coverage check yet.
const COVERAGE_MIN_HISTORY: usize = 4;

/// What a check finds. Stable ids: scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// A date missing from the data's own cadence (weekdays, or every day when weekends occur).
    MissingDay,
    /// One date in two staged names, or a staged date already committed.
    DuplicateDay,
    /// The factor groups or factors differ from the previous date.
    SchemaChange,
    /// Fewer assets than the median of up to 20 earlier dates.
    CoverageDrop,
    /// Many assets entering and leaving versus the previous date.
    AssetChurn,
    /// A style factor without a value for a share of the date's assets.
    MissingValues,
    /// A style's values far (in robust standard deviations) from the date's median.
    Outliers,
    /// A style's cross-sectional mean or standard deviation far from 0 and 1.
    NotStandardized,
    /// In a categorical group, an asset with no member or more than one.
    NotOneHot,
    /// A market-group value other than 1.
    MarketNotOne,
    /// Nearly every style value identical to the previous date's: a re-sent file.
    StaleDay,
    /// A style's distribution moved (population stability index) versus the previous date.
    DistributionShift,
    /// A persistent style's ranking of assets changed versus the previous date.
    RankInstability,
}

impl CheckId {
    /// The stable id, e.g. `coverage_drop`.
    pub fn name(self) -> &'static str {
        match self {
            CheckId::MissingDay => "missing_day",
            CheckId::DuplicateDay => "duplicate_day",
            CheckId::SchemaChange => "schema_change",
            CheckId::CoverageDrop => "coverage_drop",
            CheckId::AssetChurn => "asset_churn",
            CheckId::MissingValues => "missing_values",
            CheckId::Outliers => "outliers",
            CheckId::NotStandardized => "not_standardized",
            CheckId::NotOneHot => "not_one_hot",
            CheckId::MarketNotOne => "market_not_one",
            CheckId::StaleDay => "stale_day",
            CheckId::DistributionShift => "distribution_shift",
            CheckId::RankInstability => "rank_instability",
        }
    }
}

/// How bad a finding is: `fail` findings should stop a commit, `warn` ones deserve a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The data is wrong: it should not be committed as it is.
    Fail,
    /// Worth a look; the data may still be right.
    Warn,
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Finding {
    /// The check that found it.
    pub check: CheckId,
    /// How bad it is; for checks with a warn and a fail threshold, the one crossed decides.
    pub severity: Severity,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The factor group it is about; `None` for a finding about the whole date (missing, duplicate
    /// or stale day, coverage, churn, schema change).
    pub factor_group: Option<String>,
    /// The factor it is about; `None` for a finding about the whole date or about a whole
    /// categorical group (`not_one_hot`).
    pub factor: Option<String>,
    /// What was measured (a share, a ratio, a count, an index, as the check says).
    pub value: f64,
    /// The threshold it was held against.
    pub threshold: f64,
    /// The finding in a sentence.
    pub message: String,
    /// Up to 20 assets behind it.
    pub assets: Vec<String>,
}

/// One market or style factor on one date: the statistics behind the factor × date heatmaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FactorDayStats {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The factor's group (a market or style group; categorical groups get no statistics).
    pub factor_group: String,
    /// The factor, within `factor_group`.
    pub factor: String,
    /// Share of the date's assets with a value.
    pub coverage: f64,
    /// Mean of the values present; `None` when no asset has one.
    pub mean: Option<f64>,
    /// Sample standard deviation (n − 1) of the values present, 0 for a single value; `None` when no asset has one.
    pub std: Option<f64>,
    /// Smallest value present; `None` when no asset has one.
    pub min: Option<f64>,
    /// Largest value present; `None` when no asset has one.
    pub max: Option<f64>,
}

/// The findings of a check run, and the per date × factor statistics it saw.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct CheckReport {
    /// Most severe first.
    pub findings: Vec<Finding>,
    /// By date, then group and factor (market and style factors).
    pub stats: Vec<FactorDayStats>,
    /// Only the checks that need no data read ran: `missing_day`, `duplicate_day` and
    /// `coverage_drop`, from the dates and asset counts that staging and commits record (no
    /// statistics, and no example assets for a coverage drop).
    #[serde(default)]
    pub quick: bool,
}

/// When the checks speak. Every field has a default; `set("coverage_drop", 0.9)` changes one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Thresholds {
    /// Warn when a date's assets fall below this share of the recent median.
    pub coverage_drop: f64,
    /// Fail below this share.
    pub coverage_drop_fail: f64,
    /// Warn when entering + leaving assets exceed this share of the previous date's.
    pub asset_churn: f64,
    /// Warn when a style misses values for more than this share of the date's assets.
    pub missing_values: f64,
    /// Fail above this share.
    pub missing_values_fail: f64,
    /// Warn when more than this share of a style's values are outliers.
    pub outliers: f64,
    /// An outlier lies beyond this many robust standard deviations (1.4826 × MAD) of the median.
    pub outliers_sd: f64,
    /// Warn when a style's mean is beyond ± this.
    pub not_standardized_mean: f64,
    /// Warn when a style's standard deviation is further than this from 1.
    pub not_standardized_std: f64,
    /// Fail when at least this share of the style values shared with the previous date are identical.
    pub stale_day: f64,
    /// Warn when a style's population stability index versus the previous date exceeds this.
    pub distribution_shift: f64,
    /// Warn when a persistent style's rank correlation with the previous date falls below this.
    pub rank_instability: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            coverage_drop: 0.95,
            coverage_drop_fail: 0.80,
            asset_churn: 0.05,
            missing_values: 0.02,
            missing_values_fail: 0.20,
            outliers: 0.005,
            outliers_sd: 5.0,
            not_standardized_mean: 0.25,
            not_standardized_std: 0.25,
            stale_day: 0.999,
            distribution_shift: 0.25,
            rank_instability: 0.8,
        }
    }
}

impl Thresholds {
    /// Every threshold by name, with its value.
    pub fn entries(&self) -> BTreeMap<String, f64> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map.into_iter().filter_map(|(k, v)| Some((k, v.as_f64()?))).collect(),
            _ => BTreeMap::new(),
        }
    }

    /// Sets one threshold by name; the error lists the names.
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        let mut map = serde_json::to_value(&*self).map_err(|e| Error::Internal(e.to_string()))?;
        let known: Vec<String> = self.entries().into_keys().collect();
        match map.get_mut(name) {
            Some(slot) if value.is_finite() => *slot = serde_json::json!(value),
            Some(_) => return Err(Error::invalid(format!("the threshold {name} must be a number, not {value}"))),
            None => return Err(Error::invalid(format!("unknown threshold '{name}' (known: {})", known.join(", ")))),
        }
        *self = serde_json::from_value(map).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(())
    }

    /// Parses `NAME=VALUE` (as `--threshold` gives it) into this set.
    pub fn apply(&mut self, assignment: &str) -> Result<()> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| Error::invalid(format!("a threshold is NAME=VALUE, e.g. coverage_drop=0.9; got '{assignment}'")))?;
        let value: f64 =
            value.trim().parse().map_err(|_| Error::invalid(format!("the threshold {name} must be a number, not '{}'", value.trim())))?;
        self.set(name.trim(), value)
    }
}

/// What a date of the checked data is also known as, for `duplicate_day`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overlaps {
    /// Per date, the staged names that hold it (two or more: a duplicate).
    pub names: BTreeMap<i32, Vec<String>>,
    /// Dates already committed, with the latest version.
    pub committed: Option<(u32, std::collections::BTreeSet<i32>)>,
}

/// Runs every check over `days` (in date order, one view per date).
pub(crate) struct Checker<'t> {
    t: &'t Thresholds,
    findings: Vec<Finding>,
    dates: Vec<i32>,
    counts: Vec<u32>,
    prev: Option<DayView>,
    /// Per style factor, its rank correlation with the day before on the previous date.
    persistence: BTreeMap<(String, String), f64>,
    stats: Vec<FactorDayStats>,
}

fn finding(check: CheckId, severity: Severity, date: i32, value: f64, threshold: f64, message: String) -> Finding {
    Finding {
        check,
        severity,
        date: crate::date::format(date),
        factor_group: None,
        factor: None,
        value,
        threshold,
        message,
        assets: Vec::new(),
    }
}

fn pct(share: f64) -> String {
    let p = share * 100.0;
    if p != 0.0 && p.abs() < 0.1 { format!("{p:.3}%") } else { format!("{p:.1}%") }
}

impl<'t> Checker<'t> {
    /// A checker with these thresholds.
    pub(crate) fn new(t: &'t Thresholds) -> Self {
        Checker {
            t,
            findings: Vec::new(),
            dates: Vec::new(),
            counts: Vec::new(),
            prev: None,
            persistence: BTreeMap::new(),
            stats: Vec::new(),
        }
    }

    /// Checks consecutive dates (after every earlier one). The work of each date alone and
    /// against the one before runs in parallel across the batch; what carries from date to
    /// date (the coverage window, persistence) follows in order.
    pub(crate) fn days(&mut self, batch: Vec<DayView>) {
        use rayon::prelude::*;
        let before = self.prev.take();
        let t = self.t;
        type Work = (Vec<Finding>, Option<Vec<day::StylePair>>, Vec<FactorDayStats>);
        let work: Vec<Work> = (0..batch.len())
            .into_par_iter()
            .map(|i| {
                let prev = if i == 0 { before.as_ref() } else { Some(&batch[i - 1]) };
                (day::check_columns(&batch[i], t), prev.map(|p| day::aligned_styles(p, &batch[i])), batch[i].factor_stats())
            })
            .collect();
        self.prev = before;
        for (day, (columns, pairs, stats)) in batch.into_iter().zip(work) {
            self.stats.extend(stats);
            let mut found: Vec<Finding> = self.coverage(day.date, day.assets.len(), self.prev.as_ref(), Some(&day)).into_iter().collect();
            found.extend(columns);
            if let (Some(prev), Some(pairs)) = (self.prev.take(), pairs) {
                self.against_previous(&prev, &day, pairs, &mut found);
            }
            self.findings.extend(found);
            self.dates.push(day.date);
            self.counts.push(day.assets.len() as u32);
            self.prev = Some(day);
        }
    }

    /// `coverage_drop`: the date's asset count against the median of the previous dates' (the
    /// assets that left since the previous date as examples, when it is known).
    fn coverage(&self, date: i32, n_assets: usize, prev: Option<&DayView>, now: Option<&DayView>) -> Option<Finding> {
        if self.counts.len() < COVERAGE_MIN_HISTORY {
            return None;
        }
        let mut window: Vec<f32> = self.counts.iter().rev().take(COVERAGE_WINDOW).map(|&c| c as f32).collect();
        let median = crate::frame::median(&mut window);
        let ratio = n_assets as f64 / median;
        let (severity, threshold) = if ratio < self.t.coverage_drop_fail {
            (Severity::Fail, self.t.coverage_drop_fail)
        } else if ratio < self.t.coverage_drop {
            (Severity::Warn, self.t.coverage_drop)
        } else {
            return None;
        };
        let mut f = finding(
            CheckId::CoverageDrop,
            severity,
            date,
            ratio,
            threshold,
            format!(
                "{} assets, {} of the median of the previous {} dates ({})",
                crate::text::thousands(n_assets as u64),
                pct(ratio),
                window.len(),
                crate::text::thousands(median as u64)
            ),
        );
        if let (Some(prev), Some(now)) = (prev, now) {
            f.assets = stats::difference(&prev.assets, &now.assets).take(EXAMPLES).cloned().collect();
        }
        Some(f)
    }

    /// The checks that need no data read, from each date's asset count alone (what staging and
    /// commits record): `coverage_drop` here, `missing_day` and `duplicate_day` in [`Self::finish`].
    pub(crate) fn counts_only(&mut self, dates: &[(i32, u32)]) {
        for &(date, n) in dates {
            if let Some(f) = self.coverage(date, n as usize, None, None) {
                self.findings.push(f);
            }
            self.dates.push(date);
            self.counts.push(n);
        }
    }

    fn against_previous(&mut self, prev: &DayView, day: &DayView, pairs: Vec<day::StylePair>, found: &mut Vec<Finding>) {
        // Schema: groups, and the factors of non-categorical groups (a categorical factor with
        // no member that day has no rows in long data: that is no change of schema).
        let keys = |d: &DayView| {
            d.columns
                .iter()
                .map(|c| (c.group.clone(), if c.kind == Kind::Categorical { String::new() } else { c.factor.clone() }))
                .collect::<std::collections::BTreeSet<_>>()
        };
        let (before, now) = (keys(prev), keys(day));
        if before != now {
            let label = |(g, f): &(String, String)| if f.is_empty() { format!("group {g}") } else { format!("{g}.{f}") };
            let added: Vec<String> = now.difference(&before).map(label).collect();
            let removed: Vec<String> = before.difference(&now).map(label).collect();
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("new: {}", added.join("; ")));
            }
            if !removed.is_empty() {
                parts.push(format!("gone: {}", removed.join("; ")));
            }
            found.push(finding(
                CheckId::SchemaChange,
                Severity::Warn,
                day.date,
                (added.len() + removed.len()) as f64,
                0.0,
                format!("the factors differ from {}: {}", crate::date::format(prev.date), parts.join("; ")),
            ));
            // A style present the day before and absent now misses every value.
            for c in prev.columns.iter().filter(|c| c.kind == Kind::Style && !now.contains(&(c.group.clone(), c.factor.clone()))) {
                let mut f = finding(
                    CheckId::MissingValues,
                    Severity::Fail,
                    day.date,
                    1.0,
                    self.t.missing_values_fail,
                    format!("{}.{} has no value for any asset (it had values on {})", c.group, c.factor, crate::date::format(prev.date)),
                );
                f.factor_group = Some(c.group.clone());
                f.factor = Some(c.factor.clone());
                found.push(f);
            }
        }

        // Churn.
        let leaving: Vec<&String> = stats::difference(&prev.assets, &day.assets).collect();
        let entering: Vec<&String> = stats::difference(&day.assets, &prev.assets).collect();
        if !prev.assets.is_empty() {
            let share = (leaving.len() + entering.len()) as f64 / prev.assets.len() as f64;
            if share > self.t.asset_churn {
                let mut f = finding(
                    CheckId::AssetChurn,
                    Severity::Warn,
                    day.date,
                    share,
                    self.t.asset_churn,
                    format!(
                        "{} assets left and {} entered since {}: {} of its {}",
                        crate::text::thousands(leaving.len() as u64),
                        crate::text::thousands(entering.len() as u64),
                        crate::date::format(prev.date),
                        pct(share),
                        crate::text::thousands(prev.assets.len() as u64)
                    ),
                );
                f.assets = leaving.iter().chain(&entering).take(EXAMPLES).map(|s| (*s).clone()).collect();
                found.push(f);
            }
        }

        // Style by style against the previous date: stale values, shifts, rank changes.
        let (mut shared, mut identical) = (0u64, 0u64);
        for p in &pairs {
            shared += p.shared as u64;
            identical += p.identical as u64;
        }
        if shared > 0 {
            let share = identical as f64 / shared as f64;
            if share >= self.t.stale_day {
                found.push(finding(
                    CheckId::StaleDay,
                    Severity::Fail,
                    day.date,
                    share,
                    self.t.stale_day,
                    format!(
                        "{} of the {} style values shared with {} are identical: a re-sent file?",
                        pct(share),
                        crate::text::thousands(shared),
                        crate::date::format(prev.date)
                    ),
                ));
            }
        }
        for p in pairs {
            let key = (p.group.clone(), p.factor.clone());
            if p.psi > self.t.distribution_shift {
                let mut f = finding(
                    CheckId::DistributionShift,
                    Severity::Warn,
                    day.date,
                    p.psi,
                    self.t.distribution_shift,
                    format!(
                        "{}.{}'s distribution moved versus {}: population stability index {:.2}",
                        p.group,
                        p.factor,
                        crate::date::format(prev.date),
                        p.psi
                    ),
                );
                f.factor_group = Some(p.group.clone());
                f.factor = Some(p.factor.clone());
                found.push(f);
            }
            if let Some(rho) = p.rank_correlation {
                let persistent = self.persistence.get(&key).is_some_and(|&r| r >= 0.9);
                if persistent && rho < self.t.rank_instability {
                    let mut f = finding(
                        CheckId::RankInstability,
                        Severity::Warn,
                        day.date,
                        rho,
                        self.t.rank_instability,
                        format!(
                            "{}.{} ranks assets unlike {}: rank correlation {:.2} (it was {:.2} the date before)",
                            p.group,
                            p.factor,
                            crate::date::format(prev.date),
                            rho,
                            self.persistence[&key]
                        ),
                    );
                    f.factor_group = Some(p.group.clone());
                    f.factor = Some(p.factor.clone());
                    f.assets = p.movers(day);
                    found.push(f);
                }
                self.persistence.insert(key, rho);
            }
        }
    }

    /// The findings (with missing and duplicate dates added, sorted by severity, date, check)
    /// and the statistics per date and factor.
    pub(crate) fn finish(mut self, overlaps: &Overlaps, quick: bool) -> CheckReport {
        self.missing_days();
        for (date, names) in overlaps.names.iter().filter(|(_, n)| n.len() > 1) {
            self.findings.push(finding(
                CheckId::DuplicateDay,
                Severity::Warn,
                *date,
                names.len() as f64,
                1.0,
                format!("{} staged names hold this date: {}", names.len(), names.join(", ")),
            ));
        }
        if let Some((version, committed)) = &overlaps.committed {
            for date in self.dates.iter().filter(|d| committed.contains(d)) {
                self.findings.push(finding(
                    CheckId::DuplicateDay,
                    Severity::Warn,
                    *date,
                    1.0,
                    0.0,
                    format!(
                        "already committed in version {version}: append refuses it, upsert and overwrite_dates replace the committed values"
                    ),
                ));
            }
        }
        self.findings.sort_by(|a, b| (a.severity, &a.date, a.check).cmp(&(b.severity, &b.date, b.check)));
        CheckReport { findings: self.findings, stats: self.stats, quick }
    }

    fn missing_days(&mut self) {
        let (Some(&first), Some(&last)) = (self.dates.first(), self.dates.last()) else { return };
        let weekend = |d: i32| matches!((d + 3).rem_euclid(7), 5 | 6); // 1970-01-01 was a Thursday
        let daily = self.dates.iter().any(|&d| weekend(d));
        let present: std::collections::HashSet<i32> = self.dates.iter().copied().collect();
        for d in first..=last {
            if !present.contains(&d) && (daily || !weekend(d)) {
                let cadence = if daily { "every day" } else { "every weekday" };
                self.findings.push(finding(
                    CheckId::MissingDay,
                    Severity::Warn,
                    d,
                    0.0,
                    0.0,
                    format!(
                        "no data for this date, though the data has {cadence} between {} and {}",
                        crate::date::format(first),
                        crate::date::format(last)
                    ),
                ));
            }
        }
    }
}
