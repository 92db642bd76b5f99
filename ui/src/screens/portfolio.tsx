// Screen 7, Portfolio risk: choose the portfolio (a file dropped on the screen or chosen, or a
// saved one; Save as…, Delete…), the model, a date or a range and an optional benchmark; the
// report runs by itself. Then the headline (total, factor and specific risk, active with a
// benchmark), the risk over the range's dates, the contributions drilling down from groups to
// factors and to assets, the exposures (against the benchmark), the holdings the model cannot
// see, and Export CSV.
import { batch, computed, signal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { api, type PortfolioInfo, type PortfolioView, type RiskModelInfo, type RiskReport, type RiskRequest } from "../api";
import { Action } from "../action";
import { count, fixed, int, timestamp } from "../format";
import { numberTick } from "../plot";
import {
  assetRows, datesProblem, exposureRows, factorRows, fileName, fileSide, groupRows, groupTitle, pct, portfolioNames, riskRequest, savedHoldings,
  firstOfSeveral, saveName, sideLabel, unmatchedSummary, varianceShares, type Dates, type PartRow, type Side,
} from "../portfolio";
import { ask, go, placeName } from "../store";
import { DateInput, Outcome, Row, Select } from "../ui";
import { BarCell, BarHead, barAxis, PALETTE, SeriesChart, type Line } from "./portfolio/charts";

// ----- state -----

const models = signal<RiskModelInfo[] | null>(null);
const saved = signal<PortfolioInfo[]>([]);
const model = signal("");
const portfolio = signal<Side>({ kind: "none" });
const benchmark = signal<Side>({ kind: "none" });
const dates = signal<Dates>({ mode: "date", date: "", start: "", end: "" });
/** The report shown and the request it answers. */
const shown = signal<{ request: RiskRequest; view: PortfolioView } | null>(null);
/** Where the app worked when the choices were made (saved portfolios and models are the place's). */
let chosenAt: string | null = null;
type Level = { kind: "groups" } | { kind: "group"; group: string } | { kind: "assets" };
const level = signal<Level>({ kind: "groups" });
const exposureGroup = signal("style");
const assetFind = signal("");
const assetLimit = signal(25);
/** Which slot a drag is over (the drop lands there). */
const dragTarget = signal<"portfolio" | "benchmark" | null>(null);
/** Whether the last run was cancelled (the report shown is then of earlier choices). */
const cancelled = signal(false);
/** The Save as… form: the name typed. */
const saveAs = signal<string | null>(null);

const loading = new Action();
const reading = new Action();
const readingBenchmark = new Action();
const running = new Action();
const picking = new Action();
const exporting = new Action();
const storing = new Action();

const chosenModel = computed(() => models.value?.find((m) => m.name === model.value) ?? null);
const request = computed(() => riskRequest(model.value, portfolio.value, benchmark.value, dates.value));
const problem = computed(() => {
  const m = chosenModel.value;
  return datesProblem(dates.value, m?.report.first_date ?? null, m?.report.last_date ?? null);
});
/** Whether the report shown answers the choices made (else they changed since). */
const current = computed(() => {
  const s = shown.value;
  const r = request.value;
  return s !== null && r !== null && JSON.stringify(s.request) === JSON.stringify(r);
});

// ----- work -----

async function load() {
  // Another place (a server, or this computer again): its own models and saved portfolios (a
  // file read here stays chosen).
  if (chosenAt !== null && chosenAt !== placeName.value) {
    batch(() => {
      shown.value = null;
      for (const side of [portfolio, benchmark]) if (side.value.kind === "saved") side.value = { kind: "none" };
    });
  }
  chosenAt = placeName.value;
  await loading.run("Loading the risk models and saved portfolios", async () => {
    const [m, p] = await Promise.all([api.riskModels(), api.portfolios()]);
    batch(() => {
      models.value = m;
      saved.value = p;
      if (!m.some((x) => x.name === model.value)) model.value = m[0]?.name ?? "";
      for (const side of [portfolio, benchmark]) {
        const s = side.value;
        if (s.kind === "saved" && !p.some((x) => x.name === s.saved)) side.value = { kind: "none" };
      }
    });
  }, { progress: "none" });
}

async function refreshSaved() {
  try {
    saved.value = await api.portfolios();
  } catch (e) {
    storing.fail(e);
  }
}

let runs = 0;

/** Runs the report for the choices (each change runs it; a long range shows progress and Cancel). */
async function report() {
  const req = request.value;
  if (!req || problem.value) return;
  const run = ++runs;
  const m = chosenModel.value;
  const range = dates.value.mode === "range";
  const label = range ? `Reporting ${sideLabel(portfolio.value)} over ${dates.value.start || m?.report.first_date} to ${dates.value.end || m?.report.last_date}` : `Reporting ${sideLabel(portfolio.value)}`;
  const v = await running.run(label, (job) => api.portfolioReport(run, req, null, job), {
    done: (v, took) => `${count(v.series.length, "model date")} reported ${took}`,
  });
  if (run !== runs) return;
  cancelled.value = v === undefined && running.error.value === null;
  if (v) {
    batch(() => {
      shown.value = { request: req, view: v };
      if (level.value.kind === "group" && !v.groups.includes(level.value.group)) level.value = { kind: "groups" };
      if (!v.report.contributions.some((c) => c.group === exposureGroup.value)) exposureGroup.value = v.report.contributions.find((c) => c.group === "style")?.group ?? v.report.contributions[0]?.group ?? "";
    });
  }
}

let wanted: string | null = null;
let pickingNow = false;

/** Shows another date of the run shown (its reports are kept: no new run). */
async function showDate(date: string) {
  wanted = date;
  if (pickingNow) return;
  pickingNow = true;
  try {
    while (wanted !== null) {
      const d = wanted;
      wanted = null;
      const s = shown.value;
      if (!s || s.view.report.date === d) continue;
      const v = await picking.run(`Reading ${d}`, (job) => api.portfolioReport(s.view.run, s.request, d, job), { progress: "none" });
      if (v && shown.value?.view.run === s.view.run) shown.value = { request: s.request, view: v };
    }
  } finally {
    pickingNow = false;
  }
}

/** Reads a portfolio file into the portfolio (or benchmark) slot, then reports. */
async function readFile(path: string, target: "portfolio" | "benchmark") {
  const action = target === "portfolio" ? reading : readingBenchmark;
  const p = await action.run(`Reading ${fileName(path)}`, () => api.readPortfolio(path, model.value || null), {
    progress: "plain",
    done: (p, took) => {
      const names = portfolioNames(p);
      return `Read ${fileName(path)}: ${count(p.holdings.length, "holding")}${names.length > 1 ? ` in ${count(names.length, "portfolio")}` : ""}, ids of type ${p.id_type} ${took}`;
    },
  });
  if (!p) return;
  batch(() => {
    (target === "portfolio" ? portfolio : benchmark).value = fileSide(path, p);
    if (target === "portfolio") {
      saveAs.value = null;
      storing.done.value = null;
    }
  });
  await report();
}

async function chooseFile(target: "portfolio" | "benchmark") {
  const action = target === "portfolio" ? reading : readingBenchmark;
  const path = await action.run("Choosing a file", () => api.choosePortfolioFile(target === "benchmark"), { progress: "none" });
  if (path) await readFile(path, target);
}

/** A file dropped on the screen: into the slot under the pointer (the benchmark's, else the portfolio's). */
export async function onPortfolioDrop(paths: string[], target: "portfolio" | "benchmark" = "portfolio") {
  dragTarget.value = null;
  if (paths.length === 0) return;
  await readFile(paths[0], target);
}

/** Where a drag is over the screen (physical pixels of the window), for the slot it would land in; null: it left. */
export function portfolioDragAt(position: { x: number; y: number } | null): "portfolio" | "benchmark" {
  if (position === null) {
    dragTarget.value = null;
    return "portfolio";
  }
  const ratio = globalThis.devicePixelRatio || 1;
  const el = document.elementFromPoint(position.x / ratio, position.y / ratio);
  const target = el?.closest("#benchmark-slot") ? "benchmark" : "portfolio";
  dragTarget.value = target;
  return target;
}

function setSide(target: "portfolio" | "benchmark", s: Side) {
  batch(() => {
    (target === "portfolio" ? portfolio : benchmark).value = s;
    // What the last read or save said was about the slot's earlier choice.
    const action = target === "portfolio" ? reading : readingBenchmark;
    if (s.kind !== "file") {
      action.done.value = null;
      action.error.value = null;
    }
    if (target === "portfolio") storing.done.value = null;
  });
  void report();
}

async function save(replace: boolean) {
  const name = (saveAs.value ?? "").trim();
  const holdings = savedHoldings(portfolio.value);
  if (!name || !holdings) return;
  if (!replace && saved.value.some((p) => p.name === name)) {
    ask({
      title: `Replace saved portfolio ${name}?`,
      text: `A portfolio named ${name} is saved already. Its holdings are replaced by the ${count(holdings.holdings.length, "holding")} of ${sideLabel(portfolio.value)}.`,
      action: "Replace",
      danger: true,
      run: () => void save(true),
    });
    return;
  }
  const info = await storing.run(`Saving ${name}`, () => api.savePortfolio(name, holdings, replace), {
    progress: "none",
    done: (i) => `Saved as ${i.name}: ${count(i.holdings, "holding")}, ids of type ${i.id_type}.`,
  });
  if (info) {
    saveAs.value = null;
    await refreshSaved();
  }
}

function remove(name: string) {
  ask({
    title: `Delete saved portfolio ${name}?`,
    text: "Its holdings are deleted from where the app works (files you exported stay). This cannot be undone.",
    action: "Delete",
    danger: true,
    run: () => void (async () => {
      const gone = await storing.run(`Deleting ${name}`, () => api.deletePortfolio(name), { progress: "none", done: () => `Deleted saved portfolio ${name}.` });
      if (gone === undefined) return;
      batch(() => {
        for (const side of [portfolio, benchmark]) {
          const s = side.value;
          if (s.kind === "saved" && s.saved === name) side.value = { kind: "none" };
        }
        if (shown.value && JSON.stringify(shown.value.request).includes(JSON.stringify({ saved: name }))) shown.value = null;
      });
      await refreshSaved();
    })(),
  });
}

async function exportCsv() {
  const s = shown.value;
  if (!s) return;
  await exporting.run("Exporting the report", (job) => api.exportPortfolioReport(s.view.run, s.request, job), {
    done: (path) => (path ? `Exported ${count(s.view.series.length, "date")} to ${path}` : null),
  });
}

// ----- choosing -----

/** Save as…: the name (focused when the form opens), Save, Cancel; Enter saves, Esc cancels. */
function SaveForm({ side }: { side: Side }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const name = saveAs.value ?? "";
  return (
    <div class="slotsub" id="save-form">
      <label for="save-name">Save as</label>
      <input id="save-name" ref={input} value={name} spellcheck={false} autocomplete="off" onInput={(e) => (saveAs.value = e.currentTarget.value)}
        onKeyDown={(e) => { if (e.key === "Enter") void save(false); if (e.key === "Escape") saveAs.value = null; }} />
      <button class="primary" id="save-confirm" disabled={!name.trim() || storing.pending.value} onClick={() => void save(false)}>Save</button>
      <button id="save-cancel" onClick={() => (saveAs.value = null)}>Cancel</button>
      <span class="muted">{side.kind === "file" && side.name ? `saves portfolio ${side.name} of the file by name` : "saves the holdings by name, to report again later"}</span>
    </div>
  );
}

/** The portfolios inside the saved portfolio `name`, as listed. */
function savedPortfolios(name: string): string[] {
  return saved.value.find((p) => p.name === name)?.portfolios ?? [];
}

/** A portfolio or benchmark slot: what is chosen, the drop target, Choose file…, the saved ones. */
function Slot({ target }: { target: "portfolio" | "benchmark" }) {
  const side = (target === "portfolio" ? portfolio : benchmark).value;
  const action = target === "portfolio" ? reading : readingBenchmark;
  const hover = dragTarget.value === target;
  const inFile = side.kind === "file" ? portfolioNames(side.portfolio) : [];
  const names: { name: string }[] = side.kind === "saved" ? savedPortfolios(side.saved).map((name) => ({ name })) : inFile;
  const savedOptions = [
    { value: "", label: target === "portfolio" ? "Saved portfolios…" : "Saved…" },
    ...saved.value.map((p) => ({ value: p.name, label: `${p.name} (${int(p.holdings)})` })),
  ];
  const savedValue = side.kind === "saved" ? side.saved : "";
  let what;
  if (side.kind === "file") {
    const n = inFile.find((x) => x.name === (side.name ?? "")) ?? inFile[0];
    const on = n && n.dates > 0 ? (n.dates === 1 ? ` on ${n.last}` : `, ${n.dates} dates ${n.first} to ${n.last}`) : "";
    const facts = `${count(n?.assets ?? side.portfolio.holdings.length, "holding")}${on} · ids: ${side.portfolio.id_type} · weights sum to ${pct(n?.weight ?? 0, 1)}`;
    what = (
      <>
        <strong class="ellipsis" title={side.path}>{fileName(side.path)}</strong>
        <span class="muted" title={`${side.path}\n${facts}`}>{facts}</span>
      </>
    );
  } else if (side.kind === "saved") {
    const info = saved.value.find((p) => p.name === side.saved);
    what = (
      <>
        <strong class="ellipsis">{side.saved}</strong>
        <span class="muted" title={info ? `saved ${timestamp(info.saved)} UTC` : undefined}>{info ? `saved · ${count(info.holdings, "holding")} · ids: ${info.id_type} · ${timestamp(info.saved).slice(0, 16)}` : "saved portfolio"}</span>
      </>
    );
  } else {
    what = target === "portfolio"
      ? <><strong>Drop a portfolio file here</strong><span class="muted">CSV or Parquet: an id column (bayesid, ticker, isin, …) and weight or value; optionally date and portfolio</span></>
      : <><strong class="muted-strong">None</strong><span class="muted">Drop a benchmark file here for active risk, or choose one</span></>;
  }
  return (
    <>
      <div class="slotrow">
        <div class={`slot ${hover ? "hover" : ""} ${side.kind === "none" ? "empty" : ""}`} id={`${target}-slot`} aria-label={`The ${target}: drop a file here`}>
          <div class="slottext">{what}</div>
          {side.kind !== "none" ? <button class="chipx" id={`${target}-clear`} title={`No ${target}`} aria-label={`Clear the ${target}`} onClick={() => { setSide(target, { kind: "none" }); if (target === "portfolio") shown.value = null; }}>×</button> : null}
        </div>
        <button class={target === "portfolio" && side.kind === "none" ? "primary" : ""} id={`${target}-choose`} onClick={() => void chooseFile(target)}>Choose file…</button>
        <Select id={`${target}-saved`} label={`Saved portfolio as the ${target}`} value={savedValue} options={savedOptions}
          onChange={(v) => setSide(target, v ? { kind: "saved", saved: v, name: firstOfSeveral(savedPortfolios(v)) } : { kind: "none" })} />
        {target === "portfolio" && side.kind === "file"
          ? <button id="portfolio-save" onClick={() => (saveAs.value = saveName(side))}>Save as…</button>
          : side.kind === "saved"
            ? <button class="danger" id={`${target}-delete`} onClick={() => remove(side.saved)}>Delete…</button>
            : <span />}
      </div>
      {names.length > 1
        ? <div class="slotsub">
            <label for={`${target}-name`}>{side.kind === "file" ? `${count(names.length, "portfolio")} in the file:` : `${count(names.length, "portfolio")} in it:`}</label>
            <Select id={`${target}-name`} value={side.kind !== "none" ? side.name ?? "" : ""} options={names.map((n) => ({ value: n.name, label: n.name || "(unnamed)" }))}
              onChange={(v) => setSide(target, { ...(side as Exclude<Side, { kind: "none" }>), name: v })} />
          </div>
        : null}
      {target === "portfolio" && saveAs.value !== null && side.kind === "file" ? <SaveForm side={side} /> : null}
      <Outcome action={action} id={`${target}-read`} errorsOnly />
      {target === "portfolio" ? <Outcome action={storing} id="portfolio-store" /> : null}
    </>
  );
}

function DatesRow() {
  const m = chosenModel.value;
  const d = dates.value;
  const first = m?.report.first_date ?? undefined;
  const last = m?.report.last_date ?? undefined;
  const set = (change: Partial<Dates>) => {
    dates.value = { ...dates.value, ...change };
    void report();
  };
  return (
    <Row label="Dates" htmlFor={d.mode === "date" ? "portfolio-date" : "portfolio-start"}>
      <span class="inline dates">
        <span class="segmented" role="radiogroup" aria-label="One date or a range">
          <button role="radio" aria-checked={d.mode === "date"} class={d.mode === "date" ? "on" : ""} id="mode-date" onClick={() => d.mode !== "date" && set({ mode: "date" })}>One date</button>
          <button role="radio" aria-checked={d.mode === "range"} class={d.mode === "range" ? "on" : ""} id="mode-range" onClick={() => d.mode !== "range" && set({ mode: "range", start: d.start || first || "", end: d.end || last || "" })}>Range</button>
        </span>
        {d.mode === "date"
          ? <DateInput id="portfolio-date" label="Report date" value={d.date || last || ""} min={first} max={last} onCommit={(v) => set({ date: v === last ? "" : v })} />
          : <>
              <DateInput id="portfolio-start" label="First date" value={d.start} min={first} max={last} onCommit={(v) => set({ start: v })} />
              <span class="muted">to</span>
              <DateInput id="portfolio-end" label="Last date" value={d.end} min={first} max={last} onCommit={(v) => set({ end: v })} />
              <button class="link" id="range-all" onClick={() => set({ start: first ?? "", end: last ?? "" })}>all dates</button>
            </>}
        <span class="muted">{m ? `model dates ${first} to ${last}` : ""}</span>
      </span>
      {problem.value ? <p class="problems" id="portfolio-problem" role="alert">{problem.value}</p> : null}
    </Row>
  );
}

function Setup() {
  const list = models.value ?? [];
  const m = chosenModel.value;
  return (
    <section class="card form" id="portfolio-setup">
      <Row label="Portfolio" top><div class="slotcol"><Slot target="portfolio" /></div></Row>
      <Row label="Benchmark" top hint={undefined}><div class="slotcol"><Slot target="benchmark" /></div></Row>
      <Row label="Risk model" htmlFor="portfolio-model">
        <span class="inline modelrow">
          <Select id="portfolio-model" value={model.value} options={list.map((x) => ({ value: x.name, label: x.status === "stale" ? `${x.name} (stale)` : x.name }))}
            onChange={(v) => { batch(() => { model.value = v; dates.value = { ...dates.value, date: "", start: "", end: "" }; }); void report(); }} />
          <span class="muted">{m ? `${m.report.risk_dataset} · ${count(m.report.dates, "date")} · ${count(m.report.factors.length, "factor")}` : ""}</span>
          {m?.status === "stale" ? <span class="bad" title={m.stale_reason ?? ""}>stale: update it on the Risk model screen</span> : null}
        </span>
      </Row>
      <DatesRow />
      <div class="runline">
        <Outcome action={running} id="portfolio-run" errorsOnly={!current.value} />
        {!running.error.value && shown.value && !current.value && !running.pending.value && request.value && !problem.value
          ? <p class="warning" id="portfolio-stale">{cancelled.value ? "Cancelled: the report below is of the earlier choices." : "The report below is of the earlier choices."} <button id="portfolio-rerun" onClick={() => void report()}>Report</button></p>
          : null}
      </div>
    </section>
  );
}

// ----- the report -----

function Figure({ id, label, value, sub, exact }: { id: string; label: string; value: string; sub: ComponentChildren; exact: number | null }) {
  return (
    <div class="figure" id={id}>
      <div class="figlabel">{label}</div>
      <div class="figvalue" data-exact={exact === null ? "" : String(exact)} title={exact === null ? "" : `${String(exact)} (annualised volatility as a fraction)`}>{value}</div>
      <div class="figsub muted">{sub}</div>
    </div>
  );
}

function Headline({ r }: { r: RiskReport }) {
  const shares = varianceShares(r);
  const u = unmatchedSummary(r);
  const b = r.benchmark;
  const active = b !== null;
  return (
    <div class="headline" id="portfolio-headline">
      <Figure id="risk-total" label={active ? "Tracking error" : "Total risk"} value={pct(r.total_risk)} exact={r.total_risk}
        sub={b ? <>portfolio <span id="risk-portfolio">{pct(b.portfolio_risk)}</span><br />benchmark <span id="risk-benchmark">{pct(b.benchmark_risk)}</span></> : "annualised volatility"} />
      <Figure id="risk-factor" label={active ? "Active factor risk" : "Factor risk"} value={pct(r.factor_risk)} exact={r.factor_risk} sub={`${pct(shares.factor, 1)} of the variance`} />
      <Figure id="risk-specific" label={active ? "Active specific risk" : "Specific risk"} value={pct(r.specific_risk)} exact={r.specific_risk} sub={`${pct(shares.specific, 1)} of the variance`} />
      <div class={`figure holdings ${u.rows.length > 0 ? "warn" : ""}`} id="risk-holdings">
        <div class="figlabel">Holdings</div>
        <div class="figvalue"><span id="holdings-matched">{int(r.assets.length)}</span> <span class="figunit">{active ? "matched, both sides" : "matched"}</span></div>
        <div class="figsub" id="holdings-unmatched">
          {u.rows.length === 0
            ? <span class="muted">all in the model's universe</span>
            : <a href="#unmatched" onClick={(e) => { e.preventDefault(); document.getElementById("unmatched")?.scrollIntoView({ block: "start", behavior: "smooth" }); }}>
                {u.portfolio.count > 0 ? <span class="line">{`${active ? "portfolio: " : ""}${int(u.portfolio.count)} not in the model (${active ? "" : "weight "}${pct(u.portfolio.weight, 2)})`}</span> : null}
                {u.benchmark.count > 0 ? <span class="line">{`benchmark: ${int(u.benchmark.count)} not in the model (${pct(u.benchmark.weight, 2)})`}</span> : null}
              </a>}
        </div>
      </div>
    </div>
  );
}

/** A number cell: shown rounded, the exact value in the title and in what is copied. */
function Num({ v, text }: { v: number | null | undefined; text: string }) {
  const exact = v === null || v === undefined || !Number.isFinite(v) ? "" : String(v);
  return <td class="num" title={exact} data-exact={exact}>{text}</td>;
}

function Crumbs() {
  const l = level.value;
  return (
    <nav class="crumbs" aria-label="Drill-down">
      <button class={`link ${l.kind === "groups" ? "here" : ""}`} id="crumb-groups" onClick={() => (level.value = { kind: "groups" })}>All groups</button>
      {l.kind === "group" ? <><span class="muted">›</span><span class="here" id="crumb-group">{groupTitle(l.group)}</span></> : null}
      {l.kind === "assets" ? <><span class="muted">›</span><span class="here" id="crumb-assets">Assets</span></> : null}
    </nav>
  );
}

function Contributions({ r }: { r: RiskReport }) {
  const l = level.value;
  const active = r.benchmark !== null;
  let rows: PartRow[];
  let matching = 0;
  if (l.kind === "groups") rows = groupRows(r);
  else if (l.kind === "group") rows = factorRows(r, l.group);
  else ({ rows, matching } = assetRows(r, assetFind.value, assetLimit.value));
  const { axis, at } = barAxis(rows.map((x) => x.contribution));
  const drill = (x: PartRow) => {
    if (!x.drill) return;
    if (x.drill.kind === "group") level.value = { kind: "group", group: x.drill.group };
    else level.value = { kind: "assets" };
  };
  const assets = l.kind === "assets";
  const groupTotal = l.kind === "group" ? r.groups.find((g) => g.factor === l.group) : null;
  const title = l.kind === "groups" ? "Where the risk comes from" : l.kind === "group" ? `${groupTitle(l.group)} factors` : "Assets by contribution to total risk";
  return (
    <section class="card" id="contributions"
      onKeyDown={(e) => {
        if ((e.key === "Escape" || e.key === "Backspace") && l.kind !== "groups" && !(e.target instanceof HTMLInputElement)) {
          e.preventDefault();
          level.value = { kind: "groups" };
        }
      }}>
      <div class="cardhead">
        <h2>{title}</h2>
        {l.kind !== "groups" ? <Crumbs /> : null}
        <span class="spacer" />
        <span class="segmented" role="tablist" aria-label="Contributions by">
          <button role="tab" aria-selected={!assets} class={!assets ? "on" : ""} id="by-groups" onClick={() => (level.value = { kind: "groups" })}>By factor group</button>
          <button role="tab" aria-selected={assets} class={assets ? "on" : ""} id="by-assets" onClick={() => (level.value = { kind: "assets" })}>By asset</button>
        </span>
      </div>
      <p class="muted small">
        {assets
          ? `Each holding's part of the total risk (${active ? "active weights" : "weights"}), the largest first: ${count(r.assets.length, "matched holding")}.`
          : l.kind === "groups"
            ? "Euler contributions X·σ·ρ (annualised), which add up to the total risk. Click a group for its factors, Specific for the assets; Esc goes back."
            : `The group's factors, the largest contribution first; together they make the group's ${pct(groupTotal?.contribution)}.`}
      </p>
      {assets
        ? <div class="toolbar">
            <span class="searchbox">
              <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.4"><circle cx="6" cy="6" r="4.5" /><path d="M9.5 9.5L13 13" /></svg>
              <input id="asset-find" placeholder="Find an id" value={assetFind.value} spellcheck={false} autocomplete="off" onInput={(e) => { assetFind.value = e.currentTarget.value; assetLimit.value = 25; }} />
            </span>
            <span class="muted" id="asset-count">{`${int(Math.min(matching, assetLimit.value))} of ${count(matching, "holding")}${assetFind.value.trim() ? " matching" : ""}`}</span>
          </div>
        : null}
      <div class="partswrap">
        <table class="parts" id="parts">
          <thead>
            <tr>
              <th>{assets ? "Asset" : l.kind === "groups" ? "Group" : "Factor"}</th>
              <th class="barcol tick"><BarHead axis={axis} at={at} label="Contribution (annualised)" /></th>
              {assets
                ? <th class="num" title={active ? "Active weight: portfolio less benchmark" : "Weight"}>{active ? "Active weight" : "Weight"}</th>
                : <>
                    {l.kind === "group" && active ? <><th class="num" title="The portfolio's exposure">Portfolio X</th><th class="num" title="The benchmark's exposure">Benchmark X</th></> : null}
                    {l.kind === "group" ? <th class="num" title={active ? "Active exposure: portfolio less benchmark" : "Exposure"}>{active ? "Active X" : "X"}</th> : null}
                    <th class="num" title="Annualised volatility">σ</th>
                    <th class="num" title="Correlation with the portfolio's return">ρ</th>
                  </>}
              <th class="num" title="Contribution to total risk: X·σ·ρ">{assets ? "Contribution" : "X·σ·ρ"}</th>
              <th class="num" title="Share of the total risk">Share</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((x) => (
              <tr key={x.key} class={x.drill ? "drillable" : ""} id={`part-${x.key}`} onClick={() => drill(x)}>
                <td class="name">
                  {x.drill
                    ? <button class="link" title={`${x.full}: ${x.drill.kind === "group" ? "its factors" : "the assets"}`} onClick={(e) => { e.stopPropagation(); drill(x); }}>{x.label}<span class="muted"> ›</span></button>
                    : <span class={assets ? "id" : ""} title={x.full}>{x.label}</span>}
                </td>
                <td class="barcol tick"><BarCell axis={axis} at={at} bars={[{ value: x.contribution, title: `${x.label}: ${pct(x.contribution)}` }]} /></td>
                {assets
                  ? <Num v={x.weight} text={pct(x.weight, 3)} />
                  : <>
                      {l.kind === "group" && active ? <><Num v={x.portfolioExposure} text={fixed(x.portfolioExposure ?? null, 4)} /><Num v={x.benchmarkExposure} text={fixed(x.benchmarkExposure ?? null, 4)} /></> : null}
                      {l.kind === "group" ? <Num v={x.exposure} text={fixed(x.exposure, 4)} /> : null}
                      <Num v={x.volatility} text={pct(x.volatility)} />
                      <Num v={x.correlation} text={fixed(x.correlation, 3)} />
                    </>}
                <Num v={x.contribution} text={pct(x.contribution, assets ? 3 : 2)} />
                <Num v={x.share} text={pct(x.share, assets ? 2 : 1)} />
              </tr>
            ))}
          </tbody>
          {l.kind === "groups"
            ? <tfoot>
                <tr id="parts-total">
                  <td><strong>{active ? "Active risk" : "Total risk"}</strong></td>
                  <td class="barcol tick" />
                  <Num v={r.total_risk} text={pct(r.total_risk)} /><td />
                  <Num v={r.total_risk} text={pct(r.total_risk)} />
                  <td class="num">100.0%</td>
                </tr>
              </tfoot>
            : null}
        </table>
      </div>
      {assets && matching > assetLimit.value
        ? <div class="actions left">
            <button id="assets-more" onClick={() => (assetLimit.value += 100)}>{`Show ${int(Math.min(100, matching - assetLimit.value))} more`}</button>
            <button id="assets-all" onClick={() => (assetLimit.value = matching)}>{`Show all ${int(matching)}`}</button>
          </div>
        : null}
    </section>
  );
}

function Exposures({ r }: { r: RiskReport }) {
  const groups = [...new Set(r.contributions.map((c) => c.group))];
  const g = groups.includes(exposureGroup.value) ? exposureGroup.value : groups[0] ?? "";
  const rows = exposureRows(r, g);
  const b = r.benchmark !== null;
  const values = rows.flatMap((x) => (b ? [x.portfolio ?? 0, x.benchmark ?? 0] : [x.exposure]));
  const { axis, at } = barAxis(values);
  return (
    <section class="card" id="exposures">
      <div class="cardhead">
        <h2>{b ? `Exposures against the benchmark: ${g}` : `Exposures: ${g}`}</h2>
        <span class="spacer" />
        {b ? <span class="legend"><span><i style={{ background: PALETTE[0] }} />Portfolio</span><span><i style={{ background: PALETTE[7] }} />Benchmark</span></span> : null}
        <Select id="exposure-group" label="Factor group" value={g} options={groups.map((x) => ({ value: x, label: groupTitle(x) }))} onChange={(v) => (exposureGroup.value = v)} />
      </div>
      <div class="partswrap">
        <table class="parts" id="exposure-table">
          <thead>
            <tr>
              <th>Factor</th>
              <th class="barcol tick"><BarHead axis={axis} at={at} label={b ? "Exposure: portfolio and benchmark" : "Exposure"} format={numberTick} /></th>
              {b ? <><th class="num">Portfolio</th><th class="num">Benchmark</th><th class="num">Active</th></> : <th class="num">Exposure</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((x) => (
              <tr key={x.full}>
                <td class="name"><span title={x.full}>{x.label}</span></td>
                <td class="barcol tick">
                  <BarCell axis={axis} at={at} format={(v) => fixed(v, 4)}
                    bars={b ? [{ value: x.portfolio ?? 0, colour: PALETTE[0], title: `Portfolio ${fixed(x.portfolio, 4)}` }, { value: x.benchmark ?? 0, colour: PALETTE[7], title: `Benchmark ${fixed(x.benchmark, 4)}` }] : [{ value: x.exposure, title: fixed(x.exposure, 4) }]} />
                </td>
                {b
                  ? <><Num v={x.portfolio} text={fixed(x.portfolio, 4)} /><Num v={x.benchmark} text={fixed(x.benchmark, 4)} /><Num v={x.exposure} text={fixed(x.exposure, 4)} /></>
                  : <Num v={x.exposure} text={fixed(x.exposure, 4)} />}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Unmatched({ r }: { r: RiskReport }) {
  const u = unmatchedSummary(r);
  if (u.rows.length === 0) return null;
  const b = r.benchmark !== null;
  return (
    <section class="card unmatched" id="unmatched">
      <h2>{`Not in the model's universe on ${r.date}: ${count(u.rows.length, "holding")}`}</h2>
      <p class="muted small">
        {`Left out of the risk: ids the reference does not know, or assets without exposures that date. Portfolio weight left out ${pct(u.portfolio.weight, 3)}`}
        {b ? `; benchmark ${pct(u.benchmark.weight, 3)}` : ""}.
      </p>
      <div class="tablewrap short fit">
        <table class="compact" id="unmatched-table">
          <thead><tr><th>Id</th>{b ? <th>Of</th> : null}<th class="num">Weight</th></tr></thead>
          <tbody>
            {u.rows.map((x) => (
              <tr key={`${x.benchmark}-${x.id}`}>
                <td class="id">{x.id}</td>
                {b ? <td>{x.benchmark ? "benchmark" : "portfolio"}</td> : null}
                <Num v={x.weight} text={pct(x.weight, 3)} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Series({ v, request: req }: { v: PortfolioView; request: RiskRequest }) {
  const dates = v.series.map((p) => p.date);
  const selected = dates.indexOf(v.report.date);
  const pick = (i: number) => void showDate(dates[i]);
  const active = req.benchmark !== null;
  const risk: Line[] = [
    { key: "total", label: active ? "Active total" : "Total", colour: PALETTE[0], values: v.series.map((p) => p.total_risk), thick: true },
    { key: "factor", label: "Factor", colour: PALETTE[1], values: v.series.map((p) => p.factor_risk) },
    { key: "specific", label: "Specific", colour: PALETTE[2], values: v.series.map((p) => p.specific_risk) },
  ];
  const parts: Line[] = [
    ...v.groups.map((g, k) => ({ key: g, label: groupTitle(g), colour: PALETTE[(k + 3) % 7], values: v.series.map((p) => p.groups[k] ?? null) })),
    { key: "specific", label: "Specific", colour: PALETTE[2], values: v.series.map((p) => p.specific_contribution), dashed: true },
  ];
  const sides: Line[] = [
    { key: "portfolio", label: "Portfolio", colour: PALETTE[0], values: v.series.map((p) => p.portfolio_risk), thick: true },
    { key: "benchmark", label: "Benchmark", colour: PALETTE[4], values: v.series.map((p) => p.benchmark_risk), dashed: true },
  ];
  return (
    <div class="charts" id="portfolio-series">
      <SeriesChart id="chart-risk" title={active ? "Active risk over time (annualised, %)" : "Risk over time (annualised, %)"} dates={dates} lines={risk} selected={selected} onPick={pick} unit="annualised" />
      <SeriesChart id="chart-parts" title="Contributions by group (annualised, %)" dates={dates} lines={parts} selected={selected} onPick={pick} unit="annualised" />
      {active ? <div class="span2"><SeriesChart id="chart-sides" title="Portfolio and benchmark total risk (annualised, %)" dates={dates} lines={sides} selected={selected} onPick={pick} unit="annualised" height={170} /></div> : null}
    </div>
  );
}

function Report() {
  const s = shown.value;
  if (!s) return null;
  const v = s.view;
  const r = v.report;
  const req = s.request;
  const range = v.series.length > 1;
  const what = req.portfolio.source && "saved" in req.portfolio.source ? req.portfolio.source.saved : req.portfolio.source.holdings.source;
  const name = req.portfolio.name ? `${req.portfolio.name} (${what})` : what;
  const bench = req.benchmark ? ("saved" in req.benchmark.source ? req.benchmark.source.saved : req.benchmark.source.holdings.source) : null;
  return (
    <section id="portfolio-report" class={current.value ? "" : "stale"} aria-busy={running.pending.value}>
      <div class="glancehead">
        <h2 id="report-title">
          <span class="ellipsis" title={name}>{name}</span>
          {bench ? <span class="muted">{` against ${req.benchmark?.name ?? bench}`}</span> : null}
          <span class="muted">{` on ${req.model} at `}</span>
          <span id="report-date">{r.date}</span>
        </h2>
        <span class="inline">
          <button id="portfolio-export" onClick={() => void exportCsv()}>Export CSV…</button>
        </span>
      </div>
      <p class="muted small" id="report-summary">
        {`Annualised volatility (√252 × daily)${bench ? "; of the active weights, portfolio less benchmark" : ""}. `}
        {range ? `${count(v.series.length, "model date")} from ${v.series[0].date} to ${v.series[v.series.length - 1].date}; the figures below are of ${r.date} (pick another date in the charts).` : "One model date; choose Range for the risk over time."}
      </p>
      <Outcome action={exporting} id="portfolio-export" />
      <Outcome action={picking} id="portfolio-pick" errorsOnly />
      <Headline r={r} />
      {range ? <Series v={v} request={req} /> : null}
      <Contributions r={r} />
      <Unmatched r={r} />
      <Exposures r={r} />
    </section>
  );
}

function Help() {
  return (
    <section class="card" id="portfolio-help">
      <h2>A portfolio file</h2>
      <p class="muted">CSV or Parquet. One column of asset ids named after its id type (any of the model's reference: bayesid, ticker, isin, …) and a <code>weight</code> column (or <code>value</code>, divided by the total); optionally <code>date</code> (the holdings of each date hold until the next) and <code>portfolio</code> (several portfolios in one file). Ids the model does not know are listed with their weight, never dropped silently.</p>
      <pre class="sample">{"ticker,weight\nAAPL,0.042\nMSFT,0.038\n…"}</pre>
    </section>
  );
}

export function PortfolioScreen() {
  useEffect(() => {
    void load();
    return () => [loading, reading, readingBenchmark, running, picking, exporting, storing].forEach((a) => a.leave());
  }, []);
  const list = models.value;
  return (
    <main id="portfolio">
      <h1>Portfolio risk</h1>
      <Outcome action={loading} id="portfolio-load" errorsOnly />
      {list === null
        ? <p class="muted">{loading.pending.value ? "Loading the risk models…" : ""}</p>
        : list.length === 0
          ? <section class="card" id="portfolio-no-model">
              <h2>No risk model yet</h2>
              <p>A portfolio's risk is read from a risk model: estimate one from a risk dataset on the Risk model screen, then come back and drop a portfolio file here.</p>
              <button class="primary" id="go-model" onClick={() => go("model")}>Go to Risk model</button>
            </section>
          : <>
              <Setup />
              {portfolio.value.kind === "none" && !shown.value ? <Help /> : null}
              <Report />
            </>}
    </main>
  );
}
