// The sanity checks on the Check screen: a strip of the staged dates coloured by their worst
// finding, the findings (fails first), and the drill-down of the finding opened.
import type { Drill, Finding } from "../../api";
import { foundText, measured, monthLabel, strip, stripMonths } from "../../findings";
import { count } from "../../format";
import { F32Cell } from "../../ui";
import { charts, checkingAll, day, detail, drill, findings, openFinding, opened, selectDate } from "./state";
import { SvgHost } from "./figure";

/** The strip of the staged dates and the list of findings, each opening its drill-down. */
export function FindingsCard() {
  const list = findings.value;
  const partial = checkingAll.value;
  // While the full checks run, the charts may still be those of the staged data before.
  const dates = (!partial && charts.value?.dates) || [...new Set(detail.value.map((r) => r.date))].sort();
  const days = strip(dates, list);
  const selected = day.value;
  const fails = list.filter((f) => f.severity === "fail").length;
  const found = foundText(list);
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
