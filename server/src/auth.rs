//! API keys and what they may do. Every `/v1` request carries a key, as the `api_key` query
//! parameter (what the platform's client sends) or as `Authorization: Bearer KEY`; the key is
//! never logged (a refused one is named by its [`fingerprint`]).
//!
//! - Keys are checked by a few threads of their own ([`KeyChecks`]) fed by a bounded queue, never
//!   on tokio's blocking pool, where queued engine work would make every request wait; a key is
//!   read from the catalog at every request, so a revocation takes effect at once.
//! - What a key may do is its [`Scope`]; [`ROUTES`] and [`CALLS`] are the one table of what each
//!   route (by method and path as registered) and each [`riskdesk::api::Call`] of
//!   `POST /v1/riskdesk/call` needs. What the table lacks needs `admin` (it fails closed).
//! - The security log: refused keys, scope refusals, destroys and deletes, one line each on
//!   standard error starting `security: `, with the client's address when the connection gave it.
//! - [`caller`] gives code running for a request the key it came with.

use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use riskdesk::LocalBackend;
use riskdesk::api::Call;
use riskdesk::keys::{ApiKey, Scope, fingerprint};

use crate::{ApiError, AppState};

/// The user a request's key belongs to (an e-mail address).
#[derive(Debug, Clone)]
pub struct User(pub String);

/// The key a request came with, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Caller {
    /// The key's id (`riskdesk keys list`).
    pub key: i64,
    /// The key's user (an e-mail address).
    pub user: String,
    /// What the key may do.
    pub scope: Scope,
    /// The client's address, when the connection gave it.
    pub remote: Option<SocketAddr>,
}

tokio::task_local! {
    /// The caller of the request being served (set around the handlers by [`require_key`]).
    static CALLER: Caller;
}

/// The key of the request whose handler (or anything it awaits) is running; `None` outside a
/// request (in work moved to another task or thread, whose caller must be passed along).
pub(crate) fn caller() -> Option<Caller> {
    CALLER.try_with(Caller::clone).ok()
}

// --- What each route and call needs -------------------------------------------------------

use Scope::{Admin, Read, Write};

/// What each route needs, by method and path as registered (parameters in braces); the
/// security-logged ones name their event. `POST /v1/riskdesk/call` needs `read` to be reached,
/// then what [`CALLS`] says of the call in its body.
pub(crate) const ROUTES: &[(&str, &str, Scope, Option<&str>)] = &[
    ("GET", "/v1/auth/users/whoami", Read, None),
    // The exposure uploader.
    ("GET", "/v1/equity/uploaders", Read, None),
    ("GET", "/v1/equity/uploaders/freshness", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}", Read, None),
    ("POST", "/v1/equity/uploaders/{data_type}/{dataset}", Write, None),
    ("DELETE", "/v1/equity/uploaders/{data_type}/{dataset}", Admin, Some("destroy")),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/schema", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/summary-schema", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/detail-summary-schema", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/summary", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/detail-summary", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/version-history", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/commit-modes", Read, None),
    ("POST", "/v1/equity/uploaders/{data_type}/{dataset}/commit", Write, None),
    ("POST", "/v1/equity/uploaders/{data_type}/{dataset}/data", Read, None),
    ("POST", "/v1/equity/uploaders/{data_type}/{dataset}/stage-file", Write, None),
    // The staging area.
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/staging-results", Read, None),
    ("DELETE", "/v1/equity/uploaders/{data_type}/{dataset}/staging", Write, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/staging-data-summary", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/staging-data-detail-summary", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/staging-data", Read, None),
    ("GET", "/v1/equity/uploaders/{data_type}/{dataset}/validate-staging-data", Read, None),
    // Risk datasets and their settings.
    ("GET", "/v1/equity/dataset", Read, None),
    ("GET", "/v1/equity/dataset/describe", Read, None),
    ("GET", "/v1/equity/dataset/describe/{name}", Read, None),
    ("POST", "/v1/equity/dataset/create/{name}", Write, None),
    ("POST", "/v1/equity/dataset/update/{name}", Write, None),
    ("DELETE", "/v1/equity/dataset/{name}", Admin, Some("delete")),
    ("GET", "/v1/settings", Read, None),
    ("POST", "/v1/settings/read", Read, None),
    ("GET", "/v1/settings/available", Read, None),
    ("GET", "/v1/equity/settings/risk-dataset/settings", Read, None),
    ("GET", "/v1/equity/settings/exposure/available-settings", Read, None),
    // Exposure reports (reads, whatever their method).
    ("POST", "/v1/equity/report/calculate", Read, None),
    ("POST", "/v1/equity/report/accessor/data", Read, None),
    ("POST", "/v1/equity/report/accessor/{id}/levels", Read, None),
    ("POST", "/v1/equity/exposures", Read, None),
    // Risk models (their reports may estimate a model from stored data: still a read).
    ("GET", "/v1/equity/riskmodels", Read, None),
    ("GET", "/v1/equity/riskmodels/catalog", Read, None),
    // Riskdesk's own calls.
    ("POST", "/v1/riskdesk/call", Read, None),
    ("POST", "/v1/riskdesk/exposures", Read, None),
    ("POST", "/v1/riskdesk/references/{name}", Admin, None),
    // Tasks: following one, and cancelling it.
    ("DELETE", "/v1/tasks/{id}", Read, None),
    ("GET", "/v1/tasks/{id}/progress", Read, None),
    ("GET", "/v1/tasks/{id}/ready", Read, None),
    ("GET", "/v1/tasks/{id}/result", Read, None),
];

/// What each call of `POST /v1/riskdesk/call` needs, by method name; the security-logged ones
/// name their event.
pub(crate) const CALLS: &[(&str, Scope, Option<&str>)] = &[
    ("datasets", Read, None),
    ("file_statuses", Read, None),
    ("staging_results", Read, None),
    ("create_dataset", Write, None),
    ("staging_summary", Read, None),
    ("staging_detail", Read, None),
    ("staged_day", Read, None),
    ("staged_factor", Read, None),
    ("wipe_staging", Write, None),
    ("revert", Write, None),
    ("commit_preview", Read, None),
    ("commit", Write, None),
    ("version_history", Read, None),
    ("diff", Read, None),
    ("diff_rows", Read, None),
    ("data_summary", Read, None),
    ("data_detail", Read, None),
    ("factor_groups", Read, None),
    ("check", Read, None),
    ("destroy", Admin, Some("destroy")),
    ("references", Read, None),
    ("demo_reference", Admin, None),
    ("delete_reference", Admin, Some("delete")),
    ("reference_exchanges", Read, None),
    ("risk_datasets", Read, None),
    ("create_risk_dataset", Write, None),
    ("describe_risk_dataset", Read, None),
    ("update_risk_dataset", Write, None),
    ("delete_risk_dataset", Admin, Some("delete")),
    ("risk_models", Read, None),
    ("create_risk_model", Write, None),
    ("describe_risk_model", Read, None),
    ("update_risk_model", Write, None),
    ("delete_risk_model", Admin, Some("delete")),
    ("risk_model_frame", Read, None),
    ("factor_covariance", Read, None),
    ("specific_risk", Read, None),
    ("portfolio_risk", Read, None),
    ("portfolios", Read, None),
    ("save_portfolio", Write, None),
    ("delete_portfolio", Admin, Some("delete")),
    ("model_impact", Read, None),
    ("grid", Read, None),
    ("grid_rows", Read, None),
];

/// The table's row for a route (`path` as registered, `/v1` included), if it has one.
fn route_rule(method: &Method, path: &str) -> Option<(Scope, Option<&'static str>)> {
    ROUTES.iter().find(|(m, p, _, _)| *m == method.as_str() && *p == path).map(|&(_, _, scope, event)| (scope, event))
}

/// The table's row for a call, if it has one.
fn call_rule(method: &str) -> Option<(Scope, Option<&'static str>)> {
    CALLS.iter().find(|(m, _, _)| *m == method).map(|&(_, scope, event)| (scope, event))
}

// --- The security log ----------------------------------------------------------------------

/// Writes one line of the security log: `security: EVENT: remote=ADDR FIELDS` on standard error.
fn log(event: &str, remote: Option<SocketAddr>, fields: std::fmt::Arguments<'_>) {
    let remote = remote.map_or_else(|| "unknown".to_owned(), |r| r.to_string());
    eprintln!("security: {event}: remote={remote} {fields}");
}

/// Where a request came from, when the connection gave it (axum's [`ConnectInfo`]).
fn remote_of(request: &Request) -> Option<SocketAddr> {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

// --- Key checks ----------------------------------------------------------------------------

/// How many threads check keys.
const CHECKERS: usize = 2;
/// How many key checks may wait for a thread; beyond them a request is answered 503.
const WAITING_CHECKS: usize = 256;
/// How long a request waits for its key check before it is answered 503.
const CHECK_DEADLINE: Duration = Duration::from_secs(10);

/// One key to look up, and where its record goes.
struct Check {
    key: String,
    answer: tokio::sync::oneshot::Sender<riskdesk::Result<Option<ApiKey>>>,
}

/// Key checks on [`CHECKERS`] threads of their own, fed by a queue of at most [`WAITING_CHECKS`]:
/// the engine work queued on tokio's blocking pool never delays them. The threads hold the
/// backend weakly (the server's stop drops it where it must) and end with the last sender.
pub(crate) struct KeyChecks {
    queue: SyncSender<Check>,
    /// The queue's other end, kept here too, so that a check queued while no thread runs
    /// waits instead of failing.
    _checks: Arc<Mutex<Receiver<Check>>>,
}

impl KeyChecks {
    /// Starts `threads` threads checking keys of `backend`, with at most `waiting` checks queued.
    fn start(backend: &Arc<LocalBackend>, threads: usize, waiting: usize) -> KeyChecks {
        let (queue, checks) = std::sync::mpsc::sync_channel::<Check>(waiting);
        let checks = Arc::new(Mutex::new(checks));
        for i in 0..threads {
            let (checks, backend) = (Arc::clone(&checks), Arc::downgrade(backend));
            // Without a thread the checks wait, then fail (503), which is all one can do.
            let _ = std::thread::Builder::new().name(format!("riskdesk-keys-{i}")).spawn(move || check_keys(&checks, &backend));
        }
        KeyChecks { queue, _checks: checks }
    }

    /// The record of `key`; a 503 when the checks are overwhelmed or stuck.
    async fn find(&self, key: String) -> Result<Option<ApiKey>, Response> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let busy = || {
            let mut response = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailableError",
                "the server cannot check API keys fast enough right now; try again in a moment",
            )
            .into_response();
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
            response
        };
        match self.queue.try_send(Check { key, answer }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(busy()),
            Err(TrySendError::Disconnected(_)) => return Err(ApiError::internal("the server checks no API keys").into_response()),
        }
        match tokio::time::timeout(CHECK_DEADLINE, answered).await {
            Ok(Ok(found)) => found.map_err(|e| ApiError::from(e).into_response()),
            Ok(Err(_)) => Err(ApiError::internal("the API key check stopped unexpectedly").into_response()),
            Err(_) => Err(busy()),
        }
    }
}

/// A key-checking thread: answers checks until the queue closes.
fn check_keys(checks: &Mutex<Receiver<Check>>, backend: &Weak<LocalBackend>) {
    loop {
        let next = checks.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
        let Ok(check) = next else { return };
        let found = match backend.upgrade() {
            Some(backend) => backend.find_key(&check.key),
            None => Err(riskdesk::Error::Internal("the server is stopping".into())),
        };
        let _ = check.answer.send(found);
    }
}

/// What the key middleware holds: the server's key checks.
#[derive(Clone)]
pub(crate) struct Gate {
    checks: Arc<KeyChecks>,
}

impl Gate {
    /// The gate of a server over `state`, its key-checking threads started.
    pub(crate) fn new(state: &AppState) -> Gate {
        Gate { checks: Arc::new(KeyChecks::start(&state.backend, CHECKERS, WAITING_CHECKS)) }
    }
}

// --- The middleware ------------------------------------------------------------------------

/// The key of a request: the `api_key` query parameter (form-decoded), else a bearer token.
fn key_of(request: &Request) -> Option<String> {
    let from_query = request
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, v)| k == "api_key" && !v.is_empty()).map(|(_, v)| v.into_owned()));
    from_query.or_else(|| {
        let header = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
        header.strip_prefix("Bearer ").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
    })
}

/// The refusal of a key whose scope is narrower than what it asked for (403), logged.
fn scope_refused(caller: &Caller, needed: Scope, what: std::fmt::Arguments<'_>) -> ApiError {
    log(
        "scope refused",
        caller.remote,
        format_args!("key={} user={:?} scope={} needed={needed} {what}", caller.key, caller.user, caller.scope),
    );
    ApiError::forbidden(format!(
        "this needs an API key with the {needed} scope; this key (id {}, of {}) has the {} scope: ask the server's administrator \
         for one (riskdesk keys create --user EMAIL --scope {needed})",
        caller.key, caller.user, caller.scope
    ))
}

/// Lets a request through only with a key of this store whose scope allows the route; notes its
/// user for the handlers and its [`Caller`] for [`caller`]; logs refusals, destroys and deletes.
pub(crate) async fn require_key(State(gate): State<Gate>, mut request: Request, next: Next) -> Result<Response, ApiError> {
    let remote = remote_of(&request);
    let method = request.method().clone();
    // The route as registered (the full path: the router flattens its nested routes).
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    // The path asked for (the router nested the routes under `/v1`, which it takes off the URI).
    let path = format!("/v1{}", request.uri().path());
    let Some(key) = key_of(&request) else {
        log("key refused", remote, format_args!("key=none method={method} path={path:?}"));
        return Err(ApiError::denied("no API key: pass api_key=KEY (riskdesk keys create --user EMAIL makes one)"));
    };
    let found = match gate.checks.find(key.clone()).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let Some(found) = found else {
        let print = fingerprint(&key);
        log("key refused", remote, format_args!("key=unknown fingerprint={print} method={method} path={path:?}"));
        return Err(ApiError::denied("this API key is not valid here (unknown or revoked)"));
    };
    let caller = Caller { key: found.id, user: found.user, scope: found.scope, remote };
    // A route the table lacks needs everything.
    let (needed, event) = route_rule(&method, &route).unwrap_or((Admin, None));
    if !caller.scope.allows(needed) {
        return Err(scope_refused(&caller, needed, format_args!("method={method} path={path:?}")));
    }
    request.extensions_mut().insert(User(caller.user.clone()));
    let response = CALLER.scope(caller.clone(), next.run(request)).await;
    if let Some(event) = event {
        let status = response.status().as_u16();
        log(event, remote, format_args!("key={} user={:?} method={method} path={path:?} status={status}", caller.key, caller.user));
    }
    Ok(response)
}

/// Refuses `call` unless the request's key allows it (a request without a [`Caller`] allows
/// nothing); returns the event to log once it has run, for a destroy or a delete.
pub(crate) fn authorize_call(call: &Call) -> Result<Option<&'static str>, ApiError> {
    let method = call.method();
    let (needed, event) = call_rule(&method).unwrap_or((Admin, None));
    let Some(caller) = caller() else {
        return Err(ApiError::forbidden(format!("the call {method} came without a key")));
    };
    if !caller.scope.allows(needed) {
        return Err(scope_refused(&caller, needed, format_args!("method=POST path=\"/v1/riskdesk/call\" call={method}")));
    }
    Ok(event)
}

/// Logs a call [`authorize_call`] named an event for, once it has run (`outcome`: `ok` or the
/// error's code).
pub(crate) fn log_call(event: &str, call: &Call, outcome: &str) {
    let Some(caller) = caller() else { return };
    let args = serde_json::to_value(call).map(|v| v["args"].to_string()).unwrap_or_default();
    log(
        event,
        caller.remote,
        format_args!("key={} user={:?} call={} args={args} outcome={outcome}", caller.key, caller.user, call.method()),
    );
}

/// `GET /v1/auth/users/whoami`: the key's user.
pub async fn whoami(Extension(User(email)): Extension<User>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "email": email }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `path` with a value in each parameter (any will do: the request is only routed).
    fn concrete(path: &str) -> String {
        path.replace("{data_type}", "exposures").replace("{dataset}", "D").replace("{name}", "N").replace("{id}", "1")
    }

    /// The status and `Allow` header of a raw HTTP/1.1 request to a server at `addr`.
    async fn probe(addr: std::net::SocketAddr, method: &str, target: &str) -> (String, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).await.unwrap();
        let status = reply.split_whitespace().nth(1).unwrap_or_default().to_owned();
        let allow = reply.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("allow:").map(|a| a.trim().to_uppercase()));
        (status, allow.unwrap_or_default())
    }

    #[tokio::test]
    async fn every_route_and_every_call_is_classified_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::open(dir.path()).unwrap();
        let (_, key) = backend.create_key("admin@example.com", Admin).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(crate::serve(
            backend,
            crate::Limits::default(),
            listener,
            async {
                let _ = stopped.await;
            },
            |_| {},
        ));
        let mut served = Vec::new();
        for path in crate::paths().into_iter().filter(|p| p != "/") {
            // The methods served on `path`: the `Allow` of a 405 to a method no route has.
            let (status, allow) = probe(addr, "PROBE", &format!("{}?api_key={key}", concrete(&path))).await;
            assert_eq!(status, "405", "{path}");
            for method in allow.split(',').map(str::trim).filter(|m| *m != "HEAD") {
                let method = Method::from_bytes(method.as_bytes()).unwrap();
                assert!(route_rule(&method, &path).is_some(), "{method} {path} is not in auth::ROUTES");
                served.push((method.to_string(), path.clone()));
            }
        }
        let _ = stop.send(());
        server.await.unwrap().unwrap();
        for (method, path, _, _) in ROUTES {
            assert!(served.contains(&(method.to_string(), path.to_string())), "auth::ROUTES has {method} {path}, which is not served");
        }
        let calls = Call::methods();
        for call in &calls {
            assert!(call_rule(call).is_some(), "the call {call} is not in auth::CALLS");
        }
        for (call, _, _) in CALLS {
            assert!(calls.iter().any(|c| c == call), "auth::CALLS has {call}, which is no call");
        }
    }

    #[test]
    fn what_is_not_classified_needs_admin_and_destroying_is_logged() {
        assert_eq!(route_rule(&Method::GET, "/v1/nothing"), None);
        assert_eq!(route_rule(&Method::PUT, "/v1/equity/uploaders"), None);
        assert_eq!(call_rule("nothing"), None);
        assert_eq!(route_rule(&Method::DELETE, "/v1/equity/uploaders/{data_type}/{dataset}"), Some((Admin, Some("destroy"))));
        assert_eq!(call_rule("commit"), Some((Write, None)));
        // Whatever deletes is admin and logged.
        for (call, scope, event) in CALLS {
            if call.starts_with("delete") || *call == "destroy" {
                assert!(*scope == Admin && event.is_some(), "{call}");
            }
        }
    }

    #[tokio::test]
    async fn keys_are_checked_off_the_blocking_pool_and_checks_beyond_the_queue_get_503() {
        let dir = tempfile::tempdir().unwrap();
        let backend = Arc::new(LocalBackend::open(dir.path()).unwrap());
        let (record, key) = backend.create_key("w@example.com", Write).unwrap();
        let checks = KeyChecks::start(&backend, CHECKERS, 4);
        assert_eq!(checks.find(key).await.unwrap(), Some(record));
        assert_eq!(checks.find("rdk_nope".into()).await.unwrap(), None);
        // No thread, room for one check: a second one is refused at once, to be tried again.
        let stuck = KeyChecks::start(&backend, 0, 1);
        let (answer, _never) = tokio::sync::oneshot::channel();
        stuck.queue.try_send(Check { key: "rdk_first".into(), answer }).unwrap();
        let refused = stuck.find("rdk_second".into()).await.unwrap_err();
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.headers()[RETRY_AFTER], "1");
    }

    #[tokio::test]
    async fn the_caller_is_known_inside_a_request_only() {
        assert_eq!(caller(), None);
        let me = Caller { key: 7, user: "a@example.com".into(), scope: Write, remote: None };
        let seen = CALLER.scope(me.clone(), async { caller() }).await;
        assert_eq!(seen, Some(me));
    }
}
