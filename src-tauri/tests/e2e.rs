//! End to end: the real app binary in a real webview (WebKitGTK under Xvfb), driven through
//! WebDriver (`tauri-driver` in front of Debian's `WebKitWebDriver`) across the whole workflow:
//! upload, check, commit, history, risk dataset, dataset, settings; then a bad file dragged in
//! from another window (a real native drop) and the folder dialog. Screenshots of each step go
//! to `$RISKDESK_E2E_ARTIFACTS`, else `$CARGO_TARGET_DIR/e2e-artifacts`, else
//! `target/e2e-artifacts`.
//!
//! Run by `scripts/test`, or by hand after building the UI (`ui/dist`):
//! `xvfb-run -a -s "-screen 0 1920x1080x24" cargo test -p riskdesk-app --test e2e -- --ignored --test-threads=1`.

mod webdriver;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use webdriver::{Driver, Session};

/// How long any one step may take: the engine runs in a debug build.
const STEP_TIMEOUT: Duration = Duration::from_secs(120);

/// The screenshots this test writes, in order (removed first so that none is stale).
const SHOTS: [&str; 9] = [
    "01-upload.png",
    "02-check.png",
    "03-history.png",
    "04-risk.png",
    "05-report.png",
    "06-dataset.png",
    "07-settings.png",
    "08-bad-input.png",
    "failure.png",
];

/// The `tauri-driver` binary: `$TAURI_DRIVER`, else where `scripts/test` installs it, else `PATH`.
fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let p = Path::new(&home).join(".cache/riskdesk/tools/bin/tauri-driver");
        if p.is_file() {
            return p;
        }
    }
    PathBuf::from("tauri-driver")
}

/// Where screenshots go (created, with this test's old screenshots removed).
fn artifacts_dir() -> PathBuf {
    let dir = match (std::env::var_os("RISKDESK_E2E_ARTIFACTS"), std::env::var_os("CARGO_TARGET_DIR")) {
        (Some(d), _) if !d.is_empty() => PathBuf::from(d),
        (_, Some(t)) if !t.is_empty() => PathBuf::from(t).join("e2e-artifacts"),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-artifacts"),
    };
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    for name in SHOTS {
        let _ = std::fs::remove_file(dir.join(name));
    }
    dir
}

/// Parses an integer cell such as "35,800" (thousands separators ignored).
fn parse_count(cell: &str) -> Option<u64> {
    let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() || cell.chars().any(|c| c.is_alphabetic()) { None } else { digits.parse().ok() }
}

/// A GTK window offering a folder as a drag source (`tests/fixtures/drag_source.py`), closed
/// when dropped.
struct DragSource(std::process::Child);

impl Drop for DragSource {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `xdotool` with `args` or fails the test.
fn xdotool(s: &Session, args: &[&str]) {
    match std::process::Command::new("xdotool").args(args).status() {
        Ok(st) if st.success() => {}
        other => s.fail(&format!("xdotool {args:?} failed: {other:?}")),
    }
}

/// Drags `folder` onto the drop zone the way a user does from a file manager: a real GTK drag
/// source, pressed, moved over the window and released with xdotool (the app sees a native drop).
/// The source must live until the app has read the dropped paths from it: keep what this returns.
#[must_use]
fn drag_onto_drop_zone(s: &Session, folder: &Path) -> DragSource {
    let (sx, sy) = (1500, 300); // the source's corner: right of the 1280-pixel-wide app window
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drag_source.py");
    let child = std::process::Command::new("/usr/bin/python3")
        .arg(&fixture)
        .arg(folder)
        .args([sx.to_string(), sy.to_string()])
        .spawn()
        .unwrap_or_else(|e| s.fail(&format!("cannot start {}: {e}", fixture.display())));
    let source = DragSource(child);
    s.wait("the drag source window", |_| {
        let found = std::process::Command::new("xdotool").args(["search", "--name", "^riskdesk-drag-source$"]).output();
        Ok(found.ok().filter(|o| o.status.success() && !o.stdout.is_empty()).map(|_| ()))
    });
    let target = s
        .execute(
            "const r = document.getElementById('dropzone').getBoundingClientRect();
             return [Math.round(window.screenX + r.left + r.width / 2), Math.round(window.screenY + r.top + r.height / 2)];",
            json!([]),
        )
        .unwrap_or_else(|e| s.fail(&format!("cannot locate the drop zone: {e}")));
    let (tx, ty) = (target[0].as_i64().unwrap_or(640), target[1].as_i64().unwrap_or(200));
    let (fx, fy) = (sx + 100, sy + 50);
    xdotool(s, &["mousemove", &fx.to_string(), &fy.to_string()]);
    xdotool(s, &["mousedown", "1"]);
    // GTK starts a drag after a few pixels of motion; then the pointer travels to the zone.
    for step in 1..=12 {
        let x = fx + (tx - fx) * step / 12;
        let y = fy + (ty - fy) * step / 12;
        xdotool(s, &["mousemove", &x.to_string(), &y.to_string()]);
        std::thread::sleep(Duration::from_millis(80));
    }
    xdotool(s, &["mousemove", &(tx + 3).to_string(), &(ty + 3).to_string()]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(s, &["mouseup", "1"]);
    source
}

/// Takes a named screenshot or fails the test.
fn shot(s: &Session, name: &str) {
    if let Err(e) = s.screenshot(name) {
        s.fail(&format!("cannot take screenshot {name}: {e}"));
    }
}

#[test]
#[ignore = "needs Xvfb, webkit2gtk-driver and tauri-driver: run scripts/test"]
fn upload_check_commit_and_build_a_risk_dataset() {
    // Data: a home with the demo reference, and a folder of five small demo days.
    let tmp = tempfile::tempdir().expect("temp dir");
    let home_dir = tmp.path().join("home");
    let folder = tmp.path().join("folder");
    let bad_folder = tmp.path().join("bad");
    let opts = riskdesk::demo::DemoOptions { assets: 500, days: 5, ..Default::default() };
    {
        let home = riskdesk::Home::open(&home_dir).expect("open the home");
        home.demo_reference(&opts).expect("demo reference");
        riskdesk::demo::write_exposures(&folder, &opts, &riskdesk::Progress::none()).expect("demo exposures");
        // Two later days, the second with a bad exposure on line 6 (the sixth column).
        let later = riskdesk::demo::DemoOptions { days: 2, start: riskdesk::date::parse(b"2025-06-01").expect("date"), ..opts };
        riskdesk::demo::write_exposures(&bad_folder, &later, &riskdesk::Progress::none()).expect("demo exposures");
        let bad_file = bad_folder.join("exposures_2025-06-02.csv");
        let text = std::fs::read_to_string(&bad_file).expect("read the demo file");
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let cut = lines[5].rfind(',').expect("a CSV line");
        lines[5] = format!("{},abc", &lines[5][..cut]);
        std::fs::write(&bad_file, lines.join("\n") + "\n").expect("write the bad file");
    }

    // The driver and one session on the app binary; both end when `s` drops, also on panic.
    let artifacts = artifacts_dir();
    let driver = Driver::start(
        &tauri_driver(),
        &[("RISKDESK_HOME", home_dir.as_os_str()), ("GSETTINGS_BACKEND", "memory".as_ref())],
        &artifacts.join("tauri-driver.log"),
    );
    let capabilities = json!({ "capabilities": { "alwaysMatch": {
        "tauri:options": { "application": env!("CARGO_BIN_EXE_riskdesk-app") }
    } } });
    let s =
        Session::new(driver, capabilities, &artifacts, STEP_TIMEOUT).unwrap_or_else(|e| panic!("cannot start a WebDriver session: {e}"));
    if let Err(e) = s.set_window_size(1280, 800) {
        s.fail(&format!("cannot set the window size: {e}"));
    }
    if let Err(e) = s.set_script_timeout(STEP_TIMEOUT) {
        s.fail(&format!("cannot set the script timeout: {e}"));
    }

    // Upload: feed the folder through the drop handler, see the scan, stage.
    s.wait_for("#nav-start");
    s.wait("window.__riskdesk.drop", |s| {
        Ok(s.execute("return typeof (window.__riskdesk && window.__riskdesk.drop) === 'function';", json!([]))?.as_bool().filter(|&b| b))
    });
    let drop_script = "const done = arguments[arguments.length - 1];
        window.__riskdesk.drop(arguments[0]).then(() => done(null), (e) => done(String((e && e.message) || JSON.stringify(e))));";
    match s.execute_async(drop_script, json!([[folder.to_str().expect("UTF-8 temp path")]])) {
        Ok(v) if v.is_null() => {}
        Ok(v) => s.fail(&format!("window.__riskdesk.drop rejected: {v}")),
        Err(e) => s.fail(&format!("window.__riskdesk.drop failed: {e}")),
    }
    let scan = s.wait_text("#scan", "Found 5 files");
    assert!(scan.contains("Found 5 files"), "{scan}");
    shot(&s, "01-upload.png");
    s.click_when_ready("#stage");

    // Check: five staged days of about 500 assets each, and the four charts.
    s.wait_count("#detail tbody tr", "5 rows", |n| n == 5);
    let rows = s.table_rows("#detail tbody tr");
    assert_eq!(rows.len(), 5, "{rows:?}");
    // The Assets column, found by its header (the 3rd cell unless columns come before Name).
    let header = s.table_rows("#detail thead tr").concat();
    let assets = header.iter().position(|c| c.starts_with("Assets")).unwrap_or(2);
    for row in &rows {
        let cell = row.get(assets).map(String::as_str).unwrap_or_default();
        match parse_count(cell) {
            Some(n) if (450..=550).contains(&n) => {}
            _ => s.fail(&format!("the Assets cell {cell:?} of row {row:?} is not a number near 500")),
        }
    }
    for chart in ["#chart-assets svg", "#chart-range svg", "#chart-std svg", "#chart-histogram svg"] {
        s.wait_for(chart);
    }
    // A click on a chart picks the day under the pointer (at the chart's centre, the middle day):
    // the histogram and the highlighted table row follow.
    s.click_when_ready("#chart-std .svg");
    s.wait_text("#chart-histogram figcaption", "2025-05-03");
    s.wait_text("#detail tr.selected", "2025-05-03");
    shot(&s, "02-check.png");

    // Wipe the last day (ticked, then confirmed): four staged rows remain.
    s.click_when_ready("#wipe-exposures_2025-05-05");
    s.click_when_ready("#wipe");
    s.click_when_ready("#confirm");
    s.wait_count("#detail tbody tr", "4 rows", |n| n == 4);

    // Commit (confirmed in the dialog) into version 1, with the four names left.
    s.click_when_ready("#commit");
    s.click_when_ready("#confirm");
    s.wait_text("#committed", "version 1");
    s.wait_text("#committed", "4 names");

    // History: one version.
    s.click_when_ready("#nav-history");
    s.wait_count("#history tbody tr", "1 row", |n| n == 1);
    shot(&s, "03-history.png");

    // Risk dataset: the form with the roles guessed from the group names, then the report.
    s.click_when_ready("#nav-risk");
    s.wait("`#create` to be enabled", |s| {
        let Some(el) = s.find("#create")? else { return Ok(None) };
        Ok(s.enabled(&el)?.then_some(()))
    });
    if let Ok(Some(role)) = s.find("#role-style") {
        match s.property(&role, "value") {
            Ok(v) if v == "style" => {}
            Ok(v) => s.fail(&format!("`#role-style` has value {v}, expected \"style\"")),
            Err(e) => s.fail(&format!("cannot read `#role-style`'s value: {e}")),
        }
    }
    shot(&s, "04-risk.png");
    s.click_when_ready("#create");
    s.wait_text("#report", "Created");
    shot(&s, "05-report.png");

    // Dataset: describe and a first page of exposures with style columns.
    s.click_when_ready("#open-dataset");
    s.wait_for("#describe");
    s.wait_count("#preview tbody tr", "at least 1 row", |n| n >= 1);
    let header = s.table_rows("#preview thead tr");
    if !header.iter().flatten().any(|c| c.contains("style")) {
        s.fail(&format!("the preview header has no style column: {header:?}"));
    }
    shot(&s, "06-dataset.png");

    // Settings: shows the home folder.
    s.click_when_ready("#nav-settings");
    s.wait_text("#settings", home_dir.to_str().expect("UTF-8 temp path"));
    shot(&s, "07-settings.png");

    // Bad input: the good file is staged; the bad one is reported in place with its file, line,
    // column and value.
    // This folder comes by a real drag and drop from another window.
    s.click_when_ready("#nav-start");
    s.wait_for("#dropzone");
    let source = drag_onto_drop_zone(&s, &bad_folder);
    s.wait_text("#scan", "Found 2 files");
    drop(source);
    s.click_when_ready("#stage");
    let failure = s.wait_text("#failures", "exposures_2025-06-02.csv");
    for needle in ["line 6", "column 6", "'abc'"] {
        if !failure.contains(needle) {
            s.fail(&format!("the failure report lacks {needle:?}: {failure}"));
        }
    }
    s.wait_count("#detail tbody tr", "1 row (the good file)", |n| n == 1);
    shot(&s, "08-bad-input.png");

    // The folder dialog opens without freezing the window: while it is open, a command still
    // answers (a dialog opened on the main thread would block the event loop for good).
    s.click_when_ready("#nav-start");
    s.click_when_ready("#choose-folder");
    let probe = "const done = arguments[arguments.length - 1];
        window.__TAURI_INTERNALS__.invoke('app_info').then((i) => done(i.home), (e) => done('failed: ' + JSON.stringify(e)));";
    match s.execute_async(probe, json!([])) {
        Ok(v) if v.as_str() == home_dir.to_str() => {}
        Ok(v) => s.fail(&format!("app_info answered {v} while the folder dialog was open")),
        Err(e) => s.fail(&format!("the app stopped answering while the folder dialog was open: {e}")),
    }

    drop(s);
    println!("e2e screenshots: {}", artifacts.display());
}
