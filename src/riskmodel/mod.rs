//! Risk models estimated from a risk dataset: factor returns by cross-sectional regression,
//! the factor covariance and the assets' specific variances. The conventions (what the tests
//! check) are in the README's *Risk models* section.
//!
//! By phase: `settings` (what a model is estimated from), `regression` (one date's weighted least
//! squares with zero-sum constraints), `estimate` (every date of the dataset, in order),
//! `covariance` (the forecasts at a date), `forecasts` (the forecasts over a range of dates),
//! `store` (the catalog row and the files), `impact` (what staged data would change), `view` (the
//! charts of the app's model screen).

mod covariance;
mod estimate;
mod forecasts;
mod impact;
mod inputs;
mod regression;
pub mod settings;
mod store;
pub mod view;

use serde::{Deserialize, Serialize};

pub use covariance::MIN_RESIDUALS;
pub(crate) use forecasts::{Changed, Forecasts};
pub use impact::{DateImpact, Driver, FactorImpact, ModelImpact, PortfolioImpact};
pub use inputs::NextReturns;
pub use settings::{RiskModelSettings, Weights, ZeroSum};

use crate::progress::Progress;
use crate::riskdataset::settings::Role;
use crate::store::{Scope, objects};
use crate::table::{Table, Values};
use crate::{Error, Home, Result};

/// One factor of a model, in the model's order: market, styles, others, industries, regions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ModelFactor {
    /// The column label, as `exposures get` names it (`style.style.Momentum`).
    pub label: String,
    /// The factor's role in the risk dataset.
    pub role: Role,
    /// Its factor group.
    pub group: String,
    /// Its name within the group.
    pub factor: String,
}

/// What estimating a model found, stored with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RiskModelReport {
    /// The risk dataset estimated from.
    pub risk_dataset: String,
    /// The build of the risk dataset estimated from (its stored file): a rebuild makes the model stale.
    pub dataset_file: String,
    /// When that build was made (RFC 3339).
    pub dataset_created: String,
    /// The reference dataset giving the returns and market caps.
    pub reference_dataset: String,
    /// Model dates: the dates with factor returns.
    pub dates: u32,
    /// The first model date (`YYYY-MM-DD`).
    pub first_date: Option<String>,
    /// The last model date.
    pub last_date: Option<String>,
    /// The factors, in the order of every frame's columns.
    pub factors: Vec<ModelFactor>,
    /// The smallest estimation universe of a date.
    pub min_assets: u32,
    /// The largest estimation universe of a date.
    pub max_assets: u32,
    /// The mean R² over the model dates.
    pub mean_r2: f64,
    /// Dates of the risk dataset without a regression, and why.
    pub skipped: Vec<String>,
    /// When the reference dataset used was created (a replaced one changes every date).
    #[serde(default)]
    pub reference_created: String,
    /// The risk dataset's digest of each date's rows when estimated (see
    /// [`crate::riskdataset::CreationReport::day_digests`]): an update reuses the leading dates
    /// whose exposures are unchanged.
    #[serde(default)]
    pub dataset_digests: std::collections::BTreeMap<String, String>,
    /// Model dates taken as they were from the model this one updated (0 for a new estimate).
    #[serde(default)]
    pub reused_dates: u32,
}

/// Whether a model reflects its risk dataset's current build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ModelStatus {
    /// Estimated from the risk dataset as it is.
    Ready,
    /// The risk dataset was rebuilt or deleted since: *Update* re-estimates it.
    Stale,
}

/// A risk model as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RiskModelInfo {
    /// The model's name.
    pub name: String,
    /// Ready, or stale with `stale_reason`.
    pub status: ModelStatus,
    /// Why it is stale, in words.
    pub stale_reason: Option<String>,
    /// The settings it was estimated with.
    pub settings: RiskModelSettings,
    /// What estimation found.
    pub report: RiskModelReport,
    /// When it was estimated (RFC 3339).
    pub created: String,
}

/// The per-date frames of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ModelFrame {
    /// Factor returns: `date`, then one column per factor.
    Fret,
    /// Standard errors of the factor returns.
    StdErrors,
    /// t-statistics.
    TStats,
    /// Two-sided p-values.
    PValues,
    /// `date`, `r2` (weighted, centred) and `assets` (the estimation universe's size).
    R2,
    /// `date` and `sigma2` (the weighted residual variance).
    Sigma2,
}

impl ModelFrame {
    /// The frame's command-line name (`fret`, `t-stats`, …).
    pub fn name(self) -> &'static str {
        match self {
            ModelFrame::Fret => "fret",
            ModelFrame::StdErrors => "std-errors",
            ModelFrame::TStats => "t-stats",
            ModelFrame::PValues => "p-values",
            ModelFrame::R2 => "r2",
            ModelFrame::Sigma2 => "sigma2",
        }
    }
}

/// A per-date frame of a model: one row per model date, one column per factor (or per figure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct DateFrame {
    /// The model dates (`YYYY-MM-DD`), ascending.
    pub dates: Vec<String>,
    /// The columns: factor labels as `exposures get` names them, or `r2`/`assets`/`sigma2`.
    pub columns: Vec<String>,
    /// Per date, per column; `None` where a factor has no value that date.
    pub values: Vec<Vec<Option<f64>>>,
}

/// The factor covariance at a model date, daily.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct FactorCovariance {
    /// The model date (`YYYY-MM-DD`).
    pub date: String,
    /// The factors, as `exposures get` names them: rows and columns in this order.
    pub factors: Vec<String>,
    /// The symmetric matrix; `None` for a factor without a return up to the date.
    pub values: Vec<Vec<Option<f64>>>,
}

/// The assets' specific variances at a model date, daily, by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SpecificRisk {
    /// The model date (`YYYY-MM-DD`).
    pub date: String,
    /// The id type of `ids` (the reference's primary one).
    pub id_type: String,
    /// Every asset with a residual up to the date, by id.
    pub ids: Vec<String>,
    /// Its specific variance (daily); `None` only when no estimate can be filled in.
    pub specific_var: Vec<Option<f64>>,
    /// How many residuals it was estimated from.
    pub residuals: Vec<u32>,
    /// Whether it had fewer than [`MIN_RESIDUALS`] and got the estimation universe's
    /// cap-weighted median instead (over the universe's assets with enough residuals, or over all
    /// of them while none has enough).
    pub filled: Vec<bool>,
    /// That median: what an asset with too few residuals (or none yet) is given.
    #[serde(default)]
    pub fill: Option<f64>,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn column(values: &[Vec<Option<f64>>], j: usize) -> Values {
    Values::F64(values.iter().map(|r| r[j].unwrap_or(f64::NAN)).collect())
}

impl DateFrame {
    /// As a table: `date`, then the columns (`assets` as a count).
    pub fn table(&self) -> Table {
        let dates = self.dates.iter().filter_map(|d| crate::date::parse(d.as_bytes())).collect();
        let mut t = Table::default().with("date", Values::Date(dates));
        for (j, c) in self.columns.iter().enumerate() {
            t = if c == "assets" && self.columns.len() == 2 {
                t.with(c, Values::U64(self.values.iter().map(|r| r[j].unwrap_or(0.0) as u64).collect()))
            } else {
                t.with(c, column(&self.values, j))
            };
        }
        t
    }
}

impl FactorCovariance {
    /// As a table: `factor`, then one column per factor.
    pub fn table(&self) -> Table {
        let mut t = Table::default().with("factor", Values::Text(self.factors.clone()));
        for (j, f) in self.factors.iter().enumerate() {
            t = t.with(f, column(&self.values, j));
        }
        t
    }
}

impl SpecificRisk {
    /// As a table: the id, `specific_var`, `residuals`, `filled`.
    pub fn table(&self) -> Table {
        Table::default()
            .with(&self.id_type, Values::Text(self.ids.clone()))
            .with("specific_var", Values::F64(self.specific_var.iter().map(|v| v.unwrap_or(f64::NAN)).collect()))
            .with("residuals", Values::U64(self.residuals.iter().map(|&r| u64::from(r)).collect()))
            .with("filled", Values::Bool(self.filled.clone()))
    }
}

impl Home {
    fn model_row(&self, name: &str) -> Result<store::Row> {
        crate::names::find(name, |n| store::get(self.db(), n))?.ok_or_else(|| Error::not_found("risk model", name))
    }

    fn model_info(&self, row: store::Row) -> Result<RiskModelInfo> {
        let stale = match crate::riskdataset::store::get(self.db(), &row.report.risk_dataset)? {
            None => Some(format!("risk dataset '{}' no longer exists", row.report.risk_dataset)),
            Some(d) if d.file != row.report.dataset_file => Some(format!("risk dataset '{}' was rebuilt ({})", d.name, d.created)),
            Some(_) => None,
        };
        Ok(RiskModelInfo {
            name: row.name,
            status: if stale.is_some() { ModelStatus::Stale } else { ModelStatus::Ready },
            stale_reason: stale,
            settings: row.settings,
            report: row.report,
            created: row.created,
        })
    }

    /// Every risk model, by name.
    pub fn risk_models(&self) -> Result<Vec<RiskModelInfo>> {
        store::all(self.db())?.into_iter().map(|r| self.model_info(r)).collect()
    }

    /// One risk model: its settings, report and status.
    pub fn describe_risk_model(&self, name: &str) -> Result<RiskModelInfo> {
        let row = self.model_row(name)?;
        self.model_info(row)
    }

    /// Estimates and stores the risk model `name` from `settings`. Refuses an existing name
    /// unless `replace`; nothing is stored when estimation fails or is cancelled.
    pub fn create_risk_model(
        &self,
        name: &str,
        settings: &RiskModelSettings,
        replace: bool,
        progress: &Progress<'_>,
    ) -> Result<RiskModelInfo> {
        crate::names::check_name("risk model", name)?;
        settings.check()?;
        let _lock = self.write_locks(&[Scope::RiskModel(name.to_owned()), Scope::RiskDataset(settings.risk_dataset.clone())])?;
        if !replace && store::get(self.db(), name)?.is_some() {
            return Err(Error::conflict(format!("risk model '{name}' already exists; delete it or create with replace"), vec![]));
        }
        self.estimate_and_store(name, settings, None, progress)
    }

    /// Re-estimates a stale model from its risk dataset's current build (a ready one is left
    /// as it is): the leading model dates whose exposures and reference are unchanged are taken
    /// as they were, the rest estimated again; returns it.
    pub fn update_risk_model(&self, name: &str, progress: &Progress<'_>) -> Result<RiskModelInfo> {
        let row = self.model_row(name)?;
        let _lock = self.write_locks(&[Scope::RiskModel(name.to_owned()), Scope::RiskDataset(row.settings.risk_dataset.clone())])?;
        let info = self.model_info(self.model_row(name)?)?;
        if info.status == ModelStatus::Ready {
            return Ok(info);
        }
        let row = self.model_row(name)?;
        let previous = estimate::Previous { stats: self.model_stats(&row)?, residuals: self.local(&row.file)?, report: row.report };
        self.estimate_and_store(name, &info.settings, Some(&previous), progress)
    }

    fn estimate_and_store(
        &self,
        name: &str,
        settings: &RiskModelSettings,
        previous: Option<&estimate::Previous>,
        progress: &Progress<'_>,
    ) -> Result<RiskModelInfo> {
        let objects = self.objects();
        let (file, stats_file) = (objects::new_key(crate::store::home::MODELS), objects::new_key(crate::store::home::MODELS));
        let clean = || {
            let _ = objects.delete(&file);
            let _ = objects.delete(&stats_file);
        };
        let estimated = (|| {
            let report = estimate::estimate(self, settings, previous, &objects.create(&stats_file)?, &objects.create(&file)?, progress)?;
            objects.publish(&stats_file)?;
            objects.publish(&file)?;
            progress.check()?;
            let row = store::Row {
                name: name.to_owned(),
                settings: settings.clone(),
                report,
                file: file.clone(),
                stats_file: stats_file.clone(),
                created: crate::date::now(),
            };
            let old = store::put(self.db(), &row)?;
            Ok(row).map(|row| (row, old))
        })();
        match estimated {
            Ok((row, old)) => {
                for f in old {
                    let _ = objects.delete(&f);
                }
                self.model_info(row)
            }
            Err(e) => {
                clean();
                Err(e)
            }
        }
    }

    /// Deletes a risk model; with `if_exists`, a missing one is not an error. Returns whether one was deleted.
    pub fn delete_risk_model(&self, name: &str, if_exists: bool) -> Result<bool> {
        let _lock = self.write_lock(Scope::RiskModel(name.to_owned()))?;
        match crate::names::find(name, |n| store::delete(self.db(), n))? {
            Some(files) => {
                let objects = self.objects();
                for f in files {
                    let _ = objects.delete(&f);
                }
                Ok(true)
            }
            None if if_exists => Ok(false),
            None => Err(Error::not_found("risk model", name)),
        }
    }

    fn model_stats(&self, row: &store::Row) -> Result<store::Stats> {
        store::Stats::read(&self.local(&row.stats_file)?)
    }

    /// A per-date frame of a model (see [`ModelFrame`]); factor columns are named as `exposures get` names them.
    pub fn risk_model_frame(&self, name: &str, frame: ModelFrame) -> Result<DateFrame> {
        let row = self.model_row(name)?;
        let stats = self.model_stats(&row)?;
        let dates = stats.dates.iter().map(|&d| crate::date::format(d)).collect();
        let per_date = |block: &Vec<Vec<f64>>| block.iter().map(|r| r.iter().map(|&v| finite(v)).collect()).collect();
        let (columns, values) = match frame {
            ModelFrame::Fret => (stats.factors.clone(), per_date(&stats.fret)),
            ModelFrame::StdErrors => (stats.factors.clone(), per_date(&stats.se)),
            ModelFrame::TStats => (stats.factors.clone(), per_date(&stats.t)),
            ModelFrame::PValues => (stats.factors.clone(), per_date(&stats.p)),
            ModelFrame::R2 => (
                vec!["r2".to_owned(), "assets".to_owned()],
                stats.r2.iter().zip(&stats.assets).map(|(&r, &a)| vec![finite(r), Some(f64::from(a))]).collect(),
            ),
            ModelFrame::Sigma2 => (vec!["sigma2".to_owned()], stats.sigma2.iter().map(|&v| vec![finite(v)]).collect()),
        };
        Ok(DateFrame { dates, columns, values })
    }

    /// The position of `date` among the model dates, or an error naming the date and the range.
    fn model_date(name: &str, stats: &store::Stats, date: &str) -> Result<usize> {
        let d = crate::date::parse_arg(date)?;
        stats.dates.binary_search(&d).map_err(|at| {
            let (first, last) = (stats.dates.first().copied().unwrap_or(d), stats.dates.last().copied().unwrap_or(d));
            let before = if at > 0 {
                format!("; the nearest model date before it is {}", crate::date::format(stats.dates[at - 1]))
            } else {
                String::new()
            };
            Error::invalid(format!(
                "{} is not a date of risk model '{name}' (its dates run from {} to {}{before})",
                crate::date::format(d),
                crate::date::format(first),
                crate::date::format(last)
            ))
        })
    }

    /// The factor covariance at `date` (a model date), daily.
    pub fn factor_covariance(&self, name: &str, date: &str) -> Result<FactorCovariance> {
        let row = self.model_row(name)?;
        let stats = self.model_stats(&row)?;
        let at = Self::model_date(name, &stats, date)?;
        let s = &row.settings;
        let cov = covariance::factor_covariance(&stats.fret[..=at], s.halflife_factor_vol, s.halflife_factor_cor, s.nw_lags as usize);
        Ok(FactorCovariance {
            date: crate::date::format(stats.dates[at]),
            factors: stats.factors,
            values: cov.iter().map(|r| r.iter().map(|&v| finite(v)).collect()).collect(),
        })
    }

    /// The assets' specific variances at `date` (a model date), daily: every asset with a
    /// residual up to `date`, by id (see [`SpecificRisk`]).
    pub fn specific_risk(&self, name: &str, date: &str) -> Result<SpecificRisk> {
        let row = self.model_row(name)?;
        let stats = self.model_stats(&row)?;
        let at = Self::model_date(name, &stats, date)?;
        let d = stats.dates[at];
        let reference = self.reference_ids(&row.report.reference_dataset)?;
        let halflife = row.settings.halflife_idio_vol;
        let mut per_asset = vec![covariance::Specific::default(); reference.len()];
        let mut universe_at: Vec<(u32, f64)> = Vec::new();
        store::each_residual(&self.local(&row.file)?, d, |date, asset, residual, cap, universe| {
            let Ok(i) = stats.dates.binary_search(&date) else { return Ok(()) };
            if let Some(s) = per_asset.get_mut(asset as usize) {
                s.add(residual, at - i, halflife);
            }
            if date == d && universe {
                universe_at.push((asset, cap));
            }
            Ok(())
        })?;
        // The fill: the cap-weighted median over the universe's assets with enough residuals
        // (over all of them while none has enough, early in the model's history).
        let enough: Vec<(u32, f64)> = universe_at.iter().copied().filter(|(a, _)| per_asset[*a as usize].count >= MIN_RESIDUALS).collect();
        let pool = if enough.is_empty() { &universe_at } else { &enough };
        let mut estimated: Vec<(f64, f64)> = pool.iter().map(|&(a, cap)| (per_asset[a as usize].variance(), cap)).collect();
        let median = covariance::weighted_median(&mut estimated);
        let mut out =
            SpecificRisk { date: crate::date::format(d), id_type: reference.id_type.clone(), fill: median, ..SpecificRisk::default() };
        for (a, s) in per_asset.iter().enumerate().filter(|(_, s)| s.count > 0) {
            let fill = s.count < MIN_RESIDUALS;
            out.ids.push(reference.asset_id[a].clone());
            out.specific_var.push(if fill { median } else { finite(s.variance()) });
            out.residuals.push(s.count);
            out.filled.push(fill);
        }
        Ok(out)
    }
}
