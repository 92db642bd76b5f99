//! `POST …/{dataset}/stage-file`: a multipart upload (field `file`: a ZIP of daily files, or one
//! CSV or Parquet file) streamed to a private folder under the store's local folder, never held
//! in memory, then staged by a task. Every byte of an upload's body counts against the size
//! limit (above it: 413, nothing kept), and its multipart structure is bounded before the parser
//! buffers it: at most [`MAX_PARTS`] parts, each part's headers at most [`MAX_PART_HEADERS`]
//! bytes (400 beyond).

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use http_body::{Frame, SizeHint};
use riskdesk::{Backend, LocalBackend};
use tokio::io::AsyncWriteExt;

use crate::request::{ExposureDataset, Params};
use crate::tasks::Outcome;
use crate::{ApiError, AppState};

/// A folder that removes itself (and the upload in it) when dropped.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The folder of this machine where uploads are received: `uploads/` in the store's local folder.
fn uploads(backend: &LocalBackend) -> PathBuf {
    backend.local_folder().join("uploads")
}

/// Removes the upload folders a killed server left behind (an hour old or more, so that another
/// server's uploads in flight are left alone). An upload is staged from its folder, never
/// referenced afterwards, so nothing staged or committed depends on them.
pub fn forget_old_uploads(backend: &LocalBackend) {
    let Ok(entries) = std::fs::read_dir(uploads(backend)) else { return };
    for entry in entries.flatten() {
        let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() >= 3600));
        if old {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A new private folder for an upload.
pub(crate) async fn scratch(state: &AppState) -> Result<Scratch, ApiError> {
    let dir = uploads(&state.backend).join(state.tasks.new_id());
    tokio::fs::create_dir_all(&dir).await.map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
    Ok(Scratch(dir))
}

/// The base name of an uploaded file, safe as a file name here: no folders, and the engine's
/// file name rule (`names::check_file_name`: not empty or hidden, at most 255 bytes, no control
/// or invisible characters), else 400 naming it, escaped.
fn safe_file_name(raw: &str) -> Result<String, ApiError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    riskdesk::names::check_file_name(base).map_err(|e| ApiError::from(e).kind("UploadError"))?;
    Ok(base.to_owned())
}

/// The most parts an upload may have (a reference folder sends three files, `stage-file` one).
pub const MAX_PARTS: usize = 100;

/// The most bytes of headers one part may have (a file name and a content type need far less).
pub const MAX_PART_HEADERS: usize = 8 * 1024;

/// How much more of a refused upload is read (and thrown away) so that a client still sending
/// gets to read the refusal instead of a reset connection.
const READ_PAST_REFUSAL: u64 = 16_000_000;

/// Streams every `file` part of the multipart `request` into `dir` (at most `limit` bytes of body
/// in all, every part counted); returns their paths, at least one.
pub(crate) async fn receive(request: Request, dir: &Path, limit: u64) -> Result<Vec<PathBuf>, ApiError> {
    let refusal = Arc::new(Mutex::new(None));
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(boundary) = boundary_of(content_type) else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "UploadError", "the upload is not multipart/form-data with a boundary"));
    };
    let request = request.map(|body| Body::new(Bounded::new(body, &boundary, limit, Arc::clone(&refusal))));
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "UploadError", format!("the upload is not multipart: {e}")))?;
    let broken = |e: axum::extract::multipart::MultipartError| {
        if let Some(refused) = refusal.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
            return refused;
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(error) = source {
            if let Some(stalled) = error.downcast_ref::<crate::connections::BodyStalled>() {
                return ApiError::new(StatusCode::REQUEST_TIMEOUT, "UploadError", format!("the upload stalled: {stalled}"));
            }
            source = error.source();
        }
        ApiError::new(StatusCode::BAD_REQUEST, "UploadError", format!("the upload broke off: {}", e.body_text()))
    };
    let mut paths = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        if field.name() != Some("file") {
            // Read through (every byte counted by the body), kept nowhere.
            while field.chunk().await.map_err(broken)?.is_some() {}
            continue;
        }
        let name = safe_file_name(field.file_name().unwrap_or(""))?;
        let path = dir.join(&name);
        if paths.contains(&path) {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "UploadError", format!("the upload holds two files named {name}")));
        }
        let mut out = tokio::fs::File::create(&path).await.map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            out.write_all(&chunk).await.map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
        }
        out.flush().await.map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
        paths.push(path);
    }
    if paths.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "UploadError", "the upload has no part named 'file'"));
    }
    Ok(paths)
}

/// The `boundary` parameter of a `multipart/form-data` content type (quotes removed).
fn boundary_of(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = params.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_owned())
    })?;
    // RFC 2046: 1 to 70 characters.
    (!boundary.is_empty() && boundary.len() <= 70).then_some(boundary)
}

/// An upload's body, refused (the refusal left in `refusal` for [`receive`], and the body read on
/// for [`READ_PAST_REFUSAL`] bytes, thrown away) once it exceeds the limit or its multipart
/// structure exceeds [`MAX_PARTS`] or [`MAX_PART_HEADERS`].
struct Bounded {
    body: Body,
    limit: u64,
    read: u64,
    parts: Parts,
    refusal: Arc<Mutex<Option<ApiError>>>,
    /// How many bytes were read past a refusal, once refused.
    past_refusal: Option<u64>,
}

/// The refusal the multipart parser sees as a body error.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl Bounded {
    fn new(body: Body, boundary: &str, limit: u64, refusal: Arc<Mutex<Option<ApiError>>>) -> Self {
        Bounded { body, limit, read: 0, parts: Parts::new(boundary), refusal, past_refusal: None }
    }

    /// Refuses the upload with `error`, from now on.
    fn refuse(&mut self, error: ApiError) {
        self.past_refusal = Some(0);
        *self.refusal.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(error);
    }

    fn refused(&self) -> Refused {
        let said = self.refusal.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref().map(|e| e.message.clone());
        Refused(said.unwrap_or_else(|| "the upload was refused".to_owned()))
    }
}

impl HttpBody for Bounded {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        loop {
            if let Some(past) = this.past_refusal {
                if past >= READ_PAST_REFUSAL {
                    return Poll::Ready(Some(Err(Box::new(this.refused()))));
                }
                return match Pin::new(&mut this.body).poll_frame(cx) {
                    Poll::Ready(Some(Ok(frame))) => {
                        let n = frame.data_ref().map_or(0, Bytes::len) as u64;
                        this.past_refusal = Some(past + n.max(1));
                        continue;
                    }
                    Poll::Ready(_) => Poll::Ready(Some(Err(Box::new(this.refused())))),
                    Poll::Pending => Poll::Pending,
                };
            }
            let frame = match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => frame,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e.into()))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            };
            if let Some(data) = frame.data_ref() {
                this.read += data.len() as u64;
                if this.read > this.limit {
                    let limit = this.limit;
                    this.refuse(ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "UploadError",
                        format!("the upload is larger than this server's limit of {} MB", limit / 1_000_000),
                    ));
                    continue;
                }
                if let Err(said) = this.parts.scan(data) {
                    this.refuse(ApiError::new(StatusCode::BAD_REQUEST, "UploadError", said));
                    continue;
                }
            }
            return Poll::Ready(Some(Ok(frame)));
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Follows a multipart body's structure as it streams by, without keeping it: counts its parts
/// and the bytes of each part's headers.
struct Parts {
    /// `CRLF--boundary`: what begins every part (the body's first one without the CRLF).
    delimiter: Vec<u8>,
    /// The last bytes seen, fewer than the pattern looked for, for a match across chunks.
    tail: Vec<u8>,
    /// Inside a part's headers (from its delimiter to the empty line), and their bytes so far.
    headers: Option<usize>,
    /// Delimiters seen (the closing one included).
    delimiters: usize,
}

impl Parts {
    fn new(boundary: &str) -> Self {
        // The CRLF before the first delimiter is taken as seen, so that a body starting with it matches.
        Parts { delimiter: format!("\r\n--{boundary}").into_bytes(), tail: b"\r\n".to_vec(), headers: None, delimiters: 0 }
    }

    /// Follows `data`, the next bytes of the body; refuses too many parts or too long headers.
    fn scan(&mut self, mut data: &[u8]) -> Result<(), String> {
        const END_OF_HEADERS: &[u8] = b"\r\n\r\n";
        while !data.is_empty() {
            match self.headers {
                None => match find_across(&self.tail, data, &self.delimiter) {
                    Some(end) => {
                        self.delimiters += 1;
                        if self.delimiters > MAX_PARTS + 1 {
                            return Err(format!("the upload has more than {MAX_PARTS} parts"));
                        }
                        self.headers = Some(0);
                        self.tail.clear();
                        data = &data[end..];
                    }
                    None => {
                        keep_tail(&mut self.tail, data, self.delimiter.len() - 1);
                        data = &[];
                    }
                },
                Some(seen) => {
                    let (taken, found) = match find_across(&self.tail, data, END_OF_HEADERS) {
                        Some(end) => (end, true),
                        None => (data.len(), false),
                    };
                    if seen + taken > MAX_PART_HEADERS {
                        return Err(format!("a part of the upload has more than {MAX_PART_HEADERS} bytes of headers"));
                    }
                    if found {
                        // The part's content follows: a delimiter is looked for from here on.
                        self.headers = None;
                        self.tail.clear();
                    } else {
                        self.headers = Some(seen + taken);
                        keep_tail(&mut self.tail, data, END_OF_HEADERS.len() - 1);
                    }
                    data = &data[taken..];
                }
            }
        }
        Ok(())
    }
}

/// Where `pattern` ends in `data` (as an index into `data`), looking also at matches that begin
/// in `tail` (the bytes just before `data`, fewer than the pattern's).
fn find_across(tail: &[u8], data: &[u8], pattern: &[u8]) -> Option<usize> {
    if !tail.is_empty() {
        let mut joined = tail.to_vec();
        joined.extend_from_slice(&data[..data.len().min(pattern.len() - 1)]);
        if let Some(at) = memchr::memmem::find(&joined, pattern) {
            return Some(at + pattern.len() - tail.len());
        }
    }
    memchr::memmem::find(data, pattern).map(|at| at + pattern.len())
}

/// Keeps the last `n` bytes of `tail` followed by `data` in `tail`.
fn keep_tail(tail: &mut Vec<u8>, data: &[u8], n: usize) {
    if data.len() >= n {
        tail.clear();
        tail.extend_from_slice(&data[data.len() - n..]);
    } else {
        tail.extend_from_slice(data);
        let excess = tail.len().saturating_sub(n);
        tail.drain(..excess);
    }
}

/// `POST …/exposures/{dataset}/stage-file?name=&replace=false`, multipart `file`: a task whose
/// `json` result is the platform's `UploadStagingResult` for the whole upload (a ZIP stages one
/// name per member; `success` only if every one staged). `name` empty: the file's name; with
/// `riskdesk_results=true` (Riskdesk's own client) the result is instead the engine's, one per
/// staged name.
pub async fn stage_file(
    State(state): State<AppState>,
    ExposureDataset(dataset): ExposureDataset,
    params: Params,
    request: Request,
) -> Result<Response, ApiError> {
    let replace = params.flag("replace");
    let engine_results = params.flag("riskdesk_results");
    let scratch = scratch(&state).await?;
    let paths = receive(request, &scratch.0, state.upload_limit).await?;
    let stem = paths[0].file_name().and_then(|n| n.to_str()).map(|n| n.split('.').next().unwrap_or(n).to_owned()).unwrap_or_default();
    let name = params.last("name").unwrap_or(stem);
    Ok(state.spawn_write_task(move |b, progress| {
        let _scratch = scratch; // the upload goes once staged (the staged data is the engine's own copy)
        let results = b.stage(&dataset, &paths, replace, progress)?;
        if engine_results {
            return Ok(Outcome::Json(serde_json::to_value(&results).unwrap_or_default()));
        }
        let success = !results.is_empty() && results.iter().all(|r| r.success);
        let parser = results.iter().find_map(|r| r.parser.clone());
        let messages: Vec<String> = results.iter().flat_map(describe).collect();
        Ok(Outcome::Json(serde_json::json!({
            "name": name,
            "timestamp": riskdesk::date::now(),
            "success": success,
            "results": [{ "parser": parser, "success": success, "messages": messages }],
        })))
    }))
}

/// What became of one staged name, in the result's messages (the located errors of a bad file).
fn describe(r: &riskdesk::uploader::StagingResult) -> Vec<String> {
    use riskdesk::uploader::StageState;
    let thousands = |n: u64| riskdesk::text::thousands(n);
    match r.state {
        StageState::Staged => {
            vec![format!(
                "{}: staged {} rows ({} dates, {} assets) as {}",
                r.source,
                thousands(r.rows),
                r.dates,
                thousands(u64::from(r.assets)),
                r.name
            )]
        }
        StageState::Unchanged => vec![format!("{}: unchanged, {} is already staged from an identical file", r.source, r.name)],
        StageState::Exists => {
            vec![format!("{}: {} is already staged from a different file; stage with replace=true to replace it", r.source, r.name)]
        }
        StageState::Failed => r.messages.iter().map(ToString::to_string).collect(),
    }
}
