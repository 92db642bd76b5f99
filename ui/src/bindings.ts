// Generated from the Rust types by src-tauri/tests/bindings.rs (ts-rs): do not edit.
// Regenerate with `UPDATE_BINDINGS=1 cargo test -p riskdesk-app --test bindings`.

/**
 * Every engine call the `call` command runs, by method: its arguments and its reply.
 */
export type Calls = {
/**
 * The exposure datasets, by name.
 */
datasets: { args: Record<string, never>, reply: Array<DatasetInfo> },
/**
 * The staged and committed names of a dataset (none for a dataset that does not exist yet).
 */
file_statuses: { args: { dataset: string }, reply: { [key in string]: FileStatus } },
/**
 * The results of every staged name.
 */
staging_results: { args: { dataset: string }, reply: Array<StagingResult> },
/**
 * Creates an empty exposure dataset; an existing one is left as it is.
 */
create_dataset: { args: { dataset: string }, reply: null },
/**
 * One row per staged name.
 */
staging_summary: { args: { dataset: string }, reply: Array<StagedSummary> },
/**
 * The detail summary of the staging area: one row per staged name and date.
 */
staging_detail: { args: { dataset: string }, reply: Array<DetailRow> },
/**
 * The staged values of one name on one date, by factor group.
 */
staged_day: { args: { dataset: string, name: string, date: string }, reply: Array<GroupValues> },
/**
 * The staged values of one factor on one date, by asset id.
 */
staged_factor: { args: { dataset: string, date: string, group: string, factor: string }, reply: Array<[string, number]> },
/**
 * Removes staged names (all when `null`); returns what was removed.
 */
wipe_staging: { args: { dataset: string, names: Array<string> | null }, reply: Array<StagingResult> },
/**
 * The committed dates a commit in `mode` would replace, before and after.
 */
commit_preview: { args: { dataset: string, mode: CommitMode }, reply: Array<DateReplacement> },
/**
 * Commits staged names (all when `null`) with a mode into a new version.
 */
commit: { args: { dataset: string, mode: CommitMode, names: Array<string> | null }, reply: CommitResult },
/**
 * Every version, oldest first.
 */
version_history: { args: { dataset: string }, reply: Array<VersionInfo> },
/**
 * What changed from version `from` to version `to`.
 */
diff: { args: { dataset: string, from: number, to: number }, reply: VersionDiff },
/**
 * The changed rows from version `from` to `to`, `offset..offset + limit` of them.
 */
diff_rows: { args: { dataset: string, from: number, to: number, offset: number, limit: number }, reply: RowChanges },
/**
 * One row per committed date of a version (the latest when `null`).
 */
data_summary: { args: { dataset: string, version: number | null }, reply: Array<DateSummary> },
/**
 * Statistics per committed date of a version (the latest when `null`).
 */
data_detail: { args: { dataset: string, version: number | null }, reply: Array<DetailRow> },
/**
 * The distinct factor groups of a version (the latest when `null`), sorted.
 */
factor_groups: { args: { dataset: string, version: number | null }, reply: Array<string> },
/**
 * The sanity checks over the staging area or a committed version.
 */
check: { args: { dataset: string, request: CheckRequest }, reply: CheckReport },
/**
 * Deletes a dataset with every version and staged name.
 */
destroy: { args: { dataset: string }, reply: null },
/**
 * The reference datasets, by name.
 */
references: { args: Record<string, never>, reply: Array<ReferenceInfo> },
/**
 * Builds the demo reference dataset matching demo exposures made with the same options.
 */
demo_reference: { args: { options: DemoOptions }, reply: ReferenceInfo },
/**
 * Deletes a reference dataset.
 */
delete_reference: { args: { name: string }, reply: null },
/**
 * The exchanges of a reference dataset with their asset counts, by code.
 */
reference_exchanges: { args: { name: string }, reply: Array<Exchange> },
/**
 * Reference datasets and risk datasets, with their status.
 */
risk_datasets: { args: Record<string, never>, reply: Array<RiskDatasetInfo> },
/**
 * Builds and stores a risk dataset; refuses an existing name unless `replace`.
 */
create_risk_dataset: { args: { name: string, settings: RiskDatasetSettings, replace: boolean }, reply: CreationReport },
/**
 * A risk dataset's status, date range, universe menu and creation report.
 */
describe_risk_dataset: { args: { name: string }, reply: Description },
/**
 * Rebuilds a stale risk dataset from the newest versions of its sources.
 */
update_risk_dataset: { args: { name: string }, reply: UpdateResult },
/**
 * Deletes a risk dataset (a missing one is no error with `if_exists`); whether one was deleted.
 */
delete_risk_dataset: { args: { name: string, if_exists: boolean }, reply: boolean },
/**
 * Runs a data grid over a risk dataset's exposures and describes it.
 */
grid: { args: { request: GridRequest }, reply: GridInfo },
/**
 * Rows `offset..offset + limit` of a grid, as text, with its total row count.
 */
grid_rows: { args: { request: GridRequest, offset: number, limit: number }, reply: Page },
};
/** A method of `call`. */
export type Method = keyof Calls;
/** The arguments of method `M`. */
export type ArgsOf<M extends Method> = Calls[M]["args"];
/** The reply of method `M`. */
export type ReplyOf<M extends Method> = Calls[M]["reply"];
export type AppInfo = { 
/**
 * The home folder (or, in remote mode, the server).
 */
home: string, version: string, datasets: Array<DatasetInfo>, };
export type AssetValue = { asset: string, value: number | null, previous: number | null, };
export type Bin = { lo: number, hi: number, count: number, };
export type Categories = { group: string, factors: Array<string>, };
export type Chart = { 
/**
 * A stable identifier: `assets`, `range`, `std` or `histogram`.
 */
id: string, title: string, width: number, height: number, svg: string, plot: PlotBox, };
export type CheckId = "missing_day" | "duplicate_day" | "schema_change" | "coverage_drop" | "asset_churn" | "missing_values" | "outliers" | "not_standardized" | "not_one_hot" | "market_not_one" | "stale_day" | "distribution_shift" | "rank_instability";
export type CheckReport = { 
/**
 * Most severe first.
 */
findings: Array<Finding>, 
/**
 * By date, then group and factor (market and style factors).
 */
stats: Array<FactorDayStats>, 
/**
 * Only the checks that need no data read ran: `missing_day`, `duplicate_day` and
 * `coverage_drop`, from the dates and asset counts that staging and commits record (no
 * statistics, and no example assets for a coverage drop).
 */
quick: boolean, };
export type CheckRequest = { 
/**
 * The staging area (else a committed version).
 */
staging: boolean, 
/**
 * A committed version; the latest when `None`.
 */
version: number | null, thresholds: Thresholds, 
/**
 * Only the checks that need no data read (instant; see [`crate::checks::CheckReport::quick`]).
 */
quick: boolean, };
export type ColumnKind = "date" | "id" | "number" | "category";
export type CommitMode = "append" | "upsert" | "overwrite_dates" | "overwrite";
export type CommitResult = { version: number, committed_names: Array<string>, mode: CommitMode, 
/**
 * Rows and dates of the new version as a whole.
 */
rows: number, dates: number, };
export type Connection = { 
/**
 * The saved server's name, or `None` for "This computer".
 */
server: string | null, 
/**
 * The connected server's answer (`None` on this computer).
 */
check: ServerInfo | null, 
/**
 * The home folder (always this computer's).
 */
home: string, servers: Array<SavedServer>, 
/**
 * The saved server the app last worked on (to reconnect to at start), if it was a server.
 */
last: string | null, };
export type CreationReport = { rows: number, dates: number, first_date: string | null, last_date: string | null, 
/**
 * Distinct assets with exposures in the dataset.
 */
assets: number, 
/**
 * Reference assets in the coverage universe (after exchange_codes and trim_assets).
 */
coverage_assets: number, 
/**
 * The sorted distinct exchanges (MICs) of the coverage universe.
 */
exchanges: Array<string>, 
/**
 * Distinct uploaded ids that match no reference asset, with a sample.
 */
unmatched_ids: number, unmatched_sample: Array<string>, 
/**
 * Matched assets left out because they are outside the coverage universe.
 */
outside_universe_assets: number, 
/**
 * Uploaded rows left out because their date is outside the trimmed range.
 */
rows_outside_dates: number, 
/**
 * Style values clipped by huberizing, per column label.
 */
clipped: { [key in string]: number }, 
/**
 * Style values filled, per column label.
 */
filled: { [key in string]: number }, sources: Array<SourceVersion>, reference_dataset: string, 
/**
 * When the reference dataset used was created (to see when it is replaced).
 */
reference_created: string, 
/**
 * What a user should know before trusting the dataset: a style without any value on a
 * date, a small share of the coverage universe with exposures.
 */
warnings: Array<string>, };
export type DatasetInfo = { name: string, created: string, latest_version: number, staged: number, };
export type DatasetKind = "reference" | "user";
export type DateReplacement = { date: string, old_assets: number, 
/**
 * 0 when `overwrite` drops the date.
 */
new_assets: number, factors: Array<FactorShift>, };
export type DateSummary = { date: string, rows: number, n_assets: number, factor_groups: string, factors: number, };
export type DayCharts = { 
/**
 * The dates with data, in order.
 */
dates: Array<string>, 
/**
 * Every calendar day on the x axis, first date to last: the axis is proportional to time,
 * so a date without data is a gap (and lines break there). Slot `i` of a chart is `days[i]`.
 */
days: Array<string>, 
/**
 * The series (see [`series_of`]), in this order and in [`PALETTE`] colours.
 */
series: Array<string>, charts: Array<Chart>, };
export type DayHistogram = { 
/**
 * The factor groups of that day; `group` is the one drawn.
 */
groups: Array<string>, group: string, 
/**
 * The group's factors; `factor` is the one drawn (all pooled when `None`).
 */
factors: Array<string>, factor: string | null, 
/**
 * For a categorical group: the factor of each bar (most members first); empty otherwise.
 */
categories: Array<string>, histogram: Histogram, };
export type DemoLayout = "long" | "wide";
export type DemoOptions = { 
/**
 * Assets per day (before churn).
 */
assets: number, 
/**
 * Consecutive calendar days.
 */
days: number, 
/**
 * First day (days since the epoch).
 */
start: number, layout: DemoLayout, seed: number, 
/**
 * File name prefix: files are `<prefix>_YYYY-MM-DD.csv`.
 */
prefix: string, };
export type Description = { name: string, status: Status, stale_reason: string | null, created: string, first_date: string | null, last_date: string | null, settings: RiskDatasetSettings, universe_settings_menu: UniverseSettingsMenu, 
/**
 * The built columns: market, style and other factors, industries and regions.
 */
layout: Layout, report: CreationReport, };
export type DetailRow = { _name: string | null, date: string, n_assets: number, min_exposure: number, max_exposure: number, mean_exposure: number, median_exposure: number, std_exposure: number, };
export type Diagnostic = { 
/**
 * The file (for a ZIP member: `archive.zip/member.csv`).
 */
file: string, 
/**
 * 1-based line of a CSV file, or 1-based row of a Parquet file (header = line 1 for CSV).
 */
line: number | null, 
/**
 * 1-based column.
 */
column: number | null, 
/**
 * The column's header name.
 */
column_name: string | null, 
/**
 * The offending value, as found.
 */
value: string | null, 
/**
 * What is wrong.
 */
message: string, };
export type Drill = { 
/**
 * The date before, when the finding compares with it.
 */
previous_date: string | null, assets: Array<AssetValue>, 
/**
 * None for a finding without a factor.
 */
histogram: Histogram | null, };
export type ErrorBody = { code: string, message: string, details: Array<string>, };
export type Exchange = { code: string, assets: number, };
export type ExposureQuery = { 
/**
 * First date (`YYYY-MM-DD`, inclusive); the dataset's first when `None` or empty.
 */
start: string | null, 
/**
 * Last date (inclusive).
 */
end: string | null, 
/**
 * The id type of the id column; the reference's primary id type when `None` or empty.
 */
id_type: string | null, industries: Selection, regions: Selection, styles: Selection, standardize: boolean, };
export type ExposureSource = { "exposure_type": "uploaded" } & UploadedExposures | { "exposure_type": "referenced", } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });
export type FactorColumn = { role: Role, group: string, factor: string, };
export type FactorDayStats = { 
/**
 * `YYYY-MM-DD`.
 */
date: string, factor_group: string, factor: string, 
/**
 * Share of the date's assets with a value.
 */
coverage: number, mean: number | null, std: number | null, min: number | null, max: number | null, };
export type FactorDiff = { factor_group: string, factor: string, 
/**
 * Values present only in the newer version.
 */
added: number, 
/**
 * Values present only in the older version.
 */
removed: number, 
/**
 * Values present in both, with another value.
 */
changed: number, 
/**
 * The largest absolute change of a changed value (0 when none changed).
 */
largest_change: number, 
/**
 * Where it happened: `YYYY-MM-DD asset_id`.
 */
largest_at: string | null, };
export type FactorShift = { factor_group: string, factor: string, 
/**
 * Mean and standard deviation now committed (None: the factor is not committed that date).
 */
old_mean: number | null, old_std: number | null, 
/**
 * Mean and standard deviation of the staged values (None: not staged that date).
 */
new_mean: number | null, new_std: number | null, };
export type FactorValues = { factor: string, values: Array<number>, };
export type FileFormat = "csv" | "csv_gz" | "parquet" | "zip";
export type FileStatus = "new" | "staged" | "committed";
export type Finding = { check: CheckId, severity: Severity, 
/**
 * `YYYY-MM-DD`.
 */
date: string, factor_group: string | null, factor: string | null, 
/**
 * What was measured (a share, a ratio, a count, an index, as the check says).
 */
value: number, 
/**
 * The threshold it was held against.
 */
threshold: number, 
/**
 * The finding in a sentence.
 */
message: string, 
/**
 * Up to 20 assets behind it.
 */
assets: Array<string>, };
export type GridColumn = { name: string, kind: ColumnKind, 
/**
 * A category column's categories, by name.
 */
categories: Array<string>, 
/**
 * Rows without a value.
 */
nulls: number, 
/**
 * The smallest and largest value (numbers exact, dates as `YYYY-MM-DD`); none for ids and categories.
 */
min: string | null, max: string | null, 
/**
 * Distinct values, for dates and categories.
 */
distinct: number | null, };
export type GridDay = { date: string, rows: number, first: number | null, };
export type GridFilter = { column: string, op: GridOp, 
/**
 * One value, all of them for `one_of`, none for `empty` and `not_empty`.
 */
values: Array<string>, };
export type GridInfo = { columns: Array<GridColumn>, 
/**
 * Rows shown.
 */
total: number, 
/**
 * Rows of the query before filters and search.
 */
unfiltered: number, days: Array<GridDay>, };
export type GridOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "contains" | "one_of" | "empty" | "not_empty";
export type GridRequest = { dataset: string, query: ExposureQuery, sort: GridSort | null, filters: Array<GridFilter>, 
/**
 * Keeps the rows of assets with an id of any type (the primary id, a ticker, …) containing
 * this text, ignoring case; everything when empty.
 */
search: string, };
export type GridSort = { column: string, descending: boolean, };
export type GroupValues = { group: string, factors: Array<FactorValues>, };
export type HeatMetric = "missing" | "standardization";
export type Heatmap = { metric: HeatMetric, chart: Chart, 
/**
 * The columns: every calendar day from the first date to the last.
 */
days: Array<string>, 
/**
 * The rows, top to bottom: `group.factor`.
 */
factors: Array<string>, 
/**
 * `values[row][column]`; `None` where the factor has no data that day.
 */
values: Array<Array<number | null>>, };
export type Histogram = { chart: Chart, bins: Array<Bin>, 
/**
 * Values drawn (finite ones) and values left out (missing).
 */
values: number, missing: number, };
export type History = { versions: Array<VersionInfo>, 
/**
 * Empty while nothing is committed.
 */
factor_groups: Array<string>, };
export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;
export type Layout = { 
/**
 * Market, style and other factors, in that order.
 */
numeric: Array<FactorColumn>, industry: Categories | null, region: Categories | null, };
export type Page = { columns: Array<string>, rows: Array<Array<string>>, total: number, };
export type PlotBox = { left: number, right: number, top: number, bottom: number, };
export type PreviewQuery = { dataset: string, 
/**
 * First date (`YYYY-MM-DD`, inclusive); the dataset's first when `None` or empty.
 */
start: string | null, 
/**
 * Last date (inclusive).
 */
end: string | null, 
/**
 * The id type of the id column; the reference's primary id type when `None` or empty.
 */
id_type: string | null, industries: Selection, regions: Selection, styles: Selection, standardize: boolean, };
export type ReferenceInfo = { name: string, 
/**
 * The primary id's type.
 */
id_type: string, 
/**
 * The primary id type first, then the alternative id types.
 */
id_types: Array<string>, 
/**
 * Number of assets.
 */
assets: number, 
/**
 * Number of distinct exchanges.
 */
exchanges: number, 
/**
 * First date with market caps (`YYYY-MM-DD`).
 */
first_date: string | null, 
/**
 * Last date with market caps (`YYYY-MM-DD`).
 */
last_date: string | null, has_market_caps: boolean, has_returns: boolean, created: string, };
export type RejectedFile = { file_name: string, reason: string, };
export type RiskDatasetInfo = { name: string, kind: DatasetKind, status: Status, 
/**
 * Why it is stale.
 */
stale_reason: string | null, reference_dataset: string | null, first_date: string | null, last_date: string | null, assets: number, created: string, };
export type RiskDatasetSettings = { 
/**
 * The reference dataset that provides the universe.
 */
reference_dataset: string, 
/**
 * The exposures to include.
 */
exposures: Array<ExposureSource>, 
/**
 * Keep only reference assets listed on these exchanges (MICs); all when absent.
 */
exchange_codes: Array<string> | null, trim_assets: TrimAssets, 
/**
 * A rule (`none`, `earliest_start`, `latest_start`) or a date `YYYY-MM-DD`.
 */
trim_start_date: string, 
/**
 * A rule (`none`, `earliest_end`, `latest_end`) or a date `YYYY-MM-DD`.
 */
trim_end_date: string, };
export type RiskForm = { references: Array<ReferenceInfo>, risk_datasets: Array<RiskDatasetInfo>, factor_groups: { [key in string]: Array<string> }, };
export type Role = "market" | "style" | "industry" | "region" | "other";
export type RowChange = { date: string, asset_id: string, asset_id_type: string, factor_group: string, factor: string, old: number | null, new: number | null, };
export type RowChanges = { rows: Array<RowChange>, total: number, };
export type SavedServer = { 
/**
 * What the user calls it (unique).
 */
name: string, endpoint: string, 
/**
 * Where its key is kept: `keychain` or `file` (no keychain service here).
 */
key_store: string, };
export type ScanReport = { folder: string, files: Array<ScannedFile>, years: Array<YearCount>, rejected: Array<RejectedFile>, 
/**
 * Files whose staged name is already staged / committed in the dataset asked about.
 */
staged: number, committed: number, };
export type ScannedFile = { file_name: string, path: string, 
/**
 * The staged name (for an annual archive: the archive's stem; its members are staged).
 */
name: string, 
/**
 * `YYYY-MM-DD` for a daily file; none for an annual archive.
 */
date: string | null, year: number, format: FileFormat, bytes: number, status: FileStatus, };
export type Selection = "none" | "all" | { "only": Array<string> };
export type ServerInfo = { 
/**
 * The server's address.
 */
endpoint: string, 
/**
 * The platform client version it announces.
 */
client_version: string, 
/**
 * Riskdesk's version when the server is a `riskdesk serve`, else `None` (a plain platform
 * server: reading committed data works; Riskdesk's own calls, and showing staging results,
 * do not).
 */
riskdesk: string | null, 
/**
 * The e-mail address the API key belongs to.
 */
user: string, };
export type Severity = "fail" | "warn";
export type SourceVersion = { dataset: string, version: number, };
export type StageState = "staged" | "unchanged" | "exists" | "failed";
export type StagedSummary = { _name: string, source: string, parser: string, rows: number, dates: number, first_date: string, last_date: string, assets: number, factor_groups: string, factors: number, };
export type StagingCheck = { findings: Array<Finding>, heatmaps: Array<Heatmap>, };
export type StagingResult = { 
/**
 * The staged name (the file stem).
 */
name: string, 
/**
 * The file it came from (`archive.zip/member.csv` for a ZIP member).
 */
source: string, 
/**
 * True when the name is staged after the call (`staged` or `unchanged`).
 */
success: boolean, state: StageState, 
/**
 * The layout detected: `long`, `long_without_date` or `wide`.
 */
parser: string | null, rows: number, dates: number, first_date: string | null, last_date: string | null, assets: number, timestamp: string, messages: Array<Diagnostic>, };
export type Status = "ready" | "stale";
export type Step = { 
/**
 * The phase, e.g. "stage" or "commit".
 */
phase: string, 
/**
 * Units finished so far.
 */
done: number, 
/**
 * Units in all (0 when unknown).
 */
total: number, 
/**
 * What was just finished, e.g. a file name.
 */
message: string, };
export type Thresholds = { 
/**
 * Warn when a date's assets fall below this share of the recent median.
 */
coverage_drop: number, 
/**
 * Fail below this share.
 */
coverage_drop_fail: number, 
/**
 * Warn when entering + leaving assets exceed this share of the previous date's.
 */
asset_churn: number, 
/**
 * Warn when a style misses values for more than this share of the date's assets.
 */
missing_values: number, 
/**
 * Fail above this share.
 */
missing_values_fail: number, 
/**
 * Warn when more than this share of a style's values are outliers.
 */
outliers: number, 
/**
 * An outlier lies beyond this many robust standard deviations (1.4826 × MAD) of the median.
 */
outliers_sd: number, 
/**
 * Warn when a style's mean is beyond ± this.
 */
not_standardized_mean: number, 
/**
 * Warn when a style's standard deviation is further than this from 1.
 */
not_standardized_std: number, 
/**
 * Fail when at least this share of the style values shared with the previous date are identical.
 */
stale_day: number, 
/**
 * Warn when a style's population stability index versus the previous date exceeds this.
 */
distribution_shift: number, 
/**
 * Warn when a persistent style's rank correlation with the previous date falls below this.
 */
rank_instability: number, };
export type TrimAssets = "none" | "asset_union" | "ccy_union";
export type UniverseSettingsMenu = { id_types: Array<string>, exchanges: Array<string>, industry: { [key in string]: { [key in string]: Array<string> } }, region: { [key in string]: { [key in string]: Array<string> } }, industry_labels: { [key in string]: { [key in string]: string } }, region_labels: { [key in string]: { [key in string]: string } }, };
export type UpdateResult = { name: string, updated: boolean, previous_sources: Array<SourceVersion>, report: CreationReport, };
export type UploadedExposures = { 
/**
 * The exposure dataset.
 */
exposure_source: string, market_factor_group: string | null, style_factor_group: string | null, industry_factor_group: string | null, region_factor_group: string | null, other_factor_group: string | null, 
/**
 * Fill missing style values with industry means (default true).
 */
style_factor_fill_miss: boolean, 
/**
 * Clip style values beyond median ± 3 × 1.4826 × MAD per date (default true).
 */
style_factor_huberize: boolean, };
export type VersionDiff = { from: number, to: number, dates_added: Array<string>, dates_removed: Array<string>, dates_changed: Array<string>, 
/**
 * Dates present in both with the same data.
 */
dates_unchanged: number, 
/**
 * Every factor with a change, by group and factor.
 */
factors: Array<FactorDiff>, 
/**
 * Rows added, removed or changed, in all.
 */
rows_changed: number, };
export type VersionInfo = { version: number, 
/**
 * Commit time, RFC 3339 UTC.
 */
created: string, mode: string, committed_names: Array<string>, rows: number, dates: number, first_date: string | null, last_date: string | null, };
export type YearCount = { year: number, files: number, bytes: number, };

/** Every commit mode, in the order offered, with what it does (`CommitMode::description`). */
export const COMMIT_MODES: Record<CommitMode, string> = {
  "append": "add new rows; refuse everything if any key is already committed",
  "upsert": "add new rows and replace the values of keys already committed",
  "overwrite_dates": "replace all committed rows of every date present in the staged data",
  "overwrite": "replace all committed data with the staged data",
};
