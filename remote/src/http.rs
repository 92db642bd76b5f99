//! The HTTP side of the remote client: requests carrying the API key, errors read back into the
//! engine's [`Error`] (the server's own `{code, message, details}` when it sends one, else a
//! message naming the server and what to do), retries of idempotent requests, and the
//! platform's task protocol with the server's progress and cancellation.

use std::time::Duration;

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

/// A server's address and key, and the HTTP client that talks to it.
pub struct Http {
    pub endpoint: String,
    key: String,
    client: Client,
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
        Ok(Http { endpoint, key: key.trim().to_owned(), client })
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
    pub fn failure(&self, response: Response) -> Error {
        let status = response.status();
        let body: Value = response.json().unwrap_or(Value::Null);
        let detail = &body["detail"];
        if let Ok(engine) = serde_json::from_value::<ErrorBody>(detail["error"].clone()) {
            return Error::from(engine);
        }
        // The platform's shape: the message is a JSON string literal (or plain text).
        let message = detail["message"]
            .as_str()
            .map(|m| serde_json::from_str::<String>(m).unwrap_or_else(|_| m.to_owned()))
            .or_else(|| detail.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("HTTP {status}"));
        let server = &self.endpoint;
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => remote_error(
                "unauthorized",
                format!("The server at {server} refused the API key: {message}. Ask its administrator for a key (`riskdesk keys create`)."),
            ),
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
    /// cancelling the task when `progress` is cancelled; then fetches its result of `kind`.
    pub fn task(&self, accepted: Response, kind: &str, progress: &Progress<'_>) -> Result<Response> {
        let id = accepted
            .json::<Value>()
            .map_err(|e| remote_error("server_error", format!("the server's task answer is not JSON: {e}")))?["task_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| remote_error("server_error", "the server's task answer has no task_id".into()))?;
        let path = format!("/v1/tasks/{id}");
        let mut pause = POLL_FIRST;
        loop {
            if progress.check().is_err() {
                let _ = self.send(self.request(reqwest::Method::DELETE, &path));
                // Wait for the task to end, so that whatever it undoes is undone on return; a
                // task that finished before the cancel reached it keeps its result.
                while !self.ready(&path)? {
                    std::thread::sleep(POLL_FIRST);
                }
                let state: Value =
                    self.send_idempotent(|| self.request(reqwest::Method::GET, &format!("{path}/progress")))?.json().unwrap_or(Value::Null);
                if state["state"] != "COMPLETED" {
                    return Err(Error::Cancelled);
                }
                break;
            }
            let state: Value =
                self.send_idempotent(|| self.request(reqwest::Method::GET, &format!("{path}/progress")))?.json().unwrap_or(Value::Null);
            let message = state["last_message"].as_str().unwrap_or_default();
            // The server's percentage, under the phase `server`, with its own words.
            let said = if message.is_empty() { "on the server".to_owned() } else { format!("on the server ({message})") };
            progress.report("server", state["last_progress"].as_u64().unwrap_or(0), 100, said);
            if self.ready(&path)? {
                break;
            }
            std::thread::sleep(pause);
            pause = (pause * 3 / 2).min(POLL_MOST);
        }
        self.send_idempotent(|| self.request(reqwest::Method::GET, &format!("{path}/result")).query(&[("type", kind)]))
    }

    /// Whether a task has ended.
    fn ready(&self, path: &str) -> Result<bool> {
        let r = self.send_idempotent(|| self.request(reqwest::Method::GET, &format!("{path}/ready")))?;
        Ok(r.json::<Value>().map(|v| v == Value::Bool(true)).unwrap_or(false))
    }
}
