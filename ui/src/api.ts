// Typed wrappers around the Tauri commands: the only way the UI reaches the engine.
import { Channel, invoke } from "@tauri-apps/api/core";

export interface UiError { code: string; message: string; details: string[] }
export interface Step { phase: string; done: number; total: number; message: string }
export interface DatasetInfo { name: string; created: string; latest_version: number; staged: number }
export interface AppInfo { home: string; version: string; datasets: DatasetInfo[] }
export interface ScannedFile { file_name: string; path: string; name: string; date: string | null; year: number; format: string; bytes: number; status: "new" | "staged" | "committed" }
export interface ScanReport { folder: string; files: ScannedFile[]; years: { year: number; files: number; bytes: number }[]; rejected: { file_name: string; reason: string }[]; staged: number; committed: number }
export interface Diagnostic { file: string; line: number | null; column: number | null; column_name: string | null; value: string | null; message: string }
export interface StagingResult { name: string; source: string; success: boolean; parser: string | null; rows: number; dates: number; assets: number; messages: Diagnostic[] }
export interface DetailRow { _name: string; date: string; n_assets: number; min_exposure: number; max_exposure: number; mean_exposure: number; median_exposure: number; std_exposure: number }
export interface VersionInfo { version: number; created: string; mode: string; committed_names: string[]; rows: number; dates: number; first_date: string | null; last_date: string | null }
export interface History { versions: VersionInfo[]; factor_groups: string[] }
export interface ReferenceInfo { name: string; id_type: string; id_types: string[]; assets: number; exchanges: number; first_date: string | null; last_date: string | null; created: string }
export interface RiskDatasetInfo { name: string; kind: string; status: string; stale_reason: string | null; assets: number }
export interface RiskForm { references: ReferenceInfo[]; risk_datasets: RiskDatasetInfo[]; factor_groups: Record<string, string[]> }
export interface CreationReport {
  rows: number; dates: number; first_date: string | null; last_date: string | null; assets: number; coverage_assets: number;
  exchanges: string[]; unmatched_ids: number; unmatched_sample: string[]; outside_universe_assets: number; rows_outside_dates: number;
  clipped: Record<string, number>; filled: Record<string, number>; sources: { dataset: string; version: number }[]; reference_dataset: string;
}
export interface Description {
  name: string; status: string; stale_reason: string | null; created: string; first_date: string | null; last_date: string | null;
  universe_settings_menu: { id_types: string[]; exchanges: string[]; industry: Record<string, Record<string, string[]>>; region: Record<string, Record<string, string[]>> };
  report: CreationReport;
}
export interface PreviewQuery { dataset: string; start: string; end: string; id_type: string; industries: string; regions: string; standardize: boolean }
export interface Page { columns: string[]; rows: string[][]; total: number }
export interface PlotBox { left: number; right: number; top: number; bottom: number }
export interface Chart { id: string; title: string; width: number; height: number; svg: string; plot: PlotBox }
export interface DayCharts { dates: string[]; series: string[]; charts: Chart[] }
export interface Bin { lo: number; hi: number; count: number }
export interface DayHistogram { groups: string[]; group: string; histogram: { chart: Chart; bins: Bin[]; values: number; missing: number } }
export interface Exchange { code: string; assets: number }
export interface CommitResult { version: number; committed_names: string[]; mode: string; rows: number; dates: number }

/** Runs a command; failures arrive as `UiError`. */
async function call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    const err = e as Partial<UiError>;
    throw { code: err.code ?? "internal", message: err.message ?? String(e), details: err.details ?? [] } as UiError;
  }
}

function progressChannel(onStep: (s: Step) => void): Channel<Step> {
  const ch = new Channel<Step>();
  ch.onmessage = onStep;
  return ch;
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  chooseFolder: () => call<string | null>("choose_folder"),
  scan: (path: string, dataset: string | null) => call<ScanReport>("scan_folder", { path, dataset }),
  stage: (dataset: string, paths: string[], replace: boolean, onStep: (s: Step) => void) =>
    call<StagingResult[]>("stage", { dataset, paths, replace, onProgress: progressChannel(onStep) }),
  stagingDetail: (dataset: string) => call<DetailRow[]>("staging_detail", { dataset }),
  wipeStaged: (dataset: string, names: string[]) => call<StagingResult[]>("wipe_staged", { dataset, names }),
  dayCharts: (dataset: string, width: number, height: number) => call<DayCharts>("day_charts", { dataset, width, height }),
  dayHistogram: (dataset: string, name: string, date: string, group: string | null, width: number, height: number) =>
    call<DayHistogram>("day_histogram", { dataset, name, date, group, width, height }),
  commit: (dataset: string, mode: string, onStep: (s: Step) => void) =>
    call<CommitResult>("commit", { dataset, mode, onProgress: progressChannel(onStep) }),
  history: (dataset: string) => call<History>("history", { dataset }),
  riskForm: () => call<RiskForm>("risk_form"),
  referenceExchanges: (reference: string) => call<Exchange[]>("reference_exchanges", { reference }),
  createRisk: (name: string, settings: unknown, replace: boolean, onStep: (s: Step) => void) =>
    call<CreationReport>("create_risk_dataset", { name, settings, replace, onProgress: progressChannel(onStep) }),
  describeRisk: (name: string) => call<Description>("describe_risk_dataset", { name }),
  exposuresPage: (query: PreviewQuery, offset: number, limit: number) => call<Page>("exposures_page", { query, offset, limit }),
  exportExposures: (query: PreviewQuery, format: "csv" | "parquet", onStep: (s: Step) => void) =>
    call<string | null>("export_exposures", { query, format, onProgress: progressChannel(onStep) }),
  demo: (onStep: (s: Step) => void) => call<string>("make_demo", { onProgress: progressChannel(onStep) }),
  cancel: () => call<void>("cancel"),
};
