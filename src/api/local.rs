//! [`LocalBackend`]: the [`Backend`] over a home folder on this machine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Backend, CheckRequest, DataRequest, Exchange, FactorValues, GroupValues, Page};
use crate::checks::CheckReport;
use crate::demo::DemoOptions;
use crate::keys::{ApiKey, Scope};
use crate::portfolio::{Portfolio, PortfolioInfo, RiskReport, RiskRequest};
use crate::progress::Progress;
use crate::reference::ReferenceInfo;
use crate::riskdataset::grid::{Grid, GridInfo, GridRequest};
use crate::riskdataset::{CreationReport, Description, ExposureQuery, RiskDatasetInfo, RiskDatasetSettings, UpdateResult};
use crate::riskmodel::{DateFrame, FactorCovariance, ModelFrame, ModelImpact, RiskModelInfo, RiskModelSettings, SpecificRisk};
use crate::scan::FileStatus;
use crate::store::{Embedded, Home, Storage};
use crate::table::{Format, Table};
use crate::uploader::{
    Column, CommitMode, CommitResult, DatasetInfo, DateReplacement, DateSummary, DetailRow, DiffCounts, RevertResult, RowChanges,
    StagedSummary, StagingResult, VersionDiff, VersionInfo,
};
use crate::{Error, Result};

/// How many idle catalog connections are kept for reuse.
const IDLE_CONNECTIONS: usize = 4;

/// The engine on this machine, over a home folder (the embedded store: SQLite catalog and
/// Parquet files) or a team store (any [`Storage`]).
///
/// Each call borrows a catalog connection of its own (opened on demand, kept for reuse), so a
/// read never waits for a long write; writers still take their scope's write lock.
pub struct LocalBackend {
    storage: Arc<dyn Storage>,
    idle: Mutex<Vec<Home>>,
    /// The last grid run, with the stored file of its dataset, so that its pages need no new
    /// run. A rebuilt dataset has a new file, so a stale grid is never served.
    grid: Mutex<Option<(GridRequest, String, Arc<Grid>)>>,
    /// The last check run and what it ran on (the request, and the staged entries or the
    /// version), so that returning to the Check screen does not read every date again.
    checked: Mutex<Option<(String, CheckReport)>>,
    /// Changed rows per date of the last version comparison, so that its pages read only their dates.
    diffed: Mutex<DiffCounts>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl LocalBackend {
    /// The home folder to use when none is given: `RISKDESK_HOME`, else the platform data folder.
    pub fn default_root() -> PathBuf {
        Home::default_root()
    }

    /// Opens (creating if needed) the home folder at `root`.
    pub fn open(root: &Path) -> Result<LocalBackend> {
        LocalBackend::on(Arc::new(Embedded::new(root)?))
    }

    /// The engine over `storage` (checked by opening a first catalog connection).
    pub fn on(storage: Arc<dyn Storage>) -> Result<LocalBackend> {
        let home = Home::on(Arc::clone(&storage))?;
        Ok(LocalBackend {
            storage,
            idle: Mutex::new(vec![home]),
            grid: Mutex::new(None),
            checked: Mutex::new(None),
            diffed: Mutex::default(),
        })
    }

    /// The store's own folder on this machine (see [`Storage::local_folder`]): where uploads
    /// are received and front ends keep their own files.
    pub fn local_folder(&self) -> &Path {
        self.storage.local_folder()
    }

    /// The storage this engine works on.
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    /// Creates an API key for `user` with `scope` (for `riskdesk serve`): its record and the
    /// key, shown once.
    pub fn create_key(&self, user: &str, scope: Scope) -> Result<(ApiKey, String)> {
        self.with(|h| h.create_key(user, scope))
    }

    /// What identifies one build of a risk dataset (its stored file): a rebuild changes it, so
    /// a server can share a frame between clients while it stays the same.
    pub fn risk_dataset_build(&self, name: &str) -> Result<String> {
        self.with(|h| h.risk_dataset_file(name))
    }

    /// A ready risk model's exposure-weighted market caps per model date (for the server's
    /// reports; see [`Home::risk_model_mcap_exposures`]).
    pub fn risk_model_mcap_exposures(&self, name: &str) -> Result<DateFrame> {
        self.with(|h| h.risk_model_mcap_exposures(name))
    }

    /// The returns following each date of a risk dataset, by id of `id_type` (for the server's
    /// reports; see [`crate::riskmodel::NextReturns`]).
    pub fn next_returns(&self, dataset: &str, id_type: Option<&str>) -> Result<crate::riskmodel::NextReturns> {
        self.with(|h| h.next_returns(dataset, id_type))
    }

    /// Every API key of this home, oldest first (never the keys themselves).
    pub fn keys(&self) -> Result<Vec<ApiKey>> {
        self.with(|h| h.keys())
    }

    /// Revokes API key `id`.
    pub fn revoke_key(&self, id: i64) -> Result<ApiKey> {
        self.with(|h| h.revoke_key(id))
    }

    /// The record of an API key (id, user, scope); `None` for an unknown or revoked one.
    pub fn find_key(&self, key: &str) -> Result<Option<ApiKey>> {
        self.with(|h| h.find_key(key))
    }

    /// Runs `work` with a catalog connection of its own.
    fn with<T>(&self, work: impl FnOnce(&Home) -> Result<T>) -> Result<T> {
        let taken = lock(&self.idle).pop();
        let home = match taken {
            Some(h) => h,
            None => Home::on(Arc::clone(&self.storage))?,
        };
        let out = work(&home);
        let mut idle = lock(&self.idle);
        if idle.len() < IDLE_CONNECTIONS {
            idle.push(home);
        }
        out
    }

    /// The query's table: the cached one when neither the query nor the dataset changed.
    /// The grid `request`: the last one run when it is the same on the same stored data.
    fn grid_of(&self, request: &GridRequest, progress: &Progress<'_>) -> Result<Arc<Grid>> {
        self.with(|home| {
            let file = home.risk_dataset_file(&request.dataset)?;
            if let Some((r, f, g)) = lock(&self.grid).as_ref()
                && r == request
                && *f == file
            {
                return Ok(Arc::clone(g));
            }
            let grid = Arc::new(home.grid(request, progress)?);
            *lock(&self.grid) = Some((request.clone(), file, Arc::clone(&grid)));
            Ok(grid)
        })
    }
}

impl Backend for LocalBackend {
    fn location(&self) -> String {
        self.storage.location()
    }

    fn datasets(&self) -> Result<Vec<DatasetInfo>> {
        self.with(|h| h.datasets())
    }

    fn file_statuses(&self, dataset: &str) -> Result<HashMap<String, FileStatus>> {
        self.with(|h| match h.uploader(dataset) {
            Ok(up) => up.statuses(),
            Err(Error::NotFound { .. }) => Ok(HashMap::new()),
            Err(e) => Err(e),
        })
    }

    fn stage(&self, dataset: &str, paths: &[PathBuf], replace: bool, progress: &Progress<'_>) -> Result<Vec<StagingResult>> {
        self.with(|h| h.get_or_create_uploader(dataset)?.stage(paths, replace, progress))
    }

    fn create_dataset(&self, dataset: &str) -> Result<()> {
        self.with(|h| h.get_or_create_uploader(dataset).map(|_| ()))
    }

    fn staging_results(&self, dataset: &str) -> Result<Vec<StagingResult>> {
        self.with(|h| h.uploader(dataset)?.staging_results())
    }

    fn staging_summary(&self, dataset: &str) -> Result<Vec<StagedSummary>> {
        self.with(|h| h.uploader(dataset)?.staging_summary())
    }

    fn staging_detail(&self, dataset: &str) -> Result<Vec<DetailRow>> {
        self.with(|h| h.uploader(dataset)?.staging_detail_summary())
    }

    fn staging_data(&self, dataset: &str, names: Option<&[String]>, columns: &[Column], unique: bool) -> Result<Vec<(String, Table)>> {
        let columns = if columns.is_empty() { Column::ALL.to_vec() } else { columns.to_vec() };
        let staged = self.with(|h| h.uploader(dataset)?.staged_data(names))?;
        Ok(staged.into_iter().map(|(name, frame)| (name, Table::from_exposures(&frame, &columns, unique))).collect())
    }

    fn staged_day(&self, dataset: &str, name: &str, date: &str) -> Result<Vec<GroupValues>> {
        let groups = self.with(|h| h.uploader(dataset)?.staged_day(name, date))?;
        Ok(groups
            .into_iter()
            .map(|(group, factors)| GroupValues {
                group,
                factors: factors.into_iter().map(|(factor, values)| FactorValues { factor, values }).collect(),
            })
            .collect())
    }

    fn staged_factor(&self, dataset: &str, date: &str, group: &str, factor: &str) -> Result<Vec<(String, f32)>> {
        self.with(|h| h.uploader(dataset)?.staged_factor(date, group, factor))
    }

    fn wipe_staging(&self, dataset: &str, names: Option<&[String]>) -> Result<Vec<StagingResult>> {
        self.with(|h| h.uploader(dataset)?.wipe_staging(names))
    }

    fn commit_preview(&self, dataset: &str, mode: CommitMode) -> Result<Vec<DateReplacement>> {
        self.with(|h| h.uploader(dataset)?.commit_preview(mode))
    }

    fn commit(&self, dataset: &str, mode: CommitMode, names: Option<&[String]>, progress: &Progress<'_>) -> Result<CommitResult> {
        self.with(|h| h.uploader(dataset)?.commit(mode, names, progress))
    }

    fn version_history(&self, dataset: &str) -> Result<Vec<VersionInfo>> {
        self.with(|h| h.uploader(dataset)?.version_history())
    }

    fn diff(&self, dataset: &str, from: u32, to: u32) -> Result<VersionDiff> {
        self.with(|h| h.uploader(dataset)?.diff(from, to, &mut lock(&self.diffed)))
    }

    fn diff_rows(&self, dataset: &str, from: u32, to: u32, offset: usize, limit: usize) -> Result<RowChanges> {
        super::check_page(limit)?;
        self.with(|h| h.uploader(dataset)?.diff_rows(from, to, offset, limit, &mut lock(&self.diffed)))
    }

    fn data_summary(&self, dataset: &str, version: Option<u32>) -> Result<Vec<DateSummary>> {
        self.with(|h| h.uploader(dataset)?.data_summary(version))
    }

    fn data_detail(&self, dataset: &str, version: Option<u32>) -> Result<Vec<DetailRow>> {
        self.with(|h| h.uploader(dataset)?.data_detail_summary(version))
    }

    fn factor_groups(&self, dataset: &str, version: Option<u32>) -> Result<Vec<String>> {
        self.with(|h| h.uploader(dataset)?.factor_groups(version))
    }

    fn check(&self, dataset: &str, request: &CheckRequest) -> Result<CheckReport> {
        self.with(|h| {
            let up = h.uploader(dataset)?;
            let run = || {
                if request.staging {
                    up.check_staging(&request.thresholds, request.quick)
                } else {
                    up.check_version(request.version, &request.thresholds, request.quick)
                }
            };
            if request.quick {
                // Instant: computed each time, so that it never displaces the full report cached below.
                return run();
            }
            // What the report depends on: the request, and the staged entries (each new staging
            // has a new timestamp) or the version with the latest version (for duplicate dates).
            let state = if request.staging {
                up.staging_results()?.iter().map(|r| format!("{}@{}", r.name, r.timestamp)).collect::<Vec<_>>().join(",")
            } else {
                format!("v{}", up.resolve_version(request.version)?)
            };
            let key = format!("{dataset}\n{}\n{state}\n{}", serde_json::to_string(request).unwrap_or_default(), up.resolve_version(None)?);
            if let Some((k, report)) = lock(&self.checked).as_ref()
                && *k == key
            {
                return Ok(report.clone());
            }
            let report = run()?;
            *lock(&self.checked) = Some((key, report.clone()));
            Ok(report)
        })
    }

    fn data(&self, dataset: &str, request: &DataRequest, progress: &Progress<'_>) -> Result<Table> {
        let columns = if request.columns.is_empty() { Column::ALL.to_vec() } else { request.columns.clone() };
        // Compiled first: a filter beyond the bounds is refused before any data is read.
        let filters = crate::uploader::filter::compile(&request.filters)?;
        let mut frame = self.with(|h| h.uploader(dataset)?.data(request.version))?;
        if !request.filters.is_empty() {
            frame = frame.take(&filters.rows(&frame, progress)?);
        }
        Ok(Table::from_exposures(&frame, &columns, request.unique))
    }

    fn revert(&self, dataset: &str, to: u32) -> Result<RevertResult> {
        self.with(|h| h.uploader(dataset)?.revert(to))
    }

    fn destroy(&self, dataset: &str) -> Result<()> {
        self.with(|h| h.uploader(dataset)?.destroy())
    }

    fn references(&self) -> Result<Vec<ReferenceInfo>> {
        self.with(|h| h.references())
    }

    fn import_reference(&self, name: &str, dir: &Path, id_type: &str, replace: bool, progress: &Progress<'_>) -> Result<ReferenceInfo> {
        progress.report("import", 0, 1, format!("reading {}", dir.display()));
        let info = self.with(|h| h.import_reference(name, dir, id_type, replace))?;
        progress.report("import", 1, 1, format!("imported {} assets", info.assets));
        Ok(info)
    }

    fn demo_reference(&self, options: &DemoOptions) -> Result<ReferenceInfo> {
        self.with(|h| h.demo_reference(options))
    }

    fn delete_reference(&self, name: &str) -> Result<()> {
        self.with(|h| h.delete_reference(name))
    }

    fn reference_exchanges(&self, name: &str) -> Result<Vec<Exchange>> {
        let counts = self.with(|h| Ok(h.reference(name)?.assets.exchange_counts()))?;
        Ok(counts.into_iter().map(|(code, assets)| Exchange { code, assets }).collect())
    }

    fn risk_datasets(&self) -> Result<Vec<RiskDatasetInfo>> {
        self.with(|h| h.risk_datasets())
    }

    fn create_risk_dataset(
        &self,
        name: &str,
        settings: &RiskDatasetSettings,
        replace: bool,
        progress: &Progress<'_>,
    ) -> Result<CreationReport> {
        self.with(|h| h.create_risk_dataset(name, settings, replace, progress))
    }

    fn describe_risk_dataset(&self, name: &str) -> Result<Description> {
        self.with(|h| h.describe_risk_dataset(name))
    }

    fn update_risk_dataset(&self, name: &str, progress: &Progress<'_>) -> Result<UpdateResult> {
        self.with(|h| h.update_risk_dataset(name, progress))
    }

    fn delete_risk_dataset(&self, name: &str, if_exists: bool) -> Result<bool> {
        self.with(|h| h.delete_risk_dataset(name, if_exists))
    }

    fn risk_models(&self) -> Result<Vec<RiskModelInfo>> {
        self.with(|h| h.risk_models())
    }

    fn create_risk_model(&self, name: &str, settings: &RiskModelSettings, replace: bool, progress: &Progress<'_>) -> Result<RiskModelInfo> {
        self.with(|h| h.create_risk_model(name, settings, replace, progress))
    }

    fn describe_risk_model(&self, name: &str) -> Result<RiskModelInfo> {
        self.with(|h| h.describe_risk_model(name))
    }

    fn update_risk_model(&self, name: &str, progress: &Progress<'_>) -> Result<RiskModelInfo> {
        self.with(|h| h.update_risk_model(name, progress))
    }

    fn delete_risk_model(&self, name: &str, if_exists: bool) -> Result<bool> {
        self.with(|h| h.delete_risk_model(name, if_exists))
    }

    fn risk_model_frame(&self, name: &str, frame: ModelFrame) -> Result<DateFrame> {
        self.with(|h| h.risk_model_frame(name, frame))
    }

    fn factor_covariance(&self, name: &str, date: &str) -> Result<FactorCovariance> {
        self.with(|h| h.factor_covariance(name, date))
    }

    fn specific_risk(&self, name: &str, date: &str) -> Result<SpecificRisk> {
        self.with(|h| h.specific_risk(name, date))
    }

    fn model_impact(&self, dataset: &str, model: &str, progress: &Progress<'_>) -> Result<ModelImpact> {
        self.with(|h| h.model_impact(dataset, model, progress))
    }

    fn portfolio_risk(&self, request: &RiskRequest, progress: &Progress<'_>) -> Result<Vec<RiskReport>> {
        self.with(|h| h.portfolio_risk(request, progress))
    }

    fn portfolios(&self) -> Result<Vec<PortfolioInfo>> {
        self.with(|h| h.portfolios())
    }

    fn save_portfolio(&self, name: &str, portfolio: &Portfolio, replace: bool) -> Result<PortfolioInfo> {
        self.with(|h| h.save_portfolio(name, portfolio, replace))
    }

    fn delete_portfolio(&self, name: &str, if_exists: bool) -> Result<bool> {
        self.with(|h| h.delete_portfolio(name, if_exists))
    }

    fn exposures(&self, dataset: &str, query: &ExposureQuery) -> Result<Table> {
        self.with(|h| h.exposures(dataset, query))
    }

    fn grid(&self, request: &GridRequest, progress: &Progress<'_>) -> Result<GridInfo> {
        Ok(self.grid_of(request, progress)?.info().clone())
    }

    fn grid_rows(&self, request: &GridRequest, offset: usize, limit: usize) -> Result<Page> {
        super::check_page(limit)?;
        let grid = self.grid_of(request, &Progress::none())?;
        grid.page(offset, limit)
    }

    fn export_exposures(
        &self,
        dataset: &str,
        query: &ExposureQuery,
        format: Format,
        path: &Path,
        progress: &Progress<'_>,
    ) -> Result<usize> {
        self.with(|h| h.export_exposures(dataset, query, format, path, progress))
    }
}
