//! The model impact of staged data (`riskdesk upload impact`): the dates a staged day feeds
//! fitted again without committing anything, compared with the stored model; an identical
//! re-stage changes nothing, and a single changed exposure changes the factor returns as the
//! regression's influence formula says (statsmodels' `OLSInfluence`, in the peers' venv).

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use common::*;
use serde_json::Value;

/// The day the tests re-stage, and the model date whose regression reads it.
const DAY: &str = "2025-05-05";
const NEXT: &str = "2025-05-06";

/// The demo risk dataset `R`, its model `M`; returns the folder of the committed daily files
/// and the reference's folder.
fn model(env: &Env) -> (std::path::PathBuf, std::path::PathBuf) {
    let reference = demo_risk_dataset(env, 600, 12);
    let model = env.file("settings", "model.json", r#"{"risk_dataset": "R"}"#);
    env.ok(&["riskmodels", "create", "M", "--settings", s(&model)]);
    (env.home().parent().unwrap().join("days"), reference)
}

/// Stages the committed file of `DAY`, changed by `edit`.
fn restage(env: &Env, days: &std::path::Path, edit: impl Fn(String) -> String) {
    let name = format!("exposures_{DAY}.csv");
    let text = std::fs::read_to_string(days.join(&name)).unwrap();
    let folder = env.folder("restaged");
    std::fs::write(folder.join(&name), edit(text)).unwrap();
    env.ok(&["upload", "stage", "--dataset", "E", s(&folder), "--replace"]);
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn an_identical_restage_changes_nothing_and_a_changed_one_names_its_driver() {
    let env = Env::new();
    let (days, reference) = model(&env);
    let assets = std::fs::read_to_string(reference.join("assets.csv")).unwrap();
    let held: String = assets.lines().skip(1).take(25).map(|l| format!("{},1\n", l.split(',').next().unwrap())).collect();
    env.ok(&["portfolios", "save", "Core", s(&env.file("portfolios", "core.csv", format!("bayesid,value\n{held}")))]);
    let before = env.ok(&["riskmodels", "fret", "M", "--format", "csv"]);

    restage(&env, &days, |t| t);
    let same = env.json(&["upload", "impact", "--dataset", "E", "--model", "M", "--format", "json"]);
    let dates = same["dates"].as_array().unwrap();
    assert_eq!(dates.len(), 1, "{same}");
    let d = &dates[0];
    assert_eq!((d["date"].as_str(), d["exposures_date"].as_str()), (Some(NEXT), Some(DAY)));
    assert_eq!(d["r2_before"], d["r2_after"]);
    assert_eq!(d["assets_before"], d["assets_after"]);
    for factor in d["factors"].as_array().unwrap() {
        assert_eq!(factor["fret_before"], factor["fret_after"], "{factor}");
        assert_eq!(factor["t_before"], factor["t_after"], "{factor}");
    }
    assert_eq!(d["drivers"], serde_json::json!([]));
    let p = &same["portfolios"][0];
    assert_eq!(p["portfolio"], "Core");
    assert_eq!(p["before"], p["after"], "{p}");
    let now = env.json(&["risk", "M", "--saved", "Core", "--format", "json"]);
    assert_eq!(p["before"], now["total_risk"], "the impact's before is the portfolio's risk now");
    assert!(env.ok(&["upload", "impact", "--dataset", "E", "--model", "M"]).contains("No change"));

    // One style exposure of one asset moved by +1.5: it drives the change.
    restage(&env, &days, |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        let at = lines.iter().position(|l| l.contains(",style,Momentum,")).unwrap();
        let mut fields: Vec<String> = lines[at].split(',').map(str::to_owned).collect();
        let v: f64 = fields[5].parse().unwrap();
        fields[5] = (v + 1.5).to_string();
        lines[at] = fields.join(",");
        lines.join("\n") + "\n"
    });
    let moved = env.json(&["upload", "impact", "--dataset", "E", "--model", "M", "--format", "json"]);
    let d = &moved["dates"][0];
    let changed = d["factors"].as_array().unwrap().iter().filter(|f| f["fret_before"] != f["fret_after"]).count();
    assert!(changed > 0, "{d}");
    let driver = &d["drivers"][0];
    assert_eq!(driver["factor"], "style.style.Momentum", "{driver}");
    assert!(f(&driver["after"]) > f(&driver["before"]), "{driver}");
    assert_ne!(moved["portfolios"][0]["before"], moved["portfolios"][0]["after"]);
    // Nothing was stored: the model's factor returns are as they were.
    assert_eq!(env.ok(&["riskmodels", "fret", "M", "--format", "csv"]), before);

    // A server answers the same.
    let key = env.ok(&["keys", "create", "--user", "quant@example.com"]).lines().last().unwrap().to_owned();
    let served = env.serve();
    let there = Env::new().json(&[
        "--endpoint",
        &served.url,
        "--api-key",
        &key,
        "upload",
        "impact",
        "--dataset",
        "E",
        "--model",
        "M",
        "--format",
        "json",
    ]);
    assert_eq!(there, moved);
    served.stop();

    // Committed, the risk dataset and the model updated: the model then holds what the impact
    // said it would (the factor returns exactly: the same regression; the portfolio's risk to
    // rounding: its specific sums are adjusted rather than summed again).
    env.ok(&["upload", "commit", "--dataset", "E", "--mode", "upsert"]);
    env.ok(&["riskdatasets", "update", "R"]);
    env.ok(&["riskmodels", "update", "M"]);
    let fret = env.json(&["riskmodels", "describe", "M", "--json"]);
    assert_eq!(fret["report"]["last_date"], moved["portfolios"][0]["date"], "{fret}");
    let table = env.ok(&["riskmodels", "fret", "M", "--format", "csv"]);
    let row = table.lines().find(|l| l.starts_with(NEXT)).unwrap();
    // The frame's columns are the model's factors in the impact's order, after the date.
    let values: Vec<&str> = row.split(',').skip(1).collect();
    let factors = d["factors"].as_array().unwrap();
    assert_eq!(values.len(), factors.len());
    for (factor, value) in factors.iter().zip(values) {
        assert_eq!(value.parse::<f64>().ok(), factor["fret_after"].as_f64(), "{factor}");
    }
    let now = f(&env.json(&["risk", "M", "--saved", "Core", "--format", "json"])["total_risk"]);
    let said = f(&moved["portfolios"][0]["after"]);
    assert!((now - said).abs() <= 1e-12 * now, "risk after the commit {now}, the impact said {said}");
}

#[test]
fn a_new_day_is_noted_and_a_model_on_other_data_is_refused() {
    let env = Env::new();
    let (days, _) = model(&env);
    // A day after the risk dataset's last: no model date reads it yet.
    let folder = env.folder("new");
    let text = std::fs::read_to_string(days.join("exposures_2025-05-12.csv")).unwrap();
    std::fs::write(folder.join("exposures_2025-05-13.csv"), text.replace("2025-05-12", "2025-05-13")).unwrap();
    env.ok(&["upload", "stage", "--dataset", "E", s(&folder)]);
    let impact = env.json(&["upload", "impact", "--dataset", "E", "--model", "M", "--format", "json"]);
    assert_eq!(impact["dates"], serde_json::json!([]));
    let notes = impact["notes"].to_string();
    assert!(notes.contains("2025-05-13 is not a date of risk dataset 'R' yet"), "{notes}");
    // Another dataset feeds no model.
    env.ok(&["upload", "stage", "--dataset", "Other", s(&folder)]);
    let e = env.fails(&["upload", "impact", "--dataset", "Other", "--model", "M"]);
    assert!(e.contains("risk model 'M' is estimated on risk dataset 'R', which is not built on exposure dataset 'Other'"), "{e}");
    let e = env.fails(&["upload", "impact", "--dataset", "E", "--model", "Nope"]);
    assert!(e.contains("Nope"), "{e}");
    // An industry the risk dataset does not know: named in the notes, left out, no failure.
    env.ok(&["upload", "wipe", "--dataset", "E"]);
    restage(&env, &days, |t| {
        let at = t.lines().find(|l| l.contains(",industry,")).unwrap().to_owned();
        let known = at.split(',').nth(4).unwrap().to_owned();
        t.replacen(&at, &at.replace(&format!(",industry,{known},"), ",industry,Space Mining,"), 1)
    });
    let impact = env.json(&["upload", "impact", "--dataset", "E", "--model", "M", "--format", "json"]);
    assert_eq!(impact["dates"].as_array().unwrap().len(), 1, "{impact}");
    let notes = impact["notes"].to_string();
    assert!(notes.contains("industry/Space Mining") && notes.contains("left out"), "{notes}");
}

#[test]
#[ignore = "needs the peers' venv (statsmodels): run scripts/test"]
fn a_changed_exposure_moves_the_factor_returns_as_the_influence_formula_says() {
    let env = Env::new();
    let (days, reference) = model(&env);
    // A model without categorical groups or standardization: the market factor and the style
    // group taken as raw "other" factors, returns unclipped, so the regression is plain WLS.
    let settings = env.file(
        "settings",
        "raw.json",
        r#"{"reference_dataset": "Ref", "exposures": [{"exposure_type": "uploaded", "exposure_source": "E",
            "market_factor_group": "market", "other_factor_group": "style"}]}"#,
    );
    env.ok(&["riskdatasets", "create", "O", "--settings", s(&settings)]);
    let model = env.file("settings", "raw-model.json", r#"{"risk_dataset": "O", "return_clip_bounds": [null, null]}"#);
    env.ok(&["riskmodels", "create", "MO", "--settings", s(&model)]);

    let dir = env.folder("peer");
    let out = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    env.ok(&["exposures", "get", "--dataset", "O", "--start", DAY, "--end", DAY, "--format", "csv", "--out", &out("exposures.csv")]);
    // The 7th asset's Value exposure moved by −0.8.
    let mut target = String::new();
    restage(&env, &days, |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        let at = lines.iter().enumerate().filter(|(_, l)| l.contains(",style,Value,")).nth(6).unwrap().0;
        let mut fields: Vec<String> = lines[at].split(',').map(str::to_owned).collect();
        fields[5] = (fields[5].parse::<f32>().unwrap() - 0.8).to_string();
        lines[at] = fields.join(",");
        lines.join("\n") + "\n"
    });
    let staged = std::fs::read_to_string(env.folder("restaged").join(format!("exposures_{DAY}.csv"))).unwrap();
    let original = std::fs::read_to_string(days.join(format!("exposures_{DAY}.csv"))).unwrap();
    for (a, b) in original.lines().zip(staged.lines()) {
        if a != b {
            target = b.to_owned();
        }
    }
    std::fs::write(dir.join("changed.csv"), format!("date,asset_id,asset_id_type,factor_group,factor,exposure\n{target}\n")).unwrap();
    let impact = env.ok(&["upload", "impact", "--dataset", "E", "--model", "MO", "--format", "json"]);
    std::fs::write(dir.join("impact.json"), impact).unwrap();
    for file in ["market_caps.csv", "returns.csv"] {
        std::fs::copy(reference.join(file), dir.join(file)).unwrap();
    }
    let d: Value = serde_json::from_str(&peer_python("influence.py", &[s(&dir), DAY, NEXT])).unwrap();
    println!("statsmodels' OLSInfluence against Riskdesk's model impact: {d}");
    assert!(f(&d["largest_change"]) > 1e-6, "the change is visible: {d}");
    assert!(f(&d["fret_before"]) <= 1e-12, "the stored fit is statsmodels' WLS: {d}");
    assert!(f(&d["change"]) <= 1e-12 * f(&d["largest_change"]).max(1e-3), "Δ factor returns differ: {d}");
}
