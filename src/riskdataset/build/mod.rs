//! Building a risk dataset from settings: roles, id mapping, coverage universe, date trimming,
//! categorical checks, huberizing and filling of style factors. By phase: `sources` checks the
//! sources and the dates kept, `scan` (the first pass) maps ids and gathers factors,
//! `columns` fixes the coverage universe and the columns, `assemble` (the second pass)
//! assembles, huberizes, fills and writes each date, and `report` completes the creation report.

mod assemble;
mod columns;
mod days;
mod ids;
mod report;
mod scan;
mod sources;
mod styles;

pub(crate) use days::assemble_with;

use std::collections::HashMap;
use std::path::Path;

use super::built::{CreationReport, Layout, SourceVersion};
use super::settings::RiskDatasetSettings;
use super::store::Writer;
use crate::progress::Progress;
use crate::reference::Reference;
use crate::{Error, Home, Result};

/// Builds a risk dataset from settings into a new file at `out`, date by date (see
/// `DATES_PER_BATCH`): memory stays flat whatever the length of history. Two passes over the
/// committed files: the first maps ids and gathers the factors (which fix the coverage universe
/// and the columns), the second assembles, huberizes, fills and writes each date. `pinned` fixes
/// source versions (for rebuilding as created). On any error no file is left at `out`.
pub fn build(
    home: &Home,
    settings: &RiskDatasetSettings,
    pinned: &HashMap<String, u32>,
    progress: &Progress<'_>,
    out: &Path,
    dates_per_batch: usize,
) -> Result<(Layout, CreationReport)> {
    settings.check()?;
    let reference = open_reference(home, settings)?;
    let sources = sources::load(home, settings, pinned)?;
    let mut report = CreationReport {
        sources: sources.iter().map(|s| SourceVersion { dataset: s.settings.exposure_source.clone(), version: s.version }).collect(),
        reference_dataset: reference.name.clone(),
        reference_created: reference.created.clone(),
        ..Default::default()
    };
    sources::check_roles(&sources)?;
    let (start, end) = sources::date_range(settings, &sources)?;
    let dates = sources::dates(&sources, start, end);
    let files: usize = sources.iter().map(|s| s.parts.len()).sum();
    let steps = (files + dates.len() + 1) as u64;

    let ids = ids::Ids::new(&reference);
    let scanned = scan::scan(&ids, &sources, start..=end, dates_per_batch, progress, steps, &mut report)?;
    let universe = columns::coverage(settings, &reference, &scanned.matched)?;
    report::universe(&mut report, &reference, &universe, &scanned.matched);
    let plan = columns::Plan::new(ids, universe, &sources, &scanned.factors)?;

    let mut writer = Writer::create(out, &plan.layout)?;
    let totals = assemble::assemble(&plan, &sources, &dates, dates_per_batch, progress, steps, &mut writer)?;
    report::finish(&mut report, &plan, totals)?;
    progress.report("create", steps, steps, "saving");
    progress.check()?;
    writer.finish()?;
    Ok((plan.layout, report))
}

/// The reference dataset the settings name, with its assets.
fn open_reference(home: &Home, settings: &RiskDatasetSettings) -> Result<Reference> {
    home.reference_assets(&settings.reference_dataset).map_err(|e| match e {
        Error::NotFound { .. } => {
            let known = home.references().map(|r| list(r.iter().map(|x| x.name.clone()))).unwrap_or_default();
            Error::invalid(format!("reference dataset '{}' does not exist (reference datasets: {known})", settings.reference_dataset))
        }
        other => other,
    })
}

/// The items, comma-separated.
fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items.into_iter().map(|s| s.as_ref().to_owned()).collect::<Vec<_>>().join(", ")
}
