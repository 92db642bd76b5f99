//! Running the sanity checks ([`crate::checks`]) over the staging area or a committed version.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::Uploader;
use crate::checks::{Checker, DayView, Finding, Overlaps, Thresholds};
use crate::store::{catalog, parts};
use crate::{Error, Result};

/// Dates read and turned into views at once (in parallel), before they are checked in order.
const BATCH: usize = 8;

/// One date to check: the file that holds it.
struct Source {
    date: i32,
    file: String,
}

impl Uploader<'_> {
    /// The findings of every check over what is staged (one date in two staged names is checked
    /// once, from the name that sorts last, and reported as `duplicate_day`).
    pub fn check_staging(&self, t: &Thresholds) -> Result<Vec<Finding>> {
        let db = self.home.db();
        let staged = catalog::staged(db, self.id)?;
        let mut holders: BTreeMap<i32, Vec<&catalog::StagedRow>> = BTreeMap::new();
        for s in &staged {
            for d in &s.days {
                holders.entry(d.date).or_default().push(s);
            }
        }
        let latest = catalog::latest_version(db, self.id)?;
        let committed = if latest > 0 {
            Some((latest, catalog::version_parts(db, self.id, latest)?.iter().map(|p| p.stats.date).collect()))
        } else {
            None
        };
        let overlaps =
            Overlaps { names: holders.iter().map(|(d, rows)| (*d, rows.iter().map(|s| s.name.clone()).collect())).collect(), committed };
        let sources = holders.iter().map(|(d, rows)| Source { date: *d, file: rows.last().expect("a holder").file.clone() }).collect();
        self.run_checks(sources, t, &overlaps)
    }

    /// The findings of every check over a committed version (the latest when `None`).
    pub fn check_version(&self, version: Option<u32>, t: &Thresholds) -> Result<Vec<Finding>> {
        let v = self.resolve_version(version)?;
        if v == 0 {
            return Err(Error::invalid(format!("nothing is committed in '{}' yet: check the staging area instead", self.name)));
        }
        let sources =
            catalog::version_parts(self.home.db(), self.id, v)?.into_iter().map(|p| Source { date: p.stats.date, file: p.file }).collect();
        self.run_checks(sources, t, &Overlaps::default())
    }

    fn run_checks(&self, sources: Vec<Source>, t: &Thresholds, overlaps: &Overlaps) -> Result<Vec<Finding>> {
        let data = self.home.data();
        let mut checker = Checker::new(t);
        for batch in sources.chunks(BATCH) {
            let views: Vec<DayView> = batch
                .par_iter()
                .map(|s| {
                    let frame = parts::read(&data.path(&s.file))?;
                    Ok(DayView::of(&frame, &frame.rows_of_date(s.date), s.date))
                })
                .collect::<Result<_>>()?;
            checker.days(views);
        }
        Ok(checker.finish(overlaps))
    }
}
