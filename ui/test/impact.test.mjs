// Unit tests of the Check screen's Model impact rules (src/impact.ts): the figures' printing, the
// factor table's order, the summary and "No change", and which models read a dataset.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";

const { outputFiles } = await build({ entryPoints: ["src/impact.ts"], bundle: true, format: "esm", write: false });
const m = await import("data:text/javascript;base64," + Buffer.from(outputFiles[0].text).toString("base64"));

/** A factor of a date: return and t-stat now and after. */
const f = (factor, fb, fa, tb, ta) => ({ factor, fret_before: fb, fret_after: fa, t_before: tb, t_after: ta });
/** A date of an impact. */
const d = (date, factors, extra = {}) => ({
  date, exposures_date: `${date.slice(0, 8)}0${Number(date.slice(9)) - 1}`, r2_before: 0.4, r2_after: 0.4, assets_before: 100, assets_after: 100,
  factors, drivers: [], ...extra,
});
const impact = (dates, portfolios = [], notes = []) => ({ dataset: "D", model: "M", dates, portfolios, notes });

test("figures print the exact value rounded to the decimals shown, with thousands separators and no negative zero", () => {
  assert.equal(m.decimal(-0.008553 * m.BP, 2), "-85.53");
  assert.equal(m.decimal(1234567.891, 1), "1,234,567.9");
  assert.equal(m.decimal(-0.0001, 2), "0.00");
  assert.equal(m.decimal(-1234.5, 0), "-1,235"); // toFixed rounds half away from zero
  // The exact binary value decides, not its shortest decimal: 1.005 is 1.00499999999999989…
  assert.equal(m.decimal(1.005, 2), "1.00");
  assert.equal(m.value(null, 2), "–");
  assert.equal(m.value(0.12212462500943687, 4, 100), "12.2125");
});

test("a change has its sign; one rounding to zero keeps it; the same value to the last bit is 'No change'", () => {
  assert.equal(m.signed(3.42, 2), "+3.42");
  assert.equal(m.signed(-0.00001, 2), "-0.00");
  assert.equal(m.signed(0.00001, 2), "+0.00");
  assert.equal(m.change(-0.008553, -0.008210, 2, m.BP), "+3.43"); // (after − before) × 10⁴ = 3.43000…
  assert.equal(m.change(0.1, 0.1, 2), m.NO_CHANGE);
  assert.equal(m.change(null, null, 2), m.NO_CHANGE);
  assert.equal(m.change(null, 0.1, 2), "–");
  assert.equal(m.change(0, -0, 2), "+0.00"); // the bits differ: said as a change, not as none
  assert.equal(m.change(0.3, 0.1 + 0.2, 6), "+0.000000"); // 0.30000000000000004: a change too small to show
});

test("the factor rows come largest change first; a return appearing or going ranks first; ties by date then the model's order", () => {
  const m1 = impact([
    d("2025-05-02", [f("a", 0.01, 0.0101, 1, 1.1), f("b", 0.02, 0.0195, 2, 2), f("c", 0.03, 0.03, 3, 3), f("e", null, 0.01, null, 1)]),
    d("2025-05-03", [f("a", 0.01, 0.0105, 1, 1), f("b", 0.02, 0.0199, 2, 2.5), f("c", 0.03, 0.03, 3, 3), f("e", 0.01, 0.01, 1, 1)]),
  ]);
  const rows = m.factorRows(m1);
  assert.equal(rows.length, 8);
  const key = (r) => `${r.date.slice(8)}${r.factor}`;
  assert.deepEqual(m.sortFactorRows(rows, m.firstSort("return")).map(key), ["02e", "02b", "03a", "02a", "03b", "02c", "03c", "03e"]);
  assert.deepEqual(m.sortFactorRows(rows, m.firstSort("t")).map(key), ["02e", "03b", "02a", "02b", "02c", "03a", "03c", "03e"]);
  assert.deepEqual(m.sortFactorRows(rows, { key: "return", desc: false }).map(key).slice(0, 3), ["02c", "03c", "03e"]);
  assert.deepEqual(m.sortFactorRows(rows, m.firstSort("factor")).map(key).slice(0, 4), ["02a", "03a", "02b", "03b"]);
  assert.deepEqual(rows.filter((r) => r.changed).map(key), ["02a", "02b", "02e", "03a", "03b"]);
  // Clicking a header: changes start largest first, names A→Z; the same header turns the order.
  assert.deepEqual(m.nextSort({ key: "return", desc: true }, "return"), { key: "return", desc: false });
  assert.deepEqual(m.nextSort({ key: "return", desc: true }, "factor"), { key: "factor", desc: false });
  assert.deepEqual(m.nextSort({ key: "factor", desc: false }, "t"), { key: "t", desc: true });
});

test("the summary finds the largest change, the R² and universe that moved, and says 'No change' only when nothing did", () => {
  const moved = impact([
    d("2025-05-02", [f("a", 0.01, 0.0102, 1, 1)], { r2_after: 0.39 }),
    d("2025-05-03", [f("a", 0.01, 0.0105, 1, 1)], { assets_after: 102 }),
  ], [{ portfolio: "P", date: "2025-05-03", before: 0.12, after: 0.12 }]);
  const s = m.summarize(moved);
  assert.equal(s.dates, 2);
  assert.equal(s.largest.date, "2025-05-03");
  assert.equal(s.r2.date, "2025-05-02");
  assert.equal(s.universe.date, "2025-05-03");
  assert.equal(s.portfoliosChanged, 0);
  assert.equal(s.none, false);
  assert.equal(m.firstDate(moved), "2025-05-03");
  const rows = m.dateRows(moved);
  assert.deepEqual(rows.map((r) => [r.changed, r.any]), [[1, true], [1, true]]);

  const same = impact([d("2025-05-02", [f("a", 0.01, 0.01, 1, 1), f("b", null, null, null, null)])], [{ portfolio: "P", date: "2025-05-02", before: 0.1, after: 0.1 }]);
  const t = m.summarize(same);
  assert.equal(t.none, true);
  assert.equal(t.largest, null);
  assert.equal(t.r2, null);
  assert.equal(t.universe, null);
  // A portfolio's risk moving is a change even when the regressions are the same.
  assert.equal(m.summarize(impact(same.dates, [{ portfolio: "P", date: "2025-05-02", before: 0.1, after: 0.1000001 }])).none, false);
  // No date re-estimated is not "No change": nothing was weighed.
  assert.equal(m.summarize(impact([], [], ["2025-06-01 is not a date of risk dataset 'R' yet"])).none, false);
});

test("saved portfolios come largest change in risk first", () => {
  const rows = m.portfolioRows(impact([], [
    { portfolio: "B", date: "x", before: 0.1, after: 0.1 },
    { portfolio: "A", date: "x", before: 0.1, after: 0.1 },
    { portfolio: "C", date: "x", before: 0.1, after: 0.099 },
  ]));
  assert.deepEqual(rows.map((r) => [r.portfolio, r.changed]), [["C", true], ["A", false], ["B", false]]);
});

test("the models offered are those whose risk dataset is built on the dataset", () => {
  const model = (name, risk, status = "ready") => ({ name, status, settings: { risk_dataset: risk } });
  const models = [model("Z", "R1"), model("A", "R1", "stale"), model("B", "R2"), model("C", "Gone")];
  assert.deepEqual(m.riskDatasetsOf(models), ["Gone", "R1", "R2"]);
  const sources = new Map([["R1", ["X", "D"]], ["R2", ["X"]], ["Gone", null]]);
  assert.deepEqual(m.modelsReading("D", models, sources), [
    { name: "A", riskDataset: "R1", stale: true },
    { name: "Z", riskDataset: "R1", stale: false },
  ]);
  assert.deepEqual(m.modelsReading("Y", models, sources), []);
});

test("factor labels split into role and group and the factor's own name", () => {
  assert.deepEqual(m.splitLabel("region.region.Kazakhstan"), ["region.region.", "Kazakhstan"]);
  assert.deepEqual(m.splitLabel("industry.industry.Institutions, Associations & Organizations"), ["industry.industry.", "Institutions, Associations & Organizations"]);
  assert.deepEqual(m.splitLabel("industry.industry: Financials → Technology"), ["industry.industry: ", "Financials → Technology"]);
  assert.deepEqual(m.splitLabel("Market"), ["", "Market"]);
});

test("a change's bar is its share of the largest finite change shown", () => {
  assert.equal(m.largestFinite([1, Infinity, 3, 0]), 3);
  assert.equal(m.barShare(1.5, 3), 0.5);
  assert.equal(m.barShare(Infinity, 3), 1);
  assert.equal(m.barShare(0, 3), 0);
  assert.equal(m.barShare(2, 0), 1);
});

test("every date is said plainly", () => {
  assert.equal(m.everyDate(2), "both dates");
  assert.equal(m.everyDate(1250), "all 1,250 dates");
});
