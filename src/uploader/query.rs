//! Reading a dataset: staging summaries, committed summaries, version history and data.

use rayon::prelude::*;
use serde::Serialize;

use super::Uploader;
use crate::frame::{DayStats, Exposures};
use crate::store::{catalog, parts};
use crate::{Error, Result};

/// A factor group of a staged day: its name and, per factor, the values.
pub(crate) type StagedGroup = (String, Vec<(String, Vec<f32>)>);

/// One row of a detail summary: cross-sectional statistics of one date (of one staged name).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct DetailRow {
    /// The staged name the date belongs to; `None` (and left out) for a committed version.
    #[serde(rename = "_name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// Distinct asset ids that date.
    pub n_assets: u32,
    /// The smallest exposure that date, over every factor.
    pub min_exposure: f32,
    /// The largest exposure that date, over every factor.
    pub max_exposure: f32,
    /// The mean exposure that date, over every factor.
    pub mean_exposure: f32,
    /// The median exposure that date, over every factor.
    pub median_exposure: f32,
    /// The sample standard deviation (n − 1) of the exposures that date, over every factor; NaN
    /// with fewer than two values.
    pub std_exposure: f32,
}

impl DetailRow {
    fn new(name: Option<String>, d: &DayStats) -> Self {
        DetailRow {
            name,
            date: crate::date::format(d.date),
            n_assets: d.n_assets,
            min_exposure: d.min as f32,
            max_exposure: d.max as f32,
            mean_exposure: d.mean as f32,
            median_exposure: d.median as f32,
            std_exposure: d.std as f32,
        }
    }
}

/// One row per staged name.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct StagedSummary {
    /// The staged name (the file stem).
    #[serde(rename = "_name")]
    pub name: String,
    /// The file it was staged from (`archive.zip/member.csv` for a ZIP member).
    pub source: String,
    /// The layout detected: `long`, `long_without_date` or `wide`.
    pub parser: String,
    /// Rows over all its dates.
    pub rows: u64,
    /// Distinct dates it holds.
    pub dates: u32,
    /// Its first date, `YYYY-MM-DD` (empty when it holds no date).
    pub first_date: String,
    /// Its last date, `YYYY-MM-DD` (empty when it holds no date).
    pub last_date: String,
    /// Distinct asset ids over all its dates.
    pub assets: u32,
    /// Its distinct factor groups, sorted and comma-separated.
    pub factor_groups: String,
    /// Distinct (factor group, factor) pairs over all its dates.
    pub factors: u32,
}

/// One row per committed date.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct DateSummary {
    /// The committed date, `YYYY-MM-DD`.
    pub date: String,
    /// Rows committed for the date.
    pub rows: u64,
    /// Distinct asset ids that date.
    pub n_assets: u32,
    /// The date's distinct factor groups, sorted and comma-separated.
    pub factor_groups: String,
    /// Distinct (factor group, factor) pairs that date.
    pub factors: u32,
}

/// One committed version.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct VersionInfo {
    /// The version number: 1 for the first commit, one more for each after.
    pub version: u32,
    /// Commit time, RFC 3339 UTC.
    pub created: String,
    /// The name of the commit mode that made it (`append`, `upsert`, `overwrite_dates` or
    /// `overwrite`), or `revert to N` for a revert to version N (see [`super::Uploader::revert`]).
    pub mode: String,
    /// The staged names this commit committed, sorted (not every name whose data the version holds).
    pub committed_names: Vec<String>,
    /// Rows of the version as a whole (dates carried over from earlier versions included).
    pub rows: u64,
    /// Dates of the version as a whole (dates carried over from earlier versions included).
    pub dates: u32,
    /// Its first date, `YYYY-MM-DD` (`None` when it holds no date).
    pub first_date: Option<String>,
    /// Its last date, `YYYY-MM-DD` (`None` when it holds no date).
    pub last_date: Option<String>,
}

/// A column of the canonical exposure frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// `date`: the day the exposure is for.
    Date,
    /// `asset_id`: the asset's identifier.
    AssetId,
    /// `asset_id_type`: the kind of identifier `asset_id` is (such as `bayesid`).
    AssetIdType,
    /// `factor_group`: the group of the factor (such as `market` or `style`).
    FactorGroup,
    /// `factor`: the factor's name within its group.
    Factor,
    /// `exposure`: the asset's exposure to the factor that day.
    Exposure,
}

impl Column {
    /// Every column, in canonical order.
    pub const ALL: [Column; 6] =
        [Column::Date, Column::AssetId, Column::AssetIdType, Column::FactorGroup, Column::Factor, Column::Exposure];

    /// The column's name.
    pub fn name(self) -> &'static str {
        parts::COLUMNS[self as usize]
    }

    /// Parses a column name; the error lists the valid ones.
    pub fn parse(s: &str) -> Result<Column> {
        Self::ALL.into_iter().find(|c| c.name() == s.trim()).ok_or_else(|| {
            Error::invalid(format!("unknown column '{}' (expected one of: {})", crate::names::shown(s), parts::COLUMNS.join(", ")))
        })
    }
}

impl Uploader<'_> {
    /// The newest version, or `version` if it exists.
    pub(crate) fn resolve_version(&self, version: Option<u32>) -> Result<u32> {
        let latest = catalog::latest_version(self.home.db(), self.id)?;
        match version {
            None => Ok(latest),
            Some(v) if v <= latest => Ok(v),
            Some(v) => Err(Error::not_found("version", format!("{v} of dataset {} (latest is {latest})", self.name))),
        }
    }

    /// One row per staged name.
    pub fn staging_summary(&self) -> Result<Vec<StagedSummary>> {
        Ok(catalog::staged(self.home.db(), self.id)?
            .into_iter()
            .map(|s| StagedSummary {
                first_date: s.days.first().map(|d| crate::date::format(d.date)).unwrap_or_default(),
                last_date: s.days.last().map(|d| crate::date::format(d.date)).unwrap_or_default(),
                dates: s.days.len() as u32,
                factor_groups: s.factor_groups.join(","),
                name: s.name,
                source: s.source,
                parser: s.parser,
                rows: s.rows,
                assets: s.assets,
                factors: s.factors,
            })
            .collect())
    }

    /// The seed's detail summary: one row per staged name and date.
    pub(crate) fn staging_detail_summary(&self) -> Result<Vec<DetailRow>> {
        Ok(catalog::staged(self.home.db(), self.id)?
            .iter()
            .flat_map(|s| s.days.iter().map(|d| DetailRow::new(Some(s.name.clone()), d)))
            .collect())
    }

    /// The staged rows of each staged name (of `names` only, when given), by name.
    pub(crate) fn staged_data(&self, names: Option<&[String]>) -> Result<Vec<(String, Exposures)>> {
        let staged = catalog::staged(self.home.db(), self.id)?;
        if let Some(missing) = names.into_iter().flatten().find(|n| !staged.iter().any(|s| &s.name == *n)) {
            return Err(Error::not_found("staged name", missing));
        }
        staged
            .into_iter()
            .filter(|s| names.is_none_or(|n| n.contains(&s.name)))
            .map(|s| Ok((s.name.clone(), parts::read(&self.home.local(&s.file)?)?)))
            .collect()
    }

    /// The staged values of one name on one date, by factor group and factor (both sorted).
    pub fn staged_day(&self, name: &str, date: &str) -> Result<Vec<StagedGroup>> {
        let day = crate::date::parse_arg(date)?;
        let staged = catalog::staged(self.home.db(), self.id)?;
        let entry = staged.iter().find(|s| s.name == name).ok_or_else(|| Error::not_found("staged name", name))?;
        let frame = parts::read(&self.home.local(&entry.file)?)?;
        type Factors<'f> = std::collections::BTreeMap<&'f str, Vec<f32>>;
        let mut groups: std::collections::BTreeMap<&str, Factors<'_>> = Default::default();
        for row in (0..frame.len()).filter(|&r| frame.date[r] == day) {
            groups.entry(frame.factor_group.get(row)).or_default().entry(frame.factor.get(row)).or_default().push(frame.exposure[row]);
        }
        Ok(groups.into_iter().map(|(g, f)| (g.to_owned(), f.into_iter().map(|(f, v)| (f.to_owned(), v)).collect())).collect())
    }

    /// The staged values of one factor on one date (from the staged name that sorts last, if
    /// two hold the date), by asset id; empty when the date is not staged.
    pub(crate) fn staged_factor(&self, date: &str, group: &str, factor: &str) -> Result<Vec<(String, f32)>> {
        let day = crate::date::parse_arg(date)?;
        let staged = catalog::staged(self.home.db(), self.id)?;
        let Some(entry) = staged.iter().rfind(|s| s.days.iter().any(|d| d.date == day)) else { return Ok(Vec::new()) };
        let frame = parts::read(&self.home.local(&entry.file)?)?;
        let mut out: Vec<(String, f32)> = (0..frame.len())
            .filter(|&r| frame.date[r] == day && frame.factor_group.get(r) == group && frame.factor.get(r) == factor)
            .map(|r| (frame.asset_id.get(r).to_owned(), frame.exposure[r]))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// One row per committed date of a version (latest when `None`).
    pub fn data_summary(&self, version: Option<u32>) -> Result<Vec<DateSummary>> {
        let v = self.resolve_version(version)?;
        Ok(catalog::version_parts(self.home.db(), self.id, v)?
            .into_iter()
            .map(|p| DateSummary {
                date: crate::date::format(p.stats.date),
                rows: p.stats.rows,
                n_assets: p.stats.n_assets,
                factor_groups: p.factor_groups.join(","),
                factors: p.factors,
            })
            .collect())
    }

    /// Statistics per committed date of a version (latest when `None`).
    pub(crate) fn data_detail_summary(&self, version: Option<u32>) -> Result<Vec<DetailRow>> {
        let v = self.resolve_version(version)?;
        Ok(catalog::version_parts(self.home.db(), self.id, v)?.iter().map(|p| DetailRow::new(None, &p.stats)).collect())
    }

    /// Every version, oldest first.
    pub fn version_history(&self) -> Result<Vec<VersionInfo>> {
        let db = self.home.db();
        catalog::versions(db, self.id)?
            .into_iter()
            .map(|v| {
                let parts = catalog::version_parts(db, self.id, v.version)?;
                Ok(VersionInfo {
                    rows: parts.iter().map(|p| p.stats.rows).sum(),
                    dates: parts.len() as u32,
                    first_date: parts.first().map(|p| crate::date::format(p.stats.date)),
                    last_date: parts.last().map(|p| crate::date::format(p.stats.date)),
                    version: v.version,
                    created: v.created,
                    mode: v.mode,
                    committed_names: v.committed_names,
                })
            })
            .collect()
    }

    /// The distinct factor groups of a version (latest when `None`), sorted.
    pub fn factor_groups(&self, version: Option<u32>) -> Result<Vec<String>> {
        let v = self.resolve_version(version)?;
        let mut groups: Vec<String> =
            catalog::version_parts(self.home.db(), self.id, v)?.into_iter().flat_map(|p| p.factor_groups).collect();
        groups.sort();
        groups.dedup();
        Ok(groups)
    }

    /// The committed files of a version (latest when `None`): one per date, by date.
    pub(crate) fn part_files(&self, version: Option<u32>) -> Result<Vec<(i32, std::path::PathBuf)>> {
        let v = self.resolve_version(version)?;
        let data = self.home.objects();
        // In parallel: from a team's bucket, each is fetched once into this machine's cache.
        catalog::version_parts(self.home.db(), self.id, v)?.par_iter().map(|p| Ok((p.stats.date, data.local(&p.file)?))).collect()
    }

    /// All committed rows of a version (latest when `None`), by date then key.
    pub fn data(&self, version: Option<u32>) -> Result<Exposures> {
        let v = self.resolve_version(version)?;
        let parts = catalog::version_parts(self.home.db(), self.id, v)?;
        let data = self.home.objects();
        let frames: Vec<Exposures> = parts.par_iter().map(|p| parts::read(&data.local(&p.file)?)).collect::<Result<_>>()?;
        Ok(Exposures::concat(&frames))
    }
}
