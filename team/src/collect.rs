//! The collector: deletes the objects of a team store that nothing needs any more (written by a
//! killed or failed writer, never recorded in the catalog).
//!
//! An object is kept when a catalog row references it, or when it is pending (recorded in
//! `pending_object` before it was written) under an owner whose session is alive and for less
//! than [`PENDING_LIMIT`]. The bucket is listed *before* the catalog is read: an object in the
//! listing was written after its pending record was committed, so the read sees either that
//! record or, once its writer committed, the catalog row naming it.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use riskdesk::Result;
use riskdesk::args;
use riskdesk::store::catalog;
use riskdesk::store::sql::{Sql, transaction};

use crate::TeamStore;
use crate::bucket::OWNER_CLASS;
use crate::postgres::Pg;

/// A pending record older than this is stale even if its owner lives (no write takes a day).
pub const PENDING_LIMIT: Duration = Duration::from_secs(24 * 3600);

/// What a collection found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collected {
    /// Objects in the bucket.
    pub objects: usize,
    /// Objects kept because a running writer has them pending.
    pub pending: usize,
    /// The keys deleted.
    pub deleted: Vec<String>,
    /// Their bytes.
    pub bytes: u64,
}

/// Collects `store`'s orphaned objects (see the module).
pub fn collect(store: &TeamStore) -> Result<Collected> {
    let listed = store.bucket().list("data/")?;
    let db = Pg::open(store.catalog())?;
    let (referenced, pending) = transaction(&db, |tx| {
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", &[])?;
        let referenced = catalog::referenced_files(tx)?;
        let pending = tx
            .query("SELECT key, owner, CAST(EXTRACT(EPOCH FROM now() - created) AS BIGINT) FROM pending_object", &[])?
            .iter()
            .map(|r| Ok((r.text(0)?, (r.int(1)?, r.int(2)?))))
            .collect::<Result<HashMap<String, (i64, i64)>>>()?;
        Ok((referenced, pending))
    })?;
    let mut alive: HashMap<i64, bool> = HashMap::new();
    for &(owner, _) in pending.values() {
        if let std::collections::hash_map::Entry::Vacant(e) = alive.entry(owner) {
            e.insert(owner_alive(&db, owner)?);
        }
    }
    let live = |key: &str| pending.get(key).is_some_and(|(owner, age)| alive[owner] && (*age as u64) < PENDING_LIMIT.as_secs());
    let folders: HashSet<String> = referenced.iter().filter(|k| k.starts_with(catalog::REFERENCES_DIR)).map(|k| format!("{k}/")).collect();
    let needed = |key: &str| referenced.contains(key) || folders.iter().any(|f| key.starts_with(f.as_str()));
    let mut out = Collected { objects: listed.len(), ..Default::default() };
    for (key, size) in &listed {
        if needed(key) {
            continue;
        }
        if live(key) {
            out.pending += 1;
            continue;
        }
        store.bucket().remove(key)?;
        out.deleted.push(key.clone());
        out.bytes += size;
    }
    // Pending records that are settled (their object is in the catalog) or dead go too; each
    // only with the owner read above, so a writer that took the key over since keeps its record.
    for (key, (owner, _)) in &pending {
        if needed(key) || !live(key) {
            db.execute("DELETE FROM pending_object WHERE key = ?1 AND owner = ?2", args![key, *owner])?;
        }
    }
    Ok(out)
}

/// Whether a session holds owner `owner`'s lock (trying it: a free lock is taken and let go).
fn owner_alive(db: &Pg, owner: i64) -> Result<bool> {
    let got = db.query_one("SELECT pg_try_advisory_lock(?1, ?2)", args![OWNER_CLASS, owner])?.int(0)? == 1;
    if got {
        db.query_one("SELECT pg_advisory_unlock(?1, ?2)", args![OWNER_CLASS, owner])?;
    }
    Ok(!got)
}
