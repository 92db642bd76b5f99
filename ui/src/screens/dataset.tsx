// Screen 5, Dataset: describe (update when stale, delete), coverage, the query (dates, id type,
// standardization, industry and region choices) with export, and the exposures as a data grid:
// every row of the query behind one virtual scroll, sorted, filtered and searched by the engine
// (a grid run reads each date once), with jumps to a date.
import { batch, computed, signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { api, type Description } from "../api";
import { Action } from "../action";
import { count, int } from "../format";
import { filterLabel, gridFilters, jumpTarget, narrows, nextSort, NO_VIEW, renameColumn, setFilter, statusLine, type View, type ViewFilter } from "../grid";
import { cancelJob } from "../jobs";
import { deleteRisk, updateRisk } from "../library";
import { includeLabel, keepOffered, previewQuery, toggle, type Include, type IncludeMode, type PreviewChoices } from "../selection";
import { go, refreshForm, userRisk } from "../store";
import { DateInput, Outcome, Select } from "../ui";
import { DataGrid, paging, timings, type Shown } from "./grid";
import { CreationReportView } from "./report";

type Prefs = Omit<PreviewChoices, "dataset">;

/** The risk dataset shown. */
const chosen = signal<string | null>(null);
const describe = signal<Description | null>(null);
const prefs = signal<Prefs>({ start: "", end: "", idType: "", industries: { mode: "none", chosen: [] }, regions: { mode: "none", chosen: [] }, standardize: true });
const exported = signal<string | null>(null);
/** The grid shown: its request, the sort, filters and search it applied, its columns and dates. */
const shown = signal<Shown | null>(null);
/** The grid run going on: its label, its view, and its job once started. */
const run = signal<{ label: string; view: View; job: number | null } | null>(null);
/** The search box's text (applied on Enter or after a pause). */
const searchDraft = signal("");
/** A jump: the row to show at the top and highlight. */
const reveal = signal<{ row: number; seq: number; gen: number } | null>(null);
/** The date typed into "Jump to date", and what the jump did when it did not land on it. */
const jumpDate = signal("");
const jumpNote = signal<string | null>(null);

const query = computed(() => previewQuery({ dataset: chosen.value ?? "", ...prefs.value }));

const loading = new Action();
const gridding = new Action();
const exporting = new Action();
const updating = new Action();
const deleting = new Action();

/** Shows the Dataset screen on risk dataset `name`. */
export function openDataset(name: string) {
  if (chosen.value !== name) forget(name);
  go("dataset");
}

/** A new dataset: nothing of the previous one's grid, sort, filters or search stays. */
function forget(name: string | null) {
  batch(() => {
    chosen.value = name;
    describe.value = null;
    shown.value = null;
    searchDraft.value = "";
    jumpDate.value = "";
    jumpNote.value = null;
    gridding.error.value = null;
  });
}

function options(d: Description, which: "industry" | "region"): string[] {
  return Object.values(d.universe_settings_menu[which]).flatMap((l) => l.ALL ?? []);
}

/**
 * Loads the description of `name`. A newly chosen dataset (`fresh`) starts the date pickers and
 * id type at the dataset's own and runs its grid unsorted and unfiltered; otherwise the choices
 * and the view stay and the grid runs again (at once when nothing changed: the engine keeps it).
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
    await runGrid(fresh ? NO_VIEW : shown.value?.view ?? NO_VIEW, "Reading exposures");
  } catch (e) {
    if (chosen.value === name) loading.fail(e);
  }
}

/** A run asked for while another goes on: it starts once that one has stopped (cancelled). */
let queued: { view: View; label: string } | null = null;
let gen = 0;

/**
 * Runs the grid of the query with `view` (sort, filters, search), with progress and Cancel. Runs
 * never overlap (the engine keeps one grid, which row reads use): a new one cancels the one going
 * on and starts after it. A cancelled or failed run leaves the grid shown as it was.
 */
async function runGrid(view: View, label: string) {
  const q = query.value;
  if (!q.dataset) return;
  if (run.value) {
    queued = { view, label };
    if (run.value.job !== null) cancelJob(run.value.job);
    return;
  }
  const { dataset, ...exposures } = q;
  const request = { dataset, query: exposures, sort: view.sort, filters: gridFilters(view.filters), search: view.search.trim() };
  run.value = { label, view, job: null };
  jumpNote.value = null;
  const started = performance.now();
  const info = await gridding.run(label, (job) => {
    run.value = { label, view, job: job.id };
    return api.grid(request, job);
  }, { done: () => null });
  const ms = performance.now() - started;
  const next = queued;
  queued = null;
  batch(() => {
    run.value = null;
    if (info && chosen.value === dataset) {
      gen += 1;
      timings.grid.push({ label, ms, total: info.total });
      // The same request again (back on the screen) comes from the engine's memory: the time
      // shown stays the one the grid took to run.
      const before = shown.value;
      const same = before !== null && JSON.stringify(before.request) === JSON.stringify(request);
      shown.value = { gen, request, view: { ...view, search: view.search.trim() }, info, ms: same ? before.ms : ms };
    } else if (!next && !gridding.error.value) {
      // Cancelled by the user: the controls show what the grid shows.
      searchDraft.value = shown.value?.view.search ?? "";
    }
  });
  if (next) await runGrid(next.view, next.label);
}

/**
 * The view the next change starts from: the one asked for last (a run queued or going on), else
 * the one shown, else none yet. (Sorting, then filtering before the sort is done, does both.)
 */
function currentView(): View {
  return queued?.view ?? run.value?.view ?? shown.value?.view ?? { ...NO_VIEW, search: searchDraft.value.trim() };
}

/** Changes the query's choices and runs the grid again (sort and filters follow a new id type). */
function choose(change: Partial<Prefs>) {
  const before = prefs.value;
  prefs.value = { ...before, ...change };
  let view = currentView();
  const idColumn = shown.value?.info.columns.find((c) => c.kind === "id")?.name ?? "";
  if (change.idType !== undefined && change.idType !== before.idType) view = renameColumn(view, idColumn, change.idType);
  void runGrid(view, "Reading exposures");
}

function sortBy(column: string) {
  const view = currentView();
  const sort = nextSort(view.sort, column);
  void runGrid({ ...view, sort }, sort ? `Sorting by ${column}${sort.descending ? " (descending)" : ""}` : "Clearing the sort");
}

/** The chip's ×: the grid unsorted again, whichever way it was sorted. */
function clearSort() {
  void runGrid({ ...currentView(), sort: null }, "Clearing the sort");
}

function filterBy(column: string, f: ViewFilter | null) {
  const view = currentView();
  void runGrid({ ...view, filters: setFilter(view.filters, column, f) }, f ? "Filtering" : "Removing a filter");
}

function clearFilters() {
  searchDraft.value = "";
  void runGrid({ ...currentView(), filters: [], search: "" }, "Clearing the filters");
}

let searchTimer: number | undefined;

/** Runs the search typed (now, or `after` ms once typing pauses) unless the grid already shows it. */
function search(after = 0) {
  window.clearTimeout(searchTimer);
  const go = () => {
    const text = searchDraft.value.trim();
    const view = currentView();
    if (text === view.search && !run.value) return;
    void runGrid({ ...view, search: text }, text ? `Searching “${text}”` : "Clearing the search");
  };
  if (after > 0) searchTimer = window.setTimeout(go, after);
  else go();
}

/** Scrolls to `date`'s first row (or the next date's with rows). */
function jump(date: string) {
  jumpDate.value = date;
  const s = shown.value;
  if (!s || date === "") {
    jumpNote.value = null;
    return;
  }
  const target = jumpTarget(s.info.days, date);
  if (!target) {
    jumpNote.value = "No rows to jump to.";
    return;
  }
  reveal.value = { row: target.row, seq: (reveal.value?.seq ?? 0) + 1, gen: s.gen };
  // The highlighted row and the grid's footer say where it landed; a note only when not on the date asked.
  jumpNote.value = target.date === date ? null : `No rows on ${date}: showing ${target.date}`;
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
  if (name !== chosen.value) forget(name);
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
      <div class="describe-head">
        <p>
          <strong id="risk-status">{stale ? `Stale: ${d.stale_reason ?? "a source changed"}` : "Ready"}</strong>
          {` · ${d.first_date ?? "–"} – ${d.last_date ?? "–"} · ${count(d.report.assets, "asset")} · ${count(d.report.rows, "row")} · reference ${d.report.reference_dataset}`}
        </p>
        <span class="spacer" />
        {stale ? <button class="primary" id="update-risk" disabled={updating.pending.value} onClick={() => void update(d.name)}>Update from the newest data</button> : null}
        <button id="delete-risk" class="danger" onClick={() => deleteRisk(deleting, d.name, () => void enter())}>Delete…</button>
      </div>
      <Outcome action={updating} id="risk-update" />
      <Outcome action={deleting} id="risk-delete" />
      <div class="facts">
        <details id="coverage">
          <summary>{`Coverage: ${int(d.report.assets)} of ${int(d.report.coverage_assets)} universe assets have exposures`}</summary>
          <CreationReportView report={d.report} />
        </details>
        <details>
          <summary>{`Id types (${d.universe_settings_menu.id_types.length})`}</summary>
          <div class="chips">{d.universe_settings_menu.id_types.map((x) => <span class="chip" key={x}>{x}</span>)}</div>
        </details>
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
      </div>
    </section>
  );
}

/** The query: dates, id type, industry and region choices, standardization; export of its rows. */
function QueryCard({ d }: { d: Description }) {
  const p = prefs.value;
  return (
    <section class="card" id="query">
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
        <span class="spacer" />
        <button id="export-csv" onClick={() => void exportPreview("csv")}>Export CSV…</button>
        <button id="export-parquet" onClick={() => void exportPreview("parquet")}>Export Parquet…</button>
      </div>
      <IncludeList label="Industries" inc={p.industries} options={options(d, "industry")} set={(inc) => choose({ industries: inc })} />
      <IncludeList label="Regions" inc={p.regions} options={options(d, "region")} set={(inc) => choose({ regions: inc })} />
      <p class="muted hint" id="export-hint">
        {"Exports the query's rows, with the industry and region 0/1 columns chosen above; sort, filters and search apply to the view only."}
        {exported.value ? <span id="exported">{` Last export: ${exported.value}`}</span> : null}
      </p>
      <Outcome action={exporting} id="export" errorsOnly />
    </section>
  );
}

/** The grid's toolbar, its filter chips, the grid and its states. */
function GridCard({ d }: { d: Description }) {
  const s = shown.value;
  const sorted = s?.view.sort ?? null;
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const el = input.current;
    if (el && el.value !== searchDraft.value && document.activeElement !== el) el.value = searchDraft.value;
  });
  const p = prefs.value;
  const view = s?.view ?? NO_VIEW;
  return (
    <section class="card gridcard" id="exposures">
      <div class="toolbar">
        <span class="searchbox">
          <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.4"><circle cx="6" cy="6" r="4.2" /><path d="M9.2 9.2l3.3 3.3" /></svg>
          <input id="grid-search" ref={input} type="search" placeholder="Search id or ticker" aria-label="Search id or ticker" spellcheck={false} autocomplete="off"
            title="Keeps the rows of assets with an id of any type (primary id, ticker, ISIN…) containing the text, ignoring case"
            onInput={(e) => { searchDraft.value = e.currentTarget.value; search(600); }}
            onKeyDown={(e) => { if (e.key === "Enter") search(); else if (e.key === "Escape" && searchDraft.value) { searchDraft.value = ""; e.currentTarget.value = ""; search(); } }} />
        </span>
        <label class="control" title={sorted ? "Clear the sort to jump to a date" : "Scrolls to the first row of a date"}
          onKeyDown={(e) => { const t = e.target as HTMLInputElement; if (e.key === "Enter" && t.id === "grid-jump" && t.value.trim() === jumpDate.value) jump(jumpDate.value); }}>
          <span class="muted">Jump to date</span>
          <DateInput id="grid-jump" label="Jump to date" value={jumpDate.value} min={p.start || d.first_date || undefined} max={p.end || d.last_date || undefined}
            disabled={!s || sorted !== null} title={sorted ? "Clear the sort to jump to a date" : undefined} onCommit={jump} />
        </label>
        {!sorted && jumpNote.value ? <span class="muted small" id="grid-jump-note">{jumpNote.value}</span> : null}
        <span class="spacer" />
        {s ? <span id="grid-status" class="status">{statusLine(s.info.total, s.info.unfiltered, s.ms)}</span> : null}
      </div>
      {narrows(view) || sorted
        ? <div class="chips filterchips" id="grid-chips">
            {sorted
              ? <span class="chip sortchip" id="grid-sort-chip">{`Sorted by ${sorted.column} ${sorted.descending ? "▼ descending" : "▲ ascending"}`}
                  <button class="chipx" id="grid-sort-clear" aria-label="Clear the sort" title="Clear the sort" onClick={clearSort}>×</button></span>
              : null}
            {view.filters.map((f, i) => (
              <span class="chip filterchip" key={`${f.column}-${i}`} id={`grid-chip-${i}`}>{filterLabel(f)}
                <button class="chipx" aria-label={`Remove the filter ${filterLabel(f)}`} title="Remove this filter" onClick={() => filterBy(f.column, null)}>×</button></span>
            ))}
            {view.search
              ? <span class="chip filterchip" id="grid-chip-search">{`id or ticker contains “${view.search}”`}
                  <button class="chipx" aria-label="Clear the search" title="Clear the search" onClick={() => { searchDraft.value = ""; search(); }}>×</button></span>
              : null}
            {narrows(view) ? <button class="link" id="grid-clear" onClick={clearFilters}>Clear filters</button> : null}
          </div>
        : null}
      <Outcome action={gridding} id="grid-run" errorsOnly />
      <DataGrid shown={s} run={run.value} reveal={reveal.value} onSort={sortBy} onFilter={filterBy} onClear={clearFilters} />
      <p class="muted hint">Values show 4 decimals; point at one for its exact value. Copying selected cells copies the exact values. Click a header to sort; its funnel filters the column and (i) shows its profile.</p>
    </section>
  );
}

export function DatasetScreen() {
  useEffect(() => {
    void enter();
    return () => [loading, gridding, paging, exporting, updating, deleting].forEach((a) => a.leave());
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
              onChange={(v) => { forget(v); void loadDescribe(v, true); }} />
          : null}
      </h1>
      <Outcome action={loading} id="dataset-load" />
      {names.length === 0 && name === null
        ? <p class="muted" id="no-risk-dataset">No risk dataset yet. <button onClick={() => go("risk")}>Create one ›</button></p>
        : null}
      {name !== null && !d ? <p class="muted">Loading…</p> : null}
      {d ? <Describe d={d} /> : null}
      {d ? <QueryCard d={d} /> : null}
      {d ? <GridCard d={d} /> : null}
    </main>
  );
}
