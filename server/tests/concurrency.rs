//! Fifty real HTTP clients at once on one server: a third stage files, a third read committed
//! summaries, a third query exposures through the report calls, each several times over. No
//! upload is lost, no request fails, and every answer equals the one a lone client gets (shared
//! between clients asking the same, never across rebuilds).

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use std::sync::Arc;

use common::{Fixture, Server, task_id, wait};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use riskdesk::riskdataset::RiskDatasetSettings;
use riskdesk::{Backend, Progress};
use serde_json::{Value, json};

const CLIENTS: usize = 50;
const ROUNDS: usize = 3;

/// A task's `dataframe` result, polled the way the client does.
fn frame(client: &Client, base: &str, key: &str, response: reqwest::blocking::Response) -> Vec<u8> {
    let id = task_id(response);
    assert_eq!(wait(client, base, key, &id)["state"], "COMPLETED");
    let r = client.get(format!("{base}/v1/tasks/{id}/result?type=dataframe&api_key={key}")).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.bytes().unwrap().to_vec()
}

/// The notebook's exposures: the report, then its accessor's frame.
fn exposures(client: &Client, base: &str, key: &str) -> Vec<u8> {
    let report = json!({"settings": {"report_type": "exposure", "universe_settings": {"id_type": "bayesid", "calendar": {"filters": [["XNYS"]]},
        "categorical_filters": [], "portfolio_filter": null, "mcap_filter": {"lower": 0.0, "upper": 1e20}},
        "exposure_settings": {"exposures": [], "orthogonalization_weights": "SqrtCap"}, "standardize_universe_settings": null,
        "filter_tradedays": false, "core_only": true},
        "dataset": "tester@example.com/Risk", "report_args": [], "report_kwargs": {"start_date": null, "end_date": null}});
    let calc: Value = client.post(format!("{base}/v1/equity/report/calculate?api_key={key}")).json(&report).send().unwrap().json().unwrap();
    let accessor = calc["accessor_id"].as_str().unwrap_or_else(|| panic!("{calc}"));
    let body = json!({"accessor_id": accessor, "path": [], "expand": ["date", "asset_id"], "pivot_cols": ["factor_group", "factor"],
        "value_cols": ["exposure"], "filters": null, "pivot_total": false, "absent": "drop"});
    let r = client.post(format!("{base}/v1/equity/report/accessor/data?task_id=&api_key={key}")).json(&body).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.bytes().unwrap().to_vec()
}

fn detail(client: &Client, base: &str, key: &str) -> Vec<u8> {
    frame(client, base, key, client.get(format!("{base}/v1/equity/uploaders/exposures/Base/detail-summary?api_key={key}")).send().unwrap())
}

#[test]
fn fifty_clients_at_once_lose_nothing_and_get_the_lone_clients_answers() {
    let Fixture { dir, home, local, key } = Fixture::new();
    let opts = riskdesk::demo::DemoOptions { assets: 300, days: 4, ..Default::default() };
    let base_days = dir.path().join("base");
    riskdesk::demo::write_exposures(&base_days, &opts, &Progress::none()).unwrap();
    local.demo_reference(&opts).unwrap();
    local.stage("Base", &[base_days], false, &Progress::none()).unwrap();
    local.commit("Base", riskdesk::uploader::CommitMode::Append, None, &Progress::none()).unwrap();
    let settings = RiskDatasetSettings::from_json(
        r#"{"reference_dataset": "Demo-Global", "exposures": [{"exposure_type": "uploaded", "exposure_source": "Base",
            "market_factor_group": "market", "style_factor_group": "style", "industry_factor_group": "industry", "region_factor_group": "region"}]}"#,
        "test",
    )
    .unwrap();
    local.create_risk_dataset("Risk", &settings, false, &Progress::none()).unwrap();
    // One day file per staging client, each with a date of its own.
    let stagers = CLIENTS.div_ceil(3);
    let days = dir.path().join("days");
    let many = riskdesk::demo::DemoOptions { assets: 300, days: stagers * ROUNDS, ..Default::default() };
    let files = riskdesk::demo::write_exposures(&days, &many, &Progress::none()).unwrap();
    let files: Arc<Vec<std::path::PathBuf>> = Arc::new(files);

    let server = Server::start(&home);
    let client = Client::new();
    let expected_exposures = exposures(&client, &server.url, &key);
    let expected_detail = detail(&client, &server.url, &key);

    let threads: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (base, key, files) = (server.url.clone(), key.clone(), Arc::clone(&files));
            let (expected_exposures, expected_detail) = (expected_exposures.clone(), expected_detail.clone());
            std::thread::spawn(move || {
                let client = Client::new();
                for round in 0..ROUNDS {
                    match i % 3 {
                        0 => {
                            let path = &files[(i / 3) * ROUNDS + round];
                            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
                            let part = reqwest::blocking::multipart::Part::bytes(std::fs::read(path).unwrap()).file_name(name);
                            let form = reqwest::blocking::multipart::Form::new().part("file", part);
                            let u = format!("{base}/v1/equity/uploaders/exposures/Team/stage-file?name=&replace=false&api_key={key}");
                            let id = task_id(client.post(u).multipart(form).send().unwrap());
                            assert_eq!(wait(&client, &base, &key, &id)["state"], "COMPLETED");
                            let result: Value =
                                client.get(format!("{base}/v1/tasks/{id}/result?type=json&api_key={key}")).send().unwrap().json().unwrap();
                            assert_eq!(result["success"], true, "{result}");
                        }
                        1 => assert!(detail(&client, &base, &key) == expected_detail, "a detail summary differs"),
                        _ => assert!(exposures(&client, &base, &key) == expected_exposures, "an exposures frame differs"),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }

    // Every staged file is there, once, with its rows.
    let staged = local.staging_summary("Team").unwrap();
    assert_eq!(staged.len(), stagers * ROUNDS);
    let mut names: Vec<&str> = staged.iter().map(|s| s.name.as_str()).collect();
    names.dedup();
    assert_eq!(names.len(), stagers * ROUNDS);
    assert!(staged.iter().all(|s| s.rows > 0 && s.dates == 1));

    // Clients asking for the same frame share it, but never across builds: a day committed and
    // the dataset rebuilt (here, outside the server) shows in the next answer.
    let fifth = dir.path().join("fifth");
    let more = riskdesk::demo::DemoOptions { assets: 300, days: 5, ..Default::default() };
    riskdesk::demo::write_exposures(&fifth, &more, &Progress::none()).unwrap();
    local.stage("Base", &[fifth.join("exposures_2025-05-05.csv")], false, &Progress::none()).unwrap();
    local.commit("Base", riskdesk::uploader::CommitMode::Append, None, &Progress::none()).unwrap();
    local.update_risk_dataset("Risk", &Progress::none()).unwrap();
    let after = exposures(&client, &server.url, &key);
    assert!(after != expected_exposures && after.len() > expected_exposures.len());
}
