//! The platform's official Python client (bayesline-apiclient 0.24.2, in the venv that
//! `scripts/test` prepares and names in RISKDESK_CLIENT_PYTHON) runs the seed notebook's
//! uploader steps against `riskdesk serve`; what it prints must equal the engine's own answers.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::Env;
use serde_json::Value;

/// A `riskdesk serve` process on a free port, killed when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

#[test]
#[ignore = "needs the official client's venv: run scripts/test"]
fn the_official_client_runs_the_notebooks_uploader_steps() {
    let python =
        std::env::var("RISKDESK_CLIENT_PYTHON").expect("RISKDESK_CLIENT_PYTHON names the client venv's python (scripts/test sets it)");
    let env = Env::new();
    let days = env.demo("days", 400, 6, &[]);
    let key = env.ok(&["keys", "create", "--user", "tester@example.com"]).lines().last().unwrap().to_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_riskdesk"))
        .arg("--home")
        .arg(env.home())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let first = BufReader::new(child.stdout.take().unwrap()).lines().next().unwrap().unwrap();
    let _served = Served(child);
    let url = first.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_owned();

    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/client/notebook_uploader.py");
    let out = Command::new(&python).arg(script).args([url.as_str(), key.as_str()]).arg(&days).output().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the client failed:\n{printed}\n{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_str(printed.lines().last().unwrap()).unwrap();

    // The engine's own answers for the same files, staged and committed in another home.
    let other = Env::new();
    other.ok(&["upload", "stage", "--dataset", "Same", days.to_str().unwrap()]);
    let detail = other.json(&["upload", "summary", "--dataset", "Same", "--staging", "--detail", "--format", "json"]);
    let n_assets: Vec<Value> = detail.as_array().unwrap().iter().map(|r| r["n_assets"].clone()).collect();
    assert_eq!(got["n_assets"], Value::Array(n_assets), "{got}");
    assert_eq!(got["summary_columns"][0], "_name");
    assert_eq!(
        got["summary_dtypes"],
        serde_json::json!(["String", "Date", "UInt32", "Float32", "Float32", "Float32", "Float32", "Float32"])
    );
    assert_eq!(got["version"], 1);
    let names: Vec<String> = (1..=6).map(|d| format!("exposures_2025-05-0{d}")).collect();
    assert_eq!(got["committed"], serde_json::json!(names));
    assert_eq!(got["factor_groups"], serde_json::json!(["industry", "market", "region", "style"]));
}
