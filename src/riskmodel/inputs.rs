//! What a model's regressions were made of, for reports that show it (the server's answers to
//! the platform client's `market_caps` and `future_asset_returns`): the exposure-weighted market
//! caps of each date's estimation universe, and each asset's return on the date after its
//! exposures.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{DateFrame, ModelStatus, store};
use crate::riskdataset::exposures::{Categorical, ExposureQuery, Selection};
use crate::table::Values;
use crate::{Error, Home, Result};

/// The returns that follow each date of a risk dataset: what a model regresses on that date's
/// exposures, before clipping.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NextReturns {
    /// Every date of the risk dataset (`YYYY-MM-DD`), ascending.
    pub dates: Vec<String>,
    /// The id type of the ids.
    pub id_type: String,
    /// Per date, the assets of the risk dataset on it with a return on the next date: (id,
    /// return). The last date has none.
    pub returns: Vec<Vec<(String, f64)>>,
}

impl Home {
    /// Per model date, the exposure-weighted market caps of that date's estimation universe:
    /// for each factor, the sum of exposure × market cap over the assets regressed that date,
    /// both of the exposures' date (the risk dataset's date before it); for an industry or a
    /// region, the total market cap of its members. Columns are the model's factors, named as
    /// `exposures get` names them. The model must be ready (its risk dataset not rebuilt since).
    pub fn risk_model_mcap_exposures(&self, name: &str) -> Result<DateFrame> {
        let row = self.model_row(name)?;
        let info = self.model_info(row.clone())?;
        if info.status == ModelStatus::Stale {
            return Err(Error::invalid(format!(
                "risk model '{name}' is stale ({}): update it first",
                info.stale_reason.unwrap_or_default()
            )));
        }
        let stats = self.model_stats(&row)?;
        let dataset = self.risk_row(&row.settings.risk_dataset)?;
        let layout = &dataset.layout;
        // The estimator's own query, so that the exposures are the regressions'.
        let all_of = |c: bool| if c { Selection::All } else { Selection::None };
        let q = ExposureQuery {
            industries: all_of(layout.industry.is_some()),
            regions: all_of(layout.region.is_some()),
            ..ExposureQuery::default()
        };
        let query = self.exposure_query(&row.settings.risk_dataset, &q)?;
        let dates = query.dates()?;
        let exposure_dates: Vec<i32> = stats
            .dates
            .iter()
            .map(|t| match dates.binary_search(t) {
                Ok(k) if k > 0 => Ok(dates[k - 1]),
                _ => Err(Error::Internal(format!("model date {} has no exposures date", crate::date::format(*t)))),
            })
            .collect::<Result<_>>()?;

        // The estimation universe of every model date, with its caps, as the estimation stored it.
        let mut universe: Vec<Vec<(u32, f64)>> = vec![Vec::new(); stats.dates.len()];
        if let Some(&last) = stats.dates.last() {
            store::each_residual(&self.local(&row.file)?, last, |date, asset, _, cap, member| {
                if let (true, Ok(i)) = (member, stats.dates.binary_search(&date)) {
                    universe[i].push((asset, cap));
                }
                Ok(())
            })?;
        }

        let column_of: FxHashMap<&str, usize> = stats.factors.iter().enumerate().map(|(j, f)| (f.as_str(), j)).collect();
        let mut values: Vec<Vec<Option<f64>>> = Vec::with_capacity(stats.dates.len());
        query.map_days(self, &exposure_dates, Categorical::Indicators, &|shaped| shaped, &mut |shaped| {
            let members = &universe[values.len()];
            let cap_of: FxHashMap<u32, f64> = members.iter().copied().collect();
            let caps: Vec<f64> = shaped.refs.iter().map(|a| a.and_then(|a| cap_of.get(&a).copied()).unwrap_or(0.0)).collect();
            let mut sums = vec![0.0f64; stats.factors.len()];
            for (name, column) in shaped.table.names.iter().zip(&shaped.table.columns) {
                let (Some(&j), Values::F32(x)) = (column_of.get(name.as_str()), column) else { continue };
                sums[j] = x.iter().zip(&caps).filter(|(x, cap)| **cap > 0.0 && x.is_finite()).map(|(x, cap)| f64::from(*x) * cap).sum();
            }
            values.push(sums.into_iter().map(Some).collect());
            Ok(())
        })?;
        Ok(DateFrame { dates: stats.dates.iter().map(|&d| crate::date::format(d)).collect(), columns: stats.factors.clone(), values })
    }

    /// The returns that follow each date of risk dataset `dataset`, by id of `id_type` (the
    /// reference's primary id type when `None`): see [`NextReturns`].
    pub fn next_returns(&self, dataset: &str, id_type: Option<&str>) -> Result<NextReturns> {
        let row = self.risk_row(dataset)?;
        let reference = &row.report.reference_dataset;
        let q =
            ExposureQuery { id_type: id_type.map(str::to_owned), styles: Selection::None, standardize: false, ..ExposureQuery::default() };
        let query = self.exposure_query(dataset, &q)?;
        let dates = query.dates()?;
        let mut out = NextReturns {
            dates: dates.iter().map(|&d| crate::date::format(d)).collect(),
            id_type: query.id_type().to_owned(),
            returns: Vec::with_capacity(dates.len()),
        };
        if let Some(&second) = dates.get(1) {
            let mut returns = self.returns(reference, second)?;
            query.map_days(self, &dates[..dates.len() - 1], Categorical::Labels, &|shaped| shaped, &mut |shaped| {
                let next = dates[out.returns.len() + 1];
                let return_of: FxHashMap<u32, f64> = returns.day(next)?.into_iter().collect();
                let Some(Values::Text(ids)) = shaped.table.columns.get(1) else {
                    return Err(Error::Internal("the exposures have no id column".into()));
                };
                let day = shaped
                    .refs
                    .iter()
                    .zip(ids)
                    .filter_map(|(asset, id)| asset.and_then(|a| return_of.get(&a)).filter(|r| r.is_finite()).map(|&r| (id.clone(), r)))
                    .collect();
                out.returns.push(day);
                Ok(())
            })?;
        }
        out.returns.resize(dates.len(), Vec::new());
        Ok(out)
    }
}
