//! The Riskdesk desktop app: a thin Tauri shell over the engine's [`Backend`] API.
//!
//! [`commands`] runs the engine's calls for the UI (one generic command) and the few requests
//! that do more (dialogs, this computer's folders, charts, the connection), on a blocking thread
//! so that the window never waits, with progress sent over a channel and a cancel flag per job ([`jobs`]).
//! Native dialogs sit behind [`dialogs::Dialogs`] so that tests can answer them; [`portfolio`]
//! keeps the Portfolio risk screen's last run of reports; [`recent`] is what the window finds
//! again at start; [`desktop`] and [`about`] make it a desktop application.

pub mod about;
pub mod commands;
pub mod connection;
pub mod desktop;
pub mod dialogs;
pub mod jobs;
pub mod portfolio;
pub mod recent;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use riskdesk::{Backend, LocalBackend};
use tauri::{Manager, Runtime};

use dialogs::Dialogs;
use jobs::Jobs;

/// The app's state: the backend it works on, the dialogs, the running jobs.
pub struct Shared {
    /// What the commands use: this computer's home folder, or a server.
    backend: RwLock<Arc<dyn Backend>>,
    /// This computer's home folder (kept while a server is used, so switching back keeps its state).
    local: Arc<LocalBackend>,
    /// The saved server in use (`None`: this computer) and what it said when connected.
    place: Mutex<(Option<String>, Option<riskdesk_remote::ServerInfo>)>,
    /// The native file dialogs (fixed answers in tests).
    pub dialogs: Box<dyn Dialogs>,
    /// The running jobs' cancel flags.
    pub jobs: Jobs,
    /// The Portfolio risk screen's last run, kept for its other dates and its export.
    pub reports: portfolio::ReportCache,
    /// Where "Try with demo data" writes the demo month (on this computer).
    pub demo_folder: PathBuf,
    /// A message for the user about the window itself, shown once (see [`Shared::take_notice`]).
    notice: Mutex<Option<String>>,
    /// The folder or ZIP the app was opened with, until the window takes it.
    opened: Mutex<Option<PathBuf>>,
    /// The last screen, recent datasets and folders, kept in this computer's home folder.
    pub memory: recent::Memory,
}

impl Shared {
    /// State over `backend`; the demo month goes to `demo_folder`.
    pub fn new(backend: Arc<LocalBackend>, dialogs: Box<dyn Dialogs>, demo_folder: PathBuf) -> Arc<Shared> {
        Arc::new(Shared {
            backend: RwLock::new(Arc::clone(&backend) as Arc<dyn Backend>),
            place: Mutex::new((None, None)),
            dialogs,
            jobs: Jobs::default(),
            reports: portfolio::ReportCache::default(),
            demo_folder,
            notice: Mutex::new(None),
            opened: Mutex::new(None),
            memory: recent::Memory::new(backend.local_folder()),
            local: backend,
        })
    }

    /// The backend the commands use.
    pub fn backend(&self) -> Arc<dyn Backend> {
        Arc::clone(&self.backend.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The saved servers, kept in this computer's home folder.
    pub fn servers(&self) -> connection::Servers {
        connection::Servers::new(self.local.local_folder())
    }

    /// Works on a server from now on (`Some`), or on this computer again (`None`). Work already
    /// running carries on where it started.
    pub fn switch(&self, to: Option<(String, Arc<dyn Backend>, riskdesk_remote::ServerInfo)>) {
        let (backend, place) = match to {
            Some((name, backend, check)) => (backend, (Some(name), Some(check))),
            None => (Arc::clone(&self.local) as Arc<dyn Backend>, (None, None)),
        };
        self.servers().set_last(place.0.as_deref());
        self.reports.clear();
        *self.backend.write().unwrap_or_else(|p| p.into_inner()) = backend;
        *self.place.lock().unwrap_or_else(|p| p.into_inner()) = place;
    }

    /// The saved server in use (`None`: this computer).
    pub fn server(&self) -> Option<String> {
        self.place.lock().unwrap_or_else(|p| p.into_inner()).0.clone()
    }

    /// Where the app works now, and the saved servers.
    pub fn connection(&self) -> riskdesk::Result<connection::Connection> {
        let (server, check) = self.place.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let servers = self.servers();
        Ok(connection::Connection { server, check, home: self.local.location(), servers: servers.list()?, last: servers.last() })
    }

    /// Leaves a message for the UI to show once.
    pub fn set_notice(&self, message: String) {
        *self.notice.lock().unwrap_or_else(|p| p.into_inner()) = Some(message);
    }

    /// Keeps the path the app was opened with for the window to take.
    pub fn set_opened(&self, path: Option<PathBuf>) {
        *self.opened.lock().unwrap_or_else(|p| p.into_inner()) = path;
    }

    /// The path the app was opened with, once.
    pub fn take_opened(&self) -> Option<PathBuf> {
        self.opened.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// The message left for the UI, if any; it is shown once.
    pub fn take_notice(&self) -> Option<String> {
        self.notice.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Registers the state and every command on a builder (the real runtime or the mock one).
pub fn build<R: Runtime>(builder: tauri::Builder<R>, shared: Arc<Shared>) -> tauri::Builder<R> {
    use commands::*;
    use portfolio::*;
    builder.manage(shared).invoke_handler(tauri::generate_handler![
        call,
        call_long,
        app_info,
        about,
        startup_notice,
        opened_path,
        recent,
        remember,
        forget_folder,
        choose_folder,
        scan_folder,
        stage,
        check_staging,
        default_thresholds,
        drill_down,
        day_charts,
        model_charts,
        day_histogram,
        history,
        risk_form,
        import_reference,
        export_exposures,
        choose_portfolio_file,
        read_portfolio,
        portfolio_report,
        export_portfolio_report,
        make_demo,
        cancel,
        connection,
        test_connection,
        connect_server,
        disconnect,
        forget_server
    ])
}

/// Reloads the page when the web view's process dies (WebKitGTK can crash in native popups),
/// leaving a notice that the reloaded page shows, instead of a frozen window.
fn reload_after_crash(window: &tauri::WebviewWindow, shared: Arc<Shared>) {
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(move |platform| {
        use webkit2gtk::WebViewExt;
        platform.inner().connect_web_process_terminated(move |view, reason| {
            eprintln!("Riskdesk: the window's web process ended ({reason:?}); reloading it");
            shared.set_notice(
                "The window stopped unexpectedly and was reloaded. Your data is safe; work that was running in the \
                 background carried on."
                    .into(),
            );
            view.reload();
        });
    });
}

/// Opens the home folder (`RISKDESK_HOME` or the platform's data folder) and runs the window:
/// one window for every launch while a session bus can carry the hand-over, its size, place and
/// maximised state kept in the home folder, opened on the folder or ZIP named on the command line.
pub fn run() {
    desktop::graphics_workaround();
    let root = LocalBackend::default_root();
    let backend = match LocalBackend::open(&root) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("Riskdesk cannot open its home folder {}: {e}", root.display());
            std::process::exit(1);
        }
    };
    let window_state = backend.local_folder().join("window-state.json");
    let shared = Shared::new(Arc::new(backend), Box::new(dialogs::NativeDialogs), root.join("demo").join("exposures"));
    if let Ok(cwd) = std::env::current_dir() {
        shared.set_opened(desktop::opened_path(std::env::args(), &cwd));
    }
    let for_setup = Arc::clone(&shared);
    let mut builder = tauri::Builder::default();
    // First, so that a second launch hands its path over and ends before anything else starts.
    if desktop::session_bus() {
        builder = builder.plugin(tauri_plugin_single_instance::init(desktop::second_launch));
    }
    // An absolute file name: the plugin joins it to its folder, which it then replaces.
    builder = builder.plugin(tauri_plugin_window_state::Builder::default().with_filename(window_state.display().to_string()).build());
    build(builder, shared)
        .setup(move |app| {
            desktop::exit_on_signals(app.handle());
            if let Some(window) = app.get_webview_window("main") {
                reload_after_crash(&window, for_setup);
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running Riskdesk");
}
