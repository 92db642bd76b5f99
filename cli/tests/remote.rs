//! The CLI against a server (`--endpoint`, `--api-key`): the notebook walk-through gives the same
//! output as on a home folder, and faults (a wrong key, no server, a server killed mid-upload
//! and restarted) give a clear message naming the server and leave nothing half-staged.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use std::process::{Command, Stdio};

use common::{Env, stderr, stdout};

/// The walk-through's steps (`scripts/walkthrough`) after the local ones (demo files, batch),
/// then a second version from `extra` and a revert to the first.
fn walkthrough(zip: &str, settings: &str, model: &str, extra: &str) -> Vec<Vec<String>> {
    let steps: Vec<Vec<&str>> = vec![
        vec!["upload", "stage", "--dataset", "My-Exposures", zip],
        vec!["upload", "summary", "--dataset", "My-Exposures", "--staging", "--detail"],
        vec!["upload", "check", "--dataset", "My-Exposures", "--staging", "--format", "json"],
        vec!["upload", "commit", "--dataset", "My-Exposures", "--mode", "append"],
        vec!["upload", "history", "--dataset", "My-Exposures", "--json"],
        vec!["upload", "data", "--dataset", "My-Exposures", "--columns", "factor_group", "--unique"],
        vec!["reference", "demo", "--assets", "300", "--days", "5"],
        vec!["riskdatasets", "list", "--json"],
        vec!["riskdatasets", "create", "My-Risk-Dataset", "--settings", settings],
        vec!["riskdatasets", "describe", "My-Risk-Dataset"],
        vec!["exposures", "get", "--dataset", "My-Risk-Dataset", "--start", "2025-05-05", "--format", "csv"],
        vec!["riskmodels", "create", "My-Model", "--settings", model],
        vec!["riskmodels", "describe", "My-Model"],
        vec!["riskmodels", "fret", "My-Model", "--format", "csv"],
        vec!["riskmodels", "t-stats", "My-Model", "--format", "csv"],
        vec!["riskmodels", "r2", "My-Model", "--format", "csv"],
        vec!["riskmodels", "covariance", "My-Model", "--date", "2025-05-05", "--format", "csv"],
        vec!["riskmodels", "specific-risk", "My-Model", "--date", "2025-05-05", "--format", "csv"],
        vec!["upload", "stage", "--dataset", "My-Exposures", extra],
        vec!["upload", "commit", "--dataset", "My-Exposures", "--mode", "upsert"],
        vec!["upload", "revert", "--dataset", "My-Exposures", "--to", "1"],
        vec!["upload", "diff", "--dataset", "My-Exposures", "--from", "1", "--to", "3", "--format", "json"],
        vec!["upload", "history", "--dataset", "My-Exposures", "--json"],
    ];
    steps.into_iter().map(|s| s.into_iter().map(str::to_owned).collect()).collect()
}

/// Output with the moments in it (creation and commit times) blanked.
fn without_times(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        // 2026-11-30T19:47:03.296Z: an RFC 3339 moment as the engine writes them.
        let moment = i + 24 <= text.len()
            && bytes[i + 4] == b'-'
            && bytes[i + 10] == b'T'
            && bytes[i + 23] == b'Z'
            && text.is_char_boundary(i + 24)
            && bytes[i..i + 4].iter().all(u8::is_ascii_digit);
        if moment {
            out.push_str("<time>");
            i += 24;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[test]
fn the_walkthrough_against_a_server_prints_what_it_prints_on_a_home_folder() {
    let files = Env::new();
    let days = files.demo("days", 300, 5, &[]);
    let zips = files.folder("zips");
    files.ok(&["batch", days.to_str().unwrap(), "--out", zips.to_str().unwrap()]);
    let zip = zips.join("exposures_2025.zip");
    let settings = files.file(
        "settings",
        "settings.json",
        r#"{"reference_dataset": "Demo-Global", "exposures": [{"exposure_type": "uploaded", "exposure_source": "My-Exposures",
            "market_factor_group": "market", "style_factor_group": "style", "industry_factor_group": "industry",
            "region_factor_group": "region", "style_factor_fill_miss": true}], "trim_start_date": "2025-05-01"}"#,
    );
    let model = files.file("settings", "model.json", r#"{"risk_dataset": "My-Risk-Dataset"}"#);
    let extra = files.file("extra", "x_2025-05-02.csv", common::long_csv(&[("2025-05-02", "NEW1", "style", "Size", 0.5)]));

    let local = Env::new();
    let server = Env::new();
    // Admin: the walk-through makes the demo reference.
    let key = server.ok(&["keys", "create", "--user", "q@example.com", "--scope", "admin"]).lines().last().unwrap().to_owned();
    let served = server.serve();
    let client = Env::new(); // a home that must stay untouched: the work happens on the server
    for step in walkthrough(zip.to_str().unwrap(), settings.to_str().unwrap(), model.to_str().unwrap(), extra.to_str().unwrap()) {
        let args: Vec<&str> = step.iter().map(String::as_str).collect();
        let here = local.ok(&args);
        let mut remote_args = vec!["--endpoint", served.url.as_str(), "--api-key", key.as_str()];
        remote_args.extend(&args);
        let there = client.ok(&remote_args);
        assert_eq!(without_times(&there), without_times(&here), "riskdesk {}", args.join(" "));
    }
    assert!(!client.home().join("catalog.sqlite").exists(), "the remote run wrote to the local home");
    // The revert made version 3 with version 1's data, on both.
    let history = local.ok(&["upload", "history", "--dataset", "My-Exposures", "--json"]);
    assert!(history.contains("revert to 1"), "{history}");
    let diff = local.ok(&["upload", "diff", "--dataset", "My-Exposures", "--from", "1", "--to", "3", "--format", "json"]);
    assert!(diff.contains("\"rows_changed\": 0"), "{diff}");
    // The server's home holds what the local run made.
    let listed = |env: &Env| without_times(&env.ok(&["riskdatasets", "list", "--json"]));
    assert_eq!(listed(&server), listed(&local));
}

#[test]
fn a_wrong_key_or_no_server_says_what_to_do() {
    let server = Env::new();
    server.ok(&["keys", "create", "--user", "q@example.com"]);
    let served = server.serve();
    let client = Env::new();
    let err = client.fails(&["--endpoint", &served.url, "--api-key", "rdk_wrong", "upload", "datasets"]);
    assert!(err.contains(&format!("The server at {} refused the API key", served.url)) && err.contains("code: unauthorized"), "{err}");
    assert!(!err.contains("rdk_wrong"), "the key shows in the message: {err}");
    let gone = "http://127.0.0.1:9";
    let err = client.fails(&["--endpoint", gone, "--api-key", "k", "upload", "datasets"]);
    assert!(err.contains(&format!("Cannot reach the server at {gone}")) && err.contains("code: unreachable"), "{err}");
    let err = client.fails(&["--endpoint", &served.url, "--api-key", "k", "keys", "list"]);
    assert!(err.contains("works on a home folder or a team store, not on a server"), "{err}");
}

#[test]
fn a_key_bound_for_plain_http_to_another_machine_is_warned_about_first() {
    let client = Env::new();
    // `.invalid` never resolves: the warning comes before anything is sent, once.
    let err = client.fails(&["--endpoint", "http://riskdesk.invalid:9", "--api-key", "k", "upload", "datasets"]);
    assert_eq!(err.matches("Warning: http://riskdesk.invalid:9 is plain http:// to another machine").count(), 1, "{err}");
    assert!(err.find("Warning:") < err.find("Cannot reach the server"), "{err}");
    // Not for this machine's loopback.
    let err = client.fails(&["--endpoint", "http://127.0.0.1:9", "--api-key", "k", "upload", "datasets"]);
    assert!(!err.contains("Warning") && err.contains("Cannot reach the server"), "{err}");
}

#[test]
fn a_server_killed_mid_upload_leaves_nothing_half_staged() {
    let files = Env::new();
    let days = files.demo("days", 4000, 20, &[]);
    let server = Env::new();
    let key = server.ok(&["keys", "create", "--user", "q@example.com"]).lines().last().unwrap().to_owned();
    let served = server.serve();
    let url = served.url.clone();
    // The CLI batches the 20 days into a ZIP and sends it; the server is killed while it stages.
    let upload = Command::new(env!("CARGO_BIN_EXE_riskdesk"))
        .args(["--endpoint", &url, "--api-key", &key, "upload", "stage", "--dataset", "D", days.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    served.kill_when(|| server.local_folder().join("uploads").read_dir().is_ok_and(|mut d| d.next().is_some()));
    let out = upload.wait_with_output().unwrap();
    assert!(!out.status.success(), "{}", stdout(&out));
    let said = stderr(&out);
    assert!(said.contains(&url) && (said.contains("code: unreachable") || said.contains("code: server_error")), "{said}");
    // Restarted on the same home: nothing of the upload is staged, and the upload works again.
    let again = server.serve();
    let staged = server.run(&["upload", "staged", "-d", "D", "--json"]);
    let nothing = if staged.status.success() { stdout(&staged).trim() == "[]" } else { stderr(&staged).contains("'D' does not exist") };
    assert!(nothing, "a half-staged name was left: {}{}", stdout(&staged), stderr(&staged));
    files.ok(&["--endpoint", &again.url, "--api-key", &key, "upload", "stage", "--dataset", "D", days.to_str().unwrap()]);
    assert_eq!(server.json(&["upload", "staged", "-d", "D", "--json"]).as_array().unwrap().len(), 20);
}

#[test]
fn a_folder_of_annual_zips_stages_through_a_server_as_on_a_home_folder() {
    let files = Env::new();
    let days = files.demo("days", 100, 3, &[]);
    let zips = files.folder("zips");
    files.ok(&["batch", days.to_str().unwrap(), "--out", zips.to_str().unwrap()]);
    let server = Env::new();
    let key = server.ok(&["keys", "create", "--user", "q@example.com"]).lines().last().unwrap().to_owned();
    let served = server.serve();
    let here = files.ok(&["upload", "stage", "--dataset", "Z", zips.to_str().unwrap()]);
    let there = Env::new().ok(&["--endpoint", &served.url, "--api-key", &key, "upload", "stage", "--dataset", "Z", zips.to_str().unwrap()]);
    assert_eq!(without_times(&there), without_times(&here));
    assert_eq!(server.json(&["upload", "staged", "-d", "Z", "--json"]).as_array().unwrap().len(), 3);
}
