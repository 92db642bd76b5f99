//! The platform's official Python client against `riskdesk serve`: the seed notebook verbatim
//! with bayesline-apiclient 0.5.0 (the version it was written for) and adapted to the current
//! 0.24.2, each in the venv `scripts/test` prepares (RISKDESK_CLIENT_050_PYTHON,
//! RISKDESK_CLIENT_PYTHON). Every printed result must equal the engine's own answer for the
//! same files: the detail summary, the committed names, the factor groups, the menus and the
//! exposures frame, value for value, against `riskdesk exposures get`.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Env, Served};
use serde_json::{Value, json};

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/client").join(name)
}

/// Runs a client script; returns its last printed line as JSON.
fn run(python: &str, name: &str, args: &[&str]) -> Value {
    let out = Command::new(python).arg(script(name)).args(args).output().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{name} failed:\n{printed}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(printed.lines().last().unwrap()).unwrap_or_else(|e| panic!("{name}: {e}\n{printed}"))
}

fn python(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| panic!("{var} names a client venv's python (scripts/test sets it)"))
}

/// Runs a notebook script against a fresh server over a home holding the notebook's reference
/// dataset, and checks every result against the engine's answers; returns the home, the
/// server and the script's results.
fn notebook(python: &str, name: &str) -> (Env, Served, Value) {
    let env = Env::new();
    let days = env.demo("days", 400, 6, &[]);
    let reference = env.folder("reference");
    env.ok(&["demo", "reference", reference.to_str().unwrap(), "--assets", "400", "--days", "6"]);
    env.ok(&["reference", "import", "Bayesline-US-All-1y", reference.to_str().unwrap()]);
    // Admin: the notebooks delete what they made.
    let key = env.ok(&["keys", "create", "--user", "tester@example.com", "--scope", "admin"]).lines().last().unwrap().to_owned();
    let served = env.serve();
    let got = run(python, name, &[&served.url, &key, days.to_str().unwrap()]);

    // The engine's answers for the same files, in another home.
    let other = Env::new();
    other.ok(&["upload", "stage", "--dataset", "Same", days.to_str().unwrap()]);
    let detail = other.json(&["upload", "summary", "--dataset", "Same", "--staging", "--detail", "--format", "json"]);
    let n_assets: Vec<Value> = detail.as_array().unwrap().iter().map(|r| r["n_assets"].clone()).collect();
    assert_eq!(got["n_assets"], Value::Array(n_assets), "{got}");
    // Every figure of the detail summary, to the last bit of its Float32.
    let rows = got["summary"].as_array().unwrap();
    assert_eq!(rows.len(), detail.as_array().unwrap().len());
    for (row, cli) in rows.iter().zip(detail.as_array().unwrap()) {
        assert_eq!(
            (&row[0], &row[1], &row[2]),
            (&json!(format!("exposures_{}", cli["date"].as_str().unwrap())), &cli["date"], &cli["n_assets"])
        );
        let stats = ["min_exposure", "max_exposure", "mean_exposure", "median_exposure", "std_exposure"];
        for (i, stat) in stats.iter().enumerate() {
            let (ours, theirs) = (row[3 + i].as_f64().unwrap() as f32, cli[*stat].as_f64().unwrap() as f32);
            assert_eq!(ours.to_bits(), theirs.to_bits(), "{stat} on {}: {ours} vs {theirs}", cli["date"]);
        }
    }
    assert_eq!(got["version"], 1);
    let names: Vec<String> = (1..=6).map(|d| format!("exposures_2025-05-0{d}")).collect();
    assert_eq!(got["committed"], json!(names));
    assert_eq!(got["factor_groups"], json!(["industry", "market", "region", "style"]));
    assert_eq!(got["id_types"], json!(["bayesid", "ticker", "isin"]));

    // The exposures frame, value for value, against the CLI's for the same risk dataset.
    let cli = env.folder("cli").join("exposures.parquet");
    env.ok(&["exposures", "get", "-d", "My-Risk-Dataset", "--format", "parquet", "--out", cli.to_str().unwrap()]);
    let same = run(python, "same_frame.py", &[got["frame"].as_str().unwrap(), cli.to_str().unwrap()]);
    assert_eq!(same["equal"], true, "{same}");
    assert!(got["rows"].as_u64().unwrap() > 2000, "{got}");
    println!("{name}: the notebook ran in {} s against the server", got["seconds"]);
    (env, served, got)
}

#[test]
#[ignore = "needs the official client's venv: run scripts/test"]
fn the_notebook_runs_verbatim_with_the_client_it_was_written_for() {
    let (_, _, got) = notebook(&python("RISKDESK_CLIENT_050_PYTHON"), "notebook_050.py");
    // 0.5.0 lists names; its frame keeps the engine's column names, as the notebook shows them.
    assert_eq!(got["dataset_names"], json!(["Bayesline-US-All-1y"]));
    assert_eq!(got["columns"].as_array().unwrap()[0..3], json!(["date", "bayesid", "market.market.Market"]).as_array().unwrap()[..]);
    assert_eq!(got["industries"][0], "industry.Academic & Educational Services");
}

#[test]
#[ignore = "needs the official client's venv: run scripts/test"]
fn the_adapted_notebook_runs_with_the_current_client() {
    let python = python("RISKDESK_CLIENT_PYTHON");
    let (env, served, got) = notebook(&python, "notebook_current.py");
    assert_eq!(got["dataset_names"], json!(["Bayesline-US-All-1y"]));
    assert_eq!(got["columns"].as_array().unwrap()[0..3], json!(["date", "bayesid", "market.Market"]).as_array().unwrap()[..]);
    assert_eq!(got["industries"][0], "Academic & Educational Services");
    beyond_the_notebook(&python, &env, &served);
}

/// The calls of the reference's section 7, after the notebook, on the same server.
fn beyond_the_notebook(python: &str, env: &Env, served: &Served) {
    // A seventh day; a file with a bad value; a later day with a tenth of the rows.
    let seven = env.demo("seven", 400, 7, &[]);
    let day = std::fs::read_to_string(seven.join("exposures_2025-05-07.csv")).unwrap();
    let files = env.folder("more");
    let new_day = files.join("exposures_2025-05-07.csv");
    std::fs::write(&new_day, &day).unwrap();
    let mut lines: Vec<String> = day.lines().map(|l| l.replacen("2025-05-07", "2025-05-08", 1)).collect();
    let short: String = lines[..lines.len() / 10].iter().map(|l| l.replacen("2025-05-08", "2025-05-09", 1) + "\n").collect();
    lines[2] = format!("{},abc", lines[2].rsplit_once(',').unwrap().0);
    let bad = files.join("bad").join("exposures_2025-05-08.csv");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let short_day = files.join("short").join("exposures_2025-05-09.csv");
    std::fs::create_dir_all(short_day.parent().unwrap()).unwrap();
    std::fs::write(&short_day, short).unwrap();

    // The CLI's answers: the committed detail summary, and its message for the bad file.
    let detail = env.json(&["upload", "summary", "--dataset", "My-Exposures", "--detail", "--format", "json"]);
    let n_assets: Vec<Value> = detail.as_array().unwrap().iter().map(|r| r["n_assets"].clone()).collect();
    let refused = Env::new().run(&["upload", "stage", "--dataset", "Other", bad.to_str().unwrap()]);
    let cli_message = common::stderr(&refused) + &common::stdout(&refused);
    assert!(cli_message.contains("line 3, column 6 (exposure)"), "{cli_message}");

    let paths = [new_day.to_str().unwrap(), bad.to_str().unwrap(), short_day.to_str().unwrap()];
    let got = run(
        python,
        "beyond_notebook.py",
        &[
            &served.url,
            env.ok(&["keys", "create", "--user", "b@example.com", "--scope", "admin"]).lines().last().unwrap(),
            paths[0],
            paths[1],
            paths[2],
        ],
    );
    assert_eq!(got["versions"], json!([0, 1]), "{got}");
    assert_eq!(got["summary"][0], 1);
    assert_eq!(got["summary"][2], 6);
    assert_eq!(got["summary_at_commit_time"], 1);
    assert_eq!(got["detail_n_assets"], Value::Array(n_assets));
    assert_eq!(got["commit_modes"], json!(["append", "overwrite", "overwrite_dates", "upsert"]));
    assert_eq!((&got["filtered_equal"], &got["or_groups"]), (&json!(true), &json!(["market", "region"])));
    assert!(got["filtered_rows"].as_u64().unwrap() > 1000);
    assert_eq!(got["staged"], json!([true, ["exposures_2025-05-07"]]));
    assert_eq!(got["bad_upload"][0], false);
    let message = got["bad_upload"][1].as_str().unwrap();
    assert!(message.contains("exposures_2025-05-08.csv: line 3, column 6 (exposure)") && message.contains("'abc'"), "{message}");
    assert!(cli_message.contains(message.split(": ").last().unwrap()), "{cli_message} vs {message}");
    assert_eq!(got["staging_summary"][0][0], "exposures_2025-05-07");
    assert_eq!(got["staging_rows"][0], json!(["_name", "asset_id", "exposure"]));
    assert_eq!(got["validation_clean"], json!({}));
    let flagged: Vec<&Value> = got["validation"].as_object().unwrap().values().collect();
    assert!(!flagged.is_empty() && flagged.iter().all(|f| f[1].as_array().unwrap().iter().all(|n| n == "exposures_2025-05-09")), "{got}");
    assert_eq!(got["wiped"], json!(["exposures_2025-05-07", "exposures_2025-05-09"]));
    assert_eq!(got["staging_after_wipe"], json!([]));
    assert_eq!(got["listed"], json!([["Bayesline-US-All-1y", "System"], ["My-Risk-Dataset", "User"]]));
    assert_eq!((&got["status_after_commit"], &got["status_after_update"]), (&json!("data_stale"), &json!("ready")));
    assert_eq!(got["dates"].as_array().unwrap().len(), 7);
    assert_eq!((&got["after_delete"], &got["after_destroy"]), (&json!(["Bayesline-US-All-1y"]), &json!([])));
}

/// The risk model calls of the current client (`bln.equity.riskmodels.load(...).get_model()`):
/// every frame equal to what the CLI computes for the same settings, the stored model reused,
/// re-estimated once its risk dataset was rebuilt, and what Riskdesk lacks refused by name.
#[test]
#[ignore = "needs the official client's venv: run scripts/test"]
fn the_current_client_reads_risk_models() {
    let python = python("RISKDESK_CLIENT_PYTHON");
    let env = Env::new();
    let s = |p: &Path| p.to_str().unwrap().to_owned();
    // The demo with some returns and market caps taken out, so that the estimation universe is
    // smaller than the dataset's and some assets have no next return.
    let reference = common::demo_risk_dataset(&env, 300, 10);

    // The CLI's models for the script's two cases, and their frames.
    let cases = [
        ("default", r#"{"risk_dataset": "R", "return_clip_bounds": [-0.05, 0.08], "thin_category_shrinkage": {"industry": 3}}"#, false),
        (
            "full",
            r#"{"risk_dataset": "R", "zero_sum_constraints": {"industry": "equal_weights", "region": "mcap_weighted"},
                "return_clip_bounds": [null, 0.07]}"#,
            true,
        ),
    ];
    let cli = env.folder("cli");
    let out = |f: String| s(&cli.join(f));
    for (case, settings, categories) in cases {
        let file = env.file("settings", &format!("{case}.json"), settings);
        env.ok(&["riskmodels", "create", &format!("cli-{case}"), "--settings", &s(&file)]);
        for (command, f) in [("fret", "fret"), ("t-stats", "t_stats"), ("p-values", "p_values")] {
            env.ok(&["riskmodels", command, &format!("cli-{case}"), "--format", "csv", "--out", &out(format!("{case}_{f}.csv"))]);
        }
        let mut args = vec!["exposures", "get", "-d", "R", "--format", "parquet"];
        if categories {
            args.extend(["--industry", "all", "--region", "all"]);
        }
        let path = out(format!("{case}_exposures.parquet"));
        args.extend(["--out", &path]);
        env.ok(&args);
    }

    let key = env.ok(&["keys", "create", "--user", "tester@example.com"]).lines().last().unwrap().to_owned();
    let served = env.serve();
    let args = [served.url.as_str(), &key, "R", &s(&cli), &s(&reference)];
    let got = run(&python, "riskmodels_current.py", &args);

    for case in ["default", "full"] {
        let c = &got["cases"][case];
        for frame in ["fret", "t_stats", "p_values"] {
            let f = &c[frame];
            assert_eq!((&f["columns"], &f["dates"], &f["null_mismatch"]), (&json!(true), &json!(true), &json!(0)), "{case} {frame}: {f}");
            assert_eq!(f["dtypes"], json!(["Float64"]), "{case} {frame}: {f}");
            assert!(f["values"].as_u64().unwrap() >= 9 * 60, "{case} {frame}: {f}");
            assert!(f["max_diff"].as_f64().unwrap() <= 1e-12, "{case} {frame} differs from the CLI's: {f}");
        }
        assert_eq!(c["dates"].as_array().unwrap().len(), 9, "{c}");
        assert_eq!(c["exposures"]["equal"], true, "{case}: {c}");
        println!(
            "{case}: estimated and read in {:.2} s, read again in {:.2} s; largest differences from the CLI: fret {}, t-stats {}, p-values {}",
            c["seconds_to_estimate"].as_f64().unwrap(),
            c["seconds_again"].as_f64().unwrap(),
            c["fret"]["max_diff"],
            c["t_stats"]["max_diff"],
            c["p_values"]["max_diff"]
        );
    }
    // The default exposures are the continuous groups (the exposure report's convention); the
    // model itself has every factor, as the full case's frame shows.
    assert_eq!(got["cases"]["default"]["exposures"]["columns"], 10);
    assert_eq!(got["cases"]["full"]["factors"]["market"], 1);
    assert_eq!(got["cases"]["full"]["factors"]["style"], 7);
    assert_eq!(got["universe"]["equal"], true, "{got}");
    assert_eq!(got["universe"]["pairs"], 3000);
    let caps = &got["market_caps"];
    assert_eq!((&caps["dates"], &caps["columns"]), (&json!(true), &json!(true)), "{caps}");
    assert!(caps["values"].as_u64().unwrap() > 500 && caps["max_relative_diff"].as_f64().unwrap() <= 1e-12, "{caps}");
    println!("market caps: {} values, largest difference {} of the total cap", caps["values"], caps["max_relative_diff"]);
    let future = &got["future_returns"];
    assert_eq!(
        (&future["dates"], &future["same_cells"], &future["last_date_empty"]),
        (&json!(true), &json!(true), &json!(true)),
        "{future}"
    );
    assert!(future["values"].as_u64().unwrap() > 2500 && future["max_diff"].as_f64().unwrap() == 0.0, "{future}");

    // Two models stored beside the CLI's, under names derived from the settings, with the CLI's settings.
    let listed = got["listed"].as_array().unwrap();
    assert_eq!(listed.len(), 4, "{got}");
    assert!(listed.iter().all(|m| m[1] == "R" && m[2] == "valid" && m[3] == "ready"), "{got}");
    assert_eq!((&got["listed_for_dataset"], &got["listed_after_refusals"]), (&json!(4), &json!(4)));
    let models = env.json(&["riskmodels", "list", "--json"]);
    let settings_of = |name: &str| models.as_array().unwrap().iter().find(|m| m["name"] == name).unwrap()["settings"].clone();
    let client_models: Vec<&Value> =
        models.as_array().unwrap().iter().filter(|m| m["name"].as_str().unwrap().starts_with("client-")).collect();
    for case in ["default", "full"] {
        let wanted = settings_of(&format!("cli-{case}"));
        assert!(client_models.iter().any(|m| m["settings"] == wanted), "no client model with the settings of cli-{case}: {models}");
    }

    let refused = &got["refused"];
    for (case, words) in [
        ("cap", "weights \"Cap\" is not served"),
        ("inv_idio_var", "weights \"InvIdioVar\" is not served"),
        ("known_factor_map", "known_factor_map is not served"),
        ("estimation_universe", "estimation_universe is not served"),
        ("currency", "currency \"EUR\" is not served"),
        ("group", "zero_sum_constraints: 'sector' is not a categorical factor group"),
        ("partial_exposures", "the exposures leave out market.market.Market"),
    ] {
        let message = refused[case].as_str().unwrap_or_else(|| panic!("{case} was not refused: {refused}"));
        assert!(message.contains("'type': 'ValueError'") && message.contains(words), "{case}: {message}");
    }

    // Rebuilt, the risk dataset leaves the model stale: loading it again re-estimates it, to the same numbers.
    let before: Vec<Value> = client_models.iter().map(|m| m["created"].clone()).collect();
    env.ok(&["riskdatasets", "create", "R", "--settings", &s(&common::demo_dataset_settings(&env, "Ref")), "--replace"]);
    let again = run(&python, "riskmodels_current.py", &[args.as_slice(), &["again"]].concat());
    let f = &again["fret"];
    assert_eq!((&f["columns"], &f["dates"], &f["null_mismatch"]), (&json!(true), &json!(true), &json!(0)), "{again}");
    assert!(f["max_diff"].as_f64().unwrap() <= 1e-12, "{again}");
    let after = env.json(&["riskmodels", "list", "--json"]);
    let default_name = client_models.iter().find(|m| m["settings"] == settings_of("cli-default")).unwrap()["name"].clone();
    let now = after.as_array().unwrap().iter().find(|m| m["name"] == default_name).unwrap();
    assert_eq!(now["status"], "ready", "{now}");
    assert!(!before.contains(&now["created"]), "re-estimated: {now}");
}
