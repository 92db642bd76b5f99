//! `riskdesk riskdatasets ...`: creating, describing, updating and deleting risk datasets.

use riskdesk::riskdataset::{CreationReport, RiskDatasetSettings, SourceVersion};
use riskdesk::text::thousands;
use riskdesk::{Backend, Error, Result};

use crate::args::Riskdatasets;
use crate::output::{listing, print_json, with_progress};

/// Runs a `riskdatasets` command.
pub fn run(backend: &dyn Backend, cmd: Riskdatasets) -> Result<()> {
    match cmd {
        Riskdatasets::List { json } => listing(&backend.risk_datasets()?, json, "No datasets yet.")?,
        Riskdatasets::Create { name, settings, replace, json } => {
            let text = std::fs::read_to_string(&settings).map_err(|e| Error::io(format!("cannot read {}", settings.display()), e))?;
            let settings = RiskDatasetSettings::from_json(&text, &settings.display().to_string())?;
            let report = with_progress(|p| backend.create_risk_dataset(&name, &settings, replace, p))?;
            if json {
                return print_json(&report);
            }
            println!("Created risk dataset {name}.");
            print_report(&report);
        }
        Riskdatasets::Delete { name, if_exists } => {
            if backend.delete_risk_dataset(&name, if_exists)? {
                println!("Deleted risk dataset {name}.");
            }
        }
        Riskdatasets::Describe { name, json } => {
            let d = backend.describe_risk_dataset(&name)?;
            if json {
                return print_json(&d);
            }
            let m = &d.universe_settings_menu;
            println!("{} ({}{})", d.name, d.status.as_str(), d.stale_reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default());
            println!("  reference dataset: {}", d.settings.reference_dataset);
            println!("  dates: {} to {}", d.first_date.as_deref().unwrap_or("-"), d.last_date.as_deref().unwrap_or("-"));
            println!("  id_types: {}", m.id_types.join(", "));
            println!("  exchanges ({}): {}", m.exchanges.len(), m.exchanges.join(", "));
            for (what, h) in [("industry", &m.industry), ("region", &m.region)] {
                for (group, levels) in h {
                    let all = levels.get("ALL").map(Vec::len).unwrap_or(0);
                    println!("  {what} hierarchy '{group}' ({all}): {}", levels.get("ALL").map(|v| v.join("; ")).unwrap_or_default());
                }
            }
            print_report(&d.report);
        }
        Riskdatasets::Update { name, json } => {
            let result = with_progress(|p| backend.update_risk_dataset(&name, p))?;
            if json {
                return print_json(&result);
            }
            if result.updated {
                let v = |s: &[SourceVersion]| s.iter().map(|x| format!("{} v{}", x.dataset, x.version)).collect::<Vec<_>>().join(", ");
                println!("Rebuilt {name} from {} (was {}).", v(&result.report.sources), v(&result.previous_sources));
                print_report(&result.report);
            } else {
                println!("{name} is up to date; nothing to do.");
            }
        }
    }
    Ok(())
}

/// What a build did, a line per figure.
fn print_report(r: &CreationReport) {
    println!(
        "  {} rows: {} assets over {} dates ({} to {})",
        thousands(r.rows),
        thousands(u64::from(r.assets)),
        r.dates,
        r.first_date.as_deref().unwrap_or("-"),
        r.last_date.as_deref().unwrap_or("-")
    );
    println!(
        "  coverage universe: {} reference assets; {} matched assets outside it",
        thousands(u64::from(r.coverage_assets)),
        thousands(u64::from(r.outside_universe_assets))
    );
    if r.unmatched_ids > 0 {
        println!("  {} uploaded ids match no reference asset, e.g. {}", thousands(r.unmatched_ids), r.unmatched_sample.join(", "));
    }
    if r.rows_outside_dates > 0 {
        println!("  {} uploaded rows outside the trimmed dates", thousands(r.rows_outside_dates));
    }
    for (label, n) in &r.clipped {
        let filled = r.filled.get(label).copied().unwrap_or(0);
        println!("  {label}: {} values clipped, {} filled", thousands(*n), thousands(filled));
    }
    for (label, n) in r.filled.iter().filter(|(l, _)| !r.clipped.contains_key(*l)) {
        println!("  {label}: {} values filled", thousands(*n));
    }
    for w in &r.warnings {
        println!("  warning: {w}");
    }
    let sources: Vec<String> = r.sources.iter().map(|s| format!("{} version {}", s.dataset, s.version)).collect();
    println!("  built from {} and reference {}", sources.join(", "), r.reference_dataset);
}
