// The Riskdesk window: a sidebar of workflow steps and one screen at a time.
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api, AppInfo, CommitResult, DetailRow, History, ScanReport, StagingResult, Step, UiError } from "./api";
import { bytes, diagnostic, f32, int, sortRows } from "./format";

type Screen = "start" | "check" | "history";

interface State {
  screen: Screen;
  info: AppInfo | null;
  dataset: string;
  scan: ScanReport | null;
  dropped: string[];
  results: StagingResult[];
  detail: DetailRow[];
  sort: { key: keyof DetailRow; asc: boolean };
  busy: { label: string; step: Step | null } | null;
  error: UiError | null;
  committed: CommitResult | null;
  history: History | null;
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
  sort: { key: "date", asc: true },
  busy: null,
  error: null,
  committed: null,
  history: null,
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
    state.detail = await api.stagingDetail(state.dataset);
    await refreshInfo();
    state.screen = "check";
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
    state.detail = await api.stagingDetail(state.dataset);
    await refreshInfo();
  }
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

function sidebar(): HTMLElement {
  const step = (id: Screen, n: number, label: string, enabled: boolean) =>
    h("button", { class: `step ${state.screen === id ? "current" : ""}`, disabled: !enabled, onclick: () => ((state.screen = id), render()) },
      h("span", { class: "stepnum" }, String(n)), label);
  return h("nav", { class: "sidebar" },
    h("div", { class: "brand" }, h("span", { class: "logo" }, "R"), "Riskdesk"),
    step("start", 1, "Upload", true),
    step("check", 2, "Check & commit", state.detail.length > 0 || state.results.length > 0 || state.committed !== null),
    h("button", { class: `step ${state.screen === "history" ? "current" : ""}`, disabled: !(state.info?.datasets.some((d) => d.name === state.dataset)), onclick: showHistory },
      h("span", { class: "stepnum" }, "3"), "History"),
    h("div", { class: "home" }, h("div", { class: "muted" }, "Home folder"), h("code", {}, state.info?.home ?? "…")));
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
      h("button", { class: "primary", onclick: async () => { const p = await api.chooseFolder(); if (p) await scanFolder(p); } }, "Choose folder…"),
      datasets.length === 0 ? h("button", { onclick: tryDemo }, "Try with demo data") : null));
  const parts: (HTMLElement | null)[] = [h("h1", {}, "Upload exposures"), picker, drop];
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

function checkScreen(): HTMLElement {
  const failed = state.results.filter((r) => !r.success);
  const cols: [keyof DetailRow, string, boolean][] = [
    ["_name", "Name", false], ["date", "Date", false], ["n_assets", "Assets", true], ["min_exposure", "Min", true],
    ["max_exposure", "Max", true], ["mean_exposure", "Mean", true], ["median_exposure", "Median", true], ["std_exposure", "Std", true],
  ];
  const header = h("tr", {}, ...cols.map(([key, label, num]) => h("th", {
    class: num ? "num" : "", onclick: () => { state.sort = { key, asc: state.sort.key === key ? !state.sort.asc : true }; render(); },
  }, label + (state.sort.key === key ? (state.sort.asc ? " ▲" : " ▼") : ""))));
  const rows = sortRows(state.detail, state.sort.key, state.sort.asc).map((r) => h("tr", {},
    h("td", {}, r._name), h("td", {}, r.date), h("td", { class: "num" }, int(r.n_assets)),
    ...[r.min_exposure, r.max_exposure, r.mean_exposure, r.median_exposure, r.std_exposure].map((v) => h("td", { class: "num" }, f32(v)))));
  const mode = h("select", { id: "mode" }, ...["append", "upsert", "overwrite_dates", "overwrite"].map((m) => h("option", { value: m }, m))) as HTMLSelectElement;
  return h("main", {},
    h("h1", {}, `Check ${state.dataset}`),
    failed.length > 0 ? h("section", { class: "card failures" }, h("h2", {}, `${failed.length} file(s) failed to stage`),
      ...failed.map((r) => h("div", {}, h("strong", {}, r.source), h("pre", {}, r.messages.map(diagnostic).join("\n"))))) : null,
    state.committed ? h("section", { class: "card ok" }, h("h2", {}, `Committed version ${state.committed.version}`),
      h("p", {}, `${state.committed.committed_names.length} names (${state.committed.mode}); the version holds ${int(state.committed.rows)} rows over ${state.committed.dates} dates.`)) : null,
    state.detail.length === 0 ? h("p", { class: "muted" }, "Nothing is staged.") :
      h("section", { class: "card" },
        h("div", { class: "toolbar" }, h("span", {}, `${state.detail.length} staged name × date rows`),
          h("span", { class: "spacer" }), h("label", { for: "mode" }, "Commit mode"), mode,
          h("button", { class: "primary", id: "commit", onclick: () => commit(mode.value) }, "Commit…")),
        h("div", { class: "tablewrap" }, h("table", { id: "detail" }, h("thead", {}, header), h("tbody", {}, ...rows)))));
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
  const screen = state.screen === "start" ? startScreen() : state.screen === "check" ? checkScreen() : historyScreen();
  const content = h("div", { class: `content ${state.busy ? "working" : ""}` }, errorBox(), progressBar(), screen);
  root.replaceChildren(sidebar(), content, ...[dialog()].filter((d): d is HTMLElement => d !== null));
}

async function main() {
  render();
  try {
    await refreshInfo();
    // Pick up where the user left off: staged names of the current dataset are shown at once.
    if (state.info?.datasets.some((d) => d.name === state.dataset && d.staged > 0)) {
      state.detail = await api.stagingDetail(state.dataset);
    }
  } catch (e) {
    state.error = e as UiError;
  }
  render();
  await getCurrentWebview().onDragDropEvent((event) => {
    const zone = document.getElementById("dropzone");
    if (event.payload.type === "over") zone?.classList.add("hover");
    else zone?.classList.remove("hover");
    if (event.payload.type === "drop") void onDrop(event.payload.paths);
  });
}

void main();
