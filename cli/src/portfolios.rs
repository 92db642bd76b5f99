//! `riskdesk risk ...` and `riskdesk portfolios ...`: portfolio risk reports on a risk model,
//! and portfolios saved by name.

use riskdesk::portfolio::{PortfolioChoice, PortfolioSource, RiskReport, RiskRequest, report_table};
use riskdesk::table::{Format, Table};
use riskdesk::text::thousands;
use riskdesk::{Backend, Error, Result};

use crate::args::{ListFormat, Portfolios, RiskArgs};
use crate::output::{listing, print_table, with_progress, write_output};

/// Runs `riskdesk risk`.
pub fn risk(backend: &dyn Backend, args: RiskArgs) -> Result<()> {
    let model = args.model.as_str();
    let choice = |file: &Option<std::path::PathBuf>, saved: &Option<String>, name: &Option<String>| -> Result<Option<PortfolioChoice>> {
        let source = match (file, saved) {
            (Some(path), _) => PortfolioSource::Holdings(backend.read_portfolio(path, Some(model))?),
            (None, Some(saved)) => PortfolioSource::Saved(saved.clone()),
            (None, None) => return Ok(None),
        };
        Ok(Some(PortfolioChoice { source, name: name.clone() }))
    };
    let portfolio =
        choice(&args.portfolio, &args.saved, &args.name)?.ok_or_else(|| Error::invalid("give --portfolio FILE or --saved NAME"))?;
    let benchmark = choice(&args.benchmark, &args.saved_benchmark, &args.benchmark_name)?;
    let series = args.start.is_some() || args.end.is_some();
    let request = RiskRequest { model: model.to_owned(), portfolio, benchmark, start: args.start.clone(), end: args.end.or(args.date) };
    let reports = with_progress(|p| backend.portfolio_risk(&request, p))?;
    match args.format {
        ListFormat::Json => {
            let text = if series { serde_json::to_string_pretty(&reports) } else { serde_json::to_string_pretty(&reports[0]) };
            let text = text.map_err(|e| Error::Internal(format!("cannot write the report as JSON: {e}")))?;
            match &args.out {
                Some(path) => std::fs::write(path, text + "\n").map_err(|e| Error::io(format!("cannot write {}", path.display()), e)),
                None => {
                    println!("{text}");
                    Ok(())
                }
            }
        }
        ListFormat::Csv => write_output(&report_table(&reports), Format::Csv, args.out.as_deref()),
        ListFormat::Table if series => print_table(&series_table(&reports), ListFormat::Table),
        ListFormat::Table => print_report(&reports[0], model, request.benchmark.is_some(), usize::from(args.assets)),
    }
}

/// Runs a `portfolios` command.
pub fn run(backend: &dyn Backend, cmd: Portfolios) -> Result<()> {
    match cmd {
        Portfolios::List { json } => listing(&backend.portfolios()?, json, "No saved portfolios yet.")?,
        Portfolios::Save { name, file, replace } => {
            let portfolio = backend.read_portfolio(&file, None)?;
            let info = backend.save_portfolio(&name, &portfolio, replace)?;
            println!("Saved portfolio {name}: {} holdings, ids of type {}.", thousands(info.holdings), info.id_type);
        }
        Portfolios::Delete { name, if_exists } => {
            if backend.delete_portfolio(&name, if_exists)? {
                println!("Deleted portfolio {name}.");
            }
        }
    }
    Ok(())
}

/// A percentage with two decimals.
fn percent(v: f64) -> String {
    if v.is_finite() { format!("{:.2}%", 100.0 * v) } else { "-".to_owned() }
}

/// A report per date, a row each.
fn series_table(reports: &[RiskReport]) -> Table {
    let rows: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let mut row = serde_json::json!({
                "date": r.date,
                "total_risk": percent(r.total_risk),
                "factor_risk": percent(r.factor_risk),
                "specific_risk": percent(r.specific_risk),
                "matched": r.assets.len(),
                "unmatched": r.unmatched.len(),
            });
            if let Some(b) = &r.benchmark {
                row["portfolio_risk"] = percent(b.portfolio_risk).into();
                row["benchmark_risk"] = percent(b.benchmark_risk).into();
            }
            row
        })
        .collect();
    Table::from_records(&rows)
}

/// One report: the headline, the groups, the largest factor and asset parts, the unmatched holdings.
fn print_report(r: &RiskReport, model: &str, active: bool, assets: usize) -> Result<()> {
    let what = if active { "Active risk" } else { "Risk" };
    println!("{what} on risk model {model} at {} (annualised volatility)", r.date);
    println!("  total {}   factor {}   specific {}", percent(r.total_risk), percent(r.factor_risk), percent(r.specific_risk));
    if let Some(b) = &r.benchmark {
        println!("  portfolio alone {}   benchmark alone {}", percent(b.portfolio_risk), percent(b.benchmark_risk));
    }
    let unmatched: f64 = r.unmatched.iter().map(|u| u.weight).sum();
    let matched = thousands(r.assets.len() as u64);
    match r.unmatched.len() {
        0 => println!("  {matched} holdings matched; every holding is in the model's universe on the date"),
        n => println!(
            "  {matched} holdings matched; {} not in the model's universe on the date (weight {unmatched:.4})",
            thousands(n as u64)
        ),
    }
    let share = |contribution: f64| percent(if r.total_risk > 0.0 { contribution / r.total_risk } else { f64::NAN });
    let group = |name: &str, volatility: f64, correlation: f64, contribution: f64| {
        serde_json::json!({
            "group": name,
            "volatility": percent(volatility),
            "correlation": format!("{correlation:.3}"),
            "contribution": percent(contribution),
            "share": share(contribution),
        })
    };
    println!("\nBy group:");
    let mut rows: Vec<serde_json::Value> = r.groups.iter().map(|g| group(&g.factor, g.volatility, g.correlation, g.contribution)).collect();
    let specific_correlation = if r.specific_risk > 0.0 { r.specific_contribution / r.specific_risk } else { f64::NAN };
    rows.push(group("specific", r.specific_risk, specific_correlation, r.specific_contribution));
    print_table(&Table::from_records(&rows), ListFormat::Table)?;
    let mut factors: Vec<_> = r.contributions.iter().collect();
    factors.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
    let shown = factors.len().min(15);
    println!("\nLargest factor contributions ({shown} of {}):", factors.len());
    let rows: Vec<serde_json::Value> = factors[..shown]
        .iter()
        .map(|c| {
            serde_json::json!({
                "factor": c.factor,
                "group": c.group,
                "exposure": format!("{:.4}", c.exposure),
                "volatility": percent(c.volatility),
                "correlation": format!("{:.3}", c.correlation),
                "contribution": percent(c.contribution),
                "share": share(c.contribution),
            })
        })
        .collect();
    print_table(&Table::from_records(&rows), ListFormat::Table)?;
    if assets > 0 && !r.assets.is_empty() {
        let mut held: Vec<_> = r.assets.iter().collect();
        held.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        let shown = held.len().min(assets);
        println!("\nLargest asset contributions ({shown} of {}):", thousands(held.len() as u64));
        let rows: Vec<serde_json::Value> = held[..shown]
            .iter()
            .map(|a| serde_json::json!({ "id": a.id, "weight": format!("{:.4}", a.weight), "contribution": percent(a.contribution) }))
            .collect();
        print_table(&Table::from_records(&rows), ListFormat::Table)?;
    }
    if !r.unmatched.is_empty() {
        let shown = r.unmatched.len().min(20);
        println!("\nNot in the model's universe ({shown} of {}; --format csv lists them all):", thousands(r.unmatched.len() as u64));
        let rows: Vec<serde_json::Value> = r.unmatched[..shown]
            .iter()
            .map(|u| serde_json::json!({ "id": u.id, "of": if u.benchmark { "benchmark" } else { "portfolio" }, "weight": format!("{:.4}", u.weight) }))
            .collect();
        print_table(&Table::from_records(&rows), ListFormat::Table)?;
    }
    Ok(())
}
