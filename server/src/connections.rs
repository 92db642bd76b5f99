//! Connections: accepted up to a cap, each served by hyper over HTTP/1.1 with a deadline for every
//! wait a client controls (the idle time before a request, the time to send its head, each read
//! of its body), and a deadline on the graceful stop, so that clients that send nothing, or send
//! slowly, can neither pile up nor hold the server open.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::IntoResponse;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};

use crate::{ApiError, Limits};

/// How many connections beyond the cap are answered 503 at once; beyond those, a connection is
/// closed as soon as it is accepted.
const REFUSED_AT_ONCE: usize = 64;

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, lets the requests
/// in flight finish (idle connections close at once) and, after `limits.shutdown_timeout`,
/// closes whatever connections remain.
pub(crate) async fn serve(listener: TcpListener, app: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSED_AT_ONCE));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            // Out of file descriptors, say: try again once a connection ends, or in a moment.
            Err(_) => {
                tokio::select! {
                    Some(_) = connections.join_next(), if !connections.is_empty() => {},
                    () = tokio::time::sleep(Duration::from_millis(100)) => {},
                }
                continue;
            }
        };
        match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => {
                connections.spawn(connection(stream, peer, app.clone(), limits.clone(), stopping.clone(), permit));
            }
            Err(_) => {
                if let Ok(permit) = Arc::clone(&refusals).try_acquire_owned() {
                    connections.spawn(refuse(stream, limits.clone(), permit));
                }
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let deadline = tokio::time::sleep(limits.shutdown_timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            next = connections.join_next() => if next.is_none() { break },
            () = &mut deadline => break,
        }
    }
    // Past the deadline: the connections left are closed (their requests dropped).
    connections.shutdown().await;
}

/// Serves one connection from `peer` while it holds `_permit` (its requests carry the peer's
/// address as axum's `ConnectInfo`, for the security log).
async fn connection(
    stream: TcpStream,
    peer: std::net::SocketAddr,
    app: Router,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched { stream, activity: Arc::clone(&activity), limits: limits.clone(), sleep: None });
    let body_timeout = limits.body_timeout;
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        // A request is under way from its head to the end of its answer: no idle or head deadline then.
        let busy = Busy::start(&activity);
        let mut app = app.clone();
        async move {
            let mut request = request.map(|body| Body::new(ReadTimeout { body, timeout: body_timeout, sleep: None }));
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            let response = tower_service::Service::call(&mut app, request).await.unwrap_or_else(|never| match never {});
            Ok::<_, std::convert::Infallible>(response.map(|body| Body::new(Answer { body, _busy: busy })))
        }
    });
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopping.wait_for(|stop| *stop) => conn.as_mut().graceful_shutdown(),
    }
    let _ = conn.await;
}

/// Answers a connection beyond the cap with 503 and closes it (within the head and idle deadlines).
async fn refuse(stream: TcpStream, limits: Limits, _permit: OwnedSemaphorePermit) {
    let max = limits.max_connections;
    let service = hyper::service::service_fn(move |_: Request<Incoming>| async move {
        let mut response = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailableError",
            format!("the server is serving its limit of {max} connections; try again in a moment"),
        )
        .into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        Ok::<_, std::convert::Infallible>(response)
    });
    let conn = hyper::server::conn::http1::Builder::new().keep_alive(false).serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(limits.idle_timeout.min(limits.header_timeout), conn).await;
}

/// What a connection's reads and its service share: whether a request is under way, and since
/// when the connection is idle or its next head started.
struct Activity {
    state: Mutex<State>,
}

struct State {
    /// Requests under way (hyper serves one at a time; pipelined heads wait in its buffer).
    busy: usize,
    /// Since when no request is under way.
    idle_since: Instant,
    /// When the first byte of the next head arrived, if one did.
    head_since: Option<Instant>,
    /// The task waiting to read, woken when a request ends so that the idle deadline starts.
    reader: Option<Waker>,
}

impl Activity {
    fn new() -> Self {
        Activity { state: Mutex::new(State { busy: 0, idle_since: Instant::now(), head_since: None, reader: None }) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A request under way, until dropped (with the end of its answer).
struct Busy(Arc<Activity>);

impl Busy {
    fn start(activity: &Arc<Activity>) -> Busy {
        let mut state = activity.state();
        state.busy += 1;
        state.head_since = None;
        drop(state);
        Busy(Arc::clone(activity))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.busy -= 1;
        if state.busy == 0 {
            state.idle_since = Instant::now();
            if let Some(reader) = state.reader.take() {
                reader.wake();
            }
        }
    }
}

/// The connection's socket, whose reads fail with `TimedOut` once the client has been idle (no
/// request under way, no byte of a new one) for the idle timeout, or has taken longer than the
/// head timeout to send a request's head since its first byte.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
    limits: Limits,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl AsyncRead for Watched {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        let mut state = this.activity.state();
        match read {
            Poll::Ready(result) => {
                if buf.filled().len() > before && state.busy == 0 && state.head_since.is_none() {
                    state.head_since = Some(Instant::now());
                }
                Poll::Ready(result)
            }
            Poll::Pending => {
                if state.busy > 0 {
                    state.reader = Some(cx.waker().clone());
                    return Poll::Pending;
                }
                let (deadline, what) = match state.head_since {
                    Some(since) => (since + this.limits.header_timeout, "send a request's head"),
                    None => (state.idle_since + this.limits.idle_timeout, "send a request on an idle connection"),
                };
                drop(state);
                let sleep = this.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if sleep.deadline() != deadline {
                    sleep.as_mut().reset(deadline);
                }
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::TimedOut, format!("the client took too long to {what}"))))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A request body whose every read fails with [`BodyStalled`] when the client sends nothing for
/// the body timeout.
struct ReadTimeout {
    body: Incoming,
    timeout: Duration,
    sleep: Option<Pin<Box<Sleep>>>,
}

/// The error of a request body read that waited longer than the body timeout.
#[derive(Debug)]
pub(crate) struct BodyStalled(pub(crate) Duration);

impl std::fmt::Display for BodyStalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the client sent no data for {} s", self.0.as_secs_f64())
    }
}

impl std::error::Error for BodyStalled {}

impl HttpBody for ReadTimeout {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.sleep = None;
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                let timeout = this.timeout;
                let sleep = this.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyStalled(timeout))))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// An answer's body, holding its request under way until it is written (or dropped).
struct Answer {
    body: Body,
    _busy: Busy,
}

impl HttpBody for Answer {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
