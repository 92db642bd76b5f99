//! What changed between two committed versions: dates added, removed and changed; per factor the
//! values added, removed and changed with the largest change; and the changed rows themselves.
//!
//! Versions share the parts of dates a commit did not touch, so a date whose part is the same in
//! both versions is unchanged without being read.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Uploader;
use crate::frame::{Dict, Exposures};
use crate::store::{catalog, parts};
use crate::{Error, Result};

/// The change of one factor between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FactorDiff {
    pub factor_group: String,
    pub factor: String,
    /// Values present only in the newer version.
    pub added: u64,
    /// Values present only in the older version.
    pub removed: u64,
    /// Values present in both, with another value.
    pub changed: u64,
    /// The largest absolute change of a changed value (0 when none changed).
    pub largest_change: f64,
    /// Where it happened: `YYYY-MM-DD asset_id`.
    pub largest_at: Option<String>,
}

/// What changed from version `from` to version `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VersionDiff {
    pub from: u32,
    pub to: u32,
    pub dates_added: Vec<String>,
    pub dates_removed: Vec<String>,
    pub dates_changed: Vec<String>,
    /// Dates present in both with the same data.
    pub dates_unchanged: usize,
    /// Every factor with a change, by group and factor.
    pub factors: Vec<FactorDiff>,
    /// Rows added, removed or changed, in all.
    pub rows_changed: u64,
}

/// One changed row: its key and its value before and after (`None`: absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RowChange {
    pub date: String,
    pub asset_id: String,
    pub asset_id_type: String,
    pub factor_group: String,
    pub factor: String,
    pub old: Option<f32>,
    pub new: Option<f32>,
}

/// A page of changed rows, with how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RowChanges {
    pub rows: Vec<RowChange>,
    pub total: u64,
}

/// The dates of two versions and their parts' files.
struct Sides {
    from: BTreeMap<i32, (i64, String)>,
    to: BTreeMap<i32, (i64, String)>,
}

/// Rows of one date that differ, sorted by key.
fn date_changes(date: i32, old: Option<&Exposures>, new: Option<&Exposures>) -> Vec<RowChange> {
    let mut dict = Dict::default();
    let mut key = |f: &Exposures, r: usize| {
        [f.asset_id.get(r), f.asset_id_type.get(r), f.factor_group.get(r), f.factor.get(r)].map(|s| dict.intern_str(s))
    };
    let mut before: FxHashMap<[u32; 4], f32> = FxHashMap::default();
    if let Some(o) = old {
        for r in 0..o.len() {
            before.insert(key(o, r), o.exposure[r]);
        }
    }
    let mut out = Vec::new();
    let row = |dict: &Dict, k: [u32; 4], old: Option<f32>, new: Option<f32>| RowChange {
        date: crate::date::format(date),
        asset_id: dict.get(k[0]).to_owned(),
        asset_id_type: dict.get(k[1]).to_owned(),
        factor_group: dict.get(k[2]).to_owned(),
        factor: dict.get(k[3]).to_owned(),
        old,
        new,
    };
    let mut added = Vec::new();
    if let Some(n) = new {
        for r in 0..n.len() {
            let k = key(n, r);
            let v = n.exposure[r];
            match before.remove(&k) {
                Some(o) if o.to_bits() == v.to_bits() => {}
                Some(o) => added.push((k, Some(o), Some(v))),
                None => added.push((k, None, Some(v))),
            }
        }
    }
    added.extend(before.into_iter().map(|(k, o)| (k, Some(o), None)));
    for (k, o, n) in added {
        out.push(row(&dict, k, o, n));
    }
    out.sort_by(|a, b| {
        (&a.asset_id, &a.asset_id_type, &a.factor_group, &a.factor).cmp(&(&b.asset_id, &b.asset_id_type, &b.factor_group, &b.factor))
    });
    out
}

impl Uploader<'_> {
    fn sides(&self, from: u32, to: u32) -> Result<Sides> {
        let latest = catalog::latest_version(self.home.db(), self.id)?;
        for v in [from, to] {
            if v == 0 || v > latest {
                return Err(Error::not_found("version", format!("{v} of dataset {} (versions 1 to {latest})", self.name)));
            }
        }
        let side = |v: u32| -> Result<BTreeMap<i32, (i64, String)>> {
            Ok(catalog::version_parts(self.home.db(), self.id, v)?.into_iter().map(|p| (p.stats.date, (p.id, p.file))).collect())
        };
        Ok(Sides { from: side(from)?, to: side(to)? })
    }

    /// Every changed row of the dates that differ, date by date (in parallel), in date order.
    fn changes(&self, sides: &Sides) -> Result<Vec<(i32, Vec<RowChange>)>> {
        let dates: Vec<i32> = sides
            .from
            .keys()
            .chain(sides.to.keys())
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter(|d| sides.from.get(d).map(|p| p.0) != sides.to.get(d).map(|p| p.0))
            .collect();
        let data = self.home.data();
        let read = |side: &BTreeMap<i32, (i64, String)>, d: i32| side.get(&d).map(|(_, f)| parts::read(&data.path(f))).transpose();
        dates
            .par_iter()
            .map(|&d| {
                let (old, new) = (read(&sides.from, d)?, read(&sides.to, d)?);
                Ok((d, date_changes(d, old.as_ref(), new.as_ref())))
            })
            .collect()
    }

    /// What changed from version `from` to version `to`.
    pub fn diff(&self, from: u32, to: u32) -> Result<VersionDiff> {
        let sides = self.sides(from, to)?;
        let changes = self.changes(&sides)?;
        let fmt = |d: &i32| crate::date::format(*d);
        let mut factors: BTreeMap<(String, String), FactorDiff> = BTreeMap::new();
        let mut dates_changed = Vec::new();
        let mut rows_changed = 0u64;
        for (date, rows) in &changes {
            if !rows.is_empty() && sides.from.contains_key(date) && sides.to.contains_key(date) {
                dates_changed.push(fmt(date));
            }
            rows_changed += rows.len() as u64;
            for r in rows {
                let f = factors.entry((r.factor_group.clone(), r.factor.clone())).or_insert_with(|| FactorDiff {
                    factor_group: r.factor_group.clone(),
                    factor: r.factor.clone(),
                    added: 0,
                    removed: 0,
                    changed: 0,
                    largest_change: 0.0,
                    largest_at: None,
                });
                match (r.old, r.new) {
                    (None, _) => f.added += 1,
                    (_, None) => f.removed += 1,
                    (Some(o), Some(n)) => {
                        f.changed += 1;
                        let delta = (f64::from(n) - f64::from(o)).abs();
                        if delta > f.largest_change || f.largest_at.is_none() {
                            f.largest_change = delta;
                            f.largest_at = Some(format!("{} {}", r.date, r.asset_id));
                        }
                    }
                }
            }
        }
        let unchanged = sides.from.iter().filter(|(d, p)| sides.to.get(d).is_some_and(|q| q.0 == p.0)).count()
            + changes.iter().filter(|(d, rows)| rows.is_empty() && sides.from.contains_key(d) && sides.to.contains_key(d)).count();
        Ok(VersionDiff {
            from,
            to,
            dates_added: sides.to.keys().filter(|d| !sides.from.contains_key(d)).map(fmt).collect(),
            dates_removed: sides.from.keys().filter(|d| !sides.to.contains_key(d)).map(fmt).collect(),
            dates_changed,
            dates_unchanged: unchanged,
            factors: factors.into_values().collect(),
            rows_changed,
        })
    }

    /// Changed rows `offset..offset + limit` from version `from` to `to`, by date then key.
    pub fn diff_rows(&self, from: u32, to: u32, offset: usize, limit: usize) -> Result<RowChanges> {
        let changes = self.changes(&self.sides(from, to)?)?;
        let total = changes.iter().map(|(_, r)| r.len() as u64).sum();
        let rows = changes.into_iter().flat_map(|(_, r)| r).skip(offset).take(limit).collect();
        Ok(RowChanges { rows, total })
    }
}
