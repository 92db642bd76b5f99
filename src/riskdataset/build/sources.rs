//! The sources of a build: each uploaded exposure dataset at its version, with its committed
//! files, and the dates the build keeps.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::list;
use crate::frame::Exposures;
use crate::riskdataset::settings::{ExposureSource, RiskDatasetSettings, Role, TrimDate, UploadedExposures};
use crate::store::parts;
use crate::{Error, Home, Result};

/// An uploaded exposure dataset at the version the build reads.
pub(super) struct Source<'a> {
    pub settings: &'a UploadedExposures,
    pub version: u32,
    /// The committed files of the version: one per date, by date.
    pub parts: Vec<(i32, PathBuf)>,
}

/// Checks each uploaded source at its pinned version (or the latest) and lists its files.
pub(super) fn load<'a>(home: &Home, settings: &'a RiskDatasetSettings, pinned: &HashMap<String, u32>) -> Result<Vec<Source<'a>>> {
    let mut out = Vec::new();
    for source in &settings.exposures {
        let u = match source {
            ExposureSource::Uploaded(u) => u,
            ExposureSource::Referenced { .. } => {
                return Err(Error::invalid(format!(
                    "reference dataset '{}' holds no exposures to reference; use exposure_type \"uploaded\"",
                    settings.reference_dataset
                )));
            }
        };
        let up = home.uploader(&u.exposure_source).map_err(|_| {
            let known = home.datasets().map(|d| list(d.iter().map(|x| x.name.clone()))).unwrap_or_default();
            Error::invalid(format!("exposure dataset '{}' does not exist (exposure datasets: {known})", u.exposure_source))
        })?;
        let version = up.resolve_version(pinned.get(&u.exposure_source).copied())?;
        if version == 0 {
            return Err(Error::invalid(format!("exposure dataset '{}' has no committed data; commit first", u.exposure_source)));
        }
        let groups = up.factor_groups(Some(version))?;
        for (role, group) in u.roles() {
            if !groups.iter().any(|g| g == group) {
                return Err(Error::invalid(format!(
                    "{}_factor_group '{group}' is not a factor group of '{}' (version {version}); its factor groups are: {}",
                    role.name(),
                    u.exposure_source,
                    list(&groups)
                )));
            }
        }
        out.push(Source { settings: u, version, parts: up.part_files(Some(version))? });
    }
    Ok(out)
}

/// Refuses a categorical role (industry, region) given by more than one source.
pub(super) fn check_roles(sources: &[Source<'_>]) -> Result<()> {
    let roles_taken: Vec<Role> = sources.iter().flat_map(|s| s.settings.roles().into_iter().map(|(r, _)| r)).collect();
    for role in [Role::Industry, Role::Region] {
        if roles_taken.iter().filter(|r| **r == role).count() > 1 {
            return Err(Error::invalid(format!("only one {}_factor_group may be given across all exposure sources", role.name())));
        }
    }
    Ok(())
}

/// The (start, end) dates kept, from the rules and the sources' own ranges.
pub(super) fn date_range(settings: &RiskDatasetSettings, sources: &[Source<'_>]) -> Result<(i32, i32)> {
    let ranges: Vec<(i32, i32)> =
        sources.iter().map(|s| (s.parts.first().map_or(i32::MAX, |p| p.0), s.parts.last().map_or(i32::MIN, |p| p.0))).collect();
    let start = match settings.trim_start_date {
        TrimDate::None => i32::MIN,
        TrimDate::EarliestStart => ranges.iter().map(|r| r.0).min().unwrap_or(i32::MIN),
        TrimDate::LatestStart => ranges.iter().map(|r| r.0).max().unwrap_or(i32::MIN),
        TrimDate::Date(d) => d,
        _ => unreachable!("checked by settings"),
    };
    let end = match settings.trim_end_date {
        TrimDate::None => i32::MAX,
        TrimDate::EarliestEnd => ranges.iter().map(|r| r.1).min().unwrap_or(i32::MAX),
        TrimDate::LatestEnd => ranges.iter().map(|r| r.1).max().unwrap_or(i32::MAX),
        TrimDate::Date(d) => d,
        _ => unreachable!("checked by settings"),
    };
    if start > end {
        return Err(Error::invalid(format!(
            "the trimmed date range is empty: it starts {} and ends {}",
            crate::date::format(start),
            crate::date::format(end)
        )));
    }
    Ok((start, end))
}

/// The sorted distinct dates of the sources within `start..=end`.
pub(super) fn dates(sources: &[Source<'_>], start: i32, end: i32) -> Vec<i32> {
    let mut d: Vec<i32> = sources.iter().flat_map(|s| s.parts.iter().map(|p| p.0)).filter(|d| (start..=end).contains(d)).collect();
    d.sort_unstable();
    d.dedup();
    d
}

/// Reads a committed file, which must hold rows of `date` only.
pub(super) fn read_part(path: &Path, date: i32) -> Result<Exposures> {
    let frame = parts::read(path)?;
    if frame.date.iter().any(|&d| d != date) {
        return Err(Error::Storage(format!("{}: holds rows of another date than {}", path.display(), crate::date::format(date))));
    }
    Ok(frame)
}
