//! End to end: the Check screen's Model impact. Days changed against the committed ones are
//! staged through the window; with no model the card says so; with two models one is picked with
//! the mouse and the impact runs; every figure shown (the fit per date, each date × factor's
//! return and t-stat with their changes, the drivers of both dates, the saved portfolio's risk,
//! the summary and the notes) equals what `riskdesk upload impact --format json` gives for the
//! same home, exactly (`data-exact`) and to the last digit printed; ↓ on the dates table picks the
//! next date. Then the committed files staged again, identical: after Run again the card says
//! "No change".

use std::path::{Path, PathBuf};

use riskdesk::Backend;
use riskdesk::riskmodel::ModelImpact;
use serde_json::{Value, json};

use super::{ARROW_DOWN, artifacts_dir, demo_risk_dataset, drop_paths, js, open_app, pick_with_mouse, press, shot, wait_shown};
use crate::webdriver::Session;

/// The screenshots this test writes.
pub const IMPACT_SHOTS: [&str; 3] = ["27-impact-no-model.png", "28-model-impact.png", "29-impact-no-change.png"];

/// The model weighed, and another one on the same risk dataset (so that one has to be picked).
const MODEL: &str = "Demo-Model";
const OTHER: &str = "Demo-Equal";

/// `s` with thousands separators in its integer part, as the app prints figures.
fn grouped(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (whole, frac) = rest.split_once('.').map_or((rest, None), |(w, f)| (w, Some(f)));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}{}", frac.map(|f| format!(".{f}")).unwrap_or_default())
}

/// A figure as the app prints it: `scale × v` with `decimals` decimals (a value rounding to zero
/// without its minus sign), "–" for none.
fn value_text(v: Option<f64>, decimals: usize, scale: f64) -> String {
    let Some(v) = v else { return "–".into() };
    let s = grouped(&format!("{:.decimals$}", scale * v));
    if s.starts_with('-') && s.chars().all(|c| matches!(c, '-' | '0' | '.' | ',')) { s[1..].to_owned() } else { s }
}

/// A change as the app prints it: "No change" when the two are the same to the last bit, "–"
/// when only one exists, else `scale × (after − before)` with its sign.
fn change_text(before: Option<f64>, after: Option<f64>, decimals: usize, scale: f64) -> String {
    match (before, after) {
        (b, a) if b.map(f64::to_bits) == a.map(f64::to_bits) => "No change".into(),
        (Some(b), Some(a)) => {
            let d = scale * (a - b);
            format!("{}{}", if d < 0.0 { "-" } else { "+" }, grouped(&format!("{:.decimals$}", d.abs())))
        }
        _ => "–".into(),
    }
}

/// The exact value a change carries: after − before, 0 when the same, none when only one exists.
fn change_exact(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    match (before, after) {
        (b, a) if b.map(f64::to_bits) == a.map(f64::to_bits) => Some(0.0),
        (Some(b), Some(a)) => Some(a - b),
        _ => None,
    }
}

/// The figures of the rows matching `css`: per row its key (`data-date|data-factor`, or the
/// driver's or portfolio's), the text of its name cell, and per figure (`data-k`) the exact
/// value and the text shown.
fn rows_shown(s: &Session, css: &str) -> Vec<(String, String, serde_json::Map<String, Value>)> {
    let v = js(
        s,
        "Array.from(document.querySelectorAll(arguments[0])).map(r => [
            [r.dataset.date || '', r.dataset.factor || r.dataset.id || r.dataset.portfolio || ''].join('|'),
            (r.querySelector('td.name') || { innerText: '' }).innerText.trim(),
            Object.fromEntries(Array.from(r.querySelectorAll('[data-k]')).map(e => [e.dataset.k, [e.dataset.exact, e.innerText.trim()]]))])",
        json!([css]),
    );
    let rows = v.as_array().cloned().unwrap_or_default();
    rows.into_iter()
        .map(|r| {
            let key = r[0].as_str().unwrap_or_default().to_owned();
            let name = r[1].as_str().unwrap_or_default().to_owned();
            (key, name, r[2].as_object().cloned().unwrap_or_default())
        })
        .collect()
}

/// Requires that figure `k` of a row shows `want` exactly and as `text`.
fn check(s: &Session, row: &str, figs: &serde_json::Map<String, Value>, k: &str, want: Option<f64>, text: &str) {
    let Some(fig) = figs.get(k) else { s.fail(&format!("{row}: no figure {k} shown (has {:?})", figs.keys().collect::<Vec<_>>())) };
    let exact = fig[0].as_str().unwrap_or_default();
    let shown = fig[1].as_str().unwrap_or_default();
    let got = if exact.is_empty() { None } else { exact.parse::<f64>().ok() };
    if got.map(f64::to_bits) != want.map(f64::to_bits) || (exact.is_empty() != want.is_none()) {
        s.fail(&format!("{row} {k}: the app's exact value is {exact:?}; the CLI's is {want:?}"));
    }
    if shown != text {
        s.fail(&format!("{row} {k}: the app shows {shown:?}; the CLI's value {want:?} prints as {text:?}"));
    }
}

/// `riskdesk upload impact --format json` on `home`: the CLI of this build (built first; a no-op
/// when it is up to date), next to the app's binary.
fn cli_impact(home: &Path, dataset: &str, model: &str) -> ModelImpact {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = std::process::Command::new(cargo)
        .args(["build", "--quiet", "--locked", "--workspace", "--bin", "riskdesk"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .status()
        .expect("cargo runs");
    assert!(built.success(), "cannot build the CLI");
    let cli: PathBuf = Path::new(env!("CARGO_BIN_EXE_riskdesk-app")).with_file_name(format!("riskdesk{}", std::env::consts::EXE_SUFFIX));
    let out = std::process::Command::new(&cli)
        .args(["upload", "impact", "--dataset", dataset, "--model", model, "--format", "json", "--home"])
        .arg(home)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cli.display()));
    assert!(out.status.success(), "riskdesk upload impact failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the CLI's JSON is a ModelImpact")
}

/// Waits until the card shows a finished impact (no run going on, not out of date).
fn wait_impact(s: &Session) {
    s.wait("the model impact", |s| {
        let v = s.execute(
            "const c = document.getElementById('impact');
             return !!c && c.getAttribute('aria-busy') === 'false' && !!document.getElementById('impact-result')
                 && !document.getElementById('impact-stale') && document.querySelectorAll('#progress').length === 0;",
            json!([]),
        )?;
        Ok(v.as_bool().filter(|&b| b).map(|_| ()))
    });
}

/// Requires that the card's figures are the CLI's: the dates' fit, every date × factor (all
/// shown), the drivers of the date selected, the portfolios and the notes.
fn assert_figures(s: &Session, m: &ModelImpact, selected: &str) {
    // The fit per date.
    let dates = rows_shown(s, "#impact-dates tbody tr");
    if dates.len() != m.dates.len() {
        s.fail(&format!("the card shows {} dates; the CLI re-estimated {}", dates.len(), m.dates.len()));
    }
    for (d, (key, _, figs)) in m.dates.iter().zip(&dates) {
        let row = format!("date {}", d.date);
        if key != &format!("{}|", d.date) {
            s.fail(&format!("{row}: the dates table's row is {key}"));
        }
        check(s, &row, figs, "r2-before", d.r2_before, &value_text(d.r2_before, 6, 1.0));
        check(s, &row, figs, "r2-after", d.r2_after, &value_text(d.r2_after, 6, 1.0));
        check(s, &row, figs, "r2-change", change_exact(d.r2_before, d.r2_after), &change_text(d.r2_before, d.r2_after, 6, 1.0));
        check(s, &row, figs, "assets-before", Some(f64::from(d.assets_before)), &grouped(&d.assets_before.to_string()));
        check(s, &row, figs, "assets-after", Some(f64::from(d.assets_after)), &grouped(&d.assets_after.to_string()));
    }

    // Every date × factor: every date, the unchanged factors too.
    if m.dates.len() > 1 && js(s, "document.getElementById('impact-all-dates').checked", json!([])) != json!(true) {
        s.click_when_ready("#impact-all-dates");
    }
    if js(s, "document.getElementById('impact-changed-only').checked", json!([])) != json!(false) {
        s.click_when_ready("#impact-changed-only");
    }
    let pairs: usize = m.dates.iter().map(|d| d.factors.len()).sum();
    s.wait_count("#impact-factors tbody tr", &format!("{pairs} rows"), |n| n == pairs);
    let shown = rows_shown(s, "#impact-factors tbody tr");
    let by_key: std::collections::HashMap<&str, &serde_json::Map<String, Value>> = shown.iter().map(|(k, _, f)| (k.as_str(), f)).collect();
    for d in &m.dates {
        for f in &d.factors {
            let key = format!("{}|{}", d.date, f.factor);
            let Some(figs) = by_key.get(key.as_str()) else { s.fail(&format!("the factor table has no row {key}")) };
            check(s, &key, figs, "fret-before", f.fret_before, &value_text(f.fret_before, 2, 1e4));
            check(s, &key, figs, "fret-after", f.fret_after, &value_text(f.fret_after, 2, 1e4));
            check(
                s,
                &key,
                figs,
                "fret-change",
                change_exact(f.fret_before, f.fret_after),
                &change_text(f.fret_before, f.fret_after, 2, 1e4),
            );
            check(s, &key, figs, "t-before", f.t_before, &value_text(f.t_before, 3, 1.0));
            check(s, &key, figs, "t-after", f.t_after, &value_text(f.t_after, 3, 1.0));
            check(s, &key, figs, "t-change", change_exact(f.t_before, f.t_after), &change_text(f.t_before, f.t_after, 3, 1.0));
        }
    }
    // The table comes largest change first: the first row is the summary's largest change.
    let size = |f: &riskdesk::riskmodel::FactorImpact| match (f.fret_before, f.fret_after) {
        (Some(b), Some(a)) => (a - b).abs(),
        (None, None) => 0.0,
        _ => f64::INFINITY,
    };
    let (top_date, top) = m
        .dates
        .iter()
        .flat_map(|d| d.factors.iter().map(move |f| (&d.date, f)))
        .fold(None::<(&String, &riskdesk::riskmodel::FactorImpact)>, |best, (d, f)| match best {
            Some((_, b)) if size(b) >= size(f) => best,
            _ => Some((d, f)),
        })
        .expect("factors");
    if shown[0].0 != format!("{top_date}|{}", top.factor) {
        s.fail(&format!("the factor table starts with {}; the largest change is {} on {top_date}", shown[0].0, top.factor));
    }
    let largest = rows_shown(s, "#impact-sum-largest");
    let text = format!("{} bp", change_text(top.fret_before, top.fret_after, 2, 1e4));
    check(s, "the largest change", &largest[0].2, "largest", change_exact(top.fret_before, top.fret_after), &text);
    wait_shown(s, "#impact-sum-largest", &top.factor);

    // The drivers of the date selected.
    let d = m.dates.iter().find(|d| d.date == selected).unwrap_or_else(|| s.fail(&format!("the CLI has no date {selected}")));
    wait_shown(s, "#impact-result", &format!("Assets driving the changes on {selected}"));
    let drivers = rows_shown(s, "#impact-drivers tbody tr");
    if drivers.len() != d.drivers.len() || d.drivers.is_empty() {
        s.fail(&format!("{} drivers shown on {selected}; the CLI names {}", drivers.len(), d.drivers.len()));
    }
    for (a, (key, name, figs)) in d.drivers.iter().zip(&drivers) {
        let row = format!("driver {} on {selected}", a.id);
        if key != &format!("|{}", a.id) || name != &a.factor {
            s.fail(&format!("{row}: the row shown is {key} with factor {name:?}; the CLI's factor is {:?}", a.factor));
        }
        check(s, &row, figs, "weight", Some(a.weight), &value_text(Some(a.weight), 1, 1.0));
        check(s, &row, figs, "change", Some(a.change), &value_text(Some(a.change), 3, 1.0));
        check(s, &row, figs, "before", a.before, &value_text(a.before, 4, 1.0));
        check(s, &row, figs, "after", a.after, &value_text(a.after, 4, 1.0));
    }

    // The saved portfolios' risk, as annualised volatilities in %.
    let portfolios = rows_shown(s, "#impact-portfolios tbody tr");
    if portfolios.len() != m.portfolios.len() || m.portfolios.is_empty() {
        s.fail(&format!("{} portfolios shown; the CLI reports {}", portfolios.len(), m.portfolios.len()));
    }
    for p in &m.portfolios {
        let Some((_, _, figs)) = portfolios.iter().find(|(k, _, _)| k == &format!("|{}", p.portfolio)) else {
            s.fail(&format!("portfolio {} is not shown", p.portfolio))
        };
        let row = format!("portfolio {}", p.portfolio);
        check(s, &row, figs, "before", Some(p.before), &format!("{}%", value_text(Some(p.before), 4, 100.0)));
        check(s, &row, figs, "after", Some(p.after), &format!("{}%", value_text(Some(p.after), 4, 100.0)));
        let change = change_text(Some(p.before), Some(p.after), 4, 100.0);
        let change = if change == "No change" { change } else { format!("{change} pp") };
        check(s, &row, figs, "change", change_exact(Some(p.before), Some(p.after)), &change);
    }

    // The notes, each as the engine words it.
    let notes = js(s, "Array.from(document.querySelectorAll('#impact-notes li')).map(l => l.innerText.trim())", json!([]));
    if notes != json!(m.notes) {
        s.fail(&format!("the notes shown are {notes}; the CLI's are {:?}", m.notes));
    }
}

/// Days changed against the committed ones, staged through the window, weighed on a risk model
/// picked with the mouse: every figure equals the CLI's for the same home; the committed files
/// staged again say "No change".
#[test]
#[ignore = "needs Xvfb, webkit2gtk-driver and tauri-driver: run scripts/test"]
fn model_impact_shows_the_engines_figures_and_no_change_for_an_identical_restage() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = tmp.path().join("home");
    let folder = tmp.path().join("folder");
    let changed = tmp.path().join("changed");
    let backend = demo_risk_dataset(&home, &folder);

    // Three days changed: Momentum moved for 25 assets on 05-03, Value for 20 on 05-04 (each read
    // by the next date's regression), and Size on the last date (which no regression reads: a note).
    std::fs::create_dir_all(&changed).expect("the changed folder");
    let days = [("2025-05-03", "Momentum", 25), ("2025-05-04", "Value", 20), ("2025-05-06", "Size", 10)];
    for (day, factor, n) in days {
        let name = format!("exposures_{day}.csv");
        let text = std::fs::read_to_string(folder.join(&name)).expect("a demo day");
        let mut moved = 0;
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                if moved < n && cells.len() == 6 && cells[3] == "style" && cells[4] == factor {
                    moved += 1;
                    let x: f64 = cells[5].parse().expect("an exposure");
                    format!("{},{}", cells[..5].join(","), 0.5 - 1.5 * x)
                } else {
                    l.to_owned()
                }
            })
            .collect();
        assert_eq!(moved, n, "{name} has {factor} exposures");
        std::fs::write(changed.join(&name), lines.join("\n") + "\n").expect("a changed day");
    }

    let artifacts = artifacts_dir(&IMPACT_SHOTS);
    let s = open_app(&home, &artifacts);

    // Staged through the window; no model reads Demo yet: the card says so.
    drop_paths(&s, &[&changed]);
    s.wait_text("#scan", "Found 3 files");
    s.click_when_ready("#stage");
    wait_shown(&s, "#impact-none", "No risk model reads Demo");
    js(&s, "document.getElementById('impact').scrollIntoView({ block: 'start' })", json!([]));
    shot(&s, "27-impact-no-model.png");

    // Two models on the risk dataset and a saved portfolio; back on the screen, one is picked with the mouse.
    for (name, weights) in [(MODEL, "SqrtCap"), (OTHER, "Equal")] {
        let model_settings = serde_json::from_value(json!({ "risk_dataset": "Demo-Risk", "weights": weights })).expect("model settings");
        backend.create_risk_model(name, &model_settings, false, &riskdesk::Progress::none()).expect("a risk model");
    }
    let query = serde_json::from_value(json!({ "start": "2025-05-06", "end": "2025-05-06", "id_type": "ticker" })).expect("exposure query");
    let exposures = backend.exposures("Demo-Risk", &query).expect("exposures");
    let ticker = exposures.names.iter().position(|n| n == "ticker").expect("a ticker column");
    let mut file = String::from("ticker,value\n");
    for row in 0..80 {
        file.push_str(&format!("{},{}\n", exposures.cell(row * 4, ticker), 500 + 13 * row));
    }
    let path = tmp.path().join("book.csv");
    std::fs::write(&path, file).expect("the portfolio file");
    let portfolio = backend.read_portfolio(&path, Some(MODEL)).expect("the portfolio");
    backend.save_portfolio("Growth Book", &portfolio, false).expect("save the portfolio");
    s.click_when_ready("#nav-history");
    s.click_when_ready("#nav-check");
    s.wait_for("#impact-model");
    if s.find("#impact-run").ok().flatten().is_some_and(|b| s.enabled(&b).unwrap_or(true)) {
        s.fail("Estimate impact is enabled before a model is picked out of two");
    }
    pick_with_mouse(&s, "#impact-model", 2);
    wait_shown(&s, "#impact-model-facts", "on risk dataset Demo-Risk");
    s.click_when_ready("#impact-run");
    wait_impact(&s);

    // Every figure is the CLI's for the same home.
    let m = cli_impact(&home, "Demo", MODEL);
    assert_eq!(m.dates.iter().map(|d| d.date.as_str()).collect::<Vec<_>>(), ["2025-05-04", "2025-05-05"], "the dates re-estimated");
    assert!(m.notes.iter().any(|n| n.contains("2025-05-06 is the last date")), "{:?}", m.notes);
    let selected = js(&s, "document.querySelector('#impact-dates tr.selected').dataset.date", json!([]));
    let selected = selected.as_str().unwrap_or_default().to_owned();
    assert_figures(&s, &m, &selected);
    wait_shown(&s, "#impact-units", "daily returns, in basis points");
    js(&s, "document.getElementById('impact').scrollIntoView({ block: 'start' })", json!([]));
    shot(&s, "28-model-impact.png");

    // ↓ on the dates table picks the other date: its drivers, as the CLI names them.
    js(&s, "document.getElementById('impact-date-2025-05-04').focus()", json!([]));
    press(&s, ARROW_DOWN);
    wait_shown(&s, "#impact-dates tr.selected", "2025-05-05");
    assert_figures(&s, &m, "2025-05-05");

    // The committed files staged again, identical to what is committed: after Run again, no change.
    let originals: Vec<PathBuf> = days.iter().map(|(day, _, _)| folder.join(format!("exposures_{day}.csv"))).collect();
    let originals: Vec<&Path> = originals.iter().map(PathBuf::as_path).collect();
    drop_paths(&s, &originals);
    s.click_when_ready("#stage");
    s.wait_text("#confirm-text", "differ");
    s.click_when_ready("#confirm");
    s.wait_for("#replace-done");
    wait_shown(&s, "#impact-stale", "The staged data changed since");
    s.click_when_ready("#impact-rerun");
    wait_impact(&s);
    wait_shown(&s, "#impact-nochange", "No change.");
    let same = cli_impact(&home, "Demo", MODEL);
    for d in &same.dates {
        assert!(d.factors.iter().all(|f| f.fret_before.map(f64::to_bits) == f.fret_after.map(f64::to_bits)), "{d:?}");
    }
    assert_figures_unchanged(&s, &same);
    js(&s, "document.getElementById('impact').scrollIntoView({ block: 'start' })", json!([]));
    shot(&s, "29-impact-no-change.png");
    drop(s);
    println!("e2e screenshots: {}", artifacts.display());
}

/// After an identical re-stage: each date's R² and universe and each portfolio's risk say "No
/// change" beside the CLI's figures, and no factor is listed as changed.
fn assert_figures_unchanged(s: &Session, m: &ModelImpact) {
    let dates = rows_shown(s, "#impact-dates tbody tr");
    assert_eq!(dates.len(), m.dates.len());
    for (d, (_, _, figs)) in m.dates.iter().zip(&dates) {
        let row = format!("date {}", d.date);
        check(s, &row, figs, "r2-before", d.r2_before, &value_text(d.r2_before, 6, 1.0));
        check(s, &row, figs, "r2-change", Some(0.0), "No change");
    }
    let portfolios = rows_shown(s, "#impact-portfolios tbody tr");
    for (p, (_, _, figs)) in m.portfolios.iter().zip(&portfolios) {
        check(s, &format!("portfolio {}", p.portfolio), figs, "change", Some(0.0), "No change");
    }
    if s.find("#impact-factors").ok().flatten().is_some() {
        s.fail("the factor table is shown after an identical re-stage");
    }
}
