// Screen 2, Check & commit: what the last staging did, per-day charts with read-out and day
// picking, the detail table, wipe and commit.
import { batch, computed, signal } from "@preact/signals";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { api, type Chart, type CommitResult, type DayCharts, type DayHistogram, type DetailRow, type Drill, type Finding, type Heatmap, type StagingResult } from "../api";
import { Action } from "../action";
import { rowAt, slotAt, slotCentre, svgX } from "../charts";
import { count, f32, int, listSome, sortRows } from "../format";
import { failLines, measured, monthLabel, replacementRows, strip, stripMonths } from "../findings";
import { merge, outcome, replaceQuestion, summarizeDiagnostics, summary } from "../staging";
import { ask, current, dataset, go, thresholds, touched } from "../store";
import { F32Cell, Outcome, Select } from "../ui";

/** The last staging run into a dataset: its results and what it said. */
/** The last staging run: into which dataset, from which paths, with what results. */
export interface Staged { dataset: string; paths: string[]; results: StagingResult[]; done: string }

export const staged = signal<Staged | null>(null);
/** The last commit, kept until the next staging run or commit. */
export const committed = signal<{ dataset: string; result: CommitResult; done: string } | null>(null);

const detail = signal<DetailRow[]>([]);
/** The dataset `detail` and the charts belong to. */
const detailFor = signal<string | null>(null);
const charts = signal<DayCharts | null>(null);
/** The selected day (a date of the charts). */
const day = signal<string | null>(null);
const histogram = signal<DayHistogram | null>(null);
/** The sanity checks' findings over what is staged, most severe first. */
const findings = signal<Finding[]>([]);
/** While the checks that read the data run: `findings` holds the quick ones only. */
const checkingAll = signal(false);
/** The factor × date heatmaps of the staged data (missing values, standardisation). */
const heatmaps = signal<Heatmap[]>([]);
/** The heatmap shown (its index). */
const heatShown = signal(0);
/** The finding opened in the list (its index), showing the assets behind it. */
const opened = signal<number | null>(null);
/** The drill-down of the opened finding: its assets' values and the marked histogram. */
const drill = signal<{ index: number; data: Drill } | null>(null);

/** Opens (or closes) finding `i`: selects its day and loads its drill-down. */
async function openFinding(i: number) {
  if (opened.value === i) {
    opened.value = null;
    return;
  }
  const f = findings.value[i];
  opened.value = i;
  selectDate(f.date);
  try {
    const { width } = chartSize();
    const data = await api.drillDown(dataset.value, f, width, 180);
    if (opened.value === i) drill.value = { index: i, data };
  } catch (e) {
    loading.fail(e);
  }
}
/** The factor group the user picked for the histogram; null: the style group. */
const histGroup = signal<string | null>(null);
/** The factor of that group the user picked; null: all its factors pooled. */
const histFactor = signal<string | null>(null);
/** Staged names ticked for wiping. */
const wipe = signal<ReadonlySet<string>>(new Set());
const sort = signal<{ key: keyof DetailRow; asc: boolean }>({ key: "date", asc: true });
/** The commit mode the user picked (kept until they pick another). */
const mode = signal("append");

const loading = new Action();
const replacing = new Action();
const committing = new Action();
const wiping = new Action();

/** Whether the Check step has anything to show for the current dataset. */
export const checkable = computed(() => {
  const ds = dataset.value;
  const here = current.value;
  // A destroyed dataset's cards do not count (they are hidden too).
  return here !== null && (here.staged > 0 || staged.value?.dataset === ds || committed.value?.dataset === ds);
});

const MODES: Record<string, string> = {
  append: "add these rows; refused if any key is already committed",
  upsert: "add new keys and replace the values of keys already committed",
  overwrite_dates: "replace every committed row of these dates",
  overwrite: "replace ALL committed data with these rows",
};

/** Chart size in SVG pixels: the width of one of two columns, so that text is drawn at its size. */
export function chartSize(): { width: number; height: number } {
  const content = document.querySelector<HTMLElement>(".content");
  const inner = Math.min((content?.clientWidth ?? 1060) - 64, 1840);
  return { width: Math.max(360, Math.floor((inner - 14) / 2 - 26)), height: 200 };
}

let loadSeq = 0;

/** Reloads the staged detail rows of the current dataset, their charts and the selected day's histogram. */
export async function refreshDetail() {
  const ds = dataset.value;
  const seq = ++loadSeq;
  try {
    const known = current.value !== null;
    const rows = known ? await api.stagingDetail(ds) : [];
    // The checks that need no data read come at once; the others follow with the charts.
    const quick = rows.length > 0 ? await api.quickCheck(ds, thresholds.value) : [];
    if (seq !== loadSeq) return;
    batch(() => {
      if (detailFor.value !== ds) {
        charts.value = null;
        heatmaps.value = [];
      }
      detail.value = rows;
      detailFor.value = ds;
      findings.value = quick;
      opened.value = null;
      checkingAll.value = rows.length > 0;
    });
    const { width, height } = chartSize();
    const [drawn, checked] = rows.length > 0
      ? await Promise.all([api.dayCharts(ds, width, height), api.checkStaging(ds, thresholds.value, 2 * width + 40, 60 + 18 * 9)])
      : [null, null];
    if (seq !== loadSeq) return;
    const names = new Set(rows.map((r) => (r._name ?? "")));
    const dates = drawn?.dates ?? [];
    batch(() => {
      detail.value = rows;
      detailFor.value = ds;
      charts.value = drawn;
      findings.value = checked?.findings ?? [];
      heatmaps.value = checked?.heatmaps ?? [];
      checkingAll.value = false;
      opened.value = null;
      wipe.value = new Set([...wipe.value].filter((n) => names.has(n)));
      // The selected day stays selected while it is staged.
      if (day.value === null || !dates.includes(day.value)) day.value = dates[0] ?? null;
      if (rows.length === 0) histogram.value = null;
      loading.error.value = null;
    });
    await loadHistogram();
  } catch (e) {
    if (seq === loadSeq) {
      checkingAll.value = false;
      loading.fail(e);
    }
  }
}

let histSeq = 0;

/** Draws the histogram of the selected day's values of the chosen group. */
async function loadHistogram() {
  const date = day.value;
  const row = detail.value.find((r) => r.date === date);
  const seq = ++histSeq;
  if (!date || !row) {
    histogram.value = null;
    return;
  }
  try {
    const { width, height } = chartSize();
    const h = await api.dayHistogram(dataset.value, row._name ?? "", date, histGroup.value, histFactor.value, width, height);
    if (seq === histSeq) histogram.value = h;
  } catch (e) {
    if (seq === histSeq) loading.fail(e);
  }
}

/** Redraws the charts for a new window width (called once resizing pauses). */
export function onResize() {
  const drawn = charts.value?.charts[0]?.width;
  if (drawn === undefined || Math.abs(chartSize().width - drawn) < 24) return;
  void refreshDetail();
}

function selectDay(i: number) {
  const dates = charts.value?.dates ?? [];
  if (dates.length === 0) return;
  day.value = dates[Math.max(0, Math.min(dates.length - 1, i))];
  void loadHistogram();
}

/**
 * Stages `paths` into the current dataset with `action` (whose errors show by the button that
 * started it); then the Check screen shows what happened, and if files differ from what is
 * staged under their names, asks whether to replace them.
 */
export async function stagePaths(action: Action, paths: string[]) {
  const ds = dataset.value;
  let said = "";
  const results = await action.run("Staging", (job) => api.stage(ds, paths, false, job), {
    done: (r, took) => (said = `Staged into ${ds} ${took}: ${summary(outcome(r))}.`),
  });
  if (!results) return;
  batch(() => {
    staged.value = { dataset: ds, paths, results, done: action.done.value ?? said };
    committed.value = null; // the last commit's card belongs to the files before these
    wiping.done.value = null;
    replacing.done.value = null;
    replacing.error.value = null;
  });
  go("check");
  await afterChange();
  const differ = outcome(results).exists;
  if (differ.length > 0) {
    ask({
      title: `Replace staged files in ${ds}?`,
      text: `${replaceQuestion(differ)} ${listSome(differ.map((r) => r.name), 5)}.`,
      action: `Replace ${count(differ.length, "file")}`,
      run: () => void replaceStaged(ds, paths),
    });
  }
}

/**
 * Stages the same paths again with `replace`: names staged from identical files stay as they are
 * (`unchanged`), the ones that differ are replaced. (A result's `source` can name a ZIP member,
 * which is no path, so the paths the user gave are sent again.)
 */
async function replaceStaged(ds: string, paths: string[]) {
  const results = await replacing.run("Replacing staged files", (job) => api.stage(ds, paths, true, job), {
    done: (r, took) => `Replaced in ${ds} ${took}: ${summary(outcome(r))}.`,
  });
  if (!results) return;
  const before = staged.value;
  staged.value = { dataset: ds, paths, results: before?.dataset === ds ? merge(before.results, results) : results, done: before?.done ?? "" };
  await afterChange();
}

/** After staged or committed data changed: the lists, the scan card's counts and this screen. */
async function afterChange() {
  try {
    await touched();
  } catch (e) {
    loading.fail(e);
  }
  await refreshDetail();
}

function askCommit() {
  const fails = failLines(findings.value);
  if (checkingAll.value) {
    const known = fails.length > 0 ? ` Already failing: ${listSome(fails, 6)}.` : "";
    ask({
      title: "The sanity checks are still running",
      text: `Missing and duplicate dates and coverage are checked; the checks that read the data have not finished.${known} Commit without waiting for them?`,
      action: "Commit without waiting…",
      danger: true,
      // The checks may have finished meanwhile: then their fails are asked about as usual.
      run: () => window.setTimeout(() => void (checkingAll.value ? confirmCommit() : askCommit()), 0),
    });
    return;
  }
  if (fails.length > 0) {
    ask({
      title: `${count(fails.length, "check fails", "checks fail")} on the staged data`,
      text: `${listSome(fails, 6)}. Commit anyway?`,
      action: "Commit anyway…",
      danger: true,
      run: () => window.setTimeout(() => void confirmCommit(), 0),
    });
    return;
  }
  void confirmCommit();
}

async function confirmCommit() {
  const ds = dataset.value;
  const m = mode.value;
  const dates = new Set(detail.value.map((r) => r.date)).size;
  let replaced: Awaited<ReturnType<typeof api.commitPreview>> = [];
  try {
    replaced = m === "append" ? [] : await api.commitPreview(ds, m);
  } catch (e) {
    committing.fail(e);
    return;
  }
  ask({
    table: replaced.length > 0 ? replacementRows(replaced) : undefined,
    title: `Commit to ${ds}?`,
    text: `${count(detail.value.length, "staged name × date row")} (${count(dates, "date")}), mode ${m}: ${MODES[m]}. A new version is made; older versions stay readable.${replaced.length > 0 ? ` It replaces ${count(replaced.length, "committed date")}, committed → staged:` : ""}`,
    action: `Commit (${m})`,
    run: () => void doCommit(ds, m),
  });
}

async function doCommit(ds: string, m: string) {
  // Checks still reading the staged files would fail once the commit moves them: drop their answer.
  loadSeq++;
  checkingAll.value = false;
  const result = await committing.run("Committing", (job) => api.commit(ds, m, job), {
    done: (c, took) => `Committed version ${c.version} of ${ds} ${took}.`,
  });
  if (!result) return;
  batch(() => {
    committed.value = { dataset: ds, result, done: committing.done.value ?? "" };
    staged.value = null; // failures of earlier staging runs do not outlive a commit
    wipe.value = new Set();
    wiping.done.value = null;
  });
  await afterChange();
}

function askWipe() {
  const ds = dataset.value;
  const names = [...wipe.value].sort();
  ask({
    title: `Wipe ${count(names.length, "staged name")}?`,
    text: `${listSome(names, 5)} will be removed from staging in ${ds}. Committed versions are not touched; the files can be staged again.`,
    action: "Wipe",
    danger: true,
    run: () => void doWipe(ds, names),
  });
}

async function doWipe(ds: string, names: string[]) {
  const wiped = await wiping.run("Wiping", () => api.wipeStaged(ds, names), {
    progress: "plain",
    done: (_, took) => `Wiped ${count(names.length, "staged name")} from ${ds} ${took}.`,
  });
  if (!wiped) return;
  batch(() => {
    wipe.value = new Set();
    const s = staged.value;
    if (s) staged.value = { ...s, results: s.results.filter((r) => !names.includes(r.name)) };
  });
  await afterChange();
}

/** Sets an SVG drawn by the engine (from numbers, not user text) only when its text changes. */
function SvgHost({ svg }: { svg: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const drawn = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (ref.current && drawn.current !== svg) {
      ref.current.innerHTML = svg;
      drawn.current = svg;
    }
  }, [svg]);
  return <div class="svghost" ref={ref} />;
}

interface FigureProps {
  chart: Chart;
  /** Day slots or histogram bins across the plot. */
  slots: number;
  describe: (i: number) => string;
  hint: string;
  selected: number | null;
  /** Click and ←/→ choose a slot. */
  pick?: (i: number) => void;
  extra?: ComponentChildren;
  id?: string;
}

/** One engine chart with a read-out of the slot under the pointer and, with `pick`, click and arrow keys to choose one. */
function ChartFigure({ chart, slots, describe, hint, selected, pick, extra, id }: FigureProps) {
  const [hover, setHover] = useState<number | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const at = (e: MouseEvent) => {
    const rect = box.current!.getBoundingClientRect();
    return slotAt(chart.plot, slots, svgX(e.clientX, rect.left, rect.width, chart.width));
  };
  const top = (100 * chart.plot.top) / chart.height;
  const height = (100 * (chart.plot.bottom - chart.plot.top)) / chart.height;
  const line = (i: number) => ({ left: `${100 * slotCentre(chart.plot, slots, i, chart.width)}%`, top: `${top}%`, height: `${height}%` });
  const resting = selected !== null && pick ? describe(selected) : hint;
  return (
    <figure class={`chart ${pick ? "pickable" : ""}`} id={id ?? `chart-${chart.id}`} tabIndex={pick ? 0 : undefined} aria-label={chart.title}
      onKeyDown={(e) => {
        if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && selected !== null && pick) {
          e.preventDefault();
          pick(selected + (e.key === "ArrowLeft" ? -1 : 1));
        }
      }}>
      <figcaption><span class="title">{chart.title}</span>{extra}</figcaption>
      <div class="svg" ref={box}
        onMouseMove={(e) => setHover(at(e))}
        onMouseLeave={() => setHover(null)}
        onClick={pick ? (e) => { const i = at(e); if (i !== null) pick(i); } : undefined}>
        <SvgHost svg={chart.svg} />
        {selected !== null && selected < slots ? <div class="mark" style={line(selected)} /> : null}
        {hover !== null ? <div class="cursor" style={line(hover)} /> : null}
      </div>
      <div class="readout">{hover !== null ? describe(hover) : resting}</div>
    </figure>
  );
}

function Charts() {
  const c = charts.value;
  if (!c || c.charts.length === 0) return null;
  const rows = detail.value;
  // Slots are calendar days (the axis is proportional to time); days without data are gaps.
  const selected = day.value === null ? null : c.days.indexOf(day.value);
  const rowsOn = (i: number) => rows.filter((r) => r.date === c.days[i]);
  const each = (i: number, f: (r: DetailRow) => string) =>
    `${c.days[i]} · ` + (rowsOn(i).map((r) => (c.series.length > 1 ? `${(r._name ?? "")}: ` : "") + f(r)).join(" · ") || "no data");
  // A gap picks the next day with data in the direction of travel (for ←/→ and clicks alike).
  const pickSlot = (i: number) => {
    const from = selected ?? 0;
    const step = i >= from ? 1 : -1;
    for (let j = Math.max(0, Math.min(c.days.length - 1, i)); j >= 0 && j < c.days.length; j += step) {
      if (c.dates.includes(c.days[j])) return selectDate(c.days[j]);
    }
  };
  const text: Record<string, (i: number) => string> = {
    assets: (i) => each(i, (r) => `${int(r.n_assets)} assets`),
    range: (i) => each(i, (r) => `${f32(r.min_exposure)} … ${f32(r.max_exposure)} · mean ${f32(r.mean_exposure)} · median ${f32(r.median_exposure)}`),
    std: (i) => each(i, (r) => `std ${f32(r.std_exposure)}`),
  };
  const hint = "Point at a day for its values; click to pick it";
  return (
    <section class="charts" id="charts">
      {c.charts.map((ch) => (
        <ChartFigure key={ch.id} chart={ch} slots={c.days.length} describe={text[ch.id] ?? ((i) => c.days[i])} hint={hint}
          selected={selected !== null && selected >= 0 ? selected : null} pick={pickSlot} />
      ))}
      <Histogram />
    </section>
  );
}

function Histogram() {
  const hg = histogram.value;
  if (!hg) {
    return (
      <figure class="chart empty" id="chart-histogram">
        <figcaption>Histogram of the selected day</figcaption>
        <p class="muted">Loading…</p>
      </figure>
    );
  }
  const bins = hg.histogram.bins;
  const categorical = hg.categories.length > 0;
  const picker = (
    <span class="pickers">
      {hg.groups.length > 1
        ? <Select id="histgroup" label="Factor group" value={hg.group} options={hg.groups.map((g) => ({ value: g }))}
            onChange={(g) => { histGroup.value = g; histFactor.value = null; void loadHistogram(); }} />
        : null}
      {!categorical && hg.factors.length > 1
        ? <Select id="histfactor" label="Factor" value={hg.factor ?? ""}
            options={[{ value: "", label: "all factors" }, ...hg.factors.map((f) => ({ value: f }))]}
            onChange={(f) => { histFactor.value = f || null; void loadHistogram(); }} />
        : null}
    </span>
  );
  const summaryText = categorical
    ? `${int(hg.histogram.values)} members in ${count(hg.categories.length, "factor")}; point at a bar for its name`
    : `${int(hg.histogram.values)} values${hg.histogram.missing > 0 ? `, ${int(hg.histogram.missing)} missing` : ""}`;
  const describe = categorical
    ? (i: number) => `${hg.categories[i]}: ${count(bins[i].count, "asset")}`
    : (i: number) => `[${f32(bins[i].lo)}, ${f32(bins[i].hi)}${i === bins.length - 1 ? "]" : ")"}: ${int(bins[i].count)} values`;
  return <ChartFigure id="chart-histogram" chart={hg.histogram.chart} slots={bins.length} hint={summaryText} selected={null} extra={picker} describe={describe} />;
}

/** What the last staging run did: the counts, and each failed file with its messages (repeats summarised). */
function StagedCard() {
  const s = staged.value;
  if (!s || s.dataset !== dataset.value || current.value === null) return null;
  const o = outcome(s.results);
  return (
    <>
      <section class={`card ${o.failed.length === 0 && o.exists.length === 0 ? "ok" : ""}`} id="staged">
        <p class="done-line">{s.done}</p>
        {o.exists.length > 0 && !replacing.pending.value
          ? <p id="staged-differ">
              {`${replaceQuestion(o.exists)} `}
              <button id="replace-staged" onClick={() => void replaceStaged(s.dataset, s.paths)}>{`Replace ${count(o.exists.length, "file")}`}</button>
            </p>
          : null}
        <Outcome action={replacing} id="replace" />
      </section>
      {o.failed.length > 0
        ? <section class="card failures" id="failures">
            <h2>{`${count(o.failed.length, "file")} failed to stage`}</h2>
            {o.failed.map((r) => (
              <div key={r.source}>
                <strong>{r.source}</strong>
                <pre>{summarizeDiagnostics(r.messages).join("\n")}</pre>
              </div>
            ))}
          </section>
        : null}
    </>
  );
}

function CommittedCard() {
  const c = committed.value;
  if (!c || c.dataset !== dataset.value || current.value === null) return null;
  const r = c.result;
  return (
    <section class="card ok" id="committed">
      <h2>{`Committed version ${r.version}`}</h2>
      <p>{`${count(r.committed_names.length, "name")} (${r.mode}): ${listSome(r.committed_names, 4)}. The version holds ${count(r.rows, "row")} over ${count(r.dates, "date")}.`}</p>
      <p class="done-line">{c.done}</p>
      <div class="actions left">
        <button id="go-risk" onClick={() => go("risk")}>Create a risk dataset ›</button>
        <button id="go-history" onClick={() => go("history")}>History</button>
      </div>
    </section>
  );
}

/** Selects `date` in every chart and the table, if it is staged. */
function selectDate(date: string) {
  const dates = charts.value?.dates ?? [];
  if (dates.includes(date)) selectDay(dates.indexOf(date));
}

/** The sanity checks: a strip of the staged dates coloured by their worst finding, and the findings, fails first. */
function FindingsCard() {
  const list = findings.value;
  const partial = checkingAll.value;
  // While the full checks run, the charts may still be those of the staged data before.
  const dates = (!partial && charts.value?.dates) || [...new Set(detail.value.map((r) => r.date))].sort();
  const days = strip(dates, list);
  const selected = day.value;
  const fails = list.filter((f) => f.severity === "fail").length;
  const found = list.length === 0 ? "nothing found" : `${count(fails, "fail")}, ${count(list.length - fails, "warning")}`;
  return (
    <section class={`card findings ${fails > 0 ? "bad" : list.length > 0 ? "warn" : partial ? "pending" : "clean"}`} id="findings" aria-busy={partial}>
      <h2>
        {partial ? `Sanity checks: ${found} so far` : `Sanity checks: ${found}`}
        {partial ? <span class="muted running" id="checks-running">{" · dates and asset counts checked; reading the data for the other checks…"}</span> : null}
      </h2>
      <div class="strip" id="strip" role="list" aria-label="Staged dates by their worst finding, a row per month">
        {stripMonths(days).map((m) => (
          <div class="month" key={m.month}>
            <span class="label">{monthLabel(m.month)}</span>
            {m.days.map((d, i) => d
              ? <button key={d.date} role="listitem" class={`day ${d.worst} ${d.date === selected ? "selected" : ""}`} id={`strip-${d.date}`}
                  title={d.worst === "missing" ? `${d.date}: no data` : `${d.date}: ${d.count === 0 ? "no finding" : count(d.count, "finding")}`}
                  disabled={d.worst === "missing"} onClick={() => selectDate(d.date)}>
                  <span>{d.date.slice(8)}</span>
                </button>
              : <span key={i} class="day none" />)}
          </div>
        ))}
      </div>
      {list.length > 0
        ? <table id="findings-list">
            <thead><tr><th /><th>Date</th><th>Check</th><th>Factor</th><th>Measured</th><th>What it means</th></tr></thead>
            <tbody>
              {list.map((f, i) => (
                <>
                  <tr key={`f${i}`} id={`finding-${i}`} class={`${f.severity} ${opened.value === i ? "open" : ""}`}
                    onClick={() => void openFinding(i)}>
                    <td><span class={`badge ${f.severity}`}>{f.severity}</span></td>
                    <td>{f.date}</td>
                    <td><code>{f.check}</code></td>
                    <td>{f.factor ? `${f.factor_group}.${f.factor}` : f.factor_group ?? ""}</td>
                    <td class="num">{measured(f)}</td>
                    <td>{f.message}</td>
                  </tr>
                  {opened.value === i
                    ? <tr key={`a${i}`} class="assets"><td /><td colSpan={5}>
                        <DrillView f={f} d={drill.value?.index === i ? drill.value.data : null} />
                      </td></tr>
                    : null}
                </>
              ))}
            </tbody>
          </table>
        : <p class="muted">{partial ? "No missing or duplicate date, no coverage drop." : "Every check passed on every staged date."}</p>}
    </section>
  );
}

/** The assets behind a finding with their values (and the date before's), and the marked histogram. */
function DrillView({ f, d }: { f: Finding; d: Drill | null }) {
  if (f.assets.length === 0) return <span>No single assets behind it: it is about the whole date.</span>;
  const title = `Assets behind it${f.assets.length === 20 ? " (first 20)" : ""}`;
  if (!d || d.assets.every((a) => a.value === null && a.previous === null)) {
    return <>{`${title}: `}<code>{f.assets.join("  ")}</code></>;
  }
  return (
    <div class="drill">
      <table class="compact" id="drill-assets">
        <thead><tr><th>{title}</th><th class="num">{f.date}</th>{d.previous_date ? <th class="num">{d.previous_date}</th> : null}</tr></thead>
        <tbody>
          {d.assets.map((a) => (
            <tr key={a.asset}><td>{a.asset}</td><F32Cell value={a.value} />{d.previous_date ? <F32Cell value={a.previous} /> : null}</tr>
          ))}
        </tbody>
      </table>
      {d.histogram ? <figure class="drillchart"><figcaption>{d.histogram.chart.title}</figcaption><SvgHost svg={d.histogram.chart.svg} /></figure> : null}
    </div>
  );
}

/** The factor × date heatmaps: which one, a read-out of the cell under the pointer, a click picks its day. */
function HeatmapCard() {
  const maps = heatmaps.value;
  const [hover, setHover] = useState<{ r: number; c: number } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  if (maps.length === 0 || maps[0].factors.length === 0) return null;
  const hm = maps[Math.min(heatShown.value, maps.length - 1)];
  const at = (e: MouseEvent) => {
    const rect = box.current!.getBoundingClientRect();
    const x = svgX(e.clientX, rect.left, rect.width, hm.chart.width);
    const y = ((e.clientY - rect.top) * hm.chart.height) / Math.max(1, rect.height);
    const c = slotAt(hm.chart.plot, hm.days.length, x);
    const r = rowAt(hm.chart.plot, hm.factors.length, y);
    return c === null || r === null ? null : { r, c };
  };
  const readout = (h: { r: number; c: number }) => {
    const v = hm.values[h.r]?.[h.c];
    const what = v === null || v === undefined ? "no data" : hm.metric === "missing" ? `${(100 * v).toFixed(1)}% without a value` : `|mean| + |std − 1| = ${v.toFixed(3)}`;
    return `${hm.days[h.c]} · ${hm.factors[h.r]} · ${what}`;
  };
  return (
    <figure class="chart heatmap" id="heatmap">
      <figcaption>
        <span class="title">{hm.chart.title}</span>
        <Select id="heatmetric" label="Heatmap" value={String(heatShown.value)} onChange={(v) => (heatShown.value = Number(v))}
          options={maps.map((m, i) => ({ value: String(i), label: m.metric === "missing" ? "missing values" : "standardisation" }))} />
      </figcaption>
      <div class="svg" ref={box} onMouseMove={(e) => setHover(at(e))} onMouseLeave={() => setHover(null)}
        onClick={(e) => { const h = at(e); if (h) selectDate(hm.days[h.c]); }}>
        <SvgHost svg={hm.chart.svg} />
      </div>
      <div class="readout">{hover ? readout(hover) : "Point at a cell for its value; click to pick its day"}</div>
    </figure>
  );
}

const COLUMNS: [keyof DetailRow, string, boolean][] = [
  ["_name", "Name", false], ["date", "Date", false], ["n_assets", "Assets", true], ["min_exposure", "Min", true],
  ["max_exposure", "Max", true], ["mean_exposure", "Mean", true], ["median_exposure", "Median", true], ["std_exposure", "Std", true],
];

function DetailCard() {
  const rows = detail.value;
  const ticked = wipe.value;
  const order = sort.value;
  const allNames = [...new Set(rows.map((r) => (r._name ?? "")))];
  const selectedDate = day.value;
  const dates = charts.value?.dates ?? [];
  const setTick = (name: string, on: boolean) => {
    const next = new Set(ticked);
    if (on) next.add(name);
    else next.delete(name);
    wipe.value = next;
  };
  return (
    <section class="card">
      <div class="toolbar">
        <span>{`${count(rows.length, "staged name × date row")}`}</span>
        <button id="wipe" disabled={ticked.size === 0} onClick={askWipe}>{`Wipe selected${ticked.size > 0 ? ` (${int(ticked.size)})` : ""}…`}</button>
        <span class="spacer" />
        <label for="mode">Commit mode</label>
        <Select id="mode" value={mode.value} options={Object.keys(MODES).map((m) => ({ value: m }))} onChange={(m) => (mode.value = m)} />
        <button class="primary" id="commit" onClick={askCommit}>Commit…</button>
      </div>
      <Outcome action={committing} id="commit" errorsOnly />
      <Outcome action={wiping} id="wiping" />
      <div class="tablewrap">
        <table id="detail">
          <thead>
            <tr>
              <th class="tick">
                <input type="checkbox" id="wipe-all" aria-label="Select all staged names" checked={allNames.length > 0 && ticked.size === allNames.length}
                  onChange={(e) => (wipe.value = e.currentTarget.checked ? new Set(allNames) : new Set())} />
              </th>
              {COLUMNS.map(([key, label, num]) => (
                <th key={key} class={num ? "num" : ""} onClick={() => (sort.value = { key, asc: order.key === key ? !order.asc : true })}>
                  {label + (order.key === key ? (order.asc ? " ▲" : " ▼") : "")}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sortRows(rows, order.key, order.asc).map((r) => (
              <tr key={`${(r._name ?? "")}\u0000${r.date}`} class={r.date === selectedDate ? "selected" : ""}
                onClick={(e) => { if ((e.target as HTMLElement).tagName !== "INPUT" && dates.includes(r.date)) selectDay(dates.indexOf(r.date)); }}>
                <td class="tick">
                  <input type="checkbox" id={`wipe-${(r._name ?? "")}`} aria-label={`Select ${(r._name ?? "")}`} checked={ticked.has((r._name ?? ""))}
                    onChange={(e) => setTick((r._name ?? ""), e.currentTarget.checked)} />
                </td>
                <td>{(r._name ?? "")}</td>
                <td>{r.date}</td>
                <td class="num">{int(r.n_assets)}</td>
                <F32Cell value={r.min_exposure} />
                <F32Cell value={r.max_exposure} />
                <F32Cell value={r.mean_exposure} />
                <F32Cell value={r.median_exposure} />
                <F32Cell value={r.std_exposure} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted hint">Values show 4 decimals; point at one for its exact Float32 value. Copying selected cells copies the exact values.</p>
    </section>
  );
}

export function CheckScreen() {
  const ds = dataset.value;
  useEffect(() => {
    if (detailFor.value !== ds) {
      // Another dataset's rows must not show under this one's name while its own load.
      batch(() => {
        detail.value = [];
        charts.value = null;
        heatmaps.value = [];
        histogram.value = null;
        wipe.value = new Set();
      });
    }
    void refreshDetail();
  }, [ds, thresholds.value]);
  useEffect(() => () => [loading, replacing, committing, wiping].forEach((a) => a.leave()), []);
  const hasRows = detail.value.length > 0;
  const c = committed.value;
  return (
    <main>
      <h1>{`Check ${ds}`}</h1>
      <Outcome action={loading} id="check-load" />
      <StagedCard />
      <CommittedCard />
      {!hasRows ? <p class="muted">{c && c.dataset === ds ? "Nothing else is staged." : "Nothing is staged: drop files on the Upload screen."}</p> : null}
      {hasRows ? <FindingsCard /> : null}
      {hasRows ? <HeatmapCard /> : null}
      {hasRows ? <Charts /> : null}
      {hasRows ? <DetailCard /> : null}
    </main>
  );
}
