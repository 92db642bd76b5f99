//! `POST …/{dataset}/stage-file`: a multipart upload (field `file`: a ZIP of daily files, or one
//! CSV or Parquet file) streamed to a private folder under the store's local folder, never held
//! in memory, then staged by a task. Above the size limit the request is refused with 413 and
//! nothing is kept.

use std::path::{Path, PathBuf};

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
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

/// The base name of an uploaded file, safe as a file name here (no folders, no dot files).
fn safe_file_name(raw: &str) -> Result<String, ApiError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() || base.starts_with('.') || base.chars().any(char::is_control) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "UploadError",
            format!("the uploaded file needs a plain file name, not '{raw}'"),
        ));
    }
    Ok(base.to_owned())
}

/// Streams every `file` field of `multipart` into `dir` (at most `limit` bytes in all); returns
/// their paths, at least one.
pub(crate) async fn receive(mut multipart: Multipart, dir: &Path, limit: u64) -> Result<Vec<PathBuf>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "UploadError",
            format!("the upload is larger than this server's limit of {} MB", limit / 1_000_000),
        )
    };
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "UploadError", format!("the upload broke off: {e}"))
        }
    };
    let mut paths = Vec::new();
    let mut written = 0u64;
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = safe_file_name(field.file_name().unwrap_or(""))?;
        let path = dir.join(&name);
        if paths.contains(&path) {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "UploadError", format!("the upload holds two files named {name}")));
        }
        let mut out = tokio::fs::File::create(&path).await.map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            written += chunk.len() as u64;
            if written > limit {
                // Read on (storing nothing, up to the limit again) so that the client, still
                // sending, gets to read the 413 instead of a reset connection.
                drop(out);
                let _ = tokio::fs::remove_file(&path).await;
                while written <= limit.saturating_mul(2) {
                    match field.chunk().await {
                        Ok(Some(chunk)) => written += chunk.len() as u64,
                        _ => break,
                    }
                }
                return Err(too_large());
            }
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

/// `POST …/exposures/{dataset}/stage-file?name=&replace=false`, multipart `file`: a task whose
/// `json` result is the platform's `UploadStagingResult` for the whole upload (a ZIP stages one
/// name per member; `success` only if every one staged). `name` empty: the file's name; with
/// `riskdesk_results=true` (Riskdesk's own client) the result is instead the engine's, one per
/// staged name.
pub async fn stage_file(
    State(state): State<AppState>,
    ExposureDataset(dataset): ExposureDataset,
    params: Params,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let replace = params.flag("replace");
    let engine_results = params.flag("riskdesk_results");
    let scratch = scratch(&state).await?;
    let paths = receive(multipart, &scratch.0, state.upload_limit).await?;
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
