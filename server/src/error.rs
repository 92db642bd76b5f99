//! Errors in the platform's shape: `{"detail": {"type", "message", "stacktrace"}}` with a 4xx
//! status for everything a caller can act on (the client turns `type` into a Python exception;
//! a 5xx bypasses that mapping, so it is kept for real server faults).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error answered over HTTP.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status answered.
    pub status: StatusCode,
    /// The Python exception class the client raises: `KeyError`, `ValueError`, `UploadError`, ….
    pub kind: &'static str,
    /// What went wrong, in words the caller can act on (the platform's `message`).
    pub message: String,
    /// The engine's error as it was (stable code, message, details), for Riskdesk's own remote
    /// client; the platform's client ignores it.
    pub engine: Option<Box<riskdesk::error::ErrorBody>>,
    /// Seconds after which the client may try again (sent as `Retry-After`), for a request
    /// refused because the server is full.
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// An error with this status, exception class and message.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, kind, message: message.into(), engine: None, retry_after: None }
    }

    /// The same error raised as another exception class (a 4xx only: a 5xx keeps its kind).
    pub fn kind(mut self, kind: &'static str) -> Self {
        if self.status.is_client_error() && self.status != StatusCode::UNAUTHORIZED && self.status != StatusCode::FORBIDDEN {
            self.kind = kind;
        }
        self
    }

    /// A request the server cannot serve as asked (400 `ValueError`).
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "ValueError", message)
    }

    /// A server fault (500). `message` goes to the server's log under a new reference; the
    /// client is told only that the server failed and under which reference, never the server's
    /// paths or its database's messages.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", logged(&message.into()))
    }

    /// Refused because the server (or the caller's share of it) is full: `status` 429 or 503,
    /// typed `RuntimeError`, with `Retry-After: seconds`.
    pub fn full(status: StatusCode, seconds: u32, message: impl Into<String>) -> Self {
        ApiError { retry_after: Some(seconds), ..ApiError::new(status, "RuntimeError", message) }
    }

    /// No key, or a key that opens nothing: 401, typed `PermissionDeniedError` (the official
    /// client raises it as an HTTP error whose text carries the message).
    pub fn denied(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "PermissionDeniedError", message)
    }

    /// A key whose scope does not allow what it asked for: 403, typed `PermissionDeniedError`
    /// like [`ApiError::denied`].
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "PermissionDeniedError", message)
    }
}

impl From<riskdesk::Error> for ApiError {
    fn from(e: riskdesk::Error) -> Self {
        // The engine's stable codes, mapped onto the exceptions the client knows.
        let (status, kind) = match e.code() {
            "not_found" => (StatusCode::BAD_REQUEST, "KeyError"),
            "invalid_input" => (StatusCode::BAD_REQUEST, "ValueError"),
            "conflict" | "cancelled" => (StatusCode::BAD_REQUEST, "UploadError"),
            "busy" => (StatusCode::CONFLICT, "UploadError"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "InternalError"),
        };
        let mut message = e.to_string();
        let details = e.details();
        if !details.is_empty() {
            message = format!("{message}\n{}", details.join("\n"));
        }
        let mut body = riskdesk::error::ErrorBody::from(&e);
        if status.is_server_error() {
            // A fault of the server: its words stay in the server's log.
            message = logged(&message);
            body.message.clone_from(&message);
            body.details.clear();
        }
        ApiError { engine: Some(Box::new(body)), ..ApiError::new(status, kind, message) }
    }
}

/// Writes a server fault's `message` to the server's log (standard error) under a new reference;
/// what the client is told instead.
fn logged(message: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let mut salt = [0u8; 3];
    let _ = getrandom::fill(&mut salt);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let reference = format!("E{n}-{:02x}{:02x}{:02x}", salt[0], salt[1], salt[2]);
    eprintln!("error {reference}: {}", message.replace('\n', " | "));
    format!("the server failed; its log says why under reference {reference}")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The client JSON-decodes `message` when it can: send it as a JSON string literal so
        // that a message which happens to be valid JSON (a number, say) stays text.
        let message = serde_json::to_string(&self.message).unwrap_or_default();
        let mut detail = serde_json::json!({ "type": self.kind, "message": message, "stacktrace": self.message });
        if let Some(engine) = &self.engine {
            detail["error"] = serde_json::to_value(engine).unwrap_or_default();
        }
        let body = serde_json::json!({ "detail": detail });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
