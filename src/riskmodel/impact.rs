//! The model impact of staged data, before any commit: the dates of the risk dataset the staged
//! dates replace are assembled again as a build would (`riskdataset::build::assemble_with`),
//! the model dates whose regressions read them are fitted again, and the result is compared
//! with the stored model: factor returns, t-stats, R², the estimation universe, the assets that
//! drive the changes, and the risk of every saved portfolio at the model's last date. Nothing
//! is stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Changed;
use super::estimate::{self, Job};
use super::settings::Weights;
use crate::frame::Exposures;
use crate::portfolio::{PortfolioChoice, PortfolioSource, RiskRequest};
use crate::progress::Progress;
use crate::riskdataset::exposures::{Categorical, Scaling, Shaped};
use crate::table::Values;
use crate::{Error, Home, Result};

/// How many assets are named as the drivers of a date's changes.
const DRIVERS: usize = 10;

/// What committing the staged data of a dataset would do to a risk model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ModelImpact {
    /// The exposure dataset whose staged data is weighed.
    pub dataset: String,
    /// The risk model.
    pub model: String,
    /// Per model date re-estimated, in date order.
    pub dates: Vec<DateImpact>,
    /// The risk of every saved portfolio at the model's last date, as it is and as it would be.
    pub portfolios: Vec<PortfolioImpact>,
    /// What was not weighed, and why (new dates, factors the risk dataset has no column for,
    /// portfolios that cannot be reported).
    pub notes: Vec<String>,
}

/// One model date fitted again with the staged exposures of the date before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct DateImpact {
    /// The model date (the returns' date, `YYYY-MM-DD`).
    pub date: String,
    /// The staged date whose exposures the regression reads.
    pub exposures_date: String,
    /// The weighted R² now (none: the returns do not vary). Figures a fit cannot give (a factor
    /// without members) are none.
    pub r2_before: Option<f64>,
    /// The weighted R² with the staged data.
    pub r2_after: Option<f64>,
    /// The estimation universe's size now.
    pub assets_before: u32,
    /// The estimation universe's size with the staged data.
    pub assets_after: u32,
    /// Per factor, in the model's order.
    pub factors: Vec<FactorImpact>,
    /// The assets whose exposures changed most, weighted by their regression weight, largest first.
    pub drivers: Vec<Driver>,
}

/// One factor's return and t-stat at a model date, now and with the staged data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct FactorImpact {
    /// The factor's label (as `exposures get` names it).
    pub factor: String,
    /// Its factor return now.
    pub fret_before: Option<f64>,
    /// Its factor return with the staged data.
    pub fret_after: Option<f64>,
    /// Its t-stat now.
    pub t_before: Option<f64>,
    /// Its t-stat with the staged data.
    pub t_after: Option<f64>,
}

/// An asset whose exposures change, with its weight in the regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Driver {
    /// The asset's primary id.
    pub id: String,
    /// Its regression weight (√cap or 1, as the model's settings say; 0 outside the estimation universe).
    pub weight: f64,
    /// weight × the length of its exposure change over every factor (a category changed counts √2).
    pub change: f64,
    /// The factor whose exposure changes most (its label), or the category changed (`industry: A → B`).
    pub factor: String,
    /// That exposure now (none: no value, or a category).
    pub before: Option<f64>,
    /// That exposure with the staged data.
    pub after: Option<f64>,
}

/// A saved portfolio's total risk (annualised) at the model's last date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PortfolioImpact {
    /// The saved portfolio (`name` or `name/portfolio` when it holds several).
    pub portfolio: String,
    /// The model date.
    pub date: String,
    /// Its total risk now.
    pub before: f64,
    /// Its total risk with the staged data.
    pub after: f64,
}

impl Home {
    /// What committing the data staged for `dataset` would do to risk model `model`, whose risk
    /// dataset must be built on `dataset`. Each staged date stands for the dataset's rows of that
    /// date (as `overwrite_dates` commits them).
    pub fn model_impact(&self, dataset: &str, model: &str, progress: &Progress<'_>) -> Result<ModelImpact> {
        let row = self.model_row(model)?;
        let stats = self.model_stats(&row)?;
        let settings = &row.settings;
        let risk = self.risk_row(&settings.risk_dataset)?;
        let staged = self.uploader(dataset)?.staged_data(None)?;
        if staged.is_empty() {
            return Err(Error::invalid(format!("nothing is staged for dataset '{dataset}': stage files first")));
        }
        let mut by_date: BTreeMap<i32, Vec<Exposures>> = BTreeMap::new();
        for (_, frame) in staged {
            // A file of one date (as staged files usually are) goes whole.
            if let Some(&first) = frame.date.first()
                && frame.date.iter().all(|&d| d == first)
            {
                by_date.entry(first).or_default().push(frame);
                continue;
            }
            let mut rows: BTreeMap<i32, Vec<u32>> = BTreeMap::new();
            for (r, &d) in frame.date.iter().enumerate() {
                rows.entry(d).or_default().push(r as u32);
            }
            for (d, rows) in rows {
                by_date.entry(d).or_default().push(frame.take(&rows));
            }
        }
        let replaced: BTreeMap<i32, Exposures> = by_date
            .into_iter()
            .map(|(d, mut parts)| (d, if parts.len() == 1 { parts.remove(0) } else { Exposures::concat(&parts) }))
            .collect();
        let (built, unknown) =
            crate::riskdataset::build::assemble_with(self, &settings.risk_dataset, dataset, &replaced).map_err(|e| match e {
                Error::InvalidInput { message, .. } if message.contains("is not built on") => Error::invalid(format!(
                    "risk model '{model}' is estimated on risk dataset '{}', which is not built on exposure dataset '{dataset}'",
                    settings.risk_dataset
                )),
                other => other,
            })?;
        let mut notes = Vec::new();
        if !unknown.is_empty() {
            notes.push(format!(
                "staged factors {} are not columns of risk dataset '{}': a rebuild would add them, so they are left out here",
                unknown.join(", "),
                settings.risk_dataset
            ));
        }

        let (factors, shape) = estimate::model_shape(settings, &risk.layout)?;
        let query = self.exposure_query(&settings.risk_dataset, &estimate::model_query(&risk.layout))?;
        let dataset_dates = query.dates()?;
        let reference = &risk.report.reference_dataset;
        let reference_assets = query.reference();

        // The staged dates a regression reads: each with the model date after it.
        let mut jobs: Vec<(i32, i32, usize, &crate::riskdataset::built::Built)> = Vec::new();
        for (&day, b) in replaced.keys().zip(&built) {
            let next = dataset_dates.binary_search(&day).ok().and_then(|i| dataset_dates.get(i + 1).copied());
            let date = crate::date::format(day);
            match next {
                _ if dataset_dates.binary_search(&day).is_err() => notes.push(format!(
                    "{date} is not a date of risk dataset '{}' yet: the model gains it when the dataset and the model are updated",
                    settings.risk_dataset
                )),
                None => notes.push(format!(
                    "{date} is the last date of risk dataset '{}': no regression reads its exposures yet (they enter the portfolios' risk at {date})",
                    settings.risk_dataset
                )),
                Some(n) => match stats.dates.binary_search(&n) {
                    Ok(t) => jobs.push((day, n, t, b)),
                    Err(_) => notes.push(format!("{}: the model has no factor returns that date", crate::date::format(n))),
                },
            }
        }

        let mut changed = Changed::default();
        let mut dates = Vec::with_capacity(jobs.len());
        for (i, &(day, n, t, b)) in jobs.iter().enumerate() {
            progress.report("impact", i as u64, jobs.len() as u64, format!("fitting {} again", crate::date::format(n)));
            progress.check()?;
            let caps = self.market_caps(reference, day)?.day(day)?;
            let returns = self.returns(reference, n)?.day(n)?;
            let mut stored: Option<Shaped> = None;
            query.map_days(self, &[day], Categorical::Labels, &|s| s, &mut |s| {
                stored = Some(s);
                Ok(())
            })?;
            let before = stored.ok_or_else(|| Error::Internal(format!("risk dataset date {} cannot be read", crate::date::format(day))))?;
            let after = query.shape_as(b, Scaling::Caps(&caps), Categorical::Labels);
            let drivers = drivers(&before, &after, &caps, settings.weights, &shape, reference_assets);
            let job = Job { exposures_date: day, date: n, shaped: after, caps, returns };
            let Some(fit) = estimate::fit_day(&job, settings, &shape)? else {
                notes.push(format!(
                    "{}: with the staged data no asset has both exposures on {} and a return",
                    crate::date::format(n),
                    crate::date::format(day)
                ));
                continue;
            };
            dates.push(DateImpact {
                date: crate::date::format(n),
                exposures_date: crate::date::format(day),
                r2_before: finite(stats.r2[t]),
                r2_after: finite(fit.fit.r2),
                assets_before: stats.assets[t],
                assets_after: fit.assets,
                factors: factors
                    .iter()
                    .enumerate()
                    .map(|(k, f)| FactorImpact {
                        factor: f.label.clone(),
                        fret_before: finite(stats.fret[t][k]),
                        fret_after: finite(fit.fit.factor_returns[k]),
                        t_before: finite(stats.t[t][k]),
                        t_after: finite(fit.fit.t_stats[k]),
                    })
                    .collect(),
                drivers,
            });
            changed.fret.insert(n, fit.fit.factor_returns);
            changed.residuals.insert(n, fit.residuals);
        }
        for (&day, b) in replaced.keys().zip(built) {
            changed.exposures.insert(day, b);
        }

        // Every saved portfolio's risk at the model's last date.
        let last = *stats.dates.last().ok_or_else(|| Error::invalid(format!("risk model '{model}' has no dates")))?;
        let saved = self.portfolios()?;
        let mut portfolios = Vec::new();
        for (i, p) in saved.iter().enumerate() {
            progress.report("portfolios", i as u64, saved.len() as u64, format!("the risk of {}", p.name));
            progress.check()?;
            for name in &p.portfolios {
                let request = RiskRequest {
                    model: model.to_owned(),
                    portfolio: PortfolioChoice { source: PortfolioSource::Saved(p.name.clone()), name: Some(name.clone()) },
                    benchmark: None,
                    start: None,
                    end: Some(crate::date::format(last)),
                };
                let label = if name.is_empty() { p.name.clone() } else { format!("{}/{name}", p.name) };
                match self.risk_reports(&request, &[&Changed::default(), &changed], &Progress::none()) {
                    Ok(reports) => portfolios.push(PortfolioImpact {
                        portfolio: label,
                        date: crate::date::format(last),
                        before: reports[0][0].total_risk,
                        after: reports[1][0].total_risk,
                    }),
                    Err(e) => notes.push(format!("portfolio {label}: {e}")),
                }
            }
        }
        progress.report("portfolios", saved.len() as u64, saved.len() as u64, "done");
        Ok(ModelImpact { dataset: dataset.to_owned(), model: model.to_owned(), dates, portfolios, notes })
    }
}

/// `v`, unless it is NaN or infinite.
fn finite(v: f64) -> Option<f64> {
    Some(v).filter(|v| v.is_finite())
}

/// The assets whose exposures change most between two shapings of a date, weighted by their
/// regression weight, largest first.
fn drivers(
    before: &Shaped,
    after: &Shaped,
    caps: &[(u32, f64)],
    weights: Weights,
    shape: &estimate::Shape,
    reference: &crate::reference::ReferenceIds,
) -> Vec<Driver> {
    // Per reference asset: its cap, and its row in each shaping (`None` when it has none).
    let n = reference.asset_id.len();
    let mut cap_of = vec![0.0; n];
    for &(a, cap) in caps {
        if let Some(slot) = cap_of.get_mut(a as usize) {
            *slot = cap;
        }
    }
    let row_of = |s: &Shaped| -> Vec<Option<usize>> {
        let mut rows = vec![None; n];
        for (r, a) in s.refs.iter().enumerate() {
            if let Some(slot) = a.and_then(|a| rows.get_mut(a as usize)) {
                *slot = Some(r);
            }
        }
        rows
    };
    let (rows_before, rows_after) = (row_of(before), row_of(after));
    let numeric = |s: &Shaped, c: usize, r: Option<usize>| -> Option<f64> {
        match (&s.table.columns[c], r) {
            (Values::F32(v), Some(r)) => Some(f64::from(v[r])).filter(|v| v.is_finite()),
            _ => None,
        }
    };
    fn label(s: &Shaped, c: usize, r: Option<usize>) -> Option<&str> {
        match (&s.table.columns[c], r) {
            (Values::Dict(d), Some(r)) => Some(d.dict.get(d.codes[r])).filter(|l| !l.is_empty()),
            _ => None,
        }
    }
    let assets = (0..n).filter(|&a| rows_before[a].is_some() || rows_after[a].is_some());
    /// An asset's largest change: its size, the column, and for a numeric one its values.
    struct Largest {
        size: f64,
        column: usize,
        values: Option<(Option<f64>, Option<f64>)>,
    }
    // (asset, weight, change, largest), the texts made for the drivers kept only.
    let mut found: Vec<(u32, f64, f64, Largest)> = Vec::new();
    for a in assets {
        let cap = cap_of[a];
        if cap.is_nan() || cap <= 0.0 {
            continue;
        }
        let weight = match weights {
            Weights::SqrtCap => cap.sqrt(),
            Weights::Equal => 1.0,
        };
        let (rb, ra) = (rows_before[a], rows_after[a]);
        let mut squares = 0.0;
        let mut largest: Option<Largest> = None;
        for &c in &shape.numeric {
            let (x, y) = (numeric(before, c, rb), numeric(after, c, ra));
            let d = match (x, y) {
                (Some(x), Some(y)) => (y - x).abs(),
                (Some(v), None) | (None, Some(v)) => v.abs(),
                (None, None) => 0.0,
            };
            squares += d * d;
            if d > 0.0 && largest.as_ref().is_none_or(|l| d > l.size) {
                largest = Some(Largest { size: d, column: c, values: Some((x, y)) });
            }
        }
        for &(c, _, _, _) in &shape.groups {
            if label(before, c, rb) != label(after, c, ra) {
                squares += 2.0;
                if largest.as_ref().is_none_or(|l| 1.0 > l.size) {
                    largest = Some(Largest { size: 1.0, column: c, values: None });
                }
            }
        }
        let Some(largest) = largest else { continue };
        found.push((a as u32, weight, weight * squares.sqrt(), largest));
    }
    let id = |a: u32| reference.asset_id[a as usize].as_str();
    found.sort_by(|x, y| y.2.total_cmp(&x.2).then_with(|| id(x.0).cmp(id(y.0))));
    found.truncate(DRIVERS);
    found
        .into_iter()
        .map(|(a, weight, change, largest)| {
            let name = &before.table.names[largest.column];
            let (factor, before, after) = match largest.values {
                Some((x, y)) => (name.clone(), x, y),
                None => {
                    let (rb, ra) = (rows_before[a as usize], rows_after[a as usize]);
                    let text = |l: Option<&str>| l.unwrap_or("none").to_owned();
                    (
                        format!("{name}: {} → {}", text(label(before, largest.column, rb)), text(label(after, largest.column, ra))),
                        None,
                        None,
                    )
                }
            };
            Driver { id: id(a).to_owned(), weight, change, factor, before, after }
        })
        .collect()
}
