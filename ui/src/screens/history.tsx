// Screen 3, History: the current dataset's versions and the latest factor groups.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, call, type History, type RowChanges, type VersionDiff } from "../api";
import { Action } from "../action";
import { asUiError } from "../errors";
import { revertQuestion } from "../commit";
import { count, int, timestamp } from "../format";
import { ask, current, dataset, revision, touched } from "../store";
import { F32Cell, Outcome, Select } from "../ui";

/** The history shown and the dataset it belongs to; `history` null: the dataset has no versions. */
const shown = signal<{ dataset: string; history: History | null } | null>(null);
const loading = new Action();
let seq = 0;

/** The two versions compared (null: the one before the latest, and the latest). */
const pick = signal<{ from: number; to: number } | null>(null);
/** The comparison shown, with a page of its changed rows. */
const compared = signal<{ dataset: string; diff: VersionDiff; rows: RowChanges; offset: number } | null>(null);
const comparing = new Action();
const ROWS = 50;
/** Reverting to an earlier version (its preview first). */
const reverting = new Action();

/** Revert…: what it would change against the latest version, then the confirmation, then the revert. */
async function askRevert(ds: string, to: number, latest: number) {
  const diff = await reverting.run(`Comparing version ${to} with version ${latest}`, () => api.versionDiff(ds, latest, to), { progress: "plain" });
  if (!diff) return;
  ask({
    ...revertQuestion(ds, to, latest, diff),
    danger: true,
    run: () => void (async () => {
      const done = await reverting.run(`Reverting ${ds} to version ${to}`, () => call("revert", { dataset: ds, to }), {
        progress: "none",
        done: (r, took) => `Reverted ${ds} to version ${to} ${took}: version ${r.version} holds ${count(r.rows, "row")} over ${count(r.dates, "date")}, as version ${to} did.`,
      });
      if (done) await touched();
    })(),
  });
}

async function compare(ds: string, from: number, to: number, offset = 0) {
  const result = await comparing.run(
    `Comparing versions ${from} and ${to}`,
    async () => {
      const [diff, rows] = await Promise.all([api.versionDiff(ds, from, to), api.versionDiffRows(ds, from, to, offset, ROWS)]);
      return { diff, rows };
    },
    { progress: "none" },
  );
  if (result) compared.value = { dataset: ds, ...result, offset };
}

function list(dates: string[]): string {
  return dates.length === 0 ? "none" : dates.length > 8 ? `${dates.slice(0, 8).join(", ")} and ${int(dates.length - 8)} more` : dates.join(", ");
}

/** Pick two versions and see what changed between them. */
function CompareCard({ ds, versions }: { ds: string; versions: number[] }) {
  const latest = versions[versions.length - 1];
  const p = pick.value ?? { from: Math.max(1, latest - 1), to: latest };
  const options = versions.map((v) => ({ value: String(v), label: `version ${v}` }));
  const c = compared.value && compared.value.dataset === ds ? compared.value : null;
  const d = c?.diff;
  return (
    <section class="card" id="compare">
      <h2>What changed between two versions</h2>
      <div class="toolbar">
        <label for="diff-from">From</label>
        <Select id="diff-from" value={String(p.from)} options={options} onChange={(v) => (pick.value = { ...p, from: Number(v) })} />
        <label for="diff-to">to</label>
        <Select id="diff-to" value={String(p.to)} options={options} onChange={(v) => (pick.value = { ...p, to: Number(v) })} />
        <button class="primary" id="diff-run" disabled={comparing.pending.value || versions.length < 2} onClick={() => void compare(ds, p.from, p.to)}>Compare</button>
      </div>
      <Outcome action={comparing} id="diff" errorsOnly />
      {d
        ? <div id="diff-result">
            <p>{`From version ${d.from} to ${d.to}: ${count(d.rows_changed, "row")} added, removed or changed; ${count(d.dates_unchanged, "date")} unchanged.`}</p>
            <ul class="plain">
              <li><b>Dates added:</b> {list(d.dates_added)}</li>
              <li><b>Dates removed:</b> {list(d.dates_removed)}</li>
              <li><b>Dates changed:</b> {list(d.dates_changed)}</li>
            </ul>
            {d.factors.length > 0
              ? <div class="tablewrap">
                  <table id="diff-factors">
                    <thead><tr><th>Factor</th><th class="num">Added</th><th class="num">Removed</th><th class="num">Changed</th><th class="num">Largest change</th><th>Where</th></tr></thead>
                    <tbody>
                      {d.factors.map((f) => (
                        <tr key={`${f.factor_group}.${f.factor}`}>
                          <td>{`${f.factor_group}.${f.factor}`}</td>
                          <td class="num">{int(f.added)}</td>
                          <td class="num">{int(f.removed)}</td>
                          <td class="num">{int(f.changed)}</td>
                          <F32Cell value={f.changed > 0 ? f.largest_change : null} />
                          <td>{f.largest_at ?? ""}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              : null}
            {c && c.rows.total > 0
              ? <>
                  <div class="toolbar">
                    <span>{`Changed rows ${int(c.offset + 1)}–${int(Math.min(c.offset + ROWS, c.rows.total))} of ${int(c.rows.total)}`}</span>
                    <span class="spacer" />
                    <button id="diff-prev" disabled={c.offset === 0} onClick={() => void compare(ds, d.from, d.to, Math.max(0, c.offset - ROWS))}>‹ Prev</button>
                    <button id="diff-next" disabled={c.offset + ROWS >= c.rows.total} onClick={() => void compare(ds, d.from, d.to, c.offset + ROWS)}>Next ›</button>
                  </div>
                  <div class="tablewrap">
                    <table id="diff-rows">
                      <thead><tr><th>Date</th><th>Asset</th><th>Id type</th><th>Factor</th><th class="num">Old</th><th class="num">New</th></tr></thead>
                      <tbody>
                        {c.rows.rows.map((r) => (
                          <tr key={`${r.date}\u0000${r.asset_id}\u0000${r.factor_group}\u0000${r.factor}`}>
                            <td>{r.date}</td><td>{r.asset_id}</td><td>{r.asset_id_type}</td><td>{`${r.factor_group}.${r.factor}`}</td>
                            <F32Cell value={r.old} /><F32Cell value={r.new} />
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </>
              : null}
          </div>
        : <p class="muted">{versions.length < 2 ? "One version so far: commit again to compare." : "Pick two versions and press Compare."}</p>}
    </section>
  );
}

async function load(ds: string, known: boolean) {
  const mine = ++seq;
  if (!known) {
    shown.value = { dataset: ds, history: null };
    return;
  }
  try {
    const history = await api.history(ds);
    if (mine === seq) shown.value = { dataset: ds, history };
    loading.error.value = null;
  } catch (e) {
    if (mine !== seq) return;
    const err = asUiError(e);
    if (err.code === "not_found") shown.value = { dataset: ds, history: null };
    else {
      shown.value = { dataset: ds, history: null };
      loading.fail(err);
    }
  }
}

export function HistoryScreen() {
  const ds = dataset.value;
  const known = current.value !== null;
  const rev = revision.value;
  useEffect(() => {
    void load(ds, known);
  }, [ds, known, rev]);
  useEffect(() => () => [loading, comparing, reverting].forEach((a) => a.leave()), []);
  useEffect(() => {
    pick.value = null;
  }, [ds]);
  const s = shown.value;
  const hist = s && s.dataset === ds ? s.history : undefined;
  const latest = hist ? Math.max(0, ...hist.versions.map((v) => v.version)) : 0;
  return (
    <main>
      <h1>{`History of ${ds || "–"}`}</h1>
      <Outcome action={loading} id="history-load" />
      {hist === undefined ? <p class="muted">Loading…</p> : null}
      {hist === null || (hist && hist.versions.length === 0)
        ? <p class="muted" id="history-empty">{`${ds || "This dataset"} has no committed versions yet: stage files on the Upload screen, then commit them.`}</p>
        : null}
      <Outcome action={reverting} id="revert" />
      {hist && hist.versions.length > 0
        ? <section class="card">
            <p>Factor groups of the latest version: {hist.factor_groups.map((g) => <span key={g} class="chip">{g}</span>)}</p>
            <div class="tablewrap">
              <table id="history">
                <thead>
                  <tr>
                    {["Version", "Committed (UTC)", "Mode", "Rows", "Dates", "Range", "Names committed", ""].map((c, i) => (
                      <th key={i} class={[0, 3, 4].includes(i) ? "num" : ""}>{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {[...hist.versions].reverse().map((v) => (
                    <tr key={v.version}>
                      <td class="num">{String(v.version)}</td>
                      <td>{timestamp(v.created)}</td>
                      <td>{v.mode}</td>
                      <td class="num">{int(v.rows)}</td>
                      <td class="num">{int(v.dates)}</td>
                      <td>{v.first_date && v.last_date ? `${v.first_date} – ${v.last_date}` : "–"}</td>
                      <td>
                        {v.committed_names.length > 0
                          ? <details>
                              <summary>{count(v.committed_names.length, "name")}</summary>
                              <div class="names">{v.committed_names.join(", ")}</div>
                            </details>
                          : <span class="muted">none</span>}
                      </td>
                      <td class="nowrap">
                        {v.version < latest
                          ? <button class="link" id={`revert-${v.version}`} title={`Revert to this version: a new version with version ${v.version}'s data`} disabled={reverting.pending.value} onClick={() => void askRevert(ds, v.version, latest)}>Revert…</button>
                          : <span class="muted">latest</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        : null}
      {hist && hist.versions.length > 0 ? <CompareCard ds={ds} versions={hist.versions.map((v) => v.version)} /> : null}
    </main>
  );
}
