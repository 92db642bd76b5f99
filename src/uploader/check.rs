//! Running the sanity checks ([`crate::checks`]) over the staging area or a committed version.

use std::collections::BTreeMap;

use rayon::prelude::*;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{CommitMode, Uploader};
use crate::checks::{CheckReport, Checker, DayView, Overlaps, Thresholds};
use crate::store::{catalog, parts};
use crate::{Error, Result};

/// Dates read and turned into views at once (in parallel), before they are checked in order.
const BATCH: usize = 8;

/// A factor's cross-section on a date, before and after a commit replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FactorShift {
    /// The group the factor belongs to.
    pub factor_group: String,
    /// The factor's name within its group.
    pub factor: String,
    /// Mean now committed (None: the factor is not committed that date).
    pub old_mean: Option<f64>,
    /// Sample standard deviation now committed (None: as for `old_mean`).
    pub old_std: Option<f64>,
    /// Mean of the staged values (None: not staged that date).
    pub new_mean: Option<f64>,
    /// Sample standard deviation of the staged values (None: as for `new_mean`).
    pub new_std: Option<f64>,
}

/// A committed date that a commit would replace: asset counts and market/style factors, before
/// (committed) and after (staged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DateReplacement {
    /// The committed date, `YYYY-MM-DD`.
    pub date: String,
    /// Distinct asset ids committed that date.
    pub old_assets: u32,
    /// 0 when `overwrite` drops the date.
    pub new_assets: u32,
    /// Every market and style factor committed or staged that date (categorical ones left out),
    /// by group and factor.
    pub factors: Vec<FactorShift>,
}

/// One date to check: the file that holds it and its asset count.
struct Source {
    date: i32,
    file: String,
    assets: u32,
}

impl Uploader<'_> {
    /// The findings of every check (and the statistics behind them) over what is staged (one
    /// date in two staged names is checked once, from the name that sorts last, and reported as
    /// `duplicate_day`). `quick` runs only the checks that need no data read (see [`CheckReport::quick`]).
    pub(crate) fn check_staging(&self, t: &Thresholds, quick: bool) -> Result<CheckReport> {
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
        let sources = holders
            .iter()
            .map(|(d, rows)| {
                let holder = rows.last().expect("a holder");
                let assets = holder.days.iter().find(|s| s.date == *d).map_or(0, |s| s.n_assets);
                Source { date: *d, file: holder.file.clone(), assets }
            })
            .collect();
        self.run_checks(sources, t, &overlaps, quick)
    }

    /// The findings of every check over a committed version (the latest when `None`); `quick`
    /// as for [`Self::check_staging`].
    pub(crate) fn check_version(&self, version: Option<u32>, t: &Thresholds, quick: bool) -> Result<CheckReport> {
        let v = self.resolve_version(version)?;
        if v == 0 {
            return Err(Error::invalid(format!("nothing is committed in '{}' yet: check the staging area instead", self.name)));
        }
        let sources = catalog::version_parts(self.home.db(), self.id, v)?
            .into_iter()
            .map(|p| Source { date: p.stats.date, file: p.file, assets: p.stats.n_assets })
            .collect();
        self.run_checks(sources, t, &Overlaps::default(), quick)
    }

    /// What a commit in `mode` would replace: the committed dates it rewrites (those staged again
    /// for `upsert` and `overwrite_dates`, every committed date for `overwrite`; none for
    /// `append`, which refuses existing keys), with asset counts and factor moments before and after.
    pub fn commit_preview(&self, mode: CommitMode) -> Result<Vec<DateReplacement>> {
        let db = self.home.db();
        let latest = catalog::latest_version(db, self.id)?;
        if mode == CommitMode::Append || latest == 0 {
            return Ok(Vec::new());
        }
        let committed: BTreeMap<i32, String> =
            catalog::version_parts(db, self.id, latest)?.into_iter().map(|p| (p.stats.date, p.file)).collect();
        let mut staged: BTreeMap<i32, String> = BTreeMap::new();
        for s in catalog::staged(db, self.id)? {
            for d in &s.days {
                staged.insert(d.date, s.file.clone());
            }
        }
        let dates: Vec<i32> = committed.keys().copied().filter(|d| mode == CommitMode::Overwrite || staged.contains_key(d)).collect();
        let data = self.home.objects();
        let view = |file: &str, date: i32| -> Result<DayView> {
            let frame = parts::read(&data.local(file)?)?;
            Ok(DayView::of(&frame, &frame.rows_of_date(date), date))
        };
        dates
            .par_iter()
            .map(|&date| {
                let old = view(&committed[&date], date)?;
                let new = staged.get(&date).map(|f| view(f, date)).transpose()?;
                let mut factors: BTreeMap<(String, String), FactorShift> = BTreeMap::new();
                for (before, view) in [(true, Some(&old)), (false, new.as_ref())] {
                    for st in view.map(DayView::factor_stats).unwrap_or_default() {
                        let shift = factors.entry((st.factor_group.clone(), st.factor.clone())).or_insert(FactorShift {
                            factor_group: st.factor_group,
                            factor: st.factor,
                            old_mean: None,
                            old_std: None,
                            new_mean: None,
                            new_std: None,
                        });
                        if before {
                            (shift.old_mean, shift.old_std) = (st.mean, st.std);
                        } else {
                            (shift.new_mean, shift.new_std) = (st.mean, st.std);
                        }
                    }
                }
                Ok(DateReplacement {
                    date: crate::date::format(date),
                    old_assets: old.assets.len() as u32,
                    new_assets: new.map_or(0, |n| n.assets.len() as u32),
                    factors: factors.into_values().collect(),
                })
            })
            .collect()
    }

    fn run_checks(&self, sources: Vec<Source>, t: &Thresholds, overlaps: &Overlaps, quick: bool) -> Result<CheckReport> {
        let data = self.home.objects();
        let mut checker = Checker::new(t);
        if quick {
            checker.counts_only(&sources.iter().map(|s| (s.date, s.assets)).collect::<Vec<_>>());
            return Ok(checker.finish(overlaps, true));
        }
        for batch in sources.chunks(BATCH) {
            let views: Vec<DayView> = batch
                .par_iter()
                .map(|s| {
                    let frame = parts::read(&data.local(&s.file)?)?;
                    Ok(DayView::of(&frame, &frame.rows_of_date(s.date), s.date))
                })
                .collect::<Result<_>>()?;
            checker.days(views);
        }
        Ok(checker.finish(overlaps, false))
    }
}
