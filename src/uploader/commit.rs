//! Committing staged entries into a new immutable version.
//!
//! Committed data is kept as one Parquet file ("part") per date; a version is a set of parts.
//! A date staged from one file alone, with nothing to merge, keeps that staged file as its part.
//! A commit writes the parts it needs first, then records the version and removes the staged
//! entries in one catalog transaction. Until that transaction commits, nothing a reader can see
//! has changed; a crash before it leaves only unreferenced files, removed by the next writer.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

use super::Uploader;
use super::stage::groups_and_factors;
use crate::frame::{DayStats, Exposures};
use crate::progress::Progress;
use crate::store::catalog::{self, PartRow, StagedRow, VersionRow};
use crate::store::objects::{self, Objects};
use crate::store::parts;
use crate::store::sql::transaction;
use crate::text::{listed, thousands};
use crate::{Error, Result};

/// How staged data merges with committed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CommitMode {
    /// Add rows; refuse the whole commit if any key already exists.
    Append,
    /// Insert new keys, replace the values of existing keys.
    Upsert,
    /// Replace every committed row of each date present in the staged data.
    OverwriteDates,
    /// Replace all committed data.
    Overwrite,
}

impl CommitMode {
    /// Every mode.
    pub const ALL: [CommitMode; 4] = [CommitMode::Append, CommitMode::Upsert, CommitMode::OverwriteDates, CommitMode::Overwrite];

    /// The mode's name as users type it.
    pub fn name(self) -> &'static str {
        match self {
            CommitMode::Append => "append",
            CommitMode::Upsert => "upsert",
            CommitMode::OverwriteDates => "overwrite_dates",
            CommitMode::Overwrite => "overwrite",
        }
    }

    /// One line on what the mode does.
    pub fn description(self) -> &'static str {
        match self {
            CommitMode::Append => "add new rows; refuse everything if any key is already committed",
            CommitMode::Upsert => "add new rows and replace the values of keys already committed",
            CommitMode::OverwriteDates => "replace all committed rows of every date present in the staged data",
            CommitMode::Overwrite => "replace all committed data with the staged data",
        }
    }

    /// Parses a mode name; the error lists the valid ones.
    pub fn parse(s: &str) -> Result<CommitMode> {
        Self::ALL.into_iter().find(|m| m.name() == s).ok_or_else(|| {
            Error::invalid(format!("unknown commit mode '{s}' (expected one of: {})", Self::ALL.map(CommitMode::name).join(", ")))
        })
    }
}

/// What a commit produced.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct CommitResult {
    /// The new version's number.
    pub version: u32,
    /// The staged names committed (and so removed from staging), sorted.
    pub committed_names: Vec<String>,
    /// The mode it was committed with.
    pub mode: CommitMode,
    /// Rows of the new version as a whole (dates carried over from the previous version included).
    pub rows: u64,
    /// Dates of the new version as a whole (dates carried over from the previous version included).
    pub dates: u32,
}

enum DateOutcome {
    Part(PartRow),
    /// How many keys conflict, with a sample of them described.
    Conflicts(u64, Vec<String>),
}

impl Uploader<'_> {
    /// Commits staged entries (all when `names` is `None`) with `mode` into a new version.
    ///
    /// Staged entries are first checked together: two entries with the same key refuse the
    /// commit, naming both files. In `append` mode a key that is already committed refuses it.
    /// A refused or cancelled commit changes nothing.
    pub fn commit(&self, mode: CommitMode, names: Option<&[String]>, progress: &Progress<'_>) -> Result<CommitResult> {
        let _lock = self.home.write_lock(self.scope())?;
        let db = self.home.db();
        let staged = catalog::staged(db, self.id)?;
        let chosen = super::select(&staged, names)?;
        if chosen.is_empty() {
            return Err(Error::invalid(format!("nothing is staged in dataset '{}'", self.name)));
        }
        let latest = catalog::latest_version(db, self.id)?;
        let current = catalog::version_parts(db, self.id, latest)?;
        let old_by_date: HashMap<i32, &PartRow> = current.iter().map(|p| (p.stats.date, p)).collect();
        let mut by_date: BTreeMap<i32, Vec<&StagedRow>> = BTreeMap::new();
        for s in &chosen {
            for d in &s.days {
                by_date.entry(d.date).or_default().push(s);
            }
        }
        let work: Vec<(i32, Vec<&StagedRow>)> = by_date.into_iter().collect();
        let (data, dataset) = (self.home.objects(), self.id);
        let counter = progress.counter("commit", work.len() as u64);
        let outcomes: Vec<Result<DateOutcome>> = work
            .par_iter()
            .map(|(date, names)| {
                progress.check()?;
                let outcome = commit_date(data, dataset, *date, names, old_by_date.get(date).copied(), latest, mode);
                // A cancellation seen here is acted on below, once this date's file is accounted for.
                let _ = counter.tick(crate::date::format(*date));
                outcome
            })
            .collect();
        let mut new_parts = Vec::new();
        let mut conflicts = Vec::new();
        let mut conflicting = 0u64;
        let mut error = None;
        for o in outcomes {
            match o {
                Ok(DateOutcome::Part(p)) => new_parts.push(p),
                Ok(DateOutcome::Conflicts(n, sample)) => {
                    conflicting += n;
                    conflicts.extend(sample);
                }
                Err(e) => error = error.or(Some(e)),
            }
        }
        // Files written for this commit (not the staged files that become parts as they are).
        let shared = |file: &str| chosen.iter().any(|s| s.file == file);
        let discard = |parts: &[PartRow]| parts.iter().filter(|p| !shared(&p.file)).for_each(|p| drop(self.home.objects().delete(&p.file)));
        if let Some(e) = error.or_else(|| progress.check().err()) {
            discard(&new_parts);
            return Err(e);
        }
        if !conflicts.is_empty() {
            discard(&new_parts);
            conflicts.truncate(50);
            let (n, listed) = (thousands(conflicting), listed(conflicts.len(), conflicting));
            let keys = if conflicting == 1 { "key" } else { "keys" };
            return Err(Error::conflict(
                format!("commit refused: {n} conflicting {keys} in dataset '{}'{listed}; nothing was committed", self.name),
                conflicts,
            ));
        }
        let touched: HashSet<i32> = new_parts.iter().map(|p| p.stats.date).collect();
        let mut committed_names: Vec<String> = chosen.iter().map(|s| s.name.clone()).collect();
        committed_names.sort();
        let version = VersionRow { version: latest + 1, created: crate::date::now(), mode: mode.name().into(), committed_names };
        let recorded = transaction(db, |tx| {
            let mut ids = Vec::new();
            for p in &new_parts {
                ids.push(catalog::insert_part(tx, self.id, p)?);
            }
            if mode != CommitMode::Overwrite {
                ids.extend(current.iter().filter(|p| !touched.contains(&p.stats.date)).map(|p| p.id));
            }
            catalog::insert_version(tx, self.id, &version, &ids)?;
            catalog::delete_staged(tx, self.id, &chosen.iter().map(|s| s.name.as_str()).collect::<Vec<_>>())?;
            progress.check()
        });
        if let Err(e) = recorded {
            discard(&new_parts);
            return Err(e);
        }
        for s in &chosen {
            if !new_parts.iter().any(|p| p.file == s.file) {
                let _ = self.home.objects().delete(&s.file);
            }
        }
        let parts = catalog::version_parts(db, self.id, version.version)?;
        Ok(CommitResult {
            version: version.version,
            committed_names: version.committed_names,
            mode,
            rows: parts.iter().map(|p| p.stats.rows).sum(),
            dates: parts.len() as u32,
        })
    }
}

/// Builds the part of one date: the staged rows of that date, merged with the committed
/// part when the mode keeps committed rows of touched dates.
fn commit_date(
    data: &dyn Objects,
    dataset: i64,
    date: i32,
    staged: &[&StagedRow],
    old: Option<&PartRow>,
    latest: u32,
    mode: CommitMode,
) -> Result<DateOutcome> {
    let merge_old = old.filter(|_| matches!(mode, CommitMode::Append | CommitMode::Upsert));
    if let ([single], None) = (staged, merge_old)
        && single.days.len() == 1
    {
        // The staged file is the date's part as it is: the part names it, and it stays when its
        // staged entry goes (objects are immutable, so sharing one is safe).
        let (factor_groups, factors) = (single.factor_groups.clone(), single.factors);
        return Ok(DateOutcome::Part(PartRow { id: 0, file: single.file.clone(), stats: single.days[0], factor_groups, factors }));
    }
    let file = objects::new_key(&format!("{dataset}/parts"));
    // Each source's rows occupy a range of `merged`; source 0 is the committed part, if any.
    let mut merged = Exposures::default();
    let mut sources: Vec<(usize, String)> = Vec::new();
    if let Some(old) = merge_old {
        sources.push((0, format!("committed version {latest}")));
        merged.append(&parts::read(&data.local(&old.file)?)?);
    }
    for s in staged {
        let mut frame = parts::read(&data.local(&s.file)?)?;
        if s.days.len() > 1 {
            frame = frame.take(&frame.rows_of_date(date));
        }
        sources.push((merged.len(), format!("staged '{}' ({})", s.name, s.source)));
        merged.append(&frame);
    }
    let source_of = |row: usize| sources.iter().rposition(|(start, _)| *start <= row).expect("row has a source");
    let mut conflicts = Vec::new();
    let mut drop_rows = Vec::new();
    for (a, b) in merged.duplicate_keys() {
        let (sa, sb) = (source_of(a), source_of(b));
        let old_row = if merge_old.is_some() && sa == 0 {
            Some(a)
        } else if merge_old.is_some() && sb == 0 {
            Some(b)
        } else {
            None
        };
        match old_row {
            Some(row) if mode == CommitMode::Upsert => drop_rows.push(row as u32),
            Some(_) => conflicts.push(format!(
                "{} has key ({}) that {} already holds",
                sources[sa.max(sb)].1,
                merged.describe_key(a),
                sources[0].1
            )),
            None => conflicts.push(format!("{} and {} both have key ({})", sources[sa].1, sources[sb].1, merged.describe_key(a))),
        }
    }
    if !conflicts.is_empty() {
        return Ok(DateOutcome::Conflicts(conflicts.len() as u64, conflicts.into_iter().take(20).collect()));
    }
    if !drop_rows.is_empty() {
        drop_rows.sort_unstable();
        let keep: Vec<u32> = (0..merged.len() as u32).filter(|r| drop_rows.binary_search(r).is_err()).collect();
        merged = merged.take(&keep);
    }
    merged.sort();
    let stats = DayStats::of(&merged)[0];
    let (factor_groups, factors) = groups_and_factors(&merged);
    parts::write(&data.create(&file)?, merged)?;
    data.publish(&file)?;
    Ok(DateOutcome::Part(PartRow { id: 0, file, stats, factor_groups, factors }))
}
