//! The desktop app's command wiring, exercised through Tauri's mock runtime (no display needed).
//!
//! Each test builds the real app (`riskdesk_app::build`) on a mock builder over a temporary home
//! folder, opens a webview and sends it IPC requests with JSON bodies, exactly as the UI does:
//! argument names in camelCase, progress channels as `__CHANNEL__:<id>` strings. A channel
//! interceptor records what each channel receives, so progress forwarding is checked too.
//! Dialogs are answered by `FixedDialogs`.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod team;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use riskdesk::demo::DemoOptions;
use riskdesk::{Backend, Progress};
use riskdesk_app::dialogs::FixedDialogs;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow};
use team::TeamServer;

/// The exposure dataset the tests stage into.
const DATASET: &str = "Demo";
/// The risk dataset the tests create.
const RISK: &str = "Demo-Risk";
/// The file name (in the temporary folder) the file dialog answers with.
const PORTFOLIO_FILE: &str = "portfolio.csv";
/// The risk model the portfolio tests create.
const MODEL: &str = "Demo-Model";
/// The demo's dates (`DemoOptions::default().start` is 2025-05-01; three days).
const DATES: [&str; 3] = ["2025-05-01", "2025-05-02", "2025-05-03"];

/// The small demo used everywhere: 300 assets over 3 days, one CSV per day.
fn demo_options() -> DemoOptions {
    DemoOptions { assets: 300, days: 3, ..Default::default() }
}

/// What a progress channel received, by channel id, in order of arrival.
type Received = Arc<Mutex<HashMap<u32, Vec<Value>>>>;

/// Holds a job at its first progress step until the test lets it go (see [`Harness::hold`]).
struct Gate {
    channel: u32,
    entered: mpsc::Sender<()>,
    release: mpsc::Receiver<()>,
}

/// The gate the channel interceptor checks, if one is set.
type Gates = Arc<Mutex<Option<Gate>>>;

/// How to set up a [`Harness`].
struct Setup {
    /// Whether the folder dialog answers with the demo folder (else it is cancelled).
    folder_dialog: bool,
    /// The file name (in the temporary folder) the save dialog answers with; `None` cancels it.
    save_as: Option<&'static str>,
    /// Whether to store the demo reference dataset `Demo-Global` before the app starts.
    reference: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup { folder_dialog: true, save_as: Some("export.csv"), reference: false }
    }
}

/// The app on the mock runtime over a temporary home, with a demo folder next to it.
struct Harness {
    webview: WebviewWindow<MockRuntime>,
    _app: App<MockRuntime>,
    /// The app's state, as the shell holds it.
    shared: Arc<riskdesk_app::Shared>,
    received: Received,
    gates: Gates,
    next_channel: AtomicU32,
    /// The home folder the app opened.
    home: PathBuf,
    /// The demo exposure files (3 CSVs).
    folder: PathBuf,
    /// What the save dialog answers.
    save_to: Option<PathBuf>,
    /// Dropped last, so that the app closes its files before the folder goes.
    _dir: tempfile::TempDir,
}

impl Harness {
    /// A harness with the default [`Setup`].
    fn new() -> Harness {
        Harness::with(Setup::default())
    }

    /// Writes the demo folder, opens the home (storing the demo reference if asked), builds the
    /// app with fixed dialogs and a recording channel interceptor, and opens the "main" webview.
    fn with(setup: Setup) -> Harness {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let home_path = dir.path().join("home");
        let folder = dir.path().join("demo");
        riskdesk::demo::write_exposures(&folder, &demo_options(), &Progress::none()).expect("demo files");
        let backend = riskdesk::LocalBackend::open(&home_path).expect("home folder");
        if setup.reference {
            backend.demo_reference(&demo_options()).expect("demo reference");
        }
        let save_to = setup.save_as.map(|name| dir.path().join(name));
        let dialogs = FixedDialogs {
            folder: setup.folder_dialog.then(|| folder.clone()),
            file: Some(dir.path().join(PORTFOLIO_FILE)),
            save_to: save_to.clone(),
        };

        let received: Received = Arc::default();
        let sink = Arc::clone(&received);
        let gates: Gates = Arc::default();
        let gate_of = Arc::clone(&gates);
        let builder = mock_builder().channel_interceptor(move |_webview, callback: CallbackFn, _index, body: &InvokeResponseBody| {
            if let InvokeResponseBody::Json(text) = body {
                let value = serde_json::from_str(text).expect("a channel message is JSON");
                sink.lock().unwrap().entry(callback.0).or_default().push(value);
            }
            let gate = gate_of.lock().unwrap().take_if(|g| g.channel == callback.0);
            if let Some(g) = gate {
                g.entered.send(()).expect("the test waits for the job");
                let _ = g.release.recv();
            }
            true
        });
        let shared = riskdesk_app::Shared::new(Arc::new(backend), Box::new(dialogs), dir.path().join("demo-month"));
        let app = riskdesk_app::build(builder, Arc::clone(&shared))
            .build(mock_context(noop_assets()))
            .expect("the app builds on the mock runtime");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("a webview");
        Harness {
            webview,
            _app: app,
            shared,
            received,
            gates,
            next_channel: AtomicU32::new(1),
            home: home_path,
            folder,
            save_to,
            _dir: dir,
        }
    }

    /// Invokes `cmd` with a JSON object of arguments. `Ok` is the command's value; `Err` is what
    /// the UI would receive on failure (a `{code, message, details}` object for engine errors,
    /// a string for arguments Tauri could not read).
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        invoke_on(&self.webview, cmd, args)
    }

    /// Invokes `cmd` and requires success.
    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    /// Invokes `cmd` and requires an engine error; returns its `{code, message, details}`.
    fn err(&self, cmd: &str, args: Value) -> Value {
        let e = self.invoke(cmd, args).map(|v| panic!("{cmd} should fail, got {v}")).unwrap_err();
        assert!(e["code"].is_string() && e["message"].is_string() && e["details"].is_array(), "{cmd}: not a UiError: {e}");
        e
    }

    /// A fresh progress channel: the argument value to send, and its id for [`Harness::steps`].
    fn channel(&self) -> (String, u32) {
        let id = self.next_channel.fetch_add(1, Ordering::Relaxed);
        (format!("__CHANNEL__:{id}"), id)
    }

    /// Makes the job reporting on channel `id` stop at its first progress step until the returned
    /// sender is used (or dropped); the returned receiver hears when the job got there.
    fn hold(&self, id: u32) -> (mpsc::Receiver<()>, mpsc::Sender<()>) {
        let (entered, at_gate) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        *self.gates.lock().unwrap() = Some(Gate { channel: id, entered, release: release_rx });
        (at_gate, release)
    }

    /// The progress steps channel `id` received so far.
    fn steps(&self, id: u32) -> Vec<Value> {
        self.received.lock().unwrap().get(&id).cloned().unwrap_or_default()
    }

    /// The demo files, in date order.
    fn demo_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.folder).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        files
    }

    /// Scans the demo folder and stages every file it lists into [`DATASET`]; returns the results.
    fn stage_demo(&self) -> Vec<Value> {
        let scan = self.ok("scan_folder", json!({ "path": self.folder, "dataset": DATASET }));
        let paths: Vec<Value> = scan["files"].as_array().unwrap().iter().map(|f| f["path"].clone()).collect();
        let (channel, _) = self.channel();
        let results = self.ok("stage", json!({ "dataset": DATASET, "paths": paths, "replace": false, "onProgress": channel, "job": 1 }));
        results.as_array().unwrap().clone()
    }

    /// Stages the demo and commits it in `append` mode; returns the commit result.
    fn commit_demo(&self) -> Value {
        self.stage_demo();
        let (channel, _) = self.channel();
        self.ok("call_long", call("commit", json!({ "dataset": DATASET, "mode": "append" }), Some((channel.as_str(), 1))))
    }

    /// Stages and commits the demo, then creates [`RISK`] over it (needs `Setup::reference`);
    /// returns the creation report.
    fn create_risk(&self) -> Value {
        self.commit_demo();
        let (channel, _) = self.channel();
        self.ok(
            "call_long",
            call("create_risk_dataset", json!({ "name": RISK, "settings": settings(), "replace": false }), Some((channel.as_str(), 1))),
        )
    }
}

impl Harness {
    /// Creates the risk model [`MODEL`] of [`RISK`] (after [`Harness::create_risk`]): two model
    /// dates, the demo's second and third days.
    fn create_model(&self) -> Value {
        let (channel, _) = self.channel();
        let settings = json!({ "risk_dataset": RISK });
        self.ok(
            "call_long",
            call("create_risk_model", json!({ "name": MODEL, "settings": settings, "replace": false }), Some((channel.as_str(), 1))),
        )
    }

    /// Writes the file the file dialog answers with: the first `n` assets of the demo (bayesid,
    /// values 1, 2, 3, …) and an id no reference knows; returns its path.
    fn write_portfolio(&self, n: usize) -> PathBuf {
        let mut ids: Vec<String> = demo_rows(&self.demo_files()[0]).into_iter().map(|(a, _)| a).collect();
        ids.dedup();
        let mut text = String::from("bayesid,value\n");
        for (i, id) in ids.iter().take(n).enumerate() {
            text.push_str(&format!("{id},{}\n", i + 1));
        }
        text.push_str("NOT-AN-ASSET,5\n");
        let path = self._dir.path().join(PORTFOLIO_FILE);
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// Invokes `cmd` on `webview` as [`Harness::invoke`] does (usable from another thread).
fn invoke_on(webview: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        // The app's own origin: Tauri refuses requests from elsewhere.
        url: if cfg!(windows) { "http://tauri.localhost" } else { "tauri://localhost" }.parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, request).map(|body| body.deserialize::<Value>().expect("a JSON response"))
}

/// The arguments of the generic `call` command running engine call `method` (of `call_long`,
/// with its progress channel and job id), as the UI sends them.
fn call(method: &str, args: Value, job: Option<(&str, u64)>) -> Value {
    let mut body = json!({ "call": { "method": method, "args": args } });
    if let Some((channel, id)) = job {
        body["onProgress"] = json!(channel);
        body["job"] = json!(id);
    }
    body
}

/// Risk dataset settings over [`DATASET`] and the demo reference, as the UI sends them.
fn settings() -> Value {
    json!({
        "reference_dataset": "Demo-Global",
        "exposures": [{
            "exposure_type": "uploaded",
            "exposure_source": DATASET,
            "market_factor_group": "market",
            "style_factor_group": "style",
            "industry_factor_group": "industry",
            "region_factor_group": "region"
        }]
    })
}

/// The exposures preview query over [`RISK`] as the UI sends it (empty dates mean no bound).
fn preview(start: &str, end: &str) -> Value {
    json!({
        "dataset": RISK, "start": start, "end": end, "id_type": "",
        "industries": "none", "regions": "none", "standardize": true
    })
}

/// The Dataset screen's grid over `preview(start, end)`: unsorted, unfiltered.
fn grid(start: &str, end: &str) -> Value {
    let mut query = preview(start, end);
    let dataset = query.as_object_mut().unwrap().remove("dataset").unwrap();
    json!({ "dataset": dataset, "query": query })
}

/// Rows of a long demo CSV as (asset, factor group), header left out.
fn demo_rows(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.splitn(5, ',').collect();
            (cells[1].to_owned(), cells[3].to_owned())
        })
        .collect()
}

/// How many rows of a demo CSV belong to factor group `group`.
fn group_rows(path: &Path, group: &str) -> usize {
    demo_rows(path).iter().filter(|(_, g)| g == group).count()
}

/// The staged name of a demo file (its stem).
fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// The values of `key` in an array of objects.
fn field<'a>(items: &'a Value, key: &str) -> Vec<&'a Value> {
    items.as_array().unwrap_or_else(|| panic!("not an array: {items}")).iter().map(|i| &i[key]).collect()
}

// ---------------------------------------------------------------------------------------------
// Home, dialogs, scanning

#[test]
fn app_info_reports_the_temporary_home_and_no_datasets() {
    let h = Harness::new();
    let info = h.ok("app_info", json!({}));
    assert_eq!(info["home"], h.home.display().to_string());
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["datasets"], json!([]));
}

#[test]
fn a_notice_left_by_the_shell_is_shown_once() {
    let h = Harness::new();
    assert_eq!(h.ok("startup_notice", json!({})), Value::Null);
    h.shared.set_notice("The window stopped unexpectedly and was reloaded.".into());
    assert_eq!(h.ok("startup_notice", json!({})), "The window stopped unexpectedly and was reloaded.");
    assert_eq!(h.ok("startup_notice", json!({})), Value::Null);
}

#[test]
fn the_window_remembers_its_screen_datasets_and_folders_in_the_home_folder() {
    let h = Harness::new();
    assert_eq!(h.ok("recent", json!({})), json!({ "screen": null, "datasets": [], "folders": [] }));
    let folder = h.folder.display().to_string();
    for what in [
        json!({ "kind": "screen", "value": "check" }),
        json!({ "kind": "dataset", "value": "A" }),
        json!({ "kind": "dataset", "value": "B" }),
        json!({ "kind": "folder", "value": folder }),
    ] {
        h.ok("remember", json!({ "what": what }));
    }
    let recent = h.ok("recent", json!({}));
    assert_eq!(recent, json!({ "screen": "check", "datasets": ["B", "A"], "folders": [{ "path": folder, "present": true }] }));
    assert!(h.home.join("recent.json").is_file(), "kept in the home folder");
    // Bad input is refused with the engine's error; forgetting a folder takes it off.
    let refused = h.invoke("remember", json!({ "what": { "kind": "folder", "value": "relative/path" } })).unwrap_err();
    assert_eq!(refused["code"], "invalid_input", "{refused}");
    h.ok("forget_folder", json!({ "path": folder }));
    assert_eq!(h.ok("recent", json!({}))["folders"], json!([]));
}

#[test]
fn choose_folder_answers_with_the_fixed_dialog() {
    let h = Harness::new();
    assert_eq!(h.ok("choose_folder", json!({})), json!(h.folder.display().to_string()));
    let cancelled = Harness::with(Setup { folder_dialog: false, ..Setup::default() });
    assert_eq!(cancelled.ok("choose_folder", json!({})), Value::Null);
}

#[test]
fn scan_folder_lists_the_demo_files_and_later_marks_them_staged() {
    let h = Harness::new();
    let scan = h.ok("scan_folder", json!({ "path": h.folder, "dataset": null }));
    let names: Vec<String> = h.demo_files().iter().map(|p| stem(p)).collect();
    assert_eq!(scan["files"].as_array().unwrap().len(), 3, "{scan}");
    assert_eq!(field(&scan["files"], "name"), names.iter().collect::<Vec<_>>());
    assert_eq!(field(&scan["files"], "date"), DATES.iter().collect::<Vec<_>>());
    assert!(field(&scan["files"], "status").iter().all(|s| *s == "new"), "{scan}");
    assert_eq!(scan["years"], json!([{ "year": 2025, "files": 3, "bytes": scan["years"][0]["bytes"] }]));
    assert_eq!((scan["rejected"].clone(), scan["staged"].clone(), scan["committed"].clone()), (json!([]), json!(0), json!(0)));

    // A dataset that does not exist yet marks nothing; once staged, the files are marked.
    let unknown = h.ok("scan_folder", json!({ "path": h.folder, "dataset": DATASET }));
    assert_eq!(unknown["staged"], 0);
    h.stage_demo();
    let again = h.ok("scan_folder", json!({ "path": h.folder, "dataset": DATASET }));
    assert_eq!(again["staged"], 3, "{again}");
    assert!(field(&again["files"], "status").iter().all(|s| *s == "staged"), "{again}");
}

#[test]
fn scan_folder_of_a_missing_folder_is_invalid_input() {
    let h = Harness::new();
    let e = h.err("scan_folder", json!({ "path": h.folder.join("nope"), "dataset": null }));
    assert_eq!(e["code"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("is not a folder"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Staging

#[test]
fn stage_stages_every_file_and_reports_progress_on_the_channel() {
    let h = Harness::new();
    let files = h.demo_files();
    let (channel, id) = h.channel();
    let results = h.ok("stage", json!({ "dataset": DATASET, "paths": files, "replace": false, "onProgress": channel, "job": 1 }));
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 3);
    for (r, file) in results.iter().zip(&files) {
        assert_eq!((r["name"].as_str().unwrap(), r["success"].as_bool()), (stem(file).as_str(), Some(true)), "{r}");
        assert_eq!((r["parser"].as_str(), r["dates"].as_u64()), (Some("long"), Some(1)), "{r}");
        assert_eq!(r["rows"].as_u64().unwrap() as usize, demo_rows(file).len(), "{r}");
        assert_eq!(r["assets"].as_u64().unwrap() as usize, group_rows(file, "market"), "{r}");
    }

    // The counter reports 0 of 3, then one step per file.
    let steps = h.steps(id);
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert!(steps.iter().all(|s| s["phase"] == "stage" && s["total"] == 3), "{steps:?}");
    let mut done: Vec<u64> = steps.iter().map(|s| s["done"].as_u64().unwrap()).collect();
    done.sort_unstable();
    assert_eq!(done, [0, 1, 2, 3]);

    let info = h.ok("app_info", json!({}));
    assert_eq!(info["datasets"], json!([{ "name": DATASET, "created": info["datasets"][0]["created"], "latest_version": 0, "staged": 3 }]));
}

#[test]
fn restaging_skips_identical_files_and_refuses_changed_ones_unless_replace_is_set() {
    let h = Harness::new();
    h.stage_demo();
    let (channel, _) = h.channel();
    let again = h.ok("stage", json!({ "dataset": DATASET, "paths": [&h.folder], "replace": false, "onProgress": channel, "job": 1 }));
    assert_eq!(field(&again, "state"), [&json!("unchanged"); 3], "{again}");
    assert!(field(&again, "success").iter().all(|s| **s == true), "{again}");

    // The first day changes on disk: only that file is refused, and names the difference.
    let file = &h.demo_files()[0];
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.swap(1, 2);
    std::fs::write(file, lines.join("\n") + "\n").unwrap();
    let (channel, _) = h.channel();
    let refused = h.ok("stage", json!({ "dataset": DATASET, "paths": [&h.folder], "replace": false, "onProgress": channel, "job": 1 }));
    assert_eq!(field(&refused, "state"), [&json!("exists"), &json!("unchanged"), &json!("unchanged")], "{refused}");
    assert_eq!(refused[0]["success"], false, "{refused}");
    assert!(refused[0]["messages"][0]["message"].as_str().unwrap().contains("already staged from a different file"), "{refused}");
    let (channel, _) = h.channel();
    let replaced = h.ok("stage", json!({ "dataset": DATASET, "paths": [file], "replace": true, "onProgress": channel, "job": 1 }));
    assert_eq!((replaced[0]["success"].as_bool(), replaced[0]["state"].as_str()), (Some(true), Some("staged")), "{replaced}");
}

#[test]
fn stage_needs_its_channel_under_the_camel_case_name() {
    let h = Harness::new();
    let files = h.demo_files();
    // Tauri refuses the call before the engine runs: the error is its own message, not a UiError.
    let missing = h.invoke("stage", json!({ "dataset": DATASET, "paths": files, "replace": false })).unwrap_err();
    assert!(missing.as_str().is_some_and(|m| m.contains("onProgress")), "{missing}");
    let snake = h.invoke("stage", json!({ "dataset": DATASET, "paths": files, "replace": false, "on_progress": "__CHANNEL__:9" }));
    assert!(snake.is_err(), "{snake:?}");
    let bad = h.invoke("stage", json!({ "dataset": DATASET, "paths": files, "replace": false, "onProgress": "channel 9" }));
    assert!(bad.unwrap_err().as_str().is_some_and(|m| m.contains("__CHANNEL__")));
    assert_eq!(h.ok("app_info", json!({}))["datasets"], json!([]), "nothing was staged");
}

#[test]
fn staging_detail_has_a_row_per_staged_day() {
    let h = Harness::new();
    h.stage_demo();
    let rows = h.ok("call", call("staging_detail", json!({ "dataset": DATASET }), None));
    assert_eq!(rows.as_array().unwrap().len(), 3, "{rows}");
    for ((row, file), date) in rows.as_array().unwrap().iter().zip(h.demo_files()).zip(DATES) {
        assert_eq!(row["_name"], stem(&file));
        assert_eq!(row["date"], date);
        assert_eq!(row["n_assets"].as_u64().unwrap() as usize, group_rows(&file, "market"), "{row}");
        let (min, max, mean) =
            (row["min_exposure"].as_f64().unwrap(), row["max_exposure"].as_f64().unwrap(), row["mean_exposure"].as_f64().unwrap());
        assert!(min <= mean && mean <= max, "{row}");
    }
}

#[test]
fn day_charts_draw_three_svg_charts_over_the_three_days() {
    let h = Harness::new();
    h.stage_demo();
    let charts = h.ok("day_charts", json!({ "dataset": DATASET, "width": 640, "height": 220 }));
    assert_eq!(charts["dates"], json!(DATES));
    // The three daily files `exposures_<date>` make one series, named without the date.
    assert_eq!(charts["series"], json!(["exposures"]));
    let charts = charts["charts"].as_array().unwrap();
    assert_eq!(charts.iter().map(|c| c["id"].as_str().unwrap()).collect::<Vec<_>>(), ["assets", "range", "std"]);
    for c in charts {
        assert!(c["svg"].as_str().unwrap().starts_with("<svg"), "{}", c["id"]);
        assert_eq!((c["width"].as_u64(), c["height"].as_u64()), (Some(640), Some(220)));
        let p = &c["plot"];
        assert!(p["left"].as_i64() < p["right"].as_i64() && p["right"].as_i64() <= Some(640), "{p}");
    }
}

#[test]
fn day_charts_of_a_dataset_with_nothing_staged_are_empty() {
    let h = Harness::new();
    h.stage_demo();
    let names: Vec<String> = h.demo_files().iter().map(|p| stem(p)).collect();
    h.ok("call", call("wipe_staging", json!({ "dataset": DATASET, "names": names }), None));
    let charts = h.ok("day_charts", json!({ "dataset": DATASET, "width": 640, "height": 220 }));
    assert_eq!(charts, json!({ "dates": [], "days": [], "series": [], "charts": [] }));
}

#[test]
fn day_histogram_counts_every_value_of_the_chosen_group() {
    let h = Harness::new();
    h.stage_demo();
    let file = &h.demo_files()[1];
    let ask = |group: Value| {
        h.ok(
            "day_histogram",
            json!({ "dataset": DATASET, "name": stem(file), "date": DATES[1], "group": group, "factor": null, "width": 500, "height": 200 }),
        )
    };
    let total =
        |hist: &Value| hist["histogram"]["bins"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).sum::<u64>() as usize;

    // No group: the one named like "style".
    let style = ask(Value::Null);
    assert_eq!(style["groups"], json!(["industry", "market", "region", "style"]));
    assert_eq!(style["group"], "style");
    assert_eq!(style["histogram"]["bins"].as_array().unwrap().len(), 60);
    assert_eq!(total(&style), group_rows(file, "style"));
    assert_eq!(
        (style["histogram"]["values"].as_u64().unwrap() as usize, style["histogram"]["missing"].as_u64()),
        (group_rows(file, "style"), Some(0))
    );
    assert!(style["histogram"]["chart"]["svg"].as_str().unwrap().starts_with("<svg"));
    assert!(style["histogram"]["chart"]["title"].as_str().unwrap().contains(DATES[1]));

    // A group asked for by name; an unknown one falls back to "style".
    let market = ask(json!("market"));
    assert_eq!(market["group"], "market");
    assert_eq!(total(&market), group_rows(file, "market"));
    assert_eq!(ask(json!("nope"))["group"], "style");
    // A categorical group: members counted per factor, most first.
    let industry = ask(json!("industry"));
    assert_eq!(total(&industry), group_rows(file, "industry"), "{}", industry["categories"]);
    assert!(industry["histogram"]["chart"]["title"].as_str().unwrap().contains("industry members"));
}

#[test]
fn day_histogram_of_an_unknown_name_is_not_found() {
    let h = Harness::new();
    h.stage_demo();
    let e = h.err(
        "day_histogram",
        json!({ "dataset": DATASET, "name": "exposures_1999-01-01", "date": DATES[0], "group": null, "width": 500, "height": 200 }),
    );
    assert_eq!(e["code"], "not_found", "{e}");
    // A day the file does not have: no groups at all.
    let name = stem(&h.demo_files()[0]);
    let e =
        h.err("day_histogram", json!({ "dataset": DATASET, "name": name, "date": DATES[2], "group": null, "width": 500, "height": 200 }));
    assert_eq!(e["code"], "invalid_input", "{e}");
}

#[test]
fn check_staging_finds_a_stale_day() {
    let h = Harness::new();
    // The third demo day is sent again as a fourth: the same values under the next date.
    let third = std::fs::read_to_string(&h.demo_files()[2]).unwrap();
    std::fs::write(h.folder.join("exposures_2025-05-04.csv"), third.replace(DATES[2], "2025-05-04")).unwrap();
    h.stage_demo();
    let check = h.ok("check_staging", json!({ "dataset": DATASET, "width": 600, "height": 240 }));
    let findings = &check["findings"];
    let stale: Vec<&Value> = findings.as_array().unwrap().iter().filter(|f| f["check"] == "stale_day").collect();
    assert_eq!(stale.len(), 1, "{findings}");
    assert_eq!((stale[0]["date"].as_str(), stale[0]["severity"].as_str()), (Some("2025-05-04"), Some("fail")));
    assert_eq!(stale[0]["threshold"], 0.999);
    // A looser threshold silences it.
    // A drill-down of an outlier-like finding on a style: values today, the date before's, a marked histogram.
    let finding = json!({ "check": "stale_day", "severity": "fail", "date": "2025-05-04", "factor_group": "style", "factor": "Size",
        "value": 1.0, "threshold": 0.999, "message": "", "assets": ["AAAA", "NOPE"] });
    let rows = demo_rows(&h.demo_files()[2]);
    let asset = rows.iter().find(|(_, g)| g == "style").map(|(a, _)| a.clone()).unwrap();
    let mut finding = finding;
    finding["assets"][0] = json!(asset);
    let drill = h.ok("drill_down", json!({ "dataset": DATASET, "finding": finding, "width": 600, "height": 200 }));
    assert_eq!(drill["previous_date"], "2025-05-03", "{drill}");
    assert_eq!(drill["assets"][0]["value"], drill["assets"][0]["previous"], "a re-sent day: the same value: {drill}");
    assert!(drill["assets"][1]["value"].is_null(), "an asset without a value: {drill}");
    assert!(drill["histogram"]["chart"]["svg"].as_str().is_some_and(|s| s.contains("#B42318") || s.contains("#b42318")), "a red mark");
    // The heatmaps: one row per market and style factor, one column per day.
    let heat = &check["heatmaps"][0];
    assert_eq!((heat["metric"].as_str(), heat["days"].as_array().map(Vec::len)), (Some("missing"), Some(4)), "{heat}");
    assert_eq!(heat["factors"].as_array().map(Vec::len), Some(8), "market + 7 styles: {}", heat["factors"]);
    assert!(heat["chart"]["svg"].as_str().is_some_and(|s| s.starts_with("<svg")));
    let loose = h.ok("check_staging", json!({ "dataset": DATASET, "thresholds": { "stale_day": 1.5 }, "width": 600, "height": 240 }));
    assert!(loose["findings"].as_array().unwrap().iter().all(|f| f["check"] != "stale_day"), "{loose}");
}

#[test]
fn a_quick_check_finds_a_missing_date_without_reading_the_data() {
    let h = Harness::new();
    // A fifth day after a gap: 2025-05-04 is missing from a daily cadence.
    let third = std::fs::read_to_string(&h.demo_files()[2]).unwrap();
    std::fs::write(h.folder.join("exposures_2025-05-05.csv"), third.replace(DATES[2], "2025-05-05")).unwrap();
    h.stage_demo();
    let quick = h.ok("call", call("check", json!({ "dataset": DATASET, "request": { "staging": true, "quick": true } }), None));
    let found: Vec<(&str, &str)> =
        quick["findings"].as_array().unwrap().iter().map(|f| (f["check"].as_str().unwrap(), f["date"].as_str().unwrap())).collect();
    assert_eq!(found, [("missing_day", "2025-05-04")], "{quick}");
    // The full run finds it too, with the checks that read the data (the copied day is stale).
    let full = h.ok("check_staging", json!({ "dataset": DATASET, "width": 600, "height": 240 }));
    let checks: Vec<&str> = full["findings"].as_array().unwrap().iter().map(|f| f["check"].as_str().unwrap()).collect();
    assert!(checks.contains(&"missing_day") && checks.contains(&"stale_day"), "{checks:?}");
}

#[test]
fn wipe_staged_removes_only_the_names_given() {
    let h = Harness::new();
    h.stage_demo();
    let gone = stem(&h.demo_files()[1]);
    let wiped = h.ok("call", call("wipe_staging", json!({ "dataset": DATASET, "names": [gone] }), None));
    assert_eq!(field(&wiped, "name"), [&json!(gone)], "{wiped}");
    let rows = h.ok("call", call("staging_detail", json!({ "dataset": DATASET }), None));
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
    assert!(field(&rows, "_name").iter().all(|n| **n != json!(gone)), "{rows}");
    assert_eq!(field(&rows, "date"), [&json!(DATES[0]), &json!(DATES[2])]);
}

#[test]
fn commands_on_an_unknown_dataset_are_not_found() {
    let h = Harness::new();
    for (cmd, args) in [
        ("call", call("staging_detail", json!({ "dataset": "Nope" }), None)),
        ("history", json!({ "dataset": "Nope" })),
        ("call", call("wipe_staging", json!({ "dataset": "Nope", "names": ["x"] }), None)),
        ("day_charts", json!({ "dataset": "Nope", "width": 10, "height": 10 })),
    ] {
        let e = h.err(cmd, args);
        assert_eq!(e["code"], "not_found", "{cmd}: {e}");
        assert!(e["message"].as_str().unwrap().contains("Nope"), "{cmd}: {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Committing

#[test]
fn commit_appends_version_one_and_history_lists_it() {
    let h = Harness::new();
    h.stage_demo();
    let (channel, id) = h.channel();
    let commit = h.ok("call_long", call("commit", json!({ "dataset": DATASET, "mode": "append" }), Some((channel.as_str(), 1))));
    let rows: usize = h.demo_files().iter().map(|f| demo_rows(f).len()).sum();
    let names: Vec<String> = h.demo_files().iter().map(|p| stem(p)).collect();
    assert_eq!(commit["version"], 1, "{commit}");
    assert_eq!((commit["mode"].as_str(), commit["dates"].as_u64()), (Some("append"), Some(3)));
    assert_eq!(commit["rows"].as_u64().unwrap() as usize, rows);
    assert_eq!(commit["committed_names"], json!(names));
    let steps = h.steps(id);
    assert!(!steps.is_empty() && steps.iter().all(|s| s["phase"] == "commit"), "{steps:?}");

    let history = h.ok("history", json!({ "dataset": DATASET }));
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!((versions[0]["version"].as_u64(), versions[0]["mode"].as_str()), (Some(1), Some("append")));
    assert_eq!((versions[0]["first_date"].as_str(), versions[0]["last_date"].as_str()), (Some(DATES[0]), Some(DATES[2])));
    assert_eq!(history["factor_groups"], json!(["industry", "market", "region", "style"]));

    // Staged entries are gone, the dataset shows version 1, and the scan marks files committed.
    assert_eq!(h.ok("call", call("staging_detail", json!({ "dataset": DATASET }), None)), json!([]));
    let info = h.ok("app_info", json!({}));
    assert_eq!((info["datasets"][0]["latest_version"].as_u64(), info["datasets"][0]["staged"].as_u64()), (Some(1), Some(0)));
    assert_eq!(h.ok("scan_folder", json!({ "path": h.folder, "dataset": DATASET }))["committed"], 3);

    // Nothing left to commit.
    let (channel, _) = h.channel();
    assert_eq!(
        h.err("call_long", call("commit", json!({ "dataset": DATASET, "mode": "append" }), Some((channel.as_str(), 1))))["code"],
        "invalid_input"
    );
}

#[test]
fn version_diff_and_its_rows_after_an_upsert() {
    let h = Harness::new();
    h.commit_demo();
    // The first day again with one value changed, upserted as version 2.
    let first = &h.demo_files()[0];
    let text = std::fs::read_to_string(first).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let cut = lines[1].rfind(',').unwrap();
    lines[1] = format!("{},9.5", &lines[1][..cut]);
    std::fs::write(first, lines.join("\n") + "\n").unwrap();
    let (channel, _) = h.channel();
    h.ok("stage", json!({ "dataset": DATASET, "paths": [first], "replace": false, "onProgress": channel, "job": 1 }));
    let (channel, _) = h.channel();
    h.ok("call_long", call("commit", json!({ "dataset": DATASET, "mode": "upsert" }), Some((channel.as_str(), 1))));
    let d = h.ok("call", call("diff", json!({ "dataset": DATASET, "from": 1, "to": 2 }), None));
    assert_eq!(
        (d["dates_changed"].clone(), d["dates_unchanged"].clone(), d["rows_changed"].clone()),
        (json!([DATES[0]]), json!(2), json!(1)),
        "{d}"
    );
    let rows = h.ok("call", call("diff_rows", json!({ "dataset": DATASET, "from": 1, "to": 2, "offset": 0, "limit": 10 }), None));
    assert_eq!((rows["total"].as_u64(), rows["rows"][0]["new"].as_f64()), (Some(1), Some(9.5)), "{rows}");
    assert_eq!(h.err("call", call("diff", json!({ "dataset": DATASET, "from": 1, "to": 7 }), None))["code"], "not_found");
}

#[test]
fn commit_with_an_unknown_mode_is_refused_and_changes_nothing() {
    let h = Harness::new();
    h.stage_demo();
    let (channel, _) = h.channel();
    // Tauri refuses the call before the engine runs, naming the modes there are.
    let e =
        h.invoke("call_long", call("commit", json!({ "dataset": DATASET, "mode": "sideways" }), Some((channel.as_str(), 1)))).unwrap_err();
    let message = e.as_str().unwrap_or_else(|| panic!("Tauri's own message: {e}"));
    assert!(message.contains("sideways") && message.contains("overwrite_dates"), "{e}");
    assert_eq!(h.ok("call", call("staging_detail", json!({ "dataset": DATASET }), None)).as_array().unwrap().len(), 3);
    assert_eq!(h.ok("history", json!({ "dataset": DATASET }))["versions"], json!([]));
}

#[test]
fn an_append_over_committed_keys_is_a_conflict() {
    let h = Harness::new();
    h.commit_demo();
    let (channel, _) = h.channel();
    h.ok("stage", json!({ "dataset": DATASET, "paths": [h.demo_files()[0]], "replace": false, "onProgress": channel, "job": 1 }));
    let (channel, _) = h.channel();
    let e = h.err("call_long", call("commit", json!({ "dataset": DATASET, "mode": "append" }), Some((channel.as_str(), 1))));
    assert_eq!(e["code"], "conflict", "{e}");
    assert!(!e["details"].as_array().unwrap().is_empty(), "conflicting keys are listed: {e}");
    let (channel, _) = h.channel();
    assert_eq!(
        h.ok("call_long", call("commit", json!({ "dataset": DATASET, "mode": "upsert" }), Some((channel.as_str(), 1))))["version"],
        2
    );
}

#[test]
fn cancel_stops_only_its_own_job() {
    let h = Harness::new();
    assert_eq!(h.ok("cancel", json!({ "job": 41 })), Value::Null);
    // Job 41 never ran; the next job (another id) is not affected.
    let results = h.stage_demo();
    assert!(results.iter().all(|r| r["success"] == true), "{results:?}");
}

#[test]
fn every_call_runs_through_call_and_call_long_runs_it_as_a_job() {
    let h = Harness::new();
    h.stage_demo();
    let (channel, _) = h.channel();
    let short = h.ok("call_long", call("staging_summary", json!({ "dataset": DATASET }), Some((channel.as_str(), 3))));
    assert_eq!(short.as_array().unwrap().len(), 3, "a short call runs as a job too: {short}");
    assert_eq!(h.ok("call", call("version_history", json!({ "dataset": DATASET }), None)), json!([]), "nothing was committed");
    let summary = h.ok("call", call("staging_summary", json!({ "dataset": DATASET }), None));
    assert_eq!(summary.as_array().unwrap().len(), 3, "{summary}");
    let datasets = h.ok("call", call("datasets", json!({}), None));
    assert_eq!(field(&datasets, "name"), [&json!(DATASET)]);
    let e = h.invoke("call", call("no_such_call", json!({}), None)).unwrap_err();
    assert!(e.as_str().is_some_and(|m| m.contains("no_such_call")), "{e}");
    // A long call without a job runs too (no progress, no cancel), as the History screen's diff does.
    let commit = h.ok("call", call("commit", json!({ "dataset": DATASET, "mode": "append" }), None));
    assert_eq!(commit["version"], 1, "{commit}");
}

/// Invokes `cmd` on another thread and requires it to succeed within a minute (a command that
/// waited for another job would not).
fn within_a_minute(h: &Harness, cmd: &str, args: Value) -> Value {
    let (done, finished) = mpsc::channel();
    let (webview, cmd_name) = (h.webview.clone(), cmd.to_owned());
    std::thread::spawn(move || {
        let _ = done.send(invoke_on(&webview, &cmd_name, args));
    });
    let answer = finished.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("{cmd} waited for the held job"));
    answer.unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
}

/// Starts building risk dataset `name` as job `job` on another thread and holds it at its first
/// progress step; `during` runs while it is held, then the build goes on. Returns its answer.
fn while_a_build_is_held(h: &Harness, name: &str, job: u64, during: impl FnOnce()) -> Result<Value, Value> {
    let (channel, id) = h.channel();
    let (at_gate, release) = h.hold(id);
    let webview = h.webview.clone();
    let args =
        call("create_risk_dataset", json!({ "name": name, "settings": settings(), "replace": false }), Some((channel.as_str(), job)));
    let build = std::thread::spawn(move || invoke_on(&webview, "call_long", args));
    at_gate.recv().expect("the build reached its first step");
    during();
    release.send(()).unwrap();
    build.join().unwrap()
}

#[test]
fn reads_answer_while_a_risk_dataset_builds() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.create_risk();
    let report = while_a_build_is_held(&h, "Second", 2, || {
        // The build is running (held inside its progress report): history and a page still answer.
        let history = within_a_minute(&h, "history", json!({ "dataset": DATASET }));
        assert_eq!(history["versions"][0]["version"], 1, "{history}");
        let page = within_a_minute(&h, "call", call("grid_rows", json!({ "request": grid("", ""), "offset": 0, "limit": 5 }), None));
        assert_eq!(page["rows"].as_array().unwrap().len(), 5, "{page}");
    });
    let report = report.expect("the build finished");
    assert_eq!(report["sources"][0]["dataset"], DATASET, "{report}");
}

#[test]
fn a_cancel_survives_a_read_that_starts_after_it() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.commit_demo();
    let answer = while_a_build_is_held(&h, RISK, 7, || {
        h.ok("cancel", json!({ "job": 7 }));
        // A read starting now must not clear the pending cancel of job 7.
        within_a_minute(&h, "history", json!({ "dataset": DATASET }));
    });
    let e = answer.expect_err("the build was cancelled");
    assert_eq!(e["code"], "cancelled", "{e}");
    let names: Vec<Value> = field(&h.ok("risk_form", json!({}))["risk_datasets"], "name").into_iter().cloned().collect();
    assert!(!names.contains(&json!(RISK)), "a cancelled build stores nothing: {names:?}");
}

// ---------------------------------------------------------------------------------------------
// Risk datasets

#[test]
fn risk_form_lists_references_risk_datasets_and_committed_factor_groups() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.stage_demo();
    let form = h.ok("risk_form", json!({}));
    assert_eq!(field(&form["references"], "name"), [&json!("Demo-Global")]);
    // Risk datasets are listed with the references (kind "reference") first.
    let kinds = |form: &Value| field(&form["risk_datasets"], "kind").iter().map(|k| k.as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(kinds(&form), ["reference"]);
    assert_eq!(form["risk_datasets"][0]["name"], "Demo-Global");
    assert_eq!(form["factor_groups"], json!({}), "only staged: no committed factor groups yet");

    h.create_risk();
    let form = h.ok("risk_form", json!({}));
    assert_eq!(form["factor_groups"], json!({ DATASET: ["industry", "market", "region", "style"] }));
    assert_eq!(kinds(&form), ["reference", "user"]);
    assert_eq!(form["risk_datasets"][1]["name"], RISK);
    assert_eq!(form["risk_datasets"][1]["status"], "ready");

    // A newer version of its source makes it stale.
    let (channel, _) = h.channel();
    h.ok("stage", json!({ "dataset": DATASET, "paths": [h.demo_files()[0]], "replace": false, "onProgress": channel, "job": 1 }));
    let (channel, _) = h.channel();
    h.ok("call_long", call("commit", json!({ "dataset": DATASET, "mode": "upsert" }), Some((channel.as_str(), 1))));
    let form = h.ok("risk_form", json!({}));
    assert_eq!(form["risk_datasets"][1]["status"], "stale", "{}", form["risk_datasets"]);
    assert_eq!(h.ok("call", call("describe_risk_dataset", json!({ "name": RISK }), None))["status"], "stale");
}

#[test]
fn reference_exchanges_count_every_reference_asset_once() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    let reference = &h.ok("risk_form", json!({}))["references"][0];
    let exchanges = h.ok("call", call("reference_exchanges", json!({ "name": "Demo-Global" }), None));
    let exchanges = exchanges.as_array().unwrap();
    assert_eq!(exchanges.len() as u64, reference["exchanges"].as_u64().unwrap());
    assert_eq!(exchanges.iter().map(|e| e["assets"].as_u64().unwrap()).sum::<u64>(), reference["assets"].as_u64().unwrap());
    assert!(exchanges.iter().all(|e| e["assets"].as_u64() > Some(0)));
    let codes: Vec<&str> = exchanges.iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted, distinct: {codes:?}");
    assert!(codes.contains(&"XNYS"), "{codes:?}");

    assert_eq!(h.err("call", call("reference_exchanges", json!({ "name": "Nope" }), None))["code"], "not_found");
}

#[test]
fn create_risk_dataset_reports_progress_and_describe_returns_it() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.commit_demo();
    let (channel, id) = h.channel();
    let report = h.ok(
        "call_long",
        call("create_risk_dataset", json!({ "name": RISK, "settings": settings(), "replace": false }), Some((channel.as_str(), 1))),
    );
    let assets_last_day = group_rows(&h.demo_files()[2], "market") as u64;
    assert_eq!(report["unmatched_ids"], 0, "the demo reference covers the demo: {report}");
    assert_eq!(
        (report["dates"].as_u64(), report["first_date"].as_str(), report["last_date"].as_str()),
        (Some(3), Some(DATES[0]), Some(DATES[2]))
    );
    assert!(report["assets"].as_u64().unwrap() >= assets_last_day, "{report}");
    assert_eq!(report["reference_dataset"], "Demo-Global");
    assert_eq!(report["sources"][0]["version"], 1, "{report}");
    let steps = h.steps(id);
    // A step per committed file (mapping ids), per date (assembling), then saving.
    let total = 2 * DATES.len() as u64 + 1;
    assert_eq!(steps.iter().map(|s| s["done"].as_u64().unwrap()).collect::<Vec<_>>(), (1..=total).collect::<Vec<_>>(), "{steps:?}");
    assert!(steps.iter().all(|s| s["phase"] == "create" && s["total"] == total));
    assert_eq!(steps[DATES.len()]["message"], format!("assembling {}", DATES[0]));
    assert_eq!(steps.last().unwrap()["message"], "saving");

    let d = h.ok("call", call("describe_risk_dataset", json!({ "name": RISK }), None));
    assert_eq!((d["name"].as_str(), d["status"].as_str()), (Some(RISK), Some("ready")));
    assert_eq!(d["settings"]["reference_dataset"], "Demo-Global");
    assert_eq!(d["settings"]["exposures"][0]["exposure_source"], DATASET);
    assert_eq!(d["report"]["rows"], report["rows"]);
    assert_eq!(d["universe_settings_menu"]["id_types"][0], "bayesid");

    // The name is taken unless replace is set.
    let (channel, _) = h.channel();
    let e = h.err(
        "call_long",
        call("create_risk_dataset", json!({ "name": RISK, "settings": settings(), "replace": false }), Some((channel.as_str(), 1))),
    );
    assert_eq!(e["code"], "conflict", "{e}");
    let (channel, _) = h.channel();
    h.ok(
        "call_long",
        call("create_risk_dataset", json!({ "name": RISK, "settings": settings(), "replace": true }), Some((channel.as_str(), 1))),
    );
}

#[test]
fn create_risk_dataset_refuses_settings_it_cannot_read() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.commit_demo();
    let mut bad = settings();
    bad["bogus"] = json!(1);
    let (channel, _) = h.channel();
    let e = h
        .invoke(
            "call_long",
            call("create_risk_dataset", json!({ "name": RISK, "settings": bad, "replace": false }), Some((channel.as_str(), 1))),
        )
        .unwrap_err();
    assert!(e.as_str().is_some_and(|m| m.contains("bogus")), "Tauri names the unknown field: {e}");

    let mut unknown_source = settings();
    unknown_source["exposures"][0]["exposure_source"] = json!("Nope");
    let (channel, _) = h.channel();
    let e = h.err(
        "call_long",
        call("create_risk_dataset", json!({ "name": RISK, "settings": unknown_source, "replace": false }), Some((channel.as_str(), 1))),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert!(e["message"].as_str().unwrap().contains("'Nope' does not exist"), "{e}");
    assert_eq!(h.err("call", call("describe_risk_dataset", json!({ "name": RISK }), None))["code"], "not_found");
}

// ---------------------------------------------------------------------------------------------
// Exposures preview and export

#[test]
fn grid_rows_returns_limit_rows_and_the_total() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    let report = h.create_risk();
    let total = report["rows"].as_u64().unwrap();

    let (channel, id) = h.channel();
    let info = h.ok("call_long", call("grid", json!({ "request": grid("", "") }), Some((channel.as_str(), 1))));
    assert_eq!(info["total"].as_u64(), Some(total), "{info}");
    assert_eq!(info["days"].as_array().unwrap().len(), DATES.len());
    assert_eq!(h.steps(id).last().map(|s| (s["phase"].clone(), s["done"].clone())), Some((json!("grid"), json!(DATES.len()))));
    let page = h.ok("call", call("grid_rows", json!({ "request": grid("", ""), "offset": 0, "limit": 25 }), None));
    assert_eq!(page["total"].as_u64(), Some(total), "{}", page["total"]);
    let columns: Vec<&str> = page["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(columns[..3], ["date", "bayesid", "market.market.Market"]);
    assert_eq!(columns[columns.len() - 2..], ["industry", "region"]);
    assert_eq!(columns.len(), 5 + riskdesk::demo::STYLES.len(), "{columns:?}");
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 25);
    assert!(rows.iter().all(|r| r.as_array().unwrap().len() == columns.len()));
    assert!(rows.iter().all(|r| r[0] == DATES[0]), "rows start with the first date");

    // The last page is short; past the end is empty.
    let tail = h.ok("call", call("grid_rows", json!({ "request": grid("", ""), "offset": total - 5, "limit": 25 }), None));
    assert_eq!((tail["rows"].as_array().unwrap().len(), tail["total"].as_u64()), (5, Some(total)));
    assert_eq!(tail["rows"][4][0], DATES[2]);
    let past = h.ok("call", call("grid_rows", json!({ "request": grid("", ""), "offset": total + 10, "limit": 25 }), None));
    assert_eq!(past["rows"], json!([]));

    // A one-day query has as many rows as that day has.
    let day = h.ok("call", call("grid_rows", json!({ "request": grid(DATES[1], DATES[1]), "offset": 0, "limit": 1 }), None));
    let day_total = day["total"].as_u64().unwrap();
    assert!(0 < day_total && day_total < total, "{day_total} of {total}");
    assert_eq!(day["rows"][0][0], DATES[1]);
}

#[test]
fn grid_rows_reports_bad_queries_as_invalid_input() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.create_risk();
    let mut request = grid("2025-13-01", "");
    let e = h.err("call", call("grid_rows", json!({ "request": request, "offset": 0, "limit": 5 }), None));
    assert_eq!(e["code"], "invalid_input", "{e}");
    request = grid("", "");
    request["query"]["id_type"] = json!("isin-nope");
    assert_eq!(h.err("call", call("grid_rows", json!({ "request": request, "offset": 0, "limit": 5 }), None))["code"], "invalid_input");
    request = grid("", "");
    request["filters"] = json!([{ "column": "style.style.Size", "op": "gt", "values": ["big"] }]);
    let e = h.err("call", call("grid_rows", json!({ "request": request, "offset": 0, "limit": 5 }), None));
    assert!(e["message"].as_str().unwrap().contains("'big' is not a number"), "{e}");
    request = grid("", "");
    request["dataset"] = json!("Nope");
    assert_eq!(h.err("call", call("grid_rows", json!({ "request": request, "offset": 0, "limit": 5 }), None))["code"], "not_found");
}

#[test]
fn export_exposures_writes_the_whole_table_as_csv_where_the_dialog_says() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.create_risk();
    let page = h.ok("call", call("grid_rows", json!({ "request": grid("", ""), "offset": 0, "limit": 3 }), None));
    let (channel, id) = h.channel();
    let written = h.ok("export_exposures", json!({ "query": preview("", ""), "format": "csv", "onProgress": channel, "job": 1 }));
    let save_to = h.save_to.clone().unwrap();
    assert_eq!(written, json!(save_to.display().to_string()));

    let text = std::fs::read_to_string(&save_to).expect("the export exists");
    let lines: Vec<&str> = text.lines().collect();
    // The export has the grid's columns but industries and regions (none chosen).
    let columns: Vec<&str> = page["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(lines[0], columns[..columns.len() - 2].join(","));
    assert_eq!(lines.len() as u64, page["total"].as_u64().unwrap() + 1);
    let first: Vec<&str> = page["rows"][0].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(lines[1].split(',').take(2).collect::<Vec<_>>(), first[..2], "the same first row");

    let steps = h.steps(id);
    assert_eq!(steps.iter().map(|s| s["done"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2, 3], "one step per date: {steps:?}");
    assert!(steps.iter().all(|s| s["total"] == DATES.len()), "{steps:?}");
    assert!(steps.iter().all(|s| s["phase"] == "export"));
}

#[test]
fn export_exposures_writes_parquet_too() {
    let h = Harness::with(Setup { reference: true, save_as: Some("export.parquet"), ..Setup::default() });
    h.create_risk();
    let (channel, _) = h.channel();
    let written = h.ok("export_exposures", json!({ "query": preview("", ""), "format": "parquet", "onProgress": channel, "job": 1 }));
    let bytes = std::fs::read(written.as_str().unwrap()).expect("the export exists");
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"), "a Parquet file");
}

#[test]
fn export_exposures_returns_null_when_the_dialog_is_cancelled() {
    let h = Harness::with(Setup { reference: true, save_as: None, ..Setup::default() });
    h.create_risk();
    let (channel, id) = h.channel();
    assert_eq!(
        h.ok("export_exposures", json!({ "query": preview("", ""), "format": "csv", "onProgress": channel, "job": 1 })),
        Value::Null
    );
    assert!(h.steps(id).is_empty(), "no work started");
}

#[test]
fn export_exposures_refuses_formats_other_than_csv_and_parquet() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.create_risk();
    let (channel, _) = h.channel();
    let e = h.err("export_exposures", json!({ "query": preview("", ""), "format": "xlsx", "onProgress": channel, "job": 1 }));
    assert_eq!(e["code"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("xlsx"), "{e}");
    assert!(!h.save_to.as_ref().unwrap().exists(), "nothing written");
}

/// The grid kept for paging must not outlive the risk dataset it was computed from.
#[test]
fn grid_rows_follow_a_replaced_risk_dataset() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.create_risk();
    let before = h.ok("call", call("grid_rows", json!({ "request": grid("", ""), "offset": 0, "limit": 1 }), None));
    let mut one_day = settings();
    one_day["trim_end_date"] = json!(DATES[0]);
    let (channel, _) = h.channel();
    let report = h.ok(
        "call_long",
        call("create_risk_dataset", json!({ "name": RISK, "settings": one_day, "replace": true }), Some((channel.as_str(), 1))),
    );
    assert_eq!(report["dates"], 1);
    let after = h.ok("call", call("grid_rows", json!({ "request": grid("", ""), "offset": 0, "limit": 1 }), None));
    assert_eq!(after["total"], report["rows"], "before the replacement: {}", before["total"]);
}

/// Remote mode through the commands: test and connect to a real server, stage (the upload's
/// bytes, then the server's progress), commit, create and export from it, with nothing written
/// to this computer's home; then back on this computer, and the saved server forgotten.
#[test]
fn remote_mode_works_on_the_server_and_exports_from_it() {
    let server_dir = tempfile::tempdir().expect("a temporary folder");
    let key = {
        let backend = riskdesk::LocalBackend::open(server_dir.path()).expect("the server's home");
        backend.demo_reference(&demo_options()).expect("demo reference");
        backend.create_key("quant@team.example", riskdesk::keys::Scope::Admin).expect("a key").1
    };
    let server = TeamServer::start(server_dir.path());
    let h = Harness::new();

    let check = h.ok("test_connection", json!({ "endpoint": server.url, "key": key }));
    assert_eq!((check["user"].as_str(), check["riskdesk"].is_string()), (Some("quant@team.example"), true), "{check}");
    let wrong = h.err("test_connection", json!({ "endpoint": server.url, "key": "rdk_wrong" }));
    assert_eq!(wrong["code"], "unauthorized");
    let place = h.ok("connect_server", json!({ "name": "Team", "endpoint": server.url, "key": key }));
    assert_eq!((&place["server"], &place["last"]), (&json!("Team"), &json!("Team")), "the next start reconnects: {place}");
    assert_eq!(h.ok("app_info", json!({}))["home"], json!(server.url));

    // Staging goes up as an annual ZIP: bytes sent, then the server's percentage.
    let (channel, id) = h.channel();
    let staged = h.ok("stage", json!({ "dataset": DATASET, "paths": [h.folder], "replace": false, "onProgress": channel, "job": 1 }));
    assert_eq!(staged.as_array().unwrap().len(), 3, "{staged}");
    let phases: Vec<String> = h.steps(id).iter().map(|s| s["phase"].as_str().unwrap().to_owned()).collect();
    assert!(phases.contains(&"upload".to_owned()) && phases.contains(&"server".to_owned()), "{phases:?}");
    h.create_risk();
    // The grid runs on the server (a task, with its progress), then pages come from it.
    let (channel, id) = h.channel();
    let info = h.ok("call_long", call("grid", json!({ "request": grid("", "") }), Some((channel.as_str(), 2))));
    assert!(h.steps(id).iter().any(|s| s["phase"] == "server"), "{:?}", h.steps(id));
    let page = h.ok("call", call("grid_rows", json!({ "request": grid("", ""), "offset": 0, "limit": 3 }), None));
    assert_eq!((page["total"].clone(), page["rows"].as_array().unwrap().len()), (info["total"].clone(), 3));
    let (channel, _) = h.channel();
    let written = h.ok("export_exposures", json!({ "query": preview("", ""), "format": "csv", "onProgress": channel, "job": 1 }));
    let text = std::fs::read_to_string(written.as_str().unwrap()).expect("the export exists");
    assert_eq!(text.lines().count() as u64, page["total"].as_u64().unwrap() + 1);

    // The work is on the server; this computer's home holds none of it.
    let on_server = riskdesk::LocalBackend::open(server_dir.path()).expect("the server's home");
    assert_eq!(on_server.datasets().unwrap().len(), 1);
    assert!(riskdesk::LocalBackend::open(&h.home).unwrap().datasets().unwrap().is_empty());

    // Back on this computer; the saved server reconnects by name with its kept key; forgotten.
    let place = h.ok("disconnect", json!({}));
    assert!(place["server"].is_null() && place["last"].is_null() && place["servers"][0]["name"] == "Team", "{place}");
    assert_eq!(h.ok("app_info", json!({}))["datasets"], json!([]));
    assert_eq!(h.ok("connect_server", json!({ "name": "Team", "endpoint": null, "key": null }))["server"], "Team");
    assert_eq!(h.ok("app_info", json!({}))["datasets"].as_array().unwrap().len(), 1);
    // The recent datasets are the place's own; the screen and the folders are the window's.
    h.ok("remember", json!({ "what": { "kind": "dataset", "value": "On-The-Server" } }));
    h.ok("remember", json!({ "what": { "kind": "screen", "value": "history" } }));
    h.ok("disconnect", json!({}));
    let here = h.ok("recent", json!({}));
    assert_eq!((here["datasets"].clone(), here["screen"].as_str()), (json!([]), Some("history")), "{here}");
    h.ok("connect_server", json!({ "name": "Team", "endpoint": null, "key": null }));
    assert_eq!(h.ok("recent", json!({}))["datasets"], json!(["On-The-Server"]));
    let place = h.ok("forget_server", json!({ "name": "Team" }));
    assert!(place["server"].is_null() && place["servers"] == json!([]), "{place}");
}

// ---------------------------------------------------------------------------------------------
// Portfolio risk

/// A request over the portfolio `holdings` read from a file, on [`MODEL`].
fn risk_request(holdings: &Value, start: Option<&str>, end: Option<&str>) -> Value {
    json!({ "model": MODEL, "portfolio": { "source": { "holdings": holdings }, "name": null }, "benchmark": null, "start": start, "end": end })
}

#[test]
fn choose_portfolio_file_answers_with_the_fixed_dialog_and_read_portfolio_reads_it() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    let path = h.write_portfolio(10);
    assert_eq!(h.ok("choose_portfolio_file", json!({ "benchmark": false })), json!(path.display().to_string()));
    let p = h.ok("read_portfolio", json!({ "path": path, "model": null }));
    assert_eq!((p["source"].as_str(), p["id_type"].as_str()), (Some(PORTFOLIO_FILE), Some("bayesid")), "{p}");
    let weights: Vec<f64> = field(&p["holdings"], "weight").iter().map(|w| w.as_f64().unwrap()).collect();
    assert_eq!(weights.len(), 11);
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-12, "values become weights: {weights:?}");

    // A bad column is refused with the file, line and column.
    std::fs::write(&path, "bayesid,weight,sector\nA,0.5,Tech\n").unwrap();
    let e = h.err("read_portfolio", json!({ "path": path, "model": null }));
    assert_eq!(e["code"], "invalid_input");
    let details = e["details"].to_string();
    assert!(details.contains("line 1, column 3 (sector): unknown column"), "{e}");
}

#[test]
fn portfolio_report_equals_the_engines_and_keeps_the_run_for_its_other_dates() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.create_risk();
    h.create_model();
    let path = h.write_portfolio(40);
    let holdings = h.ok("read_portfolio", json!({ "path": path, "model": MODEL }));
    let backend = h.shared.backend();
    let portfolio: riskdesk::portfolio::Portfolio = serde_json::from_value(holdings.clone()).unwrap();
    let engine = |start: Option<&str>| {
        let request = riskdesk::portfolio::RiskRequest {
            model: MODEL.into(),
            portfolio: riskdesk::portfolio::PortfolioChoice {
                source: riskdesk::portfolio::PortfolioSource::Holdings(portfolio.clone()),
                name: None,
            },
            benchmark: None,
            start: start.map(str::to_owned),
            end: None,
        };
        serde_json::to_value(backend.portfolio_risk(&request, &Progress::none()).unwrap()).unwrap()
    };

    // One date (the model's last): the engine's report, one point, the unknown id listed.
    let (channel, _) = h.channel();
    let view = h.ok(
        "portfolio_report",
        json!({ "run": 1, "request": risk_request(&holdings, None, None), "date": null, "job": 1, "onProgress": channel }),
    );
    let last = engine(None);
    assert_eq!(view["report"], last[0]);
    assert_eq!(view["series"].as_array().unwrap().len(), 1);
    assert_eq!(view["report"]["date"], DATES[2]);
    assert_eq!(view["report"]["unmatched"][0]["id"], "NOT-AN-ASSET");
    assert_eq!(view["series"][0]["unmatched"], 1);
    assert_eq!(view["series"][0]["matched"], 40);
    assert_eq!(view["groups"], json!(["market", "style", "industry", "region"]));
    assert_eq!(view["series"][0]["total_risk"], last[0]["total_risk"]);

    // A range: one point per model date and the last date's report; its first date from the
    // kept reports (no new run: no progress), equal to the engine's.
    let range = risk_request(&holdings, Some(DATES[1]), None);
    let (channel, id) = h.channel();
    let view = h.ok("portfolio_report", json!({ "run": 2, "request": range, "date": null, "job": 2, "onProgress": channel }));
    assert!(!h.steps(id).is_empty(), "the run reports its progress");
    let all = engine(Some(DATES[1]));
    assert_eq!(field(&view["series"], "date"), [&json!(DATES[1]), &json!(DATES[2])]);
    assert_eq!(view["report"], all[1]);
    let (channel, id) = h.channel();
    let first = h.ok("portfolio_report", json!({ "run": 2, "request": range, "date": DATES[1], "job": 3, "onProgress": channel }));
    assert_eq!(first["report"], all[0]);
    assert!(h.steps(id).is_empty(), "answered from the kept reports: {:?}", h.steps(id));
    let e = h.err("portfolio_report", json!({ "run": 2, "request": range, "date": DATES[0], "job": 4, "onProgress": h.channel().0 }));
    assert!(e["message"].as_str().unwrap().contains("is not a date of this report"), "{e}");
    // Another run with the same request runs again (the model may have changed meanwhile).
    let (channel, id) = h.channel();
    h.ok("portfolio_report", json!({ "run": 3, "request": range, "date": null, "job": 5, "onProgress": channel }));
    assert!(!h.steps(id).is_empty());

    // A date outside the model is the engine's refusal.
    let e = h.err("portfolio_report", json!({ "run": 4, "request": risk_request(&holdings, Some("2030-01-01"), Some("2030-01-01")), "date": null, "job": 6, "onProgress": h.channel().0 }));
    assert_eq!(e["code"], "invalid_input", "{e}");
}

#[test]
fn export_portfolio_report_writes_the_clis_csv_where_the_dialog_says() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    h.create_risk();
    h.create_model();
    let path = h.write_portfolio(25);
    let holdings = h.ok("read_portfolio", json!({ "path": path, "model": MODEL }));
    let range = risk_request(&holdings, Some(DATES[1]), None);
    // Run 7 is not kept (another request ran as 7 before): the export runs it, with progress.
    h.ok(
        "portfolio_report",
        json!({ "run": 7, "request": risk_request(&holdings, None, None), "date": null, "job": 1, "onProgress": h.channel().0 }),
    );
    let (channel, id) = h.channel();
    let written = h.ok("export_portfolio_report", json!({ "run": 7, "request": range, "job": 2, "onProgress": channel }));
    let save_to = h.save_to.clone().unwrap();
    assert_eq!(written, json!(save_to.display().to_string()));
    assert!(!h.steps(id).is_empty(), "the export ran the report");

    let portfolio: riskdesk::portfolio::Portfolio = serde_json::from_value(holdings).unwrap();
    let request = riskdesk::portfolio::RiskRequest {
        model: MODEL.into(),
        portfolio: riskdesk::portfolio::PortfolioChoice { source: riskdesk::portfolio::PortfolioSource::Holdings(portfolio), name: None },
        benchmark: None,
        start: Some(DATES[1].into()),
        end: None,
    };
    let reports = h.shared.backend().portfolio_risk(&request, &Progress::none()).unwrap();
    let expected = h._dir.path().join("expected.csv");
    riskdesk::portfolio::report_table(&reports).save(riskdesk::table::Format::Csv, &expected).unwrap();
    assert_eq!(std::fs::read_to_string(&save_to).unwrap(), std::fs::read_to_string(&expected).unwrap(), "the CLI's table");
    assert!(std::fs::read_to_string(&save_to).unwrap().contains(",unmatched,NOT-AN-ASSET,portfolio,"));

    // The kept run exports without running again; a cancelled dialog writes nothing.
    let (channel, id) = h.channel();
    h.ok("export_portfolio_report", json!({ "run": 7, "request": range, "job": 3, "onProgress": channel }));
    assert!(h.steps(id).is_empty(), "{:?}", h.steps(id));
    let cancelled = Harness::with(Setup { reference: true, save_as: None, ..Setup::default() });
    assert_eq!(
        cancelled.ok("export_portfolio_report", json!({ "run": 1, "request": range, "job": 1, "onProgress": cancelled.channel().0 })),
        Value::Null
    );
}

#[test]
fn portfolios_are_saved_listed_and_deleted_through_call() {
    let h = Harness::with(Setup { reference: true, ..Setup::default() });
    let path = h.write_portfolio(5);
    let holdings = h.ok("read_portfolio", json!({ "path": path, "model": null }));
    let saved = h.ok("call", call("save_portfolio", json!({ "name": "Core", "portfolio": holdings, "replace": false }), None));
    assert_eq!((saved["name"].as_str(), saved["holdings"].as_u64()), (Some("Core"), Some(6)), "{saved}");
    assert_eq!(field(&h.ok("call", call("portfolios", json!({}), None)), "name"), [&json!("Core")]);
    let e = h.err("call", call("save_portfolio", json!({ "name": "Core", "portfolio": holdings, "replace": false }), None));
    assert_eq!(e["code"], "conflict");
    assert_eq!(h.ok("call", call("delete_portfolio", json!({ "name": "Core", "if_exists": false }), None)), json!(true));
    assert_eq!(h.ok("call", call("portfolios", json!({}), None)), json!([]));
}
