// The staged name × date rows: a sortable table whose rows pick their day, with ticks for
// wiping and the commit mode and Commit button in its toolbar.
import type { DetailRow } from "../../api";
import { COMMIT_MODES, type CommitMode } from "../../bindings";
import { count, int, sortRows } from "../../format";
import { F32Cell, Outcome, Select } from "../../ui";
import { askCommit } from "./commit";
import { askWipe } from "./stage";
import { committing, day, detail, mode, selectDate, sort, wipe, wiping } from "./state";

/** The table's columns: key, header and whether it is numeric. */
const COLUMNS: [keyof DetailRow, string, boolean][] = [
  ["_name", "Name", false], ["date", "Date", false], ["n_assets", "Assets", true], ["min_exposure", "Min", true],
  ["max_exposure", "Max", true], ["mean_exposure", "Mean", true], ["median_exposure", "Median", true], ["std_exposure", "Std", true],
];

/** The toolbar (wipe, commit mode, commit), the actions' outcomes and the staged rows. */
export function DetailCard() {
  const rows = detail.value;
  const ticked = wipe.value;
  const order = sort.value;
  const allNames = [...new Set(rows.map((r) => (r._name ?? "")))];
  const selectedDate = day.value;
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
        <Select id="mode" value={mode.value} options={Object.keys(COMMIT_MODES).map((m) => ({ value: m }))} onChange={(m) => (mode.value = m as CommitMode)} />
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
                onClick={(e) => { if ((e.target as HTMLElement).tagName !== "INPUT") selectDate(r.date); }}>
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
