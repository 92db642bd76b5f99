// The Riskdesk window: a sidebar of workflow steps and one screen at a time.
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api, type UiError } from "./api";
import { sidebar, errorBox, dialog, progressBar, renderProgress } from "./chrome";
import { h } from "./dom";
import { chartSize, loadCharts, refreshDetail, loadHistogram, checkScreen } from "./screens/check";
import { datasetScreen } from "./screens/dataset";
import { historyScreen } from "./screens/history";
import { riskScreen } from "./screens/riskDataset";
import { settingsScreen } from "./screens/settings";
import { onDrop, startScreen } from "./screens/upload";
import { state, refreshInfo, render, setRenderer, type Screen } from "./state";

function renderApp() {
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
  setRenderer(renderApp, renderProgress);
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
