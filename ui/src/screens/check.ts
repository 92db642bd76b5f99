// Screen 2, Check & commit: per-day charts with read-out and day picking, the detail table, wipe and commit.
import { api, type Chart, type DetailRow, type UiError } from "../api";
import { slotAt, slotCentre, svgX } from "../charts";
import { diagnostic, f32, int, sortRows } from "../format";
import { h } from "../dom";
import { showHistory } from "./history";
import { showRisk } from "./riskDataset";
import { state, busy, refreshInfo, render } from "../state";

export async function commit(mode: string) {
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

export async function doCommit(mode: string) {
  const result = await busy("Committing", (onStep) => api.commit(state.dataset, mode, onStep));
  if (result) {
    state.committed = result;
    await refreshInfo();
    await refreshDetail();
  }
  render();
}

/** Chart size in SVG pixels: the width of one of two columns, so that text is drawn at its size. */
export function chartSize(): { width: number; height: number } {
  const content = document.querySelector<HTMLElement>(".content");
  const inner = Math.min((content?.clientWidth ?? 1060) - 64, 1840);
  return { width: Math.max(360, Math.floor((inner - 14) / 2 - 26)), height: 200 };
}

/** Draws the per-day charts of the staged rows at the current window width. */
export async function loadCharts() {
  const { width, height } = chartSize();
  state.charts = state.detail.length > 0 ? await api.dayCharts(state.dataset, width, height) : null;
}

/** Reloads the staged detail rows, their charts and the selected day's histogram. */
export async function refreshDetail() {
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
export async function loadHistogram(group: string | null) {
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

export function selectDay(i: number) {
  const n = state.charts?.dates.length ?? 0;
  if (n === 0) return;
  state.day = Math.max(0, Math.min(n - 1, i));
  render();
  void loadHistogram(state.histogram?.group ?? null);
}

export function wipeSelected() {
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

/** One engine chart with a hover read-out of the slot under the pointer and, if `pick`, click and arrow keys to choose one. */
export function chartFigure(chart: Chart, slots: number, describe: (i: number) => string, hint: string, selected: number | null, pick?: (i: number) => void, extra?: HTMLElement): HTMLElement {
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

export function chartsSection(): HTMLElement | null {
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

export function checkScreen(): HTMLElement {
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
