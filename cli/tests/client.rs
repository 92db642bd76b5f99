//! The platform's official Python client against `riskdesk serve`: the seed notebook verbatim
//! with bayesline-apiclient 0.5.0 (the version it was written for) and adapted to the current
//! 0.24.2, each in the venv `scripts/test` prepares (RISKDESK_CLIENT_050_PYTHON,
//! RISKDESK_CLIENT_PYTHON). Every printed result must equal the engine's own answer for the
//! same files: the detail summary, the committed names, the factor groups, the menus and the
//! exposures frame, value for value, against `riskdesk exposures get`.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::Env;
use serde_json::{Value, json};

/// A `riskdesk serve` process on a free port, stopped (SIGTERM) when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(env: &Env) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_riskdesk"))
            .arg("--home")
            .arg(env.home())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let first = BufReader::new(child.stdout.take().unwrap()).lines().next().unwrap().unwrap();
        let url = first.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_owned();
        Served { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

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
/// dataset, and checks every result against the engine's answers.
fn notebook(python: &str, name: &str) -> Value {
    let env = Env::new();
    let days = env.demo("days", 400, 6, &[]);
    let reference = env.folder("reference");
    env.ok(&["demo", "reference", reference.to_str().unwrap(), "--assets", "400", "--days", "6"]);
    env.ok(&["reference", "import", "Bayesline-US-All-1y", reference.to_str().unwrap()]);
    let key = env.ok(&["keys", "create", "--user", "tester@example.com"]).lines().last().unwrap().to_owned();
    let served = Served::start(&env);
    let got = run(python, name, &[&served.url, &key, days.to_str().unwrap()]);

    // The engine's answers for the same files, in another home.
    let other = Env::new();
    other.ok(&["upload", "stage", "--dataset", "Same", days.to_str().unwrap()]);
    let detail = other.json(&["upload", "summary", "--dataset", "Same", "--staging", "--detail", "--format", "json"]);
    let n_assets: Vec<Value> = detail.as_array().unwrap().iter().map(|r| r["n_assets"].clone()).collect();
    assert_eq!(got["n_assets"], Value::Array(n_assets), "{got}");
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
    got
}

#[test]
#[ignore = "needs the official client's venv: run scripts/test"]
fn the_notebook_runs_verbatim_with_the_client_it_was_written_for() {
    let got = notebook(&python("RISKDESK_CLIENT_050_PYTHON"), "notebook_050.py");
    // 0.5.0 lists names; its frame keeps the engine's column names, as the notebook shows them.
    assert_eq!(got["dataset_names"], json!(["Bayesline-US-All-1y"]));
    assert_eq!(got["columns"].as_array().unwrap()[0..3], json!(["date", "bayesid", "market.market.Market"]).as_array().unwrap()[..]);
    assert_eq!(got["industries"][0], "industry.Academic & Educational Services");
}

#[test]
#[ignore = "needs the official client's venv: run scripts/test"]
fn the_adapted_notebook_runs_with_the_current_client() {
    let got = notebook(&python("RISKDESK_CLIENT_PYTHON"), "notebook_current.py");
    assert_eq!(got["dataset_names"], json!(["Bayesline-US-All-1y"]));
    assert_eq!(got["columns"].as_array().unwrap()[0..3], json!(["date", "bayesid", "market.Market"]).as_array().unwrap()[..]);
    assert_eq!(got["industries"][0], "Academic & Educational Services");
}
