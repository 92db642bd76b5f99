// Screen 4, Risk dataset: the creation form (roles, cleaning, trims, exchanges) and its report.
import { api, type UiError } from "../api";
import { buildSettings, guessRole, ROLES, roleProblems, type RiskChoices } from "../risk";
import { int } from "../format";
import { h } from "../dom";
import { showDataset } from "./dataset";
import { creationReport } from "./report";
import { state, busy, render } from "../state";

export async function showRisk() {
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
export async function loadExchanges() {
  const reference = state.risk.reference;
  if (!reference || state.exchanges?.reference === reference) return;
  state.exchanges = { reference, list: await api.referenceExchanges(reference) };
  state.risk.exchanges = state.risk.exchanges.filter((x) => state.exchanges!.list.some((e) => e.code === x));
}

export async function createRisk() {
  const r = state.risk;
  const report = await busy("Creating the risk dataset", (onStep) => api.createRisk(r.name, buildSettings(r), r.replace, onStep));
  if (report) {
    state.riskReport = report;
    state.riskForm = await api.riskForm();
  }
  render();
}


export function riskScreen(): HTMLElement {
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
export function exchangePicker(): HTMLElement {
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
