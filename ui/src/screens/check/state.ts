// The Check screen's state: what the last staging run and commit did, the staged rows with their
// charts, findings and heatmaps, the day and finding selected, and the loads that fill them.
import { batch, computed, signal } from "@preact/signals";
import { api, type CommitResult, type DayCharts, type DayHistogram, type DetailRow, type Drill, type Finding, type Heatmap, type StagingResult } from "../../api";
import type { CommitMode } from "../../bindings";
import { Action } from "../../action";
import { chartWidth } from "../../charts";
import { current, dataset, thresholds, touched } from "../../store";

/** The last staging run: into which dataset, from which paths, with what results. */
interface Staged { dataset: string; paths: string[]; results: StagingResult[]; done: string }

/** The last staging run, kept until the next one or a commit. */
export const staged = signal<Staged | null>(null);
/** The last commit, kept until the next staging run or commit. */
export const committed = signal<{ dataset: string; result: CommitResult; done: string } | null>(null);

/** The staged name × date rows. */
export const detail = signal<DetailRow[]>([]);
/** The dataset `detail` and the charts belong to. */
const detailFor = signal<string | null>(null);
export const charts = signal<DayCharts | null>(null);
/** The selected day (a date of the charts). */
export const day = signal<string | null>(null);
/** The selected day's histogram. */
export const histogram = signal<DayHistogram | null>(null);
/** The sanity checks' findings over what is staged, most severe first. */
export const findings = signal<Finding[]>([]);
/** While the checks that read the data run: `findings` holds the quick ones only. */
export const checkingAll = signal(false);
/** The factor × date heatmaps of the staged data (missing values, standardisation). */
export const heatmaps = signal<Heatmap[]>([]);
/** The heatmap shown (its index). */
export const heatShown = signal(0);
/** The finding opened in the list (its index), showing the assets behind it. */
export const opened = signal<number | null>(null);
/** The drill-down of the opened finding: its assets' values and the marked histogram. */
export const drill = signal<{ index: number; data: Drill } | null>(null);
/** The factor group the user picked for the histogram; null: the style group. */
export const histGroup = signal<string | null>(null);
/** The factor of that group the user picked; null: all its factors pooled. */
export const histFactor = signal<string | null>(null);
/** Staged names ticked for wiping. */
export const wipe = signal<ReadonlySet<string>>(new Set());
/** The detail table's sort. */
export const sort = signal<{ key: keyof DetailRow; asc: boolean }>({ key: "date", asc: true });
/** The commit mode the user picked (kept until they pick another). */
export const mode = signal<CommitMode>("append");

/** Loading the staged rows, charts, checks, histograms and drill-downs. */
export const loading = new Action();
/** Staging again the files that differ from what is staged under their names. */
export const replacing = new Action();
/** Committing the staged names. */
export const committing = new Action();
/** Wiping the ticked staged names. */
export const wiping = new Action();

/** Whether the Check step has anything to show for the current dataset. */
export const checkable = computed(() => {
  const ds = dataset.value;
  const here = current.value;
  // A destroyed dataset's cards do not count (they are hidden too).
  return here !== null && (here.staged > 0 || staged.value?.dataset === ds || committed.value?.dataset === ds);
});

/** Chart size in SVG pixels: the width of one of two columns of the content area. */
function chartSize(): { width: number; height: number } {
  const content = document.querySelector<HTMLElement>(".content");
  return { width: chartWidth(content?.clientWidth ?? 1060), height: 200 };
}

/** Shows dataset `ds`: another dataset's rows are cleared at once (they must not show under its name), then it loads. */
export function show(ds: string) {
  if (detailFor.value !== ds) {
    batch(() => {
      detail.value = [];
      charts.value = null;
      heatmaps.value = [];
      histogram.value = null;
      wipe.value = new Set();
    });
  }
  void refreshDetail();
}

let loadSeq = 0;

/** Reloads the staged detail rows of the current dataset, their checks and charts and the selected day's histogram. */
export async function refreshDetail() {
  const ds = dataset.value;
  const seq = ++loadSeq;
  try {
    const known = current.value !== null;
    const rows = known ? await api.stagingDetail(ds) : [];
    // The checks that need no data read come at once; the others follow with the charts.
    const quick = rows.length > 0 ? await api.quickCheck(ds, thresholds.value) : [];
    if (seq !== loadSeq) return;
    batch(() => {
      if (detailFor.value !== ds) {
        charts.value = null;
        heatmaps.value = [];
      }
      detail.value = rows;
      detailFor.value = ds;
      findings.value = quick;
      opened.value = null;
      checkingAll.value = rows.length > 0;
    });
    const { width, height } = chartSize();
    const [drawn, checked] = rows.length > 0
      ? await Promise.all([api.dayCharts(ds, width, height), api.checkStaging(ds, thresholds.value, 2 * width + 40, 60 + 18 * 9)])
      : [null, null];
    if (seq !== loadSeq) return;
    const names = new Set(rows.map((r) => (r._name ?? "")));
    const dates = drawn?.dates ?? [];
    batch(() => {
      detail.value = rows;
      detailFor.value = ds;
      charts.value = drawn;
      findings.value = checked?.findings ?? [];
      heatmaps.value = checked?.heatmaps ?? [];
      checkingAll.value = false;
      opened.value = null;
      wipe.value = new Set([...wipe.value].filter((n) => names.has(n)));
      // The selected day stays selected while it is staged.
      if (day.value === null || !dates.includes(day.value)) day.value = dates[0] ?? null;
      if (rows.length === 0) histogram.value = null;
      loading.error.value = null;
    });
    await loadHistogram();
  } catch (e) {
    if (seq === loadSeq) {
      checkingAll.value = false;
      loading.fail(e);
    }
  }
}

/** Drops the answer of the load going on (the checks reading staged files a commit is moving). */
export function dropLoad() {
  loadSeq++;
  checkingAll.value = false;
}

/** After staged or committed data changed: the lists, the scan card's counts and this screen. */
export async function afterChange() {
  try {
    await touched();
  } catch (e) {
    loading.fail(e);
  }
  await refreshDetail();
}

let histSeq = 0;

/** Draws the histogram of the selected day's values of the chosen group. */
export async function loadHistogram() {
  const date = day.value;
  const row = detail.value.find((r) => r.date === date);
  const seq = ++histSeq;
  if (!date || !row) {
    histogram.value = null;
    return;
  }
  try {
    const { width, height } = chartSize();
    const h = await api.dayHistogram(dataset.value, row._name ?? "", date, histGroup.value, histFactor.value, width, height);
    if (seq === histSeq) histogram.value = h;
  } catch (e) {
    if (seq === histSeq) loading.fail(e);
  }
}

/** Redraws the charts for a new window width (called once resizing pauses). */
export function onResize() {
  const drawn = charts.value?.charts[0]?.width;
  if (drawn === undefined || Math.abs(chartSize().width - drawn) < 24) return;
  void refreshDetail();
}

/** Selects `date` in every chart and the table, if it is staged, and draws its histogram. */
export function selectDate(date: string) {
  if (!(charts.value?.dates ?? []).includes(date)) return;
  day.value = date;
  void loadHistogram();
}

/** Opens (or closes) finding `i`: selects its day and loads its drill-down. */
export async function openFinding(i: number) {
  if (opened.value === i) {
    opened.value = null;
    return;
  }
  const f = findings.value[i];
  opened.value = i;
  selectDate(f.date);
  try {
    const { width } = chartSize();
    const data = await api.drillDown(dataset.value, f, width, 180);
    if (opened.value === i) drill.value = { index: i, data };
  } catch (e) {
    loading.fail(e);
  }
}
