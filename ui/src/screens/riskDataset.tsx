// Screen 4, Risk dataset: the creation form (roles, cleaning, trims, exchanges) and, next to
// Create, what the last creation did (kept while the user is elsewhere).
import { batch, signal } from "@preact/signals";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type CreationReport, type Exchange } from "../api";
import { Action } from "../action";
import { int } from "../format";
import { buildSettings, formProblems, ROLES, rolesFor, type RiskChoices, type Role } from "../risk";
import { toggle } from "../selection";
import { dataset, form, go, refreshForm, screen } from "../store";
import { DateInput, Outcome, Row, Select } from "../ui";
import { openDataset } from "./dataset";
import { CreationReportView } from "./report";

const choices = signal<RiskChoices>({
  name: "My-Risk-Dataset", reference: "", source: "", roles: {}, fill: true, huberize: true, trimAssets: "ccy_union",
  trimStart: "earliest_start", startDate: "", trimEnd: "latest_end", endDate: "", replace: false, exchanges: [],
});
/** The exchanges of the reference chosen in the form. */
const exchanges = signal<{ reference: string; list: Exchange[] } | null>(null);
/** The last creation: kept until the next one starts. */
const created = signal<{ name: string; report: CreationReport; done: string } | null>(null);
/** The exposure dataset that was current when the source was last picked (by the form or the user). */
let sourceFor: string | null = null;

const loading = new Action();
const creating = new Action();

function set(change: Partial<RiskChoices>) {
  choices.value = { ...choices.value, ...change };
}

/** The user's pick of a source: it stands for the current dataset (a refresh does not replace it by the dataset's own). */
function pickSource(source: string, groups: string[]) {
  sourceFor = dataset.value;
  set({ source, roles: rolesFor(groups, {}) });
}

/** Fits the choices to what exists: a reference, a source (the current dataset when it has versions), its groups' roles. */
function fitChoices() {
  const f = form.value;
  if (!f) return;
  const c = choices.value;
  const reference = f.references.some((x) => x.name === c.reference) ? c.reference : f.references[0]?.name ?? "";
  const sources = Object.keys(f.factor_groups);
  let source = sources.includes(c.source) ? c.source : "";
  if (dataset.value !== sourceFor && sources.includes(dataset.value)) source = dataset.value;
  if (!source) source = sources.includes(dataset.value) ? dataset.value : sources[0] ?? "";
  sourceFor = dataset.value;
  const roles = rolesFor(f.factor_groups[source] ?? [], source === c.source ? c.roles : {});
  if (reference !== c.reference || source !== c.source || JSON.stringify(roles) !== JSON.stringify(c.roles)) set({ reference, source, roles });
}

async function enter() {
  try {
    await refreshForm();
    loading.error.value = null;
  } catch (e) {
    loading.fail(e);
  }
  fitChoices();
}

/** Lists the chosen reference's exchanges; choices no longer listed are dropped. */
async function loadExchanges(reference: string) {
  if (!reference || exchanges.value?.reference === reference) return;
  try {
    const list = await api.referenceExchanges(reference);
    if (choices.value.reference !== reference) return;
    batch(() => {
      exchanges.value = { reference, list };
      set({ exchanges: choices.value.exchanges.filter((x) => list.some((e) => e.code === x)) });
    });
  } catch (e) {
    loading.fail(e);
  }
}

async function create() {
  const c = choices.value;
  created.value = null;
  const report = await creating.run(`Creating ${c.name}`, (job) => api.createRisk(c.name, buildSettings(c), c.replace, job), {
    done: (_, took) => `Created ${c.name} ${took}.`,
  });
  if (!report) return;
  batch(() => {
    created.value = { name: c.name, report, done: creating.done.value ?? `Created ${c.name}` };
    reveal = screen.value === "risk";
    set({ replace: false });
  });
  try {
    await refreshForm();
  } catch (e) {
    creating.fail(e);
  }
}

/** The exchange multi-select: a collapsible list of checkboxes with asset counts; none ticked keeps all. */
function ExchangePicker() {
  const c = choices.value;
  const ex = exchanges.value;
  // Open at first when some are ticked; afterwards only the user opens and closes it.
  const [openAtFirst] = useState(() => c.exchanges.length > 0);
  const list = ex?.reference === c.reference ? ex.list : [];
  if (list.length === 0) return <span class="muted">{c.reference ? "Loading exchanges…" : "Choose a reference dataset first"}</span>;
  const codes = list.map((e) => e.code);
  return (
    <details class="picker" id="exchanges" open={openAtFirst}>
      <summary>{c.exchanges.length === 0 ? `All ${list.length} exchanges (tick some to keep only those)` : `Only ${[...c.exchanges].sort().join(", ")}`}</summary>
      <div class="pickergrid">
        {list.map((e) => (
          <label class="check" key={e.code}>
            <input type="checkbox" id={`exchange-${e.code}`} value={e.code} checked={c.exchanges.includes(e.code)}
              onChange={(ev) => set({ exchanges: toggle(choices.value.exchanges, e.code, ev.currentTarget.checked, codes) })} />
            {` ${e.code}`}<span class="muted">{` ${int(e.assets)}`}</span>
          </label>
        ))}
      </div>
      {c.exchanges.length > 0 ? <button id="exchanges-all" onClick={() => set({ exchanges: [] })}>Keep all</button> : <span />}
    </details>
  );
}

/** Set when a creation just finished: its report scrolls into view once. */
let reveal = false;

function CreatedCard() {
  const c = created.value;
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (c && reveal) {
      reveal = false;
      card.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }, [c]);
  if (!c) return null;
  return (
    <section class="card ok" id="report" ref={card}>
      <h2>
        {`${c.done} `}
        <button id="open-dataset" onClick={() => openDataset(c.name)}>Open dataset ›</button>
      </h2>
      <CreationReportView report={c.report} />
    </section>
  );
}

export function RiskScreen() {
  const f = form.value;
  const c = choices.value;
  useEffect(() => {
    void enter();
    return () => [loading, creating].forEach((a) => a.leave());
  }, []);
  useEffect(() => {
    void loadExchanges(c.reference);
  }, [c.reference]);
  if (!f) {
    return (
      <main>
        <h1>Create a risk dataset</h1>
        <Outcome action={loading} id="risk-load" />
        <p class="muted">Loading…</p>
      </main>
    );
  }
  const existing = f.risk_datasets.find((d) => d.name === c.name.trim() && d.kind === "user");
  const sources = Object.keys(f.factor_groups);
  const problems = formProblems(c, { exists: existing !== undefined, hasReference: c.reference !== "", hasSource: c.source !== "" });
  const groups = f.factor_groups[c.source] ?? [];
  return (
    <main>
      <h1>Create a risk dataset</h1>
      <Outcome action={loading} id="risk-load" />
      <section class="card form">
        <Row label="Name" htmlFor="riskname" hint={existing ? (existing.status === "stale" ? `exists (stale: ${existing.stale_reason ?? "a source changed"})` : "exists") : undefined}>
          <input id="riskname" value={c.name} spellcheck={false} autocomplete="off" onInput={(e) => set({ name: e.currentTarget.value })} />
        </Row>
        {existing
          ? <Row label="">
              <label class="check"><input type="checkbox" id="replace" checked={c.replace} onChange={(e) => set({ replace: e.currentTarget.checked })} /> Replace it</label>
            </Row>
          : <span />}
        <Row label="Reference dataset" htmlFor="reference"
          hint={f.references.length === 0 ? <button id="go-references" onClick={() => go("settings")}>Import one…</button> : undefined}>
          <Select id="reference" value={c.reference} options={f.references.map((x) => ({ value: x.name, label: `${x.name} (${int(x.assets)} assets)` }))}
            onChange={(v) => set({ reference: v })} />
        </Row>
        <Row label="Exposure source" htmlFor="source">
          <Select id="source" value={c.source} options={sources.map((d) => ({ value: d }))}
            onChange={(v) => pickSource(v, f.factor_groups[v] ?? [])} />
        </Row>
        <h2>Factor groups</h2>
        {groups.map((g) => (
          <Row key={g} label={g} htmlFor={`role-${g}`}>
            <Select id={`role-${g}`} value={c.roles[g] ?? "ignore"} options={ROLES.map((x) => ({ value: x }))}
              onChange={(v) => set({ roles: { ...choices.value.roles, [g]: v as Role } })} />
          </Row>
        ))}
        <h2>Styles</h2>
        <Row label="">
          <label class="check"><input type="checkbox" id="fill" checked={c.fill} onChange={(e) => set({ fill: e.currentTarget.checked })} /> Fill missing values with industry means</label>
        </Row>
        <Row label="">
          <label class="check"><input type="checkbox" id="huberize" checked={c.huberize} onChange={(e) => set({ huberize: e.currentTarget.checked })} /> Huberize (clip beyond median ± 3 × 1.4826 × MAD)</label>
        </Row>
        <h2>Universe and dates</h2>
        <Row label="Trim assets" htmlFor="trimassets">
          <Select id="trimassets" value={c.trimAssets} onChange={(v) => set({ trimAssets: v })} options={[
            { value: "ccy_union", label: "ccy_union: currencies of the uploaded assets" },
            { value: "asset_union", label: "asset_union: uploaded assets only" },
            { value: "none", label: "none: every reference asset" },
          ]} />
        </Row>
        <Row label="Start" htmlFor="trimstart">
          <span class="inline">
            <Select id="trimstart" value={c.trimStart} onChange={(v) => set({ trimStart: v })} options={[
              { value: "earliest_start", label: "earliest start" }, { value: "latest_start", label: "latest start" },
              { value: "none", label: "none" }, { value: "date", label: "a date…" },
            ]} />
            {c.trimStart === "date" ? <DateInput id="startdate" label="Start date" value={c.startDate} onCommit={(v) => set({ startDate: v })} /> : null}
          </span>
        </Row>
        <Row label="End" htmlFor="trimend">
          <span class="inline">
            <Select id="trimend" value={c.trimEnd} onChange={(v) => set({ trimEnd: v })} options={[
              { value: "latest_end", label: "latest end" }, { value: "earliest_end", label: "earliest end" },
              { value: "none", label: "none" }, { value: "date", label: "a date…" },
            ]} />
            {c.trimEnd === "date" ? <DateInput id="enddate" label="End date" value={c.endDate} onCommit={(v) => set({ endDate: v })} /> : null}
          </span>
        </Row>
        <Row label="Exchanges" top>
          <ExchangePicker />
        </Row>
        {problems.length > 0 ? <ul class="problems" id="problems">{problems.map((p) => <li key={p}>{p}</li>)}</ul> : null}
        <div class="actions left">
          <button class="primary" id="create" disabled={problems.length > 0 || creating.pending.value} onClick={() => void create()}>Create</button>
          {existing && existing.status === "stale" ? <span class="muted">{`${existing.name} is stale: update it on the Dataset screen (same settings, newest data), or replace it here.`}</span> : null}
        </div>
        <Outcome action={creating} id="create" errorsOnly />
      </section>
      <CreatedCard />
    </main>
  );
}
