//! Clients that send nothing, send slowly, open too many connections or send uploads shaped to
//! exhaust the server: each is cut off by a bound (set short here) and answered, if at all, in
//! the platform's error shape, while the server goes on serving.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{Fixture, Server, error_of};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use riskdesk_server::Limits;
use serde_json::Value;

const HOUR: Duration = Duration::from_secs(3600);
const SECOND: Duration = Duration::from_secs(1);

fn addr(server: &Server) -> &str {
    server.url.trim_start_matches("http://")
}

/// Waits (reading in steps of 100 ms, sending `trickle` one byte per step while it lasts, for a
/// minute at most) until the server closes `stream`; returns what it answered before closing, or
/// `None` if it never closed.
fn closed(stream: &mut TcpStream, trickle: &[u8]) -> Option<String> {
    stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    for step in 0..600 {
        if let Some(byte) = trickle.get(step)
            && stream.write_all(std::slice::from_ref(byte)).is_err()
        {
            return Some(String::from_utf8_lossy(&answer).into_owned());
        }
        match stream.read(&mut buf) {
            Ok(0) => return Some(String::from_utf8_lossy(&answer).into_owned()),
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(String::from_utf8_lossy(&answer).into_owned()),
        }
    }
    None
}

/// A raw `GET /` with `Connection: close`: its status line.
fn version_check(server: &Server) -> String {
    let mut stream = TcpStream::connect(addr(server)).unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let reply = closed(&mut stream, b"").expect("the server answers and closes");
    reply.lines().next().unwrap_or("").to_owned()
}

#[test]
fn idle_connections_and_trickled_heads_are_closed_after_their_timeouts() {
    let fixture = Fixture::new();
    // Idle: a connection that never sends a byte is closed after the idle timeout.
    let server = Server::start_limited(&fixture.home, Limits { idle_timeout: SECOND, header_timeout: HOUR, ..Limits::default() });
    let mut idle = TcpStream::connect(addr(&server)).unwrap();
    assert_eq!(closed(&mut idle, b"").as_deref(), Some(""), "an idle connection was kept open");
    // Between requests too: after an answer on a kept-alive connection, then nothing.
    let mut kept = TcpStream::connect(addr(&server)).unwrap();
    kept.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let reply = closed(&mut kept, b"").expect("a kept-alive connection left idle was kept open");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    drop(server);

    // Slow loris: a head sent a byte at a time, never ending, is cut off after the head timeout
    // (the idle timeout, an hour, does not apply once a request began).
    let server = Server::start_limited(&fixture.home, Limits { idle_timeout: HOUR, header_timeout: SECOND, ..Limits::default() });
    let mut loris = TcpStream::connect(addr(&server)).unwrap();
    let head = format!("GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: {}", "a".repeat(1000));
    assert!(closed(&mut loris, head.as_bytes()).is_some(), "a trickled head was kept open");
    // Meanwhile, and after, the server answers others.
    assert!(version_check(&server).starts_with("HTTP/1.1 200"));
}

#[test]
fn a_stalled_upload_is_answered_408_and_closed() {
    let fixture = Fixture::new();
    let (home, key) = (&fixture.home, &fixture.key);
    let server = Server::start_limited(home, Limits { body_timeout: SECOND, ..Limits::default() });
    let mut stream = TcpStream::connect(addr(&server)).unwrap();
    let boundary = "stalled";
    let head = format!(
        "POST /v1/equity/uploaders/exposures/X/stage-file?name=&replace=false&api_key={key} HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 100000\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"e.csv\"\r\n\r\ndate,asset_id"
    );
    stream.write_all(head.as_bytes()).unwrap();
    // Then nothing more: the read waiting for the body fails after the body timeout.
    let reply = closed(&mut stream, b"").expect("a stalled upload was kept open");
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    let body: Value = serde_json::from_str(&reply[reply.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    let (kind, message) = error_of(&body);
    assert_eq!(kind, "UploadError");
    assert!(message.contains("stalled"), "{message}");
    let left: Vec<_> = std::fs::read_dir(home.join("uploads")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn connections_beyond_the_cap_are_answered_503_until_one_closes() {
    let fixture = Fixture::new();
    let server = Server::start_limited(&fixture.home, Limits { max_connections: 2, idle_timeout: HOUR, ..Limits::default() });
    let first = TcpStream::connect(addr(&server)).unwrap();
    let _second = TcpStream::connect(addr(&server)).unwrap();
    // The third: refused in the platform's shape, with a Retry-After, and closed.
    let mut third = TcpStream::connect(addr(&server)).unwrap();
    third.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let reply = closed(&mut third, b"").expect("a connection beyond the cap was kept open");
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(reply.to_ascii_lowercase().contains("retry-after: 1"), "{reply}");
    let body: Value = serde_json::from_str(&reply[reply.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    assert!(error_of(&body).1.contains("limit of 2 connections"), "{body}");
    // One held connection closes: the next client is served.
    drop(first);
    let served = (0..600).any(|_| {
        let ok = version_check(&server).starts_with("HTTP/1.1 200");
        if !ok {
            std::thread::sleep(Duration::from_millis(50));
        }
        ok
    });
    assert!(served, "the cap was not freed by a closed connection");
}

#[test]
fn a_stop_closes_the_connections_left_after_the_shutdown_timeout() {
    let fixture = Fixture::new();
    let mut server = Server::start_limited(
        &fixture.home,
        Limits { header_timeout: HOUR, idle_timeout: HOUR, shutdown_timeout: SECOND, ..Limits::default() },
    );
    // A head begun and never finished, and an idle connection.
    let mut loris = TcpStream::connect(addr(&server)).unwrap();
    loris.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: a").unwrap();
    let mut idle = TcpStream::connect(addr(&server)).unwrap();
    assert!(version_check(&server).starts_with("HTTP/1.1 200")); // both were accepted before it
    assert!(server.stop_within(Duration::from_secs(60)), "the stop waited for a client that never finishes its request");
    assert!(closed(&mut loris, b"").is_some());
    assert!(closed(&mut idle, b"").is_some());
}

/// Posts a raw multipart `body` (boundary `b0undary`) to `stage-file`.
fn post_multipart(client: &Client, server: &Server, key: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let url = format!("{}/v1/equity/uploaders/exposures/X/stage-file?name=&replace=false&api_key={key}", server.url);
    let response = client.post(url).header("Content-Type", "multipart/form-data; boundary=b0undary").body(body).send().unwrap();
    (response.status(), response.json().unwrap_or(Value::Null))
}

/// A multipart part: its name, extra header lines, content.
fn part(name: &str, extra: &str, content: &[u8]) -> Vec<u8> {
    let mut p =
        format!("--b0undary\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.csv\"\r\n{extra}\r\n").into_bytes();
    p.extend_from_slice(content);
    p.extend_from_slice(b"\r\n");
    p
}

fn body(parts: Vec<Vec<u8>>) -> Vec<u8> {
    let mut b = parts.concat();
    b.extend_from_slice(b"--b0undary--\r\n");
    b
}

#[test]
fn every_byte_of_an_upload_counts_and_its_parts_and_part_headers_are_bounded() {
    let fixture = Fixture::new();
    let (home, key) = (&fixture.home, &fixture.key);
    riskdesk::Backend::create_dataset(&fixture.local, "X").unwrap();
    let server = Server::start_with(home, 200_000);
    let client = Client::new();
    let csv = b"date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-06-02,AAA,bayesid,style,Size,1.5\n";

    // Within the bounds: accepted.
    let (status, answer) = post_multipart(&client, &server, key, body(vec![part("file", "", csv)]));
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    // A part not named `file` counts too: 300 KB of it is past the 200 KB limit.
    let (status, answer) =
        post_multipart(&client, &server, key, body(vec![part("other", "", &vec![b'x'; 300_000]), part("file", "", csv)]));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(error_of(&answer).0, "UploadError");
    // A part's headers beyond 8 KB.
    let long = format!("X-Pad: {}\r\n", "a".repeat(20_000));
    let (status, answer) = post_multipart(&client, &server, key, body(vec![part("file", &long, csv)]));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(error_of(&answer).0, "UploadError");
    assert!(error_of(&answer).1.contains("bytes of headers"), "{answer}");
    // Thousands of empty parts.
    let mut many: Vec<Vec<u8>> = (0..5000).map(|_| part("x", "", b"")).collect();
    many.push(part("file", "", csv));
    let (status, answer) = post_multipart(&client, &server, key, body(many));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(error_of(&answer).0, "UploadError");
    assert!(error_of(&answer).1.contains("more than 100 parts"), "{answer}");
    // Nothing of the refused uploads is left behind.
    let left: Vec<_> = std::fs::read_dir(home.join("uploads"))
        .unwrap()
        .filter(|e| std::fs::read_dir(e.as_ref().unwrap().path()).unwrap().next().is_some())
        .collect();
    assert!(left.len() <= 1, "{left:?}"); // the accepted upload's folder, until its task ends
}

/// The `dataframe` result of a task, as one batch per Parquet row group.
fn frame_of(client: &Client, server: &Server, key: &str, id: &str) -> Vec<arrow_array::RecordBatch> {
    let progress = common::wait(client, &server.url, key, id);
    assert_eq!(progress["state"], "COMPLETED", "{progress}");
    let r = client.get(format!("{}/v1/tasks/{id}/result?type=dataframe&api_key={key}", server.url)).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(r.bytes().unwrap()).unwrap().build().unwrap();
    reader.map(Result::unwrap).collect()
}

/// The (date, asset_id) of every row of the batches of a data call asked for those two columns.
fn date_assets(batches: &[arrow_array::RecordBatch]) -> Vec<(i32, String)> {
    use arrow_array::cast::AsArray;
    let mut rows = Vec::new();
    for b in batches {
        let dates = b.column(0).as_primitive::<arrow_array::types::Date32Type>();
        let assets = b.column(1).as_string::<i32>();
        rows.extend((0..b.num_rows()).map(|r| (dates.value(r), assets.value(r).to_owned())));
    }
    rows
}

#[test]
fn filters_beyond_their_bounds_are_refused_at_once_and_large_ones_run_over_a_million_rows() {
    use serde_json::json;
    let fixture = Fixture::new();
    let days = common::demo_days(fixture.dir.path(), "days", 5_000, 20);
    let quiet = riskdesk::Progress::none();
    riskdesk::Backend::stage(&fixture.local, "Big", &[days], false, &quiet).unwrap();
    riskdesk::Backend::commit(&fixture.local, "Big", riskdesk::uploader::CommitMode::Append, None, &quiet).unwrap();
    let server = Server::start(&fixture.home);
    let client = Client::new();
    let key = &fixture.key;
    let data = format!("{}/v1/equity/uploaders/exposures/Big/data?api_key={key}", server.url);
    let post = |filters: Value| client.post(&data).json(&json!({"columns": ["date", "asset_id"], "filters": filters})).send().unwrap();

    // Every row's date and asset, unfiltered: what the filters below are checked against.
    let all = date_assets(&frame_of(&client, &server, key, &common::task_id(post(Value::Null))));
    assert!(all.len() > 900_000, "{}", all.len());

    // Refused at once (no task), 400 ValueError naming the bound and the size sent: ~2 MB of
    // one-asset groups (the shape that took minutes of CPU), more values than allowed, more
    // bytes than allowed.
    let one = |i: usize| json!([{"column": "asset_id", "operator": "==", "value": format!("Z{i:06}")}]);
    let groups: Vec<Value> = (0..31_000).map(one).collect();
    let list = |n: usize, width: usize| json!([[{"column": "asset_id", "operator": "in", "value": (0..n).map(|i| format!("{i:0width$}")).collect::<Vec<_>>()}]]);
    for (filters, says) in [
        (json!(groups), ["31,000 filters", "1,000 accepted"]),
        (list(120_000, 1), ["120,000 values", "100,000 accepted"]),
        (list(60_000, 20), ["bytes as JSON", "1,000,000 accepted"]),
    ] {
        let r = post(filters);
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let body: Value = r.json().unwrap();
        let (kind, message) = error_of(&body);
        assert_eq!(kind, "ValueError", "{message}");
        assert!(says.iter().all(|s| message.contains(s)), "{message}");
    }

    // Large but allowed (~0.7 MB: 62,500 assets of which 2,500 exist, and ten dates, or one
    // asset from a date on): it completes, with exactly the rows a plain pass over every row keeps.
    let mut assets: Vec<&str> = all.iter().map(|(_, a)| a.as_str()).collect();
    assets.sort_unstable();
    assets.dedup();
    let mut wanted: Vec<String> = assets[..2_500].iter().map(|a| a.to_string()).collect();
    wanted.extend((0..60_000).map(|i| format!("Z{i:05}")));
    let first = all.iter().map(|r| r.0).min().unwrap();
    let dates: Vec<String> = (0..10).map(|d| riskdesk::date::format(first + 2 * d)).collect();
    let last = assets[assets.len() - 1].to_owned();
    let filters = json!([
        [{"column": "asset_id", "operator": "in", "value": wanted}, {"column": "date", "operator": "in", "value": dates}],
        [{"column": "asset_id", "operator": "==", "value": last}, {"column": "date", "operator": ">=", "value": riskdesk::date::format(first + 15)}],
    ]);
    let kept = date_assets(&frame_of(&client, &server, key, &common::task_id(post(filters))));
    let wanted: std::collections::HashSet<&str> = assets[..2_500].iter().copied().collect();
    let dates: std::collections::HashSet<i32> = (0..10).map(|d| first + 2 * d).collect();
    let expected: Vec<&(i32, String)> =
        all.iter().filter(|(d, a)| (wanted.contains(a.as_str()) && dates.contains(d)) || (*a == last && *d >= first + 15)).collect();
    assert!(expected.len() > 100_000 && expected.len() < all.len() / 2, "{}", expected.len());
    assert_eq!(kept.len(), expected.len());
    assert!(kept.iter().zip(expected).all(|(k, e)| k == e));

    // The costliest shape allowed (500 groups of two filters, tested row by row: seconds of
    // CPU per million rows), cancelled: the task stops at the next date, CANCELLED.
    let pairs: Vec<Value> = (0..500)
        .map(|i| json!([{"column": "asset_id", "operator": "==", "value": assets[i % assets.len()]}, {"column": "exposure", "operator": ">=", "value": 0.5}]))
        .collect();
    let id = common::task_id(post(json!(pairs)));
    let cancelled = client.delete(format!("{}/v1/tasks/{id}?api_key={key}", server.url)).send().unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(common::wait(&client, &server.url, key, &id)["state"], "CANCELLED");
}

/// Whether `text` carries a control or invisible character as it is (not escaped).
fn raw_controls(text: &str) -> bool {
    text.chars().any(|c| c.is_control() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

#[test]
fn hostile_names_are_refused_with_a_4xx_and_only_ever_shown_escaped() {
    use serde_json::json;
    let fixture = Fixture::new();
    let key = &fixture.key;
    riskdesk::Backend::create_dataset(&fixture.local, "X").unwrap();
    let server = Server::start(&fixture.home);
    let client = Client::new();
    let csv = b"date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-06-02,AAA,bayesid,style,Size,1.5\n";
    let upload = |file_name: &str, content: &[u8]| {
        let mut b = format!("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\r\n").into_bytes();
        b.extend_from_slice(content);
        b.extend_from_slice(b"\r\n");
        post_multipart(&client, &server, key, body(vec![b]))
    };

    // A 300-character file name: 400 naming its length (it was a 500: the file could not be
    // created); a name with a bidi override (control characters cannot reach a part's headers):
    // 400, shown escaped.
    let (status, answer) = upload(&format!("{}_2025-06-02.csv", "x".repeat(285)), csv);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (kind, message) = error_of(&answer);
    assert_eq!(kind, "UploadError");
    assert!(message.contains("300 bytes long, more than the 255"), "{message}");
    let (status, answer) = upload("x\u{202e}vsc_2025-06-02.csv", csv);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let message = error_of(&answer).1;
    assert!(message.contains("x\\u{202e}vsc_2025-06-02.csv") && message.contains("U+202E") && !raw_controls(&message), "{message}");

    // A ZIP whose members are named with terminal escapes, a bidi override, a zero-width space,
    // and one decomposed: the hostile ones are refused (the task says so, escaped), the
    // decomposed one staged under its composed name.
    let mut zip_bytes = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut zip_bytes);
    for member in
        ["\u{1b}]0;owned\u{7}_2025-06-02.csv", "x\u{202e}vsc_2025-06-03.csv", "a\u{200b}b_2025-06-04.csv", "E\u{301}quipe_2025-06-05.csv"]
    {
        z.start_file(member, zip::write::SimpleFileOptions::default()).unwrap();
        let day = &member[member.len() - 14..member.len() - 4];
        let content = format!("date,asset_id,asset_id_type,factor_group,factor,exposure\n{day},BBB,bayesid,style,Size,0.5\n");
        Write::write_all(&mut z, content.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    let (status, answer) = upload("e_2025.zip", zip_bytes.get_ref());
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let id = answer["task_id"].as_str().unwrap().to_owned();
    common::wait(&client, &server.url, key, &id);
    let result: Value = client.get(format!("{}/v1/tasks/{id}/result?type=json&api_key={key}", server.url)).send().unwrap().json().unwrap();
    let text = result.to_string();
    assert_eq!(result["success"], json!(false), "{result}");
    let messages: Vec<&str> = result["results"][0]["messages"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(messages.iter().filter(|m| m.contains("is not a valid staged name")).count(), 3, "{messages:?}");
    assert!(messages.iter().all(|m| !raw_controls(m)), "{messages:?}");
    assert!(text.contains("\\\\u{1b}]0;owned\\\\u{7}") && text.contains("\\\\u{202e}"), "{text}");
    let staged: Vec<String> = riskdesk::Backend::staging_results(&fixture.local, "X").unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(staged, ["\u{c9}quipe_2025-06-05"]);

    // A NUL or an escape in a dataset's name: 400, never sent to the catalog, shown escaped.
    let u = |name: &str| format!("{}/v1/equity/uploaders/exposures/{name}", server.url);
    for (name, shown) in [("a%00b", "a\\0b"), ("a%1B%5B2Jb", "a\\u{1b}[2Jb")] {
        let r = client.get(format!("{}/version-history?api_key={key}", u(name))).send().unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let body: Value = r.json().unwrap();
        let (kind, message) = error_of(&body);
        assert_eq!(kind, "KeyError");
        assert!(message.contains(&format!("'{shown}'")) && !raw_controls(&message), "{message}");
        let r = client.post(format!("{}?api_key={key}", u(name))).send().unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let body: Value = r.json().unwrap();
        let (kind, message) = error_of(&body);
        assert_eq!(kind, "ValueError");
        assert!(message.contains("is not a valid dataset name") && !raw_controls(&message), "{message}");
    }
    // Names that would look like another are refused: a bidi override, a zero-width space.
    for name in ["Risk%E2%80%AEksiR", "Ri%E2%80%8Bsk"] {
        let r = client.post(format!("{}?api_key={key}", u(name))).send().unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{name}");
        assert!(error_of(&r.json().unwrap()).1.contains("invisible formatting character"));
    }
}
