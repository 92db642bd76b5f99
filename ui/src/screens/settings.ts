// Settings: the home folder and the datasets in it.
import { int } from "../format";
import { h } from "../dom";
import { state } from "../state";

export function settingsScreen(): HTMLElement {
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
