//! Dates of a risk dataset assembled again as its build assembled them, with other rows in
//! place of one source's committed files: what committing staged data would make of those dates
//! (the model impact of staged data, before any commit). The stored layout fixes the columns
//! and categories, so the build's first pass is not needed.

use std::collections::{BTreeMap, BTreeSet};

use super::assemble::assemble_day;
use super::columns::{Plan, coverage};
use super::ids::Ids;
use super::sources::read_part;
use crate::frame::Exposures;
use crate::riskdataset::built::Built;
use crate::riskdataset::settings::ExposureSource;
use crate::{Error, Home, Result};

/// The rows risk dataset `name` would hold at each date of `replaced` if exposure dataset
/// `dataset`'s rows of that date were `replaced[date]` (the other sources' rows as the risk
/// dataset's build read them), in date order; and the (group, factor) pairs of `replaced` that
/// the risk dataset has no column for (a rebuild would add them; they are left out here).
pub(crate) fn assemble_with(
    home: &Home,
    name: &str,
    dataset: &str,
    replaced: &BTreeMap<i32, Exposures>,
) -> Result<(Vec<Built>, Vec<String>)> {
    let row = home.risk_row(name)?;
    let settings = &row.settings;
    let Some(own) = settings.exposures.iter().position(|s| matches!(s, ExposureSource::Uploaded(u) if u.exposure_source == dataset)) else {
        return Err(Error::invalid(format!("risk dataset '{name}' is not built on exposure dataset '{dataset}'")));
    };
    let reference = home.reference_assets(&settings.reference_dataset)?;
    // Every asset with rows is matched, so the trimmed universe only narrows by exchange here.
    let universe = coverage(settings, &reference, &vec![true; reference.assets.asset_id.len()])?;
    let plan = Plan::from_layout(Ids::new(&reference), universe, settings, &row.layout)?;

    // The other sources' files of those dates, at the versions the build read.
    let mut others: Vec<(usize, BTreeMap<i32, std::path::PathBuf>)> = Vec::new();
    for (si, source) in settings.exposures.iter().enumerate() {
        let ExposureSource::Uploaded(u) = source else { continue };
        if si == own {
            continue;
        }
        let version = row.report.sources.iter().find(|v| v.dataset == u.exposure_source).map(|v| v.version);
        let parts = home.uploader(&u.exposure_source)?.part_files(version)?;
        others.push((si, parts.into_iter().filter(|(d, _)| replaced.contains_key(d)).collect()));
    }

    let mut unknown = BTreeSet::new();
    let mut days = Vec::with_capacity(replaced.len());
    for (&date, frame) in replaced {
        // Each (group, factor) pair once.
        let factors = frame.factor.dict.len();
        let mut seen = vec![false; frame.factor_group.dict.len() * factors];
        for r in 0..frame.len() {
            let pair = frame.factor_group.codes[r] as usize * factors + frame.factor.codes[r] as usize;
            if std::mem::replace(&mut seen[pair], true) {
                continue;
            }
            let (group, factor) = (frame.factor_group.get(r), frame.factor.get(r));
            let mapped = plan.numeric.contains_key(&(own, group.to_owned(), factor.to_owned()))
                || plan.categorical.iter().flatten().any(|c| c.source == own && c.group == group && c.codes.contains_key(factor));
            let in_role = match &settings.exposures[own] {
                ExposureSource::Uploaded(u) => u.roles().iter().any(|(_, g)| *g == group),
                ExposureSource::Referenced { .. } => false,
            };
            if in_role && !mapped {
                unknown.insert(format!("{group}/{factor}"));
            }
        }
        let mut read: Vec<(usize, Exposures)> = Vec::with_capacity(others.len());
        for (si, files) in &others {
            if let Some(path) = files.get(&date) {
                read.push((*si, read_part(path, date)?));
            }
        }
        let mut parts: Vec<(usize, &Exposures)> = read.iter().map(|(si, f)| (*si, f)).collect();
        parts.push((own, frame));
        parts.sort_by_key(|(si, _)| *si);
        days.push(assemble_day(&plan, date, &parts, settings.exposures.len())?.built);
    }
    Ok((days, unknown.into_iter().collect()))
}
