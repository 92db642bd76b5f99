//! The Portfolio risk screen's commands: the portfolio file dialog, reading a file on this
//! computer, the risk reports of a run and their export.
//!
//! A run's reports stay here (the last run's only, see [`ReportCache`]): a year of daily reports
//! of a 3,000-asset portfolio is about 100 MB as JSON, so the window gets the series of headline
//! figures and one date's full report, and picking another date of the run or exporting it
//! reads the kept reports instead of running again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use riskdesk::portfolio::{Portfolio, PortfolioSource, RiskReport, RiskRequest, report_table};
use riskdesk::progress::Step;
use riskdesk::table::Format;
use riskdesk::{Error, Progress};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use ts_rs::TS;

use crate::commands::{App, Reply, dialog};

/// The reports of the window's last run (its id as the window numbered it, and what it asked).
struct Kept {
    run: u64,
    request: RiskRequest,
    reports: Arc<Vec<RiskReport>>,
}

/// The reports of the last run, so that another date of it, or its export, needs no new run.
#[derive(Default)]
pub struct ReportCache(Mutex<Option<Kept>>);

impl ReportCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Kept>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The reports of run `run` if they are kept and it asked for `request`.
    fn get(&self, run: u64, request: &RiskRequest) -> Option<Arc<Vec<RiskReport>>> {
        self.lock().as_ref().filter(|k| k.run == run && k.request == *request).map(|k| Arc::clone(&k.reports))
    }

    fn put(&self, run: u64, request: RiskRequest, reports: Vec<RiskReport>) -> Arc<Vec<RiskReport>> {
        let reports = Arc::new(reports);
        *self.lock() = Some(Kept { run, request, reports: Arc::clone(&reports) });
        reports
    }

    /// Forgets the kept reports (the app now works somewhere else).
    pub fn clear(&self) {
        *self.lock() = None;
    }

    /// The reports of run `run` for `request`: the kept ones, else computed (and kept).
    fn reports(
        &self,
        backend: &dyn riskdesk::Backend,
        run: u64,
        request: &RiskRequest,
        progress: &Progress<'_>,
    ) -> Reply<Arc<Vec<RiskReport>>> {
        if let Some(kept) = self.get(run, request) {
            return Ok(kept);
        }
        let reports = backend.portfolio_risk(request, progress)?;
        Ok(self.put(run, request.clone(), reports))
    }
}

/// One model date of a run: its headline figures (annualised volatilities) and each factor
/// group's contribution, for the series chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RiskPoint {
    /// The model date (`YYYY-MM-DD`).
    pub date: String,
    /// Total risk (active risk with a benchmark).
    pub total_risk: f64,
    /// Factor risk.
    pub factor_risk: f64,
    /// Specific risk.
    pub specific_risk: f64,
    /// Each factor group's contribution to the total, in the order of [`PortfolioView::groups`].
    pub groups: Vec<f64>,
    /// The specific part's contribution to the total.
    pub specific_contribution: f64,
    /// With a benchmark: the portfolio's own total risk.
    pub portfolio_risk: Option<f64>,
    /// With a benchmark: the benchmark's own total risk.
    pub benchmark_risk: Option<f64>,
    /// Holdings matched to the model's universe that date.
    pub matched: u64,
    /// Holdings left out (not in the model's universe that date).
    pub unmatched: u64,
    /// The weight of the holdings left out.
    pub unmatched_weight: f64,
}

impl RiskPoint {
    fn of(r: &RiskReport) -> RiskPoint {
        RiskPoint {
            date: r.date.clone(),
            total_risk: r.total_risk,
            factor_risk: r.factor_risk,
            specific_risk: r.specific_risk,
            groups: r.groups.iter().map(|g| g.contribution).collect(),
            specific_contribution: r.specific_contribution,
            portfolio_risk: r.benchmark.as_ref().map(|b| b.portfolio_risk),
            benchmark_risk: r.benchmark.as_ref().map(|b| b.benchmark_risk),
            matched: r.assets.len() as u64,
            unmatched: r.unmatched.len() as u64,
            unmatched_weight: r.unmatched.iter().map(|u| u.weight).sum(),
        }
    }
}

/// What the window shows of a run: the series over its dates and one date's full report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PortfolioView {
    /// The run, as the window numbered it.
    pub run: u64,
    /// The factor groups, in the model's order (the series' `groups` follow it).
    pub groups: Vec<String>,
    /// One point per model date of the run, in date order.
    pub series: Vec<RiskPoint>,
    /// The full report of the date asked for (the last date by default).
    pub report: RiskReport,
}

fn view(run: u64, reports: &[RiskReport], date: Option<&str>) -> Reply<PortfolioView> {
    let last = reports.last().ok_or_else(|| Error::invalid("the run has no report"))?;
    let report = match date.filter(|d| !d.trim().is_empty()) {
        None => last,
        Some(d) => reports.iter().find(|r| r.date == d).ok_or_else(|| {
            Error::invalid(format!("{d} is not a date of this report (it runs from {} to {})", reports[0].date, last.date))
        })?,
    };
    Ok(PortfolioView {
        run,
        groups: last.groups.iter().map(|g| g.factor.clone()).collect(),
        series: reports.iter().map(RiskPoint::of).collect(),
        report: report.clone(),
    })
}

/// Asks for a portfolio file (CSV or Parquet), for the benchmark with `benchmark`; `None` when
/// the user cancels.
#[tauri::command]
pub async fn choose_portfolio_file(app: App<'_>, benchmark: bool) -> Reply<Option<String>> {
    let title = if benchmark { "Choose a benchmark file" } else { "Choose a portfolio file" };
    dialog(&app, move |d| d.pick_file(title, "Portfolio", &["csv", "parquet"]).map(|p| p.display().to_string())).await
}

/// Reads a portfolio file on this computer (CSV or Parquet); its id column may be of any id type
/// of `model`'s reference (without a model, of any reference's).
#[tauri::command]
pub async fn read_portfolio(app: App<'_>, path: PathBuf, model: Option<String>) -> Reply<Portfolio> {
    crate::commands::run(&app, None, move |b, _| b.read_portfolio(&path, model.as_deref().filter(|m| !m.is_empty()))).await
}

/// The risk reports `request` asks for, as run `run` (a number the window gives each run): the
/// series of headline figures and the full report of `date` (the last date when none). The
/// same run asked again (another date) answers from the kept reports at once.
#[tauri::command]
pub async fn portfolio_report(
    app: App<'_>,
    run: u64,
    request: RiskRequest,
    date: Option<String>,
    job: u64,
    on_progress: Channel<Step>,
) -> Reply<PortfolioView> {
    let shared = Arc::clone(&app);
    crate::commands::run(&app, Some((job, on_progress)), move |b, p| {
        let reports = shared.reports.reports(b, run, &request, p)?;
        view(run, &reports, date.as_deref())
    })
    .await
}

/// A file name for a report's export: the portfolio's name, the model and the dates.
fn export_name(request: &RiskRequest, reports: Option<&[RiskReport]>) -> String {
    let portfolio = match (&request.portfolio.name, &request.portfolio.source) {
        (Some(n), _) if !n.is_empty() => n.clone(),
        (_, PortfolioSource::Saved(n)) => n.clone(),
        (_, PortfolioSource::Holdings(p)) => p.source.rsplit_once('.').map_or(p.source.as_str(), |(stem, _)| stem).to_owned(),
    };
    let dates = match reports {
        Some([only]) => only.date.clone(),
        Some([first, .., last]) => format!("{}_{}", first.date, last.date),
        _ => [request.start.as_deref(), request.end.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("_"),
    };
    let name =
        [portfolio.as_str(), request.model.as_str(), "risk", dates.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
    let name: String = name.join("_").chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect();
    format!("{name}.csv")
}

/// Asks where to save, then writes the reports of run `run` (run again when they are no longer
/// kept) as the long CSV table `riskdesk risk --format csv` writes. Returns the file written, or
/// `None` when the user cancelled the dialog.
#[tauri::command]
pub async fn export_portfolio_report(
    app: App<'_>,
    run: u64,
    request: RiskRequest,
    job: u64,
    on_progress: Channel<Step>,
) -> Reply<Option<String>> {
    let kept = app.reports.get(run, &request);
    let suggested = export_name(&request, kept.as_deref().map(Vec::as_slice));
    let Some(path) = dialog(&app, move |d| d.save_file("Export the risk report", &suggested, "csv")).await? else { return Ok(None) };
    let shared = Arc::clone(&app);
    crate::commands::run(&app, Some((job, on_progress)), move |b, p| {
        let reports = shared.reports.reports(b, run, &request, p)?;
        report_table(&reports).save(Format::Csv, &path)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use riskdesk::portfolio::{Holding, PortfolioChoice};

    fn request(source: PortfolioSource, name: Option<&str>) -> RiskRequest {
        RiskRequest {
            model: "My Model".into(),
            portfolio: PortfolioChoice { source, name: name.map(str::to_owned) },
            benchmark: None,
            start: Some("2025-05-02".into()),
            end: None,
        }
    }

    #[test]
    fn an_export_is_named_after_the_portfolio_the_model_and_the_dates() {
        let file = Portfolio {
            source: "growth book.csv".into(),
            id_type: "ticker".into(),
            holdings: vec![Holding { portfolio: String::new(), date: None, id: "A".into(), weight: 1.0 }],
        };
        assert_eq!(export_name(&request(PortfolioSource::Holdings(file.clone()), None), None), "growth-book_My-Model_risk_2025-05-02.csv");
        assert_eq!(export_name(&request(PortfolioSource::Holdings(file), Some("Value")), None), "Value_My-Model_risk_2025-05-02.csv");
        assert_eq!(export_name(&request(PortfolioSource::Saved("Core".into()), None), None), "Core_My-Model_risk_2025-05-02.csv");
    }
}
