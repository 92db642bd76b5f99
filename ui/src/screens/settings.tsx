// Settings: the home folder and what it holds: exposure datasets (destroy), risk datasets
// (open, update when stale, delete), reference data (import, delete) and the demo data.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, type About, type Thresholds } from "../api";
import { Action } from "../action";
import { Defaulted } from "../defaulted";
import { count, int, timestamp } from "../format";
import { deleteReference, deleteRisk, destroyDataset, importReference, updateRisk } from "../library";
import { form, info, references, refreshAll, setThresholds, thresholds } from "../store";
import { Outcome } from "../ui";
import { openDataset } from "./dataset";
import { tryDemo } from "./upload";

/** The reference import form. */
const refDir = signal("");
/** The name: the chosen folder's own name until the user edits it. */
const refName = new Defaulted("");
const refIdType = signal("bayesid");
const refReplace = signal(false);

const loading = new Action();
const exposures = new Action();
const risks = new Action();
const importing = new Action();
const refDeleting = new Action();
const demo = new Action();

/** The last part of a path: the folder's own name. */
function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p !== "");
  return parts[parts.length - 1] ?? "";
}

function setDir(path: string) {
  refDir.value = path;
  refName.offer(baseName(path));
}

async function chooseReferenceFolder() {
  const path = await importing.run("Choosing a folder", () => api.chooseFolder(), { progress: "none" });
  if (path) setDir(path);
}

/** The test hook: as if the user chose `path` in the folder dialog. */
export function setReferenceFolder(path: string) {
  setDir(path);
}

async function doImport(exists: boolean) {
  const done = await importReference(importing, refName.value.trim(), refDir.value.trim(), refIdType.value.trim(), exists && refReplace.value);
  if (done) refReplace.value = false;
}

function ExposureDatasets() {
  const datasets = info.value?.datasets ?? [];
  return (
    <section class="card" id="exposure-datasets">
      <h2>Exposure datasets</h2>
      {datasets.length === 0
        ? <p class="muted">None yet.</p>
        : <div class="tablescroll"><table class="compact">
            <thead><tr><th>Name</th><th class="num">Latest version</th><th class="num">Staged</th><th>Created (UTC)</th><th /></tr></thead>
            <tbody>
              {datasets.map((d) => (
                <tr key={d.name}>
                  <td>{d.name}</td>
                  <td class="num">{String(d.latest_version)}</td>
                  <td class="num">{int(d.staged)}</td>
                  <td>{timestamp(d.created)}</td>
                  <td><button class="danger" id={`destroy-${d.name}`} onClick={() => destroyDataset(exposures, d.name)}>Destroy…</button></td>
                </tr>
              ))}
            </tbody>
          </table></div>}
      <Outcome action={exposures} id="exposure-datasets" />
    </section>
  );
}

function RiskDatasets() {
  const list = form.value?.risk_datasets.filter((d) => d.kind === "user") ?? [];
  return (
    <section class="card" id="risk-datasets">
      <h2>Risk datasets</h2>
      {list.length === 0
        ? <p class="muted">None yet: create one on the Risk dataset screen.</p>
        : <div class="tablescroll"><table class="compact">
            <thead><tr><th>Name</th><th>Status</th><th class="num">Assets</th><th>Dates</th><th>Reference</th><th /></tr></thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.name}>
                  <td>{d.name}</td>
                  <td title={d.stale_reason ?? undefined}>{d.status === "stale" ? `stale: ${d.stale_reason ?? "a source changed"}` : d.status}</td>
                  <td class="num">{int(d.assets)}</td>
                  <td>{d.first_date && d.last_date ? `${d.first_date} – ${d.last_date}` : "–"}</td>
                  <td>{d.reference_dataset ?? "–"}</td>
                  <td class="rowactions">
                    <button id={`open-risk-${d.name}`} onClick={() => openDataset(d.name)}>Open</button>
                    {d.status === "stale" ? <button class="primary" id={`update-${d.name}`} disabled={risks.pending.value} onClick={() => void updateRisk(risks, d.name)}>Update</button> : null}
                    <button class="danger" id={`delete-risk-${d.name}`} onClick={() => deleteRisk(risks, d.name)}>Delete…</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>}
      <Outcome action={risks} id="risk-datasets" />
    </section>
  );
}

function ReferenceData() {
  const list = references.value ?? form.value?.references ?? [];
  const name = refName.value.trim();
  const exists = list.some((r) => r.name === name);
  const ready = name !== "" && refDir.value.trim() !== "" && (!exists || refReplace.value) && !importing.pending.value;
  return (
    <section class="card" id="references">
      <h2>Reference data</h2>
      <p class="muted">A reference dataset is the security master a risk dataset joins exposures to: a folder with assets.csv (asset_id, alternative ids such as ticker or isin, exchange, country, currency, optional name) and optionally market_caps.csv and returns.csv, or their .parquet variants.</p>
      {list.length === 0
        ? <p class="muted" id="references-empty">None yet: import a folder below, or generate the demo data.</p>
        : <div class="tablescroll"><table class="compact" id="reference-list">
            <thead><tr><th>Name</th><th>Id types</th><th class="num">Assets</th><th class="num">Exchanges</th><th>Dates</th><th>Also</th><th /></tr></thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.name}>
                  <td title={`Imported ${timestamp(r.created)} (UTC)`}>{r.name}</td>
                  <td>{r.id_types.join(", ")}</td>
                  <td class="num">{int(r.assets)}</td>
                  <td class="num">{int(r.exchanges)}</td>
                  <td>{r.first_date && r.last_date ? `${r.first_date} – ${r.last_date}` : "–"}</td>
                  <td>{[r.has_market_caps ? "market caps" : "", r.has_returns ? "returns" : ""].filter((x) => x).join(", ") || "–"}</td>
                  <td><button class="danger" id={`delete-reference-${r.name}`} onClick={() => deleteReference(refDeleting, r.name)}>Delete…</button></td>
                </tr>
              ))}
            </tbody>
          </table></div>}
      <Outcome action={refDeleting} id="reference-delete" />
      <h2 class="sub">Import a reference dataset</h2>
      <div class="form">
        <div class="formrow">
          <label for="reference-dir">Folder</label>
          <span class="inline">
            <input id="reference-dir" value={refDir.value} spellcheck={false} autocomplete="off" placeholder="/path/to/reference" onInput={(e) => setDir(e.currentTarget.value)} />
            <button id="reference-choose" onClick={() => void chooseReferenceFolder()}>Choose…</button>
          </span>
        </div>
        <div class="formrow">
          <label for="reference-name">Name</label>
          <input id="reference-name" value={refName.value} spellcheck={false} autocomplete="off"
            onInput={(e) => refName.edit(e.currentTarget.value)} />
          {exists ? <span class="muted">exists</span> : <span />}
        </div>
        <div class="formrow">
          <label for="reference-idtype">Primary id type</label>
          <input id="reference-idtype" list="id-types" value={refIdType.value} spellcheck={false} autocomplete="off" onInput={(e) => (refIdType.value = e.currentTarget.value)} />
          <span class="muted">the type of assets.csv's asset_id column</span>
        </div>
        <datalist id="id-types">{["bayesid", "ticker", "isin", "cusip9", "sedol7"].map((t) => <option key={t} value={t} />)}</datalist>
        {exists
          ? <div class="formrow">
              <label />
              <label class="check"><input type="checkbox" id="reference-replace" checked={refReplace.value} onChange={(e) => (refReplace.value = e.currentTarget.checked)} />{` Replace ${name}`}</label>
            </div>
          : <span />}
        <div class="actions left">
          <button class="primary" id="import-reference" disabled={!ready} onClick={() => void doImport(exists)}>{exists && refReplace.value ? "Import and replace" : "Import"}</button>
        </div>
        <Outcome action={importing} id="import-reference" />
      </div>
    </section>
  );
}

/** What each threshold means, for its label. */
const THRESHOLD_LABELS: Record<string, string> = {
  coverage_drop: "coverage_drop: warn below this share of the recent median of assets",
  coverage_drop_fail: "coverage_drop: fail below this share",
  asset_churn: "asset_churn: warn above this share entering + leaving",
  missing_values: "missing_values: warn above this share of assets without a style value",
  missing_values_fail: "missing_values: fail above this share",
  outliers: "outliers: warn above this share of a style's values",
  outliers_sd: "outliers: robust standard deviations from the median",
  not_standardized_mean: "not_standardized: largest |mean|",
  not_standardized_std: "not_standardized: largest |std − 1|",
  stale_day: "stale_day: fail at this share of identical values",
  distribution_shift: "distribution_shift: warn above this stability index",
  rank_instability: "rank_instability: warn below this rank correlation",
};

const defaults = signal<Thresholds | null>(null);

/** The sanity checks' thresholds: the engine's defaults, changed here for the Check screen. */
function ThresholdsCard() {
  useEffect(() => {
    if (!defaults.value) void api.defaultThresholds().then((d) => (defaults.value = d));
  }, []);
  const base = defaults.value;
  if (!base) return null;
  const now = thresholds.value ?? base;
  const changed = thresholds.value !== null;
  return (
    <section class="card" id="thresholds">
      <h2>Sanity check thresholds</h2>
      <p class="muted">The Check screen flags a date when a check crosses its threshold; the command line takes the same names as <code>--threshold NAME=VALUE</code>.</p>
      <div class="thresholdgrid">
        {(Object.keys(base) as (keyof Thresholds)[]).map((k) => (
          <label key={k} class="threshold">
            <span>{THRESHOLD_LABELS[k] ?? k}</span>
            <input type="number" step="any" id={`threshold-${k}`} value={String(now[k])}
              class={now[k] !== base[k] ? "changed" : ""}
              onChange={(e) => {
                const v = Number(e.currentTarget.value);
                if (Number.isFinite(v)) setThresholds({ ...now, [k]: v });
              }} />
          </label>
        ))}
      </div>
      <button id="thresholds-reset" disabled={!changed} onClick={() => setThresholds(null)}>Reset to defaults</button>
    </section>
  );
}

export function SettingsScreen() {
  useEffect(() => {
    void (async () => {
      try {
        await refreshAll();
        loading.error.value = null;
      } catch (e) {
        loading.fail(e);
      }
    })();
    return () => [loading, exposures, risks, importing, refDeleting, demo].forEach((a) => a.leave());
  }, []);
  const i = info.value;
  return (
    <main>
      <h1>Settings</h1>
      <Outcome action={loading} id="settings-load" />
      <section class="card" id="settings">
        <h2>Home folder</h2>
        <p><code id="home">{i?.home ?? "…"}</code> <button id="copy-home" onClick={() => void navigator.clipboard.writeText(i?.home ?? "")}>Copy</button></p>
        <p class="muted">Every staged file, committed version, reference and risk dataset lives here: a SQLite catalog and Parquet files. To use another folder, start Riskdesk with the environment variable RISKDESK_HOME set to it; the riskdesk command line uses the same variable.</p>
      </section>
      <ExposureDatasets />
      <RiskDatasets />
      <ReferenceData />
      <ThresholdsCard />
      <section class="card" id="demo-data">
        <h2>Demo data</h2>
        <p class="muted">{`A month of demo exposures (${count(35800, "asset")}, written once to the home folder's demo folder) and the Demo-Global reference dataset they match.`}</p>
        <button id="settings-demo" onClick={() => void tryDemo(demo)}>Try with demo data</button>
        <Outcome action={demo} id="settings-demo" />
      </section>
      <AboutCard />
    </main>
  );
}

/** What the About card shows, read once. */
const aboutInfo = signal<About | null>(null);

/** About Riskdesk: version, build, licence, where it works, and the third-party licences. */
function AboutCard() {
  useEffect(() => {
    if (!aboutInfo.value) api.about().then((a) => (aboutInfo.value = a), () => {});
  }, []);
  const a = aboutInfo.value;
  if (!a) return null;
  // Packages by licence, the most common licence first.
  const byLicence = new Map<string, string[]>();
  for (const p of a.third_party) byLicence.set(p.licence, [...(byLicence.get(p.licence) ?? []), `${p.name} ${p.version}`]);
  const licences = [...byLicence.entries()].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0]));
  return (
    <section class="card" id="about">
      <h2>About Riskdesk</h2>
      <table class="about-facts">
        <tbody>
          <tr><th>Version</th><td id="about-version">{a.version}</td></tr>
          <tr><th>Build</th><td id="about-build"><code>{a.build}</code></td></tr>
          <tr><th>Licence</th><td>{a.licence}</td></tr>
          <tr><th>Works on</th><td><code>{a.home}</code></td></tr>
        </tbody>
      </table>
      <details id="about-licences">
        <summary>{`Third-party software: ${count(a.third_party.length, "package")} under ${count(licences.length, "licence")}`}</summary>
        {licences.map(([licence, names]) => (
          <div class="licence" key={licence}>
            <h3>{`${licence} (${names.length})`}</h3>
            <p class="muted">{names.join(", ")}</p>
          </div>
        ))}
      </details>
    </section>
  );
}
