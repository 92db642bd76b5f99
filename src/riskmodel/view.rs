//! The model at a glance, drawn from a backend's numbers on the caller's side (like the Check
//! screen's charts): cumulative factor returns, fit and estimation universe over time, how often
//! each factor is significant, volatility forecasts, correlations and specific volatility.

use serde::{Deserialize, Serialize};

use super::{DateFrame, FactorCovariance, RiskModelInfo, SpecificRisk};
use crate::Result;
use crate::chart::{Chart, Histogram};
use crate::riskdataset::settings::Role;

/// Lines drawn at most in the cumulative returns chart (the palette's size).
pub const MAX_LINES: usize = 8;

/// Trading days in a year: variances are annualised by this factor.
pub const TRADING_DAYS: f64 = 252.0;

/// The charts of a model for one group of factors and one date.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct ModelCharts {
    /// The model shown.
    pub model: RiskModelInfo,
    /// The factor groups to choose from, by role name (`market`, `style`, `industry`, …).
    pub groups: Vec<String>,
    /// The group drawn.
    pub group: String,
    /// Its factors' labels, in the model's order.
    pub factors: Vec<String>,
    /// Every calendar day from the first model date to the last: slot `i` of a time chart.
    pub days: Vec<String>,
    /// The model dates.
    pub dates: Vec<String>,
    /// The date of the forecasts (covariance, specific risk): a model date.
    pub date: String,
    /// Cumulative (compounded) factor returns in %, of `lines` (the factors asked for, else the
    /// group's factors with the largest final |cumulative return|; at most [`MAX_LINES`]).
    pub cumulative: Chart,
    /// The factors drawn in `cumulative`, in the palette's order.
    pub lines: Vec<String>,
    /// Their colours (`#rrggbb`), for the legend.
    pub line_colours: Vec<String>,
    /// Per factor of `lines`, per day of `days`, its cumulative return in % (`None` between model dates).
    pub cumulative_values: Vec<Vec<Option<f64>>>,
    /// R² per day of `days`.
    pub r2: Chart,
    /// The R² values, per day.
    pub r2_values: Vec<Option<f64>>,
    /// The estimation universe's size per day of `days`.
    pub assets: Chart,
    /// The sizes, per day.
    pub assets_values: Vec<Option<f64>>,
    /// The share of model dates on which |t| > 2, per factor of `factors` (bar `i`).
    pub significant: Chart,
    /// The shares (0 to 1), per factor.
    pub significant_values: Vec<Option<f64>>,
    /// The annualised volatility forecast at `date` in %, per factor of `factors`.
    pub volatility: Chart,
    /// The volatilities, per factor.
    pub volatility_values: Vec<Option<f64>>,
    /// The correlations at `date` between the group's factors (row and column `factors[i]`).
    pub correlation: Chart,
    /// The correlations, `[row][column]`.
    pub correlation_values: Vec<Vec<Option<f64>>>,
    /// The distribution of the assets' annualised specific volatility at `date`, in %.
    pub specific: Histogram,
    /// How many assets got the universe's median (fewer than 5 residuals).
    pub specific_filled: usize,
}

/// What the backend gives for the charts.
pub(crate) struct Inputs {
    /// The model.
    pub model: RiskModelInfo,
    /// Its factor returns.
    pub fret: DateFrame,
    /// Its t-stats.
    pub t_stats: DateFrame,
    /// Its R² and universe sizes.
    pub r2: DateFrame,
    /// The covariance at the date shown.
    pub covariance: FactorCovariance,
    /// The specific variances at the date shown.
    pub specific: SpecificRisk,
}

/// Draws the charts of the factors of `group` (a role name; styles when `None` or unknown), the
/// cumulative returns of `lines_asked` among them (the largest when none is of the group).
pub(crate) fn draw(inputs: Inputs, group: Option<&str>, lines_asked: &[String], size: (u32, u32)) -> Result<ModelCharts> {
    let Inputs { model, fret, t_stats, r2, covariance, specific } = inputs;
    let factors_all = &model.report.factors;
    let mut groups: Vec<String> = Vec::new();
    for f in factors_all {
        let name = f.role.name().to_owned();
        if !groups.contains(&name) {
            groups.push(name);
        }
    }
    let group = group
        .filter(|g| groups.iter().any(|x| x == g))
        .map(str::to_owned)
        .unwrap_or_else(|| groups.iter().find(|g| *g == Role::Style.name()).or(groups.first()).cloned().unwrap_or_default());
    let chosen: Vec<usize> = (0..factors_all.len()).filter(|&j| factors_all[j].role.name() == group).collect();
    let factors: Vec<String> = chosen.iter().map(|&j| factors_all[j].label.clone()).collect();

    let day_of = |d: &str| crate::date::parse(d.as_bytes()).unwrap_or(0);
    let (first, last) = match (fret.dates.first(), fret.dates.last()) {
        (Some(a), Some(b)) => (day_of(a), day_of(b)),
        _ => (0, -1),
    };
    let days: Vec<String> = (first..=last).map(crate::date::format).collect();
    let slot = |d: &str| (day_of(d) - first) as usize;
    let per_day = |values: Vec<Option<f64>>| {
        let mut out = vec![None; days.len()];
        for (d, v) in fret.dates.iter().zip(values) {
            out[slot(d)] = v;
        }
        out
    };

    // Cumulative returns of every factor of the group; the largest |final| ones drawn.
    let column = |frame: &DateFrame, label: &str| frame.columns.iter().position(|c| c == label);
    let cumulative_of = |label: &str| -> Vec<Option<f64>> {
        let Some(c) = column(&fret, label) else { return vec![None; fret.dates.len()] };
        let mut growth = 1.0;
        fret.values
            .iter()
            .map(|row| {
                if let Some(f) = row[c] {
                    growth *= 1.0 + f;
                }
                Some((growth - 1.0) * 100.0)
            })
            .collect()
    };
    let mut ranked: Vec<(String, Vec<Option<f64>>)> = factors.iter().map(|f| (f.clone(), cumulative_of(f))).collect();
    ranked.sort_by(|a, b| {
        let end = |v: &Vec<Option<f64>>| v.last().copied().flatten().unwrap_or(0.0).abs();
        end(&b.1).total_cmp(&end(&a.1))
    });
    // The factors asked for (those of the group, in its order), else the largest ones.
    let asked: Vec<&String> = factors.iter().filter(|f| lines_asked.contains(f)).take(MAX_LINES).collect();
    if asked.is_empty() {
        ranked.truncate(MAX_LINES);
    } else {
        ranked = asked.iter().map(|f| ((*f).clone(), cumulative_of(f))).collect();
    }
    let lines: Vec<String> = ranked.iter().map(|r| r.0.clone()).collect();
    let cumulative_values: Vec<Vec<Option<f64>>> = ranked.into_iter().map(|r| per_day(r.1)).collect();
    let shown = if !asked.is_empty() {
        format!("{} chosen {group} factors,", lines.len())
    } else if lines.len() < factors.len() {
        format!("the {} of {} {group} factors with the largest", lines.len(), factors.len())
    } else {
        format!("{group} factors,")
    };
    let cumulative = crate::chart::day_lines(
        "cumulative",
        format!("Cumulative factor returns (%): {shown} compounded return"),
        &days,
        &cumulative_values,
        (false, true),
        size,
    )?;

    let r2_col = |name: &str| column(&r2, name);
    let r2_values = per_day(r2.values.iter().map(|row| r2_col("r2").and_then(|c| row[c])).collect());
    let assets_values = per_day(r2.values.iter().map(|row| r2_col("assets").and_then(|c| row[c])).collect());
    let r2_chart = crate::chart::day_lines(
        "r2",
        "R² of each date's regression (weighted, centred)".into(),
        &days,
        std::slice::from_ref(&r2_values),
        (false, false),
        size,
    )?;
    let assets_chart = crate::chart::day_lines(
        "universe",
        "Estimation universe: assets in each date's regression".into(),
        &days,
        std::slice::from_ref(&assets_values),
        (true, false),
        size,
    )?;

    let significant_values: Vec<Option<f64>> = factors
        .iter()
        .map(|f| {
            let c = column(&t_stats, f)?;
            let present: Vec<f64> = t_stats.values.iter().filter_map(|row| row[c]).collect();
            (!present.is_empty()).then(|| present.iter().filter(|t| t.abs() > 2.0).count() as f64 / present.len() as f64)
        })
        .collect();
    let short: Vec<String> = factors.iter().map(|f| f.splitn(3, '.').nth(2).unwrap_or(f).to_owned()).collect();
    let significant = crate::chart::bars(
        "significant",
        "Share of dates with |t| > 2 (dashed: 5%, what chance alone gives)".into(),
        &significant_values,
        &short,
        Some(0.05),
        size,
    )?;

    let index: Vec<Option<usize>> = factors.iter().map(|f| covariance.factors.iter().position(|x| x == f)).collect();
    let volatility_values: Vec<Option<f64>> =
        index.iter().map(|i| i.and_then(|i| covariance.values[i][i]).map(|v| (v * TRADING_DAYS).sqrt() * 100.0)).collect();
    let volatility = crate::chart::bars(
        "volatility",
        format!("Annualised volatility forecast at {} (%)", covariance.date),
        &volatility_values,
        &short,
        None,
        size,
    )?;
    let correlation_values: Vec<Vec<Option<f64>>> = index
        .iter()
        .map(|r| {
            index
                .iter()
                .map(|c| match (r, c) {
                    (Some(r), Some(c)) => {
                        let (v, a, b) = (covariance.values[*r][*c], covariance.values[*r][*r], covariance.values[*c][*c]);
                        v.zip(a).zip(b).and_then(|((v, a), b)| (a > 0.0 && b > 0.0).then(|| v / (a * b).sqrt()))
                    }
                    _ => None,
                })
                .collect()
        })
        .collect();
    let correlation = crate::chart::matrix(
        "correlation",
        format!("Correlations at {} (blue −1, white 0, red +1)", covariance.date),
        &short,
        &correlation_values,
        (size.0, size.0.min(640)),
    )?;

    let vols: Vec<f32> = specific.specific_var.iter().map(|v| v.map_or(f32::NAN, |v| ((v * TRADING_DAYS).sqrt() * 100.0) as f32)).collect();
    let specific_filled = specific.filled.iter().filter(|f| **f).count();
    let specific_chart = crate::chart::histogram(
        &vols,
        40,
        format!("Annualised specific volatility at {} (%), {} assets", specific.date, crate::text::thousands(vols.len() as u64)),
        size,
        &[],
    )?;
    Ok(ModelCharts {
        groups,
        group,
        factors,
        dates: fret.dates.clone(),
        date: covariance.date.clone(),
        days,
        cumulative,
        line_colours: (0..lines.len()).map(|i| crate::chart::PALETTE[i % crate::chart::PALETTE.len()].to_owned()).collect(),
        lines,
        cumulative_values,
        r2: r2_chart,
        r2_values,
        assets: assets_chart,
        assets_values,
        significant,
        significant_values,
        volatility,
        volatility_values,
        correlation,
        correlation_values,
        specific: specific_chart,
        specific_filled,
        model,
    })
}
