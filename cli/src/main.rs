//! `riskdesk`: every workflow step from a terminal. A thin layer over the engine crate.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use riskdesk::api::{CheckRequest, DataRequest};
use riskdesk::checks::{Severity, Thresholds};
use riskdesk::demo::{DemoLayout, DemoOptions};
use riskdesk::progress::Step;
use riskdesk::riskdataset::{ExposureQuery, RiskDatasetSettings, Selection};
use riskdesk::store::Storage;
use riskdesk::table::{Format, Table};
use riskdesk::text::thousands;
use riskdesk::uploader::{Column, CommitMode, StageState, VersionDiff};
use riskdesk::{Backend, Error, LocalBackend, Progress, Result};

#[derive(Parser)]
#[command(name = "riskdesk", version, about = "Stage, check and version factor exposures; build risk datasets.")]
struct Cli {
    /// Home folder holding the catalog and data [default: $RISKDESK_HOME, else the platform data folder]
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    /// Work against this server (`riskdesk serve` or the risk platform) instead of a home folder
    #[arg(long, global = true, value_name = "URL", env = "RISKDESK_ENDPOINT", hide_env_values = true)]
    endpoint: Option<String>,
    /// The API key for --endpoint
    #[arg(long, global = true, value_name = "KEY", env = "RISKDESK_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// A team store's catalog (postgres://USER@HOST/DATABASE), with --store, instead of a home folder
    #[arg(long, global = true, value_name = "URL", env = "RISKDESK_CATALOG", hide_env_values = true)]
    catalog: Option<String>,
    /// A team store's objects (s3://BUCKET/PREFIX; endpoint and keys from the AWS_* variables), with --catalog
    #[arg(long, global = true, value_name = "URL", env = "RISKDESK_STORE")]
    store: Option<String>,
    /// Where this machine caches a team store's objects [default: ~/.cache/riskdesk/store/<hash>]
    #[arg(long, global = true, value_name = "DIR", env = "RISKDESK_CACHE")]
    cache: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the daily files of a folder, grouped by year, with the reason for every file left out.
    Scan {
        folder: PathBuf,
        /// Mark files already staged or committed in this dataset.
        #[arg(long)]
        dataset: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Batch the daily files of a folder into annual ZIPs (<prefix>_<year>.zip).
    Batch {
        folder: PathBuf,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Deflate level, 0 (store) to 9 (smallest).
        #[arg(long, default_value_t = riskdesk::batch::DEFAULT_LEVEL)]
        level: u32,
    },
    /// Exposure uploads: stage, check, commit, read.
    #[command(subcommand)]
    Upload(Upload),
    /// Reference datasets: the universe (security master, market caps) risk datasets borrow.
    #[command(subcommand)]
    Reference(Reference),
    /// Risk datasets: reference universe + uploaded exposures mapped to factor roles.
    #[command(subcommand)]
    Riskdatasets(Riskdatasets),
    /// Read the exposures of a risk dataset as a wide frame.
    #[command(subcommand)]
    Exposures(Exposures),
    /// Generate demo data.
    #[command(subcommand)]
    Demo(Demo),
    /// Serve this home over the risk platform's HTTP API, to its Python client and notebooks.
    Serve {
        /// Address and port to listen on; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// The largest upload accepted, in MB (1 MB = 10^6 bytes); larger ones get 413.
        #[arg(long, value_name = "MB", default_value_t = riskdesk_server::DEFAULT_UPLOAD_LIMIT / 1_000_000)]
        max_upload_mb: u64,
    },
    /// API keys for `riskdesk serve`, kept in this home as hashes.
    #[command(subcommand)]
    Keys(Keys),
    /// The team store given by --catalog and --store: move a home into it, collect its orphans.
    #[command(subcommand)]
    Store(Store),
}

#[derive(Subcommand)]
enum Store {
    /// Move a home folder (its datasets, versions, references, risk datasets and keys) into the
    /// empty team store given by --catalog and --store, then verify the copy. The home is left as it was.
    Migrate {
        /// The home folder to move.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
    /// Delete the objects nobody needs (left by killed or failed writers); never one that a
    /// version or a running writer on any server still needs.
    Gc,
}

#[derive(Subcommand)]
enum Keys {
    /// Create a key for a user; the key is the last line printed, shown this once.
    Create {
        /// The user's e-mail address (clients qualify dataset names with it).
        #[arg(long)]
        user: String,
    },
    /// List the keys: id, user, created (never the keys themselves).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id: it stops working at once.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
enum Reference {
    /// Import a folder: assets.csv (+ optional market_caps.csv, returns.csv; or .parquet).
    Import {
        name: String,
        dir: PathBuf,
        /// The id type of assets.csv's asset_id column.
        #[arg(long, default_value = "bayesid")]
        id_type: String,
        /// Replace a reference dataset of the same name.
        #[arg(long)]
        replace: bool,
        #[arg(long)]
        json: bool,
    },
    /// Build the demo reference dataset "Demo-Global", matching `demo exposures` with the same options.
    Demo {
        #[command(flatten)]
        size: DemoSize,
        #[arg(long)]
        json: bool,
    },
    /// List the reference datasets.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a reference dataset.
    Delete { name: String },
}

#[derive(Subcommand)]
enum Riskdatasets {
    /// Reference datasets (usable as reference_dataset) and risk datasets, with their status.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Create a risk dataset from settings (JSON, the seed's field names).
    Create {
        name: String,
        #[arg(long, value_name = "FILE.json")]
        settings: PathBuf,
        /// Replace a risk dataset of the same name.
        #[arg(long)]
        replace: bool,
        #[arg(long)]
        json: bool,
    },
    /// Delete a risk dataset.
    Delete {
        name: String,
        /// Succeed when it does not exist.
        #[arg(long)]
        if_exists: bool,
    },
    /// Id types, exchanges, industry and region hierarchies, and the creation report.
    Describe {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild a stale risk dataset from the newest committed exposures.
    Update {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FrameFormat {
    Table,
    Csv,
    Parquet,
}

#[derive(Subcommand)]
enum Exposures {
    /// The wide exposures: date, id, market.*, style.* (standardized), optional industry.*/region.* columns.
    Get {
        #[arg(long, short = 'd')]
        dataset: String,
        /// First date (YYYY-MM-DD, inclusive).
        #[arg(long)]
        start: Option<String>,
        /// Last date (inclusive).
        #[arg(long)]
        end: Option<String>,
        /// Id type of the id column [default: the reference's primary id type].
        #[arg(long)]
        id_type: Option<String>,
        /// An industry column to add: a name or label, `all`, or `~NAME` to exclude; repeat for
        /// more. Naming industries also restricts the universe to their members [default: none].
        #[arg(long = "industry", value_name = "INDUSTRY")]
        industries: Vec<String>,
        /// A region column to add, as for --industry; repeat for more [default: none].
        #[arg(long = "region", value_name = "REGION")]
        regions: Vec<String>,
        /// A style to return (name or label, `~NAME` to exclude); repeat for more [default: all].
        #[arg(long = "style", value_name = "STYLE")]
        styles: Vec<String>,
        /// Return raw style values instead of standardizing them per date.
        #[arg(long)]
        no_standardize: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: FrameFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Args)]
struct DatasetArg {
    /// The exposure dataset, e.g. My-Exposures.
    #[arg(long, short = 'd')]
    dataset: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum DataFormat {
    Csv,
    Json,
    Parquet,
}

#[derive(Subcommand)]
enum Upload {
    /// Stage files, folders or ZIPs (one staged name per file or ZIP member). Creates the dataset if needed.
    Stage {
        #[command(flatten)]
        d: DatasetArg,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Replace names that are already staged.
        #[arg(long)]
        replace: bool,
        #[arg(long)]
        json: bool,
    },
    /// Summaries of committed data (default) or of the staging area.
    Summary {
        #[command(flatten)]
        d: DatasetArg,
        /// Per-date statistics (n_assets, min, max, mean, median, std of the exposures).
        #[arg(long)]
        detail: bool,
        /// Summarise the staging area instead of committed data.
        #[arg(long, conflicts_with = "version")]
        staging: bool,
        /// A committed version [default: the latest].
        #[arg(long)]
        version: Option<u32>,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Sanity checks of the staging area or a committed version: one finding per problem, with
    /// its date, factor, measured value and threshold. Exit status 1 when any finding fails.
    Check {
        #[command(flatten)]
        d: DatasetArg,
        /// Check the staging area instead of committed data.
        #[arg(long, conflicts_with = "version")]
        staging: bool,
        /// A committed version [default: the latest].
        #[arg(long)]
        version: Option<u32>,
        /// Change a threshold, e.g. coverage_drop=0.9; repeat for more (see README for the names).
        #[arg(long = "threshold", value_name = "CHECK=VALUE")]
        thresholds: Vec<String>,
        /// Only the checks that read no data (missing_day, duplicate_day, coverage_drop): instant.
        #[arg(long)]
        quick: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Commit staged names into a new version.
    Commit {
        #[command(flatten)]
        d: DatasetArg,
        #[arg(long, help = commit_mode_help())]
        mode: String,
        /// Only these staged names [default: all].
        #[arg(long, num_args = 1..)]
        names: Option<Vec<String>>,
        #[arg(long)]
        json: bool,
    },
    /// What changed between two versions: dates added, removed and changed; per factor the values
    /// added, removed and changed, with the largest change.
    Diff {
        #[command(flatten)]
        d: DatasetArg,
        /// The older version.
        #[arg(long)]
        from: u32,
        /// The newer version.
        #[arg(long)]
        to: u32,
        /// Also list the changed rows (date, key, old and new value).
        #[arg(long)]
        rows: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Committed versions with timestamps and committed names.
    History {
        #[command(flatten)]
        d: DatasetArg,
        #[arg(long)]
        json: bool,
    },
    /// Committed data of a version, as CSV, JSON or Parquet.
    Data {
        #[command(flatten)]
        d: DatasetArg,
        /// Comma-separated columns [default: all]: date,asset_id,asset_id_type,factor_group,factor,exposure
        #[arg(long, value_delimiter = ',')]
        columns: Option<Vec<String>>,
        /// Distinct rows only (sorted).
        #[arg(long)]
        unique: bool,
        #[arg(long)]
        version: Option<u32>,
        #[arg(long, value_enum, default_value = "csv")]
        format: DataFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The staged names with their staging results.
    Staged {
        #[command(flatten)]
        d: DatasetArg,
        #[arg(long)]
        json: bool,
    },
    /// Remove staged names (all unless --names is given).
    Wipe {
        #[command(flatten)]
        d: DatasetArg,
        #[arg(long, num_args = 1..)]
        names: Option<Vec<String>>,
        #[arg(long)]
        json: bool,
    },
    /// Delete a dataset with every version and staged name. Irreversible.
    Destroy {
        #[command(flatten)]
        d: DatasetArg,
        /// Confirm the deletion.
        #[arg(long)]
        yes: bool,
    },
    /// List the exposure datasets.
    Datasets {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum Demo {
    /// Write demo daily exposure files (<prefix>_YYYY-MM-DD.csv).
    Exposures {
        out: PathBuf,
        #[command(flatten)]
        size: DemoSize,
        #[arg(long, value_enum, default_value = "long")]
        layout: Layout,
        #[arg(long, default_value = "exposures")]
        prefix: String,
    },
    /// Write the demo reference as a folder to import (assets.csv, market_caps.csv, returns.csv),
    /// matching `demo exposures` with the same options.
    Reference {
        out: PathBuf,
        #[command(flatten)]
        size: DemoSize,
    },
}

/// The size and seed of demo data (the same for exposures and their reference).
#[derive(Args)]
struct DemoSize {
    #[arg(long, default_value_t = 35_800)]
    assets: usize,
    #[arg(long, default_value_t = 31)]
    days: usize,
    #[arg(long, default_value = "2025-05-01")]
    start: String,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

impl DemoSize {
    fn options(&self) -> Result<DemoOptions> {
        Ok(DemoOptions {
            assets: self.assets,
            days: self.days,
            start: riskdesk::date::parse_arg(&self.start)?,
            seed: self.seed,
            ..DemoOptions::default()
        })
    }
}

/// `upload commit --mode`'s help: each mode with the engine's description of it.
fn commit_mode_help() -> String {
    let modes = CommitMode::ALL.map(|m| format!("\n  {}: {}", m.name(), m.description()));
    format!("How the staged rows merge with the committed ones:{}", modes.concat())
}

#[derive(Clone, Copy, ValueEnum)]
enum Layout {
    Long,
    Wide,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for d in e.details() {
                eprintln!("  {d}");
            }
            eprintln!("  (code: {})", e.code());
            ExitCode::FAILURE
        }
    }
}

/// A progress bar on standard error when it is a terminal; nothing otherwise.
fn with_progress<T>(f: impl FnOnce(&Progress<'_>) -> Result<T>) -> Result<T> {
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} {wide_msg}").expect("valid template").progress_chars("=> "),
    );
    let sink = |s: &Step| {
        bar.set_prefix(s.phase.clone());
        bar.set_length(s.total);
        bar.set_position(s.done);
        bar.set_message(s.message.clone());
    };
    let result = f(&Progress::new(&sink));
    bar.finish_and_clear();
    result
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

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Storage(e.to_string()))?;
    println!("{text}");
    Ok(())
}

fn print_table(table: &Table, format: ListFormat) -> Result<()> {
    let format = match format {
        ListFormat::Table => Format::Text,
        ListFormat::Csv => Format::Csv,
        ListFormat::Json => Format::Json,
    };
    table.write(format, &mut std::io::stdout().lock(), None)
}

fn listing<T: serde::Serialize>(records: &[T], json: bool, empty: &str) -> Result<()> {
    if json {
        return print_json(&records);
    }
    if records.is_empty() {
        println!("{empty}");
        return Ok(());
    }
    print_table(&Table::from_records(records), ListFormat::Table)
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let home_root = cli.home.clone().unwrap_or_else(LocalBackend::default_root);
    let endpoint = cli.endpoint.clone().filter(|e| !e.trim().is_empty());
    let api_key = cli.api_key.clone().unwrap_or_default();
    let team = || -> Result<Option<riskdesk_team::TeamStore>> {
        let pick = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        match (pick(&cli.catalog), pick(&cli.store)) {
            (None, None) => Ok(None),
            (Some(catalog), Some(store)) => Ok(Some(riskdesk_team::TeamStore::open(&catalog, &store, cli.cache.as_deref())?)),
            (Some(_), None) => Err(Error::invalid("--catalog needs --store too (s3://BUCKET/PREFIX): a team store is both")),
            (None, Some(_)) => Err(Error::invalid("--store needs --catalog too (postgres://USER@HOST/DATABASE): a team store is both")),
        }
    };
    // Keys and serving manage a store itself (a home folder, or a team store), not a server.
    let home = || -> Result<LocalBackend> {
        if let Some(url) = &endpoint {
            return Err(Error::invalid(format!(
                "this command works on a home folder or a team store, not on a server ({url}): run it without --endpoint"
            )));
        }
        match team()? {
            Some(t) => LocalBackend::on(t.shared()),
            None => LocalBackend::open(&home_root),
        }
    };
    // The workflow's store: the server given with --endpoint, else the team store or home folder.
    let backend = || -> Result<Box<dyn Backend>> {
        match &endpoint {
            Some(url) => Ok(Box::new(riskdesk_remote::RemoteBackend::connect(url, &api_key)?)),
            None => Ok(Box::new(home()?)),
        }
    };
    let team_store = || -> Result<riskdesk_team::TeamStore> {
        team()?.ok_or_else(|| {
            Error::invalid("this command needs a team store: give --catalog and --store (or RISKDESK_CATALOG and RISKDESK_STORE)")
        })
    };
    match cli.command {
        Command::Scan { folder, dataset, json } => {
            let report = match &dataset {
                Some(name) => backend()?.scan(&folder, Some(name))?,
                None => riskdesk::scan::scan(&folder, &Default::default())?,
            };
            if json {
                print_json(&report)?;
            } else {
                let years: Vec<String> = report.years.iter().map(|y| y.year.to_string()).collect();
                println!("Found {} files. Years: {}", report.files.len(), years.join(", "));
                for y in &report.years {
                    println!("  {}: {} files, {}", y.year, y.files, megabytes(y.bytes));
                }
                if let Some(name) = dataset {
                    println!("In {name}: {} already staged, {} already committed.", report.staged, report.committed);
                }
                if !report.rejected.is_empty() {
                    println!("Left out ({}):", report.rejected.len());
                    for r in &report.rejected {
                        println!("  {}: {}", r.file_name, r.reason);
                    }
                }
            }
        }
        Command::Batch { folder, out, level } => {
            let archives = with_progress(|p| riskdesk::batch::batch(&folder, &out, level, p))?;
            for a in archives {
                println!("{}: {} files, {} -> {}", a.path.display(), a.files, megabytes(a.bytes_in), megabytes(a.bytes_out));
            }
        }
        Command::Demo(Demo::Exposures { out, size, layout, prefix }) => {
            let layout = match layout {
                Layout::Long => DemoLayout::Long,
                Layout::Wide => DemoLayout::Wide,
            };
            let opts = DemoOptions { layout, prefix, ..size.options()? };
            let files = with_progress(|p| riskdesk::demo::write_exposures(&out, &opts, p))?;
            println!("Wrote {} demo files to {}", files.len(), out.display());
        }
        Command::Demo(Demo::Reference { out, size }) => {
            let files = riskdesk::reference::demo::write_folder(&size.options()?, &out)?;
            println!("Wrote {} reference files to {} (riskdesk reference import NAME {})", files.len(), out.display(), out.display());
        }
        Command::Keys(cmd) => keys(&home()?, cmd)?,
        Command::Serve { listen, max_upload_mb } => {
            let backend = match (&endpoint, team()?) {
                (None, Some(t)) => {
                    t.bucket().check()?; // refuse to start on a bucket that cannot be read
                    let t = std::sync::Arc::new(t);
                    collect_periodically(std::sync::Arc::clone(&t));
                    LocalBackend::on(t)?
                }
                _ => home()?,
            };
            serve(backend, listen, max_upload_mb.saturating_mul(1_000_000))?
        }
        Command::Store(Store::Migrate { from }) => {
            let to = team_store()?;
            let moved = with_progress(|p| riskdesk_team::copy::copy(&from, &to, p))?;
            let rows: Vec<String> = moved.rows.iter().filter(|(_, n)| *n > 0).map(|(t, n)| format!("{n} {t}")).collect();
            println!(
                "Moved {} into {}: {} objects ({}), catalog rows: {}.",
                from.display(),
                to.location(),
                moved.objects,
                megabytes(moved.bytes),
                rows.join(", ")
            );
            println!("Verified: every table's row count, and every object's content read back from the bucket.");
        }
        Command::Store(Store::Gc) => {
            let c = riskdesk_team::collect::collect(&team_store()?)?;
            println!(
                "{} objects: deleted {} orphaned ({}), kept {} being written by running writers.",
                c.objects,
                c.deleted.len(),
                megabytes(c.bytes),
                c.pending
            );
        }
        Command::Upload(cmd) => return upload(backend()?.as_ref(), cmd),
        Command::Reference(cmd) => reference(backend()?.as_ref(), cmd)?,
        Command::Riskdatasets(cmd) => riskdatasets(backend()?.as_ref(), cmd)?,
        Command::Exposures(Exposures::Get { dataset, start, end, id_type, industries, regions, styles, no_standardize, format, out }) => {
            let query = ExposureQuery {
                start,
                end,
                id_type,
                industries: Selection::from_items(&industries, Selection::None),
                regions: Selection::from_items(&regions, Selection::None),
                styles: Selection::from_items(&styles, Selection::All),
                standardize: !no_standardize,
            };
            let format = match format {
                FrameFormat::Table if out.is_none() => {
                    print!("{}", backend()?.exposures(&dataset, &query)?.render(Some(40)));
                    return Ok(ExitCode::SUCCESS);
                }
                FrameFormat::Table | FrameFormat::Csv => Format::Csv,
                FrameFormat::Parquet => Format::Parquet,
            };
            match out {
                // Written date by date: a file of years of exposures never is in memory at once.
                Some(path) => {
                    with_progress(|p| backend()?.export_exposures(&dataset, &query, format, &path, p))?;
                }
                None => write_output(&backend()?.exposures(&dataset, &query)?, format, None)?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Collects a team store's orphaned objects now and every hour after, on a thread of its own
/// (each server of a team does; collections are safe to run at once).
fn collect_periodically(store: std::sync::Arc<riskdesk_team::TeamStore>) {
    std::thread::spawn(move || {
        loop {
            if let Err(e) = riskdesk_team::collect::collect(&store) {
                eprintln!("Collecting the team store's orphaned objects failed (tried again in an hour): {e}");
            }
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    });
}

/// Runs the server until Ctrl-C or SIGTERM; prints its URL once it listens.
fn serve(backend: LocalBackend, listen: std::net::SocketAddr, upload_limit: u64) -> Result<()> {
    let root = backend.location();
    if backend.keys()?.is_empty() {
        eprintln!("No API keys yet: every call will be refused until `riskdesk keys create --user EMAIL` makes one.");
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| Error::io("cannot start the server's runtime", e))?;
    let cancelled = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| Error::io(format!("cannot listen on {listen}"), e))?;
        // Whoever reads our output may be gone (a closed pipe): the server serves on regardless.
        let ready = |addr: std::net::SocketAddr| {
            let mut out = std::io::stdout();
            let _ = writeln!(out, "Serving {root} at http://{addr} (Ctrl-C stops)").and_then(|()| out.flush());
        };
        riskdesk_server::serve(backend, upload_limit, listener, riskdesk_server::shutdown_signal(), ready)
            .await
            .map_err(|e| Error::io("the server stopped", e))
    })?;
    // Dropping the runtime waits for the cancelled tasks to end (each at its next progress step).
    drop(runtime);
    let note = match cancelled {
        0 => String::new(),
        n => format!("; {n} running task(s) were cancelled, keeping nothing they had started"),
    };
    let _ = writeln!(std::io::stdout(), "Stopped: the requests in flight were answered{note}.");
    Ok(())
}

fn keys(home: &LocalBackend, cmd: Keys) -> Result<()> {
    match cmd {
        Keys::Create { user } => {
            let (key, secret) = home.create_key(&user)?;
            println!("Created API key {} for {} in {}.", key.id, key.user, home.location());
            println!("Copy it now: only its hash is kept, so it cannot be shown again. Revoke it with `riskdesk keys revoke {}`.", key.id);
            println!("{secret}");
        }
        Keys::List { json } => listing(&home.keys()?, json, "No API keys: create one with `riskdesk keys create --user EMAIL`.")?,
        Keys::Revoke { id } => {
            let key = home.revoke_key(id)?;
            println!("Revoked API key {} of {} (created {}).", key.id, key.user, key.created);
        }
    }
    Ok(())
}

fn upload(backend: &dyn Backend, cmd: Upload) -> Result<ExitCode> {
    match cmd {
        Upload::Stage { d, paths, replace, json } => {
            let results = with_progress(|p| backend.stage(&d.dataset, &paths, replace, p))?;
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
                println!("Staged {staged} of {} names into {} ({unchanged} unchanged, {failed} refused).", results.len(), d.dataset);
                if results.iter().any(|r| r.success)
                    && let Err(e) = print_quick_checks(backend, &d.dataset)
                {
                    eprintln!("The quick checks could not run: {e}");
                }
            }
            return Ok(if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS });
        }
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
            let mut t = Thresholds::default();
            for a in &thresholds {
                t.apply(a)?;
            }
            let findings = backend.check(&d.dataset, &CheckRequest { staging, version, thresholds: t, quick })?.findings;
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
            return Ok(if fails > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS });
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
        Upload::Diff { d, from, to, rows, format } => {
            let diff = backend.diff(&d.dataset, from, to)?;
            if matches!(format, ListFormat::Table) {
                let list = |v: &[String]| if v.is_empty() { "none".to_owned() } else { v.join(", ") };
                println!("From version {from} to {to} of {}:", d.dataset);
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
                    let page = backend.diff_rows(&d.dataset, from, to, 0, TEXT_ROWS)?;
                    if !page.rows.is_empty() {
                        print_table(&Table::from_records(&page.rows), format)?;
                    }
                    if page.total > page.rows.len() as u64 {
                        println!(
                            "... {} more changed rows: --format csv or json lists them all",
                            thousands(page.total - page.rows.len() as u64)
                        );
                    }
                }
                (true, _) => print_diff_rows(backend, &d.dataset, from, to, &diff, format)?,
            }
        }
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
            let table = backend.data(&d.dataset, &DataRequest { columns, unique, version, filters: Vec::new() })?;
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

fn reference(backend: &dyn Backend, cmd: Reference) -> Result<()> {
    match cmd {
        Reference::Import { name, dir, id_type, replace, json } => {
            let info = with_progress(|p| backend.import_reference(&name, &dir, &id_type, replace, p))?;
            if json {
                return print_json(&info);
            }
            println!(
                "Imported reference dataset {}: {} assets on {} exchanges; id types {}.",
                info.name,
                thousands(info.assets as u64),
                info.exchanges,
                info.id_types.join(", ")
            );
        }
        Reference::Demo { size, json } => {
            let info = backend.demo_reference(&size.options()?)?;
            if json {
                return print_json(&info);
            }
            println!(
                "Built reference dataset {}: {} assets on {} exchanges, market caps {} to {}.",
                info.name,
                thousands(info.assets as u64),
                info.exchanges,
                info.first_date.unwrap_or_default(),
                info.last_date.unwrap_or_default()
            );
        }
        Reference::List { json } => {
            listing(&backend.references()?, json, "No reference datasets yet: run `riskdesk reference demo` or `reference import`.")?
        }
        Reference::Delete { name } => {
            backend.delete_reference(&name)?;
            println!("Deleted reference dataset {name}.");
        }
    }
    Ok(())
}

fn riskdatasets(backend: &dyn Backend, cmd: Riskdatasets) -> Result<()> {
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
                let v = |s: &[riskdesk::riskdataset::SourceVersion]| {
                    s.iter().map(|x| format!("{} v{}", x.dataset, x.version)).collect::<Vec<_>>().join(", ")
                };
                println!("Rebuilt {name} from {} (was {}).", v(&result.report.sources), v(&result.previous_sources));
                print_report(&result.report);
            } else {
                println!("{name} is up to date; nothing to do.");
            }
        }
    }
    Ok(())
}

fn print_report(r: &riskdesk::riskdataset::CreationReport) {
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

fn write_output(table: &Table, format: Format, out: Option<&Path>) -> Result<()> {
    match out {
        Some(path) => table.save(format, path),
        None => {
            if format == Format::Parquet && std::io::stdout().is_terminal() {
                return Err(Error::invalid("Parquet is binary; give --out FILE or redirect standard output"));
            }
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            table.write(format, &mut w, None)?;
            w.flush().map_err(|e| Error::io("cannot write to standard output", e))
        }
    }
}
