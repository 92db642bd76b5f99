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
 * A new version whose data is that of version `to`.
 */
revert: { args: { dataset: string, to: number }, reply: RevertResult },
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
 * Every risk model, with its status.
 */
risk_models: { args: Record<string, never>, reply: Array<RiskModelInfo> },
/**
 * Estimates and stores a risk model; refuses an existing name unless `replace`.
 */
create_risk_model: { args: { name: string, settings: RiskModelSettings, replace: boolean }, reply: RiskModelInfo },
/**
 * A risk model's settings, report and status.
 */
describe_risk_model: { args: { name: string }, reply: RiskModelInfo },
/**
 * Re-estimates a stale risk model from its risk dataset's current build.
 */
update_risk_model: { args: { name: string }, reply: RiskModelInfo },
/**
 * Deletes a risk model (a missing one is no error with `if_exists`); whether one was deleted.
 */
delete_risk_model: { args: { name: string, if_exists: boolean }, reply: boolean },
/**
 * A per-date frame of a risk model.
 */
risk_model_frame: { args: { name: string, frame: ModelFrame }, reply: DateFrame },
/**
 * A risk model's factor covariance at one of its dates.
 */
factor_covariance: { args: { name: string, date: string }, reply: FactorCovariance },
/**
 * A risk model's specific variances at one of its dates.
 */
specific_risk: { args: { name: string, date: string }, reply: SpecificRisk },
/**
 * A portfolio's risk on a risk model, one report per model date asked for.
 */
portfolio_risk: { args: { request: RiskRequest }, reply: Array<RiskReport> },
/**
 * The portfolios saved in the home, by name.
 */
portfolios: { args: Record<string, never>, reply: Array<PortfolioInfo> },
/**
 * Saves a portfolio's holdings by name; refuses an existing name unless `replace`.
 */
save_portfolio: { args: { name: string, portfolio: Portfolio, replace: boolean }, reply: PortfolioInfo },
/**
 * Deletes a saved portfolio (a missing one is no error with `if_exists`); whether one was deleted.
 */
delete_portfolio: { args: { name: string, if_exists: boolean }, reply: boolean },
/**
 * What committing the data staged for a dataset would do to a risk model.
 */
model_impact: { args: { dataset: string, model: string }, reply: ModelImpact },
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
export type About = { 
/**
 * The app's version.
 */
version: string, 
/**
 * The commit it was built from (`-modified` when the tree had changes; `unknown` outside git).
 */
build: string, 
/**
 * Riskdesk's own licence.
 */
licence: string, 
/**
 * The home folder (or, in remote mode, the server) it works on.
 */
home: string, 
/**
 * The third-party packages compiled into the app, by name.
 */
third_party: Array<ThirdParty>, };
export type AppInfo = { 
/**
 * The home folder (or, in remote mode, the server).
 */
home: string, 
/**
 * The app's version (the crate's).
 */
version: string, 
/**
 * The exposure datasets there, by name.
 */
datasets: Array<DatasetInfo>, };
export type AssetRisk = { 
/**
 * The asset's id, as the portfolio (or, held only there, the benchmark) gives it.
 */
id: string, 
/**
 * Its weight (active: the portfolio's less the benchmark's).
 */
weight: number, 
/**
 * Its share of the portfolio's annualised volatility.
 */
contribution: number, };
export type AssetValue = { 
/**
 * The asset's id.
 */
asset: string, 
/**
 * Its value of the finding's factor on the finding's date; `None` when it has none, or the finding has no factor.
 */
value: number | null, 
/**
 * Its value on `previous_date`; `None` when it has none there, or there is no `previous_date`.
 */
previous: number | null, };
export type BenchmarkRisk = { 
/**
 * The portfolio's total risk alone (annualised).
 */
portfolio_risk: number, 
/**
 * The benchmark's total risk alone (annualised).
 */
benchmark_risk: number, 
/**
 * The portfolio's exposure to each factor, in the order of the report's contributions.
 */
portfolio_exposures: Array<number>, 
/**
 * The benchmark's exposure to each factor.
 */
benchmark_exposures: Array<number>, };
export type Bin = { 
/**
 * The bin's lower edge (for category counts, the category's index).
 */
lo: number, 
/**
 * The bin's upper edge, excluded except in the last bin.
 */
hi: number, 
/**
 * How many values fall in the bin (for category counts, the category's count).
 */
count: number, };
export type Categories = { 
/**
 * The factor group mapped to the role, as named in the uploaded exposures.
 */
group: string, 
/**
 * The group's factors (one per category), sorted by name; category codes index this list.
 */
factors: Array<string>, };
export type Chart = { 
/**
 * A stable identifier: `assets`, `range`, `std` or `histogram`.
 */
id: string, 
/**
 * A title for the viewer to show with the chart; it is not drawn in the SVG.
 */
title: string, 
/**
 * The SVG's width, in pixels.
 */
width: number, 
/**
 * The SVG's height, in pixels.
 */
height: number, 
/**
 * The SVG document, as text.
 */
svg: string, 
/**
 * Where the plotting area lies in the SVG.
 */
plot: PlotBox, };
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
version: number | null, 
/**
 * When the checks speak; the defaults for any threshold not given.
 */
thresholds: Thresholds, 
/**
 * Only the checks that need no data read (instant; see [`crate::checks::CheckReport::quick`]).
 */
quick: boolean, };
export type ColumnKind = "date" | "id" | "number" | "category";
export type CommitMode = "append" | "upsert" | "overwrite_dates" | "overwrite";
export type CommitResult = { 
/**
 * The new version's number.
 */
version: number, 
/**
 * The staged names committed (and so removed from staging), sorted.
 */
committed_names: Array<string>, 
/**
 * The mode it was committed with.
 */
mode: CommitMode, 
/**
 * Rows of the new version as a whole (dates carried over from the previous version included).
 */
rows: number, 
/**
 * Dates of the new version as a whole (dates carried over from the previous version included).
 */
dates: number, };
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
home: string, 
/**
 * The saved servers, by name.
 */
servers: Array<SavedServer>, 
/**
 * The saved server the app last worked on (to reconnect to at start), if it was a server.
 */
last: string | null, };
export type Contribution = { 
/**
 * The factor's label (as `exposures get` names it), or the group's name.
 */
factor: string, 
/**
 * The factor's group (its role: `market`, `style`, `industry`, …).
 */
group: string, 
/**
 * The portfolio's exposure to it (1 for a group).
 */
exposure: number, 
/**
 * Its annualised volatility.
 */
volatility: number, 
/**
 * The correlation of its return with the portfolio's.
 */
correlation: number, 
/**
 * exposure × volatility × correlation: its share of the portfolio's annualised volatility.
 */
contribution: number, };
export type CreationReport = { 
/**
 * Rows written: one per (date, asset) with exposures.
 */
rows: number, 
/**
 * Dates with at least one row.
 */
dates: number, 
/**
 * The first date with rows (`YYYY-MM-DD`).
 */
first_date: string | null, 
/**
 * The last date with rows (`YYYY-MM-DD`).
 */
last_date: string | null, 
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
unmatched_ids: number, 
/**
 * Up to 10 of those ids, in sorted order.
 */
unmatched_sample: Array<string>, 
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
filled: { [key in string]: number }, 
/**
 * The exposure dataset versions read, one per uploaded source.
 */
sources: Array<SourceVersion>, 
/**
 * The reference dataset that provided the universe.
 */
reference_dataset: string, 
/**
 * When the reference dataset used was created (to see when it is replaced).
 */
reference_created: string, 
/**
 * What a user should know before trusting the dataset: a style without any value on a
 * date, a small share of the coverage universe with exposures.
 */
warnings: Array<string>, 
/**
 * Per date (`YYYY-MM-DD`), a digest of its stored rows: a risk model updated after a rebuild
 * re-estimates only from the first date whose digest changed (empty for builds made before).
 */
day_digests: { [key in string]: string }, };
export type DatasetInfo = { 
/**
 * The dataset's name, as the user gave it.
 */
name: string, 
/**
 * When the dataset was created, RFC 3339 UTC.
 */
created: string, 
/**
 * Its newest version's number (0 when nothing is committed).
 */
latest_version: number, 
/**
 * How many names are staged, awaiting a commit.
 */
staged: number, };
export type DatasetKind = "reference" | "user";
export type DateFrame = { 
/**
 * The model dates (`YYYY-MM-DD`), ascending.
 */
dates: Array<string>, 
/**
 * The columns: factor labels as `exposures get` names them, or `r2`/`assets`/`sigma2`.
 */
columns: Array<string>, 
/**
 * Per date, per column; `None` where a factor has no value that date.
 */
values: Array<Array<number | null>>, };
export type DateImpact = { 
/**
 * The model date (the returns' date, `YYYY-MM-DD`).
 */
date: string, 
/**
 * The staged date whose exposures the regression reads.
 */
exposures_date: string, 
/**
 * The weighted R² now (none: the returns do not vary). Figures a fit cannot give (a factor
 * without members) are none.
 */
r2_before: number | null, 
/**
 * The weighted R² with the staged data.
 */
r2_after: number | null, 
/**
 * The estimation universe's size now.
 */
assets_before: number, 
/**
 * The estimation universe's size with the staged data.
 */
assets_after: number, 
/**
 * Per factor, in the model's order.
 */
factors: Array<FactorImpact>, 
/**
 * The assets whose exposures changed most, weighted by their regression weight, largest first.
 */
drivers: Array<Driver>, };
export type DateReplacement = { 
/**
 * The committed date, `YYYY-MM-DD`.
 */
date: string, 
/**
 * Distinct asset ids committed that date.
 */
old_assets: number, 
/**
 * 0 when `overwrite` drops the date.
 */
new_assets: number, 
/**
 * Every market and style factor committed or staged that date (categorical ones left out),
 * by group and factor.
 */
factors: Array<FactorShift>, };
export type DateSummary = { 
/**
 * The committed date, `YYYY-MM-DD`.
 */
date: string, 
/**
 * Rows committed for the date.
 */
rows: number, 
/**
 * Distinct asset ids that date.
 */
n_assets: number, 
/**
 * The date's distinct factor groups, sorted and comma-separated.
 */
factor_groups: string, 
/**
 * Distinct (factor group, factor) pairs that date.
 */
factors: number, };
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
 * The series (see `series_of`), in this order and in the palette's colours.
 */
series: Array<string>, 
/**
 * The charts `assets`, `range` and `std`, in that order; empty when there are no rows.
 */
charts: Array<Chart>, };
export type DayHistogram = { 
/**
 * The factor groups of that day; `group` is the one drawn.
 */
groups: Array<string>, 
/**
 * The group drawn: the one asked for if the day has it, else the first whose name contains "style", else the first.
 */
group: string, 
/**
 * The group's factors; `factor` is the one drawn (all pooled when `None`).
 */
factors: Array<string>, 
/**
 * The factor drawn; `None` when the group's factors are pooled or the group is categorical.
 */
factor: string | null, 
/**
 * For a categorical group: the factor of each bar (most members first); empty otherwise.
 */
categories: Array<string>, 
/**
 * The chart: assets counted per factor for a categorical group, else a histogram of the values.
 */
histogram: Histogram, };
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
start: number, 
/**
 * The layout of the CSV files written.
 */
layout: DemoLayout, 
/**
 * Seeds every random draw: the same options always give the same files (and demo reference).
 */
seed: number, 
/**
 * File name prefix: files are `<prefix>_YYYY-MM-DD.csv`.
 */
prefix: string, };
export type Description = { 
/**
 * The risk dataset's name.
 */
name: string, 
/**
 * Whether it reflects its sources.
 */
status: Status, 
/**
 * Why it is stale; `None` when it is ready.
 */
stale_reason: string | null, 
/**
 * When it was last built, as an RFC 3339 UTC timestamp.
 */
created: string, 
/**
 * The first date with exposures (`YYYY-MM-DD`).
 */
first_date: string | null, 
/**
 * The last date with exposures (`YYYY-MM-DD`).
 */
last_date: string | null, 
/**
 * The settings it was built from.
 */
settings: RiskDatasetSettings, 
/**
 * The choices of the seed's universe settings for it.
 */
universe_settings_menu: UniverseSettingsMenu, 
/**
 * The built columns: market, style and other factors, industries and regions.
 */
layout: Layout, 
/**
 * The creation report of its last build.
 */
report: CreationReport, };
export type DetailRow = { 
/**
 * The staged name the date belongs to; `None` (and left out) for a committed version.
 */
_name: string | null, 
/**
 * The date, `YYYY-MM-DD`.
 */
date: string, 
/**
 * Distinct asset ids that date.
 */
n_assets: number, 
/**
 * The smallest exposure that date, over every factor.
 */
min_exposure: number, 
/**
 * The largest exposure that date, over every factor.
 */
max_exposure: number, 
/**
 * The mean exposure that date, over every factor.
 */
mean_exposure: number, 
/**
 * The median exposure that date, over every factor.
 */
median_exposure: number, 
/**
 * The sample standard deviation (n − 1) of the exposures that date, over every factor; NaN
 * with fewer than two values.
 */
std_exposure: number, };
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
previous_date: string | null, 
/**
 * The finding's assets (up to 20), in the finding's order, with their values.
 */
assets: Array<AssetValue>, 
/**
 * None for a finding without a factor.
 */
histogram: Histogram | null, };
export type Driver = { 
/**
 * The asset's primary id.
 */
id: string, 
/**
 * Its regression weight (√cap or 1, as the model's settings say; 0 outside the estimation universe).
 */
weight: number, 
/**
 * weight × the length of its exposure change over every factor (a category changed counts √2).
 */
change: number, 
/**
 * The factor whose exposure changes most (its label), or the category changed (`industry: A → B`).
 */
factor: string, 
/**
 * That exposure now (none: no value, or a category).
 */
before: number | null, 
/**
 * That exposure with the staged data.
 */
after: number | null, };
export type ErrorBody = { 
/**
 * The stable machine code (see [`Error::code`]).
 */
code: string, 
/**
 * The human-readable message ([`Error`]'s `Display` text).
 */
message: string, 
/**
 * Supporting lines, possibly empty; absent on the wire means empty.
 */
details: Array<string>, };
export type Exchange = { 
/**
 * The exchange's MIC code, as the reference lists it.
 */
code: string, 
/**
 * How many of the reference's assets list there.
 */
assets: number, };
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
id_type: string | null, 
/**
 * Which industries to return as 0/1 columns (none by default); `only` also keeps only
 * their members' rows.
 */
industries: Selection, 
/**
 * Which regions to return as 0/1 columns (none by default); `only` also keeps only
 * their members' rows.
 */
regions: Selection, 
/**
 * Which styles to return (all by default); market and other factors are always returned.
 */
styles: Selection, 
/**
 * Whether to standardize the returned styles per date (see the module docs); true by default.
 */
standardize: boolean, };
export type ExposureSource = { "exposure_type": "uploaded" } & UploadedExposures | { "exposure_type": "referenced", } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });
export type FactorColumn = { 
/**
 * What the factor's group is used as: market, style or other.
 */
role: Role, 
/**
 * The factor group, as named in the uploaded exposures.
 */
group: string, 
/**
 * The factor's name within its group.
 */
factor: string, };
export type FactorCovariance = { 
/**
 * The model date (`YYYY-MM-DD`).
 */
date: string, 
/**
 * The factors, as `exposures get` names them: rows and columns in this order.
 */
factors: Array<string>, 
/**
 * The symmetric matrix; `None` for a factor without a return up to the date.
 */
values: Array<Array<number | null>>, };
export type FactorDayStats = { 
/**
 * `YYYY-MM-DD`.
 */
date: string, 
/**
 * The factor's group (a market or style group; categorical groups get no statistics).
 */
factor_group: string, 
/**
 * The factor, within `factor_group`.
 */
factor: string, 
/**
 * Share of the date's assets with a value.
 */
coverage: number, 
/**
 * Mean of the values present; `None` when no asset has one.
 */
mean: number | null, 
/**
 * Sample standard deviation (n − 1) of the values present, 0 for a single value; `None` when no asset has one.
 */
std: number | null, 
/**
 * Smallest value present; `None` when no asset has one.
 */
min: number | null, 
/**
 * Largest value present; `None` when no asset has one.
 */
max: number | null, };
export type FactorDiff = { 
/**
 * The group the factor belongs to.
 */
factor_group: string, 
/**
 * The factor's name within its group.
 */
factor: string, 
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
export type FactorImpact = { 
/**
 * The factor's label (as `exposures get` names it).
 */
factor: string, 
/**
 * Its factor return now.
 */
fret_before: number | null, 
/**
 * Its factor return with the staged data.
 */
fret_after: number | null, 
/**
 * Its t-stat now.
 */
t_before: number | null, 
/**
 * Its t-stat with the staged data.
 */
t_after: number | null, };
export type FactorShift = { 
/**
 * The group the factor belongs to.
 */
factor_group: string, 
/**
 * The factor's name within its group.
 */
factor: string, 
/**
 * Mean now committed (None: the factor is not committed that date).
 */
old_mean: number | null, 
/**
 * Sample standard deviation now committed (None: as for `old_mean`).
 */
old_std: number | null, 
/**
 * Mean of the staged values (None: not staged that date).
 */
new_mean: number | null, 
/**
 * Sample standard deviation of the staged values (None: as for `new_mean`).
 */
new_std: number | null, };
export type FactorValues = { 
/**
 * The factor's name within its group.
 */
factor: string, 
/**
 * Its values that day, one per staged row (assets without a value have none here).
 */
values: Array<number>, };
export type FileFormat = "csv" | "csv_gz" | "parquet" | "zip";
export type FileStatus = "new" | "staged" | "committed";
export type Finding = { 
/**
 * The check that found it.
 */
check: CheckId, 
/**
 * How bad it is; for checks with a warn and a fail threshold, the one crossed decides.
 */
severity: Severity, 
/**
 * `YYYY-MM-DD`.
 */
date: string, 
/**
 * The factor group it is about; `None` for a finding about the whole date (missing, duplicate
 * or stale day, coverage, churn, schema change).
 */
factor_group: string | null, 
/**
 * The factor it is about; `None` for a finding about the whole date or about a whole
 * categorical group (`not_one_hot`).
 */
factor: string | null, 
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
export type GridColumn = { 
/**
 * The column's name: `date`, the id type, a factor label, `industry` or `region`.
 */
name: string, 
/**
 * What the column holds, which decides how it filters and sorts.
 */
kind: ColumnKind, 
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
min: string | null, 
/**
 * The largest value, written as `min`; none for ids and categories.
 */
max: string | null, 
/**
 * Distinct values, for dates and categories.
 */
distinct: number | null, };
export type GridDay = { 
/**
 * The date, `YYYY-MM-DD`.
 */
date: string, 
/**
 * Rows shown on this date, after filters and search.
 */
rows: number, 
/**
 * Position of its first row among the rows shown; `None` when the grid is sorted.
 */
first: number | null, };
export type GridFilter = { 
/**
 * The column's name, as in [`GridColumn::name`].
 */
column: string, 
/**
 * How the column's values are compared with `values`.
 */
op: GridOp, 
/**
 * One value, all of them for `one_of`, none for `empty` and `not_empty`.
 */
values: Array<string>, };
export type GridInfo = { 
/**
 * The columns, in page order, with their profiles over the rows shown.
 */
columns: Array<GridColumn>, 
/**
 * Rows shown.
 */
total: number, 
/**
 * Rows of the query before filters and search.
 */
unfiltered: number, 
/**
 * Every stored date in the query's range, in order, including dates with no row shown.
 */
days: Array<GridDay>, };
export type GridOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "contains" | "one_of" | "empty" | "not_empty";
export type GridRequest = { 
/**
 * The risk dataset to read.
 */
dataset: string, 
/**
 * The rows and columns to show; industries and regions show as name columns whatever it
 * selects.
 */
query: ExposureQuery, 
/**
 * The column to sort by; date then id order when `None`.
 */
sort: GridSort | null, 
/**
 * Filters that every row shown passes.
 */
filters: Array<GridFilter>, 
/**
 * Keeps the rows of assets with an id of any type (the primary id, a ticker, …) containing
 * this text, ignoring case; everything when empty.
 */
search: string, };
export type GridSort = { 
/**
 * The column's name, as in [`GridColumn::name`].
 */
column: string, 
/**
 * Largest first; smallest first when false (the default).
 */
descending: boolean, };
export type GroupValues = { 
/**
 * The factor group's name.
 */
group: string, 
/**
 * Its factors with values that day, sorted by name.
 */
factors: Array<FactorValues>, };
export type HeatMetric = "missing" | "standardization";
export type Heatmap = { 
/**
 * What the cells colour.
 */
metric: HeatMetric, 
/**
 * The drawn heatmap, with id `heat-missing` or `heat-standardization`.
 */
chart: Chart, 
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
export type Histogram = { 
/**
 * The drawn bars.
 */
chart: Chart, 
/**
 * The bins, lowest first (for category counts, in the categories' order).
 */
bins: Array<Bin>, 
/**
 * How many values were drawn: the finite ones (for category counts, the sum of the counts).
 */
values: number, 
/**
 * How many values were left out as missing (not finite); 0 for category counts.
 */
missing: number, };
export type History = { 
/**
 * Every committed version, oldest first.
 */
versions: Array<VersionInfo>, 
/**
 * Empty while nothing is committed.
 */
factor_groups: Array<string>, };
export type Holding = { 
/**
 * The portfolio's name (`""` when the file has no `portfolio` column).
 */
portfolio: string, 
/**
 * The date the holding is of (`YYYY-MM-DD`); none: every date.
 */
date: string | null, 
/**
 * The asset id, of the portfolio's id type.
 */
id: string, 
/**
 * The weight (values are divided by the sum of their portfolio's values on their date).
 */
weight: number, };
export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;
export type Layout = { 
/**
 * Market, style and other factors, in that order.
 */
numeric: Array<FactorColumn>, 
/**
 * The industry group and its categories; `None` when no source maps an industry group.
 */
industry: Categories | null, 
/**
 * The region group and its categories; `None` when no source maps a region group.
 */
region: Categories | null, };
export type ModelCharts = { 
/**
 * The model shown.
 */
model: RiskModelInfo, 
/**
 * The factor groups to choose from, by role name (`market`, `style`, `industry`, …).
 */
groups: Array<string>, 
/**
 * The group drawn.
 */
group: string, 
/**
 * Its factors' labels, in the model's order.
 */
factors: Array<string>, 
/**
 * Every calendar day from the first model date to the last: slot `i` of a time chart.
 */
days: Array<string>, 
/**
 * The model dates.
 */
dates: Array<string>, 
/**
 * The date of the forecasts (covariance, specific risk): a model date.
 */
date: string, 
/**
 * Cumulative (compounded) factor returns in %, of `lines` (the factors asked for, else the
 * group's factors with the largest final |cumulative return|; at most [`MAX_LINES`]).
 */
cumulative: Chart, 
/**
 * The factors drawn in `cumulative`, in the palette's order.
 */
lines: Array<string>, 
/**
 * Their colours (`#rrggbb`), for the legend.
 */
line_colours: Array<string>, 
/**
 * Per factor of `lines`, per day of `days`, its cumulative return in % (`None` between model dates).
 */
cumulative_values: Array<Array<number | null>>, 
/**
 * R² per day of `days`.
 */
r2: Chart, 
/**
 * The R² values, per day.
 */
r2_values: Array<number | null>, 
/**
 * The estimation universe's size per day of `days`.
 */
assets: Chart, 
/**
 * The sizes, per day.
 */
assets_values: Array<number | null>, 
/**
 * The share of model dates on which |t| > 2, per factor of `factors` (bar `i`).
 */
significant: Chart, 
/**
 * The shares (0 to 1), per factor.
 */
significant_values: Array<number | null>, 
/**
 * The annualised volatility forecast at `date` in %, per factor of `factors`.
 */
volatility: Chart, 
/**
 * The volatilities, per factor.
 */
volatility_values: Array<number | null>, 
/**
 * The correlations at `date` between the group's factors (row and column `factors[i]`).
 */
correlation: Chart, 
/**
 * The correlations, `[row][column]`.
 */
correlation_values: Array<Array<number | null>>, 
/**
 * The distribution of the assets' annualised specific volatility at `date`, in %.
 */
specific: Histogram, 
/**
 * How many assets got the universe's median (fewer than 5 residuals).
 */
specific_filled: number, };
export type ModelFactor = { 
/**
 * The column label, as `exposures get` names it (`style.style.Momentum`).
 */
label: string, 
/**
 * The factor's role in the risk dataset.
 */
role: Role, 
/**
 * Its factor group.
 */
group: string, 
/**
 * Its name within the group.
 */
factor: string, };
export type ModelFrame = "fret" | "std_errors" | "t_stats" | "p_values" | "r2" | "sigma2";
export type ModelImpact = { 
/**
 * The exposure dataset whose staged data is weighed.
 */
dataset: string, 
/**
 * The risk model.
 */
model: string, 
/**
 * Per model date re-estimated, in date order.
 */
dates: Array<DateImpact>, 
/**
 * The risk of every saved portfolio at the model's last date, as it is and as it would be.
 */
portfolios: Array<PortfolioImpact>, 
/**
 * What was not weighed, and why (new dates, factors the risk dataset has no column for,
 * portfolios that cannot be reported).
 */
notes: Array<string>, };
export type ModelStatus = "ready" | "stale";
export type Page = { 
/**
 * The column names, in order.
 */
columns: Array<string>, 
/**
 * The page's rows, each with one cell's text per column (empty for a missing number).
 */
rows: Array<Array<string>>, 
/**
 * How many rows the whole frame has (after filters and search), not just this page.
 */
total: number, };
export type PlotBox = { 
/**
 * The plotting area's left edge, in pixels from the SVG's left.
 */
left: number, 
/**
 * The plotting area's right edge, in pixels from the SVG's left.
 */
right: number, 
/**
 * The plotting area's top edge, in pixels from the SVG's top.
 */
top: number, 
/**
 * The plotting area's bottom edge, in pixels from the SVG's top.
 */
bottom: number, };
export type Portfolio = { 
/**
 * Where it came from (a file's name), for messages.
 */
source: string, 
/**
 * The id type of the ids (one of the reference's: `bayesid`, `ticker`, …).
 */
id_type: string, 
/**
 * The holdings, in file order.
 */
holdings: Array<Holding>, };
export type PortfolioChoice = { 
/**
 * The holdings.
 */
source: PortfolioSource, 
/**
 * The portfolio's name within them (needed when they hold several).
 */
name: string | null, };
export type PortfolioImpact = { 
/**
 * The saved portfolio (`name` or `name/portfolio` when it holds several).
 */
portfolio: string, 
/**
 * The model date.
 */
date: string, 
/**
 * Its total risk now.
 */
before: number, 
/**
 * Its total risk with the staged data.
 */
after: number, };
export type PortfolioInfo = { 
/**
 * Its name.
 */
name: string, 
/**
 * The id type of its holdings.
 */
id_type: string, 
/**
 * How many holdings (over every portfolio and date it holds).
 */
holdings: number, 
/**
 * The names of the portfolios it holds, sorted (`[""]`: one, from a file without a
 * `portfolio` column); a report on one holding several names the one it is about.
 */
portfolios: Array<string>, 
/**
 * When it was saved, RFC 3339 UTC.
 */
saved: string, };
export type PortfolioSource = { "holdings": Portfolio } | { "saved": string };
export type PortfolioView = { 
/**
 * The run, as the window numbered it.
 */
run: number, 
/**
 * The factor groups, in the model's order (the series' `groups` follow it).
 */
groups: Array<string>, 
/**
 * One point per model date of the run, in date order.
 */
series: Array<RiskPoint>, 
/**
 * The full report of the date asked for (the last date by default).
 */
report: RiskReport, };
export type PreviewQuery = { 
/**
 * The risk dataset read.
 */
dataset: string, 
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
id_type: string | null, 
/**
 * Which industries to return as 0/1 columns (none by default); `only` also keeps only
 * their members' rows.
 */
industries: Selection, 
/**
 * Which regions to return as 0/1 columns (none by default); `only` also keeps only
 * their members' rows.
 */
regions: Selection, 
/**
 * Which styles to return (all by default); market and other factors are always returned.
 */
styles: Selection, 
/**
 * Whether to standardize the returned styles per date (see the module docs); true by default.
 */
standardize: boolean, };
export type Recent = { 
/**
 * The screen last shown, if any.
 */
screen: string | null, 
/**
 * The exposure datasets of this place, the most recent first (the first is the one to reopen).
 */
datasets: Array<string>, 
/**
 * The folders scanned on this computer, the most recent first.
 */
folders: Array<RecentFolder>, };
export type RecentFolder = { 
/**
 * Its absolute path.
 */
path: string, 
/**
 * Whether it still exists on this computer.
 */
present: boolean, };
export type ReferenceInfo = { 
/**
 * The name it is listed under, unique among reference datasets.
 */
name: string, 
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
last_date: string | null, 
/**
 * Whether it holds at least one market cap.
 */
has_market_caps: boolean, 
/**
 * Whether it holds at least one daily return.
 */
has_returns: boolean, 
/**
 * When it was imported or generated (RFC 3339, UTC).
 */
created: string, };
export type RejectedFile = { 
/**
 * The entry's name in the folder (a file or a subfolder).
 */
file_name: string, 
/**
 * Why it does not qualify (unsupported extension, no date or an impossible date in the name, a subfolder).
 */
reason: string, };
export type Remember = { "kind": "screen", "value": string } | { "kind": "dataset", "value": string } | { "kind": "folder", "value": string };
export type RevertResult = { 
/**
 * The new version's number.
 */
version: number, 
/**
 * The version whose data it holds.
 */
reverted_to: number, 
/**
 * Rows of the new version.
 */
rows: number, 
/**
 * Dates of the new version.
 */
dates: number, };
export type RiskDatasetInfo = { 
/**
 * The name the dataset is stored under.
 */
name: string, 
/**
 * Whether it is a reference dataset or a user's risk dataset.
 */
kind: DatasetKind, 
/**
 * Whether it reflects its sources; always `ready` for a reference dataset.
 */
status: Status, 
/**
 * Why it is stale.
 */
stale_reason: string | null, 
/**
 * The reference dataset a risk dataset was built on; `None` for a reference dataset.
 */
reference_dataset: string | null, 
/**
 * The first date (`YYYY-MM-DD`): with market caps for a reference dataset, with exposures
 * for a risk dataset.
 */
first_date: string | null, 
/**
 * The last date (`YYYY-MM-DD`): with market caps for a reference dataset, with exposures
 * for a risk dataset.
 */
last_date: string | null, 
/**
 * A reference dataset's assets, or a risk dataset's distinct assets with exposures.
 */
assets: number, 
/**
 * When it was stored (a risk dataset's last build), as an RFC 3339 UTC timestamp.
 */
created: string, };
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
exchange_codes: Array<string> | null, 
/**
 * Which reference assets make up the coverage universe; `ccy_union` by default.
 */
trim_assets: TrimAssets, 
/**
 * A rule (`none`, `earliest_start`, `latest_start`) or a date `YYYY-MM-DD`.
 */
trim_start_date: string, 
/**
 * A rule (`none`, `earliest_end`, `latest_end`) or a date `YYYY-MM-DD`.
 */
trim_end_date: string, };
export type RiskForm = { 
/**
 * The reference datasets a risk dataset can borrow its universe from.
 */
references: Array<ReferenceInfo>, 
/**
 * The risk datasets already built (and the references, as the seed lists them).
 */
risk_datasets: Array<RiskDatasetInfo>, 
/**
 * Per exposure dataset, the factor groups of its latest version.
 */
factor_groups: { [key in string]: Array<string> }, };
export type RiskModelInfo = { 
/**
 * The model's name.
 */
name: string, 
/**
 * Ready, or stale with `stale_reason`.
 */
status: ModelStatus, 
/**
 * Why it is stale, in words.
 */
stale_reason: string | null, 
/**
 * The settings it was estimated with.
 */
settings: RiskModelSettings, 
/**
 * What estimation found.
 */
report: RiskModelReport, 
/**
 * When it was estimated (RFC 3339).
 */
created: string, };
export type RiskModelReport = { 
/**
 * The risk dataset estimated from.
 */
risk_dataset: string, 
/**
 * The build of the risk dataset estimated from (its stored file): a rebuild makes the model stale.
 */
dataset_file: string, 
/**
 * When that build was made (RFC 3339).
 */
dataset_created: string, 
/**
 * The reference dataset giving the returns and market caps.
 */
reference_dataset: string, 
/**
 * Model dates: the dates with factor returns.
 */
dates: number, 
/**
 * The first model date (`YYYY-MM-DD`).
 */
first_date: string | null, 
/**
 * The last model date.
 */
last_date: string | null, 
/**
 * The factors, in the order of every frame's columns.
 */
factors: Array<ModelFactor>, 
/**
 * The smallest estimation universe of a date.
 */
min_assets: number, 
/**
 * The largest estimation universe of a date.
 */
max_assets: number, 
/**
 * The mean R² over the model dates.
 */
mean_r2: number, 
/**
 * Dates of the risk dataset without a regression, and why.
 */
skipped: Array<string>, 
/**
 * When the reference dataset used was created (a replaced one changes every date).
 */
reference_created: string, 
/**
 * The risk dataset's digest of each date's rows when estimated (see
 * [`crate::riskdataset::CreationReport::day_digests`]): an update reuses the leading dates
 * whose exposures are unchanged.
 */
dataset_digests: { [key in string]: string }, 
/**
 * Model dates taken as they were from the model this one updated (0 for a new estimate).
 */
reused_dates: number, };
export type RiskModelSettings = { 
/**
 * The risk dataset whose exposures, returns and market caps the model uses.
 */
risk_dataset: string, 
/**
 * The regression weights: `SqrtCap` (√ market cap, the default) or `Equal`.
 */
weights: Weights, 
/**
 * Asset returns are clipped to `[low, high]` before the regression; `null` leaves that side
 * open. Default `[-0.1, 0.1]`.
 */
return_clip_bounds: [number | null, number | null], 
/**
 * The zero-sum constraint of each categorical factor group (industry, region), by group
 * name; a group not named gets `mcap_weighted`.
 */
zero_sum_constraints: { [key in string]: ZeroSum }, 
/**
 * Per categorical factor group, the minimum effective number of assets of a member: a member
 * below it is shrunk toward 0 (a ridge penalty of `(threshold − n_eff)` × the mean regression
 * weight). None by default.
 */
thin_category_shrinkage: { [key in string]: number }, 
/**
 * Half-life, in model dates, of the factor volatilities' exponential weights. Default 42.
 */
halflife_factor_vol: number, 
/**
 * Half-life, in model dates, of the factor correlations' exponential weights. Default 126.
 */
halflife_factor_cor: number, 
/**
 * Half-life, in model dates, of the specific variances' exponential weights. Default 42.
 */
halflife_idio_vol: number, 
/**
 * Newey–West lags of the factor covariance (Bartlett weights). Default 0.
 */
nw_lags: number, };
export type RiskPoint = { 
/**
 * The model date (`YYYY-MM-DD`).
 */
date: string, 
/**
 * Total risk (active risk with a benchmark).
 */
total_risk: number, 
/**
 * Factor risk.
 */
factor_risk: number, 
/**
 * Specific risk.
 */
specific_risk: number, 
/**
 * Each factor group's contribution to the total, in the order of [`PortfolioView::groups`].
 */
groups: Array<number>, 
/**
 * The specific part's contribution to the total.
 */
specific_contribution: number, 
/**
 * With a benchmark: the portfolio's own total risk.
 */
portfolio_risk: number | null, 
/**
 * With a benchmark: the benchmark's own total risk.
 */
benchmark_risk: number | null, 
/**
 * Holdings matched to the model's universe that date.
 */
matched: number, 
/**
 * Holdings left out (not in the model's universe that date).
 */
unmatched: number, 
/**
 * The weight of the holdings left out.
 */
unmatched_weight: number, };
export type RiskReport = { 
/**
 * The model date (`YYYY-MM-DD`).
 */
date: string, 
/**
 * √(252 × total variance).
 */
total_risk: number, 
/**
 * √(252 × factor variance).
 */
factor_risk: number, 
/**
 * √(252 × specific variance).
 */
specific_risk: number, 
/**
 * Per factor, in the model's order.
 */
contributions: Array<Contribution>, 
/**
 * Per group (role), in the model's order.
 */
groups: Array<Contribution>, 
/**
 * The specific part's share of the annualised volatility.
 */
specific_contribution: number, 
/**
 * Per matched holding, in file order (the portfolio's, then the benchmark's others).
 */
assets: Array<AssetRisk>, 
/**
 * The holdings not in the model's universe on the date.
 */
unmatched: Array<Unmatched>, 
/**
 * With a benchmark: the portfolio's and the benchmark's own risk and exposures.
 */
benchmark: BenchmarkRisk | null, };
export type RiskRequest = { 
/**
 * The risk model.
 */
model: string, 
/**
 * The portfolio.
 */
portfolio: PortfolioChoice, 
/**
 * A benchmark: the report is then of the active weights (portfolio − benchmark).
 */
benchmark: PortfolioChoice | null, 
/**
 * The first model date (`YYYY-MM-DD`); none: the last model date (or `end`'s only date).
 */
start: string | null, 
/**
 * The last model date; none: the last model date. A report per model date from `start` to `end`.
 */
end: string | null, };
export type Role = "market" | "style" | "industry" | "region" | "other";
export type RowChange = { 
/**
 * The row's date, `YYYY-MM-DD`.
 */
date: string, 
/**
 * The row's asset id.
 */
asset_id: string, 
/**
 * The type of the row's asset id.
 */
asset_id_type: string, 
/**
 * The group of the row's factor.
 */
factor_group: string, 
/**
 * The row's factor, within its group.
 */
factor: string, 
/**
 * The exposure in `from` (`None`: the row was added).
 */
old: number | null, 
/**
 * The exposure in `to` (`None`: the row was removed).
 */
new: number | null, };
export type RowChanges = { 
/**
 * The page's changed rows, by date then key.
 */
rows: Array<RowChange>, 
/**
 * Changed rows of the whole comparison, over all pages.
 */
total: number, };
export type SavedServer = { 
/**
 * What the user calls it (unique).
 */
name: string, 
/**
 * The server's base URL, e.g. `http://127.0.0.1:8000`.
 */
endpoint: string, 
/**
 * Where its key is kept: `keychain` or `file` (no keychain service here).
 */
key_store: string, };
export type ScanReport = { 
/**
 * The folder scanned, as given.
 */
folder: string, 
/**
 * The files that qualify, sorted by path.
 */
files: Array<ScannedFile>, 
/**
 * How many of `files` each year has, one entry per year that has any, oldest first.
 */
years: Array<YearCount>, 
/**
 * The entries that do not qualify (hidden files left out), sorted by path.
 */
rejected: Array<RejectedFile>, 
/**
 * Files whose staged name is already staged in the dataset asked about.
 */
staged: number, 
/**
 * Files whose staged name is already committed (and not staged again) in the dataset asked about.
 */
committed: number, };
export type ScannedFile = { 
/**
 * The file's name in the folder, with its extension.
 */
file_name: string, 
/**
 * The file's path: the scanned folder joined with its name.
 */
path: string, 
/**
 * The staged name (for an annual archive: the archive's stem; its members are staged).
 */
name: string, 
/**
 * `YYYY-MM-DD` for a daily file; none for an annual archive.
 */
date: string | null, 
/**
 * The calendar year of the name's date, or the annual archive's year.
 */
year: number, 
/**
 * The format its extension names (zip for an annual archive or a zipped day).
 */
format: FileFormat, 
/**
 * The file's size on disk in bytes (0 when its metadata could not be read).
 */
bytes: number, 
/**
 * Whether its staged name (an archive's: all its members') is new, staged or committed in the dataset asked about.
 */
status: FileStatus, };
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
export type SourceVersion = { 
/**
 * The exposure dataset's name.
 */
dataset: string, 
/**
 * The committed version of it that the build read.
 */
version: number, };
export type SpecificRisk = { 
/**
 * The model date (`YYYY-MM-DD`).
 */
date: string, 
/**
 * The id type of `ids` (the reference's primary one).
 */
id_type: string, 
/**
 * Every asset with a residual up to the date, by id.
 */
ids: Array<string>, 
/**
 * Its specific variance (daily); `None` only when no estimate can be filled in.
 */
specific_var: Array<number | null>, 
/**
 * How many residuals it was estimated from.
 */
residuals: Array<number>, 
/**
 * Whether it had fewer than [`MIN_RESIDUALS`] and got the estimation universe's
 * cap-weighted median instead (over the universe's assets with enough residuals, or over all
 * of them while none has enough).
 */
filled: Array<boolean>, 
/**
 * That median: what an asset with too few residuals (or none yet) is given.
 */
fill: number | null, };
export type StageState = "staged" | "unchanged" | "exists" | "failed";
export type StagedSummary = { 
/**
 * The staged name (the file stem).
 */
_name: string, 
/**
 * The file it was staged from (`archive.zip/member.csv` for a ZIP member).
 */
source: string, 
/**
 * The layout detected: `long`, `long_without_date` or `wide`.
 */
parser: string, 
/**
 * Rows over all its dates.
 */
rows: number, 
/**
 * Distinct dates it holds.
 */
dates: number, 
/**
 * Its first date, `YYYY-MM-DD` (empty when it holds no date).
 */
first_date: string, 
/**
 * Its last date, `YYYY-MM-DD` (empty when it holds no date).
 */
last_date: string, 
/**
 * Distinct asset ids over all its dates.
 */
assets: number, 
/**
 * Its distinct factor groups, sorted and comma-separated.
 */
factor_groups: string, 
/**
 * Distinct (factor group, factor) pairs over all its dates.
 */
factors: number, };
export type StagingCheck = { 
/**
 * The checks' findings, most severe first.
 */
findings: Array<Finding>, 
/**
 * The factor × date heatmaps: missing values, then standardisation.
 */
heatmaps: Array<Heatmap>, };
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
success: boolean, 
/**
 * What became of the name.
 */
state: StageState, 
/**
 * The layout detected: `long`, `long_without_date` or `wide`.
 */
parser: string | null, 
/**
 * Rows of the staged entry, over all its dates (0 for `failed` and `exists`).
 */
rows: number, 
/**
 * Distinct dates the staged entry holds (0 for `failed` and `exists`).
 */
dates: number, 
/**
 * The staged entry's first date, `YYYY-MM-DD` (`None` for `failed` and `exists`).
 */
first_date: string | null, 
/**
 * The staged entry's last date, `YYYY-MM-DD` (`None` for `failed` and `exists`).
 */
last_date: string | null, 
/**
 * Distinct asset ids over all its dates (0 for `failed` and `exists`).
 */
assets: number, 
/**
 * When the entry was staged (for `unchanged`, its earlier staging; for `failed` and
 * `exists`, when it was refused), RFC 3339 UTC.
 */
timestamp: string, 
/**
 * Why the name was refused, each with its file and place; empty when it is staged.
 */
messages: Array<Diagnostic>, };
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
export type ThirdParty = { 
/**
 * Its name (a Rust crate or an npm package of the UI).
 */
name: string, 
/**
 * Its version.
 */
version: string, 
/**
 * Its licence (an SPDX expression).
 */
licence: string, };
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
export type UniverseSettingsMenu = { 
/**
 * The reference's id types: the primary one first, then the alternative ones.
 */
id_types: Array<string>, 
/**
 * The sorted exchanges (MICs) of the coverage universe.
 */
exchanges: Array<string>, 
/**
 * Industry group → `ALL` → its `<group>.<factor>` labels; empty without an industry group.
 */
industry: { [key in string]: { [key in string]: Array<string> } }, 
/**
 * Region group → `ALL` → its `<group>.<factor>` labels; empty without a region group.
 */
region: { [key in string]: { [key in string]: Array<string> } }, 
/**
 * Industry group → label → display name: each label (and `ALL`) names itself.
 */
industry_labels: { [key in string]: { [key in string]: string } }, 
/**
 * Region group → label → display name: each label (and `ALL`) names itself.
 */
region_labels: { [key in string]: { [key in string]: string } }, };
export type Unmatched = { 
/**
 * The id as the file gives it.
 */
id: string, 
/**
 * Its weight.
 */
weight: number, 
/**
 * Whether it is a holding of the benchmark (else of the portfolio).
 */
benchmark: boolean, };
export type UpdateResult = { 
/**
 * The risk dataset's name.
 */
name: string, 
/**
 * Whether it was rebuilt; `false` when it was not stale.
 */
updated: boolean, 
/**
 * The source versions it was built from before the update.
 */
previous_sources: Array<SourceVersion>, 
/**
 * The new build's report, or the stored one when it was not rebuilt.
 */
report: CreationReport, };
export type UploadedExposures = { 
/**
 * The exposure dataset.
 */
exposure_source: string, 
/**
 * The factor group used as market factors, if any.
 */
market_factor_group: string | null, 
/**
 * The factor group used as style factors, if any.
 */
style_factor_group: string | null, 
/**
 * The factor group used as industries, if any: one factor with exposure 1 per asset and date.
 */
industry_factor_group: string | null, 
/**
 * The factor group used as regions, if any: one factor with exposure 1 per asset and date.
 */
region_factor_group: string | null, 
/**
 * The factor group kept as other factors, if any.
 */
other_factor_group: string | null, 
/**
 * Fill missing style values with industry means (default true).
 */
style_factor_fill_miss: boolean, 
/**
 * Clip style values beyond median ± 3 × 1.4826 × MAD per date (default true).
 */
style_factor_huberize: boolean, };
export type VersionDiff = { 
/**
 * The version the changes are counted from.
 */
from: number, 
/**
 * The version the changes are counted to.
 */
to: number, 
/**
 * Dates only `to` holds, `YYYY-MM-DD`, ascending.
 */
dates_added: Array<string>, 
/**
 * Dates only `from` holds, `YYYY-MM-DD`, ascending.
 */
dates_removed: Array<string>, 
/**
 * Dates both hold with different data, `YYYY-MM-DD`, ascending.
 */
dates_changed: Array<string>, 
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
export type VersionInfo = { 
/**
 * The version number: 1 for the first commit, one more for each after.
 */
version: number, 
/**
 * Commit time, RFC 3339 UTC.
 */
created: string, 
/**
 * The name of the commit mode that made it (`append`, `upsert`, `overwrite_dates` or
 * `overwrite`), or `revert to N` for a revert to version N (see [`super::Uploader::revert`]).
 */
mode: string, 
/**
 * The staged names this commit committed, sorted (not every name whose data the version holds).
 */
committed_names: Array<string>, 
/**
 * Rows of the version as a whole (dates carried over from earlier versions included).
 */
rows: number, 
/**
 * Dates of the version as a whole (dates carried over from earlier versions included).
 */
dates: number, 
/**
 * Its first date, `YYYY-MM-DD` (`None` when it holds no date).
 */
first_date: string | null, 
/**
 * Its last date, `YYYY-MM-DD` (`None` when it holds no date).
 */
last_date: string | null, };
export type Weights = "SqrtCap" | "Equal";
export type YearCount = { 
/**
 * The calendar year.
 */
year: number, 
/**
 * How many qualifying files (daily files and archives, each counting once) belong to the year.
 */
files: number, 
/**
 * Their total size on disk in bytes.
 */
bytes: number, };
export type ZeroSum = "none" | "equal_weights" | "mcap_weighted";

/** Every commit mode, in the order offered, with what it does (`CommitMode::description`). */
export const COMMIT_MODES: Record<CommitMode, string> = {
  "append": "add new rows; refuse everything if any key is already committed",
  "upsert": "add new rows and replace the values of keys already committed",
  "overwrite_dates": "replace all committed rows of every date present in the staged data",
  "overwrite": "replace all committed data with the staged data",
};
