// The per-day charts of the staged data (assets, range, std) with a read-out and day picking,
// and the histogram of the selected day with its factor group and factor pickers.
import type { DetailRow } from "../../api";
import { dayWithData } from "../../charts";
import { count, f32, int } from "../../format";
import { Select } from "../../ui";
import { charts, day, detail, histFactor, histGroup, histogram, loadHistogram, selectDate } from "./state";
import { ChartFigure } from "./figure";

/** The day charts, then the selected day's histogram. */
export function DayCharts() {
  const c = charts.value;
  if (!c || c.charts.length === 0) return null;
  const rows = detail.value;
  // Slots are calendar days (the axis is proportional to time); days without data are gaps.
  const selected = day.value === null ? null : c.days.indexOf(day.value);
  const rowsOn = (i: number) => rows.filter((r) => r.date === c.days[i]);
  const each = (i: number, f: (r: DetailRow) => string) =>
    `${c.days[i]} · ` + (rowsOn(i).map((r) => (c.series.length > 1 ? `${(r._name ?? "")}: ` : "") + f(r)).join(" · ") || "no data");
  // A gap picks the next day with data in the direction of travel (for ←/→ and clicks alike).
  const pickSlot = (i: number) => {
    const date = dayWithData(c.days, c.dates, selected ?? 0, i);
    if (date !== null) selectDate(date);
  };
  const text: Record<string, (i: number) => string> = {
    assets: (i) => each(i, (r) => `${int(r.n_assets)} assets`),
    range: (i) => each(i, (r) => `${f32(r.min_exposure)} … ${f32(r.max_exposure)} · mean ${f32(r.mean_exposure)} · median ${f32(r.median_exposure)}`),
    std: (i) => each(i, (r) => `std ${f32(r.std_exposure)}`),
  };
  const hint = "Point at a day for its values; click to pick it";
  return (
    <section class="charts" id="charts">
      {c.charts.map((ch) => (
        <ChartFigure key={ch.id} chart={ch} slots={c.days.length} describe={text[ch.id] ?? ((i) => c.days[i])} hint={hint}
          selected={selected !== null && selected >= 0 ? selected : null} pick={pickSlot} />
      ))}
      <Histogram />
    </section>
  );
}

/** The selected day's histogram of a factor group (or one factor of it), with the pickers. */
function Histogram() {
  const hg = histogram.value;
  if (!hg) {
    return (
      <figure class="chart empty" id="chart-histogram">
        <figcaption>Histogram of the selected day</figcaption>
        <p class="muted">Loading…</p>
      </figure>
    );
  }
  const bins = hg.histogram.bins;
  const categorical = hg.categories.length > 0;
  const picker = (
    <span class="pickers">
      {hg.groups.length > 1
        ? <Select id="histgroup" label="Factor group" value={hg.group} options={hg.groups.map((g) => ({ value: g }))}
            onChange={(g) => { histGroup.value = g; histFactor.value = null; void loadHistogram(); }} />
        : null}
      {!categorical && hg.factors.length > 1
        ? <Select id="histfactor" label="Factor" value={hg.factor ?? ""}
            options={[{ value: "", label: "all factors" }, ...hg.factors.map((f) => ({ value: f }))]}
            onChange={(f) => { histFactor.value = f || null; void loadHistogram(); }} />
        : null}
    </span>
  );
  const summaryText = categorical
    ? `${int(hg.histogram.values)} members in ${count(hg.categories.length, "factor")}; point at a bar for its name`
    : `${int(hg.histogram.values)} values${hg.histogram.missing > 0 ? `, ${int(hg.histogram.missing)} missing` : ""}`;
  const describe = categorical
    ? (i: number) => `${hg.categories[i]}: ${count(bins[i].count, "asset")}`
    : (i: number) => `[${f32(bins[i].lo)}, ${f32(bins[i].hi)}${i === bins.length - 1 ? "]" : ")"}: ${int(bins[i].count)} values`;
  return <ChartFigure id="chart-histogram" chart={hg.histogram.chart} slots={bins.length} hint={summaryText} selected={null} extra={picker} describe={describe} />;
}
