//! The platform's task protocol: a long operation answers 202 `{"task_id", "extra": {}}` at once
//! and runs on the blocking pool; the client polls `/v1/tasks/{id}/progress` and `/ready`, then
//! fetches `/result?type=json|dataframe`, or cancels with `DELETE /v1/tasks/{id}`. Progress is
//! the engine's own; cancellation is the engine's cooperative cancel.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arrow_array::RecordBatch;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use riskdesk::{LocalBackend, Progress};

use crate::request::Params;
use crate::{ApiError, AppState, Routes};

/// What a finished task produced.
pub enum Outcome {
    /// Served by `result?type=json`.
    Json(serde_json::Value),
    /// A data frame as Parquet, served by `result?type=dataframe` (shared, not copied, per fetch).
    Parquet(Bytes),
    /// Named data frames (a dict of frames on the client's side), served by
    /// `result?type=dataframe`: 204 when there are none, one at once, several as a 206 list of
    /// part ids fetched with `&path=ID`; each frame's name in `Content-Disposition`.
    Frames(Vec<(String, Bytes)>),
}

/// Where a task is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Waiting for the server's writes before it.
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Queued => "QUEUED",
            Status::Running => "RUNNING",
            Status::Completed => "COMPLETED",
            Status::Failed => "FAILED",
            Status::Cancelled => "CANCELLED",
        }
    }
}

struct TaskState {
    status: Status,
    percent: u8,
    message: String,
    outcome: Option<Result<Outcome, ApiError>>,
    /// When it ended (results are dropped a while after, see [`Tasks::keep`]).
    ended: Option<std::time::Instant>,
}

/// One task: its state and its cancel flag.
struct Task {
    state: Mutex<TaskState>,
    cancel: AtomicBool,
}

impl Task {
    fn state(&self) -> MutexGuard<'_, TaskState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How long an ended task's result stays available by default (the client fetches it at once).
pub const KEEP_RESULTS: std::time::Duration = std::time::Duration::from_secs(3600);

/// The server's tasks, by id.
pub struct Tasks {
    next: AtomicU64,
    map: Mutex<HashMap<String, Arc<Task>>>,
    /// How long an ended task (and its result, which may be a large frame) is kept.
    keep: std::time::Duration,
}

impl Default for Tasks {
    fn default() -> Self {
        Tasks::keeping(KEEP_RESULTS)
    }
}

impl Tasks {
    /// Tasks whose results are dropped `keep` after they end.
    pub fn keeping(keep: std::time::Duration) -> Self {
        Tasks { next: AtomicU64::new(0), map: Mutex::new(HashMap::new()), keep }
    }

    /// Forgets the tasks that ended more than `keep` ago (so that results do not pile up in memory).
    fn prune(&self) {
        let keep = self.keep;
        let mut map = self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        map.retain(|_, t| t.state().ended.is_none_or(|at| at.elapsed() <= keep));
    }

    fn get(&self, id: &str) -> Result<Arc<Task>, ApiError> {
        let map = self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        map.get(id).cloned().ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "KeyError", format!("Task {id} not found")))
    }

    /// Asks every task still queued or running to stop (at shutdown); how many were asked.
    pub fn cancel_all(&self) -> usize {
        let map = self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let running: Vec<&Arc<Task>> = map.values().filter(|t| matches!(t.state().status, Status::Queued | Status::Running)).collect();
        running.iter().for_each(|t| t.cancel.store(true, Ordering::Relaxed));
        running.len()
    }

    /// A new id (of a task, or of an upload's scratch folder): unique in this process, and not
    /// guessable across servers.
    pub(crate) fn new_id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut salt = [0u8; 8];
        let _ = getrandom::fill(&mut salt);
        format!("{n:08x}{}", salt.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }
}

impl AppState {
    /// Starts `work` as a task on the blocking pool and answers 202 with its id. `work` reports
    /// through the engine's progress and stops when the client cancels.
    pub fn spawn_task(&self, work: impl FnOnce(&LocalBackend, &Progress<'_>) -> Result<Outcome, ApiError> + Send + 'static) -> Response {
        accepted(&self.start(false, work))
    }

    /// [`AppState::spawn_task`] for work that makes a data frame: the task's `dataframe` result
    /// is the batches `work` returns, as one Parquet file.
    pub fn spawn_frame_task(&self, work: impl FnOnce(&LocalBackend) -> Result<Vec<RecordBatch>, ApiError> + Send + 'static) -> Response {
        self.spawn_task(move |b, _| Ok(Outcome::Parquet(crate::frames::parquet(&work(b)?)?)))
    }

    /// [`AppState::spawn_task`] for work that writes: it waits (`QUEUED`) for the server's
    /// writes before it instead of failing on the home's write lock.
    pub fn spawn_write_task(
        &self,
        work: impl FnOnce(&LocalBackend, &Progress<'_>) -> Result<Outcome, ApiError> + Send + 'static,
    ) -> Response {
        accepted(&self.start(true, work))
    }

    /// [`AppState::spawn_write_task`] answered as the report API answers a report computed as a
    /// task: 202 with `{"task": {"task_id", "extra": {}}}`.
    pub fn spawn_report_task(
        &self,
        work: impl FnOnce(&LocalBackend, &Progress<'_>) -> Result<Outcome, ApiError> + Send + 'static,
    ) -> Response {
        let id = self.start(true, work);
        (StatusCode::ACCEPTED, Json(serde_json::json!({ "task": { "task_id": id, "extra": {} } }))).into_response()
    }

    /// Starts `work` as a task; its id.
    fn start(&self, writes: bool, work: impl FnOnce(&LocalBackend, &Progress<'_>) -> Result<Outcome, ApiError> + Send + 'static) -> String {
        let status = if writes { Status::Queued } else { Status::Running };
        let task = Arc::new(Task {
            state: Mutex::new(TaskState { status, percent: 0, message: String::new(), outcome: None, ended: None }),
            cancel: AtomicBool::new(false),
        });
        self.tasks.prune();
        let id = self.tasks.new_id();
        self.tasks.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(id.clone(), Arc::clone(&task));
        let backend = Arc::clone(&self.backend);
        let writing = self.writing.clone().filter(|_| writes);
        tokio::task::spawn_blocking(move || {
            if writes {
                task.state().message = "waiting for the writes before it".into();
            }
            // Queued behind this server's other writes; a cancel while queued ends it at once.
            let _writer = match writing.as_deref().map(|w| wait_for_writer(w, &task.cancel)) {
                Some(None) => {
                    let mut s = task.state();
                    s.status = Status::Cancelled;
                    s.outcome = Some(Err(ApiError::from(riskdesk::Error::Cancelled)));
                    s.ended = Some(std::time::Instant::now());
                    return;
                }
                Some(Some(guard)) => Some(guard),
                None => None,
            };
            {
                let mut s = task.state();
                s.status = Status::Running;
                s.message.clear();
            }
            let sink = |step: &riskdesk::progress::Step| {
                let mut s = task.state();
                if let Some(percent) = (100 * step.done.min(step.total)).checked_div(step.total) {
                    s.percent = percent as u8;
                }
                s.message = if step.message.is_empty() { step.phase.clone() } else { format!("{}: {}", step.phase, step.message) };
            };
            let progress = Progress::new(&sink).cancellable(&task.cancel);
            // A panic ends the task failed (its clients stop polling) instead of leaving it running.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&backend, &progress)))
                .unwrap_or_else(|panic| Err(ApiError::internal(format!("the task stopped unexpectedly: {}", panic_message(&*panic)))));
            let mut s = task.state();
            s.status = match &outcome {
                Ok(_) => Status::Completed,
                Err(_) if task.cancel.load(Ordering::Relaxed) => Status::Cancelled,
                Err(_) => Status::Failed,
            };
            if s.status == Status::Completed {
                s.percent = 100;
            }
            s.outcome = Some(outcome);
            s.ended = Some(std::time::Instant::now());
        });
        id
    }
}

/// What a panic said (its message when it has one).
fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

/// The task protocol's answer to a request that started task `id`: 202 `{"task_id", "extra": {}}`.
fn accepted(id: &str) -> Response {
    (StatusCode::ACCEPTED, Json(serde_json::json!({ "task_id": id, "extra": {} }))).into_response()
}

/// Takes the server's writer lock, or `None` when `cancel` is set first.
fn wait_for_writer<'w>(writing: &'w Mutex<()>, cancel: &AtomicBool) -> Option<MutexGuard<'w, ()>> {
    loop {
        match writing.try_lock() {
            Ok(guard) => return Some(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if cancel.load(Ordering::Relaxed) => return None,
            Err(std::sync::TryLockError::WouldBlock) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    }
}

pub(crate) fn routes() -> Routes {
    Routes::default()
        .route("/tasks/{id}", axum::routing::delete(cancel))
        .route("/tasks/{id}/progress", get(progress))
        .route("/tasks/{id}/ready", get(ready))
        .route("/tasks/{id}/result", get(result))
}

/// `GET /v1/tasks/{id}/progress`: the platform's `TaskProgress`.
async fn progress(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let task = state.tasks.get(&id)?;
    let s = task.state();
    Ok(Json(serde_json::json!({
        "state": s.status.name(), "last_progress": s.percent, "last_message": s.message, "last_context": "", "queue_position": null
    })))
}

/// `GET /v1/tasks/{id}/ready`: `true` once the task ended, however it ended.
async fn ready(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<bool>, ApiError> {
    Ok(Json(!matches!(state.tasks.get(&id)?.state().status, Status::Queued | Status::Running)))
}

fn parquet(bytes: &Bytes) -> Response {
    crate::frames::parquet_response(bytes.clone())
}

/// A named frame: the client takes the dict key from an unquoted file name without dots.
fn named(name: &str, bytes: &Bytes) -> Response {
    let mut response = parquet(bytes);
    if let Ok(value) = format!("attachment; filename={name}.parquet").parse() {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `GET /v1/tasks/{id}/result?type=json|dataframe`: what the task produced, or its error.
async fn result(State(state): State<AppState>, Path(id): Path<String>, params: Params) -> Result<Response, ApiError> {
    let task = state.tasks.get(&id)?;
    let s = task.state();
    let Some(outcome) = &s.outcome else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "ValueError", format!("task {id} is still running: poll its ready call first")));
    };
    let kind = params.last("type");
    let kind = kind.as_deref().unwrap_or("json");
    // `path` names one part of a result in parts.
    let part = params.last("path");
    match (outcome, kind) {
        (Err(e), _) => Err(e.clone()),
        (Ok(Outcome::Json(v)), "json") => Ok(Json(v.clone()).into_response()),
        (Ok(Outcome::Parquet(bytes)), "dataframe") => Ok(parquet(bytes)),
        (Ok(Outcome::Frames(frames)), "dataframe") => match (part.as_deref(), frames.as_slice()) {
            (Some(part), _) => match frames.iter().find(|(n, _)| n == part) {
                Some((n, bytes)) => Ok(named(n, bytes)),
                None => Err(ApiError::new(StatusCode::BAD_REQUEST, "KeyError", format!("task {id} has no part '{part}'"))),
            },
            (None, []) => Ok(StatusCode::NO_CONTENT.into_response()),
            (None, [(n, bytes)]) => Ok(named(n, bytes)),
            (None, several) => {
                Ok((StatusCode::PARTIAL_CONTENT, Json(several.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())).into_response())
            }
        },
        (Ok(_), other) => Err(ApiError::new(StatusCode::BAD_REQUEST, "ValueError", format!("task {id} has no result of type '{other}'"))),
    }
}

/// `DELETE /v1/tasks/{id}`: asks the task to stop; the engine undoes what it started.
async fn cancel(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    state.tasks.get(&id)?.cancel.store(true, Ordering::Relaxed);
    Ok(Json(serde_json::json!({})))
}
