// Screen 1, Upload: name the dataset, drop or choose a folder, see the scan, stage.
import { batch, effect, signal } from "@preact/signals";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { useEffect } from "preact/hooks";
import { api, type ScanReport } from "../api";
import { Action } from "../action";
import { bytes, count, int } from "../format";
import { folderLabels } from "../recent";
import { current, dataset, datasetInput, go, info, recent, refreshAll, refreshRecent, remember, revision } from "../store";
import { Outcome } from "../ui";
import { stagePaths } from "./check/stage";

/** The last scan (its counts are for the dataset named when it ran). */
const scan = signal<ScanReport | null>(null);
/** Files dropped that are not a folder: staged as they are. */
const dropped = signal<string[]>([]);
/** A drag is over the window. */
export const dragOver = signal(false);

// The window's title names what the Upload screen holds: the folder scanned, or the one file
// dropped (a ZIP the app was opened with).
effect(() => {
  const path = scan.value?.folder ?? (dropped.value.length === 1 ? dropped.value[0] : null);
  const name = path?.replace(/[\\/]+$/, "").split(/[\\/]/).pop();
  getCurrentWindow()
    .setTitle(name ? `Riskdesk — ${name}` : "Riskdesk")
    .catch(() => {});
});

const scanning = new Action();
const staging = new Action();
const demo = new Action();

/** Shows a folder's scan, and keeps the folder among the recent ones. */
function showScan(report: ScanReport) {
  batch(() => {
    scan.value = report;
    dropped.value = [];
    scanning.error.value = null;
  });
  remember({ kind: "folder", value: report.folder });
}

async function scanFolder(path: string) {
  const report = await scanning.run("Scanning", () => api.scan(path, dataset.value || null), { progress: "plain" });
  if (report) showScan(report);
}

/** Takes a folder that is gone off the recent folders. */
async function forgetFolder(path: string) {
  await scanning.run("Forgetting the folder", async () => {
    await api.forgetFolder(path);
    await refreshRecent();
    return true;
  }, { progress: "none" });
}

let rescanSeq = 0;

/** The scan again (same folder), for the current dataset's staged and committed counts. */
async function rescan() {
  const s = scan.value;
  if (!s) return;
  const seq = ++rescanSeq;
  try {
    const report = await api.scan(s.folder, dataset.value || null);
    if (seq === rescanSeq && scan.value?.folder === s.folder) scan.value = report;
  } catch {
    // The folder may be gone; the card keeps its last counts.
  }
}

async function chooseFolder() {
  const path = await scanning.run("Choosing a folder", () => api.chooseFolder(), { progress: "none" });
  if (path) await scanFolder(path);
}

/** Dropped paths: one folder is scanned; files (or several paths) are offered for staging as they are. */
export async function onDrop(paths: string[]) {
  go("start");
  if (paths.length === 1) {
    try {
      showScan(await api.scan(paths[0], dataset.value || null));
      return;
    } catch {
      // Not a folder: stage the file itself.
    }
  }
  batch(() => {
    scan.value = null;
    dropped.value = paths;
  });
}

function stage() {
  const paths = scan.value ? [scan.value.folder] : dropped.value;
  void stagePaths(staging, paths);
}

/** Writes the demo month and the demo reference dataset, then scans the demo folder. */
export async function tryDemo(action: Action = demo) {
  const folder = await action.run("Generating demo data", (job) => api.demo(job), { done: (_, took) => `Demo data ready ${took}: the month of exposures and the Demo-Global reference dataset.` });
  if (!folder) return;
  try {
    await refreshAll();
  } catch (e) {
    action.fail(e);
  }
  go("start");
  await scanFolder(folder);
}

/** The folders scanned before, the latest first: one click scans one again. */
function RecentFolders() {
  const folders = recent.value?.folders ?? [];
  if (folders.length === 0) return null;
  const labels = folderLabels(folders.map((f) => f.path));
  return (
    <div class="recent-folders" id="recent-folders">
      <span class="muted">Recent:</span>
      {folders.map((f, i) => f.present
        ? <button key={f.path} class="chip" title={`Scan ${f.path}`} onClick={() => void scanFolder(f.path)}>{labels[i]}</button>
        : <span key={f.path} class="chip gone" title={`${f.path} is not there any more`}>
            <s>{labels[i]}</s>
            <button class="chipx" aria-label={`Forget ${f.path}`} title="Forget this folder" onClick={() => void forgetFolder(f.path)}>×</button>
          </span>)}
    </div>
  );
}

function ScanCard({ s }: { s: ScanReport }) {
  const ds = dataset.value;
  return (
    <section class="card" id="scan">
      <h2>{`Found ${count(s.files.length, "file")} in ${s.folder}`}</h2>
      <p>{`Years: ${s.years.map((y) => `${y.year} (${count(y.files, "file")}, ${bytes(y.bytes)})`).join(", ") || "none"}`}</p>
      <p id="scan-counts">{`In ${ds || "–"}: already staged ${int(s.staged)} · already committed ${int(s.committed)}`}</p>
      {s.rejected.length > 0
        ? <details open>
            <summary>{`${count(s.rejected.length, "file")} left out`}</summary>
            <ul>{s.rejected.map((r) => <li key={r.file_name}><code>{r.file_name}</code>{` — ${r.reason}`}</li>)}</ul>
          </details>
        : null}
      <button class="primary" id="stage" disabled={s.files.length === 0 || !ds} onClick={stage}>{`Stage ${count(s.files.length, "file")} into ${ds || "…"}`}</button>
      <Outcome action={staging} id="stage" />
    </section>
  );
}

function DroppedCard({ paths }: { paths: string[] }) {
  const ds = dataset.value;
  return (
    <section class="card" id="dropped">
      <h2>{`${count(paths.length, "file")} dropped`}</h2>
      <ul>{paths.map((p) => <li key={p}><code>{p}</code></li>)}</ul>
      <button class="primary" id="stage" disabled={!ds} onClick={stage}>{`Stage into ${ds || "…"}`}</button>
      <Outcome action={staging} id="stage" />
    </section>
  );
}

export function UploadScreen() {
  const ds = dataset.value;
  const rev = revision.value;
  // The scan card's counts follow the dataset named (after typing pauses) and every change.
  useEffect(() => {
    if (!scan.value) return;
    const t = window.setTimeout(() => void rescan(), 300);
    return () => window.clearTimeout(t);
  }, [ds, rev]);
  useEffect(() => () => [scanning, staging, demo].forEach((a) => a.leave()), []);
  const datasets = info.value?.datasets ?? [];
  const here = current.value;
  const s = scan.value;
  return (
    <main>
      <h1>Upload exposures</h1>
      <div class="field">
        <label for="dataset">Exposure dataset</label>
        <input id="dataset" list="datasets" value={datasetInput.value} spellcheck={false} autocomplete="off"
          onInput={(e) => datasetInput.edit(e.currentTarget.value)} />
        <datalist id="datasets">
          {datasets.map((d) => <option key={d.name} value={d.name}>{`${d.name} (v${d.latest_version}, ${int(d.staged)} staged)`}</option>)}
        </datalist>
        <span class="muted" id="dataset-status">
          {!ds ? "Name the dataset to stage into." : here ? `version ${here.latest_version}, ${int(here.staged)} staged` : "new: created by the first stage"}
        </span>
      </div>
      <div class={dragOver.value ? "dropzone hover" : "dropzone"} id="dropzone">
        <div class="big">Drop a folder of daily exposure files here</div>
        <div class="muted">or files and ZIPs: &lt;prefix&gt;_YYYY-MM-DD.csv, .csv.gz, .parquet, .zip</div>
        <div class="actions">
          <button class="primary" id="choose-folder" onClick={() => void chooseFolder()}>Choose folder…</button>
          <button id="demo" onClick={() => void tryDemo()}>Try with demo data</button>
        </div>
        <RecentFolders />
      </div>
      <Outcome action={scanning} id="scan" />
      <Outcome action={demo} id="demo" />
      {here && here.staged > 0 && !s
        ? <section class="card" id="waiting">
            <p>
              {`${count(here.staged, "staged name")} in ${here.name} ${here.staged === 1 ? "waits" : "wait"} to be checked and committed. `}
              <button id="check-waiting" onClick={() => go("check")}>Check them ›</button>
            </p>
          </section>
        : null}
      {s ? <ScanCard s={s} /> : dropped.value.length > 0 ? <DroppedCard paths={dropped.value} /> : null}
    </main>
  );
}
