// Screen 5, Dataset: describe, coverage, and the paged exposures preview with export.
import { api, type UiError } from "../api";
import { int } from "../format";
import { h } from "../dom";
import { creationReport } from "./report";
import { state, busy, render, type Include } from "../state";

export const PAGE = 100;

export async function showDataset(name?: string) {
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
export function selection(inc: Include): string {
  return inc.mode === "chosen" ? inc.chosen.join(",") || "all" : inc.mode;
}

export async function exportPreview(format: "csv" | "parquet") {
  const q = state.preview.query;
  q.industries = selection(state.preview.industries);
  q.regions = selection(state.preview.regions);
  const path = await busy(`Exporting ${format.toUpperCase()}`, (onStep) => api.exportExposures(q, format, onStep));
  if (path) state.exported = path;
  render();
}

export async function loadPage(offset: number) {
  state.preview.query.industries = selection(state.preview.industries);
  state.preview.query.regions = selection(state.preview.regions);
  const page = await busy("Loading exposures", () => api.exposuresPage(state.preview.query, offset, PAGE));
  if (page) {
    state.preview.page = page;
    state.preview.offset = offset;
  }
  render();
}

/** None / all / chosen columns of a categorical group in the preview. */
export function includeMode(label: string, inc: Include): HTMLElement {
  const mode = h("select", { id: `include-${label}`, onchange: (e: Event) => { inc.mode = (e.target as HTMLSelectElement).value as Include["mode"]; void loadPage(0); } },
    ...[["none", "none"], ["all", "all"], ["chosen", "chosen…"]].map(([v, t]) => h("option", { value: v, selected: v === inc.mode }, t)));
  return h("label", { class: "control" }, h("span", { class: "muted" }, label), mode);
}

/** The checkbox list of a group whose mode is "chosen": its columns, and the assets kept are their members. */
export function includeList(label: string, inc: Include, options: string[]): HTMLElement | null {
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

export function datasetScreen(): HTMLElement {
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
