//! The Riskdesk desktop app: a thin Tauri shell. Each command adapts arguments, calls one engine
//! function on a blocking thread (the window never waits), and forwards progress to a channel.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use riskdesk::demo::DemoOptions;
use riskdesk::progress::Step;
use riskdesk::reference::ReferenceInfo;
use riskdesk::riskdataset::{CreationReport, Description, ExposureQuery, RiskDatasetInfo, RiskDatasetSettings, Selection};
use riskdesk::scan::ScanReport;
use riskdesk::table::Table;
use riskdesk::uploader::{CommitMode, CommitResult, DatasetInfo, DetailRow, StagingResult, VersionInfo};
use riskdesk::{Home, Progress};
use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;

/// What the UI receives when a command fails: the engine's stable code, message and details.
#[derive(Debug, Serialize)]
struct UiError {
    code: &'static str,
    message: String,
    details: Vec<String>,
}

impl From<riskdesk::Error> for UiError {
    fn from(e: riskdesk::Error) -> Self {
        UiError { code: e.code(), message: e.to_string(), details: e.details().to_vec() }
    }
}

type Reply<T> = Result<T, UiError>;

/// The app's state: the open home folder and the cancellation flag of the running work.
struct Shared {
    home: Mutex<Home>,
    cancel: AtomicBool,
    /// The last exposures query and its table, so that paging does not recompute it.
    preview: Mutex<Option<(String, Arc<Table>)>>,
}

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
    .map_err(|e| UiError { code: "internal", message: format!("the work stopped unexpectedly: {e}"), details: vec![] })?
}

#[derive(Serialize)]
struct AppInfo {
    home: String,
    datasets: Vec<DatasetInfo>,
}

#[tauri::command]
async fn app_info(app: App<'_>) -> Reply<AppInfo> {
    run(&app, None, |home, _| Ok(AppInfo { home: home.root().display().to_string(), datasets: home.datasets()? })).await
}

/// The native folder dialog (modal; runs on the main thread as a synchronous command).
#[tauri::command]
fn choose_folder() -> Option<String> {
    rfd::FileDialog::new().set_title("Choose a folder of daily exposure files").pick_folder().map(|p| p.display().to_string())
}

#[tauri::command]
async fn scan_folder(app: App<'_>, path: PathBuf, dataset: Option<String>) -> Reply<ScanReport> {
    run(&app, None, move |home, _| {
        let known = match dataset.as_deref().map(|d| home.uploader(d)) {
            Some(Ok(up)) => up.statuses()?,
            _ => Default::default(),
        };
        riskdesk::scan::scan(&path, &known)
    })
    .await
}

#[tauri::command]
async fn stage(app: App<'_>, dataset: String, paths: Vec<PathBuf>, replace: bool, on_progress: Channel<Step>) -> Reply<Vec<StagingResult>> {
    run(&app, Some(on_progress), move |home, p| home.get_or_create_uploader(&dataset)?.stage(&paths, replace, p)).await
}

#[tauri::command]
async fn staging_detail(app: App<'_>, dataset: String) -> Reply<Vec<DetailRow>> {
    run(&app, None, move |home, _| home.uploader(&dataset)?.staging_detail_summary()).await
}

#[tauri::command]
async fn commit(app: App<'_>, dataset: String, mode: String, on_progress: Channel<Step>) -> Reply<CommitResult> {
    run(&app, Some(on_progress), move |home, p| home.uploader(&dataset)?.commit(CommitMode::parse(&mode)?, None, p)).await
}

#[derive(Serialize)]
struct History {
    versions: Vec<VersionInfo>,
    /// Factor groups of the latest version.
    factor_groups: Vec<String>,
}

#[tauri::command]
async fn history(app: App<'_>, dataset: String) -> Reply<History> {
    run(&app, None, move |home, _| {
        let up = home.uploader(&dataset)?;
        Ok(History { versions: up.version_history()?, factor_groups: up.factor_groups(None)? })
    })
    .await
}

/// What the risk dataset form needs: reference datasets, existing risk datasets, and the
/// factor groups of each exposure dataset's latest version.
#[derive(Serialize)]
struct RiskForm {
    references: Vec<ReferenceInfo>,
    risk_datasets: Vec<RiskDatasetInfo>,
    factor_groups: std::collections::BTreeMap<String, Vec<String>>,
}

#[tauri::command]
async fn risk_form(app: App<'_>) -> Reply<RiskForm> {
    run(&app, None, |home, _| {
        let mut factor_groups = std::collections::BTreeMap::new();
        for d in home.datasets()?.into_iter().filter(|d| d.latest_version > 0) {
            factor_groups.insert(d.name.clone(), home.uploader(&d.name)?.factor_groups(None)?);
        }
        Ok(RiskForm { references: home.references()?, risk_datasets: home.risk_datasets()?, factor_groups })
    })
    .await
}

#[tauri::command]
async fn create_risk_dataset(
    app: App<'_>,
    name: String,
    settings: RiskDatasetSettings,
    replace: bool,
    on_progress: Channel<Step>,
) -> Reply<CreationReport> {
    run(&app, Some(on_progress), move |home, p| home.create_risk_dataset(&name, &settings, replace, p)).await
}

#[tauri::command]
async fn describe_risk_dataset(app: App<'_>, name: String) -> Reply<Description> {
    run(&app, None, move |home, _| home.describe_risk_dataset(&name)).await
}

/// The exposures preview's query, as the UI sends it.
#[derive(serde::Deserialize)]
struct PreviewQuery {
    dataset: String,
    start: Option<String>,
    end: Option<String>,
    id_type: Option<String>,
    industries: String,
    regions: String,
    standardize: bool,
}

/// One page of the wide exposures: column names, cells as text, and the total row count.
#[derive(Serialize)]
struct Page {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    total: usize,
}

#[tauri::command]
async fn exposures_page(app: App<'_>, query: PreviewQuery, offset: usize, limit: usize) -> Reply<Page> {
    let shared = Arc::clone(&app);
    run(&app, None, move |home, _| {
        let key = serde_json::to_string(&(
            &query.dataset,
            &query.start,
            &query.end,
            &query.id_type,
            &query.industries,
            &query.regions,
            query.standardize,
        ))
        .unwrap_or_default();
        let cached =
            shared.preview.lock().unwrap_or_else(|p| p.into_inner()).as_ref().filter(|(k, _)| *k == key).map(|(_, t)| Arc::clone(t));
        let table = match cached {
            Some(t) => t,
            None => {
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
                let t = Arc::new(home.exposures(&query.dataset, &q)?);
                *shared.preview.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, Arc::clone(&t)));
                t
            }
        };
        let end = (offset + limit).min(table.rows());
        let rows = (offset.min(end)..end).map(|r| (0..table.columns.len()).map(|c| table.cell(r, c)).collect()).collect();
        Ok(Page { columns: table.names.clone(), rows, total: table.rows() })
    })
    .await
}

/// Writes the demo month (once) and the demo reference dataset; returns the demo folder.
#[tauri::command]
async fn make_demo(app: App<'_>, on_progress: Channel<Step>) -> Reply<String> {
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
fn cancel(app: App<'_>) {
    app.cancel.store(true, Ordering::Relaxed);
}

fn main() {
    let root = Home::default_root();
    let home = match Home::open(&root) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("Riskdesk cannot open its home folder {}: {e}", root.display());
            std::process::exit(1);
        }
    };
    tauri::Builder::default()
        .manage(Arc::new(Shared { home: Mutex::new(home), cancel: AtomicBool::new(false), preview: Mutex::new(None) }))
        .invoke_handler(tauri::generate_handler![
            app_info,
            choose_folder,
            scan_folder,
            stage,
            staging_detail,
            commit,
            history,
            risk_form,
            create_risk_dataset,
            describe_risk_dataset,
            exposures_page,
            make_demo,
            cancel
        ])
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("error while running Riskdesk");
}
