// Screen 5, Dataset: describe (update when stale, delete), coverage, and the paged exposures
// preview with export.
import { batch, computed, signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, type Description, type Page } from "../api";
import { Action } from "../action";
import { count, int } from "../format";
import { deleteRisk, updateRisk } from "../library";
import { includeLabel, keepOffered, previewQuery, toggle, type Include, type IncludeMode, type PreviewChoices } from "../selection";
import { go, refreshForm, userRisk } from "../store";
import { DateInput, Outcome, Select, TextNumCell } from "../ui";
import { CreationReportView } from "./report";

export const PAGE = 100;

type Prefs = Omit<PreviewChoices, "dataset">;

/** The risk dataset shown. */
const chosen = signal<string | null>(null);
const describe = signal<Description | null>(null);
const prefs = signal<Prefs>({ start: "", end: "", idType: "", industries: { mode: "none", chosen: [] }, regions: { mode: "none", chosen: [] }, standardize: true });
const page = signal<{ offset: number; page: Page } | null>(null);
const exported = signal<string | null>(null);

const query = computed(() => previewQuery({ dataset: chosen.value ?? "", ...prefs.value }));

const loading = new Action();
const paging = new Action();
const exporting = new Action();
const updating = new Action();
const deleting = new Action();

/** Shows the Dataset screen on risk dataset `name`. */
export function openDataset(name: string) {
  if (chosen.value !== name) {
    chosen.value = name;
    describe.value = null;
    page.value = null;
  }
  go("dataset");
}

function options(d: Description, which: "industry" | "region"): string[] {
  return Object.values(d.universe_settings_menu[which]).flatMap((l) => l.ALL ?? []);
}

/**
 * Loads the description of `name`. A newly chosen dataset (`fresh`) starts the date pickers and
 * id type at the dataset's own and shows the first page; otherwise the choices and the page
 * shown stay (reloaded, as an update may have changed the data).
 */
async function loadDescribe(name: string, fresh: boolean) {
  try {
    const d = await api.describeRisk(name);
    if (chosen.value !== name) return;
    const p = prefs.value;
    const ids = d.universe_settings_menu.id_types;
    batch(() => {
      describe.value = d;
      loading.error.value = null;
      prefs.value = {
        ...p,
        start: fresh ? d.first_date ?? "" : p.start,
        end: fresh ? d.last_date ?? "" : p.end,
        idType: ids.includes(p.idType) ? p.idType : ids[0] ?? "",
        industries: { ...p.industries, chosen: keepOffered(p.industries.chosen, options(d, "industry")) },
        regions: { ...p.regions, chosen: keepOffered(p.regions.chosen, options(d, "region")) },
      };
    });
    await loadPage(fresh ? 0 : page.value?.offset ?? 0);
  } catch (e) {
    if (chosen.value === name) loading.fail(e);
  }
}

let pageSeq = 0;

async function loadPage(offset: number) {
  const q = query.value;
  if (!q.dataset) return;
  const seq = ++pageSeq;
  const { dataset, ...exposures } = q;
  const p = await paging.run("Loading exposures", () => api.gridRows({ dataset, query: exposures, sort: null, filters: [], search: "" }, offset, PAGE), { progress: "plain" });
  if (p && seq === pageSeq) page.value = { offset, page: p };
}

/** Changes the preview's choices and loads their first page. */
function choose(change: Partial<Prefs>) {
  prefs.value = { ...prefs.value, ...change };
  void loadPage(0);
}

async function exportPreview(format: "csv" | "parquet") {
  const path = await exporting.run(`Exporting ${format.toUpperCase()}`, (job) => api.exportExposures(query.value, format, job), {
    done: (p, took) => (p ? `Exported to ${p} ${took}.` : null),
  });
  if (path) exported.value = path;
}

async function enter() {
  try {
    await refreshForm();
  } catch (e) {
    loading.fail(e);
  }
  const names = userRisk.value.map((d) => d.name);
  const name = chosen.value !== null && names.includes(chosen.value) ? chosen.value : names[0] ?? null;
  if (name !== chosen.value) {
    batch(() => {
      chosen.value = name;
      describe.value = null;
      page.value = null;
    });
  }
  if (name) await loadDescribe(name, describe.value?.name !== name);
}

async function update(name: string) {
  const r = await updateRisk(updating, name);
  if (r && chosen.value === name) await loadDescribe(name, false);
}

/** None / all / chosen columns of a categorical group. */
function IncludeMode({ label, inc, set }: { label: string; inc: Include; set: (inc: Include) => void }) {
  return (
    <label class="control">
      <span class="muted">{label}</span>
      <Select id={`include-${label}`} value={inc.mode} onChange={(v) => set({ ...inc, mode: v as IncludeMode })}
        options={[{ value: "none" }, { value: "all" }, { value: "chosen", label: "chosen…" }]} />
    </label>
  );
}

/** The checkbox list of a group whose mode is "chosen": its columns, and the assets kept are their members. */
function IncludeList({ label, inc, options: opts, set }: { label: string; inc: Include; options: string[]; set: (inc: Include) => void }) {
  if (inc.mode !== "chosen") return null;
  return (
    <div class="includelist" id={`includelist-${label}`}>
      <div class="muted">{`${label}: ${includeLabel(inc, opts.length)}`}</div>
      <div class="pickergrid wide">
        {opts.map((o) => (
          <label class="check" title={o} key={o}>
            <input type="checkbox" id={`include-${label}-${o}`} checked={inc.chosen.includes(o)}
              onChange={(e) => set({ ...inc, chosen: toggle(inc.chosen, o, e.currentTarget.checked, opts) })} />
            {` ${o.slice(o.indexOf(".") + 1)}`}
          </label>
        ))}
      </div>
    </div>
  );
}

function Describe({ d }: { d: Description }) {
  const stale = d.status === "stale";
  return (
    <section class="card" id="describe">
      <p>
        <strong id="risk-status">{stale ? `Stale: ${d.stale_reason ?? "a source changed"}` : "Ready"}</strong>
        {` · ${d.first_date ?? "–"} – ${d.last_date ?? "–"} · ${count(d.report.assets, "asset")} · ${count(d.report.rows, "row")} · reference ${d.report.reference_dataset}`}
      </p>
      <div class="toolbar">
        {stale ? <button class="primary" id="update-risk" disabled={updating.pending.value} onClick={() => void update(d.name)}>Update from the newest data</button> : null}
        <button id="delete-risk" class="danger" onClick={() => deleteRisk(deleting, d.name, () => void enter())}>Delete…</button>
      </div>
      <Outcome action={updating} id="risk-update" />
      <Outcome action={deleting} id="risk-delete" />
      <details id="coverage">
        <summary>{`Coverage report: ${int(d.report.assets)} of ${int(d.report.coverage_assets)} universe assets have exposures`}</summary>
        <CreationReportView report={d.report} />
      </details>
      <div class="muted">Id types</div>
      <div class="chips">{d.universe_settings_menu.id_types.map((x) => <span class="chip" key={x}>{x}</span>)}</div>
      <details>
        <summary>{`Exchanges (${d.universe_settings_menu.exchanges.length})`}</summary>
        <div class="chips">{d.universe_settings_menu.exchanges.map((x) => <span class="chip" key={x}>{x}</span>)}</div>
      </details>
      {Object.entries(d.universe_settings_menu.industry).map(([g, l]) => (
        <details key={`i-${g}`}>
          <summary>{`Industries: ${g} (${(l.ALL ?? []).length})`}</summary>
          <div class="chips">{(l.ALL ?? []).map((x) => <span class="chip" key={x}>{x}</span>)}</div>
        </details>
      ))}
      {Object.entries(d.universe_settings_menu.region).map(([g, l]) => (
        <details key={`r-${g}`}>
          <summary>{`Regions: ${g} (${(l.ALL ?? []).length})`}</summary>
          <div class="chips">{(l.ALL ?? []).map((x) => <span class="chip" key={x}>{x}</span>)}</div>
        </details>
      ))}
    </section>
  );
}

function Preview({ d }: { d: Description }) {
  const p = prefs.value;
  const shown = page.value;
  const pg = shown?.page ?? null;
  const offset = shown?.offset ?? 0;
  const numeric = (c: string) => c.includes(".");
  const last = pg ? Math.max(0, Math.floor((pg.total - 1) / PAGE) * PAGE) : 0;
  return (
    <section class="card">
      <div class="toolbar">
        <label class="control"><span class="muted">From</span>
          <DateInput id="preview-start" label="From" value={p.start} min={d.first_date ?? undefined} max={d.last_date ?? undefined} onCommit={(v) => choose({ start: v })} />
        </label>
        <label class="control"><span class="muted">To</span>
          <DateInput id="preview-end" label="To" value={p.end} min={d.first_date ?? undefined} max={d.last_date ?? undefined} onCommit={(v) => choose({ end: v })} />
        </label>
        <label class="control"><span class="muted">Id</span>
          <Select id="preview-idtype" value={p.idType} options={d.universe_settings_menu.id_types.map((x) => ({ value: x }))} onChange={(v) => choose({ idType: v })} />
        </label>
        <IncludeMode label="Industries" inc={p.industries} set={(inc) => choose({ industries: inc })} />
        <IncludeMode label="Regions" inc={p.regions} set={(inc) => choose({ regions: inc })} />
        <label class="check">
          <input type="checkbox" id="standardize" checked={p.standardize} onChange={(e) => choose({ standardize: e.currentTarget.checked })} /> Standardize styles
        </label>
      </div>
      <IncludeList label="Industries" inc={p.industries} options={options(d, "industry")} set={(inc) => choose({ industries: inc })} />
      <IncludeList label="Regions" inc={p.regions} options={options(d, "region")} set={(inc) => choose({ regions: inc })} />
      <div class="toolbar">
        <button id="export-csv" disabled={!pg} onClick={() => void exportPreview("csv")}>Export CSV…</button>
        <button id="export-parquet" disabled={!pg} onClick={() => void exportPreview("parquet")}>Export Parquet…</button>
        {exported.value ? <span class="muted" id="exported">{`Exported to ${exported.value}`}</span> : null}
        <span class="spacer" />
        {pg ? <span class="muted" id="preview-rows">{`Rows ${int(pg.total === 0 ? 0 : offset + 1)}–${int(Math.min(offset + PAGE, pg.total))} of ${int(pg.total)}`}</span> : null}
        <button id="page-first" disabled={!pg || offset === 0} onClick={() => void loadPage(0)}>« First</button>
        <button id="page-prev" disabled={!pg || offset === 0} onClick={() => void loadPage(Math.max(0, offset - PAGE))}>‹ Prev</button>
        <button id="page-next" disabled={!pg || offset + PAGE >= pg.total} onClick={() => void loadPage(offset + PAGE)}>Next ›</button>
        <button id="page-last" disabled={!pg || offset + PAGE >= pg.total} onClick={() => void loadPage(last)}>Last »</button>
      </div>
      <Outcome action={exporting} id="export" errorsOnly />
      <Outcome action={paging} id="preview" errorsOnly />
      {pg
        ? <div class="tablewrap">
            <table id="preview">
              <thead><tr>{pg.columns.map((c) => <th key={c} class={numeric(c) ? "num" : ""}>{c}</th>)}</tr></thead>
              <tbody>
                {pg.rows.map((r, i) => (
                  <tr key={offset + i}>
                    {r.map((cell, j) => (numeric(pg.columns[j]) ? <TextNumCell key={j} text={cell} /> : <td key={j}>{cell}</td>))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        : null}
      {pg ? <p class="muted hint">Values show 4 decimals; point at one for its exact value. Copying selected cells copies the exact values.</p> : null}
    </section>
  );
}

export function DatasetScreen() {
  useEffect(() => {
    void enter();
    return () => [loading, paging, exporting, updating, deleting].forEach((a) => a.leave());
  }, []);
  const names = userRisk.value.map((u) => u.name);
  const name = chosen.value;
  const d = describe.value?.name === name ? describe.value : null;
  return (
    <main>
      <h1>
        {"Dataset "}
        {names.length > 0
          ? <Select id="risk-dataset" label="Risk dataset" value={name ?? ""} options={names.map((n) => ({ value: n }))}
              onChange={(v) => { batch(() => { chosen.value = v; describe.value = null; page.value = null; }); void loadDescribe(v, true); }} />
          : null}
      </h1>
      <Outcome action={loading} id="dataset-load" />
      {names.length === 0 && name === null
        ? <p class="muted" id="no-risk-dataset">No risk dataset yet. <button onClick={() => go("risk")}>Create one ›</button></p>
        : null}
      {name !== null && !d ? <p class="muted">Loading…</p> : null}
      {d ? <Describe d={d} /> : null}
      {d ? <Preview d={d} /> : null}
    </main>
  );
}
