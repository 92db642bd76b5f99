//! Moving an embedded home into a team store (`riskdesk store migrate`): every object the home's
//! catalog references is uploaded, then every catalog row is copied in one transaction, then both
//! are verified (row counts per table; each object's size and content digest read back).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use riskdesk::progress::Progress;
use riskdesk::store::catalog::{self, TABLES};
use riskdesk::store::objects::Objects;
use riskdesk::store::sql::{Sql, transaction};
use riskdesk::store::{Embedded, Scope, Storage};
use riskdesk::{Error, Result};

use crate::TeamStore;
use crate::postgres::Pg;

/// What was moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// Rows per catalog table.
    pub rows: Vec<(String, u64)>,
    /// Objects uploaded.
    pub objects: u64,
    /// Bytes of the objects uploaded.
    pub bytes: u64,
}

/// Tables whose ids PostgreSQL generates (their sequences continue after the copied ids).
const GENERATED_IDS: [&str; 6] = ["dataset", "part", "risk_dataset", "risk_model", "api_key", "portfolio"];

/// Copies the home folder `from` into the empty team store `to` and verifies the copy. The home
/// stays as it was (its write lock is held meanwhile, so nothing changes it).
pub fn copy(from: &Path, to: &TeamStore, progress: &Progress<'_>) -> Result<Moved> {
    if !from.join("catalog.sqlite").is_file() {
        return Err(Error::invalid(format!("{} is not a Riskdesk home folder (it has no catalog.sqlite)", from.display())));
    }
    let home = Embedded::new(from)?;
    let src = home.sqlite()?;
    let _lock = home.lock(&src, &[Scope::References])?;
    let dst = Pg::open(to.catalog())?;
    for (table, _) in TABLES {
        let n = count(&dst, table)?;
        if n > 0 {
            return Err(Error::conflict(
                format!(
                    "the team catalog {} already holds data ({n} rows in {table}); migrate into an empty one",
                    crate::postgres::redact(to.catalog())
                ),
                Vec::new(),
            ));
        }
    }
    let keys = object_keys(from, &src)?;
    let counter = progress.counter("upload", keys.len() as u64);
    let bucket = to.bucket();
    let mut bytes = 0;
    for key in &keys {
        progress.check()?;
        let (source, target) = (from.join(key), bucket.create(key)?);
        let _ = std::fs::remove_file(&target);
        if std::fs::hard_link(&source, &target).is_err() {
            std::fs::copy(&source, &target).map_err(|e| Error::io(format!("cannot copy {}", source.display()), e))?;
        }
        bucket.publish(key)?;
        bytes += size(&source)?;
        let _ = counter.tick(key.clone());
    }
    progress.report("catalog", 0, TABLES.len() as u64, "copying the catalog");
    transaction(&dst, |tx| {
        for (table, columns) in TABLES {
            let marks: Vec<String> = (1..=columns.split(',').count()).map(|i| format!("?{i}")).collect();
            let insert = format!("INSERT INTO {table} ({columns}) VALUES ({})", marks.join(", "));
            for row in src.query(&format!("SELECT {columns} FROM {table}"), &[])? {
                tx.execute(&insert, &row.0)?;
            }
        }
        for table in GENERATED_IDS {
            tx.query(
                &format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"),
                &[],
            )?;
        }
        progress.check()
    })?;
    progress.report("verify", 0, keys.len() as u64, "verifying");
    let mut rows = Vec::new();
    for (table, _) in TABLES {
        let (a, b) = (count(&src, table)?, count(&dst, table)?);
        if a != b {
            return Err(Error::Storage(format!("verification failed: {table} has {a} rows in the home and {b} in the team catalog")));
        }
        rows.push((table.to_string(), a));
    }
    for key in &keys {
        if bucket.digest(key)? != digest(&from.join(key))? {
            return Err(Error::Storage(format!("verification failed: the stored object {key} differs from the home's file")));
        }
    }
    Ok(Moved { rows, objects: keys.len() as u64, bytes })
}

fn count(db: &dyn Sql, table: &str) -> Result<u64> {
    Ok(db.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])?.int(0)? as u64)
}

fn size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?.len())
}

/// The keys of every file the home's catalog references (reference folders listed file by file).
fn object_keys(root: &Path, db: &dyn Sql) -> Result<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    let referenced: HashSet<String> = catalog::referenced_files(db)?;
    for key in referenced {
        let path: PathBuf = root.join(&key);
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?.flatten() {
                keys.push(format!("{key}/{}", entry.file_name().to_string_lossy()));
            }
        } else if path.is_file() {
            keys.push(key);
        } else {
            return Err(Error::Storage(format!("the home's catalog names {key}, which is missing: nothing was moved")));
        }
    }
    keys.sort();
    Ok(keys)
}

/// The content digest of a local file (XXH3, 128 bits).
pub(crate) fn digest(path: &Path) -> Result<u128> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = std::io::Read::read(&mut file, &mut buf).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        if n == 0 {
            return Ok(hasher.digest128());
        }
        hasher.update(&buf[..n]);
    }
}
