// The Riskdesk window: a sidebar of workflow steps and one screen at a time. Each screen is a
// component with its own state (signals in its module); a change re-renders what reads it.
import { computed } from "@preact/signals";
import { render } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api } from "./api";
import { Action } from "./action";
import { busy } from "./jobs";
import { current, dataset, datasetInput, go, info, notice, place, placeName, refreshAll, screen, switchPlace, userRisk, type Screen } from "./store";
import { ConfirmDialog, installTableCopy, Outcome, ProgressBar, StartupNotice } from "./ui";
import { CheckScreen } from "./screens/check";
import { checkable, onResize, refreshDetail } from "./screens/check/state";
import { ConnectionScreen } from "./screens/connection";
import { DatasetScreen } from "./screens/dataset";
import { timings } from "./screens/grid";
import { HistoryScreen } from "./screens/history";
import { RiskScreen } from "./screens/riskDataset";
import { RiskModelScreen } from "./screens/riskModel";
import { onPortfolioDrop, portfolioDragAt, PortfolioScreen } from "./screens/portfolio";
import { SettingsScreen, setReferenceFolder } from "./screens/settings";
import { dragOver, onDrop, UploadScreen } from "./screens/upload";

/** Loading what the home folder holds at start. */
const startup = new Action();
/** Reconnecting to the server the app last worked on. */
const reconnect = new Action();

const steps = computed(() => ({
  start: true,
  check: checkable.value,
  history: current.value !== null,
  risk: info.value?.datasets.some((d) => d.latest_version > 0) ?? false,
  dataset: userRisk.value.length > 0,
  model: userRisk.value.length > 0,
  portfolio: userRisk.value.length > 0,
  settings: true,
  connection: true,
}));

function Step({ id, n, label }: { id: Screen; n: string; label: string }) {
  const here = screen.value === id;
  return (
    <button class={`step ${here ? "current" : ""}`} id={`nav-${id}`} disabled={!steps.value[id]} aria-current={here ? "step" : undefined} onClick={() => go(id)}>
      <span class="stepnum">{n}</span>
      {label}
    </button>
  );
}

function Sidebar() {
  return (
    <nav class="sidebar">
      <div class="brand"><span class="logo">R</span>Riskdesk</div>
      <Step id="start" n="1" label="Upload" />
      <Step id="check" n="2" label="Check & commit" />
      <Step id="history" n="3" label="History" />
      <Step id="risk" n="4" label="Risk dataset" />
      <Step id="dataset" n="5" label="Dataset" />
      <Step id="model" n="6" label="Risk model" />
      <Step id="portfolio" n="7" label="Portfolio risk" />
      <div class="spacer" />
      <Step id="connection" n="⇄" label="Connection" />
      <Step id="settings" n="⚙" label="Settings" />
      <div class="home">
        <div class="muted">Works on</div>
        <button class={`place ${place.value?.server ? "remote" : ""}`} id="current-place" title={place.value?.check?.endpoint ?? place.value?.home ?? ""} onClick={() => go("connection")}>{placeName.value}</button>
        <div class="muted">Dataset</div><code id="current-dataset">{dataset.value || "–"}</code>
      </div>
    </nav>
  );
}

const contentClass = computed(() => (busy.value ? "content working" : "content"));

const SCREENS: Record<Screen, () => preact.JSX.Element> = {
  start: UploadScreen,
  check: CheckScreen,
  history: HistoryScreen,
  risk: RiskScreen,
  dataset: DatasetScreen,
  model: RiskModelScreen,
  portfolio: PortfolioScreen,
  settings: SettingsScreen,
  connection: ConnectionScreen,
};

function App() {
  const s = screen.value;
  const content = useRef<HTMLDivElement>(null);
  // A new screen starts at its top.
  useLayoutEffect(() => {
    if (content.current) content.current.scrollTop = 0;
  }, [s]);
  const Shown = SCREENS[s];
  return (
    <>
      <Sidebar />
      <div class={contentClass} ref={content}>
        <StartupNotice />
        <ProgressBar />
        <Outcome action={startup} id="startup" />
        <Outcome action={reconnect} id="reconnect" />
        <Shown />
      </div>
      <ConfirmDialog />
    </>
  );
}

async function main() {
  installTableCopy();
  render(<App />, document.getElementById("app")!);
  api.startupNotice().then((n) => (notice.value = n), () => {});
  try {
    place.value = await api.connection();
    // Back on the server the app last worked on; if it cannot be reached, on this computer.
    const last = place.value.last;
    if (last && !place.value.server) {
      const back = await reconnect.run(`Reconnecting to ${last}`, () => switchPlace(() => api.connectServer(last, null, null)).then(() => true), { progress: "plain" });
      if (!back) reconnect.done.value = `Working on this computer: ${last} could not be reached (see Connection).`;
    }
  } catch (e) {
    startup.fail(e);
  }
  try {
    await refreshAll();
    // Pick up where the user left off: a dataset with staged names, else the default name.
    const datasets = info.value?.datasets ?? [];
    if (!datasets.some((d) => d.name === dataset.value) && datasets.length > 0) {
      datasetInput.offer((datasets.find((d) => d.staged > 0) ?? datasets[0]).name);
    }
  } catch (e) {
    startup.fail(e);
  }
  if ((current.value?.staged ?? 0) > 0) await refreshDetail();
  // Opened with a folder or a ZIP (the file manager's "Open with", `riskdesk-app PATH`): shown on
  // the Upload screen as if dropped; so is the path of a later launch, which comes to this window.
  const opened = await api.openedPath().catch(() => null);
  if (opened) await onDrop([opened]);
  await listen<string>("open-path", (event) => void onDrop([event.payload]));
  await getCurrentWebview().onDragDropEvent((event) => {
    const p = event.payload;
    // On the Portfolio risk screen a dropped file is a portfolio (or, dropped on its slot, the benchmark).
    if (screen.value === "portfolio") {
      const target = portfolioDragAt(p.type === "leave" ? null : p.position);
      if (p.type === "drop") void onPortfolioDrop(p.paths, target);
      return;
    }
    dragOver.value = p.type === "over" || p.type === "enter";
    if (p.type === "drop") void onDrop(p.paths);
  });
}

// Charts are redrawn for a new window width (once the resizing pauses).
let resizing: number | undefined;
window.addEventListener("resize", () => {
  window.clearTimeout(resizing);
  resizing = window.setTimeout(() => {
    if (screen.value === "check") onResize();
  }, 250);
});

// Hooks reachable from scripts: the end-to-end test feeds a folder through the drop handler (and
// a portfolio file through the Portfolio risk screen's), can fill the reference import's folder
// as if chosen in the dialog, and reads how long the Dataset screen's grid runs and row reads took.
(window as unknown as { __riskdesk: { drop: (paths: string[]) => Promise<void>; dropPortfolio: typeof onPortfolioDrop; referenceFolder: (path: string) => void; gridTimings: () => typeof timings } }).__riskdesk = {
  drop: onDrop,
  dropPortfolio: onPortfolioDrop,
  referenceFolder: setReferenceFolder,
  gridTimings: () => timings,
};

void main();
