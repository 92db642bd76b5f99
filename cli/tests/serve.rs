//! `riskdesk serve`: prints its URL once it listens, answers, stops cleanly on SIGTERM (cancelling
//! running tasks), and shares its home with the CLI.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use std::io::{Read, Write};

use common::{Env, stderr, stdout};

/// Sends a raw HTTP/1.1 request and returns the whole reply (the connection closes after it).
fn http(addr: &str, head: &str, body: &[u8]) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn serve_prints_its_url_answers_and_stops_on_sigterm() {
    let env = Env::new();
    let served = env.serve();
    // A plain HTTP request to the version check.
    let reply = http(served.addr(), "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", b"");
    assert!(reply.starts_with("HTTP/1.1 200") && reply.contains("\"client_version\""), "{reply}");
    // SIGTERM: a graceful stop, exit status 0.
    let (status, rest, err) = served.stop();
    assert!(status.success(), "{status:?} {rest:?} {err}");
    assert!(rest.iter().any(|l| l.starts_with("Stopped")), "{rest:?}");
    assert!(err.contains("No API keys yet"), "{err}");
}

#[test]
fn sigterm_during_a_task_cancels_it_and_keeps_nothing_it_started() {
    let env = Env::new();
    let days = env.demo("days", 4000, 12, &[]);
    let zips = env.folder("zips");
    env.ok(&["batch", days.to_str().unwrap(), "--out", zips.to_str().unwrap()]);
    let zip = std::fs::read(zips.join("exposures_2025.zip")).unwrap();
    let key = env.ok(&["keys", "create", "--user", "t@example.com"]).lines().last().unwrap().to_owned();
    let served = env.serve();

    // Twelve days of 4,000 assets: staging them takes far longer than the stop below.
    let boundary = "riskdeskboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"exposures_2025.zip\"\r\nContent-Type: application/zip\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&zip);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let head = format!(
        "POST /v1/equity/uploaders/exposures/X/stage-file?name=&replace=false&api_key={key} HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let reply = http(served.addr(), &head, &body);
    assert!(reply.starts_with("HTTP/1.1 202"), "{reply}");

    let (status, rest, _) = served.stop();
    assert!(status.success());
    assert!(rest.iter().any(|l| l.contains("1 running task(s) were cancelled")), "{rest:?}");
    // Nothing staged, no upload left behind.
    assert_eq!(env.json(&["upload", "staged", "-d", "X", "--json"]), serde_json::json!([]));
    assert_eq!(std::fs::read_dir(env.local_folder().join("uploads")).map(|d| d.count()).unwrap_or(0), 0);
}

#[test]
fn the_cli_and_the_server_work_on_one_home_side_by_side() {
    let env = Env::new();
    let days = env.demo("days", 50, 2, &[]);
    let key = env.ok(&["keys", "create", "--user", "t@example.com"]).lines().last().unwrap().to_owned();
    let served = env.serve();
    let addr = served.addr();
    let get = |path: &str| http(addr, &format!("GET {path}?api_key={key} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), b"");

    // What the CLI stages and commits, the server shows at once.
    env.ok(&["upload", "stage", "-d", "Shared", days.to_str().unwrap()]);
    let staged = get("/v1/equity/uploaders/exposures/Shared/staging-results");
    assert!(staged.contains("\"exposures_2025-05-01\"") && staged.contains("\"exposures_2025-05-02\""), "{staged}");
    env.ok(&["upload", "commit", "-d", "Shared", "--mode", "append"]);
    let history = get("/v1/equity/uploaders/exposures/Shared/version-history");
    assert!(history.contains("\"1\":"), "{history}");
    // And what the server is asked to create, the CLI lists.
    let created = http(
        addr,
        &format!(
            "POST /v1/equity/uploaders/exposures/Other?api_key={key} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
        ),
        b"{}",
    );
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");
    assert!(env.ok(&["upload", "datasets"]).contains("Other"));
}

/// The JSON body of a whole HTTP reply (its status line first).
fn json_body(reply: &str) -> serde_json::Value {
    let (_, body) = reply.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no body in {reply:?}"));
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"))
}

/// Uploads `bytes` as `file_name` to `stage-file` of dataset `X`, waits for the staging task to
/// end (polling its `ready`, at most 60 s) and returns its result.
fn stage_over_http(addr: &str, key: &str, file_name: &str, bytes: &[u8]) -> serde_json::Value {
    let boundary = "riskdeskboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let head = format!(
        "POST /v1/equity/uploaders/exposures/X/stage-file?name=&replace=false&api_key={key} HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let reply = http(addr, &head, &body);
    assert!(reply.starts_with("HTTP/1.1 202"), "{reply}");
    let id = json_body(&reply)["task_id"].as_str().unwrap().to_owned();
    let get = |path: &str| http(addr, &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), b"");
    for _ in 0..1200 {
        if json_body(&get(&format!("/v1/tasks/{id}/ready?api_key={key}"))) == serde_json::json!(true) {
            return json_body(&get(&format!("/v1/tasks/{id}/result?type=json&api_key={key}")));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the staging of {file_name} never ended");
}

#[test]
fn gzip_bombs_alone_or_in_a_zip_are_refused_as_bombs_without_inflating_them() {
    let env = Env::new();
    let key = env.ok(&["keys", "create", "--user", "t@example.com"]).lines().last().unwrap().to_owned();
    let served = env.serve();
    // 256 MiB of zeros gzip to about 250 KB: a thousand times their size.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    (0..256).for_each(|_| gz.write_all(&zeros).unwrap());
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 300_000, "{}", bomb.len());
    // The same bomb as a member of a ZIP, stored (the ZIP itself inflates nothing).
    let folder = env.file("bombs", "e_2025-05-02.csv.gz", &bomb).parent().unwrap().to_owned();
    let zips = env.folder("zips");
    env.ok(&["batch", folder.to_str().unwrap(), "--out", zips.to_str().unwrap(), "--level", "0"]);
    let zipped = std::fs::read(zips.join("e_2025.zip")).unwrap();
    for (file_name, bytes) in [("e_2025-05-01.csv.gz", bomb.clone()), ("e_2025.zip", zipped)] {
        let result = stage_over_http(served.addr(), &key, file_name, &bytes);
        assert_eq!(result["success"], false, "{result}");
        let said = result["results"][0]["messages"].to_string();
        assert!(said.contains("refused as a gzip bomb") && said.contains("67108864 bytes"), "{file_name}: {said}");
    }
    // A plain .csv.gz still stages.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-05-03,AAA,bayesid,style,Size,0.5\n").unwrap();
    let result = stage_over_http(served.addr(), &key, "e_2025-05-03.csv.gz", &gz.finish().unwrap());
    assert_eq!(result["success"], true, "{result}");
    assert_eq!(env.json(&["upload", "staged", "-d", "X", "--json"]).as_array().map(Vec::len), Some(1));
}

#[test]
fn the_security_log_names_refused_keys_scope_refusals_destroys_and_deletes_never_a_key() {
    let env = Env::new();
    let created = env.run(&["keys", "create", "--user", "r@example.com", "--scope", "read"]);
    let read = stdout(&created).lines().last().unwrap().to_owned();
    assert!(stderr(&created).contains("security: key created: id=1 user=\"r@example.com\" scope=read"), "{}", stderr(&created));
    let admin = env.ok(&["keys", "create", "--user", "a@example.com", "--scope", "admin"]).lines().last().unwrap().to_owned();
    let served = env.serve();
    let addr = served.addr().to_owned();
    let request = |method: &str, path: &str, body: &str| {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let reply = http(&addr, &head, body.as_bytes());
        reply.split_whitespace().nth(1).unwrap().to_owned()
    };
    // A wrong key, a read key creating, an admin key destroying (a route) and deleting (a call).
    let wrong = "rdk_0123456789abcdef";
    assert_eq!(request("GET", &format!("/v1/equity/uploaders?api_key={wrong}"), ""), "401");
    assert_eq!(request("POST", &format!("/v1/equity/uploaders/exposures/X?api_key={read}"), "{}"), "403");
    assert_eq!(request("POST", &format!("/v1/equity/uploaders/exposures/X?api_key={admin}"), "{}"), "200");
    assert_eq!(request("DELETE", &format!("/v1/equity/uploaders/exposures/X?api_key={admin}"), ""), "200");
    let delete = r#"{"method":"delete_portfolio","args":{"name":"P","if_exists":true}}"#;
    assert_eq!(request("POST", &format!("/v1/riskdesk/call?api_key={admin}"), delete), "200");
    let revoked = env.run(&["keys", "revoke", "1"]);
    assert!(stderr(&revoked).contains("security: key revoked: id=1 user=\"r@example.com\" scope=read"), "{}", stderr(&revoked));

    let (status, _, err) = served.stop();
    assert!(status.success(), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("security: ")).collect();
    let line = |start: &str, has: &[&str]| {
        let found = lines.iter().filter(|l| l.starts_with(start) && has.iter().all(|h| l.contains(h))).count();
        assert_eq!(found, 1, "no single {start:?} line with {has:?} in {lines:#?}");
    };
    let print = riskdesk::keys::fingerprint(wrong);
    line("security: key refused: remote=127.0.0.1:", &[&format!("fingerprint={print}"), "method=GET path=\"/v1/equity/uploaders\""]);
    line(
        "security: scope refused: remote=127.0.0.1:",
        &["key=1 user=\"r@example.com\" scope=read needed=write method=POST path=\"/v1/equity/uploaders/exposures/X\""],
    );
    line(
        "security: destroy: remote=127.0.0.1:",
        &["key=2 user=\"a@example.com\" method=DELETE path=\"/v1/equity/uploaders/exposures/X\" status=200"],
    );
    line(
        "security: delete: remote=127.0.0.1:",
        &[r#"key=2 user="a@example.com" call=delete_portfolio args={"name":"P","if_exists":true} outcome=ok"#],
    );
    assert_eq!(lines.len(), 4, "{lines:#?}");
    for secret in [wrong, &read, &admin] {
        assert!(!err.contains(secret), "a key is in the log: {err}");
    }
}
