//! A portfolio's risk report at one model date: the portfolio file's holdings matched to the
//! model's universe (the risk dataset's assets with exposures that date), then decomposed on the
//! model's factor covariance and specific variances of that date. Figures are annualised
//! volatilities (√252 × the daily ones).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::decompose::{ModelAt, Part, decompose};
use crate::riskdataset::{ExposureQuery, Selection};
use crate::riskmodel::view::TRADING_DAYS;
use crate::table::Values;
use crate::{Error, Home, Result};

/// One factor's (or group's) part of a portfolio's risk, annualised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Contribution {
    /// The factor's label (as `exposures get` names it), or the group's name.
    pub factor: String,
    /// The factor's group (its role: `market`, `style`, `industry`, …).
    pub group: String,
    /// The portfolio's exposure to it (1 for a group).
    pub exposure: f64,
    /// Its annualised volatility.
    pub volatility: f64,
    /// The correlation of its return with the portfolio's.
    pub correlation: f64,
    /// exposure × volatility × correlation: its share of the portfolio's annualised volatility.
    pub contribution: f64,
}

/// One holding's part of a portfolio's risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct AssetRisk {
    /// The asset's id, of the portfolio file's id type.
    pub id: String,
    /// Its weight.
    pub weight: f64,
    /// Its share of the portfolio's annualised volatility.
    pub contribution: f64,
}

/// A holding the model cannot see on the date, with its weight (left out of the risk).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Unmatched {
    /// The id as the file gives it.
    pub id: String,
    /// Its weight.
    pub weight: f64,
}

/// A portfolio's risk at one model date, annualised volatilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RiskReport {
    /// The model date (`YYYY-MM-DD`).
    pub date: String,
    /// √(252 × total variance).
    pub total_risk: f64,
    /// √(252 × factor variance).
    pub factor_risk: f64,
    /// √(252 × specific variance).
    pub specific_risk: f64,
    /// Per factor, in the model's order.
    pub contributions: Vec<Contribution>,
    /// Per group (role), in the model's order.
    pub groups: Vec<Contribution>,
    /// The specific part's share of the annualised volatility.
    pub specific_contribution: f64,
    /// Per matched holding, in file order.
    pub assets: Vec<AssetRisk>,
    /// The holdings not in the model's universe on the date.
    pub unmatched: Vec<Unmatched>,
}

impl Home {
    /// The risk report of the portfolio file `portfolio` (its portfolio `name` when it holds
    /// several) on risk model `model` at `date`, a model date.
    pub fn portfolio_risk(&self, model: &str, portfolio: &Path, name: Option<&str>, date: &str) -> Result<RiskReport> {
        let info = self.describe_risk_model(model)?;
        let covariance = self.factor_covariance(model, date)?;
        let day = crate::date::parse_arg(date)?;
        let reference = self.reference_assets(&info.report.reference_dataset)?;
        let mut id_types = vec![reference.id_type.clone()];
        id_types.extend(reference.assets.alt_ids.iter().map(|(t, _)| t.clone()));
        let file = super::file::read(portfolio, &id_types)?;

        // The holdings of that date (or of every date) and of the portfolio asked for.
        let names: Vec<&str> = {
            let mut n: Vec<&str> = file.holdings.iter().map(|h| h.portfolio.as_str()).collect();
            n.sort_unstable();
            n.dedup();
            n
        };
        let chosen = match (name, names.as_slice()) {
            (Some(n), _) if names.contains(&n) => n.to_owned(),
            (Some(n), _) => return Err(Error::invalid(format!("portfolio '{n}' is not in the file (it holds {})", names.join(", ")))),
            (None, [one]) => (*one).to_owned(),
            (None, _) => return Err(Error::invalid(format!("the file holds several portfolios ({}): name one", names.join(", ")))),
        };
        let holdings: Vec<_> = file.holdings.iter().filter(|h| h.portfolio == chosen && h.date.is_none_or(|d| d == day)).collect();
        if holdings.is_empty() {
            return Err(Error::invalid(format!("the portfolio has no holding on {date}")));
        }

        // The model's universe on the date: the risk dataset's exposures, by primary id.
        let layout = self.risk_row(&info.settings.risk_dataset)?.layout;
        let all = |c: &Option<_>| if c.is_some() { Selection::All } else { Selection::None };
        let q = ExposureQuery {
            start: Some(date.to_owned()),
            end: Some(date.to_owned()),
            industries: all(&layout.industry),
            regions: all(&layout.region),
            ..ExposureQuery::default()
        };
        let table = self.exposures(&info.settings.risk_dataset, &q)?;
        let Some(Values::Text(primary)) = table.columns.get(1) else {
            return Err(Error::Internal("the exposures have no id column".into()));
        };
        let row_of: HashMap<&str, usize> = primary.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let columns: Vec<Option<&Vec<f32>>> = covariance
            .factors
            .iter()
            .map(|f| match table.names.iter().position(|n| n == f).map(|c| &table.columns[c]) {
                Some(Values::F32(v)) => Some(v),
                _ => None,
            })
            .collect();
        let to_primary: Option<HashMap<&str, &str>> = reference.assets.alt_ids.iter().find(|(t, _)| *t == file.id_type).map(|(_, alt)| {
            alt.iter().zip(&reference.assets.asset_id).filter_map(|(a, p)| a.as_deref().map(|a| (a, p.as_str()))).collect()
        });
        let specific = self.specific_risk(model, date)?;
        let specific_of: HashMap<&str, f64> =
            specific.ids.iter().zip(&specific.specific_var).filter_map(|(id, v)| v.map(|v| (id.as_str(), v))).collect();

        let (mut exposures, mut variances, mut weights, mut matched, mut unmatched) = (vec![], vec![], vec![], vec![], vec![]);
        for h in &holdings {
            let primary_id = match &to_primary {
                None => Some(h.id.as_str()),
                Some(map) => map.get(h.id.as_str()).copied(),
            };
            let row = primary_id.and_then(|p| row_of.get(p).map(|&r| (p, r)));
            let Some((p, r)) = row else {
                unmatched.push(Unmatched { id: h.id.clone(), weight: h.weight });
                continue;
            };
            exposures.push(
                columns.iter().map(|c| c.map_or(0.0, |v| if v[r].is_finite() { f64::from(v[r]) } else { 0.0 })).collect::<Vec<f64>>(),
            );
            variances.push(specific_of.get(p).copied().or(specific.fill).unwrap_or(0.0));
            weights.push(h.weight);
            matched.push(h.id.clone());
        }
        let group_names: Vec<String> = {
            let mut g: Vec<String> = Vec::new();
            for f in &info.report.factors {
                if !g.iter().any(|x| x == f.role.name()) {
                    g.push(f.role.name().to_owned());
                }
            }
            g
        };
        let group_of: Vec<usize> =
            info.report.factors.iter().map(|f| group_names.iter().position(|g| g == f.role.name()).unwrap_or(0)).collect();
        let cov: Vec<Vec<f64>> = covariance.values.iter().map(|r| r.iter().map(|v| v.unwrap_or(0.0)).collect()).collect();
        let risk = decompose(
            &ModelAt { covariance: &cov, exposures: &exposures, specific: &variances, groups: &group_of, group_count: group_names.len() },
            &weights,
        );
        let year = TRADING_DAYS.sqrt();
        let part = |factor: String, group: String, p: &Part| Contribution {
            factor,
            group,
            exposure: p.exposure,
            volatility: p.volatility * year,
            correlation: p.correlation,
            contribution: p.contribution * year,
        };
        Ok(RiskReport {
            date: covariance.date.clone(),
            total_risk: (risk.total_variance * TRADING_DAYS).sqrt(),
            factor_risk: (risk.factor_variance * TRADING_DAYS).sqrt(),
            specific_risk: (risk.specific_variance * TRADING_DAYS).sqrt(),
            contributions: info
                .report
                .factors
                .iter()
                .zip(&risk.factors)
                .map(|(f, p)| part(f.label.clone(), f.role.name().to_owned(), p))
                .collect(),
            groups: group_names.iter().zip(&risk.groups).map(|(g, p)| part(g.clone(), g.clone(), p)).collect(),
            specific_contribution: risk.specific_contribution * year,
            assets: matched
                .into_iter()
                .zip(&weights)
                .zip(&risk.assets)
                .map(|((id, &weight), &c)| AssetRisk { id, weight, contribution: c * year })
                .collect(),
            unmatched,
        })
    }
}
