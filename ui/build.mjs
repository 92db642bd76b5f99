// Bundles the UI into dist/: one JavaScript file (Preact and the signals included, from
// node_modules as the lockfile pins them), the page and its stylesheet. No network at run time.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/main.tsx"],
  bundle: true,
  format: "esm",
  target: "es2022",
  outfile: "dist/app.js",
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: false,
  sourcemap: false,
  logLevel: "warning",
});
copyFileSync("index.html", "dist/index.html");
copyFileSync("style.css", "dist/style.css");
