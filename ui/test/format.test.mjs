// Unit tests of the UI's formatting (node --test); the TypeScript is bundled first by esbuild.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";

const { outputFiles } = await build({ entryPoints: ["src/format.ts"], bundle: true, format: "esm", write: false });
const format = await import("data:text/javascript;base64," + Buffer.from(outputFiles[0].text).toString("base64"));

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

const risk = await import(
  "data:text/javascript;base64," +
    Buffer.from((await build({ entryPoints: ["src/risk.ts"], bundle: true, format: "esm", write: false })).outputFiles[0].text).toString("base64")
);

test("the risk form guesses roles, refuses a role twice and writes the seed's settings", () => {
  assert.equal(risk.guessRole("style"), "style");
  assert.equal(risk.guessRole("GICS_Sector"), "industry");
  assert.equal(risk.guessRole("country"), "region");
  assert.equal(risk.guessRole("misc"), "ignore");
  assert.deepEqual(risk.roleProblems({ a: "style", b: "style" }), ["Only one group can be style; chosen: a, b."]);
  assert.deepEqual(risk.roleProblems({ a: "ignore" }), ["Map at least one factor group to a role."]);
  const settings = risk.buildSettings({
    name: "R", reference: "Demo-Global", source: "My-Exposures", roles: { market: "market", style: "style", misc: "ignore" },
    fill: true, huberize: false, trimAssets: "ccy_union", trimStart: "date", startDate: "2025-05-01", trimEnd: "latest_end", endDate: "", replace: false,
  });
  assert.deepEqual(settings, {
    reference_dataset: "Demo-Global",
    exposures: [{ exposure_type: "uploaded", exposure_source: "My-Exposures", style_factor_fill_miss: true, style_factor_huberize: false, market_factor_group: "market", style_factor_group: "style" }],
    trim_assets: "ccy_union", trim_start_date: "2025-05-01", trim_end_date: "latest_end",
  });
});
