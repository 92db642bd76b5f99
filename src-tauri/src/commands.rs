//! The commands the UI calls. Each adapts its arguments and calls the engine through [`run`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use riskdesk::chart::{DayCharts, Histogram};
use riskdesk::demo::DemoOptions;
use riskdesk::progress::Step;
use riskdesk::reference::ReferenceInfo;
use riskdesk::riskdataset::{CreationReport, Description, ExposureQuery, RiskDatasetInfo, RiskDatasetSettings, Selection};
use riskdesk::scan::ScanReport;
use riskdesk::table::{Format, Table};
use riskdesk::uploader::{CommitMode, CommitResult, DatasetInfo, DetailRow, StagingResult, VersionInfo};
use riskdesk::{Home, Progress};
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Channel;

use crate::Shared;
use crate::dialogs::Dialogs;

/// What the UI receives when a command fails: the engine's stable code, message and details.
#[derive(Debug, Serialize, Deserialize)]
pub struct UiError {
    pub code: String,
    pub message: String,
    pub details: Vec<String>,
}

impl From<riskdesk::Error> for UiError {
    fn from(e: riskdesk::Error) -> Self {
        UiError { code: e.code().to_owned(), message: e.to_string(), details: e.details().to_vec() }
    }
}

type Reply<T> = Result<T, UiError>;
type App<'a> = State<'a, Arc<Shared>>;

/// Runs engine work on a blocking thread with the home folder, progress and cancellation.
async fn run<T: Send + 'static>(
    app: &App<'_>,
    progress: Option<Channel<Step>>,
    work: impl FnOnce(&Home, &Progress<'_>) -> riskdesk::Result<T> + Send + 'static,
) -> Reply<T> {
    let shared = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || {
        shared.cancel.store(false, Ordering::Relaxed);
        let send = |s: &Step| {
            if let Some(ch) = &progress {
                let _ = ch.send(s.clone());
            }
        };
        let progress = Progress::new(&send).cancellable(&shared.cancel);
        let home = shared.home.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&home, &progress).map_err(UiError::from)
    })
    .await
    .map_err(|e| UiError { code: "internal".into(), message: format!("the work stopped unexpectedly: {e}"), details: vec![] })?
}

/// The home folder and the exposure datasets in it.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub home: String,
    pub version: String,
    pub datasets: Vec<DatasetInfo>,
}

/// The home folder, the app version and the exposure datasets.
#[tauri::command]
pub async fn app_info(app: App<'_>) -> Reply<AppInfo> {
    run(&app, None, |home, _| {
        Ok(AppInfo { home: home.root().display().to_string(), version: env!("CARGO_PKG_VERSION").into(), datasets: home.datasets()? })
    })
    .await
}

/// Runs a modal dialog off the main thread: the main thread must keep running the window's
/// event loop, which the dialog itself needs (a dialog opened on it would wait forever).
async fn dialog<T: Send + 'static>(app: &App<'_>, ask: impl FnOnce(&dyn Dialogs) -> T + Send + 'static) -> Reply<T> {
    let shared = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || ask(shared.dialogs.as_ref())).await.map_err(|e| UiError {
        code: "internal".into(),
        message: format!("the dialog closed unexpectedly: {e}"),
        details: vec![],
    })
}

/// Asks for a folder; `None` when the user cancels.
#[tauri::command]
pub async fn choose_folder(app: App<'_>) -> Reply<Option<String>> {
    dialog(&app, |d| d.pick_folder().map(|p| p.display().to_string())).await
}

/// Scans a folder, marking the files already staged or committed in `dataset`.
#[tauri::command]
pub async fn scan_folder(app: App<'_>, path: PathBuf, dataset: Option<String>) -> Reply<ScanReport> {
    run(&app, None, move |home, _| {
        let known = match dataset.as_deref().map(|d| home.uploader(d)) {
            Some(Ok(up)) => up.statuses()?,
            _ => Default::default(),
        };
        riskdesk::scan::scan(&path, &known)
    })
    .await
}

/// Stages files, folders or ZIPs into `dataset` (created if new), with progress; one result per name.
#[tauri::command]
pub async fn stage(
    app: App<'_>,
    dataset: String,
    paths: Vec<PathBuf>,
    replace: bool,
    on_progress: Channel<Step>,
) -> Reply<Vec<StagingResult>> {
    run(&app, Some(on_progress), move |home, p| home.get_or_create_uploader(&dataset)?.stage(&paths, replace, p)).await
}

/// The detail summary of what is staged: one row per staged name and date.
#[tauri::command]
pub async fn staging_detail(app: App<'_>, dataset: String) -> Reply<Vec<DetailRow>> {
    run(&app, None, move |home, _| home.uploader(&dataset)?.staging_detail_summary()).await
}

/// Removes staged names; returns what was removed.
#[tauri::command]
pub async fn wipe_staged(app: App<'_>, dataset: String, names: Vec<String>) -> Reply<Vec<StagingResult>> {
    run(&app, None, move |home, _| home.uploader(&dataset)?.wipe_staging(Some(&names))).await
}

/// The per-day charts of the staged data, `width` × `height` SVG pixels each.
#[tauri::command]
pub async fn day_charts(app: App<'_>, dataset: String, width: u32, height: u32) -> Reply<DayCharts> {
    run(&app, None, move |home, _| riskdesk::chart::day_charts(&home.uploader(&dataset)?.staging_detail_summary()?, (width, height))).await
}

/// A histogram of one staged day's values of one factor group.
#[derive(Debug, Serialize)]
pub struct DayHistogram {
    /// The factor groups of that day; `group` is the one drawn.
    pub groups: Vec<String>,
    pub group: String,
    pub histogram: Histogram,
}

/// Draws a staged day's values of `group` (by default the group named like "style", else the first).
#[tauri::command]
pub async fn day_histogram(
    app: App<'_>,
    dataset: String,
    name: String,
    date: String,
    group: Option<String>,
    width: u32,
    height: u32,
) -> Reply<DayHistogram> {
    run(&app, None, move |home, _| {
        let groups = home.uploader(&dataset)?.staged_day(&name, &date)?;
        let names: Vec<String> = groups.iter().map(|(g, _)| g.clone()).collect();
        let chosen = group
            .filter(|g| names.contains(g))
            .or_else(|| names.iter().find(|g| g.to_lowercase().contains("style")).cloned())
            .or_else(|| names.first().cloned())
            .ok_or_else(|| riskdesk::Error::invalid(format!("{name} has no values on {date}")))?;
        let values = &groups.iter().find(|(g, _)| *g == chosen).expect("chosen among the groups").1;
        let title = format!("{chosen} exposures on {date}");
        Ok(DayHistogram { groups: names, group: chosen, histogram: riskdesk::chart::histogram(values, 60, title, (width, height))? })
    })
    .await
}

/// Commits everything staged with a mode (`append`, `upsert`, `overwrite_dates`, `overwrite`).
#[tauri::command]
pub async fn commit(app: App<'_>, dataset: String, mode: String, on_progress: Channel<Step>) -> Reply<CommitResult> {
    run(&app, Some(on_progress), move |home, p| home.uploader(&dataset)?.commit(CommitMode::parse(&mode)?, None, p)).await
}

/// Versions of an exposure dataset and the factor groups of the latest one.
#[derive(Debug, Serialize)]
pub struct History {
    pub versions: Vec<VersionInfo>,
    pub factor_groups: Vec<String>,
}

/// The versions of `dataset`, oldest first, and the factor groups of the latest.
#[tauri::command]
pub async fn history(app: App<'_>, dataset: String) -> Reply<History> {
    run(&app, None, move |home, _| {
        let up = home.uploader(&dataset)?;
        Ok(History { versions: up.version_history()?, factor_groups: up.factor_groups(None)? })
    })
    .await
}

/// What the risk dataset form needs: reference datasets, existing risk datasets, and the
/// factor groups of each exposure dataset's latest version.
#[derive(Debug, Serialize)]
pub struct RiskForm {
    pub references: Vec<ReferenceInfo>,
    pub risk_datasets: Vec<RiskDatasetInfo>,
    pub factor_groups: BTreeMap<String, Vec<String>>,
}

/// Everything the risk dataset form offers; see [`RiskForm`].
#[tauri::command]
pub async fn risk_form(app: App<'_>) -> Reply<RiskForm> {
    run(&app, None, |home, _| {
        let mut factor_groups = BTreeMap::new();
        for d in home.datasets()?.into_iter().filter(|d| d.latest_version > 0) {
            factor_groups.insert(d.name.clone(), home.uploader(&d.name)?.factor_groups(None)?);
        }
        Ok(RiskForm { references: home.references()?, risk_datasets: home.risk_datasets()?, factor_groups })
    })
    .await
}

/// An exchange of a reference dataset and how many of its assets list there.
#[derive(Debug, Serialize, PartialEq)]
pub struct Exchange {
    pub code: String,
    pub assets: usize,
}

/// The exchanges of a reference dataset, by code.
#[tauri::command]
pub async fn reference_exchanges(app: App<'_>, reference: String) -> Reply<Vec<Exchange>> {
    run(&app, None, move |home, _| {
        Ok(home.reference(&reference)?.assets.exchange_counts().into_iter().map(|(code, assets)| Exchange { code, assets }).collect())
    })
    .await
}

/// Creates (or, with `replace`, replaces) a risk dataset, with progress; returns its report.
#[tauri::command]
pub async fn create_risk_dataset(
    app: App<'_>,
    name: String,
    settings: RiskDatasetSettings,
    replace: bool,
    on_progress: Channel<Step>,
) -> Reply<CreationReport> {
    let shared = Arc::clone(&app);
    run(&app, Some(on_progress), move |home, p| {
        let report = home.create_risk_dataset(&name, &settings, replace, p)?;
        // A replaced dataset must not be previewed or exported from the old table.
        *shared.preview.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        Ok(report)
    })
    .await
}

/// The describe view of a risk dataset: status, range, universe menu and creation report.
#[tauri::command]
pub async fn describe_risk_dataset(app: App<'_>, name: String) -> Reply<Description> {
    run(&app, None, move |home, _| home.describe_risk_dataset(&name)).await
}

/// The exposures preview's query, as the UI sends it. `industries` and `regions` take the
/// CLI's selection syntax: `none`, `all`, or a comma-separated list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreviewQuery {
    pub dataset: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub id_type: Option<String>,
    pub industries: String,
    pub regions: String,
    pub standardize: bool,
}

/// The query's table: the cached one when the query is unchanged, else computed and cached.
fn preview_table(shared: &Shared, home: &Home, query: &PreviewQuery) -> riskdesk::Result<Arc<Table>> {
    let key = serde_json::to_string(query).unwrap_or_default();
    let cached = shared.preview.lock().unwrap_or_else(|p| p.into_inner()).as_ref().filter(|(k, _)| *k == key).map(|(_, t)| Arc::clone(t));
    if let Some(t) = cached {
        return Ok(t);
    }
    let date = |d: &Option<String>| d.as_deref().filter(|s| !s.is_empty()).map(riskdesk::date::parse_arg).transpose();
    let q = ExposureQuery {
        start: date(&query.start)?,
        end: date(&query.end)?,
        id_type: query.id_type.clone().filter(|s| !s.is_empty()),
        industries: Selection::parse(&query.industries),
        regions: Selection::parse(&query.regions),
        styles: Selection::All,
        standardize: query.standardize,
    };
    let table = Arc::new(home.exposures(&query.dataset, &q)?);
    *shared.preview.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, Arc::clone(&table)));
    Ok(table)
}

/// One page of the wide exposures: column names, cells as text, and the total row count.
#[derive(Debug, Serialize)]
pub struct Page {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total: usize,
}

/// Rows `offset..offset + limit` of the query's table (computed once, then paged from a cache).
#[tauri::command]
pub async fn exposures_page(app: App<'_>, query: PreviewQuery, offset: usize, limit: usize) -> Reply<Page> {
    let shared = Arc::clone(&app);
    run(&app, None, move |home, _| {
        let table = preview_table(&shared, home, &query)?;
        let end = (offset + limit).min(table.rows());
        let rows = (offset.min(end)..end).map(|r| (0..table.columns.len()).map(|c| table.cell(r, c)).collect()).collect();
        Ok(Page { columns: table.names.clone(), rows, total: table.rows() })
    })
    .await
}

/// Asks where to save, then writes the query's whole table as `csv` or `parquet`. Returns the
/// file written, or `None` when the user cancelled the dialog.
#[tauri::command]
pub async fn export_exposures(app: App<'_>, query: PreviewQuery, format: String, on_progress: Channel<Step>) -> Reply<Option<String>> {
    let format = match format.as_str() {
        "csv" => Format::Csv,
        "parquet" => Format::Parquet,
        other => return Err(riskdesk::Error::invalid(format!("cannot export as '{other}': choose csv or parquet")).into()),
    };
    let extension = if format == Format::Csv { "csv" } else { "parquet" };
    let suggested =
        format!("{}_{}_{}.{extension}", query.dataset, query.start.as_deref().unwrap_or("start"), query.end.as_deref().unwrap_or("end"));
    let Some(path) = dialog(&app, move |d| d.save_file(&suggested, extension)).await? else { return Ok(None) };
    let shared = Arc::clone(&app);
    run(&app, Some(on_progress), move |home, p| {
        p.report("export", 0, 2, "preparing the exposures");
        let table = preview_table(&shared, home, &query)?;
        p.check()?;
        p.report("export", 1, 2, format!("writing {} rows", table.rows()));
        table.save(format, &path)?;
        p.report("export", 2, 2, "written");
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Writes the demo month (once) and the demo reference dataset; returns the demo folder.
#[tauri::command]
pub async fn make_demo(app: App<'_>, on_progress: Channel<Step>) -> Reply<String> {
    run(&app, Some(on_progress), |home, p| {
        let folder = home.root().join("demo").join("exposures");
        let opts = DemoOptions::default();
        if !folder.is_dir() {
            riskdesk::demo::write_exposures(&folder, &opts, p)?;
        }
        home.demo_reference(&opts)?;
        Ok(folder.display().to_string())
    })
    .await
}

/// Asks the running work to stop; it undoes what it started.
#[tauri::command]
pub fn cancel(app: App<'_>) {
    app.cancel.store(true, Ordering::Relaxed);
}
