// Screen 3, History: versions and the latest factor groups.
import { api, type UiError } from "../api";
import { int } from "../format";
import { h } from "../dom";
import { state, render } from "../state";

export async function showHistory() {
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

export function historyScreen(): HTMLElement {
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
