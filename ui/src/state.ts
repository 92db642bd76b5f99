// The window's state, the redraw hook and the busy wrapper that every long action goes through.
import { api, type AppInfo, type CommitResult, type CreationReport, type DayCharts, type DayHistogram, type Description, type DetailRow, type Exchange, type History, type Page, type PreviewQuery, type RiskForm, type ScanReport, type StagingResult, type Step, type UiError } from "./api";
import { type RiskChoices } from "./risk";

export type Screen = "start" | "check" | "history" | "risk" | "dataset" | "settings";

/** How the preview picks industry or region columns: none, all, or the chosen ones. */
export interface Include { mode: "none" | "all" | "chosen"; chosen: string[] }

export interface State {
  screen: Screen;
  info: AppInfo | null;
  dataset: string;
  scan: ScanReport | null;
  dropped: string[];
  results: StagingResult[];
  detail: DetailRow[];
  /** Per-day charts of the staged data, the selected day (index into its dates) and its histogram. */
  charts: DayCharts | null;
  day: number;
  histogram: DayHistogram | null;
  /** Staged names ticked for wiping. */
  wipe: Set<string>;
  sort: { key: keyof DetailRow; asc: boolean };
  busy: { label: string; step: Step | null } | null;
  error: UiError | null;
  committed: CommitResult | null;
  history: History | null;
  riskForm: RiskForm | null;
  risk: RiskChoices;
  riskReport: CreationReport | null;
  /** The exchanges of the reference dataset chosen in the form. */
  exchanges: { reference: string; list: Exchange[] } | null;
  describe: Description | null;
  preview: { query: PreviewQuery; offset: number; page: Page | null; industries: Include; regions: Include };
  /** The last export's file. */
  exported: string | null;
  /** An open confirmation: its text and what to do on confirm. */
  confirm: { title: string; text: string; action: string; run: () => void } | null;
}

export const state: State = {
  screen: "start",
  info: null,
  dataset: "My-Exposures",
  scan: null,
  dropped: [],
  results: [],
  detail: [],
  charts: null,
  day: 0,
  histogram: null,
  wipe: new Set(),
  sort: { key: "date", asc: true },
  busy: null,
  error: null,
  committed: null,
  history: null,
  riskForm: null,
  risk: { name: "My-Risk-Dataset", reference: "", source: "", roles: {}, fill: true, huberize: true, trimAssets: "ccy_union", trimStart: "earliest_start", startDate: "", trimEnd: "latest_end", endDate: "", replace: false, exchanges: [] },
  riskReport: null,
  exchanges: null,
  describe: null,
  preview: {
    query: { dataset: "", start: "", end: "", id_type: "", industries: "none", regions: "none", standardize: true }, offset: 0, page: null,
    industries: { mode: "none", chosen: [] }, regions: { mode: "none", chosen: [] },
  },
  exported: null,
  confirm: null,
};

/** Runs long work with the progress bar shown; errors land in `state.error`. */
export async function busy<T>(label: string, work: (onStep: (s: Step) => void) => Promise<T>): Promise<T | undefined> {
  state.busy = { label, step: null };
  state.error = null;
  render();
  try {
    return await work((s) => {
      if (state.busy) state.busy.step = s;
      drawProgress();
    });
  } catch (e) {
    state.error = e as UiError;
    return undefined;
  } finally {
    state.busy = null;
    render();
  }
}

export async function refreshInfo() {
  state.info = await api.appInfo();
}

let drawAll: () => void = () => {};
let drawProgress: () => void = () => {};

/** Redraws the window (the drawing functions are set once, by main). */
export function render() {
  drawAll();
}

/** Sets how [`render`] draws the window, and how a progress step redraws just the progress bar. */
export function setRenderer(all: () => void, progress: () => void) {
  drawAll = all;
  drawProgress = progress;
}
