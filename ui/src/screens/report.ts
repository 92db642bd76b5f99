// The creation report of a risk dataset, shown after Create and on the Dataset screen.
import { type CreationReport } from "../api";
import { h } from "../dom";
import { int } from "../format";

/** What a creation did: rows, dates, the coverage universe, unmatched ids, and per style the values clipped and filled. */
export function creationReport(report: CreationReport): (HTMLElement | null)[] {
  const styles = [...new Set([...Object.keys(report.clipped), ...Object.keys(report.filled)])];
  return [
    h("p", {}, `${int(report.rows)} rows: ${int(report.assets)} assets over ${report.dates} dates (${report.first_date} – ${report.last_date}); coverage universe ${int(report.coverage_assets)} assets on ${report.exchanges.length} exchanges.`),
    report.unmatched_ids > 0 ? h("p", {}, `${int(report.unmatched_ids)} uploaded ids match no reference asset, e.g. ${report.unmatched_sample.join(", ")}`) : null,
    report.outside_universe_assets > 0 ? h("p", {}, `${int(report.outside_universe_assets)} uploaded assets fall outside the universe and were left out.`) : null,
    styles.length === 0 ? null :
      h("table", { class: "compact" }, h("thead", {}, h("tr", {}, h("th", {}, "Style"), h("th", { class: "num" }, "Clipped"), h("th", { class: "num" }, "Filled"))),
        h("tbody", {}, ...styles.map((k) => h("tr", {}, h("td", {}, k), h("td", { class: "num" }, int(report.clipped[k] ?? 0)), h("td", { class: "num" }, int(report.filled[k] ?? 0)))))),
  ];
}
