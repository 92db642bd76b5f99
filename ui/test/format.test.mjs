// Unit tests of the UI's formatting (node --test); the TypeScript is bundled first by esbuild.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";

/** Bundles one TypeScript module and imports it. */
async function load(entry) {
  const { outputFiles } = await build({ entryPoints: [entry], bundle: true, format: "esm", write: false });
  return import("data:text/javascript;base64," + Buffer.from(outputFiles[0].text).toString("base64"));
}

const format = await load("src/format.ts");

test("f32 prints the shortest decimal of the same Float32, like the CLI", () => {
  assert.equal(format.f32(0.24409997), "0.24409997"); // 0.2441 would be another Float32
  assert.equal(format.f32(-4.1015625), "-4.1015625");
  assert.equal(format.f32(1.0084339), "1.0084339");
  assert.equal(format.f32(1), "1");
  assert.equal(format.f32(null), "–");
});

test("integers, bytes and diagnostics", () => {
  assert.equal(format.int(35800), "35,800");
  assert.equal(format.bytes(527_900_000), "527.9 MB");
  assert.equal(format.bytes(12), "12 B");
  const d = { file: "x.csv", line: 3, column: 6, column_name: "exposure", value: "abc", message: "the exposure is not a number" };
  assert.equal(format.diagnostic(d), "x.csv: line 3, column 6 (exposure): the exposure is not a number: 'abc'");
});

test("rows sort by numbers numerically and text alphabetically, both ways", () => {
  const rows = [{ n: 10, s: "b" }, { n: 9, s: "a" }, { n: 100, s: "c" }];
  assert.deepEqual(format.sortRows(rows, "n", true).map((r) => r.n), [9, 10, 100]);
  assert.deepEqual(format.sortRows(rows, "s", false).map((r) => r.s), ["c", "b", "a"]);
});

const risk = await load("src/risk.ts");

test("the risk form guesses roles, refuses a role twice and writes the seed's settings", () => {
  assert.equal(risk.guessRole("style"), "style");
  assert.equal(risk.guessRole("GICS_Sector"), "industry");
  assert.equal(risk.guessRole("country"), "region");
  assert.equal(risk.guessRole("misc"), "ignore");
  assert.deepEqual(risk.roleProblems({ a: "style", b: "style" }), ["Only one group can be style; chosen: a, b."]);
  assert.deepEqual(risk.roleProblems({ a: "ignore" }), ["Map at least one factor group to a role."]);
  const settings = risk.buildSettings({
    name: "R", reference: "Demo-Global", source: "My-Exposures", roles: { market: "market", style: "style", misc: "ignore" },
    fill: true, huberize: false, trimAssets: "ccy_union", trimStart: "date", startDate: "2025-05-01", trimEnd: "latest_end", endDate: "", replace: false, exchanges: [],
  });
  assert.deepEqual(settings, {
    reference_dataset: "Demo-Global",
    exposures: [{ exposure_type: "uploaded", exposure_source: "My-Exposures", style_factor_fill_miss: true, style_factor_huberize: false, market_factor_group: "market", style_factor_group: "style" }],
    trim_assets: "ccy_union", trim_start_date: "2025-05-01", trim_end_date: "latest_end",
  });
});

test("chosen exchanges become exchange_codes, sorted; none chosen keeps all", () => {
  const base = { name: "R", reference: "D", source: "S", roles: { style: "style" }, fill: true, huberize: true, trimAssets: "none", trimStart: "none", startDate: "", trimEnd: "none", endDate: "", replace: false };
  assert.deepEqual(risk.buildSettings({ ...base, exchanges: ["XNYS", "XLON"] }).exchange_codes, ["XLON", "XNYS"]);
  assert.equal("exchange_codes" in risk.buildSettings({ ...base, exchanges: [] }), false);
});

const charts = await load("src/charts.ts");

test("the pointer maps to the day slot or bin under it, and nothing outside the plot", () => {
  const plot = { left: 60, right: 460, top: 8, bottom: 170 };
  // 4 days: slots of 100 px each.
  assert.equal(charts.slotAt(plot, 4, 60), 0);
  assert.equal(charts.slotAt(plot, 4, 159.9), 0);
  assert.equal(charts.slotAt(plot, 4, 160), 1);
  assert.equal(charts.slotAt(plot, 4, 460), 3);
  assert.equal(charts.slotAt(plot, 4, 59), null);
  assert.equal(charts.slotAt(plot, 4, 461), null);
  assert.equal(charts.slotAt(plot, 0, 100), null);
  // An SVG 500 wide drawn 250 wide at x = 20: the pointer at 120 is SVG x 200.
  assert.equal(charts.svgX(120, 20, 250, 500), 200);
  assert.equal(charts.slotCentre(plot, 4, 0, 500), 110 / 500);
  // Heatmap rows: 2 factors over 8..170.
  assert.equal(charts.rowAt(plot, 2, 8), 0);
  assert.equal(charts.rowAt(plot, 2, 89), 1);
  assert.equal(charts.rowAt(plot, 2, 171), null);
});

test("charts are drawn half the content wide, within bounds", () => {
  assert.equal(charts.chartWidth(1060), 465);
  assert.equal(charts.chartWidth(500), 360);
  assert.equal(charts.chartWidth(5000), 887);
});

test("picking a day without data lands on the next day with data in the direction of travel", () => {
  const days = ["2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-05-05"];
  const dates = ["2025-05-01", "2025-05-02", "2025-05-05"];
  assert.equal(charts.dayWithData(days, dates, 1, 1), "2025-05-02");
  assert.equal(charts.dayWithData(days, dates, 1, 2), "2025-05-05"); // → over the weekend
  assert.equal(charts.dayWithData(days, dates, 4, 3), "2025-05-02"); // ← back over it
  assert.equal(charts.dayWithData(days, dates, 4, 9), "2025-05-05"); // past the end: the last slot
  assert.equal(charts.dayWithData(days, ["2025-05-01"], 0, 2), null); // nothing that way
});

test("a heatmap cell reads as its day, its factor and its value", () => {
  const hm = (metric) => ({ metric, days: ["2025-05-01", "2025-05-02"], factors: ["Size", "Value"], values: [[0.125, null], [0, 1.5]] });
  assert.equal(charts.heatReadout(hm("missing"), 0, 0), "2025-05-01 · Size · 12.5% without a value");
  assert.equal(charts.heatReadout(hm("missing"), 0, 1), "2025-05-02 · Size · no data");
  assert.equal(charts.heatReadout(hm("standardization"), 1, 1), "2025-05-02 · Value · |mean| + |std − 1| = 1.500");
});
