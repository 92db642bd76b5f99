//! `riskdesk riskmodels ...`: estimating risk models and reading their frames.

use riskdesk::riskmodel::{ModelFrame, RiskModelInfo, RiskModelSettings};
use riskdesk::table::{Format, Table};
use riskdesk::text::thousands;
use riskdesk::{Backend, Error, Result};

use crate::args::{FrameFormat, FrameOut, Riskmodels};
use crate::output::{listing, print_json, with_progress, write_output};

/// Runs a `riskmodels` command.
pub fn run(backend: &dyn Backend, cmd: Riskmodels) -> Result<()> {
    let frame = |name: &str, frame: ModelFrame, output: &FrameOut| write_frame(&backend.risk_model_frame(name, frame)?.table(), output);
    match cmd {
        Riskmodels::List { json } => {
            let models = backend.risk_models()?;
            if json {
                return print_json(&models);
            }
            let rows: Vec<serde_json::Value> = models
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "name": m.name,
                        "status": m.stale_reason.as_deref().map_or("ready".to_owned(), |r| format!("stale: {r}")),
                        "risk_dataset": m.report.risk_dataset,
                        "dates": m.report.dates,
                        "first_date": m.report.first_date,
                        "last_date": m.report.last_date,
                        "factors": m.report.factors.len(),
                        "created": m.created,
                    })
                })
                .collect();
            listing(&rows, false, "No risk models yet.")?;
        }
        Riskmodels::Create { name, settings, replace, json } => {
            let text = std::fs::read_to_string(&settings).map_err(|e| Error::io(format!("cannot read {}", settings.display()), e))?;
            let parsed = RiskModelSettings::from_json(&text).map_err(|e| Error::invalid(format!("{}: {e}", settings.display())))?;
            let model = with_progress(|p| backend.create_risk_model(&name, &parsed, replace, p))?;
            if json {
                return print_json(&model);
            }
            println!("Created risk model {name}.");
            print_model(&model);
        }
        Riskmodels::Describe { name, json } => {
            let model = backend.describe_risk_model(&name)?;
            if json {
                return print_json(&model);
            }
            print_model(&model);
        }
        Riskmodels::Update { name, json } => {
            let before = backend.describe_risk_model(&name)?;
            let model = with_progress(|p| backend.update_risk_model(&name, p))?;
            if json {
                return print_json(&model);
            }
            if before.stale_reason.is_none() {
                println!("{name} is up to date; nothing to do.");
            } else {
                println!("Re-estimated {name}.");
                print_model(&model);
            }
        }
        Riskmodels::Delete { name, if_exists } => {
            if backend.delete_risk_model(&name, if_exists)? {
                println!("Deleted risk model {name}.");
            }
        }
        Riskmodels::Fret(a) => frame(&a.name, ModelFrame::Fret, &a.output)?,
        Riskmodels::StdErrors(a) => frame(&a.name, ModelFrame::StdErrors, &a.output)?,
        Riskmodels::TStats(a) => frame(&a.name, ModelFrame::TStats, &a.output)?,
        Riskmodels::PValues(a) => frame(&a.name, ModelFrame::PValues, &a.output)?,
        Riskmodels::R2(a) => frame(&a.name, ModelFrame::R2, &a.output)?,
        Riskmodels::Sigma2(a) => frame(&a.name, ModelFrame::Sigma2, &a.output)?,
        Riskmodels::Covariance(a) => write_frame(&backend.factor_covariance(&a.name, &a.date)?.table(), &a.output)?,
        Riskmodels::SpecificRisk(a) => write_frame(&with_progress(|_| backend.specific_risk(&a.name, &a.date))?.table(), &a.output)?,
    }
    Ok(())
}

/// Writes a frame as the options say: a text table on the terminal, CSV or Parquet.
fn write_frame(table: &Table, output: &FrameOut) -> Result<()> {
    let format = match output.format {
        FrameFormat::Table if output.out.is_none() => {
            print!("{}", table.render(Some(40)));
            return Ok(());
        }
        FrameFormat::Table | FrameFormat::Csv => Format::Csv,
        FrameFormat::Parquet => Format::Parquet,
    };
    write_output(table, format, output.out.as_deref())
}

/// A model's status, dates, factors and fit, a line per figure.
fn print_model(m: &RiskModelInfo) {
    let r = &m.report;
    let status = m.stale_reason.as_deref().map_or("ready".to_owned(), |reason| format!("stale: {reason}"));
    println!("{} ({status})", m.name);
    println!("  risk dataset: {} (reference {})", r.risk_dataset, r.reference_dataset);
    println!("  {} dates: {} to {}", r.dates, r.first_date.as_deref().unwrap_or("-"), r.last_date.as_deref().unwrap_or("-"));
    println!(
        "  {} factors; estimation universe {} to {} assets; mean R² {:.4}",
        r.factors.len(),
        thousands(u64::from(r.min_assets)),
        thousands(u64::from(r.max_assets)),
        r.mean_r2
    );
    let s = &m.settings;
    println!(
        "  weights {:?}; returns clipped to [{}, {}]; half-lives: factor vol {}, factor cor {}, specific {}; Newey–West lags {}",
        s.weights,
        s.return_clip_bounds.0.map_or("-".into(), |v| v.to_string()),
        s.return_clip_bounds.1.map_or("-".into(), |v| v.to_string()),
        s.halflife_factor_vol,
        s.halflife_factor_cor,
        s.halflife_idio_vol,
        s.nw_lags
    );
    for w in &r.skipped {
        println!("  skipped {w}");
    }
}
