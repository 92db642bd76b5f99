//! The server over real HTTP on loopback: version check, keys, and the uploader's dataset calls,
//! answered in the platform's shapes.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use common::{Fixture, Server, demo_days, error_of, get, task_id, wait};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use riskdesk::{Backend, LocalBackend, Progress};
use serde_json::{Value, json};

#[test]
fn keys_open_the_api_and_uploader_datasets_answer_in_the_platform_shapes() {
    let Fixture { dir, home, local, key } = Fixture::new();
    let (revoked, old_key) = local.create_key("gone@example.com", riskdesk::keys::Scope::Read).unwrap();
    local.revoke_key(revoked.id).unwrap();
    let server = Server::start(&home);
    let client = Client::new();
    let url = |path: &str| format!("{}{path}", server.url);
    let with_key = |path: &str| format!("{}{path}{}api_key={key}", server.url, if path.contains('?') { "&" } else { "?" });

    // The version check needs no key.
    let (status, body) = get(&client, &url("/"));
    assert_eq!((status, body["client_version"].as_str()), (StatusCode::OK, Some(riskdesk_server::CLIENT_VERSION)));
    // Without a key, with a wrong or revoked one: 401 in the platform's error shape.
    for bad in [
        url("/v1/equity/uploaders"),
        url("/v1/equity/uploaders?api_key=rdk_wrong"),
        url(&format!("/v1/equity/uploaders?api_key={old_key}")),
    ] {
        let (status, body) = get(&client, &bad);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(error_of(&body).0, "PermissionDeniedError", "{body}");
    }
    // A key in the query or as a bearer token.
    assert_eq!(get(&client, &with_key("/v1/equity/uploaders")), (StatusCode::OK, json!(["exposures"])));
    let bearer = client.get(url("/v1/auth/users/whoami")).bearer_auth(&key).send().unwrap();
    assert_eq!(bearer.json::<Value>().unwrap()["email"], "tester@example.com");

    // Datasets: created empty, listed, known through their schema; an unknown one is a 400 KeyError.
    assert_eq!(get(&client, &with_key("/v1/equity/uploaders/exposures")), (StatusCode::OK, json!([])));
    let created = client.post(with_key("/v1/equity/uploaders/exposures/My-Exposures")).json(&json!({})).send().unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(get(&client, &with_key("/v1/equity/uploaders/exposures")).1, json!(["My-Exposures"]));
    let (status, schema) = get(&client, &with_key("/v1/equity/uploaders/exposures/My-Exposures/schema?which=data"));
    assert_eq!(status, StatusCode::OK);
    let columns: Vec<(&str, &str)> = schema.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect();
    assert_eq!(columns[0], ("date", "\"Date\""));
    assert_eq!(columns[5], ("exposure", "\"Float32\""));
    assert_eq!(
        get(&client, &with_key("/v1/equity/uploaders/exposures/My-Exposures/schema?which=staging"))
            .1
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap(),
        "_name"
    );
    let (status, body) = get(&client, &with_key("/v1/equity/uploaders/exposures/Nope/schema?which=data"));
    assert_eq!((status, error_of(&body)), (StatusCode::BAD_REQUEST, ("KeyError", "Dataset 'Nope' not found.".to_owned())));
    let (status, body) = get(&client, &with_key("/v1/equity/uploaders/portfolios"));
    assert_eq!((status, error_of(&body).0), (StatusCode::BAD_REQUEST, "KeyError"));

    // Staging results, by staged name, with exactly the platform's fields.
    assert_eq!(get(&client, &with_key("/v1/equity/uploaders/exposures/My-Exposures/staging-results")).1, json!({}));
    let days = demo_days(dir.path(), "days", 50, 2);
    local.stage("My-Exposures", &[days], false, &Progress::none()).unwrap();
    let (status, staged) = get(&client, &with_key("/v1/equity/uploaders/exposures/My-Exposures/staging-results"));
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&String> = staged.as_object().unwrap().keys().collect();
    assert_eq!(names, ["exposures_2025-05-01", "exposures_2025-05-02"]);
    let one = &staged["exposures_2025-05-01"];
    let mut fields: Vec<&String> = one.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["name", "results", "success", "timestamp"]);
    assert_eq!((one["success"].as_bool(), one["results"][0]["parser"].as_str()), (Some(true), Some("long")));
    let only = get(&client, &with_key("/v1/equity/uploaders/exposures/My-Exposures/staging-results?names=exposures_2025-05-02")).1;
    assert_eq!(only.as_object().unwrap().len(), 1);
}

#[test]
fn summaries_and_commits_run_as_tasks_with_the_platforms_results() {
    let Fixture { dir, home, local, key } = Fixture::new();
    let days = demo_days(dir.path(), "days", 60, 3);
    local.stage("My-Exposures", &[days], false, &Progress::none()).unwrap();
    let server = Server::start(&home);
    let client = Client::new();
    let u = format!("{}/v1/equity/uploaders/exposures/My-Exposures", server.url);

    // The detail summary: a task whose dataframe is typed as the client expects, equal to the engine's.
    let id = task_id(client.get(format!("{u}/staging-data-detail-summary?api_key={key}")).send().unwrap());
    let progress = wait(&client, &server.url, &key, &id);
    assert_eq!((progress["state"].as_str(), progress["last_progress"].as_u64()), (Some("COMPLETED"), Some(100)), "{progress}");
    let bytes = client.get(format!("{}/v1/tasks/{id}/result?type=dataframe&api_key={key}", server.url)).send().unwrap().bytes().unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap().build().unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    let schema = batches[0].schema();
    let types: Vec<String> = schema.fields().iter().map(|f| format!("{}:{}", f.name(), f.data_type())).collect();
    assert_eq!(types[..4], ["_name:Utf8", "date:Date32", "n_assets:UInt32", "min_exposure:Float32"]);
    let engine = local.staging_detail("My-Exposures").unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), engine.len());
    let n_assets = batches[0].column(2).as_any().downcast_ref::<arrow_array::UInt32Array>().unwrap();
    assert_eq!(n_assets.value(0), engine[0].n_assets);

    // A commit: its result is exactly `version` and `committed_names`.
    let id = task_id(client.post(format!("{u}/commit?mode=append&api_key={key}")).json(&json!({})).send().unwrap());
    wait(&client, &server.url, &key, &id);
    let (status, done) = get(&client, &format!("{}/v1/tasks/{id}/result?type=json&api_key={key}", server.url));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done, json!({ "version": 1, "committed_names": ["exposures_2025-05-01", "exposures_2025-05-02", "exposures_2025-05-03"] }));
    assert_eq!(get(&client, &format!("{u}/staging-results?api_key={key}")).1, json!({}), "committed names leave staging");
    // The notebook's data call: the distinct factor groups of the committed data, as Parquet.
    let id =
        task_id(client.post(format!("{u}/data?api_key={key}")).json(&json!({"unique": true, "columns": ["factor_group"]})).send().unwrap());
    wait(&client, &server.url, &key, &id);
    let bytes = client.get(format!("{}/v1/tasks/{id}/result?type=dataframe&api_key={key}", server.url)).send().unwrap().bytes().unwrap();
    let batch =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap().build().unwrap().next().unwrap().unwrap();
    let groups = arrow_array::cast::AsArray::as_string::<i32>(batch.column(0));
    assert_eq!(groups.iter().map(Option::unwrap).collect::<Vec<_>>(), ["industry", "market", "region", "style"]);
    // head, version, and what is refused with a reason.
    let id = task_id(client.post(format!("{u}/data?version=1&head=5&api_key={key}")).json(&json!({})).send().unwrap());
    wait(&client, &server.url, &key, &id);
    let bytes = client.get(format!("{}/v1/tasks/{id}/result?type=dataframe&api_key={key}", server.url)).send().unwrap().bytes().unwrap();
    let batch =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap().build().unwrap().next().unwrap().unwrap();
    assert_eq!((batch.num_rows(), batch.num_columns()), (5, 6));
    for (query, body) in [("head=five", json!({})), ("", json!({"filters": {"filters": "x"}})), ("", json!({"columns": ["colour"]}))] {
        let r = client.post(format!("{u}/data?{query}&api_key={key}")).json(&body).send().unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query} {body}");
        assert_eq!(error_of(&r.json().unwrap()).0, "ValueError");
    }
    // Nothing left to commit: the task fails with an UploadError, and ready still turns true.
    let id = task_id(client.post(format!("{u}/commit?mode=append&api_key={key}")).json(&json!({})).send().unwrap());
    assert_eq!(wait(&client, &server.url, &key, &id)["state"], "FAILED");
    let (status, body) = get(&client, &format!("{}/v1/tasks/{id}/result?type=json&api_key={key}", server.url));
    assert_eq!((status, error_of(&body).0), (StatusCode::BAD_REQUEST, "UploadError"), "{body}");
    // An unknown mode is refused at once; an unknown task is a 404.
    let bad = client.post(format!("{u}/commit?mode=sideways&api_key={key}")).json(&json!({})).send().unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&bad.json().unwrap()).0, "UploadError");
    for call in ["progress", "ready", "result?type=json"] {
        let sep = if call.contains('?') { "&" } else { "?" };
        assert_eq!(get(&client, &format!("{}/v1/tasks/nope/{call}{sep}api_key={key}", server.url)).0, StatusCode::NOT_FOUND);
    }
}

/// Posts `bytes` as the multipart `file` part named `file_name` to `stage-file`.
fn stage_file(client: &Client, u: &str, key: &str, file_name: &str, bytes: Vec<u8>) -> reqwest::blocking::Response {
    let part = reqwest::blocking::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
    let form = reqwest::blocking::multipart::Form::new().part("file", part);
    client.post(format!("{u}/stage-file?name=&replace=false&api_key={key}")).multipart(form).send().unwrap()
}

#[test]
fn an_annual_zip_is_staged_one_name_per_member_and_bad_uploads_are_refused_whole() {
    let Fixture { dir, home, local, key } = Fixture::new();
    let days = demo_days(dir.path(), "days", 80, 4);
    let zips = dir.path().join("zips");
    let archives = riskdesk::batch::batch(&days, &zips, 6, &Progress::none()).unwrap();
    let zip_path = &archives[0].path;
    let server = Server::start_with(&home, 200_000);
    let client = Client::new();
    let u = format!("{}/v1/equity/uploaders/exposures/My-Exposures", server.url);
    local.create_dataset("My-Exposures").unwrap();

    // The ZIP: one staged name per member, the result named after the upload.
    let id = task_id(stage_file(&client, &u, &key, "exposures_2025.zip", std::fs::read(zip_path).unwrap()));
    assert_eq!(wait(&client, &server.url, &key, &id)["state"], "COMPLETED");
    let (_, result) = get(&client, &format!("{}/v1/tasks/{id}/result?type=json&api_key={key}", server.url));
    assert_eq!((result["name"].as_str(), result["success"].as_bool()), (Some("exposures_2025"), Some(true)), "{result}");
    let mut fields: Vec<&String> = result.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["name", "results", "success", "timestamp"]);
    assert_eq!(result["results"][0]["messages"].as_array().unwrap().len(), 4, "{result}");
    let staged = get(&client, &format!("{u}/staging-results?api_key={key}")).1;
    assert_eq!(staged.as_object().unwrap().len(), 4);
    // The staged data equals staging the same files locally.
    let other = dir.path().join("other");
    let local2 = LocalBackend::open(&other).unwrap();
    local2.stage("Same", std::slice::from_ref(&days), false, &Progress::none()).unwrap();
    let strip = |rows: Vec<riskdesk::uploader::DetailRow>| {
        rows.into_iter().map(|r| (r.date, r.n_assets, r.mean_exposure.to_bits())).collect::<Vec<_>>()
    };
    assert_eq!(strip(local.staging_detail("My-Exposures").unwrap()), strip(local2.staging_detail("Same").unwrap()));

    // A bad CSV: success false, its messages name the file, line, column and value; nothing staged.
    let bad = "date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-06-02,AAA,bayesid,style,Size,oops\n";
    let id = task_id(stage_file(&client, &u, &key, "exposures_2025-06-02.csv", bad.as_bytes().to_vec()));
    wait(&client, &server.url, &key, &id);
    let (_, result) = get(&client, &format!("{}/v1/tasks/{id}/result?type=json&api_key={key}", server.url));
    assert_eq!(result["success"], false, "{result}");
    let said = result["results"][0]["messages"].to_string();
    assert!(said.contains("exposures_2025-06-02.csv") && said.contains("oops") && said.contains("line 2"), "{said}");
    assert_eq!(get(&client, &format!("{u}/staging-results?api_key={key}")).1.as_object().unwrap().len(), 4);

    // Over the size limit: 413 in the platform's shape, and no upload left behind.
    let big = vec![b'x'; 300_000];
    let refused = stage_file(&client, &u, &key, "exposures_2025-07-01.csv", big);
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(&refused.json().unwrap()).0, "UploadError");
    let left: Vec<_> = std::fs::read_dir(home.join("uploads")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    // A path in the file name is refused.
    let sneaky = stage_file(&client, &u, &key, "../../etc/.profile", b"x".to_vec());
    assert_eq!(sneaky.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn ended_tasks_are_forgotten_after_their_keeping_time() {
    let Fixture { dir: _dir, home, local, key } = Fixture::new();
    local.create_dataset("My-Exposures").unwrap();
    // A server whose ended tasks are dropped at once (at the next task's start).
    let keep_nothing = riskdesk_server::tasks::TaskLimits { keep: std::time::Duration::ZERO, ..Default::default() };
    let state = riskdesk_server::AppState::new(
        LocalBackend::open(&home).unwrap(),
        &riskdesk_server::Limits { upload: 1_000_000, tasks: keep_nothing, ..Default::default() },
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, riskdesk_server::router(state)).await.unwrap();
        })
    });
    let base = format!("http://{}", rx.recv().unwrap());
    let client = Client::new();
    let summary = format!("{base}/v1/equity/uploaders/exposures/My-Exposures/staging-data-detail-summary?api_key={key}");
    let first = task_id(client.get(&summary).send().unwrap());
    wait(&client, &base, &key, &first);
    assert_eq!(client.get(format!("{base}/v1/tasks/{first}/result?type=dataframe&api_key={key}")).send().unwrap().status(), StatusCode::OK);
    let second = task_id(client.get(&summary).send().unwrap());
    assert_eq!(get(&client, &format!("{base}/v1/tasks/{first}/progress?api_key={key}")).0, StatusCode::NOT_FOUND);
    wait(&client, &base, &key, &second);
}

/// A ZIP of `(member name, bytes)`, deflated.
fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        z.start_file(*name, options).unwrap();
        std::io::Write::write_all(&mut z, bytes).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

/// Stages `bytes` as `file_name` and returns the task's result (an `UploadStagingResult`).
fn staged_result(client: &Client, server: &Server, key: &str, file_name: &str, bytes: Vec<u8>) -> Value {
    let u = format!("{}/v1/equity/uploaders/exposures/My-Exposures", server.url);
    let id = task_id(stage_file(client, &u, key, file_name, bytes));
    wait(client, &server.url, key, &id);
    get(client, &format!("{}/v1/tasks/{id}/result?type=json&api_key={key}", server.url)).1
}

#[test]
fn corrupt_zips_bombs_and_escaping_members_stage_nothing_and_say_why() {
    let Fixture { dir: _dir, home, local, key } = Fixture::new();
    local.create_dataset("My-Exposures").unwrap();
    let server = Server::start(&home);
    let client = Client::new();
    let good = b"date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-05-01,AAA,bayesid,style,Size,0.5\n".to_vec();
    let said = |r: &Value| r["results"][0]["messages"].to_string();

    let corrupt = staged_result(&client, &server, &key, "exposures_2025.zip", b"PK\x03\x04 this is not a zip".to_vec());
    assert_eq!(corrupt["success"], false, "{corrupt}");
    assert!(said(&corrupt).contains("exposures_2025.zip"), "{corrupt}");

    let escaping = zip_of(&[("../exposures_2025-05-01.csv", good.clone())]);
    let r = staged_result(&client, &server, &key, "exposures_2025.zip", escaping);
    assert_eq!(r["success"], false, "{r}");
    assert!(said(&r).contains("escapes the archive"), "{r}");

    // 80 MB of zeros deflate to about 80 KB: far beyond the safe inflation ratio.
    let bomb = zip_of(&[("exposures_2025-05-02.csv", vec![0u8; 80 << 20])]);
    assert!(bomb.len() < 1 << 20);
    let r = staged_result(&client, &server, &key, "exposures_2025.zip", bomb);
    assert_eq!(r["success"], false, "{r}");
    assert!(said(&r).contains("zip bomb"), "{r}");

    // Nothing of the three was staged, and their upload folders are gone.
    assert!(local.staging_results("My-Exposures").unwrap().is_empty());
    assert_eq!(std::fs::read_dir(home.join("uploads")).unwrap().count(), 0);
    // A good member still stages.
    let r = staged_result(&client, &server, &key, "exposures_2025.zip", zip_of(&[("exposures_2025-05-01.csv", good)]));
    assert_eq!(r["success"], true, "{r}");
}

#[test]
fn a_cancelled_task_ends_cancelled_and_changes_nothing() {
    let Fixture { dir, home, local, key } = Fixture::new();
    let days = demo_days(dir.path(), "days", 3000, 12);
    let zips = dir.path().join("zips");
    let zip = std::fs::read(&riskdesk::batch::batch(&days, &zips, 6, &Progress::none()).unwrap()[0].path).unwrap();
    local.create_dataset("My-Exposures").unwrap();
    let server = Server::start(&home);
    let client = Client::new();
    let u = format!("{}/v1/equity/uploaders/exposures/My-Exposures", server.url);

    // Cancelled as soon as it starts: twelve days of 3,000 assets take far longer to stage.
    let id = task_id(stage_file(&client, &u, &key, "exposures_2025.zip", zip));
    let cancel = client.delete(format!("{}/v1/tasks/{id}?api_key={key}", server.url)).send().unwrap();
    assert_eq!(cancel.status(), StatusCode::OK);
    let progress = wait(&client, &server.url, &key, &id);
    assert_eq!(progress["state"], "CANCELLED", "{progress}");
    let (status, body) = get(&client, &format!("{}/v1/tasks/{id}/result?type=json&api_key={key}", server.url));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(local.staging_results("My-Exposures").unwrap().is_empty());
    assert_eq!(std::fs::read_dir(home.join("uploads")).unwrap().count(), 0);
}

#[test]
fn a_wrong_key_touches_nothing_and_bad_names_are_refused_at_creation() {
    let Fixture { dir: _dir, home, local, key } = Fixture::new();
    local.create_dataset("My-Exposures").unwrap();
    let server = Server::start(&home);
    let client = Client::new();
    let u = format!("{}/v1/equity/uploaders/exposures/My-Exposures", server.url);
    let good = b"date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-05-01,AAA,bayesid,style,Size,0.5\n".to_vec();

    let refused = stage_file(&client, &u, "rdk_wrong", "exposures_2025-05-01.csv", good);
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let destroy = client.delete(format!("{u}?api_key=rdk_wrong")).send().unwrap();
    assert_eq!(destroy.status(), StatusCode::UNAUTHORIZED);
    assert!(local.staging_results("My-Exposures").unwrap().is_empty());
    assert_eq!(local.datasets().unwrap().len(), 1);

    // Names that could break paths: refused for uploader and risk datasets alike.
    for name in ["%20padded", "trailing%20", "tab%09name"] {
        let r = client.post(format!("{}/v1/equity/uploaders/exposures/{name}?api_key={key}", server.url)).json(&json!({})).send().unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{name}");
        let r = client.post(format!("{}/v1/equity/dataset/create/{name}?api_key={key}", server.url)).body("{}").send().unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{name}");
    }
    assert_eq!(local.datasets().unwrap().len(), 1);
}

/// Runs a Riskdesk call (`POST /v1/riskdesk/call`), following a long one's task to its end: the
/// reply's status and body (the reply, or the error body).
fn riskdesk_call(client: &Client, server: &Server, key: &str, call: Value) -> (StatusCode, Value) {
    let r = client.post(format!("{}/v1/riskdesk/call?api_key={key}", server.url)).json(&call).send().unwrap();
    if r.status() != StatusCode::ACCEPTED {
        return (r.status(), r.json().unwrap_or(Value::Null));
    }
    let id = task_id(r);
    wait(client, &server.url, key, &id);
    get(client, &format!("{}/v1/tasks/{id}/result?type=json&api_key={key}", server.url))
}

#[test]
fn numbers_a_client_sends_are_bounded_before_use_and_a_huge_demo_is_refused_by_name() {
    let Fixture { dir: _dir, home, local: _, key } = Fixture::new();
    let server = Server::start(&home);
    let client = Client::new();
    let demo = |assets: u64, days: u64, start: i64| {
        json!({"method": "demo_reference", "args": {"options": {
            "assets": assets, "days": days, "start": start, "layout": "long", "seed": 7, "prefix": "exposures"}}})
    };
    let may_1 = 20_209; // 2025-05-01
    // Each size beyond its bound is refused with the value and the bound (it used to abort the
    // server with a 55 TB allocation, loop for ever, or overflow its dates).
    for (call, said) in [
        (demo(4_000_000_000_000, 31, may_1), ["assets: 4,000,000,000,000", "1,000,000 accepted"]),
        (demo(20_000_000, 1, may_1), ["assets: 20,000,000", "1,000,000 accepted"]),
        (demo(100, 1_000_000_000_000, may_1), ["days: 1,000,000,000,000", "10,000 accepted"]),
        (demo(500_000, 1_000, may_1), ["500,000,000 asset-days", "100,000,000 accepted"]),
        (demo(10, 5, 2_000_000_000), ["start", "years 0 to 9999"]),
        (demo(0, 5, may_1), ["at least one asset", "one day"]),
    ] {
        let (status, body) = riskdesk_call(&client, &server, &key, call.clone());
        assert_eq!(status, StatusCode::BAD_REQUEST, "{call} {body}");
        let (kind, message) = error_of(&body);
        assert_eq!(kind, "ValueError", "{body}");
        assert!(said.iter().all(|s| message.contains(s)), "{call}: {message}");
    }
    // Pages of changed rows and of a grid: at most 100,000 rows each.
    let grid = json!({"dataset": "R", "query": {}});
    for call in [
        json!({"method": "diff_rows", "args": {"dataset": "E", "from": 1, "to": 2, "offset": 0, "limit": 1_000_000_000_000u64}}),
        json!({"method": "grid_rows", "args": {"request": grid, "offset": 0, "limit": 1_000_000_000_000u64}}),
    ] {
        let (status, body) = riskdesk_call(&client, &server, &key, call.clone());
        assert_eq!(status, StatusCode::BAD_REQUEST, "{call} {body}");
        assert!(error_of(&body).1.contains("1,000,000,000,000 rows is more than the 100,000"), "{body}");
    }
    // The server is alive and its write queue free: a small demo reference is built.
    let (status, built) = riskdesk_call(&client, &server, &key, demo(30, 2, may_1));
    assert_eq!(status, StatusCode::OK, "{built}");
    assert_eq!(built["name"], "Demo-Global", "{built}");
}

#[test]
fn a_panic_inside_a_task_ends_it_failed_with_an_error() {
    let Fixture { dir: _dir, home, local: _, key } = Fixture::new();
    let state = riskdesk_server::AppState::new(LocalBackend::open(&home).unwrap(), &riskdesk_server::Limits::default());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            // A task whose work panics (a bug: none is known), started as a handler would.
            let started = state.spawn_task(|_, _| panic!("a bug in the engine"));
            let body = axum::body::to_bytes(started.into_body(), 1 << 16).await.unwrap();
            let id = serde_json::from_slice::<Value>(&body).unwrap()["task_id"].as_str().unwrap().to_owned();
            tx.send((listener.local_addr().unwrap(), id)).unwrap();
            axum::serve(listener, riskdesk_server::router(state)).await.unwrap();
        })
    });
    let (addr, id) = rx.recv().unwrap();
    let base = format!("http://{addr}");
    let client = Client::new();
    // It ends (its clients stop polling), FAILED, and its result is the error.
    assert_eq!(wait(&client, &base, &key, &id)["state"], "FAILED");
    let (status, body) = get(&client, &format!("{base}/v1/tasks/{id}/result?type=json&api_key={key}"));
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    // What went wrong is in the server's log, under the reference the client is given.
    let message = error_of(&body).1;
    assert!(message.starts_with("the server failed; its log says why under reference E"), "{message}");
    assert!(!body.to_string().contains("a bug in the engine"), "{body}");
}

#[test]
fn a_server_fault_answers_500_without_the_servers_paths() {
    let Fixture { dir, home, local, key } = Fixture::new();
    local.stage("Lost", &[demo_days(dir.path(), "days", 20, 2)], false, &Progress::none()).unwrap();
    local.commit("Lost", riskdesk::uploader::CommitMode::Append, None, &Progress::none()).unwrap();
    // The committed data's files are lost (a disk fault): reading them is the server's failure.
    for entry in walk(&home.join("data")) {
        std::fs::remove_file(entry).unwrap();
    }
    let server = Server::start(&home);
    let client = Client::new();
    let u = format!("{}/v1/equity/uploaders/exposures/Lost", server.url);
    let id = task_id(client.post(format!("{u}/data?api_key={key}")).json(&json!({})).send().unwrap());
    assert_eq!(wait(&client, &server.url, &key, &id)["state"], "FAILED");
    let (status, body) = get(&client, &format!("{}/v1/tasks/{id}/result?type=json&api_key={key}", server.url));
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let text = body.to_string();
    assert!(text.contains("under reference E"), "{text}");
    assert!(!text.contains(dir.path().to_str().unwrap()) && !text.contains("/data/"), "the body names the server's files: {text}");
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

#[test]
fn an_archive_with_more_members_than_the_cap_is_refused_by_name() {
    let Fixture { dir: _dir, home, local, key } = Fixture::new();
    local.create_dataset("My-Exposures").unwrap();
    let server = Server::start(&home);
    let client = Client::new();
    // One member over the cap (empty members: the archive is refused before any is read).
    let cap = riskdesk::inputs::MAX_MEMBERS;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..=cap {
        z.start_file(format!("e_{i:05}.csv"), stored).unwrap();
    }
    z.finish().unwrap();
    let r = staged_result(&client, &server, &key, "exposures_2025.zip", out.into_inner());
    assert_eq!(r["success"], false, "{r}");
    let said = r["results"][0]["messages"].to_string();
    assert!(said.contains("the archive exposures_2025.zip holds 10,001 members, more than the 10,000 accepted"), "{said}");
    assert!(local.staging_results("My-Exposures").unwrap().is_empty());
}
