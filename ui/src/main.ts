// The Riskdesk window: a sidebar of workflow steps and one screen at a time.
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api, AppInfo, Chart, CommitResult, CreationReport, DayCharts, DayHistogram, Description, DetailRow, Exchange, History, Page, PreviewQuery, RiskForm, ScanReport, StagingResult, Step, UiError } from "./api";
import { slotAt, slotCentre, svgX } from "./charts";
import { buildSettings, guessRole, ROLES, roleProblems, RiskChoices } from "./risk";
import { bytes, diagnostic, f32, int, sortRows } from "./format";

type Screen = "start" | "check" | "history" | "risk" | "dataset" | "settings";

/** How the preview picks industry or region columns: none, all, or the chosen ones. */
interface Include { mode: "none" | "all" | "chosen"; chosen: string[] }

interface State {
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

const state: State = {
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

/** Creates an element with attributes (on* become listeners) and children. */
function h(tag: string, attrs: Record<string, unknown> = {}, ...children: (Node | string | null | false)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v as EventListener);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== false) el.append(c);
  return el;
}

/** Runs long work with the progress bar shown; errors land in `state.error`. */
async function busy<T>(label: string, work: (onStep: (s: Step) => void) => Promise<T>): Promise<T | undefined> {
  state.busy = { label, step: null };
  state.error = null;
  render();
  try {
    return await work((s) => {
      if (state.busy) state.busy.step = s;
      renderProgress();
    });
  } catch (e) {
    state.error = e as UiError;
    return undefined;
  } finally {
    state.busy = null;
    render();
  }
}

async function refreshInfo() {
  state.info = await api.appInfo();
}

async function scanFolder(path: string) {
  const report = await busy("Scanning", () => api.scan(path, state.dataset || null));
  if (report) {
    state.scan = report;
    state.dropped = [];
  }
  render();
}

async function chooseFolder() {
  try {
    const path = await api.chooseFolder();
    if (path) await scanFolder(path);
  } catch (e) {
    state.error = e as UiError;
    render();
  }
}

async function onDrop(paths: string[]) {
  if (paths.length === 1) {
    try {
      state.scan = await api.scan(paths[0], state.dataset || null);
      state.dropped = [];
      state.error = null;
      render();
      return;
    } catch {
      // Not a folder: stage the file itself.
    }
  }
  state.scan = null;
  state.dropped = paths;
  render();
}

async function stage() {
  const paths = state.scan ? [state.scan.folder] : state.dropped;
  const results = await busy("Staging", (onStep) => api.stage(state.dataset, paths, false, onStep));
  if (results) {
    state.results = results;
    state.committed = null; // the last commit's card belongs to the files before these
    state.screen = "check";
    await refreshInfo();
    await refreshDetail();
  }
  render();
}

async function tryDemo() {
  const folder = await busy("Generating demo data", (onStep) => api.demo(onStep));
  if (folder) await scanFolder(folder);
}

async function commit(mode: string) {
  const n = state.detail.length;
  const what: Record<string, string> = {
    append: "add these rows; refused if any key is already committed",
    upsert: "add new keys and replace the values of keys already committed",
    overwrite_dates: "replace every committed row of these dates",
    overwrite: "replace ALL committed data with these rows",
  };
  state.confirm = {
    title: `Commit to ${state.dataset}?`,
    text: `${n} staged date(s), mode ${mode}: ${what[mode]}. A new version is made; older versions stay readable.`,
    action: `Commit (${mode})`,
    run: () => void doCommit(mode),
  };
  render();
}

async function doCommit(mode: string) {
  const result = await busy("Committing", (onStep) => api.commit(state.dataset, mode, onStep));
  if (result) {
    state.committed = result;
    await refreshInfo();
    await refreshDetail();
  }
  render();
}

/** Chart size in SVG pixels: the width of one of two columns, so that text is drawn at its size. */
function chartSize(): { width: number; height: number } {
  const content = document.querySelector<HTMLElement>(".content");
  const inner = Math.min((content?.clientWidth ?? 1060) - 64, 1840);
  return { width: Math.max(360, Math.floor((inner - 14) / 2 - 26)), height: 200 };
}

/** Draws the per-day charts of the staged rows at the current window width. */
async function loadCharts() {
  const { width, height } = chartSize();
  state.charts = state.detail.length > 0 ? await api.dayCharts(state.dataset, width, height) : null;
}

/** Reloads the staged detail rows, their charts and the selected day's histogram. */
async function refreshDetail() {
  try {
    const known = state.info?.datasets.some((d) => d.name === state.dataset);
    state.detail = known ? await api.stagingDetail(state.dataset) : [];
    const names = new Set(state.detail.map((r) => r._name));
    state.wipe = new Set([...state.wipe].filter((n) => names.has(n)));
    const before = state.charts?.dates[state.day];
    await loadCharts();
    // The selected day stays selected while it is staged.
    const dates = state.charts?.dates ?? [];
    state.day = before !== undefined && dates.includes(before) ? dates.indexOf(before) : Math.min(state.day, Math.max(0, dates.length - 1));
    render();
    await loadHistogram(state.histogram?.group ?? null);
  } catch (e) {
    state.error = e as UiError;
    render();
  }
}

/** Draws the histogram of the selected day's values of `group` (the style group by default). */
async function loadHistogram(group: string | null) {
  const date = state.charts?.dates[state.day];
  const row = state.detail.find((r) => r.date === date);
  if (!date || !row) {
    state.histogram = null;
    return render();
  }
  try {
    const { width, height } = chartSize();
    state.histogram = await api.dayHistogram(state.dataset, row._name, date, group, width, height);
  } catch (e) {
    state.error = e as UiError;
  }
  render();
}

function selectDay(i: number) {
  const n = state.charts?.dates.length ?? 0;
  if (n === 0) return;
  state.day = Math.max(0, Math.min(n - 1, i));
  render();
  void loadHistogram(state.histogram?.group ?? null);
}

function wipeSelected() {
  const names = [...state.wipe].sort();
  state.confirm = {
    title: `Wipe ${names.length} staged name(s)?`,
    text: `${names.slice(0, 5).join(", ")}${names.length > 5 ? ` and ${names.length - 5} more` : ""} will be removed from staging. Committed versions are not touched; the files can be staged again.`,
    action: "Wipe",
    run: () => void (async () => {
      const wiped = await busy("Wiping", () => api.wipeStaged(state.dataset, names));
      if (wiped) {
        state.wipe.clear();
        state.results = state.results.filter((r) => !names.includes(r.name));
        await refreshInfo();
        await refreshDetail();
      }
    })(),
  };
  render();
}

async function showHistory() {
  state.screen = "history";
  state.history = null;
  render();
  try {
    state.history = await api.history(state.dataset);
  } catch (e) {
    state.error = e as UiError;
  }
  render();
}

async function showRisk() {
  state.screen = "risk";
  state.riskReport = null;
  try {
    const form = await api.riskForm();
    state.riskForm = form;
    const r = state.risk;
    if (!form.references.some((x) => x.name === r.reference)) r.reference = form.references[0]?.name ?? "";
    if (!(r.source in form.factor_groups)) r.source = state.dataset in form.factor_groups ? state.dataset : Object.keys(form.factor_groups)[0] ?? "";
    r.roles = Object.fromEntries((form.factor_groups[r.source] ?? []).map((g) => [g, r.roles[g] ?? guessRole(g)]));
    await loadExchanges();
  } catch (e) {
    state.error = e as UiError;
  }
  render();
}

/** Lists the chosen reference's exchanges; choices no longer listed are dropped. */
async function loadExchanges() {
  const reference = state.risk.reference;
  if (!reference || state.exchanges?.reference === reference) return;
  state.exchanges = { reference, list: await api.referenceExchanges(reference) };
  state.risk.exchanges = state.risk.exchanges.filter((x) => state.exchanges!.list.some((e) => e.code === x));
}

async function createRisk() {
  const r = state.risk;
  const report = await busy("Creating the risk dataset", (onStep) => api.createRisk(r.name, buildSettings(r), r.replace, onStep));
  if (report) {
    state.riskReport = report;
    state.riskForm = await api.riskForm();
  }
  render();
}

const PAGE = 100;

async function showDataset(name?: string) {
  state.screen = "dataset";
  const form = state.riskForm ?? (await api.riskForm().catch(() => null));
  state.riskForm = form;
  const user = form?.risk_datasets.filter((d) => d.kind === "user") ?? [];
  const chosen = name ?? (user.some((d) => d.name === state.preview.query.dataset) ? state.preview.query.dataset : user[0]?.name);
  if (!chosen) return render();
  state.preview.query.dataset = chosen;
  state.describe = null;
  render();
  try {
    state.describe = await api.describeRisk(chosen);
    // The date pickers start at the dataset's own range.
    state.preview.query.start = state.describe.first_date ?? "";
    state.preview.query.end = state.describe.last_date ?? "";
  } catch (e) {
    state.error = e as UiError;
  }
  await loadPage(0);
}

/** The engine's selection syntax for an include choice. */
function selection(inc: Include): string {
  return inc.mode === "chosen" ? inc.chosen.join(",") || "all" : inc.mode;
}

async function exportPreview(format: "csv" | "parquet") {
  const q = state.preview.query;
  q.industries = selection(state.preview.industries);
  q.regions = selection(state.preview.regions);
  const path = await busy(`Exporting ${format.toUpperCase()}`, (onStep) => api.exportExposures(q, format, onStep));
  if (path) state.exported = path;
  render();
}

async function loadPage(offset: number) {
  state.preview.query.industries = selection(state.preview.industries);
  state.preview.query.regions = selection(state.preview.regions);
  const page = await busy("Loading exposures", () => api.exposuresPage(state.preview.query, offset, PAGE));
  if (page) {
    state.preview.page = page;
    state.preview.offset = offset;
  }
  render();
}

function sidebar(): HTMLElement {
  const step = (id: Screen, n: string, label: string, enabled: boolean, go: () => void) =>
    h("button", { class: `step ${state.screen === id ? "current" : ""}`, id: `nav-${id}`, disabled: !enabled, "aria-current": state.screen === id ? "step" : false, onclick: go },
      h("span", { class: "stepnum" }, n), label);
  const show = (id: Screen) => () => ((state.screen = id), render());
  const known = state.info?.datasets.some((d) => d.name === state.dataset) ?? false;
  return h("nav", { class: "sidebar" },
    h("div", { class: "brand" }, h("span", { class: "logo" }, "R"), "Riskdesk"),
    step("start", "1", "Upload", true, show("start")),
    step("check", "2", "Check & commit", state.detail.length > 0 || state.results.length > 0 || state.committed !== null, () => { show("check")(); void refreshDetail(); }),
    step("history", "3", "History", known, showHistory),
    step("risk", "4", "Risk dataset", state.info?.datasets.some((d) => d.latest_version > 0) ?? false, showRisk),
    step("dataset", "5", "Dataset", (state.riskForm?.risk_datasets.some((d) => d.kind === "user") ?? false) || state.riskReport !== null, () => showDataset()),
    h("div", { class: "spacer" }),
    step("settings", "⚙", "Settings", true, show("settings")),
    h("div", { class: "home" }, h("div", { class: "muted" }, "Dataset"), h("code", {}, state.dataset || "–")));
}

function errorBox(): HTMLElement | null {
  const e = state.error;
  if (!e) return null;
  const text = [e.message, ...e.details].join("\n");
  const shown = [e.message, ...e.details.slice(0, 6)];
  if (e.details.length > 6) shown.push(`… and ${e.details.length - 6} more (Copy details has them all)`);
  return h("div", { class: "error", role: "alert" },
    h("strong", {}, `Error (${e.code})`), h("pre", {}, shown.join("\n")),
    h("button", { onclick: () => navigator.clipboard.writeText(text) }, "Copy details"),
    h("button", { onclick: () => ((state.error = null), render()) }, "Dismiss"));
}

function startScreen(): HTMLElement {
  const datasets = state.info?.datasets ?? [];
  const picker = h("div", { class: "field" },
    h("label", { for: "dataset" }, "Exposure dataset"),
    h("input", { id: "dataset", list: "datasets", value: state.dataset, oninput: (e: Event) => (state.dataset = (e.target as HTMLInputElement).value) }),
    h("datalist", { id: "datasets" }, ...datasets.map((d) => h("option", { value: d.name }, `${d.name} (v${d.latest_version}, ${d.staged} staged)`))));
  const drop = h("div", { class: "dropzone", id: "dropzone" },
    h("div", { class: "big" }, "Drop a folder of daily exposure files here"),
    h("div", { class: "muted" }, "or files and ZIPs: <prefix>_YYYY-MM-DD.csv, .csv.gz, .parquet, .zip"),
    h("div", { class: "actions" },
      h("button", { class: "primary", id: "choose-folder", onclick: chooseFolder }, "Choose folder…"),
      datasets.length === 0 ? h("button", { onclick: tryDemo }, "Try with demo data") : null));
  const current = datasets.find((d) => d.name === state.dataset);
  const waiting = current && current.staged > 0 && !state.scan
    ? h("section", { class: "card", id: "waiting" }, h("p", {}, `${int(current.staged)} staged name(s) in ${current.name} wait to be checked and committed. `,
        h("button", { onclick: () => { state.screen = "check"; render(); void refreshDetail(); } }, "Check them ›")))
    : null;
  const parts: (HTMLElement | null)[] = [h("h1", {}, "Upload exposures"), picker, drop, waiting];
  const s = state.scan;
  if (s) {
    parts.push(h("section", { class: "card", id: "scan" },
      h("h2", {}, `Found ${int(s.files.length)} files in ${s.folder}`),
      h("p", {}, `Years: ${s.years.map((y) => `${y.year} (${int(y.files)} files, ${bytes(y.bytes)})`).join(", ") || "none"}`),
      h("p", {}, `Already staged: ${s.staged} · already committed: ${s.committed}`),
      s.rejected.length > 0
        ? h("details", { open: true }, h("summary", {}, `${s.rejected.length} file(s) left out`),
            h("ul", {}, ...s.rejected.map((r) => h("li", {}, h("code", {}, r.file_name), ` — ${r.reason}`))))
        : null,
      h("button", { class: "primary", id: "stage", disabled: s.files.length === 0 || !state.dataset, onclick: stage }, `Stage ${int(s.files.length)} files into ${state.dataset}`)));
  } else if (state.dropped.length > 0) {
    parts.push(h("section", { class: "card" }, h("h2", {}, `${state.dropped.length} file(s) dropped`),
      h("ul", {}, ...state.dropped.map((p) => h("li", {}, h("code", {}, p)))),
      h("button", { class: "primary", onclick: stage }, `Stage into ${state.dataset}`)));
  }
  return h("main", {}, ...parts);
}

/** One engine chart with a hover read-out of the slot under the pointer and, if `pick`, click and arrow keys to choose one. */
function chartFigure(chart: Chart, slots: number, describe: (i: number) => string, hint: string, selected: number | null, pick?: (i: number) => void, extra?: HTMLElement): HTMLElement {
  const svg = h("div", { class: "svg" });
  svg.innerHTML = chart.svg; // drawn by the engine from numbers, not from user text
  const top = (100 * chart.plot.top) / chart.height, height = (100 * (chart.plot.bottom - chart.plot.top)) / chart.height;
  const line = (cls: string, i: number) => h("div", { class: cls, style: `left:${100 * slotCentre(chart.plot, slots, i, chart.width)}%;top:${top}%;height:${height}%` });
  const cursor = line("cursor", 0);
  cursor.hidden = true;
  if (selected !== null && selected < slots) svg.append(line("mark", selected));
  svg.append(cursor);
  const readout = h("div", { class: "readout" }, selected !== null && pick ? describe(selected) : hint);
  const at = (e: MouseEvent) => {
    const rect = svg.getBoundingClientRect();
    return slotAt(chart.plot, slots, svgX(e.clientX, rect.left, rect.width, chart.width));
  };
  svg.addEventListener("mousemove", (e) => {
    const i = at(e);
    cursor.hidden = i === null;
    if (i === null) return;
    cursor.style.left = `${100 * slotCentre(chart.plot, slots, i, chart.width)}%`;
    readout.textContent = describe(i);
  });
  svg.addEventListener("mouseleave", () => {
    cursor.hidden = true;
    readout.textContent = selected !== null && pick ? describe(selected) : hint;
  });
  const figure = h("figure", { class: `chart ${pick ? "pickable" : ""}`, id: `chart-${chart.id}`, tabindex: pick ? 0 : false, "aria-label": chart.title },
    h("figcaption", {}, h("span", { class: "title" }, chart.title), extra ?? null), svg, readout);
  if (pick) {
    svg.addEventListener("click", (e) => { const i = at(e); if (i !== null) pick(i); });
    figure.addEventListener("keydown", (e) => {
      const k = (e as KeyboardEvent).key;
      if ((k === "ArrowLeft" || k === "ArrowRight") && selected !== null) {
        e.preventDefault();
        pick(selected + (k === "ArrowLeft" ? -1 : 1));
        queueMicrotask(() => document.getElementById(figure.id)?.focus());
      }
    });
  }
  return figure;
}

function chartsSection(): HTMLElement | null {
  const c = state.charts;
  if (!c || c.charts.length === 0) return null;
  const rowsOn = (i: number) => state.detail.filter((r) => r.date === c.dates[i]);
  const each = (i: number, f: (r: DetailRow) => string) => `${c.dates[i]} · ` + (rowsOn(i).map((r) => (c.series.length > 1 ? `${r._name}: ` : "") + f(r)).join(" · ") || "no data");
  const text: Record<string, (i: number) => string> = {
    assets: (i) => each(i, (r) => `${int(r.n_assets)} assets`),
    range: (i) => each(i, (r) => `${f32(r.min_exposure)} … ${f32(r.max_exposure)} · mean ${f32(r.mean_exposure)} · median ${f32(r.median_exposure)}`),
    std: (i) => each(i, (r) => `std ${f32(r.std_exposure)}`),
  };
  const hint = "Point at a day for its values; click to pick it";
  const figures = c.charts.map((ch) => chartFigure(ch, c.dates.length, text[ch.id] ?? ((i) => c.dates[i]), hint, state.day, selectDay));
  const hg = state.histogram;
  if (hg) {
    const bins = hg.histogram.bins;
    const groupPicker = hg.groups.length > 1
      ? h("select", { id: "histgroup", onchange: (e: Event) => void loadHistogram((e.target as HTMLSelectElement).value) }, ...hg.groups.map((g) => h("option", { value: g, selected: g === hg.group }, g)))
      : null;
    const summary = `${int(hg.histogram.values)} values${hg.histogram.missing > 0 ? `, ${int(hg.histogram.missing)} missing` : ""}`;
    figures.push(chartFigure(hg.histogram.chart, bins.length,
      (i) => `[${f32(bins[i].lo)}, ${f32(bins[i].hi)}${i === bins.length - 1 ? "]" : ")"}: ${int(bins[i].count)} values`, summary, null, undefined, groupPicker ?? undefined));
  } else {
    figures.push(h("figure", { class: "chart empty", id: "chart-histogram" }, h("figcaption", {}, "Histogram of the selected day"), h("p", { class: "muted" }, "Loading…")));
  }
  return h("section", { class: "charts", id: "charts" }, ...figures);
}

function checkScreen(): HTMLElement {
  const failed = state.results.filter((r) => !r.success);
  const cols: [keyof DetailRow, string, boolean][] = [
    ["_name", "Name", false], ["date", "Date", false], ["n_assets", "Assets", true], ["min_exposure", "Min", true],
    ["max_exposure", "Max", true], ["mean_exposure", "Mean", true], ["median_exposure", "Median", true], ["std_exposure", "Std", true],
  ];
  const allNames = [...new Set(state.detail.map((r) => r._name))];
  const tickAll = h("input", { type: "checkbox", id: "wipe-all", "aria-label": "Select all staged names", checked: allNames.length > 0 && state.wipe.size === allNames.length,
    onchange: (e: Event) => { state.wipe = (e.target as HTMLInputElement).checked ? new Set(allNames) : new Set(); render(); } });
  const header = h("tr", {}, h("th", { class: "tick" }, tickAll), ...cols.map(([key, label, num]) => h("th", {
    class: num ? "num" : "", onclick: () => { state.sort = { key, asc: state.sort.key === key ? !state.sort.asc : true }; render(); },
  }, label + (state.sort.key === key ? (state.sort.asc ? " ▲" : " ▼") : ""))));
  const selectedDate = state.charts?.dates[state.day];
  const rows = sortRows(state.detail, state.sort.key, state.sort.asc).map((r) => h("tr", {
      class: r.date === selectedDate ? "selected" : "",
      onclick: (e: Event) => { if ((e.target as HTMLElement).tagName !== "INPUT" && state.charts) selectDay(state.charts.dates.indexOf(r.date)); },
    },
    h("td", { class: "tick" }, h("input", { type: "checkbox", id: `wipe-${r._name}`, "aria-label": `Select ${r._name}`, checked: state.wipe.has(r._name),
      onchange: (e: Event) => { if ((e.target as HTMLInputElement).checked) state.wipe.add(r._name); else state.wipe.delete(r._name); render(); } })),
    h("td", {}, r._name), h("td", {}, r.date), h("td", { class: "num" }, int(r.n_assets)),
    ...[r.min_exposure, r.max_exposure, r.mean_exposure, r.median_exposure, r.std_exposure].map((v) => h("td", { class: "num" }, f32(v)))));
  const mode = h("select", { id: "mode" }, ...["append", "upsert", "overwrite_dates", "overwrite"].map((m) => h("option", { value: m }, m))) as HTMLSelectElement;
  const c = state.committed;
  return h("main", {},
    h("h1", {}, `Check ${state.dataset}`),
    failed.length > 0 ? h("section", { class: "card failures", id: "failures" }, h("h2", {}, `${failed.length} file(s) failed to stage`),
      ...failed.map((r) => h("div", {}, h("strong", {}, r.source), h("pre", {}, r.messages.map(diagnostic).join("\n"))))) : null,
    c ? h("section", { class: "card ok", id: "committed" }, h("h2", {}, `Committed version ${c.version}`),
      h("p", {}, `${int(c.committed_names.length)} names (${c.mode}): ${c.committed_names.slice(0, 4).join(", ")}${c.committed_names.length > 4 ? `, … ${c.committed_names.length - 4} more` : ""}. The version holds ${int(c.rows)} rows over ${c.dates} dates.`),
      h("div", { class: "actions left" }, h("button", { onclick: showRisk }, "Create a risk dataset ›"), h("button", { onclick: showHistory }, "History"))) : null,
    state.detail.length === 0 ? h("p", { class: "muted" }, c ? "Nothing else is staged." : "Nothing is staged: drop files on the Upload screen.") : null,
    state.detail.length > 0 ? chartsSection() : null,
    state.detail.length === 0 ? null :
      h("section", { class: "card" },
        h("div", { class: "toolbar" }, h("span", {}, `${state.detail.length} staged name × date rows`),
          h("button", { id: "wipe", disabled: state.wipe.size === 0, onclick: wipeSelected }, `Wipe selected${state.wipe.size > 0 ? ` (${state.wipe.size})` : ""}…`),
          h("span", { class: "spacer" }), h("label", { for: "mode" }, "Commit mode"), mode,
          h("button", { class: "primary", id: "commit", onclick: () => commit(mode.value) }, "Commit…")),
        h("div", { class: "tablewrap", "data-scroll": "detail" }, h("table", { id: "detail" }, h("thead", {}, header), h("tbody", {}, ...rows)))));
}

function historyScreen(): HTMLElement {
  const hist = state.history;
  if (!hist) return h("main", {}, h("h1", {}, `History of ${state.dataset}`), h("p", { class: "muted" }, "Loading…"));
  const rows = [...hist.versions].reverse().map((v) => h("tr", {},
    h("td", { class: "num" }, String(v.version)), h("td", {}, v.created.slice(0, 19).replace("T", " ")), h("td", {}, v.mode),
    h("td", { class: "num" }, int(v.committed_names.length)), h("td", { class: "num" }, int(v.rows)), h("td", { class: "num" }, int(v.dates)),
    h("td", {}, v.first_date && v.last_date ? `${v.first_date} – ${v.last_date}` : "–"),
    h("td", {}, h("details", {}, h("summary", {}, `${v.committed_names.length} names`), h("div", { class: "names" }, v.committed_names.join(", "))))));
  return h("main", {},
    h("h1", {}, `History of ${state.dataset}`),
    hist.versions.length === 0 ? h("p", { class: "muted" }, "Nothing has been committed yet.") :
      h("section", { class: "card" },
        h("p", {}, "Factor groups of the latest version: ", ...hist.factor_groups.map((g) => h("span", { class: "chip" }, g))),
        h("div", { class: "tablewrap" }, h("table", { id: "history" },
          h("thead", {}, h("tr", {}, ...["Version", "Committed (UTC)", "Mode", "Names", "Rows", "Dates", "Range", "Names committed"].map((c, i) => h("th", { class: [0, 3, 4, 5].includes(i) ? "num" : "" }, c)))),
          h("tbody", {}, ...rows)))));
}

/** What a creation did: rows, dates, the coverage universe, unmatched ids, and per style the values clipped and filled. */
function creationReport(report: CreationReport): (HTMLElement | null)[] {
  const styles = [...new Set([...Object.keys(report.clipped), ...Object.keys(report.filled)])];
  return [
    h("p", {}, `${int(report.rows)} rows: ${int(report.assets)} assets over ${report.dates} dates (${report.first_date} – ${report.last_date}); coverage universe ${int(report.coverage_assets)} assets on ${report.exchanges.length} exchanges.`),
    report.unmatched_ids > 0 ? h("p", {}, `${int(report.unmatched_ids)} uploaded ids match no reference asset, e.g. ${report.unmatched_sample.join(", ")}`) : null,
    report.outside_universe_assets > 0 ? h("p", {}, `${int(report.outside_universe_assets)} uploaded assets fall outside the universe and were left out.`) : null,
    styles.length === 0 ? null :
      h("table", { class: "compact" }, h("thead", {}, h("tr", {}, h("th", {}, "Style"), h("th", { class: "num" }, "Clipped"), h("th", { class: "num" }, "Filled"))),
        h("tbody", {}, ...styles.map((k) => h("tr", {}, h("td", {}, k), h("td", { class: "num" }, int(report.clipped[k] ?? 0)), h("td", { class: "num" }, int(report.filled[k] ?? 0)))))),
  ];
}

function riskScreen(): HTMLElement {
  const form = state.riskForm;
  const r = state.risk;
  if (!form) return h("main", {}, h("h1", {}, "Create a risk dataset"), h("p", { class: "muted" }, "Loading…"));
  const select = (id: string, value: string, options: [string, string][], onchange: (v: string) => void) =>
    h("select", { id, onchange: (e: Event) => { onchange((e.target as HTMLSelectElement).value); render(); } },
      ...options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
  const row = (label: string, control: HTMLElement, hint?: string) =>
    h("div", { class: "formrow" }, h("label", {}, label), control, hint ? h("span", { class: "muted" }, hint) : null);
  const exists = form.risk_datasets.some((d) => d.name === r.name && d.kind === "user");
  const problems = roleProblems(r.roles);
  if (!r.name.trim()) problems.push("Give the risk dataset a name.");
  if (exists && !r.replace) problems.push(`'${r.name}' exists: tick "Replace it" or choose another name.`);
  if (!r.reference) problems.push("There is no reference dataset yet: press \"Try with demo data\" or import one with the CLI.");
  if (r.trimStart === "date" && !r.startDate) problems.push("Pick the start date.");
  if (r.trimEnd === "date" && !r.endDate) problems.push("Pick the end date.");
  const groups = form.factor_groups[r.source] ?? [];
  const report = state.riskReport;
  return h("main", {},
    h("h1", {}, "Create a risk dataset"),
    report ? h("section", { class: "card ok", id: "report" },
      h("h2", {}, `Created ${r.name}`, " ", h("button", { id: "open-dataset", onclick: () => showDataset(r.name) }, "Open dataset ›")),
      ...creationReport(report)) : null,
    h("section", { class: "card form" },
      row("Name", h("input", { id: "riskname", value: r.name, oninput: (e: Event) => { r.name = (e.target as HTMLInputElement).value; } , onchange: () => render() }),
        exists ? "exists" : undefined),
      exists ? row("", h("label", { class: "check" }, h("input", { type: "checkbox", checked: r.replace, onchange: (e: Event) => { r.replace = (e.target as HTMLInputElement).checked; render(); } }), " Replace it")) : h("span", {}),
      row("Reference dataset", select("reference", r.reference, form.references.map((x) => [x.name, `${x.name} (${int(x.assets)} assets)`]), (v) => { r.reference = v; void loadExchanges().then(render, (e) => { state.error = e as UiError; render(); }); })),
      row("Exposure source", select("source", r.source, Object.keys(form.factor_groups).map((d) => [d, d]), (v) => { r.source = v; r.roles = Object.fromEntries((form.factor_groups[v] ?? []).map((g) => [g, guessRole(g)])); })),
      h("h2", {}, "Factor groups"),
      ...groups.map((g) => row(g, select(`role-${g}`, r.roles[g] ?? "ignore", ROLES.map((x) => [x, x]), (v) => (r.roles[g] = v as RiskChoices["roles"][string])))),
      h("h2", {}, "Styles"),
      row("", h("label", { class: "check" }, h("input", { type: "checkbox", checked: r.fill, onchange: (e: Event) => (r.fill = (e.target as HTMLInputElement).checked) }), " Fill missing values with industry means")),
      row("", h("label", { class: "check" }, h("input", { type: "checkbox", checked: r.huberize, onchange: (e: Event) => (r.huberize = (e.target as HTMLInputElement).checked) }), " Huberize (clip beyond median ± 3 × 1.4826 × MAD)")),
      h("h2", {}, "Universe and dates"),
      row("Trim assets", select("trimassets", r.trimAssets, [["ccy_union", "ccy_union: currencies of the uploaded assets"], ["asset_union", "asset_union: uploaded assets only"], ["none", "none: every reference asset"]], (v) => (r.trimAssets = v))),
      row("Start", h("span", { class: "inline" }, select("trimstart", r.trimStart, [["earliest_start", "earliest start"], ["latest_start", "latest start"], ["none", "none"], ["date", "a date…"]], (v) => (r.trimStart = v)),
        r.trimStart === "date" ? h("input", { type: "date", value: r.startDate, onchange: (e: Event) => { r.startDate = (e.target as HTMLInputElement).value; render(); } }) : null)),
      row("End", h("span", { class: "inline" }, select("trimend", r.trimEnd, [["latest_end", "latest end"], ["earliest_end", "earliest end"], ["none", "none"], ["date", "a date…"]], (v) => (r.trimEnd = v)),
        r.trimEnd === "date" ? h("input", { type: "date", value: r.endDate, onchange: (e: Event) => { r.endDate = (e.target as HTMLInputElement).value; render(); } }) : null)),
      Object.assign(row("Exchanges", exchangePicker()), { className: "formrow top" }),
      problems.length > 0 ? h("ul", { class: "problems" }, ...problems.map((p) => h("li", {}, p))) : null,
      h("div", { class: "actions left" }, h("button", { class: "primary", id: "create", disabled: problems.length > 0, onclick: createRisk }, "Create"))));
}

/** The exchange multi-select: a collapsible list of checkboxes with asset counts; none ticked keeps all. */
function exchangePicker(): HTMLElement {
  const r = state.risk;
  const list = state.exchanges?.reference === r.reference ? state.exchanges.list : [];
  if (list.length === 0) return h("span", { class: "muted" }, r.reference ? "Loading exchanges…" : "Choose a reference dataset first");
  const toggle = (code: string, on: boolean) => {
    r.exchanges = on ? [...r.exchanges, code] : r.exchanges.filter((x) => x !== code);
    render();
  };
  return h("details", { class: "picker", id: "exchanges", open: r.exchanges.length > 0 },
    h("summary", {}, r.exchanges.length === 0 ? `All ${list.length} exchanges (tick some to keep only those)` : `Only ${[...r.exchanges].sort().join(", ")}`),
    h("div", { class: "pickergrid", "data-scroll": "exchanges" }, ...list.map((e) => h("label", { class: "check" },
      h("input", { type: "checkbox", id: `exchange-${e.code}`, value: e.code, checked: r.exchanges.includes(e.code), onchange: (ev: Event) => toggle(e.code, (ev.target as HTMLInputElement).checked) }),
      ` ${e.code}`, h("span", { class: "muted" }, ` ${int(e.assets)}`)))),
    r.exchanges.length > 0 ? h("button", { onclick: () => { r.exchanges = []; render(); } }, "Keep all") : null);
}

/** None / all / chosen columns of a categorical group in the preview. */
function includeMode(label: string, inc: Include): HTMLElement {
  const mode = h("select", { id: `include-${label}`, onchange: (e: Event) => { inc.mode = (e.target as HTMLSelectElement).value as Include["mode"]; void loadPage(0); } },
    ...[["none", "none"], ["all", "all"], ["chosen", "chosen…"]].map(([v, t]) => h("option", { value: v, selected: v === inc.mode }, t)));
  return h("label", { class: "control" }, h("span", { class: "muted" }, label), mode);
}

/** The checkbox list of a group whose mode is "chosen": its columns, and the assets kept are their members. */
function includeList(label: string, inc: Include, options: string[]): HTMLElement | null {
  if (inc.mode !== "chosen") return null;
  const toggle = (o: string, on: boolean) => {
    inc.chosen = on ? [...inc.chosen, o] : inc.chosen.filter((x) => x !== o);
    void loadPage(0);
  };
  return h("div", { class: "includelist" },
    h("div", { class: "muted" }, `${label}: ${inc.chosen.length === 0 ? "all (tick some to keep only their members)" : `${inc.chosen.length} of ${options.length}, only their members are kept`}`),
    h("div", { class: "pickergrid wide", "data-scroll": `include-${label}` }, ...options.map((o) => h("label", { class: "check", title: o },
      h("input", { type: "checkbox", id: `include-${label}-${o}`, checked: inc.chosen.includes(o), onchange: (e: Event) => toggle(o, (e.target as HTMLInputElement).checked) }),
      ` ${o.slice(o.indexOf(".") + 1)}`))));
}

function datasetScreen(): HTMLElement {
  const d = state.describe;
  const p = state.preview;
  const user = state.riskForm?.risk_datasets.filter((x) => x.kind === "user") ?? [];
  const chips = (items: string[]) => h("div", { class: "chips" }, ...items.map((x) => h("span", { class: "chip" }, x)));
  const q = p.query;
  const control = (label: string, el: HTMLElement) => h("label", { class: "control" }, h("span", { class: "muted" }, label), el);
  const select = (value: string, options: string[], set: (v: string) => void) =>
    h("select", { onchange: (e: Event) => { set((e.target as HTMLSelectElement).value); void loadPage(0); } }, ...options.map((o) => h("option", { value: o, selected: o === value }, o)));
  const date = (value: string, set: (v: string) => void) =>
    h("input", { type: "date", value, onchange: (e: Event) => { set((e.target as HTMLInputElement).value); void loadPage(0); } });
  const page = p.page;
  const numeric = (c: string) => c.includes(".");
  return h("main", {},
    h("h1", {}, "Dataset ", select(q.dataset, user.map((u) => u.name), (v) => void showDataset(v))),
    d ? h("section", { class: "card", id: "describe" },
      h("p", {}, h("strong", {}, d.status === "ready" ? "Ready" : `Stale: ${d.stale_reason}`), ` · ${d.first_date} – ${d.last_date} · ${int(d.report.assets)} assets · ${int(d.report.rows)} rows · reference ${d.report.reference_dataset}`),
      h("details", { id: "coverage" }, h("summary", {}, `Coverage report: ${int(d.report.assets)} of ${int(d.report.coverage_assets)} universe assets have exposures`), h("div", { class: "report" }, ...creationReport(d.report))),
      h("div", { class: "muted" }, "Id types"), chips(d.universe_settings_menu.id_types),
      h("details", {}, h("summary", {}, `Exchanges (${d.universe_settings_menu.exchanges.length})`), chips(d.universe_settings_menu.exchanges)),
      ...Object.entries(d.universe_settings_menu.industry).map(([g, l]) => h("details", {}, h("summary", {}, `Industries: ${g} (${l.ALL.length})`), chips(l.ALL))),
      ...Object.entries(d.universe_settings_menu.region).map(([g, l]) => h("details", {}, h("summary", {}, `Regions: ${g} (${l.ALL.length})`), chips(l.ALL)))) : null,
    d ? h("section", { class: "card" },
      h("div", { class: "toolbar" },
        control("From", date(q.start, (v) => (q.start = v))), control("To", date(q.end, (v) => (q.end = v))),
        control("Id", select(q.id_type || d.universe_settings_menu.id_types[0], d.universe_settings_menu.id_types, (v) => (q.id_type = v))),
        includeMode("Industries", p.industries), includeMode("Regions", p.regions),
        h("label", { class: "check" }, h("input", { type: "checkbox", checked: q.standardize, onchange: (e: Event) => { q.standardize = (e.target as HTMLInputElement).checked; void loadPage(0); } }), " Standardize styles")),
      includeList("Industries", p.industries, Object.values(d.universe_settings_menu.industry).flatMap((l) => l.ALL)),
      includeList("Regions", p.regions, Object.values(d.universe_settings_menu.region).flatMap((l) => l.ALL)),
      h("div", { class: "toolbar" },
        h("button", { id: "export-csv", disabled: !page, onclick: () => exportPreview("csv") }, "Export CSV…"),
        h("button", { id: "export-parquet", disabled: !page, onclick: () => exportPreview("parquet") }, "Export Parquet…"),
        state.exported ? h("span", { class: "muted", id: "exported" }, `Exported to ${state.exported}`) : null,
        h("span", { class: "spacer" }),
        page ? h("span", { class: "muted" }, `Rows ${int(page.total === 0 ? 0 : p.offset + 1)}–${int(Math.min(p.offset + PAGE, page.total))} of ${int(page.total)}`) : null,
        h("button", { disabled: !page || p.offset === 0, onclick: () => loadPage(0) }, "« First"),
        h("button", { disabled: !page || p.offset === 0, onclick: () => loadPage(Math.max(0, p.offset - PAGE)) }, "‹ Prev"),
        h("button", { disabled: !page || p.offset + PAGE >= page.total, onclick: () => loadPage(p.offset + PAGE) }, "Next ›"),
        h("button", { disabled: !page || p.offset + PAGE >= page.total, onclick: () => loadPage(Math.max(0, Math.floor((page!.total - 1) / PAGE) * PAGE)) }, "Last »")),
      page ? h("div", { class: "tablewrap", "data-scroll": `preview-${p.offset}` }, h("table", { id: "preview" },
        h("thead", {}, h("tr", {}, ...page.columns.map((c) => h("th", { class: numeric(c) ? "num" : "" }, c)))),
        h("tbody", {}, ...page.rows.map((r) => h("tr", {}, ...r.map((cell, i) => h("td", { class: numeric(page.columns[i]) ? "num" : "" }, cell))))))) : null) : null);
}

function settingsScreen(): HTMLElement {
  const info = state.info;
  const datasets = info?.datasets ?? [];
  return h("main", {},
    h("h1", {}, "Settings"),
    h("section", { class: "card", id: "settings" },
      h("h2", {}, "Home folder"),
      h("p", {}, h("code", { id: "home" }, info?.home ?? "…"), " ", h("button", { onclick: () => navigator.clipboard.writeText(info?.home ?? "") }, "Copy")),
      h("p", { class: "muted" }, "Every staged file, committed version, reference and risk dataset lives here: a SQLite catalog and Parquet files. To use another folder, start Riskdesk with the environment variable RISKDESK_HOME set to it; the riskdesk command line uses the same variable."),
      h("h2", {}, "Exposure datasets"),
      datasets.length === 0 ? h("p", { class: "muted" }, "None yet.") :
        h("table", { class: "compact" }, h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", { class: "num" }, "Latest version"), h("th", { class: "num" }, "Staged"), h("th", {}, "Created (UTC)"))),
          h("tbody", {}, ...datasets.map((d) => h("tr", {}, h("td", {}, d.name), h("td", { class: "num" }, String(d.latest_version)), h("td", { class: "num" }, int(d.staged)), h("td", {}, d.created.slice(0, 19).replace("T", " ")))))),
      h("p", { class: "muted" }, `Riskdesk ${info?.version ?? ""}`)));
}

function dialog(): HTMLElement | null {
  const c = state.confirm;
  if (!c) return null;
  const close = () => ((state.confirm = null), render());
  const confirmButton = h("button", { class: "primary", id: "confirm", onclick: () => { state.confirm = null; c.run(); } }, c.action);
  const box = h("div", { class: "overlay", onclick: (e: Event) => { if (e.target === e.currentTarget) close(); } },
    h("div", { class: "dialog", role: "dialog", "aria-modal": "true" }, h("h2", {}, c.title), h("p", {}, c.text),
      h("div", { class: "actions right" }, h("button", { onclick: close }, "Cancel"), confirmButton)));
  box.addEventListener("keydown", (e) => { if ((e as KeyboardEvent).key === "Escape") close(); });
  queueMicrotask(() => confirmButton.focus());
  return box;
}

function progressBar(): HTMLElement | null {
  const b = state.busy;
  if (!b) return null;
  const pct = b.step && b.step.total > 0 ? Math.round((100 * b.step.done) / b.step.total) : null;
  return h("div", { class: "progress", id: "progress" },
    h("div", { class: "label" }, `${b.label}… ${b.step ? `${b.step.done}/${b.step.total} ${b.step.message}` : ""}`),
    h("div", { class: "bar" }, h("div", { class: "fill", style: `width:${pct ?? 0}%` })),
    h("button", { onclick: () => api.cancel() }, "Cancel"));
}

function renderProgress() {
  const old = document.getElementById("progress");
  const fresh = progressBar();
  if (old && fresh) old.replaceWith(fresh);
}

function render() {
  const root = document.getElementById("app")!;
  const screens: Record<Screen, () => HTMLElement> = { start: startScreen, check: checkScreen, history: historyScreen, risk: riskScreen, dataset: datasetScreen, settings: settingsScreen };
  // A re-render keeps what the user was looking at: scroll positions and the focused control.
  const scrolls = new Map([...root.querySelectorAll<HTMLElement>("[data-scroll]")].map((el) => [el.dataset.scroll, el.scrollTop]));
  const focused = document.activeElement?.id;
  const screen = screens[state.screen]();
  const content = h("div", { class: `content ${state.busy ? "working" : ""}`, "data-scroll": `screen-${state.screen}` }, errorBox(), progressBar(), screen);
  root.replaceChildren(sidebar(), content, ...[dialog()].filter((d): d is HTMLElement => d !== null));
  for (const el of root.querySelectorAll<HTMLElement>("[data-scroll]")) el.scrollTop = scrolls.get(el.dataset.scroll) ?? 0;
  if (focused && !state.confirm) document.getElementById(focused)?.focus();
}

async function main() {
  render();
  try {
    await refreshInfo();
    // Pick up where the user left off: staged names of the current dataset are shown at once.
    state.riskForm = await api.riskForm();
  } catch (e) {
    state.error = e as UiError;
  }
  render();
  if (state.info?.datasets.some((d) => d.name === state.dataset && d.staged > 0)) await refreshDetail();
  await getCurrentWebview().onDragDropEvent((event) => {
    const zone = document.getElementById("dropzone");
    if (event.payload.type === "over") zone?.classList.add("hover");
    else zone?.classList.remove("hover");
    if (event.payload.type === "drop") void onDrop(event.payload.paths);
  });
}

// Charts are redrawn for a new window width (once the resizing pauses).
let resizing: number | undefined;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = window.setTimeout(() => {
    const drawn = state.charts?.charts[0]?.width;
    if (state.screen !== "check" || drawn === undefined || Math.abs(chartSize().width - drawn) < 24) return;
    void loadCharts().then(() => loadHistogram(state.histogram?.group ?? null));
  }, 250);
});

// The drop handler, reachable from scripts: the end-to-end test feeds a folder through it.
(window as unknown as { __riskdesk: { drop: (paths: string[]) => Promise<void> } }).__riskdesk = { drop: onDrop };

void main();
