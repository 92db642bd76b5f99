//! Writers that queue behind a slow one: they hold no thread (reads pass them), they are capped
//! per key and per server (429 and 503 with `Retry-After`), and ended tasks' results are kept
//! within a byte budget.
//!
//! A slow writer is made by holding the catalog's write lock from the test (another process
//! writing): the server's first writer waits for it (SQLite's busy timeout) and the others queue
//! behind that one until the test lets go.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Fixture, Server, error_of, get, task_id, wait};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use riskdesk::Backend;
use riskdesk_server::Limits;
use riskdesk_server::tasks::TaskLimits;
use serde_json::json;

/// The catalog's write lock, held (as another writer would) until dropped.
struct CatalogWriter(rusqlite::Connection);

impl CatalogWriter {
    fn hold(home: &Path) -> CatalogWriter {
        let db = rusqlite::Connection::open(home.join("catalog.sqlite")).unwrap();
        db.execute_batch("BEGIN IMMEDIATE").unwrap();
        CatalogWriter(db)
    }
}

impl Drop for CatalogWriter {
    fn drop(&mut self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

/// Stages `file` (a day's CSV) into `dataset` over HTTP with `key`: the server's answer.
fn stage(client: &Client, server: &Server, key: &str, dataset: &str, file: &Path) -> reqwest::blocking::Response {
    let name = file.file_name().unwrap().to_str().unwrap().to_owned();
    let part = reqwest::blocking::multipart::Part::bytes(std::fs::read(file).unwrap()).file_name(name);
    let form = reqwest::blocking::multipart::Form::new().part("file", part);
    let url = format!("{}/v1/equity/uploaders/exposures/{dataset}/stage-file?name=&replace=true&api_key={key}", server.url);
    client.post(url).multipart(form).send().unwrap()
}

/// Whether task `id` has ended.
fn ended(client: &Client, server: &Server, key: &str, id: &str) -> bool {
    get(client, &format!("{}/v1/tasks/{id}/ready?api_key={key}", server.url)).1 == json!(true)
}

/// The state a task ended in.
fn state_of(client: &Client, server: &Server, key: &str, id: &str) -> String {
    wait(client, &server.url, key, id)["state"].as_str().unwrap().to_owned()
}

/// A day's file of the demo exposures.
fn one_day(dir: &Path) -> std::path::PathBuf {
    let days = common::demo_days(dir, "days", 50, 1);
    std::fs::read_dir(&days).unwrap().next().unwrap().unwrap().path()
}

#[test]
fn queued_writers_hold_no_thread_and_reads_pass_them() {
    let fixture = Fixture::new();
    fixture.local.create_dataset("Queued").unwrap();
    let day = one_day(fixture.dir.path());
    // Four blocking threads: before, each queued writer held one, and a read waited for them all.
    let server = Server::start_on_threads(&fixture.home, Limits::default(), 4);
    let client = Client::builder().timeout(Duration::from_secs(120)).build().unwrap();
    let key = &fixture.key;
    let writer = CatalogWriter::hold(&fixture.home);
    let ids: Vec<String> = (0..40).map(|_| task_id(stage(&client, &server, key, "Queued", &day))).collect();
    // A read (and its key check) is answered while the writes still queue.
    let (status, datasets) = get(&client, &format!("{}/v1/equity/uploaders/exposures?api_key={key}", server.url));
    assert_eq!(status, StatusCode::OK, "{datasets}");
    assert!(datasets.to_string().contains("Queued"), "{datasets}");
    let waiting = ids.iter().filter(|id| !ended(&client, &server, key, id)).count();
    assert!(waiting >= 30, "only {waiting} of 40 writes were still queued when the read was answered");
    let queued = get(&client, &format!("{}/v1/tasks/{}/progress?api_key={key}", server.url, ids[39])).1;
    assert_eq!(queued["state"], "QUEUED", "{queued}");
    // The other writer lets go: the queue drains, in order, and the last write is staged.
    drop(writer);
    let last = ids.last().unwrap();
    assert_eq!(state_of(&client, &server, key, last), "COMPLETED");
    for id in &ids {
        wait(&client, &server.url, key, id);
    }
}

#[test]
fn tasks_are_capped_per_key_and_per_server_with_retry_after() {
    let fixture = Fixture::new();
    fixture.local.create_dataset("Capped").unwrap();
    let (_, other) = fixture.local.create_key("other@example.com", riskdesk::keys::Scope::Write).unwrap();
    let day = one_day(fixture.dir.path());
    let tasks = TaskLimits { max_tasks: 5, max_tasks_per_key: 3, ..TaskLimits::default() };
    let server = Server::start_limited(&fixture.home, Limits { tasks, ..Limits::default() });
    let client = Client::new();
    let key = &fixture.key;
    let writer = CatalogWriter::hold(&fixture.home);
    let mut ids: Vec<(String, String)> = (0..3).map(|_| (key.clone(), task_id(stage(&client, &server, key, "Capped", &day)))).collect();
    // The key's fourth task: 429, with Retry-After, in the platform's error shape.
    let refused = stage(&client, &server, key, "Capped", &day);
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "5");
    let body = refused.json().unwrap();
    let (kind, message) = error_of(&body);
    assert_eq!(kind, "RuntimeError");
    assert!(message.contains("this API key has 3 tasks"), "{message}");
    // Another key has its own share, up to the server's five.
    ids.extend((0..2).map(|_| (other.clone(), task_id(stage(&client, &server, &other, "Capped", &day)))));
    let full = stage(&client, &server, &other, "Capped", &day);
    assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(full.headers()["retry-after"], "5");
    assert!(error_of(&full.json().unwrap()).1.contains("5 tasks"));
    // Once they end, the key may start tasks again.
    drop(writer);
    for (k, id) in &ids {
        wait(&client, &server.url, k, id);
    }
    let again = task_id(stage(&client, &server, key, "Capped", &day));
    assert_eq!(state_of(&client, &server, key, &again), "COMPLETED");
}

#[test]
fn a_queued_write_cancelled_ends_at_once_and_never_runs() {
    let fixture = Fixture::new();
    fixture.local.create_dataset("Cancelled").unwrap();
    let day = one_day(fixture.dir.path());
    let server = Server::start(&fixture.home);
    let client = Client::new();
    let key = &fixture.key;
    let writer = CatalogWriter::hold(&fixture.home);
    let first = task_id(stage(&client, &server, key, "Cancelled", &day));
    let queued = task_id(stage(&client, &server, key, "Cancelled", &day));
    let cancelled = client.delete(format!("{}/v1/tasks/{queued}?api_key={key}", server.url)).send().unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    // Ended while the first still waits for the other writer.
    assert_eq!(state_of(&client, &server, key, &queued), "CANCELLED");
    assert!(!ended(&client, &server, key, &first));
    drop(writer);
    wait(&client, &server.url, key, &first);
}

#[test]
fn ended_results_beyond_the_budget_go_least_recently_used_first() {
    let fixture = Fixture::new();
    fixture.local.create_dataset("Budget").unwrap();
    let day = one_day(fixture.dir.path());
    fixture.local.stage("Budget", &[day], false, &riskdesk::Progress::none()).unwrap();
    // A budget smaller than one result: only the result used last is kept.
    let tasks = TaskLimits { result_budget: 1_000, ..TaskLimits::default() };
    let server = Server::start_limited(&fixture.home, Limits { tasks, ..Limits::default() });
    let client = Client::new();
    let key = &fixture.key;
    let summary = format!("{}/v1/equity/uploaders/exposures/Budget/staging-data-detail-summary?api_key={key}", server.url);
    let result = |id: &str| client.get(format!("{}/v1/tasks/{id}/result?type=dataframe&api_key={key}", server.url)).send().unwrap();
    let first = task_id(client.get(&summary).send().unwrap());
    wait(&client, &server.url, key, &first);
    let fetched = result(&first);
    assert_eq!(fetched.status(), StatusCode::OK);
    assert!(fetched.bytes().unwrap().len() > 1_000, "the result should exceed the budget");
    let second = task_id(client.get(&summary).send().unwrap());
    wait(&client, &server.url, key, &second);
    // The second ended last: the first's result is dropped, with a message saying what to do.
    assert_eq!(result(&second).status(), StatusCode::OK);
    let dropped = result(&first);
    assert_eq!(dropped.status(), StatusCode::GONE);
    let (_, message) = error_of(&dropped.json().unwrap());
    assert!(message.contains("run it again"), "{message}");
}
