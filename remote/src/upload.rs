//! Files to the server: staging (folders batched into annual ZIPs first, as the platform
//! expects, then each archive or file streamed through `stage-file` with the bytes sent
//! reported, and the server's staging task followed) and reference folders for import.
//! A cancelled upload stops sending at once; the server keeps nothing of a half-sent upload.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use reqwest::Method;
use reqwest::blocking::multipart::{Form, Part};
use riskdesk::names::Named;
use riskdesk::parse::Diagnostic;
use riskdesk::reference::ReferenceInfo;
use riskdesk::uploader::StagingResult;
use riskdesk::{Error, Progress, Result};

use crate::http::{Http, remote_error};

/// A file being sent: counts the bytes read into the shared total and stops when asked. It is
/// read on the HTTP client's own thread, so it shares only atomics with the caller, who reports
/// the progress and relays a cancel (see [`send_files`]).
struct Sending {
    file: std::fs::File,
    sent: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Read for Sending {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "cancelled"));
        }
        let n = self.file.read(buf)?;
        self.sent.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn label_of(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Streams `paths` as multipart `file` parts to `path` (below the endpoint, with `query`) and
/// follows the task the server answers with; its `json` result.
fn send_files(
    http: &Http,
    path: &str,
    query: &[(&str, String)],
    files: &[PathBuf],
    sent: &Arc<AtomicU64>,
    total: u64,
    progress: &Progress<'_>,
) -> Result<serde_json::Value> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut form = Form::new();
    for file in files {
        let len = std::fs::metadata(file).map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?.len();
        let reader = Sending {
            file: std::fs::File::open(file).map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?,
            sent: Arc::clone(sent),
            stop: Arc::clone(&stop),
        };
        form = form.part("file", Part::reader_with_length(reader, len).file_name(label_of(file)));
    }
    let label = files.iter().map(|f| label_of(f)).collect::<Vec<_>>().join(", ");
    let request = http.request(Method::POST, path).query(query).multipart(form);
    let answer = std::thread::scope(|scope| {
        let sending = scope.spawn(|| http.send(request));
        while !sending.is_finished() {
            progress.report("upload", sent.load(Ordering::Relaxed), total, format!("sending {label}"));
            if progress.check().is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        sending.join().unwrap_or_else(|_| Err(Error::Internal("the upload thread stopped unexpectedly".into())))
    });
    // A stopped upload: the server drops the half-sent files.
    let accepted = answer.map_err(|e| if stop.load(Ordering::Relaxed) { Error::Cancelled } else { e })?;
    progress.report("upload", sent.load(Ordering::Relaxed), total, format!("sent {label}"));
    http.task(accepted, "json", progress)?
        .json()
        .map_err(|e| remote_error("server_error", format!("the server's staging result does not read as expected: {}", e.without_url())))
}

/// Stages `paths` (files, folders of daily files, ZIPs) into `dataset` on the server.
pub fn stage(http: &Http, dataset: &str, paths: &[PathBuf], replace: bool, progress: &Progress<'_>) -> Result<Vec<StagingResult>> {
    let batches = tempfile::tempdir().map_err(|e| Error::io("cannot create a folder for the annual ZIPs", e))?;
    let mut uploads: Vec<PathBuf> = Vec::new();
    let mut results: Vec<StagingResult> = Vec::new();
    for path in paths {
        if !path.is_dir() {
            if path.is_file() {
                uploads.push(path.clone());
            } else {
                let label = label_of(path);
                let d = Diagnostic::file(&label, format!("no such file: {}", path.display()));
                results.push(StagingResult::failed(label.split('.').next().unwrap_or(&label), &label, vec![d]));
            }
            continue;
        }
        // A folder: its daily files as annual ZIPs, its archives as they are, and a data file
        // with a name that does not parse refused here, as staging it locally would.
        let mut daily = false;
        for (file, verdict) in riskdesk::inputs::list_folder(path)? {
            let label = label_of(&file);
            match verdict {
                Ok(Named::Annual { .. }) => uploads.push(file),
                Ok(Named::Daily { format: riskdesk::names::Format::Zip, .. }) => uploads.push(file),
                Ok(Named::Daily { .. }) => daily = true,
                Err(reason) if riskdesk::names::Format::split(&label).is_some() => {
                    let name = riskdesk::names::Format::split(&label).map_or(label.clone(), |(stem, _)| stem.to_owned());
                    results.push(StagingResult::failed(&name, &label, vec![Diagnostic::file(&label, reason)]));
                }
                Err(_) => {}
            }
        }
        if daily {
            let out = batches.path().join(uploads.len().to_string());
            let archives = riskdesk::batch::batch(path, &out, riskdesk::batch::DEFAULT_LEVEL, progress)?;
            uploads.extend(archives.into_iter().map(|a| a.path));
        }
    }
    let total: u64 = uploads.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let sent = Arc::new(AtomicU64::new(0));
    let query = [("name", String::new()), ("replace", replace.to_string()), ("riskdesk_results", "true".to_owned())];
    let target = format!("/v1/equity/uploaders/exposures/{}/stage-file", crate::segment(dataset));
    for upload in &uploads {
        let reply = send_files(http, &target, &query, std::slice::from_ref(upload), &sent, total, progress)?;
        let staged: Vec<StagingResult> = serde_json::from_value(reply).map_err(|_| {
            remote_error(
                "unsupported",
                format!("{} staged the file but is not a Riskdesk server, so its results cannot be shown here", http.endpoint),
            )
        })?;
        results.extend(staged);
    }
    results.sort_by(|a, b| a.name.cmp(&b.name).then(a.source.cmp(&b.source)));
    Ok(results)
}

/// Imports a reference folder (its `assets`, `market_caps` and `returns` files) on the server.
pub fn import_reference(
    http: &Http,
    name: &str,
    dir: &Path,
    id_type: &str,
    replace: bool,
    progress: &Progress<'_>,
) -> Result<ReferenceInfo> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("cannot read the folder {}", dir.display()), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !label_of(p).starts_with('.'))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::invalid(format!(
            "{} holds no files (expected assets.csv, and optionally market_caps and returns)",
            dir.display()
        )));
    }
    let total: u64 = files.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let sent = Arc::new(AtomicU64::new(0));
    let query = [("id_type", id_type.to_owned()), ("replace", replace.to_string())];
    let reply = send_files(http, &format!("/v1/riskdesk/references/{}", crate::segment(name)), &query, &files, &sent, total, progress)?;
    serde_json::from_value(reply)
        .map_err(|e| remote_error("server_error", format!("the server's import result does not read as expected: {e}")))
}
