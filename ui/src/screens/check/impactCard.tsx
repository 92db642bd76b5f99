// The Check screen's Model impact card: the risk models that read the dataset, the run with its
// progress and Cancel, then what committing the staged data would do to the model: a summary,
// the fit per date, per date and factor the change in factor return and t-stat (largest first),
// the assets that drive a date's changes, the saved portfolios' risk, and the engine's notes.
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import type { ModelImpact } from "../../api";
import { count, int } from "../../format";
import {
  barShare, BP, change, DECIMALS, dateRows, decimal, largestFinite, nextSort, NO_CHANGE, portfolioRows, same, signed, sortFactorRows,
  everyDate, splitLabel, summarize, value, factorRows, type DateRow, type FactorRow, type SortKey,
} from "../../impact";
import { cancelJob, running } from "../../jobs";
import { current, dataset, go, placeName, revision } from "../../store";
import { Outcome, Select } from "../../ui";
import {
  allDates, changedOnly, estimating, impactDate, impactHere, impactJob, impactModel, impactSort, impactStale, lookingUp, lookUpModels, modelsHere,
  runImpact,
} from "./impact";

/** The card: what it is for, the model to weigh, the run, and its result. */
export function ImpactCard() {
  const ds = dataset.value;
  useEffect(() => void lookUpModels(ds), [ds, revision.value, placeName.value]);
  useEffect(() => () => [lookingUp, estimating].forEach((a) => a.leave()), []);
  const models = modelsHere.value;
  const shown = impactHere.value;
  const job = impactJob.value;
  const runningNow = estimating.pending.value;
  const chosen = models?.find((m) => m.name === impactModel.value) ?? null;
  const committedHere = (current.value?.latest_version ?? 0) > 0;
  return (
    <section class={`card impact ${models !== null && models.length === 0 ? "none" : ""}`} id="impact" aria-busy={runningNow}>
      <div class="cardhead">
        <h2>Model impact</h2>
        <span class="muted">What committing the staged data would do to a risk model: the model is estimated again here with the staged exposures in place; nothing is committed or stored.</span>
      </div>
      <Outcome action={lookingUp} id="impact-lookup" errorsOnly />
      {models === null
        ? (lookingUp.error.value ? null : <p class="muted" id="impact-looking">{`Looking for the risk models that read ${ds}…`}</p>)
        : models.length === 0
          ? <div class="impact-empty" id="impact-none">
              <p>
                <strong>{`No risk model reads ${ds}.`}</strong>
                {committedHere
                  ? ` Model impact weighs the staged data on a risk model whose risk dataset is built on ${ds}: create such a risk dataset, then a model on it.`
                  : ` Nothing of ${ds} is committed yet, so no risk dataset is built on it: commit, then create a risk dataset on it and a model on that.`}
              </p>
              {committedHere
                ? <div class="actions left">
                    <button id="impact-go-risk" onClick={() => go("risk")}>Risk dataset ›</button>
                    <button id="impact-go-model" onClick={() => go("model")}>Risk model ›</button>
                  </div>
                : null}
            </div>
          : <div class="toolbar impact-pick">
              <label for="impact-model">Risk model</label>
              {models.length === 1
                ? <strong class="ellipsis impact-model-name" id="impact-model-name" title={models[0].name}>{models[0].name}</strong>
                : <Select id="impact-model" label="Risk model" value={impactModel.value}
                    options={[{ value: "", label: `Choose one of ${models.length}…` }, ...models.map((m) => ({ value: m.name }))]}
                    onChange={(v) => (impactModel.value = v)} />}
              {chosen
                ? <span class="muted ellipsis" id="impact-model-facts" title={chosen.riskDataset}>
                    {`on risk dataset ${chosen.riskDataset}`}{chosen.stale ? <span class="badge warn" title="Its risk dataset was rebuilt since: the impact is weighed on the model as it is stored">stale</span> : null}
                  </span>
                : null}
              <span class="spacer" />
              <button class="primary" id="impact-run" disabled={!chosen || runningNow} onClick={() => void runImpact()}>
                {shown && shown.result.model === impactModel.value ? "Run again" : "Estimate impact"}
              </button>
            </div>}
      {runningNow ? <RunNote job={job} /> : null}
      <Outcome action={estimating} id="impact" />
      {shown && !runningNow ? <Result impact={shown.result} stale={impactStale.value} /> : null}
    </section>
  );
}

/** The run's step with its own Cancel (the progress bar at the top has one too). */
function RunNote({ job }: { job: number | null }) {
  const r = job !== null ? running.value.find((x) => x.id === job) ?? null : null;
  const step = r?.step ?? null;
  const pct = step && step.total > 0 ? Math.round((100 * step.done) / step.total) : 0;
  const what = step ? (step.phase === "portfolios" ? "the saved portfolios' risk" : "the model dates the staged data feeds") : "starting";
  return (
    <div class="impact-running" id="impact-running" role="status">
      <div class="impact-running-text">
        <strong>{`Estimating the model again: ${what}`}</strong>
        <span class="muted">{step ? `${int(step.done)}/${int(step.total)}${step.message ? ` · ${step.message}` : ""}` : ""}</span>
      </div>
      <div class="bar"><div class="fill" style={{ width: `${pct}%` }} /></div>
      <button class="run-cancel" id="impact-cancel" disabled={job === null || r?.cancelling === true} onClick={() => { if (job !== null) cancelJob(job); }}>
        {r?.cancelling ? "Cancelling…" : "Cancel"}
      </button>
    </div>
  );
}

/**
 * A figure with its exact value (`data-exact`: what a copy or a test reads; none is empty) and the
 * text shown; `k` names which figure of its row it is (`data-k`).
 */
function Fig({ exact, text, id, cls, k }: { exact: number | null; text: string; id?: string; cls?: string; k?: string }) {
  const none = text === NO_CHANGE;
  return <span id={id} class={`${cls ?? ""}${none ? " nochange" : ""}`} data-k={k} data-exact={exact === null ? "" : String(exact)}>{text}</span>;
}

/** A change's text and exact value: `after − before` scaled. */
function Delta({ before, after, decimals, scale, unit, id, k }: { before: number | null; after: number | null; decimals: number; scale?: number; unit?: string; id?: string; k?: string }) {
  const text = change(before, after, decimals, scale);
  const exact = before !== null && after !== null && !same(before, after) ? after - before : same(before, after) ? 0 : null;
  return <Fig id={id} k={k} exact={exact} text={text === NO_CHANGE || text === "–" || !unit ? text : `${text} ${unit}`} cls="delta" />;
}

/** What the impact found. */
function Result({ impact: m, stale }: { impact: ModelImpact; stale: boolean }) {
  const s = summarize(m);
  const dates = dateRows(m);
  const selected = dates.find((d) => d.date === impactDate.value) ?? dates[0] ?? null;
  return (
    <div id="impact-result" class={stale ? "stale" : ""}>
      {stale
        ? <p class="warning impact-stale" id="impact-stale">
            <span>The staged data changed since this was estimated: the figures below are of the data staged before.</span>
            <button id="impact-rerun" onClick={() => void runImpact()}>Run again</button>
          </p>
        : null}
      <p class="impact-title" id="impact-title" title={`${m.model} with the data staged for ${m.dataset}`}>
        <strong>{m.model}</strong>
        <span class="muted">{` with the data staged for ${m.dataset}: ${count(s.dates, "model date")} estimated again`}</span>
      </p>
      {s.dates === 0
        ? <p class="impact-empty" id="impact-nodates"><strong>No model date reads the staged dates</strong>, so there is nothing to estimate again; the notes below say why.</p>
        : s.none
          ? <p class="impact-nochange" id="impact-nochange">
              <strong>No change.</strong>{` With the staged data the model has exactly the same factor returns, t-stats, R² and estimation universe on ${s.dates === 1 ? dates[0].date : everyDate(s.dates)}${m.portfolios.length > 0 ? `, and every saved portfolio exactly the same risk` : ""}.`}
            </p>
          : <Tiles m={m} dates={dates} />}
      {s.dates > 0 ? <DatesTable dates={dates} selected={selected?.date ?? null} /> : null}
      {s.dates > 0 && !s.none ? <FactorTable m={m} multi={dates.length > 1} selected={selected} /> : null}
      {selected && !s.none ? <Drivers m={m} date={selected} /> : null}
      <Portfolios m={m} />
      {m.notes.length > 0
        ? <div class="impact-notes">
            <h3>Notes</h3>
            <ul class="warnings" id="impact-notes">{m.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>
          </div>
        : null}
    </div>
  );
}

/** A factor's label with its role and group muted ("region.region." Kazakhstan): the same text, the factor stands out. */
function FactorName({ label }: { label: string }) {
  const [prefix, rest] = splitLabel(label);
  return <>{prefix ? <span class="fprefix">{prefix}</span> : null}{rest}</>;
}

/** A summary tile. */
function Tile({ id, label, children, sub }: { id: string; label: string; children: ComponentChildren; sub: ComponentChildren }) {
  return (
    <div class="figure" id={id}>
      <div class="figlabel">{label}</div>
      <div class="figvalue">{children}</div>
      <div class="figsub">{sub}</div>
    </div>
  );
}

/** The summary: the dates estimated again, the largest factor-return change and where, R² and the universe. */
function Tiles({ m, dates }: { m: ModelImpact; dates: DateRow[] }) {
  const s = summarize(m);
  const big = s.largest;
  const r2 = s.r2;
  const uni = s.universe;
  const first = dates[0];
  const last = dates[dates.length - 1];
  return (
    <div class="impact-tiles" id="impact-summary">
      <Tile id="impact-sum-dates" label="Estimated again"
        sub={<>
          <span class="line">{dates.length === 1 ? `${first.date} (exposures of ${first.exposuresDate})` : `${first.date} to ${last.date}`}</span>
          <span class="line">{s.changed === 0 ? "No factor changed" : `${int(s.changed)} of ${int(s.pairs)} factor returns changed`}</span>
        </>}>
        <span data-exact={String(s.dates)}>{int(s.dates)}</span>
        <span class="figunit">{s.dates === 1 ? " model date" : " model dates"}</span>
      </Tile>
      <Tile id="impact-sum-largest" label="Largest return change"
        sub={big
          ? <>
              <span class="line ellipsis" title={`${big.factor} on ${big.date}`}><FactorName label={big.factor} /></span>
              <span class="line">{`${value(big.fretBefore, DECIMALS.bp, BP)} → ${value(big.fretAfter, DECIMALS.bp, BP)} bp`}</span>
              {dates.length > 1 ? <span class="line">{`on ${big.date}`}</span> : null}
            </>
          : "Every factor return is the same to the last digit."}>
        {big ? <Delta k="largest" before={big.fretBefore} after={big.fretAfter} decimals={DECIMALS.bp} scale={BP} unit="bp" /> : <span class="nochange">{NO_CHANGE}</span>}
      </Tile>
      <Tile id="impact-sum-r2" label="R² (weighted)"
        sub={r2
          ? `${value(r2.r2Before, DECIMALS.r2)} → ${value(r2.r2After, DECIMALS.r2)}${dates.length > 1 ? ` on ${r2.date}` : ""}`
          : `${value(first.r2Before, DECIMALS.r2)}${dates.length > 1 ? ` on ${first.date}, the same on every date` : ` on ${first.date}`}`}>
        {r2 ? <Delta before={r2.r2Before} after={r2.r2After} decimals={DECIMALS.r2} /> : <span class="nochange">{NO_CHANGE}</span>}
      </Tile>
      <Tile id="impact-sum-universe" label="Estimation universe"
        sub={uni
          ? `${int(uni.assetsBefore)} → ${int(uni.assetsAfter)} assets${dates.length > 1 ? ` on ${uni.date}` : ""}`
          : dates.length > 1 ? `The same on ${everyDate(dates.length)}` : `${int(first.assetsBefore)} assets`}>
        {uni ? <Fig exact={uni.assetsAfter - uni.assetsBefore} text={`${signed(uni.assetsAfter - uni.assetsBefore, 0)} assets`} /> : <span class="nochange">{NO_CHANGE}</span>}
      </Tile>
    </div>
  );
}

/** The fit per date; a row picks the date whose factors and drivers show (click, or ↑ ↓ Enter). */
function DatesTable({ dates, selected }: { dates: DateRow[]; selected: string | null }) {
  const pick = (i: number, focus: boolean) => {
    const d = dates[Math.max(0, Math.min(dates.length - 1, i))];
    impactDate.value = d.date;
    if (focus) document.getElementById(`impact-date-${d.date}`)?.focus();
  };
  return (
    <div class="impact-block">
      <h3>{dates.length === 1 ? "The date estimated again" : `The ${int(dates.length)} dates estimated again`}<span class="muted">{dates.length > 1 ? " · pick one for its factors and drivers (click, or ↑ ↓)" : ""}</span></h3>
      <div class="tablewrap fit short">
        <table id="impact-dates" class="impact-table">
          <thead>
            <tr>
              <th title="The model date (the returns' date) and the staged date whose exposures its regression reads">Model date</th>
              <th class="num">R² now</th><th class="num">with staged</th><th class="num">Δ R²</th>
              <th class="num" title="The estimation universe: the assets the regression reads, now → with the staged data">Universe</th>
              <th class="num" title="The factors whose return or t-stat differs, of all">Changed</th>
              <th class="num" title="The largest change in a factor's return that date, in basis points">Largest Δ (bp)</th>
            </tr>
          </thead>
          <tbody>
            {dates.map((d, i) => (
              <tr key={d.date} id={`impact-date-${d.date}`} data-date={d.date} tabIndex={0} aria-selected={d.date === selected}
                class={`pickable ${d.date === selected ? "selected" : ""} ${d.any ? "" : "same"}`}
                onClick={() => pick(i, false)}
                onKeyDown={(e) => {
                  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                    e.preventDefault();
                    pick(i + (e.key === "ArrowDown" ? 1 : -1), true);
                  } else if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    pick(i, false);
                  }
                }}>
                <td class="datecell">{d.date}<span class="muted">{`exposures of ${d.exposuresDate}`}</span></td>
                <td class="num"><Fig k="r2-before" exact={d.r2Before} text={value(d.r2Before, DECIMALS.r2)} /></td>
                <td class="num"><Fig k="r2-after" exact={d.r2After} text={value(d.r2After, DECIMALS.r2)} /></td>
                <td class="num"><Delta k="r2-change" before={d.r2Before} after={d.r2After} decimals={DECIMALS.r2} /></td>
                <td class="num">
                  <Fig k="assets-before" exact={d.assetsBefore} text={int(d.assetsBefore)} /><span class="muted">{" → "}</span><Fig k="assets-after" exact={d.assetsAfter} text={int(d.assetsAfter)} />
                  {d.assetsAfter === d.assetsBefore ? null : <strong class="udelta">{" ("}<Fig k="assets-change" exact={d.assetsAfter - d.assetsBefore} text={signed(d.assetsAfter - d.assetsBefore, 0)} />{")"}</strong>}
                </td>
                <td class="num">{d.changed === 0 ? <span class="nochange">none</span> : `${int(d.changed)} of ${int(d.factors)}`}</td>
                <td class="num">{d.largest ? <Delta k="largest" before={d.largest.fretBefore} after={d.largest.fretAfter} decimals={DECIMALS.bp} scale={BP} /> : <span class="nochange">{NO_CHANGE}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** A sortable header: a button (keyboard too), the arrow on the column sorted by. */
function SortHead({ k, label, num, title }: { k: SortKey; label: string; num?: boolean; title?: string }) {
  const s = impactSort.value;
  const on = s.key === k;
  return (
    <th class={`${num ? "num" : ""} ${on ? "sorted" : ""}`} aria-sort={on ? (s.desc ? "descending" : "ascending") : "none"} title={title}>
      <button class="sorthead" id={`impact-sort-${k}`} onClick={() => (impactSort.value = nextSort(s, k))}>
        {label}<span class="arrow">{on ? (s.desc ? " ▼" : " ▲") : ""}</span>
      </button>
    </th>
  );
}

/** The factor returns and t-stats, now and with the staged data, largest change first. */
function FactorTable({ m, multi, selected }: { m: ModelImpact; multi: boolean; selected: DateRow | null }) {
  const every = multi && allDates.value;
  const all = factorRows(m).filter((r) => every || r.date === selected?.date);
  const changed = all.filter((r) => r.changed);
  const rows = sortFactorRows(changedOnly.value ? changed : all, impactSort.value);
  const largest = largestFinite(rows.map((r) => r.size));
  const where = every ? `on ${everyDate(new Set(all.map((r) => r.date)).size)}` : `on ${selected?.date ?? ""}`;
  return (
    <div class="impact-block">
      <h3>{`Factor returns and t-stats ${where}`}</h3>
      <div class="impact-blockhead">
        <span class="muted" id="impact-units">Factor returns are daily returns, in basis points (1 bp = 0.01%); the largest change first.</span>
        <span class="spacer" />
        <span class="impact-checks">
          {multi
            ? <label class="check"><input type="checkbox" id="impact-all-dates" checked={allDates.value} onChange={(e) => (allDates.value = e.currentTarget.checked)} />Every date</label>
            : null}
          <label class="check"><input type="checkbox" id="impact-changed-only" checked={changedOnly.value} onChange={(e) => (changedOnly.value = e.currentTarget.checked)} />
            {`Changed only (${int(changed.length)} of ${int(all.length)})`}
          </label>
        </span>
      </div>
      {rows.length === 0
        ? <p class="muted" id="impact-factors-none">{`No factor's return or t-stat changed ${where}.`}</p>
        : <div class="tablewrap impact-factors">
            <table id="impact-factors" class="impact-table">
              <thead>
                <tr class="groups">
                  <th colSpan={every ? 2 : 1} />
                  <th colSpan={4} class="group">Factor return (bp, daily)</th>
                  <th colSpan={3} class="group">t-stat</th>
                </tr>
                <tr>
                  {every ? <SortHead k="date" label="Date" /> : null}
                  <SortHead k="factor" label="Factor" />
                  <th class="num">now</th>
                  <th class="num">with staged</th>
                  <SortHead k="return" label="Δ" num title="Sort by the size of the change in factor return" />
                  <th class="barcol" aria-label="The change against the largest shown" />
                  <th class="num">now</th>
                  <th class="num">with staged</th>
                  <SortHead k="t" label="Δ" num title="Sort by the size of the change in t-stat" />
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => <FactorLine key={r.key} r={r} every={every} largest={largest} />)}
              </tbody>
            </table>
          </div>}
    </div>
  );
}

/** One factor at one date; its Δ return carries a bar as long as its share of the largest change shown. */
function FactorLine({ r, every, largest }: { r: FactorRow; every: boolean; largest: number }) {
  const share = barShare(r.size, largest);
  const up = r.dRet === null ? "" : r.dRet > 0 ? "pos" : r.dRet < 0 ? "neg" : "";
  return (
    <tr class={`${r.changed ? "" : "same"} ${every && r.date === impactDate.value ? "selected" : ""} ${every ? "pickable" : ""}`} data-date={r.date} data-factor={r.factor}
      onClick={every ? () => (impactDate.value = r.date) : undefined}>
      {every ? <td>{r.date}</td> : null}
      <td class="name" title={r.factor}><span><FactorName label={r.factor} /></span></td>
      <td class="num"><Fig k="fret-before" exact={r.fretBefore} text={value(r.fretBefore, DECIMALS.bp, BP)} /></td>
      <td class="num"><Fig k="fret-after" exact={r.fretAfter} text={value(r.fretAfter, DECIMALS.bp, BP)} /></td>
      <td class="num dcell"><Delta k="fret-change" before={r.fretBefore} after={r.fretAfter} decimals={DECIMALS.bp} scale={BP} /></td>
      <td class="barcol" aria-hidden="true">
        <span class="dtrack">{share > 0 ? <i class={`dbar ${up}`} style={{ width: `${(50 * share).toFixed(2)}%` }} /> : null}</span>
      </td>
      <td class="num"><Fig k="t-before" exact={r.tBefore} text={value(r.tBefore, DECIMALS.t)} /></td>
      <td class="num"><Fig k="t-after" exact={r.tAfter} text={value(r.tAfter, DECIMALS.t)} /></td>
      <td class="num"><Delta k="t-change" before={r.tBefore} after={r.tAfter} decimals={DECIMALS.t} /></td>
    </tr>
  );
}

/** The assets whose exposure changes, weighted by their regression weight, drive a date's changes. */
function Drivers({ m, date }: { m: ModelImpact; date: DateRow }) {
  const d = m.dates.find((x) => x.date === date.date);
  if (!d) return null;
  return (
    <div class="impact-block">
      <div class="impact-blockhead">
        <h3>{`Assets driving the changes on ${d.date}`}</h3>
        <span class="muted">{`Their exposures of ${d.exposures_date} changed most, weighted by their regression weight; each with the factor whose exposure moved most.`}</span>
      </div>
      {d.drivers.length === 0
        ? <p class="muted" id="impact-drivers-none">{`No asset's exposures of ${d.exposures_date} changed.`}</p>
        : <div class="tablewrap fit">
            <table id="impact-drivers" class="impact-table">
              <thead>
                <tr>
                  <th>Asset</th><th class="num" title="The asset's regression weight: √ market cap, or 1 with equal weights">Weight</th>
                  <th class="num" title="Regression weight × the length of the asset's exposure change over every factor (a changed category counts √2)">Weighted change</th>
                  <th title="The factor whose exposure moved most, or the category changed">Factor moved most</th><th class="num">Exposure now</th><th class="num">with staged</th>
                </tr>
              </thead>
              <tbody>
                {d.drivers.map((a) => (
                  <tr key={a.id} data-id={a.id}>
                    <td class="id">{a.id}</td>
                    <td class="num"><Fig k="weight" exact={a.weight} text={decimal(a.weight, DECIMALS.weight)} /></td>
                    <td class="num"><Fig k="change" exact={a.change} text={decimal(a.change, DECIMALS.driver)} /></td>
                    <td class="name" title={a.factor}><span><FactorName label={a.factor} /></span></td>
                    <td class="num"><Fig k="before" exact={a.before} text={value(a.before, DECIMALS.exposure)} /></td>
                    <td class="num"><Fig k="after" exact={a.after} text={value(a.after, DECIMALS.exposure)} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>}
    </div>
  );
}

/** Every saved portfolio's total risk at the model's last date, now and with the staged data. */
function Portfolios({ m }: { m: ModelImpact }) {
  const rows = portfolioRows(m);
  return (
    <div class="impact-block">
      <div class="impact-blockhead">
        <h3>{rows.length > 0 ? `Saved portfolios' risk at ${rows[0].date}` : "Saved portfolios' risk"}</h3>
        <span class="muted">Total risk as an annualised volatility, in %; changes in percentage points (pp).</span>
      </div>
      {rows.length === 0
        ? <p class="muted" id="impact-portfolios-none">
            No portfolio is saved (or none could be reported; see the notes). Save one on the Portfolio risk screen to see how its risk moves.{" "}
            <button class="link" id="impact-go-portfolio" onClick={() => go("portfolio")}>Portfolio risk ›</button>
          </p>
        : <div class="tablewrap fit">
            <table id="impact-portfolios" class="impact-table">
              <thead><tr><th>Portfolio</th><th class="num">Risk now</th><th class="num">with staged</th><th class="num">Change</th></tr></thead>
              <tbody>
                {rows.map((p) => (
                  <tr key={p.portfolio} class={p.changed ? "" : "same"} data-portfolio={p.portfolio}>
                    <td class="name wide" title={p.portfolio}><span>{p.portfolio}</span></td>
                    <td class="num"><Fig k="before" exact={p.before} text={`${value(p.before, DECIMALS.risk, 100)}%`} /></td>
                    <td class="num"><Fig k="after" exact={p.after} text={`${value(p.after, DECIMALS.risk, 100)}%`} /></td>
                    <td class="num"><Delta k="change" before={p.before} after={p.after} decimals={DECIMALS.risk} scale={100} unit="pp" /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>}
    </div>
  );
}
