//! The command line: every command, argument and option, as clap parses them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use riskdesk::Result;
use riskdesk::demo::DemoOptions;
use riskdesk::uploader::CommitMode;

// The whole command line (no doc comment: clap would show it in --help): the global options
// choosing a store, and the command.
#[derive(Parser)]
#[command(name = "riskdesk", version, about = "Stage, check and version factor exposures; build risk datasets.")]
pub struct Cli {
    /// Home folder holding the catalog and data [default: $RISKDESK_HOME, else the platform data folder]
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Work against this server (`riskdesk serve` or the risk platform) instead of a home folder
    #[arg(long, global = true, value_name = "URL", env = "RISKDESK_ENDPOINT", hide_env_values = true)]
    pub endpoint: Option<String>,
    /// The API key for --endpoint
    #[arg(long, global = true, value_name = "KEY", env = "RISKDESK_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// A team store's catalog (postgres://USER@HOST/DATABASE), with --store, instead of a home folder
    #[arg(long, global = true, value_name = "URL", env = "RISKDESK_CATALOG", hide_env_values = true)]
    pub catalog: Option<String>,
    /// A team store's objects (s3://BUCKET/PREFIX; endpoint and keys from the AWS_* variables), with --catalog
    #[arg(long, global = true, value_name = "URL", env = "RISKDESK_STORE")]
    pub store: Option<String>,
    /// Where this machine caches a team store's objects [default: ~/.cache/riskdesk/store/<hash>]
    #[arg(long, global = true, value_name = "DIR", env = "RISKDESK_CACHE")]
    pub cache: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Risk models: factor returns, factor covariance and specific risk from a risk dataset.
    #[command(subcommand)]
    Riskmodels(Riskmodels),
    /// Portfolio risk on a risk model: total, factor and specific risk and where they come from.
    Risk(RiskArgs),
    /// Portfolios saved by name in the store, to re-run and compare.
    #[command(subcommand)]
    Portfolios(Portfolios),
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
        #[command(flatten)]
        limits: ServeLimits,
    },
    /// API keys for `riskdesk serve`, kept in this home as hashes.
    #[command(subcommand)]
    Keys(Keys),
    /// The team store given by --catalog and --store: move a home into it, collect its orphans.
    #[command(subcommand)]
    Store(Store),
}

/// How long `riskdesk serve` waits for its clients, and how many it serves at once.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeLimits {
    /// Seconds a client may take to send a request's head, from its first byte; then the
    /// connection is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Seconds a connection may stay open with no request under way (keep-alive, or before its
    /// first request); then it is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout: u64,
    /// Seconds any one read of a request's body may wait for the client's next bytes; then the
    /// request fails (408 for an upload).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,
    /// The most connections served at once; more are answered 503 with Retry-After. Keep it well
    /// below the process's open-file limit (`ulimit -n`, systemd's LimitNOFILE).
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// Seconds a stop (Ctrl-C, SIGTERM) waits for the requests in flight before closing their
    /// connections.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_timeout: u64,
    /// The most tasks (stagings, commits, reports, reads run as tasks) queued or running on the
    /// server at once; more are answered 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_tasks: u64,
    /// The most tasks queued or running for one API key at once; more are answered 429 with
    /// Retry-After.
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_tasks_per_key: u64,
    /// How many writers run at once on a team store (each holds one PostgreSQL session); the
    /// others queue holding none. A home folder has one writer at a time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub max_writers: u64,
    /// Megabytes of ended tasks' results kept for their clients to fetch (for an hour at most);
    /// past it, the results fetched least recently are dropped.
    #[arg(long, value_name = "MB", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub result_budget_mb: u64,
    /// Megabytes of report accessors and recently served exposure frames kept for clients
    /// asking again; past it, the least recently used are forgotten.
    #[arg(long, value_name = "MB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub cache_budget_mb: u64,
}

#[derive(Subcommand)]
pub enum Store {
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
pub enum Keys {
    /// Create a key for a user; the key is the last line printed, shown this once.
    Create {
        /// The user's e-mail address (clients qualify dataset names with it).
        #[arg(long)]
        user: String,
        /// What the key may do: read (every read), write (also stage, commit, create risk
        /// datasets, risk models and portfolios) or admin (also destroy and delete, reference
        /// datasets).
        #[arg(long, default_value = "write", value_parser = ["read", "write", "admin"])]
        scope: String,
    },
    /// List the keys: id, user, scope, created (never the keys themselves).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id: it stops working at once.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
pub enum Reference {
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
pub enum Riskdatasets {
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

/// Where and how a frame is written.
#[derive(Args)]
pub struct FrameOut {
    #[arg(long, value_enum, default_value = "table")]
    pub format: FrameFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A risk model and one of its dates.
#[derive(Args)]
pub struct ModelAt {
    /// The risk model.
    pub name: String,
    /// A date of the model (YYYY-MM-DD).
    #[arg(long)]
    pub date: String,
    #[command(flatten)]
    pub output: FrameOut,
}

/// A risk model and how to write one of its per-date frames.
#[derive(Args)]
pub struct ModelFrameArgs {
    /// The risk model.
    pub name: String,
    #[command(flatten)]
    pub output: FrameOut,
}

#[derive(Subcommand)]
pub enum Riskmodels {
    /// The risk models, with their status.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Estimate a risk model from settings (JSON: risk_dataset, weights, return_clip_bounds,
    /// zero_sum_constraints, thin_category_shrinkage, halflife_factor_vol, halflife_factor_cor,
    /// halflife_idio_vol, nw_lags).
    Create {
        name: String,
        #[arg(long, value_name = "FILE.json")]
        settings: PathBuf,
        /// Replace a risk model of the same name.
        #[arg(long)]
        replace: bool,
        #[arg(long)]
        json: bool,
    },
    /// Settings, dates, factors, fit and status of a risk model.
    Describe {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Re-estimate a stale risk model from its risk dataset's current build.
    Update {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a risk model.
    Delete {
        name: String,
        /// Succeed when it does not exist.
        #[arg(long)]
        if_exists: bool,
    },
    /// Factor returns: date, then one column per factor (named as `exposures get` names them).
    Fret(ModelFrameArgs),
    /// Standard errors of the factor returns.
    StdErrors(ModelFrameArgs),
    /// t-statistics of the factor returns.
    TStats(ModelFrameArgs),
    /// Two-sided p-values of the factor returns.
    PValues(ModelFrameArgs),
    /// Weighted centred R² and the estimation universe's size per date.
    R2(ModelFrameArgs),
    /// The weighted residual variance per date.
    Sigma2(ModelFrameArgs),
    /// The factor covariance at a date (daily): factor, then one column per factor.
    Covariance(ModelAt),
    /// The assets' specific variances at a date (daily): id, specific_var, residuals, filled.
    SpecificRisk(ModelAt),
}

/// A portfolio risk report's options.
#[derive(Args)]
pub struct RiskArgs {
    /// The risk model.
    pub model: String,
    /// The portfolio file: CSV or Parquet with an id column (any id type of the model's
    /// reference), weight or value, optionally date and portfolio.
    #[arg(long, value_name = "FILE", required_unless_present = "saved", conflicts_with = "saved")]
    pub portfolio: Option<PathBuf>,
    /// A saved portfolio instead of a file.
    #[arg(long, value_name = "NAME")]
    pub saved: Option<String>,
    /// Which portfolio, when the file (or saved portfolio) holds several.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// A benchmark file: the report is then of the active weights (portfolio − benchmark).
    #[arg(long, value_name = "FILE", conflicts_with = "saved_benchmark")]
    pub benchmark: Option<PathBuf>,
    /// A saved portfolio as the benchmark.
    #[arg(long, value_name = "NAME")]
    pub saved_benchmark: Option<String>,
    /// Which benchmark, when its file holds several.
    #[arg(long, value_name = "NAME")]
    pub benchmark_name: Option<String>,
    /// The model date of the report [default: the model's last date].
    #[arg(long, conflicts_with_all = ["start", "end"])]
    pub date: Option<String>,
    /// The first model date of a series of reports, one per model date.
    #[arg(long)]
    pub start: Option<String>,
    /// The last model date of the series [default: the model's last date].
    #[arg(long)]
    pub end: Option<String>,
    /// table: the headline and the largest parts; csv: every part, a row each (date, part,
    /// name, group, weight, exposure, volatility, correlation, contribution); json: the reports.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Write the csv or json to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How many assets the table shows (the largest contributions).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16))]
    pub assets: u16,
}

#[derive(Subcommand)]
pub enum Portfolios {
    /// The saved portfolios.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Save a portfolio file by name (its ids of any id type a reference knows).
    Save {
        name: String,
        /// The portfolio file (CSV or Parquet).
        file: PathBuf,
        /// Replace a saved portfolio of the same name.
        #[arg(long)]
        replace: bool,
    },
    /// Delete a saved portfolio.
    Delete {
        name: String,
        /// Succeed when it does not exist.
        #[arg(long)]
        if_exists: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FrameFormat {
    Table,
    Csv,
    Parquet,
}

#[derive(Subcommand)]
pub enum Exposures {
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
pub struct DatasetArg {
    /// The exposure dataset, e.g. My-Exposures.
    #[arg(long, short = 'd')]
    pub dataset: String,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DataFormat {
    Csv,
    Json,
    Parquet,
}

#[derive(Subcommand)]
pub enum Upload {
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
    /// What committing the staged data would do to a risk model: the affected dates fitted again
    /// (nothing committed or stored), the change in factor returns, t-stats, R² and estimation
    /// universe, the assets driving it, and the risk of every saved portfolio.
    Impact {
        #[command(flatten)]
        d: DatasetArg,
        /// The risk model (its risk dataset must be built on the dataset).
        #[arg(long)]
        model: String,
        /// table: the largest changes; json: every figure.
        #[arg(long, value_parser = ["table", "json"], default_value = "table")]
        format: String,
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
    /// Make a new version whose data is that of an earlier version (history stays append-only:
    /// nothing is deleted; staged names are left as they are).
    Revert {
        #[command(flatten)]
        d: DatasetArg,
        /// The version to go back to.
        #[arg(long)]
        to: u32,
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
pub enum Demo {
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
pub struct DemoSize {
    #[arg(long, default_value_t = 35_800)]
    pub assets: usize,
    #[arg(long, default_value_t = 31)]
    pub days: usize,
    #[arg(long, default_value = "2025-05-01")]
    pub start: String,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

impl DemoSize {
    pub fn options(&self) -> Result<DemoOptions> {
        Ok(DemoOptions {
            assets: self.assets,
            days: self.days,
            start: riskdesk::date::parse_arg(&self.start)?,
            seed: self.seed,
            ..DemoOptions::default()
        })
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Layout {
    Long,
    Wide,
}

/// `upload commit --mode`'s help: each mode with the engine's description of it.
fn commit_mode_help() -> String {
    let modes = CommitMode::ALL.map(|m| format!("\n  {}: {}", m.name(), m.description()));
    format!("How the staged rows merge with the committed ones:{}", modes.concat())
}
