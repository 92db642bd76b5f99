//! The one typed API every front end uses: the [`Backend`] trait.
//!
//! The CLI, the desktop shell and (later) the HTTP server and the remote client call only this
//! trait; nothing above it touches the home folder, SQL or Parquet. [`LocalBackend`] implements
//! it over a home folder. Request and reply types serialize both ways, so a remote
//! implementation can carry them over the wire, and errors travel as
//! [`ErrorBody`](crate::error::ErrorBody) `{code, message, details}`.
//!
//! **Paths are the caller's.** Every path an operation takes (files to stage, a reference folder
//! to import, a file to export to) names something on the machine of the process that calls the
//! trait, never on the backend's: a local backend reads and writes them directly, a remote one
//! uploads the inputs (daily files batched into annual ZIPs, as the platform expects) and
//! downloads the outputs, reporting both through the same [`Progress`], which can cancel them.
//!
//! Some operations are the same for every backend and are provided here: [`Backend::scan`] reads
//! the caller's folder and asks the backend which names it knows; [`Backend::day_charts`] and
//! [`Backend::day_histogram`] draw the backend's numbers on the caller's side.

pub mod call;
mod local;
mod types;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use crate::table::Page;
pub use call::Call;
pub use local::LocalBackend;
pub use types::{AssetValue, CheckRequest, DataRequest, DayHistogram, Drill, Exchange, FactorValues, GroupValues};

use crate::chart::DayCharts;
use crate::checks::CheckReport;
use crate::demo::DemoOptions;
use crate::portfolio::{Portfolio, PortfolioInfo, RiskReport, RiskRequest};
use crate::progress::Progress;
use crate::reference::ReferenceInfo;
use crate::riskdataset::grid::{GridInfo, GridRequest};
use crate::riskdataset::{CreationReport, Description, ExposureQuery, RiskDatasetInfo, RiskDatasetSettings, UpdateResult};
use crate::riskmodel::{DateFrame, FactorCovariance, ModelFrame, ModelImpact, RiskModelInfo, RiskModelSettings, SpecificRisk};
use crate::scan::{FileStatus, ScanReport};
use crate::table::{Format, Table};
use crate::uploader::{
    Column, CommitMode, CommitResult, DatasetInfo, DateReplacement, DateSummary, DetailRow, RevertResult, RowChanges, StagedSummary,
    StagingResult, VersionDiff, VersionInfo,
};
use crate::{Error, Result};

/// The most rows one page of changed rows or of a grid may ask for (a client pages through more).
pub const MAX_PAGE_ROWS: usize = 100_000;

/// Refuses a page larger than [`MAX_PAGE_ROWS`], naming the size asked for.
pub(crate) fn check_page(limit: usize) -> Result<()> {
    if limit > MAX_PAGE_ROWS {
        return Err(Error::invalid(format!(
            "limit: {} rows is more than the {} a page may hold; ask for pages",
            crate::text::thousands(limit as u64),
            crate::text::thousands(MAX_PAGE_ROWS as u64)
        )));
    }
    Ok(())
}

/// Every operation a front end uses, over some store: a home folder, or a server.
///
/// Methods block; front ends that must stay responsive call them from worker threads. An
/// implementation is shared between threads: reads run while a long write runs.
pub trait Backend: Send + Sync {
    /// Where the data lives, for people: a home folder's path or a server's URL.
    fn location(&self) -> String;

    // ----- exposure datasets (the platform's uploaders) -----

    /// The exposure datasets, by name.
    fn datasets(&self) -> Result<Vec<DatasetInfo>>;

    /// The staged and committed names of a dataset (empty for a dataset that does not exist yet).
    fn file_statuses(&self, dataset: &str) -> Result<HashMap<String, FileStatus>>;

    /// Stages files, folders of daily files and ZIPs (paths on the caller's machine) into
    /// `dataset`, creating it if needed; one result per name. A name already staged from an
    /// identical file is reported `unchanged`; from a different file it is refused as `exists`
    /// unless `replace`.
    fn stage(&self, dataset: &str, paths: &[PathBuf], replace: bool, progress: &Progress<'_>) -> Result<Vec<StagingResult>>;

    /// The results of every staged name.
    fn staging_results(&self, dataset: &str) -> Result<Vec<StagingResult>>;

    /// Creates an empty exposure dataset (committed version 0); an existing one is left as it is.
    /// (Staging creates its dataset too: this is for clients that create first.)
    fn create_dataset(&self, dataset: &str) -> Result<()>;

    /// One row per staged name.
    fn staging_summary(&self, dataset: &str) -> Result<Vec<StagedSummary>>;

    /// The detail summary of the staging area: one row per staged name and date.
    fn staging_detail(&self, dataset: &str) -> Result<Vec<DetailRow>>;

    /// The staged rows of each staged name (of `names` only, when given) in `columns` (all six
    /// when empty), distinct and sorted when `unique`, by name.
    fn staging_data(&self, dataset: &str, names: Option<&[String]>, columns: &[Column], unique: bool) -> Result<Vec<(String, Table)>>;

    /// The staged values of one name on one date (`YYYY-MM-DD`), by factor group.
    fn staged_day(&self, dataset: &str, name: &str, date: &str) -> Result<Vec<GroupValues>>;

    /// The staged values of one factor on one date, by asset id (empty when the date is not staged).
    fn staged_factor(&self, dataset: &str, date: &str, group: &str, factor: &str) -> Result<Vec<(String, f32)>>;

    /// Removes staged names (all when `None`); returns what was removed.
    fn wipe_staging(&self, dataset: &str, names: Option<&[String]>) -> Result<Vec<StagingResult>>;

    /// The committed dates a commit in `mode` would replace, with asset counts and the moments
    /// of market and style factors before and after (for the confirmation).
    fn commit_preview(&self, dataset: &str, mode: CommitMode) -> Result<Vec<DateReplacement>>;

    /// Commits staged names (all when `None`) with a mode into a new version.
    fn commit(&self, dataset: &str, mode: CommitMode, names: Option<&[String]>, progress: &Progress<'_>) -> Result<CommitResult>;

    /// A new version whose data is that of version `to` (history stays append-only; staged
    /// names are left as they are).
    fn revert(&self, dataset: &str, to: u32) -> Result<RevertResult>;

    /// Every version, oldest first.
    fn version_history(&self, dataset: &str) -> Result<Vec<VersionInfo>>;

    /// What changed from version `from` to version `to`: dates, and per factor the values added,
    /// removed and changed.
    fn diff(&self, dataset: &str, from: u32, to: u32) -> Result<VersionDiff>;

    /// The changed rows from version `from` to `to`, `offset..offset + limit` of them, by date and
    /// key; `limit` at most [`MAX_PAGE_ROWS`].
    fn diff_rows(&self, dataset: &str, from: u32, to: u32, offset: usize, limit: usize) -> Result<RowChanges>;

    /// One row per committed date of a version (the latest when `None`).
    fn data_summary(&self, dataset: &str, version: Option<u32>) -> Result<Vec<DateSummary>>;

    /// Statistics per committed date of a version (the latest when `None`).
    fn data_detail(&self, dataset: &str, version: Option<u32>) -> Result<Vec<DetailRow>>;

    /// The distinct factor groups of a version (the latest when `None`), sorted.
    fn factor_groups(&self, dataset: &str, version: Option<u32>) -> Result<Vec<String>>;

    /// The sanity checks over the staging area or a committed version: findings, most severe
    /// first, and the statistics per date and factor behind them.
    fn check(&self, dataset: &str, request: &CheckRequest) -> Result<CheckReport>;

    /// Committed rows of a version, in the columns asked for (filtered date by date, stopping
    /// when `progress` is cancelled).
    fn data(&self, dataset: &str, request: &DataRequest, progress: &Progress<'_>) -> Result<Table>;

    /// Deletes a dataset with every version and staged name.
    fn destroy(&self, dataset: &str) -> Result<()>;

    // ----- reference datasets -----

    /// The reference datasets, by name.
    fn references(&self) -> Result<Vec<ReferenceInfo>>;

    /// Imports a folder (on the caller's machine): `assets.csv`, optional `market_caps.csv`
    /// and `returns.csv` (or Parquet).
    fn import_reference(&self, name: &str, dir: &Path, id_type: &str, replace: bool, progress: &Progress<'_>) -> Result<ReferenceInfo>;

    /// Builds the demo reference dataset matching demo exposures made with the same options.
    fn demo_reference(&self, options: &DemoOptions) -> Result<ReferenceInfo>;

    /// Deletes a reference dataset.
    fn delete_reference(&self, name: &str) -> Result<()>;

    /// The exchanges of a reference dataset with their asset counts, by code.
    fn reference_exchanges(&self, name: &str) -> Result<Vec<Exchange>>;

    // ----- risk datasets -----

    /// Reference datasets (usable as `reference_dataset`) and risk datasets, with their status.
    fn risk_datasets(&self) -> Result<Vec<RiskDatasetInfo>>;

    /// Builds and stores a risk dataset; refuses an existing name unless `replace`.
    fn create_risk_dataset(
        &self,
        name: &str,
        settings: &RiskDatasetSettings,
        replace: bool,
        progress: &Progress<'_>,
    ) -> Result<CreationReport>;

    /// The seed's `describe()`: status, date range, universe menu and creation report.
    fn describe_risk_dataset(&self, name: &str) -> Result<Description>;

    /// Rebuilds a stale risk dataset from the newest versions of its sources.
    fn update_risk_dataset(&self, name: &str, progress: &Progress<'_>) -> Result<UpdateResult>;

    /// Deletes a risk dataset; with `if_exists` a missing one is no error. Whether one was deleted.
    fn delete_risk_dataset(&self, name: &str, if_exists: bool) -> Result<bool>;

    // ----- risk models -----

    /// Every risk model, with its status.
    fn risk_models(&self) -> Result<Vec<RiskModelInfo>>;

    /// Estimates and stores a risk model; refuses an existing name unless `replace`.
    fn create_risk_model(&self, name: &str, settings: &RiskModelSettings, replace: bool, progress: &Progress<'_>) -> Result<RiskModelInfo>;

    /// A risk model's settings, report and status.
    fn describe_risk_model(&self, name: &str) -> Result<RiskModelInfo>;

    /// Re-estimates a stale risk model from its risk dataset's current build.
    fn update_risk_model(&self, name: &str, progress: &Progress<'_>) -> Result<RiskModelInfo>;

    /// Deletes a risk model; with `if_exists` a missing one is no error. Whether one was deleted.
    fn delete_risk_model(&self, name: &str, if_exists: bool) -> Result<bool>;

    /// A per-date frame of a risk model: factor returns, standard errors, t-stats, p-values, R², σ².
    fn risk_model_frame(&self, name: &str, frame: ModelFrame) -> Result<DateFrame>;

    /// A risk model's factor covariance at one of its dates, daily.
    fn factor_covariance(&self, name: &str, date: &str) -> Result<FactorCovariance>;

    /// A risk model's specific variances at one of its dates, daily.
    fn specific_risk(&self, name: &str, date: &str) -> Result<SpecificRisk>;

    // ----- portfolios -----

    /// A portfolio's risk on a risk model, one report per model date asked for (of the active
    /// weights when there is a benchmark).
    fn portfolio_risk(&self, request: &RiskRequest, progress: &Progress<'_>) -> Result<Vec<RiskReport>>;

    /// The portfolios saved in the home, by name.
    fn portfolios(&self) -> Result<Vec<PortfolioInfo>>;

    /// Saves a portfolio's holdings by name; refuses an existing name unless `replace`.
    fn save_portfolio(&self, name: &str, portfolio: &Portfolio, replace: bool) -> Result<PortfolioInfo>;

    /// Deletes a saved portfolio; with `if_exists` a missing one is no error. Whether one was deleted.
    fn delete_portfolio(&self, name: &str, if_exists: bool) -> Result<bool>;

    /// What committing the data staged for `dataset` would do to risk model `model` (nothing is
    /// committed or stored).
    fn model_impact(&self, dataset: &str, model: &str, progress: &Progress<'_>) -> Result<ModelImpact>;

    // ----- exposures -----

    /// The wide exposures of a risk dataset.
    fn exposures(&self, dataset: &str, query: &ExposureQuery) -> Result<Table>;

    /// Runs a data grid over a risk dataset's exposures (reading each date in range once) and
    /// describes it: columns with their profiles, rows shown, dates. See [`crate::riskdataset::grid`].
    fn grid(&self, request: &GridRequest, progress: &Progress<'_>) -> Result<GridInfo>;

    /// Rows `offset..offset + limit` of a grid, as text, with its total row count (running the
    /// grid first when it is not the one last run); `limit` at most [`MAX_PAGE_ROWS`].
    fn grid_rows(&self, request: &GridRequest, offset: usize, limit: usize) -> Result<Page>;

    /// Writes the wide exposures to `path` (on the caller's machine) as CSV, JSON or Parquet;
    /// returns the number of rows written.
    fn export_exposures(&self, dataset: &str, query: &ExposureQuery, format: Format, path: &Path, progress: &Progress<'_>)
    -> Result<usize>;

    // ----- provided: the same for every backend -----

    /// Scans a folder on the caller's machine, marking the names `dataset` already has.
    fn scan(&self, folder: &Path, dataset: Option<&str>) -> Result<ScanReport> {
        let known = match dataset {
            Some(d) => self.file_statuses(d)?,
            None => HashMap::new(),
        };
        crate::scan::scan(folder, &known)
    }

    /// Reads a portfolio file on the caller's machine (CSV or Parquet). Its id column may be of
    /// any id type of model `model`'s reference, or without a model of any reference's.
    fn read_portfolio(&self, path: &Path, model: Option<&str>) -> Result<Portfolio> {
        let references = self.references()?;
        let mut id_types: Vec<String> = match model {
            Some(model) => {
                let reference = self.describe_risk_model(model)?.report.reference_dataset;
                let info = references.into_iter().find(|r| r.name == reference);
                info.ok_or_else(|| Error::not_found("reference dataset", reference))?.id_types
            }
            None => references.into_iter().flat_map(|r| r.id_types).collect(),
        };
        let mut seen = std::collections::HashSet::new();
        id_types.retain(|t| seen.insert(t.to_lowercase()));
        crate::portfolio::read(path, &id_types)
    }

    /// The per-day charts of the staged data, `size` SVG pixels each.
    fn day_charts(&self, dataset: &str, size: (u32, u32)) -> Result<DayCharts> {
        crate::chart::day_charts(&self.staging_detail(dataset)?, size)
    }

    /// A risk model at a glance for the factors of `group` (a role: `style`, `industry`, …; styles
    /// by default), the cumulative returns of `lines` (the largest when empty) and its forecasts
    /// at `date` (the last model date by default), drawn here from the backend's numbers, `size`
    /// SVG pixels per chart.
    fn model_charts(
        &self,
        name: &str,
        group: Option<&str>,
        lines: &[String],
        date: Option<&str>,
        size: (u32, u32),
    ) -> Result<crate::riskmodel::view::ModelCharts> {
        let model = self.describe_risk_model(name)?;
        let fret = self.risk_model_frame(name, ModelFrame::Fret)?;
        let date = match date.filter(|d| !d.trim().is_empty()) {
            Some(d) => d.to_owned(),
            None => fret.dates.last().cloned().ok_or_else(|| Error::invalid(format!("risk model '{name}' has no dates")))?,
        };
        let inputs = crate::riskmodel::view::Inputs {
            t_stats: self.risk_model_frame(name, ModelFrame::TStats)?,
            r2: self.risk_model_frame(name, ModelFrame::R2)?,
            covariance: self.factor_covariance(name, &date)?,
            specific: self.specific_risk(name, &date)?,
            fret,
            model,
        };
        crate::riskmodel::view::draw(inputs, group, lines, size)
    }

    /// The drill-down of a finding over the staging area: the assets behind it with their
    /// values (and the date before's, for checks that compare with it), and the day's histogram
    /// of the factor with those values marked.
    fn drill_down(&self, dataset: &str, finding: &crate::checks::Finding, size: (u32, u32)) -> Result<Drill> {
        use crate::checks::CheckId;
        let compares = matches!(
            finding.check,
            CheckId::StaleDay | CheckId::DistributionShift | CheckId::RankInstability | CheckId::CoverageDrop | CheckId::AssetChurn
        );
        let previous_date = if compares {
            let dates: std::collections::BTreeSet<String> = self.staging_detail(dataset)?.into_iter().map(|r| r.date).collect();
            dates.range(..finding.date.clone()).next_back().cloned()
        } else {
            None
        };
        let (Some(group), Some(factor)) = (&finding.factor_group, &finding.factor) else {
            let assets = finding.assets.iter().map(|a| AssetValue { asset: a.clone(), value: None, previous: None }).collect();
            return Ok(Drill { previous_date, assets, histogram: None });
        };
        let today = self.staged_factor(dataset, &finding.date, group, factor)?;
        let before = match &previous_date {
            Some(d) => self.staged_factor(dataset, d, group, factor)?,
            None => Vec::new(),
        };
        let find = |v: &[(String, f32)], a: &str| v.binary_search_by(|x| x.0.as_str().cmp(a)).ok().map(|i| v[i].1);
        let assets: Vec<AssetValue> =
            finding.assets.iter().map(|a| AssetValue { asset: a.clone(), value: find(&today, a), previous: find(&before, a) }).collect();
        let values: Vec<f32> = today.iter().map(|x| x.1).collect();
        let marks: Vec<f32> = assets.iter().filter_map(|a| a.value).collect();
        let title = format!("{group}.{factor} on {} (the flagged assets marked)", finding.date);
        let histogram = Some(crate::chart::histogram(&values, 60, title, size, &marks)?);
        Ok(Drill { previous_date, assets, histogram })
    }

    /// One staged day's chart of `group` (by default the group named like "style", else the
    /// first): for a categorical group the assets counted per factor, else a histogram of the
    /// values of `factor` (all the group's factors pooled when `None`).
    fn day_histogram(
        &self,
        dataset: &str,
        name: &str,
        date: &str,
        group: Option<&str>,
        factor: Option<&str>,
        size: (u32, u32),
    ) -> Result<DayHistogram> {
        let groups = self.staged_day(dataset, name, date)?;
        let chosen = group
            .and_then(|g| groups.iter().find(|v| v.group == g))
            .or_else(|| groups.iter().find(|v| v.group.to_lowercase().contains("style")))
            .or_else(|| groups.first())
            .ok_or_else(|| Error::invalid(format!("{name} has no values on {date}")))?;
        let factors: Vec<String> = chosen.factors.iter().map(|f| f.factor.clone()).collect();
        let (factor, categories, histogram) = if chosen.is_categorical() {
            let mut counts: Vec<(String, u32)> =
                chosen.factors.iter().map(|f| (f.factor.clone(), f.values.iter().filter(|&&v| v == 1.0).count() as u32)).collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let title = format!("{} members on {date}", chosen.group);
            (None, counts.iter().map(|c| c.0.clone()).collect(), crate::chart::category_counts(&counts, title, size)?)
        } else {
            let one = factor.and_then(|f| chosen.factors.iter().find(|x| x.factor == f));
            let (values, label) = match one {
                Some(f) => (f.values.clone(), format!("{}.{}", chosen.group, f.factor)),
                None => (chosen.values(), chosen.group.clone()),
            };
            let title = format!("{label} exposures on {date}");
            (one.map(|f| f.factor.clone()), Vec::new(), crate::chart::histogram(&values, 60, title, size, &[])?)
        };
        Ok(DayHistogram {
            groups: groups.iter().map(|g| g.group.clone()).collect(),
            group: chosen.group.clone(),
            factors,
            factor,
            categories,
            histogram,
        })
    }
}
