//! `riskdesk serve` and `riskdesk keys`: serving a home folder or team store over the risk
//! platform's HTTP API, and the API keys it accepts.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use riskdesk::{Backend, Error, LocalBackend, Result};
use riskdesk_team::TeamStore;

use crate::args::{Keys, ServeLimits};
use crate::output::listing;
use crate::stores::Stores;

/// `riskdesk serve`: serves the team store (collecting its orphans hourly) or the home folder.
pub fn serve(stores: &Stores, listen: SocketAddr, max_upload_mb: u64, limits: &ServeLimits) -> Result<()> {
    let backend = match (stores.endpoint(), stores.team()?) {
        (None, Some(t)) => {
            t.bucket().check()?; // refuse to start on a bucket that cannot be read
            let t = Arc::new(t);
            collect_periodically(Arc::clone(&t));
            LocalBackend::on(t)?
        }
        _ => stores.home()?,
    };
    let secs = std::time::Duration::from_secs;
    let limits = riskdesk_server::Limits {
        upload: max_upload_mb.saturating_mul(1_000_000),
        header_timeout: secs(limits.header_timeout),
        idle_timeout: secs(limits.idle_timeout),
        body_timeout: secs(limits.body_timeout),
        max_connections: count(limits.max_connections),
        shutdown_timeout: secs(limits.shutdown_timeout),
        tasks: riskdesk_server::tasks::TaskLimits {
            keep: riskdesk_server::tasks::KEEP_RESULTS,
            result_budget: limits.result_budget_mb.saturating_mul(1_000_000),
            max_tasks: count(limits.max_tasks),
            max_tasks_per_key: count(limits.max_tasks_per_key),
        },
        max_writers: count(limits.max_writers),
        cache_budget: limits.cache_budget_mb.saturating_mul(1_000_000),
    };
    serve_on(backend, listen, limits)
}

/// A count given on the command line (bounded by its flag), as a `usize`.
fn count(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Collects a team store's orphaned objects now and every hour after, on a thread of its own
/// (each server of a team does; collections are safe to run at once).
fn collect_periodically(store: Arc<TeamStore>) {
    std::thread::spawn(move || {
        loop {
            if let Err(e) = riskdesk_team::collect::collect(&store) {
                eprintln!("Collecting the team store's orphaned objects failed (tried again in an hour): {e}");
            }
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    });
}

/// Runs the server on `backend` until Ctrl-C or SIGTERM; prints its URL once it listens.
fn serve_on(backend: LocalBackend, listen: SocketAddr, limits: riskdesk_server::Limits) -> Result<()> {
    let root = backend.location();
    if backend.keys()?.is_empty() {
        eprintln!("No API keys yet: every call will be refused until `riskdesk keys create --user EMAIL` makes one.");
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| Error::io("cannot start the server's runtime", e))?;
    let cancelled = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| Error::io(format!("cannot listen on {listen}"), e))?;
        // Whoever reads our output may be gone (a closed pipe): the server serves on regardless.
        let ready = |addr: SocketAddr| {
            let mut out = std::io::stdout();
            let _ = writeln!(out, "Serving {root} at http://{addr} (Ctrl-C stops)").and_then(|()| out.flush());
        };
        riskdesk_server::serve(backend, limits, listener, riskdesk_server::shutdown_signal(), ready)
            .await
            .map_err(|e| Error::io("the server stopped", e))
    })?;
    // Dropping the runtime waits for the cancelled tasks to end (each at its next progress step).
    drop(runtime);
    let note = match cancelled {
        0 => String::new(),
        n => format!("; {n} running task(s) were cancelled, keeping nothing they had started"),
    };
    let _ = writeln!(std::io::stdout(), "Stopped: the requests in flight were answered{note}.");
    Ok(())
}

/// `riskdesk keys ...`: API keys kept in the store as hashes.
pub fn keys(home: &LocalBackend, cmd: Keys) -> Result<()> {
    match cmd {
        Keys::Create { user, scope } => {
            let (key, secret) = home.create_key(&user, scope.parse()?)?;
            security(&format!("key created: id={} user={:?} scope={} store={:?}", key.id, key.user, key.scope, home.location()));
            println!("Created API key {} ({} scope) for {} in {}.", key.id, key.scope, key.user, home.location());
            println!("Copy it now: only its hash is kept, so it cannot be shown again. Revoke it with `riskdesk keys revoke {}`.", key.id);
            println!("{secret}");
        }
        Keys::List { json } => listing(&home.keys()?, json, "No API keys: create one with `riskdesk keys create --user EMAIL`.")?,
        Keys::Revoke { id } => {
            let key = home.revoke_key(id)?;
            security(&format!("key revoked: id={} user={:?} scope={} store={:?}", key.id, key.user, key.scope, home.location()));
            println!("Revoked API key {} of {} (created {}).", key.id, key.user, key.created);
        }
    }
    Ok(())
}

/// Writes one line of the security log to standard error, as `riskdesk serve` does (the key
/// changes made here, where a server cannot see them).
fn security(line: &str) {
    let _ = writeln!(std::io::stderr(), "security: {line}");
}
