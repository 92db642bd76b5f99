// The module graph of the UI (from esbuild's metafile): no import cycles, `invoke` only in
// api.ts, and the pure modules free of Preact and of the Tauri API.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";

const { metafile } = await build({
  entryPoints: ["src/main.tsx"], bundle: true, format: "esm", write: false, metafile: true,
  jsx: "automatic", jsxImportSource: "preact", logLevel: "silent",
});
const ours = (p) => p.startsWith("src/");
/** Our module → the modules it imports (ours and packages). */
const graph = new Map(Object.entries(metafile.inputs).filter(([p]) => ours(p)).map(([p, v]) => [p, v.imports.map((i) => i.path)]));

test("no import cycles between the UI's modules", () => {
  const state = new Map(); // 1: on the stack, 2: done
  const cycles = [];
  const visit = (p, stack) => {
    state.set(p, 1);
    for (const q of (graph.get(p) ?? []).filter(ours)) {
      if (state.get(q) === 1) cycles.push([...stack.slice(stack.indexOf(q)), p, q].join(" → "));
      else if (!state.has(q)) visit(q, [...stack, p]);
    }
    state.set(p, 2);
  };
  for (const p of graph.keys()) if (!state.has(p)) visit(p, []);
  assert.deepEqual(cycles, []);
});

test("only api.ts reaches the Tauri core API (invoke)", () => {
  const callers = [...graph].filter(([, deps]) => deps.some((d) => d.includes("@tauri-apps/api/core") || d.includes("@tauri-apps/api/core.js"))).map(([p]) => p);
  assert.deepEqual(callers, ["src/api.ts"]);
});

test("pure modules import neither Preact nor the Tauri API", () => {
  const pure = ["src/format.ts", "src/charts.ts", "src/plot.ts", "src/portfolio.ts", "src/risk.ts", "src/staging.ts", "src/selection.ts", "src/errors.ts", "src/copy.ts", "src/grid.ts", "src/findings.ts", "src/commit.ts", "src/impact.ts", "src/recent.ts"];
  for (const p of pure) {
    const deps = graph.get(p) ?? [];
    assert.ok(graph.has(p), `${p} is part of the app`);
    assert.deepEqual(deps.filter((d) => !ours(d)), [], `${p} imports ${deps.join(", ")}`);
  }
});
