// Typed wrappers around the Tauri commands: the only module that calls `invoke`. The engine's
// calls go through `call`, typed by the generated `Calls` map; the named commands do more than
// forward one call (dialogs, this computer's folders, charts, the connection).
import { Channel, invoke } from "@tauri-apps/api/core";

// ---------------------------------------------------------------------------------------------
// The command types, generated from the Rust types (src-tauri/tests/bindings.rs fails when
// bindings.ts is stale).
import type {
  ArgsOf, CommitMode, Method, ReplyOf, RiskDatasetSettings,
  AppInfo, Bin, Chart, CommitResult, CreationReport, DatasetInfo, DayCharts, DayHistogram, Description, DetailRow, Diagnostic,
  Exchange, History, Page, PlotBox, PreviewQuery, ReferenceInfo, RiskDatasetInfo, RiskForm, ScanReport, ScannedFile, Selection,
  StagingResult, Step, UpdateResult, VersionInfo,
  ErrorBody, Finding, Thresholds, VersionDiff, RowChanges, DateReplacement, StagingCheck, Heatmap, Drill,
  Connection, SavedServer, ServerInfo, GridRequest, GridInfo, GridColumn, GridDay, GridFilter, GridOp, GridSort, ColumnKind,
  ModelCharts, RiskModelInfo, ModelImpact,
  Portfolio, PortfolioInfo, PortfolioView, RiskPoint, RiskReport, RiskRequest, About, Recent, RecentFolder, Remember,
} from "./bindings";
export type {
  ArgsOf, CommitMode, Method, ReplyOf, RiskDatasetSettings,
  AppInfo, Bin, Chart, CommitResult, CreationReport, DatasetInfo, DayCharts, DayHistogram, Description, DetailRow, Diagnostic,
  Exchange, History, Page, PlotBox, PreviewQuery, ReferenceInfo, RiskDatasetInfo, RiskForm, ScanReport, ScannedFile, Selection,
  StagingResult, Step, UpdateResult, VersionInfo, Finding, Thresholds, VersionDiff, RowChanges, DateReplacement, StagingCheck, Heatmap, Drill,
  Connection, SavedServer, ServerInfo, GridRequest, GridInfo, GridColumn, GridDay, GridFilter, GridOp, GridSort, ColumnKind,
  ModelCharts, RiskModelInfo, ModelImpact,
  Portfolio, PortfolioInfo, PortfolioView, RiskPoint, RiskReport, RiskRequest, About, Recent, RecentFolder, Remember,
};
/** A failed command: the engine's stable code, its message and detail lines. */
export type UiError = ErrorBody;
// ---------------------------------------------------------------------------------------------

/** A long command's run: the id the UI chose for it (what `cancel` names) and where its steps go. */
export interface Job { id: number; onStep: (s: Step) => void }

/** Runs a command; failures arrive as `UiError`. */
async function command<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    const err = (typeof e === "object" && e !== null ? e : {}) as Partial<UiError>;
    throw { code: err.code ?? "internal", message: err.message ?? String(e), details: err.details ?? [] } as UiError;
  }
}

/** The `job` and `onProgress` arguments of a long command. */
function jobArgs(job: Job): { job: number; onProgress: Channel<Step> } {
  const onProgress = new Channel<Step>();
  onProgress.onmessage = job.onStep;
  return { job: job.id, onProgress };
}

/** Runs one of the engine's calls (a long one, see `Call::is_long`, with its job). */
export function call<M extends Method>(method: M, args: ArgsOf<M>, job?: Job): Promise<ReplyOf<M>> {
  const call = { method, args };
  return job ? command<ReplyOf<M>>("call_long", { call, ...jobArgs(job) }) : command<ReplyOf<M>>("call", { call });
}

export const api = {
  appInfo: () => command<AppInfo>("app_info"),
  about: () => command<About>("about"),
  startupNotice: () => command<string | null>("startup_notice"),
  /** The folder or ZIP the app was opened with, once (later launches send `open-path` events). */
  openedPath: () => command<string | null>("opened_path"),
  /** What the window remembers for the place it works on (last screen, recent datasets and folders). */
  recent: () => command<Recent>("recent"),
  remember: (what: Remember) => command<null>("remember", { what }),
  forgetFolder: (path: string) => command<null>("forget_folder", { path }),
  chooseFolder: () => command<string | null>("choose_folder"),
  scan: (path: string, dataset: string | null) => command<ScanReport>("scan_folder", { path, dataset }),
  stage: (dataset: string, paths: string[], replace: boolean, job: Job) =>
    command<StagingResult[]>("stage", { dataset, paths, replace, ...jobArgs(job) }),
  stagingDetail: (dataset: string) => call("staging_detail", { dataset }),
  /** The checks that need no data read (instant), over what is staged. */
  quickCheck: async (dataset: string, thresholds: Thresholds | null) => {
    const request = { staging: true, version: null, thresholds: thresholds ?? (await command<Thresholds>("default_thresholds")), quick: true };
    return (await call("check", { dataset, request })).findings;
  },
  checkStaging: (dataset: string, thresholds: Thresholds | null, width: number, height: number) =>
    command<StagingCheck>("check_staging", { dataset, thresholds, width, height }),
  defaultThresholds: () => command<Thresholds>("default_thresholds"),
  drillDown: (dataset: string, finding: Finding, width: number, height: number) => command<Drill>("drill_down", { dataset, finding, width, height }),
  wipeStaged: (dataset: string, names: string[]) => call("wipe_staging", { dataset, names }),
  destroyDataset: (dataset: string) => call("destroy", { dataset }),
  dayCharts: (dataset: string, width: number, height: number) => command<DayCharts>("day_charts", { dataset, width, height }),
  dayHistogram: (dataset: string, name: string, date: string, group: string | null, factor: string | null, width: number, height: number) =>
    command<DayHistogram>("day_histogram", { dataset, name, date, group, factor, width, height }),
  // `mode` is one the Check screen's select offers, each a `CommitMode`.
  commit: (dataset: string, mode: string, job: Job) => call("commit", { dataset, mode: mode as CommitMode, names: null }, job),
  commitPreview: (dataset: string, mode: string) => call("commit_preview", { dataset, mode: mode as CommitMode }),
  versionDiff: (dataset: string, from: number, to: number) => call("diff", { dataset, from, to }),
  versionDiffRows: (dataset: string, from: number, to: number, offset: number, limit: number) =>
    call("diff_rows", { dataset, from, to, offset, limit }),
  history: (dataset: string) => command<History>("history", { dataset }),
  riskForm: () => command<RiskForm>("risk_form"),
  references: () => call("references", {}),
  importReference: (name: string, dir: string, idType: string, replace: boolean, job: Job) =>
    command<ReferenceInfo>("import_reference", { name, dir, idType, replace, ...jobArgs(job) }),
  deleteReference: (name: string) => call("delete_reference", { name }),
  referenceExchanges: (reference: string) => call("reference_exchanges", { name: reference }),
  /** Creates a risk dataset; `settings` leaves out what the form did not set (the engine's defaults). */
  createRisk: (name: string, settings: Record<string, unknown>, replace: boolean, job: Job) =>
    call("create_risk_dataset", { name, settings: settings as RiskDatasetSettings, replace }, job),
  updateRisk: (name: string, job: Job) => call("update_risk_dataset", { name }, job),
  deleteRisk: (name: string) => call("delete_risk_dataset", { name, if_exists: false }),
  describeRisk: (name: string) => call("describe_risk_dataset", { name }),
  /** Runs the Dataset screen's grid (reads every date in range once). */
  grid: (request: GridRequest, job: Job) => call("grid", { request }, job),
  /** Rows of a grid (running it first when it is not the one last run). */
  gridRows: (request: GridRequest, offset: number, limit: number) => call("grid_rows", { request, offset, limit }),
  exportExposures: (query: PreviewQuery, format: "csv" | "parquet", job: Job) =>
    command<string | null>("export_exposures", { query, format, ...jobArgs(job) }),
  /** A risk model at a glance: the charts of a factor group (a role), the cumulative returns of `lines` (none: the
   * largest) and the forecasts at a date (null: the defaults). */
  modelCharts: (name: string, group: string | null, lines: string[], date: string | null, width: number, height: number) =>
    command<ModelCharts>("model_charts", { name, group, lines, date, width, height }),
  /** Asks for a portfolio (or, with `benchmark`, a benchmark) file; null when cancelled. */
  choosePortfolioFile: (benchmark: boolean) => command<string | null>("choose_portfolio_file", { benchmark }),
  /** Reads a portfolio file on this computer; its ids of an id type of `model`'s reference. */
  readPortfolio: (path: string, model: string | null) => command<Portfolio>("read_portfolio", { path, model }),
  /** Run `run`'s reports (kept by the shell): the series and the full report of `date` (null: the last). */
  portfolioReport: (run: number, request: RiskRequest, date: string | null, job: Job) =>
    command<PortfolioView>("portfolio_report", { run, request, date, ...jobArgs(job) }),
  /** Asks where to save, then writes run `run`'s reports as CSV; the file, or null when cancelled. */
  exportPortfolioReport: (run: number, request: RiskRequest, job: Job) =>
    command<string | null>("export_portfolio_report", { run, request, ...jobArgs(job) }),
  portfolios: () => call("portfolios", {}),
  savePortfolio: (name: string, portfolio: Portfolio, replace: boolean) => call("save_portfolio", { name, portfolio, replace }),
  deletePortfolio: (name: string) => call("delete_portfolio", { name, if_exists: false }),
  riskModels: () => call("risk_models", {}),
  /** What committing the data staged for `dataset` would do to risk model `model` (nothing is committed or stored). */
  modelImpact: (dataset: string, model: string, job: Job) => call("model_impact", { dataset, model }, job),
  demo: (job: Job) => command<string>("make_demo", jobArgs(job)),
  cancel: (job: number) => command<null>("cancel", { job }),
  connection: () => command<Connection>("connection"),
  testConnection: (endpoint: string, key: string) => command<ServerInfo>("test_connection", { endpoint, key }),
  /** Connects to a server: a new or updated one with its key, or a saved one (no endpoint, no key). */
  connectServer: (name: string, endpoint: string | null, key: string | null) => command<Connection>("connect_server", { name, endpoint, key }),
  disconnect: () => command<Connection>("disconnect"),
  forgetServer: (name: string) => command<Connection>("forget_server", { name }),
};
