// Unit tests of the UI's pure logic (node --test): number formatting, staging outcomes, preview
// selections, error views, copied cells, risk form rules, the findings strip and the commit's
// questions. The TypeScript is bundled by esbuild.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";

/** Bundles one TypeScript module and imports it. */
async function load(entry) {
  const { outputFiles } = await build({ entryPoints: [entry], bundle: true, format: "esm", write: false });
  return import("data:text/javascript;base64," + Buffer.from(outputFiles[0].text).toString("base64"));
}

const format = await load("src/format.ts");

test("fixed: a fixed number of decimals with separators, no minus on a zero, a dash for no value", () => {
  assert.equal(format.fixed(0.2443218), "0.2443");
  assert.equal(format.fixed(0.24409544), "0.2441");
  assert.equal(format.fixed(-4.1015625), "-4.1016");
  assert.equal(format.fixed(1), "1.0000");
  assert.equal(format.fixed(35800.5), "35,800.5000");
  assert.equal(format.fixed(-0.00001), "0.0000");
  assert.equal(format.fixed(0.5, 2), "0.50");
  assert.equal(format.fixed(null), "–");
  assert.equal(format.fixed(Number.NaN), "–");
  // Same width for same magnitude: the column lines up.
  assert.equal(format.fixed(0.2443218).length, format.fixed(0.24409544).length);
});

test("fixedText formats the engine's numeric text and leaves other text alone", () => {
  assert.equal(format.fixedText("0.24409997"), "0.2441");
  assert.equal(format.fixedText("-1.5e-3"), "-0.0015");
  assert.equal(format.fixedText("1"), "1.0000");
  assert.equal(format.fixedText(""), "");
  assert.equal(format.fixedText("AAMD"), "AAMD");
  assert.equal(format.fixedText("2025-05-31"), "2025-05-31");
  assert.equal(format.fixedText("NaN"), "NaN");
});

test("durations, counts, short lists and timestamps", () => {
  assert.equal(format.duration(4180), "4.2 s");
  assert.equal(format.duration(40), "0.0 s");
  assert.equal(format.duration(65_000), "1 min 5 s");
  assert.equal(format.count(1, "file"), "1 file");
  assert.equal(format.count(1200, "file"), "1,200 files");
  assert.equal(format.count(2, "file differs", "files differ"), "2 files differ");
  assert.equal(format.listSome(["a", "b"], 3), "a, b");
  assert.equal(format.listSome(["a", "b", "c", "d"], 2), "a, b and 2 more");
  assert.equal(format.timestamp("2025-05-01T12:34:56.789Z"), "2025-05-01 12:34:56");
});

test("groupDigits puts separators into long counts of a message, not into dates, names, decimals or quoted values", () => {
  assert.equal(format.groupDigits("commit refused: 1108816 conflicting key(s) in dataset 'My-Exposures'"),
    "commit refused: 1,108,816 conflicting key(s) in dataset 'My-Exposures'");
  assert.equal(format.groupDigits("35800 assets."), "35,800 assets.");
  assert.equal(format.groupDigits("line 1204, column 6"), "line 1204, column 6");
  assert.equal(format.groupDigits("exposures_20250501.csv on 2025-05-01"), "exposures_20250501.csv on 2025-05-01");
  assert.equal(format.groupDigits("value 0.123456 and 123456.5"), "value 0.123456 and 123456.5");
  assert.equal(format.groupDigits("not a number: '1234567'"), "not a number: '1234567'");
  assert.equal(format.groupDigits("id AB12345 and 12345"), "id AB12345 and 12,345");
});

const staging = await load("src/staging.ts");
const result = (name, state, extra = {}) => ({ name, source: `/data/${name}.csv`, success: state === "staged" || state === "unchanged", state, parser: "long", rows: 1, dates: 1, assets: 1, messages: [], ...extra });

test("a staging run says how many were staged and skipped, and which files differ", () => {
  const results = [result("a", "staged"), result("b", "staged"), result("c", "unchanged"), result("d", "exists"), result("e", "failed")];
  const o = staging.outcome(results);
  assert.deepEqual(o.staged.map((r) => r.name), ["a", "b"]);
  assert.deepEqual(o.exists.map((r) => r.name), ["d"]);
  assert.equal(staging.summary(o), "2 staged, 1 unchanged (skipped), 1 differ from what is staged, 1 failed");
  assert.equal(staging.summary(staging.outcome([result("a", "staged")])), "1 staged");
  assert.equal(staging.replaceQuestion([result("d", "exists"), result("f", "exists")]), "2 files differ from what is staged under their names: replace them?");
  assert.equal(staging.replaceQuestion([result("d", "exists")]), "1 file differs from what is staged under its name: replace it?");
});

test("the replacing run's results take the place of the first run's, by name", () => {
  const merged = staging.merge([result("a", "staged"), result("d", "exists")], [result("d", "staged"), result("z", "staged")]);
  assert.deepEqual(merged.map((r) => `${r.name}:${r.state}`), ["a:staged", "d:staged", "z:staged"]);
});

test("twenty identical parse messages of a file are one line with a count", () => {
  const d = (line, value) => ({ file: "x.csv", line, column: 6, column_name: "exposure", value, message: "the exposure is not a number" });
  const messages = Array.from({ length: 20 }, (_, i) => d(i + 2, "n/a"));
  messages.push({ file: "x.csv", line: 9, column: 1, column_name: "date", value: "2025-05-05", message: "the date disagrees with the file name's date 2025-05-04" });
  const lines = staging.summarizeDiagnostics(messages);
  assert.equal(lines.length, 2);
  assert.equal(lines[0], "x.csv: line 2, column 6 (exposure): the exposure is not a number: 'n/a' (19 more like this: lines 3, 4, 5, 6, 7, …)");
  assert.equal(lines[1], "x.csv: line 9, column 1 (date): the date disagrees with the file name's date 2025-05-04: '2025-05-05'");
  assert.deepEqual(staging.summarizeDiagnostics([d(6, "abc")]), ["x.csv: line 6, column 6 (exposure): the exposure is not a number: 'abc'"]);
});

const selection = await load("src/selection.ts");

test("selections travel as lists, so a name with a comma stays one name", () => {
  const name = "industry.Institutions, Associations & Organizations";
  assert.deepEqual(selection.toSelection({ mode: "chosen", chosen: [name] }), { only: [name] });
  assert.equal(selection.toSelection({ mode: "chosen", chosen: [] }), "all");
  assert.equal(selection.toSelection({ mode: "none", chosen: [name] }), "none");
  assert.equal(selection.toSelection({ mode: "all", chosen: [] }), "all");
  const q = selection.previewQuery({
    dataset: "R", start: "2025-05-01", end: "", idType: "", standardize: true,
    industries: { mode: "chosen", chosen: [name] }, regions: { mode: "none", chosen: [] },
  });
  assert.deepEqual(q, { dataset: "R", start: "2025-05-01", end: null, id_type: null, industries: { only: [name] }, regions: "none", styles: "all", standardize: true });
});

test("ticking keeps the options' order and each item once; choices no longer offered are dropped", () => {
  const options = ["c", "a", "b"];
  assert.deepEqual(selection.toggle(["b"], "c", true, options), ["c", "b"]);
  assert.deepEqual(selection.toggle(["c", "b"], "c", true, options), ["c", "b"]);
  assert.deepEqual(selection.toggle(["c", "b"], "c", false, options), ["b"]);
  assert.deepEqual(selection.keepOffered(["a", "x"], options), ["a"]);
  assert.equal(selection.includeLabel({ mode: "chosen", chosen: ["a"] }, 3), "1 of 3, only their members are kept");
  assert.equal(selection.includeLabel({ mode: "none", chosen: [] }, 3), "none");
});

const errors = await load("src/errors.ts");

test("an error shows a few details, counts the rest, and Copy details copies every line", () => {
  const details = Array.from({ length: 50 }, (_, i) => `key ${i + 1}`);
  const e = { code: "conflict", message: "commit refused: 120000 conflicting key(s) in dataset 'D'; nothing was committed", details };
  const v = errors.errorView(e);
  assert.equal(v.title, "Error (conflict) · 50 detail lines");
  assert.equal(v.shown[0], "commit refused: 120,000 conflicting key(s) in dataset 'D'; nothing was committed");
  assert.equal(v.shown.length, 7);
  assert.equal(v.more, 44);
  assert.equal(errors.moreLine(v, 50), "… and 44 more lines: Copy details copies all 50.");
  assert.equal(v.all.split("\n").length, 51);
  assert.ok(v.all.endsWith("key 50"));
  assert.equal(errors.moreLine(errors.errorView({ code: "io", message: "m", details: [] }), 0), null);
  assert.deepEqual(errors.asUiError("boom"), { code: "internal", message: "boom", details: [] });
  assert.deepEqual(errors.asUiError({ code: "busy", message: "m" }), { code: "busy", message: "m", details: [] });
});

const copy = await load("src/copy.ts");

test("copied cells are the exact values, tab-separated", () => {
  const rows = [[{ text: "Name" }, { text: "Mean" }], [{ text: "x" }, { text: "0.2443", exact: "0.2443218" }]];
  assert.equal(copy.cellsText(rows), "Name\tMean\nx\t0.2443218");
});

const risk = await load("src/risk.ts");

test("the risk form's problems: name, existing, reference, source, roles, ISO dates in order", () => {
  const base = { name: "R", reference: "D", source: "S", roles: { style: "style" }, fill: true, huberize: true, trimAssets: "none", trimStart: "none", startDate: "", trimEnd: "none", endDate: "", replace: false, exchanges: [] };
  const ok = { exists: false, hasReference: true, hasSource: true };
  assert.deepEqual(risk.formProblems(base, ok), []);
  assert.deepEqual(risk.formProblems({ ...base, name: " " }, ok), ["Give the risk dataset a name."]);
  assert.equal(risk.formProblems(base, { ...ok, exists: true }).length, 1);
  assert.deepEqual(risk.formProblems({ ...base, replace: true }, { ...ok, exists: true }), []);
  assert.match(risk.formProblems(base, { ...ok, hasReference: false })[0], /Reference data/);
  assert.deepEqual(risk.formProblems({ ...base, trimStart: "date", startDate: "2025-02-30" }, ok), ["Pick the start date (YYYY-MM-DD)."]);
  assert.deepEqual(risk.formProblems({ ...base, trimStart: "date", startDate: "2025-06-01", trimEnd: "date", endDate: "2025-05-01" }, ok), ["The start date is after the end date."]);
  assert.equal(format.isIsoDate("2024-02-29"), true);
  assert.equal(format.isIsoDate("2025-5-1"), false);
  assert.deepEqual(risk.rolesFor(["style", "misc"], { style: "other" }), { style: "other", misc: "ignore" });
});

test("an update names the versions it rebuilt from", () => {
  const report = { sources: [{ dataset: "E", version: 2 }, { dataset: "F", version: 1 }] };
  const r = { name: "R", updated: true, previous_sources: [{ dataset: "E", version: 1 }, { dataset: "F", version: 1 }], report };
  assert.equal(risk.updateSources(r), "E version 1 → 2, F version 1");
});

const findings = await load("src/findings.ts");

test("the strip runs over the staged dates, coloured by the worst finding, with missing dates as gaps", () => {
  const f = (date, check, severity) => ({ date, check, severity, factor_group: null, factor: null, value: 1, threshold: 0, message: "", assets: [] });
  const days = findings.strip(["2025-05-01", "2025-05-02", "2025-05-04"], [
    f("2025-05-02", "outliers", "warn"), f("2025-05-02", "stale_day", "fail"), f("2025-05-03", "missing_day", "warn"),
  ]);
  assert.deepEqual(days.map((d) => [d.date, d.worst, d.count]), [
    ["2025-05-01", "ok", 0], ["2025-05-02", "fail", 2], ["2025-05-03", "missing", 0], ["2025-05-04", "ok", 0],
  ]);
  assert.deepEqual(findings.failLines([f("2025-05-02", "stale_day", "fail"), f("2025-05-02", "outliers", "warn")]), ["stale_day on 2025-05-02"]);
  // As a calendar: a row per month, each day under its day of month.
  const months = findings.stripMonths(findings.strip(["2025-01-30", "2025-01-31", "2025-02-03"], [f("2025-02-01", "missing_day", "warn")]));
  assert.deepEqual(months.map((m) => findings.monthLabel(m.month)), ["Jan 2025", "Feb 2025"]);
  assert.deepEqual(months[0].days.map((d, i) => (d ? i + 1 : 0)).filter(Boolean), [30, 31]);
  assert.deepEqual(months[1].days.map((d) => d?.worst ?? null).slice(0, 4), ["missing", null, "ok", null]);
  assert.deepEqual(findings.daysBetween("2025-02-27", "2025-03-01"), ["2025-02-27", "2025-02-28", "2025-03-01"]);
  assert.equal(findings.measured({ ...f("d", "coverage_drop", "fail"), value: 0.668, threshold: 0.8 }), "66.8% (threshold 80.0%)");
  assert.equal(findings.foundText([]), "nothing found");
  assert.equal(findings.foundText([f("2025-05-02", "stale_day", "fail"), f("2025-05-02", "outliers", "warn"), f("2025-05-03", "outliers", "warn")]), "1 fail, 2 warnings");
});

const commit = await load("src/commit.ts");

test("the commit confirmation names, per replaced date, assets before → after and the factors that move most", () => {
  const f = (factor, old_mean, new_mean, old_std, new_std) => ({ factor_group: "style", factor, old_mean, new_mean, old_std, new_std });
  const t = commit.replacementRows([
    { date: "2025-05-02", old_assets: 35800, new_assets: 23000, factors: [f("Size", 0.1, 0.12, 1, 3), f("Value", 0, 0.9, 1, 1.01)] },
    { date: "2025-05-03", old_assets: 35800, new_assets: 0, factors: [f("Size", 0.1, null, 1, null)] },
  ], 1);
  assert.deepEqual(t.rows, [["2025-05-02", "35,800 → 23,000", "Value: 0.000 → 0.900", "Size: 1.000 → 3.000"]]);
  assert.equal(t.more, "… and 1 more dates");
});

test("a replaced date whose factors do not move says so", () => {
  const f = { factor_group: "style", factor: "Size", old_mean: 0.1, new_mean: 0.1, old_std: 1, new_std: 1 };
  const t = commit.replacementRows([{ date: "2025-05-02", old_assets: 10, new_assets: 10, factors: [f] }]);
  assert.deepEqual(t.rows[0].slice(2), ["unchanged", "unchanged"]);
});

test("a commit asks first while the checks still run, then confirms with the mode's description and the failing checks to acknowledge", () => {
  const running = commit.stillCheckingQuestion([]);
  assert.equal(running.text, "Missing and duplicate dates and coverage are checked; the checks that read the data have not finished. Commit without waiting for them?");
  assert.equal(running.action, "Commit without waiting…");
  assert.match(commit.stillCheckingQuestion(["missing_day on 2025-05-03"]).text, /finished\. Already failing: missing_day on 2025-05-03\. Commit without/);
  const lines = Array.from({ length: 1200 }, (_, i) => `outliers on day ${i}`);
  const failing = commit.failingAcknowledgement(lines);
  assert.equal(failing.list.head, "1,200 checks fail on the staged data");
  assert.equal(failing.list.lines.length, 1200, "every failing check is listed");
  assert.equal(failing.acknowledge, "Commit over these 1,200 failing checks");
  const one = commit.failingAcknowledgement(["stale_day on 2025-05-10"]);
  assert.equal(one.list.head, "1 check fails on the staged data");
  assert.equal(one.acknowledge, "Commit over this failing check");
  const append = commit.commitQuestion("E", 1200, 1, "append", 0);
  assert.equal(append.title, "Commit to E?");
  assert.equal(append.action, "Commit (append)");
  assert.equal(append.text, "1,200 staged name × date rows (1 date), mode append: add new rows; refuse everything if any key is already committed. A new version is made; older versions stay readable.");
  const overwrite = commit.commitQuestion("E", 4, 2, "overwrite_dates", 2);
  assert.ok(overwrite.text.endsWith("A new version is made; older versions stay readable. It replaces 2 committed dates, committed → staged:"), overwrite.text);
});

test("every commit mode has its description, in the order the engine offers them", async () => {
  const { COMMIT_MODES } = await load("src/bindings.ts");
  assert.deepEqual(Object.keys(COMMIT_MODES), ["append", "upsert", "overwrite_dates", "overwrite"]);
  for (const [mode, text] of Object.entries(COMMIT_MODES)) assert.ok(text.length > 20, `${mode}: ${text}`);
});

const model = await load("src/model.ts");

test("model settings: only what differs from the engine's defaults, constraints for every categorical group", () => {
  const c = { ...model.MODEL_DEFAULTS, riskDataset: "R" };
  assert.deepEqual(model.modelSettings(c, ["industry", "region"]), { risk_dataset: "R" });
  assert.deepEqual(
    model.modelSettings({ ...c, weights: "Equal", clipLow: "", clipHigh: "0.2", constraint: "equal_weights", nwLags: "2" }, ["industry", "region"]),
    { risk_dataset: "R", weights: "Equal", return_clip_bounds: [null, 0.2], zero_sum_constraints: { industry: "equal_weights", region: "equal_weights" }, nw_lags: 2 },
  );
  assert.deepEqual(model.modelProblems(c), []);
  assert.deepEqual(model.modelProblems({ ...c, riskDataset: "" }), ["Choose a risk dataset (create one on the Risk dataset screen)."]);
  const bad = model.modelProblems({ ...c, clipLow: "0.1", halflifeVol: "0", nwLags: "1.5" });
  assert.equal(bad.length, 3);
  assert.match(bad[0], /lower clip bound 0.1/);
  assert.match(bad[1], /factor volatility half-life/);
  assert.match(bad[2], /Newey–West lags/);
});

const recent = await load("src/recent.ts");

test("recent datasets: those still in the place, not the current one, at most a few", () => {
  assert.deepEqual(recent.otherDatasets(["A", "Gone", "B", "C", "D"], ["A", "B", "C", "D"], "A", 2), ["B", "C"]);
  assert.deepEqual(recent.otherDatasets(["A"], ["A"], "A", 3), []);
  assert.deepEqual(recent.otherDatasets([], ["A"], "", 3), []);
});

test("recent folders: their names, with as much of the path as tells two alike apart", () => {
  assert.deepEqual(recent.folderLabels(["/data/June", "/data/July/"]), ["June", "July"]);
  assert.deepEqual(recent.folderLabels(["/data/2025/June", "/data/2026/June", "/x/July"]), ["2025/June", "2026/June", "July"]);
  assert.deepEqual(recent.folderLabels(["/a/x", "/b/a/x"]), ["a/x", "b/a/x"]);
  assert.deepEqual(recent.folderLabels(["/"]), ["/"]);
  assert.deepEqual(recent.folderLabels(["C:\\q\\June", "/home/q/June"]), ["C:/q/June", "home/q/June"]);
});

test("a revert's confirmation says what it makes and what it changes against the latest version", () => {
  const diff = {
    from: 3, to: 1, rows_changed: 1250, dates_unchanged: 18, dates_added: [], dates_removed: ["2025-06-02"], dates_changed: ["2025-05-03", "2025-05-04"],
    factors: Array.from({ length: 12 }, (_, i) => ({ factor_group: "style", factor: `F${i}`, added: 0, removed: 1000, changed: i, largest_change: 1, largest_at: null })),
  };
  const q = commit.revertQuestion("Desk", 1, 3, diff);
  assert.equal(q.title, "Revert Desk to version 1?");
  assert.equal(q.action, "Revert to version 1");
  assert.equal(q.text, "A new version 4 is made with the data of version 1. Versions 1 to 3 stay readable and staged names stay staged. Against version 3 it removes 1 date, changes 2 dates: 1,250 rows added, removed or changed.");
  assert.equal(q.table.rows.length, 10);
  assert.deepEqual(q.table.rows[0], ["style.F0", "0", "1,000", "0"]);
  assert.equal(q.table.more, "and 2 other factors");
  const same = commit.revertQuestion("Desk", 2, 3, { ...diff, rows_changed: 0, dates_removed: [], dates_changed: [], factors: [] });
  assert.ok(same.text.endsWith("Its data is the same as version 3's."), same.text);
  assert.equal(same.table, undefined);
});
