//! Scanning a folder for daily exposure files, grouped by year, with a reason for every file
//! that does not qualify.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::Result;
use crate::names::{Format, Named};

/// Whether a file's staged name is already known to a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    New,
    Staged,
    Committed,
}

/// A file that qualifies for staging.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ScannedFile {
    pub file_name: String,
    pub path: PathBuf,
    /// The staged name (for an annual archive: the archive's stem; its members are staged).
    pub name: String,
    /// `YYYY-MM-DD` for a daily file; none for an annual archive.
    pub date: Option<String>,
    pub year: i32,
    pub format: Format,
    pub bytes: u64,
    pub status: FileStatus,
}

/// A file that does not qualify, with the reason.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct RejectedFile {
    pub file_name: String,
    pub reason: String,
}

/// How many files a year has.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct YearCount {
    pub year: i32,
    pub files: usize,
    pub bytes: u64,
}

/// The result of scanning a folder.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ScanReport {
    pub folder: PathBuf,
    pub files: Vec<ScannedFile>,
    pub years: Vec<YearCount>,
    pub rejected: Vec<RejectedFile>,
    /// Files whose staged name is already staged / committed in the dataset asked about.
    pub staged: usize,
    pub committed: usize,
}

/// Scans `folder`. `known` maps staged names to their status in a dataset (empty when none).
pub fn scan(folder: &Path, known: &HashMap<String, FileStatus>) -> Result<ScanReport> {
    if !folder.is_dir() {
        return Err(crate::Error::invalid(format!("{} is not a folder", folder.display())));
    }
    let mut files = Vec::new();
    let mut rejected = Vec::new();
    for (path, verdict) in crate::inputs::list_folder(folder)? {
        let file_name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let named = match verdict {
            Ok(n) => n,
            Err(reason) => {
                rejected.push(RejectedFile { file_name, reason });
                continue;
            }
        };
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let (date, format) = match &named {
            Named::Daily { date, format, .. } => (Some(crate::date::format(*date)), *format),
            Named::Annual { .. } => (None, Format::Zip),
        };
        let status = match &named {
            Named::Annual { .. } => archive_status(&path, known),
            Named::Daily { format: Format::Zip, .. } => archive_status(&path, known),
            Named::Daily { stem, .. } => known.get(stem).copied().unwrap_or(FileStatus::New),
        };
        files.push(ScannedFile { file_name, name: named.stem().to_owned(), path, date, year: named.year(), format, bytes, status });
    }
    let mut years: BTreeMap<i32, YearCount> = BTreeMap::new();
    for f in &files {
        let y = years.entry(f.year).or_insert(YearCount { year: f.year, files: 0, bytes: 0 });
        y.files += 1;
        y.bytes += f.bytes;
    }
    let count = |s| files.iter().filter(|f| f.status == s).count();
    Ok(ScanReport {
        folder: folder.to_owned(),
        staged: count(FileStatus::Staged),
        committed: count(FileStatus::Committed),
        years: years.into_values().collect(),
        files,
        rejected,
    })
}

/// An archive counts as staged (committed) when every member's name is.
fn archive_status(path: &Path, known: &HashMap<String, FileStatus>) -> FileStatus {
    if known.is_empty() {
        return FileStatus::New;
    }
    let members = crate::inputs::resolve(&[path.to_owned()]).units;
    let all = |s| !members.is_empty() && members.iter().all(|u| known.get(&u.name) == Some(&s));
    if all(FileStatus::Committed) {
        FileStatus::Committed
    } else if all(FileStatus::Staged) {
        FileStatus::Staged
    } else {
        FileStatus::New
    }
}
