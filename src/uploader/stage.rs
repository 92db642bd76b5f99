//! Staging: files, folders and ZIPs become named, checked, unversioned entries.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use super::{StageState, StagingResult, Uploader};
use crate::frame::{DayStats, Exposures};
use crate::inputs::{self, Unit};
use crate::parse::{self, Diagnostic, Source};
use crate::progress::Progress;
use crate::store::objects::{self, Objects};
use crate::store::sql::transaction;
use crate::store::{catalog, parts};
use crate::{Error, Result};

/// A failed result for `name`.
pub(super) fn failed(name: &str, source: &str, messages: Vec<Diagnostic>) -> StagingResult {
    refused(name, source, StageState::Failed, messages)
}

/// A result for `name` that staged nothing.
fn refused(name: &str, source: &str, state: StageState, messages: Vec<Diagnostic>) -> StagingResult {
    StagingResult {
        name: name.to_owned(),
        source: source.to_owned(),
        success: false,
        state,
        parser: None,
        rows: 0,
        dates: 0,
        first_date: None,
        last_date: None,
        assets: 0,
        timestamp: crate::date::now(),
        messages,
    }
}

/// The result shown for a recorded staged entry.
pub(super) fn result_of(s: &catalog::StagedRow) -> StagingResult {
    StagingResult {
        name: s.name.clone(),
        source: s.source.clone(),
        success: true,
        state: StageState::Staged,
        parser: Some(s.parser.clone()),
        rows: s.rows,
        dates: s.days.len() as u32,
        first_date: s.days.first().map(|d| crate::date::format(d.date)),
        last_date: s.days.last().map(|d| crate::date::format(d.date)),
        assets: s.assets,
        timestamp: s.timestamp.clone(),
        messages: Vec::new(),
    }
}

/// Distinct groups of a frame, and how many distinct (group, factor) pairs it has.
pub(super) fn groups_and_factors(frame: &Exposures) -> (Vec<String>, u32) {
    // Per factor code, the groups it appears in (nearly always one).
    let mut groups_of: Vec<Vec<u32>> = vec![Vec::new(); frame.factor.dict.len()];
    for (&g, &f) in frame.factor_group.codes.iter().zip(&frame.factor.codes) {
        let seen = &mut groups_of[f as usize];
        if !seen.contains(&g) {
            seen.push(g);
        }
    }
    let pairs: usize = groups_of.iter().map(Vec::len).sum();
    (Exposures::used(&frame.factor_group), pairs as u32)
}

enum Outcome {
    Staged(catalog::StagedRow),
    /// Not staged: failed, or the name is already staged (identically or not).
    Refused(StagingResult),
    Cancelled,
}

/// What is already staged under a name: its entry's digest (if recorded) and its result.
type Existing = HashMap<String, (Option<String>, StagingResult)>;

fn stage_unit(data: &dyn Objects, dataset: i64, unit: &Unit, existing: &Existing, replace: bool) -> Result<Outcome> {
    let bytes = match unit.read() {
        Ok(b) => b,
        Err(d) => return Ok(Outcome::Refused(failed(&unit.name, &unit.label, vec![*d]))),
    };
    let digest = catalog::digest(&bytes);
    if let Some((old_digest, old)) = existing.get(&unit.name) {
        if old_digest.as_deref() == Some(digest.as_str()) {
            return Ok(Outcome::Refused(StagingResult { state: StageState::Unchanged, source: unit.label.clone(), ..old.clone() }));
        }
        if !replace {
            let d = Diagnostic::file(
                &unit.label,
                format!("'{}' is already staged from a different file ({}); stage with replace to replace it", unit.name, old.source),
            );
            return Ok(Outcome::Refused(refused(&unit.name, &unit.label, StageState::Exists, vec![d])));
        }
    }
    let src = Source { label: &unit.label, name_date: unit.name_date, stored: unit.stored };
    let parsed = match parse::parse(&bytes, unit.format, &src) {
        Ok(p) => p,
        Err(ds) => return Ok(Outcome::Refused(failed(&unit.name, &unit.label, ds))),
    };
    drop(bytes);
    let (factor_groups, factors) = groups_and_factors(&parsed.frame);
    let row = catalog::StagedRow {
        name: unit.name.clone(),
        source: unit.label.clone(),
        parser: parsed.layout.name().to_owned(),
        file: objects::new_key(&format!("{dataset}/staged")),
        rows: parsed.frame.len() as u64,
        assets: Exposures::used(&parsed.frame.asset_id).len() as u32,
        factor_groups,
        factors,
        timestamp: crate::date::now(),
        days: DayStats::of(&parsed.frame),
        digest: Some(digest),
    };
    parts::write(&data.create(&row.file)?, parsed.frame)?;
    data.publish(&row.file)?;
    Ok(Outcome::Staged(row))
}

impl Uploader<'_> {
    /// Stages files, folders (their daily files) and ZIPs (one name per member).
    ///
    /// Returns one result per name, failures included; good files are staged even when others
    /// fail. A name already staged from identical bytes is left as it is (`unchanged`); from
    /// different bytes it is refused (`exists`) unless `replace` is set.
    pub fn stage(&self, paths: &[PathBuf], replace: bool, progress: &Progress<'_>) -> Result<Vec<StagingResult>> {
        let _lock = self.home.write_lock(self.scope())?;
        let resolved = inputs::resolve(paths);
        let existing: Existing =
            catalog::staged(self.home.db(), self.id)?.into_iter().map(|s| (s.name.clone(), (s.digest.clone(), result_of(&s)))).collect();
        let mut results: Vec<StagingResult> =
            resolved.refused.iter().map(|r| failed(&r.name, &r.diagnostic.file, vec![r.diagnostic.clone()])).collect();
        let mut todo = Vec::new();
        let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        for unit in &resolved.units {
            if let Some(first) = seen.insert(&unit.name, &unit.label) {
                let d =
                    Diagnostic::file(&unit.label, format!("the name '{}' is given twice (also by {first}); rename one file", unit.name));
                results.push(failed(&unit.name, &unit.label, vec![d]));
            } else {
                todo.push(unit);
            }
        }
        let (data, dataset) = (self.home.objects(), self.id);
        let counter = progress.counter("stage", todo.len() as u64);
        let outcomes: Vec<Result<Outcome>> = todo
            .par_iter()
            .map(|unit| {
                if progress.check().is_err() {
                    return Ok(Outcome::Cancelled);
                }
                let outcome = stage_unit(data, dataset, unit, &existing, replace);
                let _ = counter.tick(unit.label.clone());
                outcome
            })
            .collect();
        let mut staged = Vec::new();
        let mut error = None;
        for o in outcomes {
            match o {
                Ok(Outcome::Staged(row)) => staged.push(row),
                Ok(Outcome::Refused(r)) => results.push(r),
                Ok(Outcome::Cancelled) => error = error.or(Some(Error::Cancelled)),
                Err(e) => error = error.or(Some(e)),
            }
        }
        let discard = |rows: &[catalog::StagedRow]| rows.iter().for_each(|r| drop(self.home.objects().delete(&r.file)));
        if let Some(e) = error.or_else(|| progress.check().err()) {
            discard(&staged);
            return Err(e);
        }
        let old = catalog::staged(self.home.db(), self.id)?;
        let replaced: Vec<&catalog::StagedRow> = old.iter().filter(|o| staged.iter().any(|s| s.name == o.name)).collect();
        let recorded = transaction(self.home.db(), |tx| {
            catalog::delete_staged(tx, self.id, &replaced.iter().map(|r| r.name.as_str()).collect::<Vec<_>>())?;
            for s in &staged {
                catalog::insert_staged(tx, self.id, s)?;
            }
            Ok(())
        });
        if let Err(e) = recorded {
            discard(&staged);
            return Err(e);
        }
        for r in replaced {
            let _ = self.home.objects().delete(&r.file);
        }
        results.extend(staged.iter().map(result_of));
        results.sort_by(|a, b| a.name.cmp(&b.name).then(a.source.cmp(&b.source)));
        Ok(results)
    }
}
