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
