//! The first pass: every committed file's ids and factors, which fix the coverage universe and
//! the columns.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::RangeInclusive;
use std::path::Path;

use super::ids::Ids;
use super::sources::{Source, read_part};
use crate::Result;
use crate::progress::Progress;
use crate::riskdataset::batches::in_batches;
use crate::riskdataset::built::CreationReport;

/// What the first pass learns from one committed file.
struct PartScan {
    date: i32,
    matched: Vec<u32>,
    unmatched: Vec<String>,
    mapped_rows: u64,
    /// (group, factor) pairs present.
    factors: Vec<(String, String)>,
}

fn scan_part(ids: &Ids<'_>, date: i32, path: &Path) -> Result<PartScan> {
    let frame = read_part(path, date)?;
    let (mapped, unmatched) = ids.map(&frame)?;
    // Sets as tables over the (small, dense) codes.
    let mut seen = vec![false; ids.reference.assets.asset_id.len()];
    mapped.iter().flatten().for_each(|&a| seen[a as usize] = true);
    let factors = frame.factor.dict.len();
    let mut pairs = vec![false; frame.factor_group.dict.len() * factors];
    (0..frame.len()).for_each(|r| pairs[frame.factor_group.codes[r] as usize * factors + frame.factor.codes[r] as usize] = true);
    Ok(PartScan {
        date,
        matched: (0..seen.len() as u32).filter(|&a| seen[a as usize]).collect(),
        unmatched,
        mapped_rows: mapped.iter().filter(|m| m.is_some()).count() as u64,
        factors: (0..pairs.len())
            .filter(|&i| pairs[i])
            .map(|i| (frame.factor_group.dict.get((i / factors) as u32).to_owned(), frame.factor.dict.get((i % factors) as u32).to_owned()))
            .collect(),
    })
}

/// What the first pass learns from all the files.
pub(super) struct Scanned {
    /// Per reference asset: whether any uploaded id maps to it.
    pub matched: Vec<bool>,
    /// Per source: its factors by group.
    pub factors: Vec<HashMap<String, BTreeSet<String>>>,
}

/// Maps the ids and gathers the factors of every committed file, `batch` files at a time; notes
/// the unmatched ids and the rows outside `dates` in `report`. Progress counts a step per file.
pub(super) fn scan(
    ids: &Ids<'_>,
    sources: &[Source<'_>],
    dates: RangeInclusive<i32>,
    batch: usize,
    progress: &Progress<'_>,
    steps: u64,
    report: &mut CreationReport,
) -> Result<Scanned> {
    let mut matched = vec![false; ids.reference.assets.asset_id.len()];
    let mut unmatched: HashSet<String> = HashSet::new();
    let mut factors: Vec<HashMap<String, BTreeSet<String>>> = vec![HashMap::new(); sources.len()];
    let mut done = 0u64;
    for (si, s) in sources.iter().enumerate() {
        in_batches(
            &s.parts,
            batch,
            |(date, path)| scan_part(ids, *date, path),
            |scan| {
                scan.matched.iter().for_each(|&a| matched[a as usize] = true);
                for u in scan.unmatched {
                    if unmatched.insert(u) {
                        report.unmatched_ids += 1;
                    }
                }
                if !dates.contains(&scan.date) {
                    report.rows_outside_dates += scan.mapped_rows;
                }
                for (g, f) in scan.factors {
                    factors[si].entry(g).or_default().insert(f);
                }
                done += 1;
                progress.report("create", done, steps, format!("mapping ids: {}", crate::date::format(scan.date)));
                progress.check()
            },
        )?;
    }
    let mut sample: Vec<String> = unmatched.into_iter().collect();
    sample.sort();
    sample.truncate(10);
    report.unmatched_sample = sample;
    Ok(Scanned { matched, factors })
}
