// Screen 6, Risk model: the settings form with the engine's defaults and Create (progress,
// Cancel); the models with their status (Update a stale one, Delete); the chosen model at a
// glance: cumulative factor returns, fit and universe over time, significance, volatility
// forecasts, correlations and specific volatility, each with a read-out under the pointer.
import { signal } from "@preact/signals";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, call, type Chart, type ModelCharts, type RiskModelInfo } from "../api";
import { Action } from "../action";
import { chartWidth, rowAt, slotAt, svgX } from "../charts";
import { count, fixed, int, timestamp } from "../format";
import { MODEL_DEFAULTS, modelProblems, modelSettings, type ModelChoices } from "../model";
import { ask, refreshForm, userRisk } from "../store";
import { DateInput, Outcome, Row, Select } from "../ui";
import { ChartFigure, SvgHost } from "./check/figure";

const choices = signal<ModelChoices>({ ...MODEL_DEFAULTS });
const models = signal<RiskModelInfo[]>([]);
/** The model shown, the group and date chosen, and its charts. */
const shown = signal<string | null>(null);
const group = signal<string | null>(null);
const date = signal<string | null>(null);
/** The factors whose cumulative returns are drawn (none: the group's largest). */
const lines = signal<string[]>([]);
const charts = signal<ModelCharts | null>(null);
/** The categorical groups of the risk dataset chosen in the form. */
const categorical = signal<{ dataset: string; groups: string[] } | null>(null);

const loading = new Action();
const creating = new Action();
const updating = new Action();
const drawing = new Action();

function set(change: Partial<ModelChoices>) {
  choices.value = { ...choices.value, ...change };
}

async function loadModels() {
  await loading.run("Loading the risk models", async () => {
    await refreshForm();
    models.value = await call("risk_models", {});
    const c = choices.value;
    const datasets = userRisk.value.map((d) => d.name);
    if (!datasets.includes(c.riskDataset)) set({ riskDataset: datasets[0] ?? "" });
    if (shown.value === null || !models.value.some((m) => m.name === shown.value)) shown.value = models.value[0]?.name ?? null;
  }, { progress: "none" });
}

async function loadGroups(dataset: string) {
  if (!dataset || categorical.value?.dataset === dataset) return;
  try {
    const d = await call("describe_risk_dataset", { name: dataset });
    categorical.value = { dataset, groups: [d.layout.industry?.group, d.layout.region?.group].filter((g): g is string => !!g) };
  } catch (e) {
    loading.fail(e);
  }
}

/** Draws the shown model at the chosen group and date, `width` SVG pixels per chart. */
async function draw(width: number) {
  const name = shown.value;
  if (!name) {
    charts.value = null;
    return;
  }
  const drawn = await drawing.run(`Drawing ${name}`, () => api.modelCharts(name, group.value, lines.value, date.value, width, 220), { progress: "plain" });
  if (drawn) {
    charts.value = drawn;
    group.value = drawn.group;
    date.value = drawn.date;
  }
}

async function create(width: number) {
  const c = choices.value;
  const name = c.name.trim();
  const made = await creating.run(`Estimating ${name}`, (job) => call("create_risk_model", { name, settings: modelSettings(c, categorical.value?.groups ?? []) as never, replace: c.replace }, job), {
    done: (m, took) => `Estimated ${m.name}: ${count(m.report.dates, "date")}, ${count(m.report.factors.length, "factor")}, ${took}`,
  });
  if (made) {
    set({ replace: false });
    shown.value = made.name;
    date.value = null;
    await loadModels();
    await draw(width);
  }
}

async function update(name: string, width: number) {
  const m = await updating.run(`Updating ${name}`, (job) => call("update_risk_model", { name }, job), { done: (m, took) => `Re-estimated ${m.name} ${took}` });
  if (m) {
    await loadModels();
    if (shown.value === name) {
      date.value = null;
      await draw(width);
    }
  }
}

function remove(name: string, width: number) {
  ask({
    title: `Delete risk model ${name}?`,
    text: "Its factor returns, residuals and forecasts are deleted; the risk dataset stays. This cannot be undone.",
    action: "Delete",
    danger: true,
    run: () => void (async () => {
      await updating.run(`Deleting ${name}`, () => call("delete_risk_model", { name, if_exists: true }), { progress: "none" });
      if (shown.value === name) shown.value = null;
      await loadModels();
      await draw(width);
    })(),
  });
}

function NumberField({ id, value, onInput, width }: { id: string; value: string; onInput: (v: string) => void; width?: string }) {
  return <input id={id} class="num" style={{ width: width ?? "7em" }} value={value} spellcheck={false} autocomplete="off" inputMode="decimal" onInput={(e) => onInput(e.currentTarget.value)} />;
}

function Form({ width }: { width: number }) {
  const c = choices.value;
  const exists = models.value.some((m) => m.name === c.name.trim());
  const problems = modelProblems(c);
  const blocked = exists && !c.replace;
  const groups = categorical.value?.dataset === c.riskDataset ? categorical.value.groups : [];
  return (
    <section class="card form" id="model-form">
      <h2>New risk model</h2>
      <Row label="Name" htmlFor="modelname" hint={exists ? "exists: tick Replace it to estimate it again, or choose another name" : undefined}>
        <input id="modelname" value={c.name} spellcheck={false} autocomplete="off" onInput={(e) => set({ name: e.currentTarget.value })} />
      </Row>
      {exists
        ? <Row label=""><label class="check"><input type="checkbox" id="model-replace" checked={c.replace} onChange={(e) => set({ replace: e.currentTarget.checked })} /> Replace it</label></Row>
        : null}
      <Row label="Risk dataset" htmlFor="model-dataset">
        <Select id="model-dataset" value={c.riskDataset} options={userRisk.value.map((d) => ({ value: d.name, label: `${d.name} (${d.first_date ?? "–"} to ${d.last_date ?? "–"})` }))}
          onChange={(v) => set({ riskDataset: v })} />
      </Row>
      <Row label="Weights" htmlFor="model-weights">
        <Select id="model-weights" value={c.weights} onChange={(v) => set({ weights: v as ModelChoices["weights"] })} options={[
          { value: "SqrtCap", label: "SqrtCap: √ market cap" }, { value: "Equal", label: "Equal" },
        ]} />
      </Row>
      <Row label="Clip returns to" htmlFor="model-cliplow" hint="empty: no bound">
        <span class="inline">
          <NumberField id="model-cliplow" value={c.clipLow} onInput={(v) => set({ clipLow: v })} />
          <span class="muted">to</span>
          <NumberField id="model-cliphigh" value={c.clipHigh} onInput={(v) => set({ clipHigh: v })} />
        </span>
      </Row>
      <Row label="Zero-sum constraint" htmlFor="model-constraint" hint={groups.length > 0 ? `on ${groups.join(" and ")}` : "no categorical groups"}>
        <Select id="model-constraint" value={c.constraint} onChange={(v) => set({ constraint: v as ModelChoices["constraint"] })} options={[
          { value: "mcap_weighted", label: "mcap_weighted: cap-weighted sum 0" },
          { value: "equal_weights", label: "equal_weights: sum 0" },
          { value: "none", label: "none (only without a market factor)" },
        ]} />
      </Row>
      <Row label="Half-lives (model dates)" htmlFor="model-hlvol" hint="factor volatility, factor correlation, specific risk">
        <span class="inline">
          <NumberField id="model-hlvol" value={c.halflifeVol} onInput={(v) => set({ halflifeVol: v })} width="5em" />
          <NumberField id="model-hlcor" value={c.halflifeCor} onInput={(v) => set({ halflifeCor: v })} width="5em" />
          <NumberField id="model-hlidio" value={c.halflifeIdio} onInput={(v) => set({ halflifeIdio: v })} width="5em" />
        </span>
      </Row>
      <Row label="Newey–West lags" htmlFor="model-nwlags">
        <NumberField id="model-nwlags" value={c.nwLags} onInput={(v) => set({ nwLags: v })} width="5em" />
      </Row>
      {problems.length > 0 ? <ul class="problems" id="model-problems">{problems.map((p) => <li key={p}>{p}</li>)}</ul> : null}
      <div class="actions left">
        <button class="primary" id="model-create" disabled={problems.length > 0 || blocked || creating.pending.value} onClick={() => void create(width)}>Create</button>
        {creating.done.value ? <span class="muted" id="model-created">{creating.done.value}</span> : null}
      </div>
      <Outcome action={creating} id="model-create" errorsOnly />
    </section>
  );
}

function ModelList({ width }: { width: number }) {
  const list = models.value;
  return (
    <section class="card" id="model-list">
      <h2>Risk models</h2>
      {list.length === 0
        ? <p class="muted" id="no-models">No risk model yet: estimate one from a risk dataset above.</p>
        : (
          <table class="list">
            <thead><tr><th>Name</th><th>Risk dataset</th><th>Dates</th><th class="num">Factors</th><th class="num">Mean R²</th><th>Status</th><th /></tr></thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.name} class={m.name === shown.value ? "selected" : ""} id={`model-${m.name}`}>
                  <td title={`Estimated ${timestamp(m.created)}`}><button class="link" id={`show-model-${m.name}`} onClick={() => { shown.value = m.name; group.value = null; lines.value = []; date.value = null; void draw(width); }}>{m.name}</button></td>
                  <td>{m.report.risk_dataset}</td>
                  <td>{`${m.report.first_date ?? "–"} to ${m.report.last_date ?? "–"} (${int(m.report.dates)})`}</td>
                  <td class="num">{int(m.report.factors.length)}</td>
                  <td class="num">{fixed(m.report.mean_r2, 3)}</td>
                  <td>{m.status === "stale" ? <span class="bad" title={m.stale_reason ?? ""}>{`stale: ${m.stale_reason ?? ""}`}</span> : <span class="good">ready</span>}</td>
                  <td class="actions-cell">
                    {m.status === "stale" ? <button id={`update-model-${m.name}`} disabled={updating.pending.value} onClick={() => void update(m.name, width)}>Update</button> : null}
                    <button class="danger" id={`delete-model-${m.name}`} onClick={() => remove(m.name, width)}>Delete…</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      <Outcome action={updating} id="model-update" />
    </section>
  );
}

/** The correlation matrix with a read-out of the cell under the pointer. */
function MatrixFigure({ chart, labels, values }: { chart: Chart; labels: string[]; values: (number | null)[][] }) {
  const [cell, setCell] = useState<[number, number] | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const n = labels.length;
  const move = (e: MouseEvent) => {
    const rect = box.current!.getBoundingClientRect();
    const x = svgX(e.clientX, rect.left, rect.width, chart.width);
    const y = ((e.clientY - rect.top) * chart.height) / Math.max(rect.height, 1);
    const c = slotAt(chart.plot, n, x);
    const r = rowAt(chart.plot, n, y);
    setCell(r !== null && c !== null ? [r, c] : null);
  };
  const text = cell ? `${labels[cell[0]]} × ${labels[cell[1]]}: ${fixed(values[cell[0]][cell[1]], 3)}` : "Point at a cell for the correlation of its two factors";
  return (
    <figure class="chart span" id={`chart-${chart.id}`} aria-label={chart.title}>
      <figcaption><span class="title">{chart.title}</span></figcaption>
      <div class="svg" ref={box} onMouseMove={move} onMouseLeave={() => setCell(null)}><SvgHost svg={chart.svg} /></div>
      <div class="readout">{text}</div>
    </figure>
  );
}

/** A factor's name without its role and group (`style.style.Momentum` → `Momentum`). */
function short(label: string): string {
  return label.split(".").slice(2).join(".") || label;
}

/** The factors of the group to draw in the cumulative returns chart: up to eight, ticked. */
function LinePicker({ c, width }: { c: ModelCharts; width: number }) {
  const chosen = lines.value;
  const full = (chosen.length > 0 ? chosen : c.lines).length >= 8;
  const pick = (f: string, on: boolean) => {
    const base = chosen.length > 0 ? chosen : c.lines;
    lines.value = on ? [...base.filter((x) => x !== f), f] : base.filter((x) => x !== f);
    void draw(width);
  };
  return (
    <details class="picker" id="model-lines">
      <summary>{chosen.length > 0 ? `${count(chosen.length, "factor")} chosen (up to 8)` : "Choose factors… (up to 8)"}</summary>
      <div class="pickergrid wide">
        {c.factors.map((f) => {
          const on = (chosen.length > 0 ? chosen : c.lines).includes(f);
          return (
            <label class="check" key={f}>
              <input type="checkbox" id={`line-${short(f)}`} checked={on} disabled={!on && full} onChange={(e) => pick(f, e.currentTarget.checked)} />
              {` ${short(f)}`}
            </label>
          );
        })}
      </div>
      {chosen.length > 0 ? <button id="model-lines-largest" onClick={() => { lines.value = []; void draw(width); }}>The largest</button> : <span />}
    </details>
  );
}

function Glance({ width }: { width: number }) {
  const c = charts.value;
  if (!shown.value) return null;
  if (!c || c.model.name !== shown.value) {
    return (
      <section class="card" id="model-glance">
        <Outcome action={drawing} id="model-draw" />
        <p class="muted">{drawing.pending.value ? `Drawing ${shown.value}…` : ""}</p>
      </section>
    );
  }
  const m = c.model;
  const dayText = (i: number, value: (i: number) => string) => `${c.days[i]} · ${value(i)}`;
  const pointHint = "Point at a date for its values";
  const lineText = (i: number) => {
    const parts = c.lines.map((l, s) => `${short(l)}: ${c.cumulative_values[s][i] === null ? "–" : `${fixed(c.cumulative_values[s][i], 2)}%`}`);
    return dayText(i, () => (c.cumulative_values[0]?.[i] === null ? "no model date" : parts.join(" · ")));
  };
  const barText = (values: (number | null)[], f: (v: number) => string) => (i: number) => `${short(c.factors[i])}: ${values[i] === null ? "–" : f(values[i] as number)}`;
  return (
    <section id="model-glance">
      <div class="glancehead">
        <h2>{`${m.name} at a glance`}</h2>
        <span class="inline">
          <Select id="model-group" label="Factor group" value={c.group} options={c.groups.map((g) => ({ value: g }))}
            onChange={(v) => { group.value = v; lines.value = []; void draw(width); }} />
          <DateInput id="model-date" label="Forecast date" value={c.date} min={c.dates[0]} max={c.dates[c.dates.length - 1]}
            onCommit={(v) => { date.value = v; void draw(width); }} />
        </span>
      </div>
      <p class="muted" id="model-summary">
        {`${m.report.risk_dataset} · ${count(m.report.dates, "model date")} (${m.report.first_date} to ${m.report.last_date}) · ${count(m.report.factors.length, "factor")} · `}
        {`estimation universe ${int(m.report.min_assets)}–${int(m.report.max_assets)} assets · mean R² ${fixed(m.report.mean_r2, 3)} · daily units, annualised ×252 in the charts`}
        {m.report.skipped.length > 0 ? ` · ${count(m.report.skipped.length, "date")} without a regression` : ""}
      </p>
      <Outcome action={drawing} id="model-draw" errorsOnly />
      <div class="charts" id="model-charts">
        <ChartFigure chart={c.cumulative} slots={c.days.length} describe={lineText} hint="Point at a date for each line's cumulative return" selected={null}
          extra={<>
            <span class="legend" id="model-legend">{c.lines.map((l, i) => <span key={l}><i style={{ background: c.line_colours[i] }} />{short(l)}</span>)}</span>
            <LinePicker c={c} width={width} />
          </>} />
        <ChartFigure chart={c.r2} slots={c.days.length} describe={(i) => dayText(i, () => (c.r2_values[i] === null ? "no model date" : `R² ${fixed(c.r2_values[i], 4)}`))} hint={pointHint} selected={null} />
        <ChartFigure chart={c.assets} slots={c.days.length} describe={(i) => dayText(i, () => (c.assets_values[i] === null ? "no model date" : `${int(c.assets_values[i] as number)} assets`))} hint={pointHint} selected={null} />
        <ChartFigure chart={c.significant} slots={c.factors.length} describe={barText(c.significant_values, (v) => `|t| > 2 on ${fixed(100 * v, 1)}% of dates`)} hint="Point at a bar for its factor" selected={null} />
        <ChartFigure chart={c.volatility} slots={c.factors.length} describe={barText(c.volatility_values, (v) => `${fixed(v, 2)}% a year`)} hint="Point at a bar for its factor" selected={null} />
        <ChartFigure chart={c.specific.chart} slots={c.specific.bins.length}
          describe={(i) => { const b = c.specific.bins[i]; return `${fixed(b.lo, 1)}% to ${fixed(b.hi, 1)}%: ${count(b.count, "asset")}`; }}
          hint={c.specific_filled > 0 ? `${count(c.specific_filled, "asset")} with fewer than 5 residuals got the universe's median` : "Point at a bar for its assets"} selected={null} />
        <MatrixFigure chart={c.correlation} labels={c.factors.map(short)} values={c.correlation_values} />
      </div>
    </section>
  );
}

export function RiskModelScreen() {
  const main = useRef<HTMLElement>(null);
  const width = chartWidth(main.current?.clientWidth ?? globalThis.innerWidth ?? 1200);
  useEffect(() => {
    void (async () => {
      await loadModels();
      await draw(width);
    })();
    return () => [loading, creating, updating, drawing].forEach((a) => a.leave());
  }, []);
  useEffect(() => {
    void loadGroups(choices.value.riskDataset);
  }, [choices.value.riskDataset]);
  return (
    <main ref={main}>
      <h1>Risk model</h1>
      <Outcome action={loading} id="model-load" errorsOnly />
      <Form width={width} />
      <ModelList width={width} />
      <Glance width={width} />
    </main>
  );
}
