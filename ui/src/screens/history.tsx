// Screen 3, History: the current dataset's versions and the latest factor groups.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, type History } from "../api";
import { Action } from "../action";
import { asUiError } from "../errors";
import { count, int, timestamp } from "../format";
import { current, dataset, revision } from "../store";
import { Outcome } from "../ui";

/** The history shown and the dataset it belongs to; `history` null: the dataset has no versions. */
const shown = signal<{ dataset: string; history: History | null } | null>(null);
const loading = new Action();
let seq = 0;

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
  useEffect(() => () => loading.leave(), []);
  const s = shown.value;
  const hist = s && s.dataset === ds ? s.history : undefined;
  return (
    <main>
      <h1>{`History of ${ds || "–"}`}</h1>
      <Outcome action={loading} id="history-load" />
      {hist === undefined ? <p class="muted">Loading…</p> : null}
      {hist === null || (hist && hist.versions.length === 0)
        ? <p class="muted" id="history-empty">{`${ds || "This dataset"} has no committed versions yet: stage files on the Upload screen, then commit them.`}</p>
        : null}
      {hist && hist.versions.length > 0
        ? <section class="card">
            <p>Factor groups of the latest version: {hist.factor_groups.map((g) => <span key={g} class="chip">{g}</span>)}</p>
            <div class="tablewrap">
              <table id="history">
                <thead>
                  <tr>
                    {["Version", "Committed (UTC)", "Mode", "Names", "Rows", "Dates", "Range", "Names committed"].map((c, i) => (
                      <th key={c} class={[0, 3, 4, 5].includes(i) ? "num" : ""}>{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {[...hist.versions].reverse().map((v) => (
                    <tr key={v.version}>
                      <td class="num">{String(v.version)}</td>
                      <td>{timestamp(v.created)}</td>
                      <td>{v.mode}</td>
                      <td class="num">{int(v.committed_names.length)}</td>
                      <td class="num">{int(v.rows)}</td>
                      <td class="num">{int(v.dates)}</td>
                      <td>{v.first_date && v.last_date ? `${v.first_date} – ${v.last_date}` : "–"}</td>
                      <td>
                        <details>
                          <summary>{count(v.committed_names.length, "name")}</summary>
                          <div class="names">{v.committed_names.join(", ")}</div>
                        </details>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        : null}
    </main>
  );
}
