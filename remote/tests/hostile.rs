//! The remote client against a hostile server (a tiny HTTP server on loopback, in this test): an
//! endless error body is read only up to its bound, and a task that never ends, or never ends
//! once cancelled, fails the call with a clear error instead of being polled for ever.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use riskdesk::uploader::CommitMode;
use riskdesk::{Backend, Progress};
use riskdesk_remote::{Deadlines, ERROR_BODY_LIMIT, RemoteBackend};

/// What the hostile server does with Riskdesk's calls.
#[derive(Clone, Copy)]
enum Mischief {
    /// Answers 500 with a body that never ends (until the client hangs up).
    EndlessError,
    /// Starts a task that stays `RUNNING` until it is cancelled, and then too unless it
    /// `honours` the cancel (then it ends `CANCELLED`).
    EndlessTask { honours: bool },
}

/// A server on loopback answering the version check and `whoami` as a Riskdesk server would,
/// and everything else as its [`Mischief`] says; stopped when dropped.
struct Hostile {
    url: String,
    stop: Arc<AtomicBool>,
    /// The requests received, as `METHOD PATH` (the query left out).
    seen: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Hostile {
    fn start(mischief: Mischief) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, seen, cancelled) = (Arc::new(AtomicBool::new(false)), Arc::default(), Arc::new(AtomicBool::new(false)));
        let (stopped, log) = (Arc::clone(&stop), Arc::clone(&seen));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (log, cancelled) = (Arc::clone(&log), Arc::clone(&cancelled));
                std::thread::spawn(move || answer(stream, mischief, &log, &cancelled));
            }
        });
        Hostile { url, stop, seen, thread: Some(thread) }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.url.trim_start_matches("http://")); // wakes the accept loop
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

/// Answers one connection's requests (each answer closes it).
fn answer(stream: TcpStream, mischief: Mischief, seen: &Mutex<Vec<String>>, cancelled: &AtomicBool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        head.push(line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let mut words = head[0].split_whitespace();
    let (method, target) = (words.next().unwrap().to_owned(), words.next().unwrap().to_owned());
    let path = target.split('?').next().unwrap().to_owned();
    seen.lock().unwrap().push(format!("{method} {path}"));
    let mut stream = stream;
    let json = |stream: &mut TcpStream, status: &str, body: &str| {
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    };
    match (method.as_str(), path.as_str(), mischief) {
        ("GET", "/", _) => json(&mut stream, "200 OK", r#"{"client_version":"0.24.2","name":"riskdesk","version":"0"}"#),
        ("GET", "/v1/auth/users/whoami", _) => json(&mut stream, "200 OK", r#"{"email":"a@example.com"}"#),
        (_, _, Mischief::EndlessError) => {
            // No length: the body lasts until the connection closes, which only the client does.
            let _ = write!(stream, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n");
            let chunk = vec![b'x'; 16 * 1024];
            while stream.write_all(&chunk).is_ok() {}
        }
        ("POST", "/v1/riskdesk/call", Mischief::EndlessTask { .. }) => json(&mut stream, "202 Accepted", r#"{"task_id":"t1","extra":{}}"#),
        ("GET", "/v1/tasks/t1/progress", Mischief::EndlessTask { honours }) => {
            let state = if honours && cancelled.load(Ordering::Relaxed) { "CANCELLED" } else { "RUNNING" };
            json(&mut stream, "200 OK", &format!(r#"{{"state":"{state}","last_progress":5,"last_message":"working"}}"#));
        }
        ("GET", "/v1/tasks/t1/ready", Mischief::EndlessTask { honours }) => {
            json(&mut stream, "200 OK", if honours && cancelled.load(Ordering::Relaxed) { "true" } else { "false" });
        }
        ("DELETE", "/v1/tasks/t1", _) => {
            cancelled.store(true, Ordering::Relaxed);
            json(&mut stream, "200 OK", "{}");
        }
        _ => json(&mut stream, "404 Not Found", r#"{"detail":"Not Found"}"#),
    }
}

#[test]
fn an_endless_error_body_is_read_up_to_its_bound() {
    let server = Hostile::start(Mischief::EndlessError);
    let backend = RemoteBackend::connect(&server.url, "rdk_test").unwrap();
    let err = backend.datasets().unwrap_err().to_string();
    assert!(err.starts_with(&format!("The server at {} failed (HTTP 500 Internal Server Error): HTTP 500", server.url)), "{}", &err[..200]);
    assert!(err.ends_with("xxx…(truncated)"), "{}", &err[err.len() - 200..]);
    // Exactly the bound of the body was kept (the body never ends: reading it all never returns).
    assert_eq!(err.matches('x').count(), ERROR_BODY_LIMIT);
}

#[test]
fn a_task_past_its_deadline_is_cancelled_and_the_call_says_so() {
    let server = Hostile::start(Mischief::EndlessTask { honours: true });
    let short = Deadlines { task: Duration::from_millis(300), cancel: Duration::from_secs(60) };
    let backend = RemoteBackend::connect(&server.url, "rdk_test").unwrap().with_deadlines(short);
    let err = backend.diff("D", 1, 2).unwrap_err();
    assert_eq!(err.code(), "timeout", "{err}");
    assert!(
        err.to_string().contains(&format!("The server at {} did not finish task t1 within 300 ms, so it was cancelled", server.url)),
        "{err}"
    );
    assert!(server.seen().contains(&"DELETE /v1/tasks/t1".to_owned()), "{:?}", server.seen());
}

#[test]
fn a_task_that_ends_neither_by_itself_nor_cancelled_fails_at_the_cancel_deadline() {
    let server = Hostile::start(Mischief::EndlessTask { honours: false });
    let short = Deadlines { task: Duration::from_millis(300), cancel: Duration::from_millis(300) };
    let backend = RemoteBackend::connect(&server.url, "rdk_test").unwrap().with_deadlines(short);
    let err = backend.diff("D", 1, 2).unwrap_err();
    assert_eq!(err.code(), "timeout", "{err}");
    assert!(err.to_string().contains("did not end task t1 within 300 ms of its cancel: it may still be running there"), "{err}");
}

#[test]
fn a_cancel_by_the_caller_that_the_server_never_honours_fails_at_the_cancel_deadline() {
    let server = Hostile::start(Mischief::EndlessTask { honours: false });
    let deadlines = Deadlines { task: Duration::from_secs(3600), cancel: Duration::from_millis(300) };
    let backend = RemoteBackend::connect(&server.url, "rdk_test").unwrap().with_deadlines(deadlines);
    let cancel = AtomicBool::new(true);
    let err = backend.commit("D", CommitMode::Append, None, &Progress::none().cancellable(&cancel)).unwrap_err();
    assert_eq!(err.code(), "timeout", "{err}");
    assert!(err.to_string().contains("within 300 ms of its cancel: it may still be running there"), "{err}");
    let seen = server.seen();
    assert_eq!(seen.iter().filter(|r| *r == "DELETE /v1/tasks/t1").count(), 1, "{seen:?}");
}
