//! The creation report: the coverage universe's figures, and the second pass's totals checked
//! and turned into counts and warnings.

use super::assemble::Totals;
use super::columns::Plan;
use crate::reference::Reference;
use crate::riskdataset::built::CreationReport;
use crate::{Error, Result};

/// Notes the coverage universe in the report: its assets and exchanges, and the matched assets
/// outside it.
pub(super) fn universe(report: &mut CreationReport, reference: &Reference, universe: &[bool], matched: &[bool]) {
    report.coverage_assets = universe.iter().filter(|k| **k).count() as u32;
    let mut exchanges: Vec<String> = (0..universe.len()).filter(|&i| universe[i]).map(|i| reference.assets.exchange[i].clone()).collect();
    exchanges.sort();
    exchanges.dedup();
    report.exchanges = exchanges;
    report.outside_universe_assets = (0..matched.len()).filter(|&i| matched[i] && !universe[i]).count() as u32;
}

/// Completes the report from the second pass's totals; fails when an uploaded id maps to an
/// asset twice, a categorical check failed, or no row is left.
pub(super) fn finish(report: &mut CreationReport, plan: &Plan<'_>, totals: Totals) -> Result<()> {
    report.rows = totals.rows;
    report.dates = totals.dates;
    report.first_date = totals.first_date;
    report.last_date = totals.last_date;
    report.day_digests = totals.digests;
    let duplicates: Vec<String> = totals.duplicates.into_iter().flat_map(|s| s.messages).take(20).collect();
    if !duplicates.is_empty() {
        return Err(Error::InvalidInput { message: "several uploaded ids map to the same reference asset".into(), details: duplicates });
    }
    let offender_count: u64 = totals.offenders.iter().chain(&totals.missing).map(|s| s.count).sum();
    if offender_count > 0 {
        let offenders: Vec<String> = totals.offenders.into_iter().chain(totals.missing).flat_map(|s| s.messages).take(20).collect();
        return Err(Error::InvalidInput {
            message: format!(
                "industry and region groups must be categorical (exactly one factor with exposure 1 per asset and date); {} offending (date, asset) pairs{}",
                crate::text::thousands(offender_count),
                crate::text::listed(offenders.len(), offender_count)
            ),
            details: offenders,
        });
    }
    if report.rows == 0 {
        return Err(Error::invalid("no exposures are left after mapping ids, the coverage universe and the date range"));
    }
    for (col, &(_, fill)) in plan.flags.iter().enumerate() {
        let c = &plan.layout.numeric[col];
        if let Some(empty) = totals.empty_styles.get(&col) {
            // Filling takes means of the date's own values: with none, there is nothing to fill from.
            let what = if fill {
                "its values there stay empty (filling has no value that date to start from)"
            } else {
                "its values there are empty"
            };
            report.warnings.push(format!("{} has no uploaded value on {}: {what}", c.label(), list_some(empty, 5)));
        }
    }
    for (col, &(huberize, fill)) in plan.flags.iter().enumerate() {
        let label = plan.layout.numeric[col].label();
        if huberize {
            report.clipped.insert(label.clone(), totals.clipped[col]);
        }
        if fill {
            report.filled.insert(label, totals.filled[col]);
        }
    }
    report.assets = totals.assets.iter().filter(|a| **a).count() as u32;
    if report.coverage_assets > 0 && f64::from(report.assets) < 0.5 * f64::from(report.coverage_assets) {
        report.warnings.push(format!(
            "only {} of the {} assets of the coverage universe have exposures ({:.0}%)",
            crate::text::thousands(u64::from(report.assets)),
            crate::text::thousands(u64::from(report.coverage_assets)),
            100.0 * f64::from(report.assets) / f64::from(report.coverage_assets)
        ));
    }
    Ok(())
}

/// Up to `n` items, then how many more.
fn list_some(items: &[String], n: usize) -> String {
    if items.len() <= n { items.join(", ") } else { format!("{} and {} more dates", items[..n].join(", "), items.len() - n) }
}
