//! The commands the UI calls. [`call`] runs any of the engine's [`Call`]s: the operations the UI
//! only forwards, whose TypeScript signatures are generated from the same definition (see
//! [`Call::signatures`]). The named commands do more than forward one call: they open dialogs,
//! read this computer's folders, draw charts here, join several calls, or manage the connection.
//! Backend work runs through `run` (on a blocking thread, so the window never waits).
//! Failures reach the UI as the engine's `{code, message, details}`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use riskdesk::api::{Call, CheckRequest, DayHistogram, Drill};
use riskdesk::chart::{DayCharts, HeatMetric, Heatmap};
use riskdesk::checks::{Finding, Thresholds};
use riskdesk::demo::DemoOptions;
use riskdesk::progress::Step;
use riskdesk::reference::ReferenceInfo;
use riskdesk::riskdataset::{ExposureQuery, RiskDatasetInfo};
use riskdesk::riskmodel::view::ModelCharts;
use riskdesk::scan::ScanReport;
use riskdesk::table::Format;
use riskdesk::uploader::{DatasetInfo, StagingResult, VersionInfo};
use riskdesk::{Backend, Error, Progress};
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Channel;
use ts_rs::TS;

use crate::Shared;
use crate::dialogs::Dialogs;

pub(crate) type Reply<T> = Result<T, Error>;
pub(crate) type App<'a> = State<'a, Arc<Shared>>;

/// Runs one of the engine's calls without progress or cancel; its reply as JSON (the typed
/// reply is in the generated bindings). A long call the user may want to follow or cancel (see
/// [`Call::is_long`]) goes through [`call_long`] instead.
#[tauri::command]
pub async fn call(app: App<'_>, call: Call) -> Reply<serde_json::Value> {
    run(&app, None, move |b, p| call.run(b, p)).await
}

/// Runs one of the engine's calls as job `job`: its progress goes to `on_progress`, and
/// [`cancel`] with the same id stops it; its reply as JSON.
#[tauri::command]
pub async fn call_long(app: App<'_>, call: Call, job: u64, on_progress: Channel<Step>) -> Reply<serde_json::Value> {
    run(&app, Some((job, on_progress)), move |b, p| call.run(b, p)).await
}

/// Runs backend work on a blocking thread. With a `job`, its progress goes to the channel and
/// [`cancel`] with the same id stops it; each job has its own flag, so nothing else can clear it.
pub(crate) async fn run<T: Send + 'static>(
    app: &App<'_>,
    job: Option<(u64, Channel<Step>)>,
    work: impl FnOnce(&dyn Backend, &Progress<'_>) -> Reply<T> + Send + 'static,
) -> Reply<T> {
    let shared = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || {
        let backend = shared.backend();
        let Some((id, channel)) = job else { return work(backend.as_ref(), &Progress::none()) };
        let running = shared.jobs.start(id);
        let send = |s: &Step| {
            let _ = channel.send(s.clone());
        };
        work(backend.as_ref(), &Progress::new(&send).cancellable(running.flag()))
    })
    .await
    .map_err(|e| Error::Internal(format!("the work stopped unexpectedly: {e}")))?
}

/// Runs a modal dialog off the main thread: the main thread must keep running the window's
/// event loop, which the dialog itself needs (a dialog opened on it would wait forever).
pub(crate) async fn dialog<T: Send + 'static>(app: &App<'_>, ask: impl FnOnce(&dyn Dialogs) -> T + Send + 'static) -> Reply<T> {
    let shared = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || ask(shared.dialogs.as_ref()))
        .await
        .map_err(|e| Error::Internal(format!("the dialog closed unexpectedly: {e}")))
}

/// Where the app works and the exposure datasets there.
#[derive(Debug, Serialize, Deserialize, TS)]
pub struct AppInfo {
    /// The home folder (or, in remote mode, the server).
    pub home: String,
    /// The app's version (the crate's).
    pub version: String,
    /// The exposure datasets there, by name.
    pub datasets: Vec<DatasetInfo>,
}

/// Where the app works, its version and the exposure datasets.
#[tauri::command]
pub async fn app_info(app: App<'_>) -> Reply<AppInfo> {
    run(&app, None, |b, _| Ok(AppInfo { home: b.location(), version: env!("CARGO_PKG_VERSION").into(), datasets: b.datasets()? })).await
}

/// The About panel's facts: version, build, licence, where the app works, third-party licences.
#[tauri::command]
pub fn about(app: App<'_>) -> crate::about::About {
    crate::about::about(app.backend().location())
}

/// A message for the user about the window itself, once: set when the web view crashed and
/// was reloaded.
#[tauri::command]
pub fn startup_notice(app: App<'_>) -> Option<String> {
    app.take_notice()
}

/// The folder or ZIP the app was opened with (`riskdesk-app PATH`, the file manager's *Open
/// with*), once; later launches' paths come as [`crate::desktop::OPEN_PATH`] events.
#[tauri::command]
pub fn opened_path(app: App<'_>) -> Option<String> {
    app.take_opened().map(|p| p.display().to_string())
}

/// What the window remembers for the place it works on: the last screen, the recent datasets
/// there and the folders scanned on this computer.
#[tauri::command(async)]
pub fn recent(app: App<'_>) -> crate::recent::Recent {
    app.memory.recall(app.server().as_deref())
}

/// Notes the screen shown, a dataset worked on (in the current place) or a folder scanned.
#[tauri::command(async)]
pub fn remember(app: App<'_>, what: crate::recent::Remember) -> Reply<()> {
    app.memory.remember(app.server().as_deref(), what)
}

/// Takes a folder off the recent folders.
#[tauri::command(async)]
pub fn forget_folder(app: App<'_>, path: String) -> Reply<()> {
    app.memory.forget_folder(&path)
}

/// Asks for a folder; `None` when the user cancels.
#[tauri::command]
pub async fn choose_folder(app: App<'_>) -> Reply<Option<String>> {
    dialog(&app, |d| d.pick_folder().map(|p| p.display().to_string())).await
}

/// Scans a folder, marking the files already staged or committed in `dataset`.
#[tauri::command]
pub async fn scan_folder(app: App<'_>, path: PathBuf, dataset: Option<String>) -> Reply<ScanReport> {
    run(&app, None, move |b, _| b.scan(&path, dataset.as_deref().filter(|d| !d.is_empty()))).await
}

/// Stages files, folders or ZIPs into `dataset` (created if new); one result per name.
#[tauri::command]
pub async fn stage(
    app: App<'_>,
    dataset: String,
    paths: Vec<PathBuf>,
    replace: bool,
    on_progress: Channel<Step>,
    job: u64,
) -> Reply<Vec<StagingResult>> {
    run(&app, Some((job, on_progress)), move |b, p| b.stage(&dataset, &paths, replace, p)).await
}

/// The sanity checks over what is staged: findings, most severe first, and the factor × date
/// heatmaps of missing values and of standardisation, `width` × `height` SVG pixels each.
#[derive(Debug, Serialize, Deserialize, TS)]
pub struct StagingCheck {
    /// The checks' findings, most severe first.
    pub findings: Vec<Finding>,
    /// The factor × date heatmaps: missing values, then standardisation.
    pub heatmaps: Vec<Heatmap>,
}

/// Runs the sanity checks over what is staged (see [`StagingCheck`]).
#[tauri::command]
pub async fn check_staging(app: App<'_>, dataset: String, thresholds: Option<Thresholds>, width: u32, height: u32) -> Reply<StagingCheck> {
    run(&app, None, move |b, _| {
        let request = CheckRequest { staging: true, version: None, thresholds: thresholds.unwrap_or_default(), quick: false };
        let report = b.check(&dataset, &request)?;
        let heatmaps = [HeatMetric::Missing, HeatMetric::Standardization]
            .into_iter()
            .map(|m| riskdesk::chart::factor_heatmap(&report.stats, m, (width, height)))
            .collect::<riskdesk::Result<_>>()?;
        Ok(StagingCheck { findings: report.findings, heatmaps })
    })
    .await
}

/// The drill-down of a finding over the staging area: its assets with their values (and the
/// date before's) and the day's histogram with them marked, `width` × `height` SVG pixels.
#[tauri::command]
pub async fn drill_down(app: App<'_>, dataset: String, finding: Finding, width: u32, height: u32) -> Reply<Drill> {
    run(&app, None, move |b, _| b.drill_down(&dataset, &finding, (width, height))).await
}

/// The sanity checks' default thresholds.
#[tauri::command]
pub fn default_thresholds() -> Thresholds {
    Thresholds::default()
}

/// The per-day charts of the staged data, `width` × `height` SVG pixels each.
#[tauri::command]
pub async fn day_charts(app: App<'_>, dataset: String, width: u32, height: u32) -> Reply<DayCharts> {
    run(&app, None, move |b, _| b.day_charts(&dataset, (width, height))).await
}

/// A risk model at a glance: charts of the factors of `group` (a role; styles by default), the
/// cumulative returns of `lines` (the largest when empty) and forecasts at `date` (the last model
/// date by default), `width` × `height` SVG pixels each.
#[allow(clippy::too_many_arguments)] // one per argument the UI sends
#[tauri::command]
pub async fn model_charts(
    app: App<'_>,
    name: String,
    group: Option<String>,
    lines: Vec<String>,
    date: Option<String>,
    width: u32,
    height: u32,
) -> Reply<ModelCharts> {
    run(&app, None, move |b, _| b.model_charts(&name, group.as_deref(), &lines, date.as_deref(), (width, height))).await
}

/// Draws a staged day's values of `group` (by default the group named like "style", else the
/// first), of one `factor` of it, or its members per factor when it is categorical.
#[allow(clippy::too_many_arguments)] // one per argument the UI sends
#[tauri::command]
pub async fn day_histogram(
    app: App<'_>,
    dataset: String,
    name: String,
    date: String,
    group: Option<String>,
    factor: Option<String>,
    width: u32,
    height: u32,
) -> Reply<DayHistogram> {
    run(&app, None, move |b, _| b.day_histogram(&dataset, &name, &date, group.as_deref(), factor.as_deref(), (width, height))).await
}

/// Versions of an exposure dataset and the factor groups of the latest one.
#[derive(Debug, Serialize, Deserialize, TS)]
pub struct History {
    /// Every committed version, oldest first.
    pub versions: Vec<VersionInfo>,
    /// Empty while nothing is committed.
    pub factor_groups: Vec<String>,
}

/// The versions of `dataset`, oldest first, and the factor groups of the latest.
#[tauri::command]
pub async fn history(app: App<'_>, dataset: String) -> Reply<History> {
    run(&app, None, move |b, _| {
        let versions = b.version_history(&dataset)?;
        let factor_groups = if versions.is_empty() { Vec::new() } else { b.factor_groups(&dataset, None)? };
        Ok(History { versions, factor_groups })
    })
    .await
}

/// What the risk dataset form needs: reference datasets, existing risk datasets, and the
/// factor groups of each exposure dataset's latest version.
#[derive(Debug, Serialize, Deserialize, TS)]
pub struct RiskForm {
    /// The reference datasets a risk dataset can borrow its universe from.
    pub references: Vec<ReferenceInfo>,
    /// The risk datasets already built (and the references, as the seed lists them).
    pub risk_datasets: Vec<RiskDatasetInfo>,
    /// Per exposure dataset, the factor groups of its latest version.
    pub factor_groups: BTreeMap<String, Vec<String>>,
}

/// Everything the risk dataset form offers; see [`RiskForm`].
#[tauri::command]
pub async fn risk_form(app: App<'_>) -> Reply<RiskForm> {
    run(&app, None, |b, _| {
        let mut factor_groups = BTreeMap::new();
        for d in b.datasets()?.into_iter().filter(|d| d.latest_version > 0) {
            factor_groups.insert(d.name.clone(), b.factor_groups(&d.name, None)?);
        }
        Ok(RiskForm { references: b.references()?, risk_datasets: b.risk_datasets()?, factor_groups })
    })
    .await
}

/// Imports a reference dataset from a folder (`assets.csv`, optional `market_caps.csv`, `returns.csv`).
#[tauri::command]
pub async fn import_reference(
    app: App<'_>,
    name: String,
    dir: PathBuf,
    id_type: String,
    replace: bool,
    on_progress: Channel<Step>,
    job: u64,
) -> Reply<ReferenceInfo> {
    run(&app, Some((job, on_progress)), move |b, p| b.import_reference(&name, &dir, &id_type, replace, p)).await
}

/// The exposures preview's query: the risk dataset and what to read of it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PreviewQuery {
    /// The risk dataset read.
    pub dataset: String,
    /// What to read of it: dates, ids, factors, standardisation.
    #[serde(flatten)]
    pub query: ExposureQuery,
}

/// Asks where to save, then writes the query's whole table as `csv` or `parquet`. Returns the
/// file written, or `None` when the user cancelled the dialog.
#[tauri::command]
pub async fn export_exposures(
    app: App<'_>,
    query: PreviewQuery,
    format: String,
    on_progress: Channel<Step>,
    job: u64,
) -> Reply<Option<String>> {
    let (format, extension) = match format.as_str() {
        "csv" => (Format::Csv, "csv"),
        "parquet" => (Format::Parquet, "parquet"),
        other => return Err(Error::invalid(format!("cannot export as '{other}': choose csv or parquet"))),
    };
    let q = &query.query;
    let suggested =
        format!("{}_{}_{}.{extension}", query.dataset, q.start.as_deref().unwrap_or("start"), q.end.as_deref().unwrap_or("end"));
    let Some(path) = dialog(&app, move |d| d.save_file("Export exposures", &suggested, extension)).await? else { return Ok(None) };
    run(&app, Some((job, on_progress)), move |b, p| {
        b.export_exposures(&query.dataset, &query.query, format, &path, p)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Writes the demo month (once) next to the app's data and stores the demo reference dataset;
/// returns the demo folder.
#[tauri::command]
pub async fn make_demo(app: App<'_>, on_progress: Channel<Step>, job: u64) -> Reply<String> {
    let folder = app.demo_folder.clone();
    run(&app, Some((job, on_progress)), move |b, p| {
        let opts = DemoOptions::default();
        if !folder.is_dir() {
            riskdesk::demo::write_exposures(&folder, &opts, p)?;
        }
        b.demo_reference(&opts)?;
        Ok(folder.display().to_string())
    })
    .await
}

/// Asks job `job` to stop; it undoes what it started. A job that already ended ignores it.
#[tauri::command]
pub fn cancel(app: App<'_>, job: u64) {
    app.jobs.cancel(job);
}

// ----- where the app works -----

/// Where the app works now ("This computer" or a saved server) and the saved servers.
#[tauri::command]
pub async fn connection(app: App<'_>) -> Reply<crate::connection::Connection> {
    let shared = Arc::clone(&app);
    blocking(move || shared.connection()).await
}

/// Tries a server: reachable, a platform server, the key accepted; what it said.
#[tauri::command]
pub async fn test_connection(endpoint: String, key: String) -> Reply<riskdesk_remote::ServerInfo> {
    blocking(move || crate::connection::connect(&endpoint, &key).map(|(_, check)| check)).await
}

/// Connects to a server and works on it from now on. With a key, the server is saved (or its
/// key replaced) under `name`; without, the saved server `name` is used with its kept key.
#[tauri::command]
pub async fn connect_server(
    app: App<'_>,
    name: String,
    endpoint: Option<String>,
    key: Option<String>,
) -> Reply<crate::connection::Connection> {
    let shared = Arc::clone(&app);
    blocking(move || {
        let servers = shared.servers();
        let (endpoint, key) = match (endpoint, key.filter(|k| !k.trim().is_empty())) {
            (Some(endpoint), Some(key)) => (endpoint, key),
            _ => {
                let saved = servers.list()?.into_iter().find(|s| s.name == name).ok_or_else(|| Error::not_found("saved server", &name))?;
                let key = servers.key(&saved)?;
                (saved.endpoint, key)
            }
        };
        let (backend, check) = crate::connection::connect(&endpoint, &key)?;
        servers.save(&name, &endpoint, &key)?;
        shared.switch(Some((name, backend, check)));
        shared.connection()
    })
    .await
}

/// Works on this computer's home folder again.
#[tauri::command]
pub async fn disconnect(app: App<'_>) -> Reply<crate::connection::Connection> {
    let shared = Arc::clone(&app);
    blocking(move || {
        shared.switch(None);
        shared.connection()
    })
    .await
}

/// Forgets a saved server and its key (working on this computer if it was in use).
#[tauri::command]
pub async fn forget_server(app: App<'_>, name: String) -> Reply<crate::connection::Connection> {
    let shared = Arc::clone(&app);
    blocking(move || {
        if shared.connection()?.server.as_deref() == Some(name.as_str()) {
            shared.switch(None);
        }
        shared.servers().forget(&name)?;
        shared.connection()
    })
    .await
}

/// Runs blocking work that needs no backend off the window's thread.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Reply<T> + Send + 'static) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(|e| Error::Internal(format!("the work stopped unexpectedly: {e}")))?
}
