// Screen 1, Upload: drop or choose a folder, see the scan, stage.
import { api, type UiError } from "../api";
import { bytes, int } from "../format";
import { h } from "../dom";
import { refreshDetail } from "./check";
import { state, busy, refreshInfo, render } from "../state";

export async function scanFolder(path: string) {
  const report = await busy("Scanning", () => api.scan(path, state.dataset || null));
  if (report) {
    state.scan = report;
    state.dropped = [];
  }
  render();
}

export async function chooseFolder() {
  try {
    const path = await api.chooseFolder();
    if (path) await scanFolder(path);
  } catch (e) {
    state.error = e as UiError;
    render();
  }
}

export async function onDrop(paths: string[]) {
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

export async function stage() {
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

export async function tryDemo() {
  const folder = await busy("Generating demo data", (onStep) => api.demo(onStep));
  if (folder) await scanFolder(folder);
}

export function startScreen(): HTMLElement {
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
