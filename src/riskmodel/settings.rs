//! Risk model settings (JSON), with the platform's `ModelConstructionSettings` field names where
//! it has them, plus the risk dataset the model is estimated from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Everything a risk model is estimated from. Unknown fields are refused by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct RiskModelSettings {
    /// The risk dataset whose exposures, returns and market caps the model uses.
    pub risk_dataset: String,
    /// The regression weights: `SqrtCap` (√ market cap, the default) or `Equal`.
    #[serde(default)]
    pub weights: Weights,
    /// Asset returns are clipped to `[low, high]` before the regression; `null` leaves that side
    /// open. Default `[-0.1, 0.1]`.
    #[serde(default = "clip_bounds")]
    pub return_clip_bounds: (Option<f64>, Option<f64>),
    /// The zero-sum constraint of each categorical factor group (industry, region), by group
    /// name; a group not named gets `mcap_weighted`.
    #[serde(default)]
    pub zero_sum_constraints: BTreeMap<String, ZeroSum>,
    /// Per categorical factor group, the minimum effective number of assets of a member: a member
    /// below it is shrunk toward 0 (a ridge penalty of `(threshold − n_eff)` × the mean regression
    /// weight). None by default.
    #[serde(default)]
    pub thin_category_shrinkage: BTreeMap<String, f64>,
    /// Half-life, in model dates, of the factor volatilities' exponential weights. Default 42.
    #[serde(default = "h42")]
    pub halflife_factor_vol: f64,
    /// Half-life, in model dates, of the factor correlations' exponential weights. Default 126.
    #[serde(default = "h126")]
    pub halflife_factor_cor: f64,
    /// Half-life, in model dates, of the specific variances' exponential weights. Default 42.
    #[serde(default = "h42")]
    pub halflife_idio_vol: f64,
    /// Newey–West lags of the factor covariance (Bartlett weights). Default 0.
    #[serde(default)]
    pub nw_lags: u32,
}

/// The regression weights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub enum Weights {
    /// √ market cap at the exposures' date.
    #[default]
    SqrtCap,
    /// Every asset of the estimation universe alike.
    Equal,
}

/// A categorical group's zero-sum constraint on its factor returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ZeroSum {
    /// No constraint (only sound without a market factor and with a single categorical group).
    None,
    /// The factor returns sum to 0.
    EqualWeights,
    /// The factor returns weighted by each member's total market cap in the estimation universe
    /// sum to 0.
    #[default]
    McapWeighted,
}

fn clip_bounds() -> (Option<f64>, Option<f64>) {
    (Some(-0.1), Some(0.1))
}

fn h42() -> f64 {
    42.0
}

fn h126() -> f64 {
    126.0
}

/// The most Newey–West lags accepted (more would need more history than any model has).
pub const MAX_NW_LAGS: u32 = 63;

/// The longest half-life accepted, in model dates (a hundred years of trading days).
pub const MAX_HALFLIFE: f64 = 25_200.0;

impl RiskModelSettings {
    /// The defaults for the risk dataset `risk_dataset`.
    pub fn new(risk_dataset: &str) -> RiskModelSettings {
        RiskModelSettings {
            risk_dataset: risk_dataset.to_owned(),
            weights: Weights::SqrtCap,
            return_clip_bounds: clip_bounds(),
            zero_sum_constraints: BTreeMap::new(),
            thin_category_shrinkage: BTreeMap::new(),
            halflife_factor_vol: h42(),
            halflife_factor_cor: h126(),
            halflife_idio_vol: h42(),
            nw_lags: 0,
        }
    }

    /// Parses settings from JSON, naming the field of any problem.
    pub fn from_json(text: &str) -> Result<RiskModelSettings> {
        let settings: RiskModelSettings =
            serde_json::from_str(text).map_err(|e| Error::invalid(format!("the risk model settings cannot be read: {e}")))?;
        settings.check()?;
        Ok(settings)
    }

    /// Refuses impossible values, naming the field.
    pub fn check(&self) -> Result<()> {
        if self.risk_dataset.trim().is_empty() {
            return Err(Error::invalid("risk_dataset: name the risk dataset to estimate the model from"));
        }
        let (low, high) = self.return_clip_bounds;
        if low.is_some_and(|l| !l.is_finite() || l > 0.0) {
            return Err(Error::invalid(format!("return_clip_bounds: the lower bound {} must be 0 or negative", low.unwrap_or_default())));
        }
        if high.is_some_and(|h| !h.is_finite() || h < 0.0) {
            return Err(Error::invalid(format!("return_clip_bounds: the upper bound {} must be 0 or positive", high.unwrap_or_default())));
        }
        for (field, h) in [
            ("halflife_factor_vol", self.halflife_factor_vol),
            ("halflife_factor_cor", self.halflife_factor_cor),
            ("halflife_idio_vol", self.halflife_idio_vol),
        ] {
            if !(h.is_finite() && h > 0.0 && h <= MAX_HALFLIFE) {
                return Err(Error::invalid(format!("{field}: {h} is not a half-life in model dates (above 0, at most {MAX_HALFLIFE})")));
            }
        }
        if self.nw_lags > MAX_NW_LAGS {
            return Err(Error::invalid(format!("nw_lags: {} is more than the {MAX_NW_LAGS} lags accepted", self.nw_lags)));
        }
        for (group, threshold) in &self.thin_category_shrinkage {
            if !(threshold.is_finite() && *threshold >= 0.0 && *threshold <= 1e6) {
                return Err(Error::invalid(format!(
                    "thin_category_shrinkage: '{group}' has {threshold}; expected a number of assets from 0 to 1000000"
                )));
            }
        }
        Ok(())
    }

    /// Refuses constraints and shrinkage naming a group that is not one of the dataset's
    /// categorical `groups`.
    pub(crate) fn check_groups(&self, groups: &[&str]) -> Result<()> {
        let known = || if groups.is_empty() { "it has none".to_owned() } else { format!("it has {}", groups.join(", ")) };
        for (field, named) in [
            ("zero_sum_constraints", self.zero_sum_constraints.keys().collect::<Vec<_>>()),
            ("thin_category_shrinkage", self.thin_category_shrinkage.keys().collect()),
        ] {
            if let Some(g) = named.into_iter().find(|g| !groups.contains(&g.as_str())) {
                return Err(Error::invalid(format!(
                    "{field}: '{g}' is not a categorical factor group of risk dataset '{}' ({})",
                    self.risk_dataset,
                    known()
                )));
            }
        }
        Ok(())
    }

    /// The constraint of the categorical group `group`.
    pub(crate) fn constraint(&self, group: &str) -> ZeroSum {
        self.zero_sum_constraints.get(group).copied().unwrap_or_default()
    }

    /// Clips a return to the bounds.
    pub(crate) fn clip(&self, r: f64) -> f64 {
        let (low, high) = self.return_clip_bounds;
        let r = low.map_or(r, |l| r.max(l));
        high.map_or(r, |h| r.min(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_refusals_name_the_field() {
        let s = RiskModelSettings::from_json(r#"{"risk_dataset": "R"}"#).unwrap();
        assert_eq!(s, RiskModelSettings::new("R"));
        assert_eq!(s.clip(0.5), 0.1);
        assert_eq!(s.clip(-0.5), -0.1);
        let open = RiskModelSettings::from_json(r#"{"risk_dataset": "R", "return_clip_bounds": [null, null]}"#).unwrap();
        assert_eq!(open.clip(0.5), 0.5);
        let refused = |json: &str| RiskModelSettings::from_json(json).unwrap_err().to_string();
        assert!(refused(r#"{"risk_dataset": "R", "weight": "Equal"}"#).contains("unknown field `weight`"));
        assert!(refused(r#"{"risk_dataset": "R", "weights": "Cap"}"#).contains("unknown variant `Cap`"));
        assert!(refused(r#"{"risk_dataset": "R", "halflife_factor_vol": 0}"#).starts_with("halflife_factor_vol: 0"));
        assert!(refused(r#"{"risk_dataset": "R", "return_clip_bounds": [0.1, 0.2]}"#).starts_with("return_clip_bounds"));
        assert!(refused(r#"{"risk_dataset": "R", "nw_lags": 1000}"#).starts_with("nw_lags"));
        assert!(refused(r#"{"risk_dataset": "R", "zero_sum_constraints": {"industry": "sum"}}"#).contains("unknown variant `sum`"));
        let s = RiskModelSettings::from_json(r#"{"risk_dataset": "R", "zero_sum_constraints": {"sector": "none"}}"#).unwrap();
        assert!(s.check_groups(&["industry"]).unwrap_err().to_string().starts_with("zero_sum_constraints: 'sector'"));
        assert_eq!(s.constraint("sector"), ZeroSum::None);
        assert_eq!(s.constraint("industry"), ZeroSum::McapWeighted);
    }
}
