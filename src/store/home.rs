//! A home: a catalog connection over a [`Storage`], where the catalog and the data objects live.
//!
//! [`Embedded`] is a home folder on this machine: `catalog.sqlite` (WAL), `data/` (immutable
//! Parquet files) and a `lock` file that one writer at a time holds (a second one waits half a
//! second, then fails with `busy`). A team store (the `riskdesk-team` crate) keeps the catalog in
//! PostgreSQL and the objects in a bucket. Readers never take a lock.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::Connection;

use super::catalog;
use super::objects::{Folder, Objects};
use super::sql::Sql;

use crate::error::IoContext;
use crate::{Error, Result};

/// Where risk dataset files live, under `data/`.
pub(crate) const RISK: &str = "risk";

/// Where risk model files live, under `data/`.
pub(crate) const MODELS: &str = "models";

/// Where saved portfolios' files live, under `data/`.
pub(crate) const PORTFOLIOS: &str = "portfolios";

/// How long a writer waits for the embedded store's lock before failing with [`Error::Busy`].
pub(crate) const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// What a writer changes, and so what it must hold alone. The embedded store has one lock for
/// all; a team store locks each scope on its own, so that writers of different datasets run at
/// once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// An exposure dataset (by name): its staging area, versions and deletion.
    Dataset(String),
    /// A risk dataset (by name): its build and deletion.
    RiskDataset(String),
    /// A risk model (by name): its estimation and deletion.
    RiskModel(String),
    /// The saved portfolios: saving and deleting them.
    Portfolios,
    /// The reference datasets: imports and deletions.
    References,
    /// Reading the reference datasets through a risk dataset's build: shared, so builds run
    /// together, while imports and deletions of references ([`Scope::References`]) wait for them.
    UsingReferences,
}

impl Scope {
    /// A stable text naming the scope (a team store hashes it into a lock key).
    pub fn key(&self) -> String {
        match self {
            Scope::Dataset(n) => format!("dataset/{n}"),
            Scope::RiskDataset(n) => format!("risk_dataset/{n}"),
            Scope::RiskModel(n) => format!("risk_model/{n}"),
            Scope::Portfolios => "portfolios".to_owned(),
            Scope::References | Scope::UsingReferences => "references".to_owned(),
        }
    }

    /// Whether holders of the scope may hold it together (readers of the references).
    pub fn shared(&self) -> bool {
        matches!(self, Scope::UsingReferences)
    }
}

/// Where a home keeps its catalog and its data objects, with the locks of its writers.
pub trait Storage: Send + Sync {
    /// A new catalog connection (the schema created or upgraded if needed).
    fn connect(&self) -> Result<Box<dyn Sql>>;
    /// The data objects.
    fn objects(&self) -> &dyn Objects;
    /// Takes the locks of `scopes`, in order, for a writer (holding them until the guard drops),
    /// or fails with [`Error::Busy`] after this storage's patience. `db` is the writer's catalog
    /// connection.
    fn lock(&self, db: &dyn Sql, scopes: &[Scope]) -> Result<WriteLock>;
    /// Whether a writer waits for its turn behind other writers ([`Storage::lock`]'s patience is
    /// long) rather than failing `busy` at once, so that callers need no queue of their own.
    fn writers_wait(&self) -> bool;
    /// Where it is, for people: a folder, or the catalog and bucket URLs. Display only: a
    /// path on this machine is [`Storage::local_folder`].
    fn location(&self) -> String;
    /// This store's own folder on this machine, for files that are never data: uploads being
    /// received, and what a front end keeps beside the store (the app's saved servers). The
    /// home folder itself, or a team store's object cache.
    fn local_folder(&self) -> &Path;
}

/// Proof that this writer holds its scope; released when dropped.
pub struct WriteLock {
    _held: Box<dyn Send>,
}

impl WriteLock {
    /// A lock held as long as `held` lives.
    pub fn new(held: impl Send + 'static) -> WriteLock {
        WriteLock { _held: Box::new(held) }
    }
}

/// An open home: a catalog connection of its own over a shared [`Storage`].
pub struct Home {
    storage: Arc<dyn Storage>,
    db: Box<dyn Sql>,
}

impl Home {
    /// The home folder to use when none is given: `RISKDESK_HOME`, else the platform data folder.
    pub fn default_root() -> PathBuf {
        match std::env::var_os("RISKDESK_HOME") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("riskdesk"),
        }
    }

    /// Opens (creating if needed) the embedded home folder at `root`.
    pub fn open(root: &Path) -> Result<Home> {
        Home::on(Arc::new(Embedded::new(root)?))
    }

    /// Opens a home on `storage`, with a new catalog connection.
    pub fn on(storage: Arc<dyn Storage>) -> Result<Home> {
        Ok(Home { db: storage.connect()?, storage })
    }

    /// The storage this home is on.
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    /// The catalog connection.
    pub(crate) fn db(&self) -> &dyn Sql {
        &*self.db
    }

    /// The data objects.
    pub fn objects(&self) -> &dyn Objects {
        self.storage.objects()
    }

    /// Takes the write lock of `scope` (see [`Storage::lock`]).
    pub fn write_lock(&self, scope: Scope) -> Result<WriteLock> {
        self.storage.lock(&*self.db, &[scope])
    }

    /// Takes the write locks of `scopes`, in order (see [`Storage::lock`]).
    pub fn write_locks(&self, scopes: &[Scope]) -> Result<WriteLock> {
        self.storage.lock(&*self.db, scopes)
    }

    /// A local path holding the object `key`.
    pub(crate) fn local(&self, key: &str) -> Result<PathBuf> {
        self.objects().local(key)
    }

    /// The key of the folder holding the files of reference dataset `id`: `data/references/<id>`.
    pub(crate) fn reference_key(id: i64) -> String {
        format!("{}/{id}", catalog::REFERENCES_DIR)
    }
}

/// The embedded store: a home folder on this machine (SQLite catalog, files, a lock file).
pub struct Embedded {
    root: PathBuf,
    objects: Folder,
}

impl Embedded {
    /// The home folder at `root`, created if needed: a new home folder, and every folder and
    /// file Riskdesk creates in it, is private to its owner (`0700` folders, `0600` files on unix).
    pub fn new(root: &Path) -> Result<Embedded> {
        if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).at("cannot create the home folder", root)?;
        }
        super::durable::create_private_dir_all(&root.join("data"))?;
        Ok(Embedded { root: root.to_owned(), objects: Folder::new(root) })
    }

    /// Opens a SQLite connection to the catalog, upgrading its schema if needed. A new catalog
    /// is created private (SQLite gives its journal files the catalog's permissions).
    pub fn sqlite(&self) -> Result<Connection> {
        let path = self.root.join("catalog.sqlite");
        if !path.exists() {
            drop(super::durable::open_private_file(&path)?);
        }
        let db = Connection::open(&path)?;
        db.busy_timeout(std::time::Duration::from_secs(10))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        catalog::migrate(&db)?;
        Ok(db)
    }
}

impl Storage for Embedded {
    fn connect(&self) -> Result<Box<dyn Sql>> {
        Ok(Box::new(self.sqlite()?))
    }

    fn objects(&self) -> &dyn Objects {
        &self.objects
    }

    /// One lock for the whole home, whatever the scope. Removes files that a crashed writer left
    /// behind (written but never recorded in the catalog).
    fn lock(&self, db: &dyn Sql, _scopes: &[Scope]) -> Result<WriteLock> {
        let path = self.root.join("lock");
        let file = super::durable::open_private_file(&path)?;
        // Retry briefly before reporting busy: a lock can look held for a moment after its holder
        // released it, while a freshly forked child still shares the holder's file descriptors.
        let deadline = std::time::Instant::now() + LOCK_PATIENCE;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::Busy { what: format!("the home folder {}", self.root.display()) });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(format!("cannot lock {}", path.display()), e)),
            }
        }
        let kept = catalog::referenced_files(db)?;
        sweep(&self.root.join("data"), "data", &kept)?;
        Ok(WriteLock::new(file))
    }

    fn writers_wait(&self) -> bool {
        false
    }

    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn local_folder(&self) -> &Path {
        &self.root
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
