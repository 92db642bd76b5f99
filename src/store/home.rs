//! The home folder: `catalog.sqlite` (WAL), `data/` (immutable Parquet files) and a `lock` file
//! that one writer at a time holds (a second one waits half a second, then fails with `busy`).
//! Readers never take the lock.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::Connection;

use super::catalog;

use crate::error::IoContext;
use crate::{Error, Result};

/// Where risk dataset files live, under `data/`.
pub(crate) const RISK: &str = "risk";

/// How long a writer waits for the lock before failing with [`Error::Busy`].
pub const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// An open home folder.
pub struct Home {
    root: PathBuf,
    db: Connection,
    data: DataDir,
}

/// Where data files live; shareable across worker threads.
pub struct DataDir {
    root: PathBuf,
}

/// Proof that this process is the home's one writer; released when dropped.
pub struct WriteLock {
    _file: File,
}

impl Home {
    /// The home folder to use when none is given: `RISKDESK_HOME`, else the platform data folder.
    pub fn default_root() -> PathBuf {
        match std::env::var_os("RISKDESK_HOME") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("riskdesk"),
        }
    }

    /// Opens (creating if needed) the home folder at `root`.
    pub fn open(root: &Path) -> Result<Home> {
        std::fs::create_dir_all(root.join("data")).at("cannot create the home folder", root)?;
        let db = Connection::open(root.join("catalog.sqlite"))?;
        db.busy_timeout(std::time::Duration::from_secs(10))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        catalog::migrate(&db)?;
        Ok(Home { root: root.to_owned(), db, data: DataDir { root: root.to_owned() } })
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The catalog connection.
    pub(crate) fn db(&self) -> &Connection {
        &self.db
    }

    /// Takes the write lock, or fails with [`Error::Busy`] after [`LOCK_PATIENCE`]. Removes files
    /// that a crashed writer left behind (written but never recorded in the catalog).
    pub fn write_lock(&self) -> Result<WriteLock> {
        let path = self.root.join("lock");
        let file = OpenOptions::new().create(true).truncate(false).write(true).open(&path).at("cannot open", &path)?;
        // Retry briefly before reporting busy: a lock can look held for a moment after its holder
        // released it, while a freshly forked child still shares the holder's file descriptors.
        let deadline = std::time::Instant::now() + LOCK_PATIENCE;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Err(Error::Busy { path: self.root.clone() }),
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(format!("cannot lock {}", path.display()), e)),
            }
        }
        self.remove_orphans()?;
        Ok(WriteLock { _file: file })
    }

    /// The data files' locations.
    pub(crate) fn data(&self) -> &DataDir {
        &self.data
    }

    /// Absolute path of a catalog-relative file path.
    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.data.path(relative)
    }

    /// The folder holding the files of reference dataset `id`: `data/references/<id>`.
    pub(crate) fn reference_dir(&self, id: i64) -> PathBuf {
        self.root.join(catalog::REFERENCES_DIR).join(id.to_string())
    }

    /// Deletes what a crashed or refused writer left under `data/`: every file and folder that
    /// no catalog row references (see [`catalog::referenced_files`]), with folders left empty.
    fn remove_orphans(&self) -> Result<()> {
        let kept = catalog::referenced_files(&self.db)?;
        sweep(&self.root.join("data"), "data", &kept)
    }
}

/// Removes the entries of `dir` (catalog path `rel`) that `kept` neither names nor holds.
fn sweep(dir: &Path, rel: &str, kept: &HashSet<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).at("cannot read", dir)?.flatten() {
        let child = format!("{rel}/{}", entry.file_name().to_string_lossy());
        if kept.contains(&child) {
            continue;
        }
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let prefix = format!("{child}/");
            if kept.iter().any(|k| k.starts_with(&prefix)) {
                sweep(&path, &child, kept)?;
            } else {
                let _ = std::fs::remove_dir_all(&path);
            }
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
    Ok(())
}

impl DataDir {
    /// Absolute path of a catalog-relative file path.
    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// A new, unused catalog-relative path for a Parquet file of `dataset` in `kind` (staged/parts).
    pub(crate) fn new_file(&self, dataset: i64, kind: &str) -> Result<String> {
        self.new_file_in(&format!("{dataset}/{kind}"))
    }

    /// A new, unused catalog-relative path for a Parquet file in `data/<folder>`.
    pub(crate) fn new_file_in(&self, folder: &str) -> Result<String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = format!("data/{folder}");
        std::fs::create_dir_all(self.root.join(&dir)).at("cannot create", &self.root.join(&dir))?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        Ok(format!("{dir}/{nanos:x}-{:x}-{n:x}.parquet", std::process::id()))
    }
}
