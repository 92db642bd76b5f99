// The creation report of a risk dataset, shown after Create or Update and on the Dataset screen.
import type { CreationReport } from "../api";
import { count, int } from "../format";

/** What a creation did: rows, dates, the coverage universe, unmatched ids, and per style the values clipped and filled. */
export function CreationReportView({ report }: { report: CreationReport }) {
  const styles = [...new Set([...Object.keys(report.clipped), ...Object.keys(report.filled)])];
  return (
    <div class="report">
      {report.warnings.length > 0
        ? <ul class="warnings" id="report-warnings">{report.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        : null}
      <p>{`${count(report.rows, "row")}: ${count(report.assets, "asset")} over ${count(report.dates, "date")} (${report.first_date ?? "–"} – ${report.last_date ?? "–"}); coverage universe ${count(report.coverage_assets, "asset")} on ${count(report.exchanges.length, "exchange")}.`}</p>
      {report.unmatched_ids > 0 ? <p>{`${int(report.unmatched_ids)} uploaded ids match no reference asset, e.g. ${report.unmatched_sample.join(", ")}`}</p> : null}
      {report.outside_universe_assets > 0 ? <p>{`${int(report.outside_universe_assets)} uploaded assets fall outside the universe and were left out.`}</p> : null}
      {report.rows_outside_dates > 0 ? <p>{`${int(report.rows_outside_dates)} uploaded rows fall outside the dates kept.`}</p> : null}
      <p class="muted">{`Built from ${report.sources.map((s) => `${s.dataset} version ${s.version}`).join(", ") || "–"} and reference ${report.reference_dataset}.`}</p>
      {styles.length === 0 ? null : (
        <table class="compact">
          <thead><tr><th>Style</th><th class="num">Clipped</th><th class="num">Filled</th></tr></thead>
          <tbody>
            {styles.map((k) => (
              <tr key={k}><td>{k}</td><td class="num">{int(report.clipped[k] ?? 0)}</td><td class="num">{int(report.filled[k] ?? 0)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
