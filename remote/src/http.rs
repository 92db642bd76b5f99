//! The HTTP side of the remote client: requests carrying the API key, errors read back into the
//! engine's [`Error`] (the server's own `{code, message, details}` when it sends one, else a
//! message naming the server and what to do), retries of idempotent requests, and the
//! platform's task protocol with the server's progress and cancellation.
//!
//! What a server sends is bounded: an error's body is read up to [`ERROR_BODY_LIMIT`], a task is
//! followed until its [`Deadlines`], each poll of it answered within [`POLL_TIMEOUT`]. A key
//! about to travel unencrypted (`http://` to another machine) is warned about once per process.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use riskdesk::error::ErrorBody;
use riskdesk::{Error, Progress, Result};
use serde_json::Value;

/// How often a task is polled: at first often (most tasks end within a moment), then less.
const POLL_FIRST: Duration = Duration::from_millis(25);
const POLL_MOST: Duration = Duration::from_millis(500);
/// Attempts of an idempotent request when the server cannot be reached or is briefly down.
const ATTEMPTS: u32 = 3;
/// The most bytes of an error's body read (a longer one is cut, and its message says so).
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// How long one poll of a task (its progress, whether it is ready) may take to be answered.
const POLL_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a task on the server is followed before the client gives up on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// From the task's start to its end (then it is cancelled on the server, and the call fails
    /// with the code `timeout`).
    pub task: Duration,
    /// From a cancel sent (the caller's, or at the task's deadline) to the task's end.
    pub cancel: Duration,
}

impl Default for Deadlines {
    /// Twelve hours for a task (a long build or estimation takes minutes), two minutes for a
    /// cancel (the engine stops at its next step).
    fn default() -> Self {
        Deadlines { task: Duration::from_secs(12 * 3600), cancel: Duration::from_secs(120) }
    }
}

/// A server's address and key, and the HTTP client that talks to it.
pub struct Http {
    pub endpoint: String,
    key: String,
    client: Client,
    pub deadlines: Deadlines,
}

/// Whether the plain-HTTP warning was given (it is given once per process).
static WARNED: AtomicBool = AtomicBool::new(false);

/// Whether `endpoint` sends what it is given unencrypted to another machine: `http://` to a host
/// that is not this one's loopback (`localhost`, `127.0.0.0/8`, `::1`).
pub fn exposes_key(endpoint: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else { return false };
    if url.scheme() != "http" {
        return false;
    }
    let Some(host) = url.host_str() else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => !ip.is_loopback(),
        Err(_) => {
            let domain = host.trim_end_matches('.').to_ascii_lowercase();
            domain != "localhost" && !domain.ends_with(".localhost")
        }
    }
}

/// An error's body as text, read up to [`ERROR_BODY_LIMIT`] bytes; whether there was more.
fn bounded_body(response: Response) -> (String, bool) {
    let mut bytes = Vec::new();
    let _ = response.take(ERROR_BODY_LIMIT as u64 + 1).read_to_end(&mut bytes);
    let cut = bytes.len() > ERROR_BODY_LIMIT;
    bytes.truncate(ERROR_BODY_LIMIT);
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if cut {
        // The cut may have split a character: drop the replacement character it left.
        text = text.trim_end_matches('\u{FFFD}').to_owned();
    }
    (text, cut)
}

/// An error of the remote client with its own code.
pub(crate) fn remote_error(code: &str, message: String) -> Error {
    Error::Reported(ErrorBody { code: code.to_owned(), message, details: Vec::new() })
}

impl Http {
    pub fn new(endpoint: &str, key: &str) -> Result<Http> {
        let endpoint = endpoint.trim().trim_end_matches('/').to_owned();
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(Error::invalid(format!("the server address must start with http:// or https://, not '{endpoint}'")));
        }
        let client = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(None)
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the HTTP client: {e}")))?;
        if exposes_key(&endpoint) && !WARNED.swap(true, Ordering::Relaxed) {
            eprintln!(
                "Warning: {endpoint} is plain http:// to another machine: the API key and the data travel unencrypted, readable \
                 on the way. Use https:// (riskdesk serve behind a TLS proxy) unless the network between is trusted."
            );
        }
        Ok(Http { endpoint, key: key.trim().to_owned(), client, deadlines: Deadlines::default() })
    }

    /// A request to `path` (below the endpoint) with the API key, sent as a bearer token (so that
    /// it never appears in a URL, hence in an error message or a log).
    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.endpoint)).bearer_auth(&self.key)
    }

    /// A request to `path` without the key (the version check).
    pub fn anonymous(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.endpoint))
    }

    /// Sends a request; a connection failure or a failing status becomes an [`Error`].
    pub fn send(&self, request: RequestBuilder) -> Result<Response> {
        let response = request.send().map_err(|e| self.unreachable(&e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(self.failure(response))
    }

    /// Sends an idempotent request (a read), retrying when the server cannot be reached or
    /// answers 502/503/504 (a restart, a proxy), twice, after 0.5 then 1 s.
    pub fn send_idempotent(&self, make: impl Fn() -> RequestBuilder) -> Result<Response> {
        let mut wait = Duration::from_millis(500);
        for attempt in 1..=ATTEMPTS {
            match make().send() {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r) if attempt < ATTEMPTS && matches!(r.status().as_u16(), 502..=504) => {}
                Ok(r) => return Err(self.failure(r)),
                Err(e) if attempt < ATTEMPTS && (e.is_connect() || e.is_request()) => {}
                Err(e) => return Err(self.unreachable(&e)),
            }
            std::thread::sleep(wait);
            wait *= 2;
        }
        unreachable!("the last attempt returns")
    }

    fn unreachable(&self, e: &reqwest::Error) -> Error {
        // The causes' own words (reqwest's text names the URL, so it is left out).
        let mut causes = Vec::new();
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            causes.push(c.to_string());
            cause = c.source();
        }
        causes.dedup();
        let said = causes.last().cloned().unwrap_or_default();
        let why = if said.to_lowercase().contains("certificate") {
            format!("its TLS certificate is not trusted here ({said}); ask its administrator for a certificate your system trusts")
        } else if said.to_lowercase().contains("ssl") || said.to_lowercase().contains("tls") {
            format!("the secure connection failed ({said}); check that the address's http or https matches the server")
        } else if e.is_connect() {
            "nothing answers there".to_owned()
        } else if e.is_timeout() {
            "it did not answer in time".to_owned()
        } else if said.is_empty() {
            "the connection broke off".to_owned()
        } else {
            format!("the connection broke off ({said})")
        };
        remote_error(
            "unreachable",
            format!(
                "Cannot reach the server at {}: {why}. Check the address, that `riskdesk serve` runs there, and your network.",
                self.endpoint
            ),
        )
    }

    /// The error a failing response carries.
    /// The error a failing response carries (its body read up to [`ERROR_BODY_LIMIT`]).
    pub fn failure(&self, response: Response) -> Error {
        let status = response.status();
        let (text, cut) = bounded_body(response);
        let body: Value = if cut { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::Null) };
        let detail = &body["detail"];
        if let Ok(engine) = serde_json::from_value::<ErrorBody>(detail["error"].clone()) {
            return Error::from(engine);
        }
        // The platform's shape: the message is a JSON string literal (or plain text); else the
        // body as it came, cut at the bound.
        let message = detail["message"]
            .as_str()
            .map(|m| serde_json::from_str::<String>(m).unwrap_or_else(|_| m.to_owned()))
            .or_else(|| detail.as_str().map(str::to_owned))
            .unwrap_or_else(|| match text.trim() {
                "" => format!("HTTP {status}"),
                said if cut => format!("HTTP {status}: {said}…(truncated)"),
                said if body.is_null() => format!("HTTP {status}: {said}"),
                _ => format!("HTTP {status}"),
            });
        let server = &self.endpoint;
        match status {
            StatusCode::UNAUTHORIZED => remote_error(
                "unauthorized",
                format!("The server at {server} refused the API key: {message}. Ask its administrator for a key (`riskdesk keys create`)."),
            ),
            StatusCode::FORBIDDEN => {
                remote_error("unauthorized", format!("The server at {server} does not allow this with your API key: {message}"))
            }
            StatusCode::PAYLOAD_TOO_LARGE => remote_error("too_large", format!("The server at {server} refused the upload: {message}")),
            StatusCode::NOT_FOUND if detail["type"] == "KeyError" => remote_error(
                "not_found",
                format!("The server at {server} no longer knows this ({message}): it may have restarted; try again"),
            ),
            StatusCode::NOT_FOUND => remote_error(
                "unsupported",
                format!(
                    "The server at {server} does not offer this (HTTP 404): it may be a plain risk platform server without Riskdesk's own calls"
                ),
            ),
            s if s.is_server_error() => remote_error("server_error", format!("The server at {server} failed (HTTP {s}): {message}")),
            _ => match detail["type"].as_str() {
                Some("KeyError") => remote_error("not_found", message),
                _ => Error::invalid(message),
            },
        }
    }

    /// Waits for a task (`202 {"task_id"}`), relaying the server's progress to `progress` and
    /// cancelling the task when `progress` is cancelled or its deadline passes (see
    /// [`Deadlines`]); then fetches its result of `kind`.
    pub fn task(&self, accepted: Response, kind: &str, progress: &Progress<'_>) -> Result<Response> {
        let id = accepted
            .json::<Value>()
            .map_err(|e| remote_error("server_error", format!("the server's task answer is not JSON: {e}")))?["task_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| remote_error("server_error", "the server's task answer has no task_id".into()))?;
        let path = format!("/v1/tasks/{id}");
        let started = Instant::now();
        let mut pause = POLL_FIRST;
        loop {
            let late = started.elapsed() >= self.deadlines.task;
            if late || progress.check().is_err() {
                let _ = self.send(self.request(reqwest::Method::DELETE, &path));
                // Wait for the task to end, so that whatever it undoes is undone on return; a
                // task that finished before the cancel reached it keeps its result.
                let cancelled = Instant::now();
                while !self.ready(&path)? {
                    if cancelled.elapsed() >= self.deadlines.cancel {
                        return Err(remote_error(
                            "timeout",
                            format!(
                                "The server at {} did not end task {id} within {} of its cancel: it may still be running there.",
                                self.endpoint,
                                words(self.deadlines.cancel)
                            ),
                        ));
                    }
                    std::thread::sleep(POLL_FIRST.min(self.deadlines.cancel));
                }
                let state: Value = self.poll(&format!("{path}/progress"))?.json().unwrap_or(Value::Null);
                if state["state"] != "COMPLETED" {
                    return Err(if late {
                        remote_error(
                            "timeout",
                            format!(
                                "The server at {} did not finish task {id} within {}, so it was cancelled.",
                                self.endpoint,
                                words(self.deadlines.task)
                            ),
                        )
                    } else {
                        Error::Cancelled
                    });
                }
                break;
            }
            let state: Value = self.poll(&format!("{path}/progress"))?.json().unwrap_or(Value::Null);
            let message = state["last_message"].as_str().unwrap_or_default();
            // The server's percentage, under the phase `server`, with its own words.
            let said = if message.is_empty() { "on the server".to_owned() } else { format!("on the server ({message})") };
            progress.report("server", state["last_progress"].as_u64().unwrap_or(0), 100, said);
            if self.ready(&path)? {
                break;
            }
            std::thread::sleep(pause.min(self.deadlines.task));
            pause = (pause * 3 / 2).min(POLL_MOST);
        }
        self.send_idempotent(|| self.request(reqwest::Method::GET, &format!("{path}/result")).query(&[("type", kind)]))
    }

    /// A poll of a task (`GET path`), answered within [`POLL_TIMEOUT`].
    fn poll(&self, path: &str) -> Result<Response> {
        self.send_idempotent(|| self.request(reqwest::Method::GET, path).timeout(POLL_TIMEOUT))
    }

    /// Whether a task has ended.
    fn ready(&self, path: &str) -> Result<bool> {
        let r = self.poll(&format!("{path}/ready"))?;
        Ok(r.json::<Value>().map(|v| v == Value::Bool(true)).unwrap_or(false))
    }
}

/// A duration in words: `90 s`, `2 min`, `12 h`.
fn words(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 && s.is_multiple_of(3600) {
        format!("{} h", s / 3600)
    } else if s >= 60 && s.is_multiple_of(60) {
        format!("{} min", s / 60)
    } else if s >= 1 {
        format!("{s} s")
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_to_another_machine_exposes_the_key() {
        for exposed in ["http://10.0.0.5:8080", "http://riskdesk.example.com", "http://[2001:db8::1]:80", "http://localhost.example.com"] {
            assert!(exposes_key(exposed), "{exposed}");
        }
        for safe in [
            "https://riskdesk.example.com",
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:80",
            "http://LOCALHOST.",
            "http://[::1]:8080",
            "http://a.localhost",
        ] {
            assert!(!exposes_key(safe), "{safe}");
        }
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(
            [
                words(Duration::from_secs(43_200)),
                words(Duration::from_secs(120)),
                words(Duration::from_secs(90)),
                words(Duration::from_millis(300))
            ],
            ["12 h", "2 min", "90 s", "300 ms"]
        );
    }
}
