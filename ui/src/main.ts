// The Riskdesk window: a sidebar of workflow steps and one screen at a time.
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api, AppInfo, CommitResult, CreationReport, Description, DetailRow, History, Page, PreviewQuery, RiskForm, ScanReport, StagingResult, Step, UiError } from "./api";
import { buildSettings, guessRole, ROLES, roleProblems, RiskChoices } from "./risk";
import { bytes, diagnostic, f32, int, sortRows } from "./format";

type Screen = "start" | "check" | "history" | "risk" | "dataset";

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
  riskForm: RiskForm | null;
  risk: RiskChoices;
  riskReport: CreationReport | null;
  describe: Description | null;
  preview: { query: PreviewQuery; offset: number; page: Page | null };
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
  riskForm: null,
  risk: { name: "My-Risk-Dataset", reference: "", source: "", roles: {}, fill: true, huberize: true, trimAssets: "ccy_union", trimStart: "earliest_start", startDate: "", trimEnd: "latest_end", endDate: "", replace: false },
  riskReport: null,
  describe: null,
  preview: { query: { dataset: "", start: "", end: "", id_type: "", industries: "none", regions: "none", standardize: true }, offset: 0, page: null },
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
  } catch (e) {
    state.error = e as UiError;
  }
  render();
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

async function loadPage(offset: number) {
  const page = await busy("Loading exposures", () => api.exposuresPage(state.preview.query, offset, PAGE));
  if (page) {
    state.preview.page = page;
    state.preview.offset = offset;
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
    h("button", { class: `step ${state.screen === "risk" ? "current" : ""}`, disabled: !(state.info?.datasets.some((d) => d.latest_version > 0)), onclick: showRisk },
      h("span", { class: "stepnum" }, "4"), "Risk dataset"),
    h("button", { class: `step ${state.screen === "dataset" ? "current" : ""}`, disabled: !(state.riskForm?.risk_datasets.some((d) => d.kind === "user") || state.riskReport), onclick: () => showDataset() },
      h("span", { class: "stepnum" }, "5"), "Dataset"),
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
      h("h2", {}, `Created ${r.name}`, " ", h("button", { onclick: () => showDataset(r.name) }, "Open dataset ›")),
      h("p", {}, `${int(report.rows)} rows: ${int(report.assets)} assets over ${report.dates} dates (${report.first_date} – ${report.last_date}); coverage universe ${int(report.coverage_assets)} assets on ${report.exchanges.length} exchanges.`),
      report.unmatched_ids > 0 ? h("p", {}, `${int(report.unmatched_ids)} uploaded ids match no reference asset, e.g. ${report.unmatched_sample.join(", ")}`) : null,
      Object.keys(report.clipped).length + Object.keys(report.filled).length > 0 ?
        h("table", { class: "compact" }, h("thead", {}, h("tr", {}, h("th", {}, "Style"), h("th", { class: "num" }, "Clipped"), h("th", { class: "num" }, "Filled"))),
          h("tbody", {}, ...[...new Set([...Object.keys(report.clipped), ...Object.keys(report.filled)])].map((k) =>
            h("tr", {}, h("td", {}, k), h("td", { class: "num" }, int(report.clipped[k] ?? 0)), h("td", { class: "num" }, int(report.filled[k] ?? 0)))))) : null) : null,
    h("section", { class: "card form" },
      row("Name", h("input", { id: "riskname", value: r.name, oninput: (e: Event) => { r.name = (e.target as HTMLInputElement).value; } , onchange: () => render() }),
        exists ? "exists" : undefined),
      exists ? row("", h("label", { class: "check" }, h("input", { type: "checkbox", checked: r.replace, onchange: (e: Event) => { r.replace = (e.target as HTMLInputElement).checked; render(); } }), " Replace it")) : h("span", {}),
      row("Reference dataset", select("reference", r.reference, form.references.map((x) => [x.name, `${x.name} (${int(x.assets)} assets)`]), (v) => (r.reference = v))),
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
      problems.length > 0 ? h("ul", { class: "problems" }, ...problems.map((p) => h("li", {}, p))) : null,
      h("div", { class: "actions left" }, h("button", { class: "primary", id: "create", disabled: problems.length > 0, onclick: createRisk }, "Create"))));
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
    d ? h("section", { class: "card" },
      h("p", {}, h("strong", {}, d.status === "ready" ? "Ready" : `Stale: ${d.stale_reason}`), ` · ${d.first_date} – ${d.last_date} · ${int(d.report.assets)} assets · ${int(d.report.rows)} rows · reference ${d.report.reference_dataset}`),
      h("div", { class: "muted" }, "Id types"), chips(d.universe_settings_menu.id_types),
      h("details", {}, h("summary", {}, `Exchanges (${d.universe_settings_menu.exchanges.length})`), chips(d.universe_settings_menu.exchanges)),
      ...Object.entries(d.universe_settings_menu.industry).map(([g, l]) => h("details", {}, h("summary", {}, `Industries: ${g} (${l.ALL.length})`), chips(l.ALL))),
      ...Object.entries(d.universe_settings_menu.region).map(([g, l]) => h("details", {}, h("summary", {}, `Regions: ${g} (${l.ALL.length})`), chips(l.ALL)))) : null,
    d ? h("section", { class: "card" },
      h("div", { class: "toolbar" },
        control("From", date(q.start, (v) => (q.start = v))), control("To", date(q.end, (v) => (q.end = v))),
        control("Id", select(q.id_type || d.universe_settings_menu.id_types[0], d.universe_settings_menu.id_types, (v) => (q.id_type = v))),
        control("Industries", select(q.industries, ["none", "all"], (v) => (q.industries = v))),
        control("Regions", select(q.regions, ["none", "all"], (v) => (q.regions = v))),
        h("label", { class: "check" }, h("input", { type: "checkbox", checked: q.standardize, onchange: (e: Event) => { q.standardize = (e.target as HTMLInputElement).checked; void loadPage(0); } }), " Standardize styles"),
        h("span", { class: "spacer" }),
        page ? h("span", { class: "muted" }, `Rows ${int(page.total === 0 ? 0 : p.offset + 1)}–${int(Math.min(p.offset + PAGE, page.total))} of ${int(page.total)}`) : null,
        h("button", { disabled: !page || p.offset === 0, onclick: () => loadPage(Math.max(0, p.offset - PAGE)) }, "‹ Prev"),
        h("button", { disabled: !page || p.offset + PAGE >= page.total, onclick: () => loadPage(p.offset + PAGE) }, "Next ›")),
      page ? h("div", { class: "tablewrap" }, h("table", { id: "preview" },
        h("thead", {}, h("tr", {}, ...page.columns.map((c) => h("th", { class: numeric(c) ? "num" : "" }, c)))),
        h("tbody", {}, ...page.rows.map((r) => h("tr", {}, ...r.map((cell, i) => h("td", { class: numeric(page.columns[i]) ? "num" : "" }, cell))))))) : null) : null);
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
  const screens: Record<Screen, () => HTMLElement> = { start: startScreen, check: checkScreen, history: historyScreen, risk: riskScreen, dataset: datasetScreen };
  const screen = screens[state.screen]();
  const content = h("div", { class: `content ${state.busy ? "working" : ""}` }, errorBox(), progressBar(), screen);
  root.replaceChildren(sidebar(), content, ...[dialog()].filter((d): d is HTMLElement => d !== null));
}

async function main() {
  render();
  try {
    await refreshInfo();
    // Pick up where the user left off: staged names of the current dataset are shown at once.
    state.riskForm = await api.riskForm();
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
