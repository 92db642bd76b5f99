//! `riskdesk upload ...`: staging, checking, committing and reading exposure uploads.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use riskdesk::api::{CheckRequest, DataRequest};
use riskdesk::checks::{Severity, Thresholds};
use riskdesk::table::{Format, Table};
use riskdesk::text::thousands;
use riskdesk::uploader::{Column, CommitMode, StageState, VersionDiff};
use riskdesk::{Backend, Error, Result};

use crate::args::{DataFormat, ListFormat, Upload};
use crate::output::{listing, print_json, print_table, with_progress, write_output};

/// Runs an `upload` command; the exit status fails when staging refused a name or a check failed.
pub fn run(backend: &dyn Backend, cmd: Upload) -> Result<ExitCode> {
    match cmd {
        Upload::Stage { d, paths, replace, json } => return stage(backend, &d.dataset, &paths, replace, json),
        Upload::Summary { d, detail, staging, version, format } => {
            let table = match (staging, detail) {
                (true, true) => Table::from_records(&backend.staging_detail(&d.dataset)?),
                (true, false) => Table::from_records(&backend.staging_summary(&d.dataset)?),
                (false, true) => Table::from_records(&backend.data_detail(&d.dataset, version)?),
                (false, false) => Table::from_records(&backend.data_summary(&d.dataset, version)?),
            };
            if table.rows() == 0 && matches!(format, ListFormat::Table) {
                println!("{}", if staging { "Nothing is staged." } else { "Nothing is committed." });
            } else {
                print_table(&table, format)?;
            }
        }
        Upload::Check { d, staging, version, thresholds, quick, format } => {
            return check(backend, &d.dataset, CheckArgs { staging, version, thresholds, quick, format });
        }
        Upload::Impact { d, model, format } => {
            let impact = with_progress(|p| backend.model_impact(&d.dataset, &model, p))?;
            if format == "json" {
                print_json(&impact)?;
            } else {
                print_impact(&impact)?;
            }
        }
        Upload::Revert { d, to, json } => {
            let result = backend.revert(&d.dataset, to)?;
            if json {
                print_json(&result)?;
            } else {
                println!(
                    "Reverted {} to version {to} as version {}: it holds {} rows over {} dates, as version {to} did.",
                    d.dataset,
                    result.version,
                    thousands(result.rows),
                    result.dates
                );
            }
        }
        Upload::Commit { d, mode, names, json } => {
            let mode = CommitMode::parse(&mode)?;
            let result = with_progress(|p| backend.commit(&d.dataset, mode, names.as_deref(), p))?;
            if json {
                print_json(&result)?;
            } else {
                println!(
                    "Committed version {} ({}) of {}: {} names; the version holds {} rows over {} dates.",
                    result.version,
                    mode.name(),
                    d.dataset,
                    result.committed_names.len(),
                    thousands(result.rows),
                    result.dates
                );
                println!("committed_names: {}", result.committed_names.join(", "));
            }
        }
        Upload::Diff { d, from, to, rows, format } => diff(backend, &d.dataset, from, to, rows, format)?,
        Upload::History { d, json } => {
            let history = backend.version_history(&d.dataset)?;
            if json {
                print_json(&history)?;
            } else {
                let rows: Vec<serde_json::Value> = history
                    .iter()
                    .map(|v| {
                        serde_json::json!({"version": v.version, "created": v.created, "mode": v.mode,
                        "names": v.committed_names.len(), "rows": v.rows, "dates": v.dates,
                        "first_date": v.first_date, "last_date": v.last_date})
                    })
                    .collect();
                listing(&rows, false, "No versions yet: nothing has been committed.")?;
            }
        }
        Upload::Data { d, columns, unique, version, format, out } => {
            let columns = match columns {
                Some(names) => names.iter().map(|c| Column::parse(c)).collect::<Result<Vec<_>>>()?,
                None => Vec::new(),
            };
            let format = match format {
                DataFormat::Csv => Format::Csv,
                DataFormat::Json => Format::Json,
                DataFormat::Parquet => Format::Parquet,
            };
            let request = DataRequest { columns, unique, version, filters: Vec::new() };
            let table = with_progress(|p| backend.data(&d.dataset, &request, p))?;
            write_output(&table, format, out.as_deref())?;
        }
        Upload::Staged { d, json } => {
            let results = backend.staging_results(&d.dataset)?;
            listing(&results, json, "Nothing is staged.")?;
        }
        Upload::Wipe { d, names, json } => {
            let wiped = backend.wipe_staging(&d.dataset, names.as_deref())?;
            if json {
                print_json(&wiped)?;
            } else {
                println!("Wiped {} staged names: {}", wiped.len(), wiped.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", "));
            }
        }
        Upload::Destroy { d, yes } => {
            if !backend.datasets()?.iter().any(|x| x.name == d.dataset) {
                return Err(Error::not_found("dataset", &d.dataset));
            }
            if !yes {
                return Err(Error::invalid(format!(
                    "destroy deletes every version and staged name of '{}' for good; add --yes to confirm",
                    d.dataset
                )));
            }
            backend.destroy(&d.dataset)?;
            println!("Destroyed dataset {}.", d.dataset);
        }
        Upload::Datasets { json } => listing(&backend.datasets()?, json, "No datasets yet.")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `upload stage`: a line per staged name, then the quick checks.
fn stage(backend: &dyn Backend, dataset: &str, paths: &[PathBuf], replace: bool, json: bool) -> Result<ExitCode> {
    let results = with_progress(|p| backend.stage(dataset, paths, replace, p))?;
    let failed = results.iter().filter(|r| !r.success).count();
    if json {
        print_json(&results)?;
    } else {
        let rows: Vec<serde_json::Value> = results
            .iter()
            .map(|r| {
                serde_json::json!({"_name": r.name, "success": r.success, "state": r.state, "parser": r.parser.clone().unwrap_or_default(),
                    "rows": r.rows, "dates": r.dates, "assets": r.assets, "source": r.source})
            })
            .collect();
        print_table(&Table::from_records(&rows), ListFormat::Table)?;
        for r in results.iter().filter(|r| !r.success) {
            for m in &r.messages {
                eprintln!("{m}");
            }
        }
        let unchanged = results.iter().filter(|r| r.state == StageState::Unchanged).count();
        let staged = results.len() - failed - unchanged;
        println!("Staged {staged} of {} names into {} ({unchanged} unchanged, {failed} refused).", results.len(), dataset);
        if results.iter().any(|r| r.success)
            && let Err(e) = print_quick_checks(backend, dataset)
        {
            eprintln!("The quick checks could not run: {e}");
        }
    }
    Ok(if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The options of `upload check`.
struct CheckArgs {
    staging: bool,
    version: Option<u32>,
    thresholds: Vec<String>,
    quick: bool,
    format: ListFormat,
}

/// `upload check`: the findings; the exit status fails when any finding fails.
fn check(backend: &dyn Backend, dataset: &str, args: CheckArgs) -> Result<ExitCode> {
    let CheckArgs { staging, version, thresholds, quick, format } = args;
    let mut t = Thresholds::default();
    for a in &thresholds {
        t.apply(a)?;
    }
    let findings = backend.check(dataset, &CheckRequest { staging, version, thresholds: t, quick })?.findings;
    let fails = findings.iter().filter(|f| f.severity == Severity::Fail).count();
    match format {
        ListFormat::Json => print_json(&findings)?,
        _ if findings.is_empty() && quick => {
            println!("No findings: no missing or duplicate date, no coverage drop (quick checks only).")
        }
        _ if findings.is_empty() => println!("No findings: every check passed."),
        _ => {
            let rows: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| {
                    serde_json::json!({"check": f.check, "severity": f.severity, "date": f.date,
                        "factor_group": f.factor_group, "factor": f.factor, "value": f.value, "threshold": f.threshold,
                        "message": f.message, "assets": f.assets.join(" ")})
                })
                .collect();
            print_table(&Table::from_records(&rows), format)?;
            if matches!(format, ListFormat::Table) {
                println!("{} findings: {fails} fail, {} warn.", findings.len(), findings.len() - fails);
            }
        }
    }
    Ok(if fails > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `upload diff`: what changed between two versions, optionally with the changed rows.
fn diff(backend: &dyn Backend, dataset: &str, from: u32, to: u32, rows: bool, format: ListFormat) -> Result<()> {
    let diff = backend.diff(dataset, from, to)?;
    if matches!(format, ListFormat::Table) {
        let list = |v: &[String]| if v.is_empty() { "none".to_owned() } else { v.join(", ") };
        println!("From version {from} to {to} of {}:", dataset);
        println!("  dates added: {}", list(&diff.dates_added));
        println!("  dates removed: {}", list(&diff.dates_removed));
        println!("  dates changed: {}", list(&diff.dates_changed));
        println!("  dates unchanged: {}; rows added, removed or changed: {}", diff.dates_unchanged, thousands(diff.rows_changed));
    }
    match (rows, format) {
        (false, ListFormat::Json) => print_json(&diff)?,
        (false, _) if !diff.factors.is_empty() => print_table(&Table::from_records(&diff.factors), format)?,
        (false, _) => {}
        (true, ListFormat::Table) => {
            let page = backend.diff_rows(dataset, from, to, 0, TEXT_ROWS)?;
            if !page.rows.is_empty() {
                print_table(&Table::from_records(&page.rows), format)?;
            }
            if page.total > page.rows.len() as u64 {
                println!("... {} more changed rows: --format csv or json lists them all", thousands(page.total - page.rows.len() as u64));
            }
        }
        (true, _) => print_diff_rows(backend, dataset, from, to, &diff, format)?,
    }
    Ok(())
}

/// After staging: the checks that read no data (dates and asset counts), a line each, and how to
/// run the others.
fn print_quick_checks(backend: &dyn Backend, dataset: &str) -> Result<()> {
    let request = CheckRequest { staging: true, version: None, thresholds: Thresholds::default(), quick: true };
    let findings = backend.check(dataset, &request)?.findings;
    if findings.is_empty() {
        println!("Quick checks: no missing or duplicate date, no coverage drop.");
    } else {
        println!("Quick checks: {} finding(s):", findings.len());
        for f in &findings {
            let severity = if f.severity == Severity::Fail { "fail" } else { "warn" };
            println!("  {severity} {} {}: {}", f.date, f.check.name(), f.message);
        }
    }
    println!("Run `riskdesk upload check --dataset {dataset} --staging` for every check before committing.");
    Ok(())
}

/// Changed rows shown by `upload diff --rows` as a text table; CSV and JSON list them all.
const TEXT_ROWS: usize = 100_000;

/// Writes every changed row as CSV or JSON (`{"summary": ..., "rows": [...]}`), a page at a time,
/// so that memory holds one page however many rows changed.
fn print_diff_rows(backend: &dyn Backend, dataset: &str, from: u32, to: u32, diff: &VersionDiff, format: ListFormat) -> Result<()> {
    const PAGE: usize = 100_000;
    let io = |e: std::io::Error| Error::io("cannot write the output", e);
    let json = matches!(format, ListFormat::Json);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    if json {
        let summary = serde_json::to_string(diff).map_err(|e| Error::Storage(e.to_string()))?;
        write!(out, "{{\"summary\": {summary},\n\"rows\": [").map_err(io)?;
    }
    let mut offset = 0;
    loop {
        let page = backend.diff_rows(dataset, from, to, offset, PAGE)?;
        if json {
            for (i, row) in page.rows.iter().enumerate() {
                out.write_all(if offset + i == 0 { b"\n" } else { b",\n" }).map_err(io)?;
                serde_json::to_writer(&mut out, row).map_err(|e| Error::Storage(e.to_string()))?;
            }
        } else if page.rows.is_empty() && offset == 0 {
            writeln!(out, "date,asset_id,asset_id_type,factor_group,factor,old,new").map_err(io)?; // no rows: the header alone
        } else if !page.rows.is_empty() {
            // The CSV of every page, with the header line of the first one only.
            let mut csv = Vec::new();
            Table::from_records(&page.rows).write(Format::Csv, &mut csv, None)?;
            let body = if offset == 0 { 0 } else { csv.iter().position(|&b| b == b'\n').map_or(csv.len(), |p| p + 1) };
            out.write_all(&csv[body..]).map_err(io)?;
        }
        offset += page.rows.len();
        if page.rows.is_empty() || offset as u64 >= page.total {
            break;
        }
    }
    if json {
        out.write_all(b"\n]}\n").map_err(io)?;
    }
    out.flush().map_err(io)
}

/// A model impact: per date the fit and the largest factor-return changes with their drivers,
/// then the saved portfolios' risk and the notes.
fn print_impact(m: &riskdesk::riskmodel::ModelImpact) -> Result<()> {
    println!("Model impact of the data staged for {} on risk model {} (nothing committed or stored)", m.dataset, m.model);
    let changed = |a: Option<f64>, b: Option<f64>| a.map(f64::to_bits) != b.map(f64::to_bits);
    let delta = |f: &riskdesk::riskmodel::FactorImpact| match (f.fret_before, f.fret_after) {
        (Some(a), Some(b)) => (b - a).abs(),
        (None, None) => 0.0,
        _ => f64::INFINITY,
    };
    let number = |v: Option<f64>, decimals: usize| v.map_or("-".to_owned(), |v| format!("{v:.decimals$}"));
    let any = m.dates.iter().any(|d| d.factors.iter().any(|f| changed(f.fret_before, f.fret_after)) || d.assets_before != d.assets_after);
    if m.dates.is_empty() {
        println!("  No model date reads the staged dates.");
    } else if !any {
        println!("  No change: {} model date(s) fitted again give the same factor returns.", m.dates.len());
    }
    for d in &m.dates {
        println!(
            "\n{} (exposures of {}): R² {} → {}; estimation universe {} → {}",
            d.date,
            d.exposures_date,
            number(d.r2_before, 6),
            number(d.r2_after, 6),
            thousands(u64::from(d.assets_before)),
            thousands(u64::from(d.assets_after))
        );
        let mut factors: Vec<_> = d.factors.iter().filter(|f| changed(f.fret_before, f.fret_after)).collect();
        if factors.is_empty() {
            continue;
        }
        factors.sort_by(|a, b| delta(b).total_cmp(&delta(a)));
        let shown = factors.len().min(10);
        println!("  largest factor-return changes ({shown} of {} changed):", factors.len());
        let rows: Vec<serde_json::Value> = factors[..shown]
            .iter()
            .map(|f| {
                serde_json::json!({
                    "factor": f.factor,
                    "fret_before": number(f.fret_before, 6),
                    "fret_after": number(f.fret_after, 6),
                    "change": f.fret_before.zip(f.fret_after).map_or("-".to_owned(), |(a, b)| format!("{:+.6}", b - a)),
                    "t_before": number(f.t_before, 3),
                    "t_after": number(f.t_after, 3),
                })
            })
            .collect();
        print_table(&Table::from_records(&rows), ListFormat::Table)?;
        if !d.drivers.is_empty() {
            println!("  assets driving it (exposure change × regression weight):");
            let value = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.4}"));
            let rows: Vec<serde_json::Value> = d
                .drivers
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "id": a.id,
                        "weight": format!("{:.1}", a.weight),
                        "change": format!("{:.3}", a.change),
                        "factor": a.factor,
                        "before": value(a.before),
                        "after": value(a.after),
                    })
                })
                .collect();
            print_table(&Table::from_records(&rows), ListFormat::Table)?;
        }
    }
    if !m.portfolios.is_empty() {
        println!("\nSaved portfolios' total risk at {} (annualised):", m.portfolios[0].date);
        let rows: Vec<serde_json::Value> = m
            .portfolios
            .iter()
            .map(|p| {
                serde_json::json!({
                    "portfolio": p.portfolio,
                    "now": format!("{:.4}%", 100.0 * p.before),
                    "with_staged": format!("{:.4}%", 100.0 * p.after),
                    "change": format!("{:+.4}%", 100.0 * (p.after - p.before)),
                })
            })
            .collect();
        print_table(&Table::from_records(&rows), ListFormat::Table)?;
    }
    for n in &m.notes {
        println!("note: {n}");
    }
    Ok(())
}
