//! A portfolio's risk reports over model dates: its holdings matched to the model's universe
//! (the risk dataset's assets with exposures that date), then decomposed on the model's factor
//! covariance and specific variances of that date; with a benchmark, the active weights
//! (portfolio − benchmark) are. Figures are annualised volatilities (√252 × the daily ones).
//!
//! A dated portfolio's holdings of a date hold until its next date: a model date takes the
//! holdings of the latest portfolio date on or before it (dates before the first are left out).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::decompose::{ModelAt, Part, Risk, decompose};
use super::{Portfolio, PortfolioChoice, PortfolioSource, RiskRequest};
use crate::progress::Progress;
use crate::riskdataset::exposures::{Categorical, Scaling};
use crate::riskdataset::{ExposureQuery, Selection};
use crate::riskmodel::view::TRADING_DAYS;
use crate::riskmodel::{Changed, Forecasts};
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
    /// The asset's id, as the portfolio (or, held only there, the benchmark) gives it.
    pub id: String,
    /// Its weight (active: the portfolio's less the benchmark's).
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
    /// Whether it is a holding of the benchmark (else of the portfolio).
    pub benchmark: bool,
}

/// With a benchmark, the portfolio's and the benchmark's own figures beside the active ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct BenchmarkRisk {
    /// The portfolio's total risk alone (annualised).
    pub portfolio_risk: f64,
    /// The benchmark's total risk alone (annualised).
    pub benchmark_risk: f64,
    /// The portfolio's exposure to each factor, in the order of the report's contributions.
    pub portfolio_exposures: Vec<f64>,
    /// The benchmark's exposure to each factor.
    pub benchmark_exposures: Vec<f64>,
}

/// A portfolio's risk at one model date, annualised volatilities; of the active weights when
/// there is a benchmark.
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
    /// Per matched holding, in file order (the portfolio's, then the benchmark's others).
    pub assets: Vec<AssetRisk>,
    /// The holdings not in the model's universe on the date.
    pub unmatched: Vec<Unmatched>,
    /// With a benchmark: the portfolio's and the benchmark's own risk and exposures.
    pub benchmark: Option<BenchmarkRisk>,
}

/// One holding resolved against the reference.
struct Held {
    /// The id as given.
    id: String,
    /// The reference's asset index, if it knows the id.
    asset: Option<u32>,
    weight: f64,
}

/// One side's holdings for each portfolio date (`None`: every date).
struct Book {
    by_date: BTreeMap<Option<i32>, Vec<Held>>,
}

impl Book {
    /// The holdings a model date takes: those of the latest portfolio date on or before it.
    fn at(&self, day: i32) -> Option<&[Held]> {
        if let Some(all) = self.by_date.get(&None) {
            return Some(all);
        }
        self.by_date.range(..=Some(day)).next_back().filter(|(d, _)| d.is_some()).map(|(_, h)| h.as_slice())
    }

    fn first_date(&self) -> Option<i32> {
        self.by_date.keys().next().copied().flatten()
    }
}

/// No row: a slot's asset has no exposures that date.
const NO_ROW: u32 = u32::MAX;

/// One date's exposures of the assets whose forecasts are read (by slot: their index in the
/// sorted list of held assets), `k` factors a row, 0 where an asset has none of a factor.
struct DayExposures {
    /// Each slot's row, [`NO_ROW`] when the asset has no exposures that date.
    row: Vec<u32>,
    values: Vec<f64>,
    k: usize,
}

impl DayExposures {
    /// The exposures of the asset in `slot` (which has a row).
    fn of(&self, slot: usize) -> &[f64] {
        let r = self.row[slot] as usize * self.k;
        &self.values[r..r + self.k]
    }
}

/// A risk's figures annualised, in the model's factor order and groups.
struct Labels<'a> {
    factors: Vec<(String, String)>,
    groups: &'a [String],
}

impl Labels<'_> {
    fn contributions(&self, risk: &Risk) -> (Vec<Contribution>, Vec<Contribution>) {
        let year = TRADING_DAYS.sqrt();
        let part = |factor: &str, group: &str, p: &Part| Contribution {
            factor: factor.to_owned(),
            group: group.to_owned(),
            exposure: p.exposure,
            volatility: p.volatility * year,
            correlation: p.correlation,
            contribution: p.contribution * year,
        };
        (
            self.factors.iter().zip(&risk.factors).map(|((f, g), p)| part(f, g, p)).collect(),
            self.groups.iter().zip(&risk.groups).map(|(g, p)| part(g, g, p)).collect(),
        )
    }
}

fn annual(variance: f64) -> f64 {
    (variance * TRADING_DAYS).sqrt()
}

impl Home {
    /// The holdings `choice` names: sent along or saved, and the one portfolio among them.
    fn chosen_holdings(&self, choice: &PortfolioChoice, id_types: &[String]) -> Result<Portfolio> {
        let mut portfolio = match &choice.source {
            PortfolioSource::Holdings(p) => p.clone(),
            PortfolioSource::Saved(name) => self.saved_portfolio(name)?,
        };
        let Some(id_type) = id_types.iter().find(|t| t.eq_ignore_ascii_case(&portfolio.id_type)) else {
            return Err(Error::invalid(format!(
                "{}: its ids are of type '{}', which the model's reference does not know (it has {})",
                portfolio.source,
                portfolio.id_type,
                id_types.join(", ")
            )));
        };
        portfolio.id_type = id_type.clone();
        let names = portfolio.names();
        let chosen = match (&choice.name, names.as_slice()) {
            (Some(n), _) if names.contains(n) => n.clone(),
            (Some(n), _) => {
                return Err(Error::invalid(format!("portfolio '{n}' is not in {} (it holds {})", portfolio.source, names.join(", "))));
            }
            (None, [one]) => one.clone(),
            (None, _) => {
                return Err(Error::invalid(format!("{} holds several portfolios ({}): name one", portfolio.source, names.join(", "))));
            }
        };
        portfolio.holdings.retain(|h| h.portfolio == chosen);
        if portfolio.holdings.is_empty() {
            return Err(Error::invalid(format!("{} holds no asset", portfolio.source)));
        }
        Ok(portfolio)
    }

    /// The risk reports `request` asks for, one per model date in its range, in date order.
    pub fn portfolio_risk(&self, request: &RiskRequest, progress: &Progress<'_>) -> Result<Vec<RiskReport>> {
        Ok(self.risk_reports(request, &[&Changed::default()], progress)?.remove(0))
    }

    /// [`Home::portfolio_risk`] once per variant of the model: each as if the model's returns,
    /// residuals and exposures of some dates were those (`Changed::default()`: as stored).
    /// The variants share one read of the model and of the exposures.
    pub(crate) fn risk_reports(
        &self,
        request: &RiskRequest,
        variants: &[&Changed],
        progress: &Progress<'_>,
    ) -> Result<Vec<Vec<RiskReport>>> {
        let model = &request.model;
        let info = self.describe_risk_model(model)?;
        let loaded = self.load_model(model)?;
        let dates = loaded.dates(request.start.as_deref(), request.end.as_deref())?;
        // The model's exposures (every industry and region column) over the dates, and the
        // reference they are of.
        let layout = self.risk_row(&info.settings.risk_dataset)?.layout;
        let all = |c: &Option<_>| if c.is_some() { Selection::All } else { Selection::None };
        let q = ExposureQuery {
            start: dates.first().map(|d| crate::date::format(*d)),
            end: dates.last().map(|d| crate::date::format(*d)),
            industries: all(&layout.industry),
            regions: all(&layout.region),
            ..ExposureQuery::default()
        };
        let mut query = self.exposure_query(&info.settings.risk_dataset, &q)?;
        let reference = query.reference();
        let id_types = reference.id_types();
        let index: HashMap<&str, u32> = reference.asset_id.iter().enumerate().map(|(i, a)| (a.as_str(), i as u32)).collect();

        // Each side's holdings by date, matched to the reference's assets.
        let book = |choice: &PortfolioChoice| -> Result<(Book, String)> {
            let p = self.chosen_holdings(choice, &id_types)?;
            let alt = reference.alt_ids.iter().find(|(t, _)| *t == p.id_type).map(|(_, alt)| alt);
            let of: HashMap<&str, u32> = match alt {
                None => index.clone(),
                Some(alt) => alt.iter().enumerate().filter_map(|(i, a)| a.as_deref().map(|a| (a, i as u32))).collect(),
            };
            let mut by_date: BTreeMap<Option<i32>, Vec<Held>> = BTreeMap::new();
            for h in &p.holdings {
                let day = h.date.as_deref().map(crate::date::parse_arg).transpose()?;
                by_date.entry(day).or_default().push(Held { id: h.id.clone(), asset: of.get(h.id.as_str()).copied(), weight: h.weight });
            }
            Ok((Book { by_date }, p.source))
        };
        let (portfolio, source) = book(&request.portfolio)?;
        let benchmark = request.benchmark.as_ref().map(book).transpose()?;
        let dates: Vec<i32> =
            dates.into_iter().filter(|&d| portfolio.at(d).is_some() && benchmark.as_ref().is_none_or(|(b, _)| b.at(d).is_some())).collect();
        if dates.is_empty() {
            let first = [Some(&portfolio), benchmark.as_ref().map(|b| &b.0)].into_iter().flatten().filter_map(Book::first_date).max();
            return Err(Error::invalid(format!(
                "{source} has no holdings on the dates asked for (its first date is {})",
                first.map_or_else(|| "unknown".to_owned(), crate::date::format)
            )));
        }

        // The assets whose forecasts are needed: every holding the reference knows.
        let mut assets: Vec<u32> = [Some(&portfolio), benchmark.as_ref().map(|b| &b.0)]
            .into_iter()
            .flatten()
            .flat_map(|b| b.by_date.values().flatten().filter_map(|h| h.asset))
            .collect();
        assets.sort_unstable();
        assets.dedup();
        let slot: rustc_hash::FxHashMap<u32, usize> = assets.iter().enumerate().map(|(i, &a)| (a, i)).collect();
        let forecasts = self.model_forecasts(&loaded, &dates, &assets, reference.asset_id.len(), variants, progress)?;

        let groups: Vec<String> = {
            let mut g: Vec<String> = Vec::new();
            for f in &info.report.factors {
                if !g.iter().any(|x| x == f.role.name()) {
                    g.push(f.role.name().to_owned());
                }
            }
            g
        };
        let group_of: Vec<usize> =
            info.report.factors.iter().map(|f| groups.iter().position(|g| g == f.role.name()).unwrap_or(0)).collect();
        let labels =
            Labels { factors: info.report.factors.iter().map(|f| (f.label.clone(), f.role.name().to_owned())).collect(), groups: &groups };
        let factors: Vec<String> = info.report.factors.iter().map(|f| f.label.clone()).collect();

        // The exposures of the wanted assets, date by date (read and shaped in parallel).
        query.keep_only(assets.iter().copied());
        // Exposure buffers handed back once a date is reported, for a later date to fill (a
        // fresh one a date costs the kernel's page faults: it is larger than malloc keeps).
        let spare: std::sync::Mutex<Vec<Vec<f64>>> = std::sync::Mutex::default();
        let work = |shaped: crate::riskdataset::exposures::Shaped| -> DayExposures {
            let columns: Vec<Option<&Vec<f32>>> = factors
                .iter()
                .map(|f| match shaped.table.names.iter().position(|n| n == f).map(|c| &shaped.table.columns[c]) {
                    Some(Values::F32(v)) => Some(v),
                    _ => None,
                })
                .collect();
            let k = factors.len();
            let mut values = spare.lock().expect("not poisoned").pop().unwrap_or_default();
            values.clear();
            values.reserve(shaped.refs.len() * k);
            let mut day = DayExposures { row: vec![NO_ROW; assets.len()], values, k };
            for (r, a) in shaped.refs.iter().enumerate() {
                let Some(&held) = a.and_then(|a| slot.get(&a)) else { continue };
                day.row[held] = (day.values.len() / k) as u32;
                day.values.extend(columns.iter().map(|c| c.map_or(0.0, |v| if v[r].is_finite() { f64::from(v[r]) } else { 0.0 })));
            }
            day
        };
        // Changed exposures of the dates asked for, shaped as the stored ones are, per variant.
        let mut replaced: Vec<HashMap<i32, DayExposures>> = Vec::with_capacity(variants.len());
        for changed in variants {
            let mut of_variant = HashMap::new();
            for (&day, built) in changed.exposures.range(dates[0]..=dates[dates.len() - 1]) {
                if dates.binary_search(&day).is_ok() {
                    let caps = self.market_caps(&info.report.reference_dataset, day)?.day(day)?;
                    of_variant.insert(day, work(query.shape_as(built, Scaling::Caps(&caps), Categorical::Indicators)));
                }
            }
            replaced.push(of_variant);
        }
        // One date's report of one variant.
        let report = |t: usize, exposures: &DayExposures, forecasts: &Forecasts| -> RiskReport {
            let day = dates[t];
            let cov: Vec<Vec<f64>> =
                forecasts.covariance[t].iter().map(|r| r.iter().map(|v| if v.is_finite() { *v } else { 0.0 }).collect()).collect();
            let specific = &forecasts.specific[t];
            // The matched holdings by asset slot, first seen first (the portfolio's order): the
            // id as first given, and the portfolio's and the benchmark's weights.
            let mut at = vec![NO_ROW; assets.len()];
            let mut held: Vec<(usize, &str, f64, f64)> = Vec::new();
            let mut unmatched = Vec::new();
            let sides = [Some((&portfolio, false)), benchmark.as_ref().map(|(b, _)| (b, true))];
            for (book, is_benchmark) in sides.into_iter().flatten() {
                for Held { id, asset, weight } in book.at(day).unwrap_or_default() {
                    match asset.and_then(|a| slot.get(&a)).copied().filter(|&s| exposures.row[s] != NO_ROW) {
                        Some(s) => {
                            if at[s] == NO_ROW {
                                at[s] = held.len() as u32;
                                held.push((s, id, 0.0, 0.0));
                            }
                            let entry = &mut held[at[s] as usize];
                            if is_benchmark { entry.3 += weight } else { entry.2 += weight }
                        }
                        None => unmatched.push(Unmatched { id: id.clone(), weight: *weight, benchmark: is_benchmark }),
                    }
                }
            }
            let x: Vec<&[f64]> = held.iter().map(|h| exposures.of(h.0)).collect();
            let s: Vec<f64> = held.iter().map(|h| specific[h.0]).collect();
            let m = ModelAt { covariance: &cov, exposures: &x, specific: &s, groups: &group_of, group_count: groups.len() };
            let w: Vec<f64> = held.iter().map(|h| h.2 - h.3).collect();
            let risk = decompose(&m, &w);
            let (contributions, group_parts) = labels.contributions(&risk);
            let benchmark = benchmark.as_ref().map(|_| {
                let own = |pick: fn(&(usize, &str, f64, f64)) -> f64| decompose(&m, &held.iter().map(pick).collect::<Vec<f64>>());
                let (p, b) = (own(|h| h.2), own(|h| h.3));
                BenchmarkRisk {
                    portfolio_risk: annual(p.total_variance),
                    benchmark_risk: annual(b.total_variance),
                    portfolio_exposures: p.factors.iter().map(|f| f.exposure).collect(),
                    benchmark_exposures: b.factors.iter().map(|f| f.exposure).collect(),
                }
            });
            let year = TRADING_DAYS.sqrt();
            RiskReport {
                date: crate::date::format(day),
                total_risk: annual(risk.total_variance),
                factor_risk: annual(risk.factor_variance),
                specific_risk: annual(risk.specific_variance),
                contributions,
                groups: group_parts,
                specific_contribution: risk.specific_contribution * year,
                assets: held
                    .iter()
                    .zip(&w)
                    .zip(&risk.assets)
                    .map(|((h, &weight), &c)| AssetRisk { id: h.1.to_owned(), weight, contribution: c * year })
                    .collect(),
                unmatched,
                benchmark,
            }
        };
        let mut reports: Vec<Vec<RiskReport>> = variants.iter().map(|_| Vec::with_capacity(dates.len())).collect();
        let mut t = 0;
        query.map_days(self, &dates, Categorical::Indicators, &work, &mut |stored| {
            for (v, out) in reports.iter_mut().enumerate() {
                out.push(report(t, replaced[v].get(&dates[t]).unwrap_or(&stored), &forecasts[v]));
            }
            spare.lock().expect("not poisoned").push(stored.values);
            t += 1;
            progress.report("risk", t as u64, dates.len() as u64, format!("{} of {} dates", t, dates.len()));
            progress.check()
        })?;
        Ok(reports)
    }
}
