//! The Riskdesk desktop app: a thin Tauri shell over the `riskdesk` engine.
//!
//! [`commands`] adapts each UI request to one engine call, run on a blocking thread so that the
//! window never waits, with progress sent over a channel and a shared cancellation flag.
//! Native dialogs sit behind [`dialogs::Dialogs`] so that tests can answer them.

pub mod commands;
pub mod dialogs;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use riskdesk::Home;
use riskdesk::table::Table;
use tauri::Runtime;

use dialogs::Dialogs;

/// The app's state: the open home folder, the dialogs, and the running work's cancel flag.
pub struct Shared {
    pub home: Mutex<Home>,
    pub dialogs: Box<dyn Dialogs>,
    pub cancel: AtomicBool,
    /// The last exposures query (as a key) and its table, so that paging and export reuse it.
    pub preview: Mutex<Option<(String, Arc<Table>)>>,
}

impl Shared {
    pub fn new(home: Home, dialogs: Box<dyn Dialogs>) -> Arc<Shared> {
        Arc::new(Shared { home: Mutex::new(home), dialogs, cancel: AtomicBool::new(false), preview: Mutex::new(None) })
    }
}

/// Registers the state and every command on a builder (the real runtime or the mock one).
pub fn build<R: Runtime>(builder: tauri::Builder<R>, shared: Arc<Shared>) -> tauri::Builder<R> {
    use commands::*;
    builder.manage(shared).invoke_handler(tauri::generate_handler![
        app_info,
        choose_folder,
        scan_folder,
        stage,
        staging_detail,
        wipe_staged,
        day_charts,
        day_histogram,
        commit,
        history,
        risk_form,
        reference_exchanges,
        create_risk_dataset,
        describe_risk_dataset,
        exposures_page,
        export_exposures,
        make_demo,
        cancel
    ])
}

/// Opens the home folder (`RISKDESK_HOME` or the platform's data folder) and runs the window.
pub fn run() {
    let root = Home::default_root();
    let home = match Home::open(&root) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("Riskdesk cannot open its home folder {}: {e}", root.display());
            std::process::exit(1);
        }
    };
    build(tauri::Builder::default(), Shared::new(home, Box::new(dialogs::NativeDialogs)))
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("error while running Riskdesk");
}
