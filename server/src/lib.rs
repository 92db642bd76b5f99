//! `riskdesk serve`: the risk platform's HTTP API over a home folder or a team store, so that
//! the platform's own Python client and notebooks work against Riskdesk. `docs/protocol.md` is
//! the protocol as served here, route by route. A thin adapter: handlers parse the wire format,
//! call the engine off the async threads, and answer in the platform's shapes; the engine knows
//! nothing of HTTP.

mod auth;
mod connections;
mod dialect;
mod error;
mod extensions;
mod frames;
mod menus;
mod reports;
mod request;
mod riskdatasets;
mod riskmodels;
mod staging;
pub mod tasks;
mod upload;
mod uploaders;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{MethodRouter, get};
use riskdesk::LocalBackend;

pub use error::ApiError;

/// The client version the root endpoint announces (the current official client's).
pub const CLIENT_VERSION: &str = "0.24.2";

/// What every handler shares: the engine over the served home.
#[derive(Clone)]
pub struct AppState {
    backend: Arc<LocalBackend>,
    tasks: Arc<tasks::Tasks>,
    /// The exposure reports calculated, by accessor id.
    accessors: Arc<reports::Accessors>,
    /// The exposure frames served last, shared by clients asking for the same.
    frames: Arc<reports::Frames>,
    /// The largest upload accepted, in bytes (larger ones get 413).
    upload_limit: u64,
    /// The turns of this server's writers, given in the order asked (a writer waiting for its
    /// turn holds no thread and no catalog session). One at a time on a home folder, so that
    /// they queue instead of failing on the home's write lock (which still keeps other
    /// processes out); a few at once on a team store, whose writers also wait for their own
    /// dataset's turn on any server (so writers of different datasets run at once).
    writers: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state of a server over `backend` granting its clients `limits`.
    pub fn new(backend: LocalBackend, limits: &Limits) -> Self {
        let writers = if backend.storage().writers_wait() { limits.max_writers.max(1) } else { 1 };
        AppState {
            backend: Arc::new(backend),
            tasks: Arc::new(tasks::Tasks::new(limits.tasks.clone())),
            accessors: Arc::new(reports::Accessors::within(limits.cache_budget)),
            frames: Arc::new(reports::Frames::within(limits.cache_budget)),
            upload_limit: limits.upload,
            writers: Arc::new(tokio::sync::Semaphore::new(writers)),
        }
    }

    /// Runs blocking engine work on tokio's blocking pool, so request threads stay free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&LocalBackend) -> riskdesk::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.blocking(None, work).await
    }

    /// [`AppState::run`] for work that writes: it waits (holding no thread) for its turn among
    /// this server's writers.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&LocalBackend) -> riskdesk::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let turn = Arc::clone(&self.writers).acquire_owned().await.map_err(|_| ApiError::internal("the server is stopping"))?;
        self.blocking(Some(turn), work).await
    }

    /// Runs `work` on the blocking pool (holding `turn`, a writer's, until it ends).
    async fn blocking<T: Send + 'static, E: Into<ApiError> + Send + 'static>(
        &self,
        turn: Option<tokio::sync::OwnedSemaphorePermit>,
        work: impl FnOnce(&LocalBackend) -> Result<T, E> + Send + 'static,
    ) -> Result<T, ApiError> {
        let backend = Arc::clone(&self.backend);
        let run = move || {
            let _turn = turn;
            work(&backend)
        };
        match tokio::task::spawn_blocking(run).await {
            Ok(result) => result.map_err(Into::into),
            Err(e) => Err(ApiError::internal(format!("the work stopped unexpectedly: {e}"))),
        }
    }
}

/// Routes and the paths they were given, so that the served paths can be listed.
#[derive(Default)]
struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Routes {
    /// Serves `path` with `handlers`.
    fn route(mut self, path: &str, handlers: MethodRouter<AppState>) -> Routes {
        self.router = self.router.route(path, handlers);
        self.paths.push(path.to_owned());
        self
    }

    /// These routes and `other`'s.
    fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }
}

/// Every `/v1` route (each behind an API key), relative to `/v1`.
fn v1_routes() -> Routes {
    Routes::default()
        .route("/auth/users/whoami", get(auth::whoami))
        .merge(uploaders::routes())
        .merge(staging::routes())
        .merge(riskdatasets::routes())
        .merge(reports::routes())
        .merge(riskmodels::routes())
        .merge(extensions::routes())
        .merge(tasks::routes())
}

/// The whole API: the unauthenticated version check, and every `/v1` route behind an API key.
pub fn router(state: AppState) -> Router {
    let v1 = v1_routes().router.route_layer(axum::middleware::from_fn_with_state(auth::Gate::new(&state), auth::require_key));
    Router::new().route("/", get(version)).nest("/v1", v1).with_state(state)
}

/// Every path [`router`] serves, with its parameters in braces (`/v1/tasks/{id}`), in the order
/// they are registered.
pub fn paths() -> Vec<String> {
    let v1 = v1_routes().paths.into_iter().map(|p| format!("/v1{p}"));
    std::iter::once("/".to_owned()).chain(v1).collect()
}

/// `GET /`: the version check the client makes when it is created.
async fn version() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "client_version": CLIENT_VERSION, "name": "riskdesk", "version": env!("CARGO_PKG_VERSION") }))
}

/// The upload limit when none is given: 4 GB (a year of daily files zipped is about 0.8 GB).
pub const DEFAULT_UPLOAD_LIMIT: u64 = 4_000_000_000;

/// What a server grants its clients: the largest upload, how long it waits for what a client
/// sends, how many connections it serves at once, and how long its stop may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest request body of an upload, in bytes, every byte counted (larger ones get 413).
    pub upload: u64,
    /// How long a client may take to send a request's head, from its first byte (then the
    /// connection is closed).
    pub header_timeout: std::time::Duration,
    /// How long a connection may stay open with no request under way (keep-alive, or before
    /// its first request).
    pub idle_timeout: std::time::Duration,
    /// How long any one read of a request's body may wait for the client's next bytes (then
    /// the request fails: 408 for an upload).
    pub body_timeout: std::time::Duration,
    /// The most connections served at once; those beyond it are answered 503 (with
    /// `Retry-After`) and closed.
    pub max_connections: usize,
    /// How long a stop waits for the requests in flight before it closes their connections.
    pub shutdown_timeout: std::time::Duration,
    /// How many tasks may queue or run (on the server, per key), and how long and within how
    /// many bytes their results are kept.
    pub tasks: tasks::TaskLimits,
    /// How many writers run at once on a team store (a home folder has one at a time); the
    /// others wait for their turn holding no thread and no PostgreSQL session.
    pub max_writers: usize,
    /// The most bytes of report accessors and of recently served exposure frames kept for the
    /// clients asking again (each kept within it; the least recently used go first).
    pub cache_budget: u64,
}

impl Default for Limits {
    /// 4 GB uploads, 30 s for a head, 60 s idle, 30 s per body read, 512 connections, 30 s to
    /// stop, the tasks' defaults ([`tasks::TaskLimits`]), 4 team writers, 256 MB of caches.
    fn default() -> Self {
        use std::time::Duration;
        Limits {
            upload: DEFAULT_UPLOAD_LIMIT,
            header_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            max_connections: 512,
            shutdown_timeout: Duration::from_secs(30),
            tasks: tasks::TaskLimits::default(),
            max_writers: 4,
            cache_budget: 256_000_000,
        }
    }
}

/// Serves `backend` on `listener` until `shutdown` resolves; then stops accepting, lets the
/// requests in flight finish (for `limits.shutdown_timeout` at most), and cancels the tasks
/// still running (the engine keeps nothing a cancelled task started). `ready` gets the bound
/// address once connections are accepted. Returns how many tasks were cancelled; they have
/// ended when the runtime is dropped.
pub async fn serve(
    backend: LocalBackend,
    limits: Limits,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<usize> {
    upload::forget_old_uploads(&backend);
    let state = AppState::new(backend, &limits);
    let app = router(state.clone());
    ready(listener.local_addr()?);
    connections::serve(listener, app, limits, shutdown).await;
    let cancelled = state.tasks.cancel_all();
    // The last handle on the backend goes on the blocking pool: a team store's synchronous
    // PostgreSQL clients cannot be dropped on an async thread (they stop a runtime of their own).
    let _ = tokio::task::spawn_blocking(move || drop(state)).await;
    Ok(cancelled)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
