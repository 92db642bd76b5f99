//! The exposure uploader: named datasets, each with a staging area and immutable versions.
//!
//! Mirrors the platform's uploader concepts: stage files into named entries, check them with
//! summaries, commit them with a mode into a new version, read any version back.

mod check;
mod commit;
mod diff;
pub mod filter;
mod query;
mod revert;
mod stage;

use std::collections::HashMap;

use serde::Serialize;

use crate::parse::Diagnostic;
use crate::scan::FileStatus;
use crate::store::sql::transaction;
use crate::store::{Home, Scope, catalog};
use crate::{Error, Result};

pub use crate::store::parts::schema;
pub use check::{DateReplacement, FactorShift};
pub use commit::{CommitMode, CommitResult};
pub use diff::{DiffCounts, FactorDiff, RowChange, RowChanges, VersionDiff};
pub use query::{Column, DateSummary, DetailRow, StagedSummary, VersionInfo};
pub use revert::{RevertResult, revert_mode};

/// What became of one name when staging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    /// Staged now (new, or replacing a different file of the same name).
    Staged,
    /// Already staged from an identical file: left as it was.
    Unchanged,
    /// Already staged from a different file: refused unless staged with replace.
    Exists,
    /// The input is bad; the messages say where.
    Failed,
}

/// What staging one name produced.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct StagingResult {
    /// The staged name (the file stem).
    pub name: String,
    /// The file it came from (`archive.zip/member.csv` for a ZIP member).
    pub source: String,
    /// True when the name is staged after the call (`staged` or `unchanged`).
    pub success: bool,
    /// What became of the name.
    pub state: StageState,
    /// The layout detected: `long`, `long_without_date` or `wide`.
    pub parser: Option<String>,
    /// Rows of the staged entry, over all its dates (0 for `failed` and `exists`).
    pub rows: u64,
    /// Distinct dates the staged entry holds (0 for `failed` and `exists`).
    pub dates: u32,
    /// The staged entry's first date, `YYYY-MM-DD` (`None` for `failed` and `exists`).
    pub first_date: Option<String>,
    /// The staged entry's last date, `YYYY-MM-DD` (`None` for `failed` and `exists`).
    pub last_date: Option<String>,
    /// Distinct asset ids over all its dates (0 for `failed` and `exists`).
    pub assets: u32,
    /// When the entry was staged (for `unchanged`, its earlier staging; for `failed` and
    /// `exists`, when it was refused), RFC 3339 UTC.
    pub timestamp: String,
    /// Why the name was refused, each with its file and place; empty when it is staged.
    pub messages: Vec<Diagnostic>,
}

impl StagingResult {
    /// The result of a name that could not be staged, with why (for front ends that refuse a
    /// file before it reaches the engine, as a remote client does).
    pub fn failed(name: &str, source: &str, messages: Vec<crate::parse::Diagnostic>) -> StagingResult {
        stage::failed(name, source, messages)
    }
}

/// A dataset as listed.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct DatasetInfo {
    /// The dataset's name, as the user gave it.
    pub name: String,
    /// When the dataset was created, RFC 3339 UTC.
    pub created: String,
    /// Its newest version's number (0 when nothing is committed).
    pub latest_version: u32,
    /// How many names are staged, awaiting a commit.
    pub staged: usize,
}

/// One exposure dataset of a home folder.
pub struct Uploader<'h> {
    home: &'h Home,
    id: i64,
    name: String,
}

impl Home {
    /// All exposure datasets, by name.
    pub fn datasets(&self) -> Result<Vec<DatasetInfo>> {
        catalog::datasets(self.db())?
            .into_iter()
            .map(|(id, name, created)| {
                Ok(DatasetInfo {
                    latest_version: catalog::latest_version(self.db(), id)?,
                    staged: catalog::staged(self.db(), id)?.len(),
                    name,
                    created,
                })
            })
            .collect()
    }

    /// An existing dataset.
    pub fn uploader(&self, name: &str) -> Result<Uploader<'_>> {
        let id = crate::names::find(name, |n| catalog::dataset_id(self.db(), n))?.ok_or_else(|| Error::not_found("dataset", name))?;
        Ok(Uploader { home: self, id, name: name.to_owned() })
    }

    /// An existing dataset, or a new empty one.
    pub fn get_or_create_uploader(&self, name: &str) -> Result<Uploader<'_>> {
        crate::names::check_name("dataset", name)?;
        let id = match catalog::dataset_id(self.db(), name)? {
            Some(id) => id,
            None => {
                let _lock = self.write_lock(Scope::Dataset(name.to_owned()))?;
                match catalog::dataset_id(self.db(), name)? {
                    Some(id) => id,
                    None => catalog::create_dataset(self.db(), name)?,
                }
            }
        };
        Ok(Uploader { home: self, id, name: name.to_owned() })
    }
}

impl Uploader<'_> {
    /// The dataset's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What its writers lock.
    fn scope(&self) -> Scope {
        Scope::Dataset(self.name.clone())
    }

    /// Staged and committed names, for marking files in a scan.
    pub(crate) fn statuses(&self) -> Result<HashMap<String, FileStatus>> {
        let mut out = HashMap::new();
        for v in catalog::versions(self.home.db(), self.id)? {
            for n in v.committed_names {
                out.insert(n, FileStatus::Committed);
            }
        }
        for s in catalog::staged(self.home.db(), self.id)? {
            out.insert(s.name, FileStatus::Staged);
        }
        Ok(out)
    }

    /// Results of every staged entry (all successful: failures are never staged).
    pub fn staging_results(&self) -> Result<Vec<StagingResult>> {
        Ok(catalog::staged(self.home.db(), self.id)?.iter().map(stage::result_of).collect())
    }

    /// Removes staged entries (all when `names` is `None`); returns what was removed.
    pub fn wipe_staging(&self, names: Option<&[String]>) -> Result<Vec<StagingResult>> {
        let _lock = self.home.write_lock(self.scope())?;
        let staged = catalog::staged(self.home.db(), self.id)?;
        let chosen = select(&staged, names)?;
        transaction(self.home.db(), |tx| catalog::delete_staged(tx, self.id, &chosen.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()))?;
        for s in &chosen {
            let _ = self.home.objects().delete(&s.file);
        }
        Ok(chosen.iter().map(stage::result_of).collect())
    }

    /// Deletes the dataset: every version, every staged entry, every file.
    pub fn destroy(self) -> Result<()> {
        let _lock = self.home.write_lock(self.scope())?;
        catalog::delete_dataset(self.home.db(), self.id)?;
        let _ = self.home.objects().delete(&format!("data/{}", self.id));
        Ok(())
    }
}

/// The staged rows named (all when `None`); unknown names are an error listing what is staged.
fn select(staged: &[catalog::StagedRow], names: Option<&[String]>) -> Result<Vec<catalog::StagedRow>> {
    let Some(names) = names else { return Ok(staged.to_vec()) };
    let unknown: Vec<&String> = names.iter().filter(|n| !staged.iter().any(|s| &s.name == *n)).collect();
    if !unknown.is_empty() {
        let list: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
        return Err(Error::InvalidInput {
            message: format!("not staged: {}", list.join(", ")),
            details: staged.iter().map(|s| format!("staged: {}", s.name)).collect(),
        });
    }
    Ok(staged.iter().filter(|s| names.contains(&s.name)).cloned().collect())
}
