//! Where the data files live: [`Objects`], immutable files under keys like
//! `data/3/parts/….parquet`, in a folder on this machine (`Folder`) or in a team's bucket
//! (the `riskdesk-team` crate). Every key is new when written and never rewritten, so a copy of
//! an object is good for as long as the object exists.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Result;

/// The stored objects of a home.
///
/// A writer asks [`Objects::create`] for a local path, writes the whole file there (through a
/// temporary sibling and a rename, see [`crate::store::write_atomically`]), then calls
/// [`Objects::publish`]; only then may a catalog row name the key. Readers read the local path
/// [`Objects::local`] gives.
pub trait Objects: Send + Sync {
    /// The local path at which to write the new object `key` (its folder exists).
    fn create(&self, key: &str) -> Result<PathBuf>;
    /// Stores the file written at [`Objects::create`]'s path durably under `key`.
    fn publish(&self, key: &str) -> Result<()>;
    /// A local path holding the bytes of `key`: the file itself, or a copy fetched once.
    fn local(&self, key: &str) -> Result<PathBuf>;
    /// Whether an object or a folder of objects exists under `key`.
    fn exists(&self, key: &str) -> Result<bool>;
    /// Deletes `key` and everything under `key/`; a missing key is not an error.
    fn delete(&self, key: &str) -> Result<()>;
}

/// A new, unused key for a Parquet file under `data/<folder>`.
pub fn new_key(folder: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // A random part too: several machines write into one team bucket.
    let mut salt = [0u8; 4];
    let _ = getrandom::fill(&mut salt);
    format!("data/{folder}/{nanos:x}-{:x}-{n:x}-{}.parquet", std::process::id(), u32::from_le_bytes(salt))
}

/// The embedded store's objects: files under a home folder, the key being the relative path.
pub(crate) struct Folder {
    root: PathBuf,
}

impl Folder {
    /// The objects under `root` (the home folder).
    pub fn new(root: &Path) -> Folder {
        Folder { root: root.to_owned() }
    }
}

impl Objects for Folder {
    fn create(&self, key: &str) -> Result<PathBuf> {
        let path = self.root.join(key);
        if let Some(dir) = path.parent() {
            super::durable::create_private_dir_all(dir)?;
        }
        Ok(path)
    }

    fn publish(&self, _key: &str) -> Result<()> {
        Ok(()) // written atomically in place
    }

    fn local(&self, key: &str) -> Result<PathBuf> {
        Ok(self.root.join(key))
    }

    fn exists(&self, key: &str) -> Result<bool> {
        Ok(self.root.join(key).exists())
    }

    fn delete(&self, key: &str) -> Result<()> {
        let path = self.root.join(key);
        let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        Ok(())
    }
}
