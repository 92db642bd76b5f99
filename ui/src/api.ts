// Typed wrappers around the Tauri commands: the only module that calls `invoke`.
import { Channel, invoke } from "@tauri-apps/api/core";

// ---------------------------------------------------------------------------------------------
// The command types, generated from the Rust types (src-tauri/tests/bindings.rs fails when
// bindings.ts is stale).
import type {
  AppInfo, Bin, Chart, CommitResult, CreationReport, DatasetInfo, DayCharts, DayHistogram, Description, DetailRow, Diagnostic,
  Exchange, History, Page, PlotBox, PreviewQuery, ReferenceInfo, RiskDatasetInfo, RiskForm, ScanReport, ScannedFile, Selection,
  StagingResult, Step, UpdateResult, VersionInfo,
  ErrorBody, Finding, Thresholds, VersionDiff, RowChanges, DateReplacement, StagingCheck, Heatmap, Drill,
  Connection, SavedServer, ServerInfo, GridRequest, GridInfo, GridColumn, GridDay, GridFilter, GridOp, GridSort, ColumnKind,
} from "./bindings";
export type {
  AppInfo, Bin, Chart, CommitResult, CreationReport, DatasetInfo, DayCharts, DayHistogram, Description, DetailRow, Diagnostic,
  Exchange, History, Page, PlotBox, PreviewQuery, ReferenceInfo, RiskDatasetInfo, RiskForm, ScanReport, ScannedFile, Selection,
  StagingResult, Step, UpdateResult, VersionInfo, Finding, Thresholds, VersionDiff, RowChanges, DateReplacement, StagingCheck, Heatmap, Drill,
  Connection, SavedServer, ServerInfo, GridRequest, GridInfo, GridColumn, GridDay, GridFilter, GridOp, GridSort, ColumnKind,
};
/** A failed command: the engine's stable code, its message and detail lines. */
export type UiError = ErrorBody;
// ---------------------------------------------------------------------------------------------

/** A long command's run: the id the UI chose for it (what `cancel` names) and where its steps go. */
export interface Job { id: number; onStep: (s: Step) => void }

/** Runs a command; failures arrive as `UiError`. */
async function call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
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

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  startupNotice: () => call<string | null>("startup_notice"),
  chooseFolder: () => call<string | null>("choose_folder"),
  scan: (path: string, dataset: string | null) => call<ScanReport>("scan_folder", { path, dataset }),
  stage: (dataset: string, paths: string[], replace: boolean, job: Job) =>
    call<StagingResult[]>("stage", { dataset, paths, replace, ...jobArgs(job) }),
  stagingDetail: (dataset: string) => call<DetailRow[]>("staging_detail", { dataset }),
  quickCheck: (dataset: string, thresholds: Thresholds | null) => call<Finding[]>("quick_check", { dataset, thresholds }),
  checkStaging: (dataset: string, thresholds: Thresholds | null, width: number, height: number) =>
    call<StagingCheck>("check_staging", { dataset, thresholds, width, height }),
  defaultThresholds: () => call<Thresholds>("default_thresholds"),
  drillDown: (dataset: string, finding: Finding, width: number, height: number) => call<Drill>("drill_down", { dataset, finding, width, height }),
  wipeStaged: (dataset: string, names: string[]) => call<StagingResult[]>("wipe_staged", { dataset, names }),
  destroyDataset: (dataset: string) => call<null>("destroy_dataset", { dataset }),
  dayCharts: (dataset: string, width: number, height: number) => call<DayCharts>("day_charts", { dataset, width, height }),
  dayHistogram: (dataset: string, name: string, date: string, group: string | null, factor: string | null, width: number, height: number) =>
    call<DayHistogram>("day_histogram", { dataset, name, date, group, factor, width, height }),
  commit: (dataset: string, mode: string, job: Job) => call<CommitResult>("commit", { dataset, mode, ...jobArgs(job) }),
  commitPreview: (dataset: string, mode: string) => call<DateReplacement[]>("commit_preview", { dataset, mode }),
  versionDiff: (dataset: string, from: number, to: number) => call<VersionDiff>("version_diff", { dataset, from, to }),
  versionDiffRows: (dataset: string, from: number, to: number, offset: number, limit: number) =>
    call<RowChanges>("version_diff_rows", { dataset, from, to, offset, limit }),
  history: (dataset: string) => call<History>("history", { dataset }),
  riskForm: () => call<RiskForm>("risk_form"),
  references: () => call<ReferenceInfo[]>("references"),
  importReference: (name: string, dir: string, idType: string, replace: boolean, job: Job) =>
    call<ReferenceInfo>("import_reference", { name, dir, idType, replace, ...jobArgs(job) }),
  deleteReference: (name: string) => call<null>("delete_reference", { name }),
  referenceExchanges: (reference: string) => call<Exchange[]>("reference_exchanges", { reference }),
  createRisk: (name: string, settings: unknown, replace: boolean, job: Job) =>
    call<CreationReport>("create_risk_dataset", { name, settings, replace, ...jobArgs(job) }),
  updateRisk: (name: string, job: Job) => call<UpdateResult>("update_risk_dataset", { name, ...jobArgs(job) }),
  deleteRisk: (name: string) => call<null>("delete_risk_dataset", { name }),
  describeRisk: (name: string) => call<Description>("describe_risk_dataset", { name }),
  /** Runs the Dataset screen's grid (reads every date in range once). */
  grid: (request: GridRequest, job: Job) => call<GridInfo>("grid", { request, ...jobArgs(job) }),
  /** Rows of a grid (running it first when it is not the one last run). */
  gridRows: (request: GridRequest, offset: number, limit: number) => call<Page>("grid_rows", { request, offset, limit }),
  exportExposures: (query: PreviewQuery, format: "csv" | "parquet", job: Job) =>
    call<string | null>("export_exposures", { query, format, ...jobArgs(job) }),
  demo: (job: Job) => call<string>("make_demo", jobArgs(job)),
  cancel: (job: number) => call<null>("cancel", { job }),
  connection: () => call<Connection>("connection"),
  testConnection: (endpoint: string, key: string) => call<ServerInfo>("test_connection", { endpoint, key }),
  /** Connects to a server: a new or updated one with its key, or a saved one (no endpoint, no key). */
  connectServer: (name: string, endpoint: string | null, key: string | null) => call<Connection>("connect_server", { name, endpoint, key }),
  disconnect: () => call<Connection>("disconnect"),
  forgetServer: (name: string) => call<Connection>("forget_server", { name }),
};
