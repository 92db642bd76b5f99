//! What the server tests share: a real server on loopback over a home folder, and the
//! platform's task protocol and error shape, polled and read the way the client does.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use reqwest::blocking::Client;
use riskdesk::LocalBackend;
use serde_json::{Value, json};

/// A server on a free port over `home`, stopped when dropped.
pub struct Server {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<usize>>>,
}

impl Server {
    pub fn start(home: &Path) -> Server {
        Server::start_with(home, riskdesk_server::DEFAULT_UPLOAD_LIMIT)
    }

    pub fn start_with(home: &Path, upload_limit: u64) -> Server {
        Server::start_limited(home, riskdesk_server::Limits { upload: upload_limit, ..Default::default() })
    }

    /// A server over `home` granting its clients `limits`.
    pub fn start_limited(home: &Path, limits: riskdesk_server::Limits) -> Server {
        Server::start_on_threads(home, limits, 512)
    }

    /// [`Server::start_limited`] on a runtime of at most `blocking_threads` blocking threads.
    pub fn start_on_threads(home: &Path, limits: riskdesk_server::Limits, blocking_threads: usize) -> Server {
        let backend = LocalBackend::open(home).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().max_blocking_threads(blocking_threads).enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                let shutdown = async move {
                    let _ = stopped.await;
                };
                riskdesk_server::serve(backend, limits, listener, shutdown, move |addr| tx.send(addr).unwrap()).await
            })
        });
        let addr = rx.recv().unwrap();
        Server { url: format!("http://{addr}"), stop: Some(stop), thread: Some(thread) }
    }
}

impl Server {
    /// Asks the server to stop and waits for it, for `bound` at most: whether it stopped.
    pub fn stop_within(&mut self, bound: std::time::Duration) -> bool {
        let _ = self.stop.take().map(|s| s.send(()));
        let deadline = std::time::Instant::now() + bound;
        while self.thread.as_ref().is_some_and(|t| !t.is_finished()) {
            if std::time::Instant::now() > deadline {
                self.thread.take(); // left running, detached, so that the test ends
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if let Some(t) = self.thread.take() {
            t.join().unwrap().unwrap();
        }
        true
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        if let Some(t) = self.thread.take() {
            t.join().unwrap().unwrap();
        }
    }
}

pub fn get(client: &Client, url: &str) -> (StatusCode, Value) {
    let r = client.get(url).send().unwrap();
    (r.status(), r.json().unwrap_or(Value::Null))
}

/// The platform's error body: the exception's type and its message (a JSON string literal).
pub fn error_of(body: &Value) -> (&str, String) {
    let detail = &body["detail"];
    let message: String = serde_json::from_str(detail["message"].as_str().unwrap()).unwrap();
    (detail["type"].as_str().unwrap(), message)
}

/// Polls a task the way the client does (progress, ready) until it ends; returns its last progress.
pub fn wait(client: &Client, base: &str, key: &str, id: &str) -> Value {
    for _ in 0..600 {
        let (status, progress) = get(client, &format!("{base}/v1/tasks/{id}/progress?api_key={key}"));
        assert_eq!(status, StatusCode::OK, "{progress}");
        if get(client, &format!("{base}/v1/tasks/{id}/ready?api_key={key}")).1 == json!(true) {
            return get(client, &format!("{base}/v1/tasks/{id}/progress?api_key={key}")).1;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("task {id} never ended");
}

/// The task id of a 202 answer (exactly `task_id` and `extra`).
pub fn task_id(response: reqwest::blocking::Response) -> String {
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let body: Value = response.json().unwrap();
    assert_eq!(body["extra"], json!({}), "{body}");
    body["task_id"].as_str().unwrap().to_owned()
}

/// A temporary home folder with an `admin` API key for tester@example.com.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub local: LocalBackend,
    pub key: String,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let local = LocalBackend::open(&home).unwrap();
        let (_, key) = local.create_key("tester@example.com", riskdesk::keys::Scope::Admin).unwrap();
        Fixture { dir, home, local, key }
    }
}

/// Demo daily files (`assets` x `days` from 2025-05-01) written into `dir/folder`.
pub fn demo_days(dir: &Path, folder: &str, assets: usize, days: usize) -> PathBuf {
    let out = dir.join(folder);
    let opts = riskdesk::demo::DemoOptions { assets, days, ..Default::default() };
    riskdesk::demo::write_exposures(&out, &opts, &riskdesk::Progress::none()).unwrap();
    out
}
