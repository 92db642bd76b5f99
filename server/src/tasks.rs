//! The platform's task protocol: a long operation answers 202 `{"task_id", "extra": {}}` at once
//! and runs on the blocking pool (a writer first waits for its turn, holding no thread); the
//! number of tasks is capped per server and per key, and ended tasks' results are kept within
//! a byte budget. The client polls `/v1/tasks/{id}/progress` and `/ready`, then
//! fetches `/result?type=json|dataframe`, or cancels with `DELETE /v1/tasks/{id}`. Progress is
//! the engine's own; cancellation is the engine's cooperative cancel.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

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
    /// The bytes its result holds in memory (counted against [`TaskLimits::result_budget`]).
    bytes: u64,
    /// When it ended (results are dropped a while after, see [`TaskLimits::keep`]).
    ended: Option<Instant>,
    /// When its result was last fetched (or it ended): the least recently used go first when
    /// the kept results exceed their budget.
    used: Option<Instant>,
}

/// One task: its state and its cancel flag.
struct Task {
    state: Mutex<TaskState>,
    cancel: AtomicBool,
    /// Wakes the task while it is queued, when it is cancelled.
    cancelled: tokio::sync::Notify,
}

impl Task {
    fn state(&self) -> MutexGuard<'_, TaskState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks the task to stop, waking it if it is queued.
    fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.cancelled.notify_waiters();
    }

    /// Ends the task with `outcome` (`bytes` of it kept in memory).
    fn end(&self, status: Status, outcome: Result<Outcome, ApiError>) {
        let now = Instant::now();
        let mut s = self.state();
        s.status = status;
        if status == Status::Completed {
            s.percent = 100;
        }
        s.bytes = match &outcome {
            Ok(o) => o.bytes(),
            Err(e) => e.message.len() as u64,
        };
        s.outcome = Some(outcome);
        s.ended = Some(now);
        s.used = Some(now);
    }
}

impl Outcome {
    /// About how many bytes it holds in memory.
    fn bytes(&self) -> u64 {
        match self {
            Outcome::Json(v) => serde_json::to_vec(v).map_or(0, |b| b.len() as u64),
            Outcome::Parquet(bytes) => bytes.len() as u64,
            Outcome::Frames(frames) => frames.iter().map(|(n, b)| (n.len() + b.len()) as u64).sum(),
        }
    }
}

/// How long an ended task's result stays available by default (the client fetches it at once).
pub const KEEP_RESULTS: Duration = Duration::from_secs(3600);

/// What a server allows its tasks (see [`crate::Limits`], which carries them).
#[derive(Debug, Clone)]
pub struct TaskLimits {
    /// How long an ended task (and its result) is kept.
    pub keep: Duration,
    /// The most bytes of ended tasks' results kept in memory; past it, the results fetched least
    /// recently are dropped (a later fetch is told to run the task again).
    pub result_budget: u64,
    /// The most tasks queued or running on this server at once (more are refused 503).
    pub max_tasks: usize,
    /// The most tasks queued or running for one API key at once (more are refused 429).
    pub max_tasks_per_key: usize,
}

impl Default for TaskLimits {
    /// Results kept an hour within 512 MB; 1,000 tasks at once, 200 per key.
    fn default() -> Self {
        TaskLimits { keep: KEEP_RESULTS, result_budget: 512_000_000, max_tasks: 1_000, max_tasks_per_key: 200 }
    }
}

/// How many tasks are queued or running: on the server, and per key.
#[derive(Default)]
struct Active {
    total: usize,
    /// By key id.
    per_key: HashMap<i64, usize>,
}

/// The server's tasks, by id.
pub struct Tasks {
    next: AtomicU64,
    map: Mutex<HashMap<String, Arc<Task>>>,
    limits: TaskLimits,
    active: Mutex<Active>,
}

impl Default for Tasks {
    fn default() -> Self {
        Tasks::new(TaskLimits::default())
    }
}

/// A task's place among the active ones, given back when it drops (however the task ends).
struct Slot {
    tasks: Arc<Tasks>,
    key: Option<i64>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut active = self.tasks.active();
        active.total = active.total.saturating_sub(1);
        if let Some(key) = self.key
            && let Some(n) = active.per_key.get_mut(&key)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                active.per_key.remove(&key);
            }
        }
    }
}

/// How long a client refused for a full server is asked to wait before it tries again.
const RETRY_AFTER_SECONDS: u32 = 5;

impl Tasks {
    /// Tasks within `limits`.
    pub fn new(limits: TaskLimits) -> Self {
        Tasks { next: AtomicU64::new(0), map: Mutex::new(HashMap::new()), limits, active: Mutex::default() }
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, Arc<Task>>> {
        self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn active(&self) -> MutexGuard<'_, Active> {
        self.active.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A place for one more task of key `key` (an id), or the refusal: 429 past the key's
    /// share, 503 past the server's.
    fn admit(self: &Arc<Self>, key: Option<i64>) -> Result<Slot, ApiError> {
        let mut active = self.active();
        if active.total >= self.limits.max_tasks {
            return Err(ApiError::full(
                StatusCode::SERVICE_UNAVAILABLE,
                RETRY_AFTER_SECONDS,
                format!("the server is running or queueing {} tasks, its most (--max-tasks): try again later", active.total),
            ));
        }
        if let Some(key) = key {
            let mine = active.per_key.get(&key).copied().unwrap_or(0);
            if mine >= self.limits.max_tasks_per_key {
                return Err(ApiError::full(
                    StatusCode::TOO_MANY_REQUESTS,
                    RETRY_AFTER_SECONDS,
                    format!("this API key has {mine} tasks running or queued, its most (--max-tasks-per-key): wait for them to end"),
                ));
            }
            *active.per_key.entry(key).or_default() += 1;
        }
        active.total += 1;
        Ok(Slot { tasks: Arc::clone(self), key })
    }

    /// Forgets the tasks that ended more than `keep` ago, then fits the results kept into their
    /// budget ([`Tasks::fit`]).
    fn prune(&self) {
        let keep = self.limits.keep;
        self.map().retain(|_, t| t.state().ended.is_none_or(|at| at.elapsed() <= keep));
        self.fit();
    }

    /// Drops the results fetched least recently until the kept ones fit the result budget.
    fn fit(&self) {
        let map = self.map();
        let mut kept: Vec<(Instant, u64, &Arc<Task>)> = map
            .values()
            .filter_map(|t| {
                let s = t.state();
                s.used.filter(|_| s.bytes > 0).map(|used| (used, s.bytes, t))
            })
            .collect();
        let mut total: u64 = kept.iter().map(|(_, bytes, _)| bytes).sum();
        if total <= self.limits.result_budget {
            return;
        }
        kept.sort_by_key(|(used, _, _)| *used);
        // The result used last stays, however large: its client is about to fetch it.
        kept.pop();
        for (_, bytes, task) in kept {
            if total <= self.limits.result_budget {
                break;
            }
            let mut s = task.state();
            s.outcome = Some(Err(ApiError::new(
                StatusCode::GONE,
                "KeyError",
                format!(
                    "this task's result was dropped to keep the server's results within {} MB (--result-budget-mb): run it again and fetch its result when it is ready",
                    self.limits.result_budget / 1_000_000
                ),
            )));
            s.bytes = 0;
            total -= bytes;
        }
    }

    fn get(&self, id: &str) -> Result<Arc<Task>, ApiError> {
        self.map().get(id).cloned().ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "KeyError", format!("Task {id} not found")))
    }

    /// Asks every task still queued or running to stop (at shutdown); how many were asked.
    pub fn cancel_all(&self) -> usize {
        let map = self.map();
        let running: Vec<&Arc<Task>> = map.values().filter(|t| matches!(t.state().status, Status::Queued | Status::Running)).collect();
        running.iter().for_each(|t| t.cancel());
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
        self.start(false, work).map_or_else(IntoResponse::into_response, |id| accepted(&id))
    }

    /// [`AppState::spawn_task`] for work that makes a data frame: the task's `dataframe` result
    /// is the batches `work` returns, as one Parquet file.
    pub fn spawn_frame_task(
        &self,
        work: impl FnOnce(&LocalBackend, &Progress<'_>) -> Result<Vec<RecordBatch>, ApiError> + Send + 'static,
    ) -> Response {
        self.spawn_task(move |b, progress| Ok(Outcome::Parquet(crate::frames::parquet(&work(b, progress)?)?)))
    }

    /// [`AppState::spawn_task`] for work that writes: it waits (`QUEUED`, holding no thread) for
    /// its turn among the server's writers instead of failing on the home's write lock.
    pub fn spawn_write_task(
        &self,
        work: impl FnOnce(&LocalBackend, &Progress<'_>) -> Result<Outcome, ApiError> + Send + 'static,
    ) -> Response {
        self.start(true, work).map_or_else(IntoResponse::into_response, |id| accepted(&id))
    }

    /// [`AppState::spawn_write_task`] answered as the report API answers a report computed as a
    /// task: 202 with `{"task": {"task_id", "extra": {}}}`.
    pub fn spawn_report_task(
        &self,
        work: impl FnOnce(&LocalBackend, &Progress<'_>) -> Result<Outcome, ApiError> + Send + 'static,
    ) -> Response {
        match self.start(true, work) {
            Ok(id) => (StatusCode::ACCEPTED, Json(serde_json::json!({ "task": { "task_id": id, "extra": {} } }))).into_response(),
            Err(refused) => refused.into_response(),
        }
    }

    /// Starts `work` as a task (a writer waits for its turn first); its id, or the refusal of a
    /// server or key that has as many tasks as it may.
    fn start(
        &self,
        writes: bool,
        work: impl FnOnce(&LocalBackend, &Progress<'_>) -> Result<Outcome, ApiError> + Send + 'static,
    ) -> Result<String, ApiError> {
        self.tasks.prune();
        let slot = self.tasks.admit(crate::auth::caller().map(|c| c.key))?;
        let status = if writes { Status::Queued } else { Status::Running };
        let message = if writes { "waiting for the writes before it" } else { "" };
        let task = Arc::new(Task {
            state: Mutex::new(TaskState { status, percent: 0, message: message.into(), outcome: None, bytes: 0, ended: None, used: None }),
            cancel: AtomicBool::new(false),
            cancelled: tokio::sync::Notify::new(),
        });
        let id = self.tasks.new_id();
        self.tasks.map().insert(id.clone(), Arc::clone(&task));
        let backend = Arc::clone(&self.backend);
        let writers = writes.then(|| Arc::clone(&self.writers));
        let tasks = Arc::clone(&self.tasks);
        tokio::spawn(async move {
            let _slot = slot;
            // Queued behind this server's other writers, holding no thread; a cancel while
            // queued ends it at once.
            let turn = match writers {
                Some(writers) => match until_cancelled(&task, writers.acquire_owned()).await {
                    Some(Ok(permit)) => Some(permit),
                    Some(Err(_)) | None => {
                        task.end(Status::Cancelled, Err(ApiError::from(riskdesk::Error::Cancelled)));
                        return;
                    }
                },
                None => None,
            };
            let running = Arc::clone(&task);
            let ran = tokio::task::spawn_blocking(move || {
                let _turn = turn;
                run(&running, &backend, work);
            })
            .await;
            if let Err(e) = ran {
                task.end(Status::Failed, Err(ApiError::internal(format!("the task stopped unexpectedly: {e}"))));
            }
            tasks.fit();
        });
        Ok(id)
    }
}

/// `future`'s output, or `None` when `task` is cancelled first.
async fn until_cancelled<T>(task: &Task, future: impl std::future::Future<Output = T>) -> Option<T> {
    let cancelled = task.cancelled.notified();
    tokio::pin!(cancelled);
    // Registered before the flag is read, so that a cancel in between still wakes it.
    cancelled.as_mut().enable();
    if task.cancel.load(Ordering::Relaxed) {
        return None;
    }
    tokio::select! {
        out = future => Some(out),
        () = cancelled => None,
    }
}

/// Runs `work` for `task` (now running), reporting its progress, and ends the task with what
/// it gives.
fn run(task: &Task, backend: &LocalBackend, work: impl FnOnce(&LocalBackend, &Progress<'_>) -> Result<Outcome, ApiError>) {
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
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(backend, &progress)))
        .unwrap_or_else(|panic| Err(ApiError::internal(format!("the task stopped unexpectedly: {}", panic_message(&*panic)))));
    let status = match &outcome {
        Ok(_) => Status::Completed,
        Err(_) if task.cancel.load(Ordering::Relaxed) => Status::Cancelled,
        Err(_) => Status::Failed,
    };
    task.end(status, outcome);
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
    let mut s = task.state();
    if s.outcome.is_some() {
        s.used = Some(Instant::now());
    }
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
    state.tasks.get(&id)?.cancel();
    Ok(Json(serde_json::json!({})))
}
