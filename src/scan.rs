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
    /// Not known to the dataset, or no dataset was asked about (for an archive: its members are neither all staged nor all committed).
    New,
    /// Staged in the dataset now, whether or not committed before (for an archive: every member is).
    Staged,
    /// Committed in some version of the dataset and not staged again (for an archive: every member is).
    Committed,
}

/// A file that qualifies for staging.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ScannedFile {
    /// The file's name in the folder, with its extension.
    pub file_name: String,
    /// The file's path: the scanned folder joined with its name.
    pub path: PathBuf,
    /// The staged name (for an annual archive: the archive's stem; its members are staged).
    pub name: String,
    /// `YYYY-MM-DD` for a daily file; none for an annual archive.
    pub date: Option<String>,
    /// The calendar year of the name's date, or the annual archive's year.
    pub year: i32,
    /// The format its extension names (zip for an annual archive or a zipped day).
    pub format: Format,
    /// The file's size on disk in bytes (0 when its metadata could not be read).
    pub bytes: u64,
    /// Whether its staged name (an archive's: all its members') is new, staged or committed in the dataset asked about.
    pub status: FileStatus,
}

/// A file that does not qualify, with the reason.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct RejectedFile {
    /// The entry's name in the folder (a file or a subfolder).
    pub file_name: String,
    /// Why it does not qualify (unsupported extension, no date or an impossible date in the name, a subfolder).
    pub reason: String,
}

/// How many files a year has.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct YearCount {
    /// The calendar year.
    pub year: i32,
    /// How many qualifying files (daily files and archives, each counting once) belong to the year.
    pub files: usize,
    /// Their total size on disk in bytes.
    pub bytes: u64,
}

/// The result of scanning a folder.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ScanReport {
    /// The folder scanned, as given.
    pub folder: PathBuf,
    /// The files that qualify, sorted by path.
    pub files: Vec<ScannedFile>,
    /// How many of `files` each year has, one entry per year that has any, oldest first.
    pub years: Vec<YearCount>,
    /// The entries that do not qualify (hidden files left out), sorted by path.
    pub rejected: Vec<RejectedFile>,
    /// Files whose staged name is already staged in the dataset asked about.
    pub staged: usize,
    /// Files whose staged name is already committed (and not staged again) in the dataset asked about.
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
