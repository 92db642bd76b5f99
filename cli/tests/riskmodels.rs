//! Risk models through the CLI: the estimate against an independent statsmodels / NumPy
//! computation in the peers' venv (`RISKDESK_PEER_PYTHON`, prepared by `scripts/test`), the
//! demo's true factor returns recovered, and bad settings, missing inputs and dates outside the
//! model refused by name with nothing stored.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

const ASSETS: &str = "600";
const DAYS: &str = "12";

/// The demo risk dataset `R` of the peers' checks (see [`demo_risk_dataset`]).
fn dataset(env: &Env) -> PathBuf {
    demo_risk_dataset(env, ASSETS.parse().unwrap(), DAYS.parse().unwrap())
}

/// Creates the model `name` from `settings` (JSON) and writes every input and frame the peer
/// reads into a folder; returns it.
fn model_for_peer(env: &Env, reference: &Path, name: &str, settings: &str) -> PathBuf {
    let file = env.file("settings", &format!("{name}.json"), settings);
    let created = env.json(&["riskmodels", "create", name, "--settings", s(&file), "--json"]);
    let last = created["report"]["last_date"].as_str().unwrap().to_owned();
    let dir = env.folder(&format!("peer-{name}"));
    std::fs::copy(&file, dir.join("settings.json")).unwrap();
    for f in ["returns.csv", "market_caps.csv"] {
        std::fs::copy(reference.join(f), dir.join(f)).unwrap();
    }
    let out = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    env.ok(&[
        "exposures",
        "get",
        "--dataset",
        "R",
        "--industry",
        "all",
        "--region",
        "all",
        "--format",
        "csv",
        "--out",
        &out("exposures.csv"),
    ]);
    for (command, f) in [("fret", "fret"), ("t-stats", "t_stats"), ("p-values", "p_values"), ("r2", "r2"), ("sigma2", "sigma2")] {
        env.ok(&["riskmodels", command, name, "--format", "csv", "--out", &out(&format!("{f}.csv"))]);
    }
    env.ok(&["riskmodels", "covariance", name, "--date", &last, "--format", "csv", "--out", &out("covariance.csv")]);
    env.ok(&["riskmodels", "specific-risk", name, "--date", &last, "--format", "csv", "--out", &out("specific_risk.csv")]);
    dir
}

/// Runs the peer over a folder written by [`model_for_peer`]; returns its differences.
fn peer(dir: &Path) -> Value {
    serde_json::from_str(&peer_python("risk_model.py", &[s(dir)])).unwrap()
}

fn assert_agrees(d: &Value, what: &str) {
    println!("statsmodels and NumPy against Riskdesk, {what}: {d}");
    let dates: usize = DAYS.parse().unwrap();
    assert_eq!(d["dates"], (dates - 1) as u64, "{what}: every model date compared: {d}");
    // Factor returns, t-stats and p-values (factor returns only with thin members shrunk).
    assert!(d["values"].as_u64().unwrap() > 800, "{what}: {d}");
    for (key, bound) in [
        ("fret", 1e-9),
        ("t", 1e-6),
        ("p", 1e-9),
        ("r2", 1e-9),
        ("sigma2", 1e-9),
        ("constraint", 1e-10),
        ("covariance", 1e-12),
        ("specific_var", 1e-12),
    ] {
        let v = d[key].as_f64().unwrap();
        assert!(v <= bound, "{what}: {key} differs by {v} (bound {bound}): {d}");
    }
    assert_eq!(d["covariance_nan_mismatch"], 0, "{what}: {d}");
    assert!(d["covariance_asymmetry"].as_f64().unwrap() == 0.0, "{what}: the covariance is symmetric: {d}");
    assert!(d["covariance_min_eigenvalue"].as_f64().unwrap() > -1e-12, "{what}: the covariance is positive semi-definite: {d}");
    assert_eq!(d["specific_rows_mismatched"], 0, "{what}: {d}");
    assert!(d["specific_rows"].as_u64().unwrap() > 500, "{what}: {d}");
}

#[test]
#[ignore = "needs the peers' venv (statsmodels, NumPy, polars): run scripts/test"]
fn the_model_equals_statsmodels_and_numpy() {
    let env = Env::new();
    let reference = dataset(&env);
    // The defaults: √cap weights, cap-weighted constraints, returns clipped to ±10%.
    let d = peer(&model_for_peer(&env, &reference, "Default", r#"{"risk_dataset": "R"}"#));
    assert_agrees(&d, "defaults");
    // Equal weights, equal-weighted constraints, no clipping, short half-lives and Newey–West lags.
    let other = r#"{"risk_dataset": "R", "weights": "Equal", "return_clip_bounds": [null, null],
        "zero_sum_constraints": {"industry": "equal_weights", "region": "equal_weights"},
        "halflife_factor_vol": 3, "halflife_factor_cor": 5, "halflife_idio_vol": 4, "nw_lags": 2}"#;
    let d = peer(&model_for_peer(&env, &reference, "Other", other));
    assert_agrees(&d, "other settings");
    // Thin regions shrunk toward 0: the factor returns equal a regression with a pseudo-observation
    // per thin member (the statistics are the model's own there, not compared).
    let d = peer(&model_for_peer(&env, &reference, "Thin", r#"{"risk_dataset": "R", "thin_category_shrinkage": {"region": 10}}"#));
    assert!(d["shrunk_members"].as_u64().unwrap_or(0) > 50, "thin regions shrunk: {d}");
    assert_agrees(&d, "thin members shrunk");
}

/// A frame as CSV: its header and rows of cells.
fn frame(env: &Env, args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = env.ok(&[args, &["--format", "csv"]].concat());
    let mut lines = text.lines().map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>());
    (lines.next().unwrap(), lines.collect())
}

#[test]
fn the_demo_model_recovers_the_true_style_returns() {
    let env = Env::new();
    let days = env.demo("days", 3000, 21, &[]);
    env.ok(&["upload", "stage", "--dataset", "E", s(&days)]);
    env.ok(&["upload", "commit", "--dataset", "E", "--mode", "append"]);
    let reference = env.folder("reference");
    env.ok(&["demo", "reference", s(&reference), "--assets", "3000", "--days", "21"]);
    env.ok(&["reference", "import", "Demo", s(&reference)]);
    env.ok(&["riskdatasets", "create", "R", "--settings", s(&demo_dataset_settings(&env, "Demo"))]);
    let model = env.file("settings", "model.json", r#"{"risk_dataset": "R"}"#);
    env.ok(&["riskmodels", "create", "M", "--settings", s(&model)]);

    let (header, fret) = frame(&env, &["riskmodels", "fret", "M"]);
    let (_, se) = frame(&env, &["riskmodels", "std-errors", "M"]);
    let truth = std::fs::read_to_string(reference.join(riskdesk::reference::demo::FACTOR_RETURNS_FILE)).unwrap();
    let mut lines = truth.lines().map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>());
    let truth_header = lines.next().unwrap();
    let truth: Vec<Vec<String>> = lines.collect();
    assert_eq!(fret.len(), truth.len(), "a factor return per demo day after the first");
    // Styles: the demo draws them centred and scaled as the model standardizes them, so each
    // estimate lies within a few standard errors of the truth.
    let (mut within, mut total) = (0, 0);
    for col in (1..header.len()).filter(|&c| header[c].starts_with("style.")) {
        let t = truth_header.iter().position(|h| *h == header[col]).unwrap();
        for (row, truth_row) in fret.iter().zip(&truth) {
            assert_eq!(row[0], truth_row[0]);
            let estimate: f64 = row[col].parse().unwrap();
            let error: f64 = se[fret.iter().position(|r| r[0] == row[0]).unwrap()][col].parse().unwrap();
            let true_value: f64 = truth_row[t].parse().unwrap();
            total += 1;
            within += usize::from((estimate - true_value).abs() <= 3.0 * error);
        }
    }
    assert_eq!(total, 7 * 20);
    assert!(within as f64 >= 0.95 * total as f64, "{within} of {total} style returns within 3 standard errors of the truth");
    // About a third of the returns' variance is explained.
    let (_, r2) = frame(&env, &["riskmodels", "r2", "M"]);
    let mean = r2.iter().map(|r| r[1].parse::<f64>().unwrap()).sum::<f64>() / r2.len() as f64;
    assert!((0.2..0.5).contains(&mean), "mean R² {mean}");
}

#[test]
fn bad_settings_missing_inputs_and_dates_outside_are_refused_by_name() {
    let env = Env::new();
    let reference = dataset(&env);
    let bad = |json: &str| {
        let f = env.file("settings", "bad.json", json);
        env.fails(&["riskmodels", "create", "M", "--settings", s(&f)])
    };
    assert!(bad(r#"{"risk_dataset": "R", "halflife": 3}"#).contains("unknown field `halflife`"));
    assert!(bad(r#"{"risk_dataset": "R", "halflife_idio_vol": -1}"#).contains("halflife_idio_vol: -1"));
    assert!(bad(r#"{"risk_dataset": "R", "zero_sum_constraints": {"sector": "none"}}"#).contains("zero_sum_constraints: 'sector'"));
    assert!(bad(r#"{"risk_dataset": "Nope"}"#).contains("risk dataset 'Nope' does not exist"));
    // No constraint on industries beside the market: collinear, on the first date.
    let e = bad(r#"{"risk_dataset": "R", "zero_sum_constraints": {"industry": "none", "region": "none"}}"#);
    assert!(e.contains("cannot be solved") && e.contains("collinear"), "{e}");
    // A reference without returns.
    std::fs::remove_file(reference.join("returns.csv")).unwrap();
    env.ok(&["reference", "import", "NoReturns", s(&reference)]);
    let settings = env.file(
        "settings",
        "no_returns.json",
        r#"{"reference_dataset": "NoReturns", "exposures": [{"exposure_type": "uploaded", "exposure_source": "E",
            "market_factor_group": "market", "style_factor_group": "style", "industry_factor_group": "industry"}]}"#,
    );
    env.ok(&["riskdatasets", "create", "R2", "--settings", s(&settings)]);
    let e = bad(r#"{"risk_dataset": "R2"}"#);
    assert!(e.contains("risk dataset 'R2' has no returns") && e.contains("returns.csv"), "{e}");
    assert_eq!(env.ok(&["riskmodels", "list"]).trim(), "No risk models yet.", "nothing stored");

    let good = env.file("settings", "good.json", r#"{"risk_dataset": "R"}"#);
    env.ok(&["riskmodels", "create", "M", "--settings", s(&good)]);
    let e = env.fails(&["riskmodels", "covariance", "M", "--date", "2025-05-01"]);
    assert!(e.contains("2025-05-01 is not a date of risk model 'M' (its dates run from 2025-05-02 to 2025-05-12)"), "{e}");
    let e = env.fails(&["riskmodels", "specific-risk", "M", "--date", "2025-06-31"]);
    assert!(e.contains("'2025-06-31' is not a valid date"), "{e}");
    assert!(env.fails(&["riskmodels", "create", "M", "--settings", s(&good)]).contains("already exists"));
    // Rebuilding the risk dataset makes the model stale; update re-estimates it.
    env.ok(&["riskdatasets", "create", "R", "--settings", s(&demo_dataset_settings(&env, "Ref")), "--replace"]);
    let listed = env.json(&["riskmodels", "list", "--json"]);
    assert_eq!(listed[0]["status"], "stale", "{listed}");
    let updated = env.json(&["riskmodels", "update", "M", "--json"]);
    assert_eq!(updated["status"], "ready");
    assert!(env.ok(&["riskmodels", "delete", "M"]).contains("Deleted risk model M."));
    env.ok(&["riskmodels", "delete", "M", "--if-exists"]);
}

#[test]
#[ignore = "needs the peers' venv (toraniko): run scripts/test"]
fn toraniko_agrees_on_a_market_sector_style_model() {
    // Styles orthogonal to the sectors under the √cap weights: toraniko's two stages then equal
    // one joint regression (see the data script).
    let env = Env::new();
    let dir = env.folder("toraniko");
    peer_python("toraniko_data.py", &[s(&dir)]);
    env.ok(&["upload", "stage", "--dataset", "E", s(&dir.join("days"))]);
    env.ok(&["upload", "commit", "--dataset", "E", "--mode", "append"]);
    env.ok(&["reference", "import", "Ref", s(&dir.join("reference"))]);
    let settings = env.file(
        "settings",
        "dataset.json",
        r#"{"reference_dataset": "Ref", "exposures": [{"exposure_type": "uploaded", "exposure_source": "E",
            "market_factor_group": "market", "style_factor_group": "style", "industry_factor_group": "industry",
            "style_factor_huberize": false}]}"#,
    );
    env.ok(&["riskdatasets", "create", "R", "--settings", s(&settings)]);
    let model = env.file(
        "settings",
        "model.json",
        r#"{"risk_dataset": "R", "return_clip_bounds": [null, null], "zero_sum_constraints": {"industry": "equal_weights"}}"#,
    );
    env.ok(&["riskmodels", "create", "M", "--settings", s(&model)]);
    let out = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    env.ok(&["exposures", "get", "--dataset", "R", "--industry", "all", "--format", "csv", "--out", &out("exposures.csv")]);
    env.ok(&["riskmodels", "fret", "M", "--format", "csv", "--out", &out("fret.csv")]);
    for f in ["returns.csv", "market_caps.csv"] {
        std::fs::copy(dir.join("reference").join(f), dir.join(f)).unwrap();
    }
    let d: Value = serde_json::from_str(&peer_python("toraniko_model.py", &[s(&dir)])).unwrap();
    assert_eq!(d["values"], 5 * (1 + 4 + 2), "every factor of every model date compared: {d}");
    println!("toraniko against Riskdesk: {d}");
    assert!(d["fret"].as_f64().unwrap() <= 1e-8, "toraniko differs by {d}");
}

#[test]
fn an_update_after_new_days_reuses_the_old_dates_and_equals_a_fresh_estimate() {
    let env = Env::new();
    let days = env.demo("days", 600, 12, &[]);
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&days).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let stage = |files: &[std::path::PathBuf]| {
        let mut args = vec!["upload", "stage", "--dataset", "E"];
        args.extend(files.iter().map(|f| s(f)));
        env.ok(&args);
        env.ok(&["upload", "commit", "--dataset", "E", "--mode", "append"]);
    };
    stage(&files[..8]);
    env.ok(&["reference", "demo", "--assets", "600", "--days", "12"]);
    env.ok(&["riskdatasets", "create", "R", "--settings", s(&demo_dataset_settings(&env, "Demo-Global"))]);
    let model = env.file("settings", "model.json", r#"{"risk_dataset": "R"}"#);
    let first = env.json(&["riskmodels", "create", "M", "--settings", s(&model), "--json"]);
    assert_eq!(first["report"]["dates"], 7);
    let fret_before = env.ok(&["riskmodels", "fret", "M", "--format", "csv"]);

    // Four more days, committed and built: the model is stale; its update keeps the seven dates.
    stage(&files[8..]);
    env.ok(&["riskdatasets", "update", "R"]);
    assert_eq!(env.json(&["riskmodels", "describe", "M", "--json"])["status"], "stale");
    let updated = env.json(&["riskmodels", "update", "M", "--json"]);
    assert_eq!(updated["status"], "ready");
    assert_eq!(updated["report"]["dates"], 11);
    assert_eq!(updated["report"]["reused_dates"], 7, "{}", updated["report"]);
    let fret_after = env.ok(&["riskmodels", "fret", "M", "--format", "csv"]);
    assert!(fret_after.starts_with(&fret_before), "the seven dates kept as they were");

    // A fresh estimate of the updated dataset gives the same model, frame for frame.
    let fresh = env.json(&["riskmodels", "create", "Fresh", "--settings", s(&model), "--json"]);
    assert_eq!(fresh["report"]["reused_dates"], 0);
    for frame in ["fret", "t-stats", "p-values", "std-errors", "r2", "sigma2"] {
        assert_eq!(
            env.ok(&["riskmodels", frame, "M", "--format", "csv"]),
            env.ok(&["riskmodels", frame, "Fresh", "--format", "csv"]),
            "{frame}"
        );
    }
    for forecast in ["covariance", "specific-risk"] {
        let of = |m: &str| env.ok(&["riskmodels", forecast, m, "--date", "2025-05-12", "--format", "csv"]);
        assert_eq!(of("M"), of("Fresh"), "{forecast}");
    }
    // A replaced reference changes every date: nothing is reused.
    env.ok(&["reference", "demo", "--assets", "600", "--days", "12"]);
    env.ok(&["riskdatasets", "update", "R"]);
    let again = env.json(&["riskmodels", "update", "M", "--json"]);
    assert_eq!(again["report"]["reused_dates"], 0, "{}", again["report"]);
}
