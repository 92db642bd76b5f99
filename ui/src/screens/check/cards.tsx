// What the last staging run and the last commit did, as cards at the top of the Check screen.
import { count, listSome } from "../../format";
import { outcome, replaceQuestion, summarizeDiagnostics } from "../../staging";
import { current, dataset, go } from "../../store";
import { Outcome } from "../../ui";
import { committed, replacing, staged } from "./state";
import { replaceStaged } from "./stage";

/** What the last staging run did: the counts, and each failed file with its messages (repeats summarised). */
export function StagedCard() {
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

/** The last commit into the current dataset: its version, names and size, and where to go next. */
export function CommittedCard() {
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
