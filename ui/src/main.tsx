// The Riskdesk window: a sidebar of workflow steps and one screen at a time. Each screen is a
// component with its own state (signals in its module); a change re-renders what reads it.
import { computed, effect } from "@preact/signals";
import { render } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api } from "./api";
import { Action } from "./action";
import { busy } from "./jobs";
import { otherDatasets } from "./recent";
import { current, dataset, datasetInput, go, info, notice, place, placeName, recent, refreshAll, refreshRecent, remember, reopened, screen, switchPlace, userRisk, type Screen } from "./store";
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

/** The recent datasets of the place worked on, other than the current one (at most three). */
const others = computed(() => otherDatasets(recent.value?.datasets ?? [], (info.value?.datasets ?? []).map((d) => d.name), dataset.value, 3));

/** Works on a recent dataset: the current screen stays, unless it has nothing to show for it. */
function pickDataset(name: string) {
  datasetInput.edit(name);
  if (!steps.value[screen.value]) go("start");
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
        {others.value.length > 0
          ? <div class="recent-datasets" id="recent-datasets">
              <div class="muted">Recent</div>
              {others.value.map((name) => <button key={name} class="recent" title={`Work on ${name}`} onClick={() => pickDataset(name)}>{name}</button>)}
            </div>
          : null}
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
    await Promise.all([refreshAll(), refreshRecent()]);
    // Pick up where the user left off: the dataset last worked on here, else one with staged names.
    const name = reopened();
    if (name) datasetInput.offer(name);
  } catch (e) {
    startup.fail(e);
  }
  if ((current.value?.staged ?? 0) > 0) await refreshDetail();
  // Opened with a folder or a ZIP (the file manager's "Open with", `riskdesk-app PATH`): shown on
  // the Upload screen as if dropped; so is the path of a later launch, which comes to this window.
  // Otherwise the screen last shown, if it has something to show.
  const opened = await api.openedPath().catch(() => null);
  const last = recent.value?.screen;
  if (opened) await onDrop([opened]);
  else if (last && last in SCREENS && steps.value[last as Screen]) go(last as Screen);
  rememberFromNowOn();
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

/** The dataset worked on, by name (a computed string: unchanged by a list read again). */
const workedOn = computed(() => current.value?.name ?? null);

/**
 * From here on, the screen shown and the dataset worked on (one the place knows, once the
 * typing pauses) are kept for the next start.
 */
function rememberFromNowOn() {
  effect(() => remember({ kind: "screen", value: screen.value }));
  let pause: number | undefined;
  effect(() => {
    const name = workedOn.value;
    window.clearTimeout(pause);
    if (name) pause = window.setTimeout(() => remember({ kind: "dataset", value: name }), 800);
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
