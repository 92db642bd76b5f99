//! Riskdesk's team store: the catalog in PostgreSQL and the data objects in S3-compatible
//! storage, so that any number of `riskdesk serve` processes (and CLIs) on any machines share
//! one consistent store.
//!
//! [`TeamStore`] is the engine's [`Storage`] over them:
//! - every catalog connection is a PostgreSQL session ([`postgres::Pg`]); the schema is created
//!   and upgraded on open ([`postgres::migrate`]);
//! - a writer locks its scope (a dataset, a risk dataset, the references) with a PostgreSQL
//!   advisory lock on a session of its own, so writers of one dataset on any server take turns
//!   and writers of different datasets run at once; a killed writer's session ends, and with it
//!   its lock;
//! - objects live in the bucket, cached on this machine ([`bucket::Bucket`]), each recorded as
//!   pending before it is written, so the collector ([`collect`]) never deletes what a running
//!   writer needs;
//! - [`copy`] moves an embedded home into a team store and verifies it.

pub mod bucket;
pub mod collect;
pub mod copy;
pub mod postgres;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use riskdesk::store::objects::Objects;
use riskdesk::store::sql::Sql;
use riskdesk::store::{Scope, Storage, WriteLock};
use riskdesk::{Error, Result};

use crate::bucket::Bucket;

/// How long a writer waits for another writer of its scope (on any server) before `busy`.
pub const LOCK_PATIENCE: Duration = Duration::from_secs(600);

/// A team store: a PostgreSQL catalog and an S3-compatible bucket.
pub struct TeamStore {
    catalog: String,
    bucket: Bucket,
    /// The connection that checked the schema, for the first [`Storage::connect`].
    first: std::sync::Mutex<Option<postgres::Pg>>,
}

impl TeamStore {
    /// Opens the team store with its catalog at `catalog` (`postgres://USER@HOST[:PORT]/DB`) and
    /// its objects at `store` (`s3://BUCKET[/PREFIX]`, endpoint and keys from the `AWS_*`
    /// variables), caching objects in `cache` (default: a folder of this machine's cache named
    /// after the store). Creates or upgrades the catalog's schema; refuses a newer one.
    pub fn open(catalog: &str, store: &str, cache: Option<&Path>) -> Result<TeamStore> {
        if !(catalog.starts_with("postgres://") || catalog.starts_with("postgresql://")) {
            return Err(Error::invalid(format!("a team catalog is postgres://USER@HOST/DATABASE, not '{catalog}'")));
        }
        let mut client = postgres::connect(catalog)?;
        postgres::migrate(&mut client)?;
        let cache = match cache {
            Some(c) => c.to_owned(),
            None => default_cache(catalog, store),
        };
        let bucket = Bucket::open(store, &cache, catalog)?;
        Ok(TeamStore { bucket, catalog: catalog.to_owned(), first: std::sync::Mutex::new(Some(postgres::Pg::new(client))) })
    }

    /// The catalog's URL.
    pub fn catalog(&self) -> &str {
        &self.catalog
    }

    /// The bucket.
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// This store as the engine's storage.
    pub fn shared(self) -> Arc<dyn Storage> {
        Arc::new(self)
    }
}

/// `~/.cache/riskdesk/store/<hash of the catalog and store>`.
fn default_cache(catalog: &str, store: &str) -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("riskdesk").join("store").join(format!("{:016x}", xxhash_rust::xxh3::xxh3_64(format!("{catalog}\n{store}").as_bytes())))
}

fn describe(scope: &Scope) -> String {
    match scope {
        Scope::Dataset(n) => format!("dataset '{n}'"),
        Scope::RiskDataset(n) => format!("risk dataset '{n}'"),
        Scope::RiskModel(n) => format!("risk model '{n}'"),
        Scope::Portfolios => "the saved portfolios".to_owned(),
        Scope::References | Scope::UsingReferences => "the reference datasets".to_owned(),
    }
}

impl Storage for TeamStore {
    fn connect(&self) -> Result<Box<dyn Sql>> {
        if let Some(first) = self.first.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Ok(Box::new(first));
        }
        Ok(Box::new(postgres::Pg::open(&self.catalog)?))
    }

    fn objects(&self) -> &dyn Objects {
        &self.bucket
    }

    /// Advisory locks on the writer's own catalog session (so that a writer costs one
    /// session): released when the guard drops, or when the process dies (PostgreSQL ends a
    /// dead client's session).
    fn lock(&self, db: &dyn Sql, scopes: &[Scope]) -> Result<WriteLock> {
        let Some(pg) = db.as_any().downcast_ref::<postgres::Pg>() else {
            return Err(Error::Catalog("a team store's writer needs a connection to its PostgreSQL catalog".into()));
        };
        let keys: Vec<(i64, bool)> = scopes.iter().map(|s| (postgres::scope_key(&s.key()), s.shared())).collect();
        match pg.lock(&keys, LOCK_PATIENCE)? {
            Ok(held) => Ok(WriteLock::new(held)),
            Err(busy) => Err(Error::Busy { what: format!("{} in the team store", describe(&scopes[busy])) }),
        }
    }

    fn writers_wait(&self) -> bool {
        true
    }

    fn location(&self) -> String {
        format!("{} + {}", postgres::redact(&self.catalog), self.bucket.url())
    }

    fn local_folder(&self) -> &Path {
        self.bucket.cache()
    }
}
