//! Reverting a dataset to an earlier version: a new version holding exactly the parts (the
//! committed files) of the earlier one. History stays append-only (nothing is deleted or
//! rewritten) and no data is copied: parts are immutable, so versions share them.

use serde::Serialize;

use super::Uploader;
use crate::store::catalog::{self, VersionRow};
use crate::store::sql::transaction;
use crate::{Error, Result};

/// What a revert produced.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct RevertResult {
    /// The new version's number.
    pub version: u32,
    /// The version whose data it holds.
    pub reverted_to: u32,
    /// Rows of the new version.
    pub rows: u64,
    /// Dates of the new version.
    pub dates: u32,
}

/// The mode a revert's version is recorded with in the history: `revert to N`.
pub fn revert_mode(to: u32) -> String {
    format!("revert to {to}")
}

impl Uploader<'_> {
    /// Makes a new version whose data is that of version `to` (one of the versions before the
    /// latest). Staged names are left as they are.
    pub fn revert(&self, to: u32) -> Result<RevertResult> {
        let _lock = self.home.write_lock(self.scope())?;
        let db = self.home.db();
        let latest = catalog::latest_version(db, self.id)?;
        if latest == 0 {
            return Err(Error::invalid(format!("dataset '{}' has no committed version to revert to", self.name)));
        }
        if to == latest {
            return Err(Error::invalid(format!(
                "version {to} is the latest version of dataset '{}' already: nothing to revert",
                self.name
            )));
        }
        if to == 0 || to > latest {
            return Err(Error::invalid(format!("dataset '{}' has no version {to}: its versions are 1 to {latest}", self.name)));
        }
        let parts = catalog::version_parts(db, self.id, to)?;
        let version = VersionRow { version: latest + 1, created: crate::date::now(), mode: revert_mode(to), committed_names: Vec::new() };
        let ids: Vec<i64> = parts.iter().map(|p| p.id).collect();
        transaction(db, |tx| catalog::insert_version(tx, self.id, &version, &ids))?;
        Ok(RevertResult {
            version: version.version,
            reverted_to: to,
            rows: parts.iter().map(|p| p.stats.rows).sum(),
            dates: parts.len() as u32,
        })
    }
}
