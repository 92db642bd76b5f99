// Unit tests of the Portfolio risk screen's logic (node --test): the axes and scales of the charts
// the UI draws, what a portfolio file holds, the request for the choices and what stops it, and
// the drill-down's rows and shares. The TypeScript is bundled by esbuild.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";

/** Bundles one TypeScript module and imports it. */
async function load(entry) {
  const { outputFiles } = await build({ entryPoints: [entry], bundle: true, format: "esm", write: false });
  return import("data:text/javascript;base64," + Buffer.from(outputFiles[0].text).toString("base64"));
}

const plot = await load("src/plot.ts");
const pf = await load("src/portfolio.ts");

test("axes have round steps, include zero for bars and cover the values", () => {
  assert.equal(plot.niceStep(0.153, 4), 0.05);
  assert.equal(plot.niceStep(1, 4), 0.25);
  assert.equal(plot.niceStep(7, 5), 2);
  const a = plot.niceAxis(-0.003, 0.153, 4, true);
  assert.deepEqual(a.ticks, [-0.05, 0, 0.05, 0.1, 0.15, 0.2]);
  assert.equal(a.lo, -0.05);
  assert.equal(a.hi, 0.2);
  // Zero included, no float noise in the ticks.
  assert.deepEqual(plot.niceAxis(0.1, 0.3, 2, true).ticks, [0, 0.2, 0.4]);
  assert.deepEqual(plot.niceAxis(0.1, 0.3, 4).ticks, [0.1, 0.15, 0.2, 0.25, 0.3]);
  // A flat series still gets an axis around it; all-negative bars end at zero.
  const flat = plot.niceAxis(0.02, 0.02, 4, true);
  assert.ok(flat.lo === 0 && flat.hi >= 0.02, JSON.stringify(flat));
  assert.deepEqual(plot.niceAxis(0, 0, 4, true).ticks, [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(plot.niceAxis(-0.4, -0.1, 4, true).hi, 0);
  assert.deepEqual(plot.niceAxis(Number.NaN, Number.NaN).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

test("tick labels write their step exactly: percentages and plain numbers", () => {
  assert.equal(plot.percentTick(0.15, 0.05), "15%");
  assert.equal(plot.percentTick(0.025, 0.025), "2.5%");
  assert.equal(plot.percentTick(0.00025, 0.00025), "0.025%");
  assert.equal(plot.percentTick(-0.0005, 0.0005), "-0.05%");
  assert.equal(plot.percentTick(-0, 0.05), "0%");
  assert.equal(plot.numberTick(0.25, 0.05), "0.25");
  assert.equal(plot.numberTick(-0.1, 0.1), "-0.1");
  assert.equal(plot.numberTick(2, 1), "2");
  assert.equal(plot.numberTick(-0.0000001, 0.1), "0.0");
});

test("a calendar axis ticks days over a short span, months or quarters over longer ones", () => {
  const d = plot.dayNumber;
  assert.equal(plot.dayDate(d("2025-05-02")), "2025-05-02");
  assert.equal(d("2025-05-03") - d("2025-05-02"), 1);
  assert.deepEqual(plot.dateTicks(d("2025-05-01"), d("2025-05-03"), 8).map((t) => t.label), ["2025-05-01", "2025-05-02", "2025-05-03"]);
  const week = plot.dateTicks(d("2025-05-01"), d("2025-05-31"), 5).map((t) => t.label);
  assert.deepEqual(week, ["2025-05-01", "2025-05-08", "2025-05-15", "2025-05-22", "2025-05-29"]);
  const year = plot.dateTicks(d("2025-05-02"), d("2026-01-07"), 10).map((t) => t.label);
  assert.deepEqual(year, ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01"]);
  assert.deepEqual(plot.dateTicks(d("2025-05-02"), d("2026-01-07"), 4).map((t) => t.label), ["2025-07", "2025-09", "2025-11", "2026-01"]);
  assert.deepEqual(plot.dateTicks(d("2025-05-02"), d("2026-01-07"), 3).map((t) => t.label), ["2025-07", "2025-10", "2026-01"]);
  const years = plot.dateTicks(d("2020-03-02"), d("2025-01-07"), 6).map((t) => t.label);
  assert.deepEqual(years, ["2021", "2022", "2023", "2024", "2025"]);
  // A month start is its own first tick.
  assert.equal(plot.dateTicks(d("2025-06-01"), d("2025-12-31"), 8)[0].label, "2025-06");
});

test("the date nearest the pointer, and lines broken where a value is missing", () => {
  assert.equal(plot.nearest([10, 20, 30], 24), 1);
  assert.equal(plot.nearest([10, 20, 30], 26), 2);
  assert.equal(plot.nearest([10, 20, 30], -5), 0);
  assert.equal(plot.nearest([10, 20, 30], 99), 2);
  assert.equal(plot.nearest([], 3), -1);
  assert.equal(plot.linePath([0, 1, 2, 3], [5, null, 7, 8]), "M0.0,5.0M2.0,7.0L3.0,8.0");
  assert.equal(plot.scale(5, 0, 10, 100, 200), 150);
  assert.equal(plot.scale(5, 5, 5, 100, 200), 150);
});

const holding = (portfolio, date, id, weight) => ({ portfolio, date, id, weight });
const file = {
  source: "books.csv",
  id_type: "ticker",
  holdings: [
    holding("Value", "2025-05-02", "A", 0.5), holding("Value", "2025-05-02", "B", 0.5),
    holding("Value", "2025-06-02", "A", 0.6), holding("Value", "2025-06-02", "B", 0.3), holding("Value", "2025-06-02", "C", 0.1),
    holding("Growth", null, "D", 1.0),
  ],
};

test("a file's portfolios: holdings, dates, the latest date's assets and weight, sorted by name", () => {
  const names = pf.portfolioNames(file);
  assert.deepEqual(names.map((n) => n.name), ["Growth", "Value"]);
  const v = names[1];
  assert.equal(v.holdings, 5);
  assert.equal(v.dates, 2);
  assert.equal(v.first, "2025-05-02");
  assert.equal(v.last, "2025-06-02");
  assert.equal(v.assets, 3);
  assert.ok(Math.abs(v.weight - 1) < 1e-12);
  assert.deepEqual({ ...names[0] }, { name: "Growth", holdings: 1, dates: 0, first: null, last: null, weight: 1, assets: 1 });
  // A file of several portfolios starts on the first; a file of one names none.
  assert.equal(pf.fileSide("/x/books.csv", file).name, "Growth");
  const one = { ...file, holdings: file.holdings.filter((h) => h.portfolio === "Growth").map((h) => ({ ...h, portfolio: "" })) };
  assert.equal(pf.fileSide("/x/one.csv", one).name, null);
});

test("the request for the choices: the model, each side, one date or a range", () => {
  const side = pf.fileSide("/data/books.csv", file);
  const dates = { mode: "date", date: "", start: "2025-05-02", end: "2025-06-02" };
  assert.equal(pf.riskRequest("", side, { kind: "none" }, dates), null);
  assert.equal(pf.riskRequest("M", { kind: "none" }, { kind: "none" }, dates), null);
  assert.deepEqual(pf.riskRequest("M", side, { kind: "saved", saved: "Bench", name: null }, dates), {
    model: "M", portfolio: { source: { holdings: file }, name: "Growth" }, benchmark: { source: { saved: "Bench" }, name: null }, start: null, end: null,
  });
  const one = pf.riskRequest("M", side, { kind: "none" }, { ...dates, date: "2025-05-20" });
  assert.equal(one.start, "2025-05-20");
  assert.equal(one.end, "2025-05-20");
  const range = pf.riskRequest("M", side, { kind: "none" }, { ...dates, mode: "range" });
  assert.deepEqual([range.start, range.end, range.benchmark], ["2025-05-02", "2025-06-02", null]);
});

test("dates outside the model or in the wrong order are refused before asking", () => {
  const d = (x) => ({ mode: "date", date: "", start: "", end: "", ...x });
  assert.equal(pf.datesProblem(d({}), "2025-05-02", "2026-01-07"), null);
  assert.equal(pf.datesProblem(d({ date: "2027-01-01" }), "2025-05-02", "2026-01-07"), "The date 2027-01-01 is outside the model's dates (2025-05-02 to 2026-01-07).");
  assert.equal(pf.datesProblem(d({ mode: "range", start: "2025-06-01", end: "2025-05-01" }), "2025-05-02", "2026-01-07"), "The start 2025-06-01 is after the end 2025-05-01.");
  assert.match(pf.datesProblem(d({ mode: "range", start: "2025-01-01", end: "2025-06-01" }), "2025-05-02", "2026-01-07"), /The start 2025-01-01 is outside/);
  assert.equal(pf.datesProblem(d({ mode: "range", start: "2025-06-01", end: "" }), "2025-05-02", "2026-01-07"), null);
});

const contribution = (factor, group, exposure, volatility, correlation) => ({ factor, group, exposure, volatility, correlation, contribution: exposure * volatility * correlation });
const report = {
  date: "2026-01-07",
  total_risk: 0.14, factor_risk: 0.13, specific_risk: Math.sqrt(0.14 ** 2 - 0.13 ** 2), specific_contribution: 0.14 - 0.13 ** 2 / 0.14,
  contributions: [
    contribution("market.market.Market", "market", 1, 0.13, 0.9),
    contribution("style.style.Momentum", "style", -0.2, 0.06, 0.1),
    contribution("style.style.Growth", "style", 0.3, 0.05, 0.4),
  ],
  groups: [
    { factor: "market", group: "market", exposure: 1, volatility: 0.13, correlation: 0.9, contribution: 0.117 },
    { factor: "style", group: "style", exposure: 1, volatility: 0.03, correlation: 0.2, contribution: 0.006 },
  ],
  assets: [{ id: "AAA", weight: 0.5, contribution: 0.09 }, { id: "BBB", weight: 0.4, contribution: -0.01 }, { id: "abc", weight: 0.1, contribution: 0.05 }],
  unmatched: [{ id: "X", weight: 0.001, benchmark: false }, { id: "Y", weight: 0.004, benchmark: false }, { id: "Z", weight: 0.002, benchmark: true }],
  benchmark: { portfolio_risk: 0.15, benchmark_risk: 0.12, portfolio_exposures: [1, -0.1, 0.5], benchmark_exposures: [1, 0.1, 0.2] },
};

test("the drill-down: groups then the specific part, a group's factors by size, assets by size", () => {
  const groups = pf.groupRows(report);
  assert.deepEqual(groups.map((r) => r.label), ["Market", "Style", "Specific"]);
  assert.deepEqual(groups[0].drill, { kind: "group", group: "market" });
  assert.deepEqual(groups[2].drill, { kind: "assets" });
  assert.ok(Math.abs(groups[0].share - 0.117 / 0.14) < 1e-12);
  assert.ok(Math.abs(groups[2].correlation - report.specific_contribution / report.specific_risk) < 1e-12);
  const styles = pf.factorRows(report, "style");
  assert.deepEqual(styles.map((r) => r.label), ["Growth", "Momentum"]);
  assert.equal(styles[0].portfolioExposure, 0.5);
  assert.equal(styles[0].benchmarkExposure, 0.2);
  assert.equal(styles[1].portfolioExposure, -0.1);
  const { rows, matching } = pf.assetRows(report, "", 2);
  assert.deepEqual(rows.map((r) => r.label), ["AAA", "abc"]);
  assert.equal(matching, 3);
  assert.deepEqual(pf.assetRows(report, "A", 10).rows.map((r) => r.label), ["AAA", "abc"]);
  assert.deepEqual(pf.exposureRows(report, "style").map((r) => [r.label, r.exposure, r.portfolio, r.benchmark]), [["Momentum", -0.2, -0.1, 0.1], ["Growth", 0.3, 0.5, 0.2]]);
});

test("the holdings left out, largest first, with each side's count and weight", () => {
  const u = pf.unmatchedSummary(report);
  assert.deepEqual(u.rows.map((r) => r.id), ["Y", "Z", "X"]);
  assert.equal(u.portfolio.count, 2);
  assert.ok(Math.abs(u.portfolio.weight - 0.005) < 1e-15);
  assert.deepEqual(u.benchmark, { count: 1, weight: 0.002 });
  const v = pf.varianceShares(report);
  assert.ok(Math.abs(v.factor + v.specific - 1) < 1e-12);
});

test("percentages, names, the several portfolios of a saved one, and what Save as… saves", () => {
  assert.equal(pf.pct(0.13904), "13.90%");
  assert.equal(pf.pct(-0.00001), "0.00%");
  assert.equal(pf.pct(0.5, 1), "50.0%");
  assert.equal(pf.pct(null), "–");
  assert.equal(pf.pct(Number.NaN), "–");
  assert.equal(pf.shortFactor("industry.industry.Institutions, Associations & Organizations"), "Institutions, Associations & Organizations");
  assert.equal(pf.shortFactor("Market"), "Market");
  assert.equal(pf.groupTitle("industry"), "Industry");
  assert.equal(pf.fileName("/tmp/x/books.csv"), "books.csv");
  assert.equal(pf.fileName("C:\\data\\books.parquet"), "books.parquet");
  assert.equal(pf.firstOfSeveral(["Growth", "Value"]), "Growth");
  assert.equal(pf.firstOfSeveral([""]), null);
  assert.equal(pf.firstOfSeveral([]), null);
  const side = pf.fileSide("/data/books.csv", file);
  assert.equal(pf.saveName(side), "Growth");
  assert.equal(pf.saveName({ ...side, name: null }), "books");
  assert.deepEqual(pf.savedHoldings(side).holdings.map((h) => h.id), ["D"]);
  assert.equal(pf.savedHoldings({ ...side, name: null }).holdings.length, 6);
  assert.equal(pf.savedHoldings({ kind: "none" }), null);
  assert.equal(pf.sideLabel(side), "Growth (books.csv)");
  assert.equal(pf.sideLabel({ kind: "saved", saved: "Core", name: null }), "Core");
});
