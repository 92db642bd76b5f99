// Unit tests of the data grid's pure logic (node --test): the virtual scroll's geometry and its
// scaling beyond the browser's height limit, the rows drawn, blocks and their cache, keyboard
// moves, the sort cycle, filters (labels, validation, what the engine gets), jumps and the status.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";

async function load(entry) {
  const { outputFiles } = await build({ entryPoints: [entry], bundle: true, format: "esm", write: false });
  return import("data:text/javascript;base64," + Buffer.from(outputFiles[0].text).toString("base64"));
}

const grid = await load("src/grid.ts");
const H = grid.ROW_HEIGHT;

test("a small grid scrolls one to one: the content is as tall as its rows", () => {
  const g = { total: 1000, rowHeight: H, viewport: 520 };
  assert.equal(grid.scaled(g), false);
  assert.equal(grid.realHeight(g), 1000 * H);
  assert.equal(grid.toVirtual(g, 1234), 1234);
  assert.equal(grid.toReal(g, 1234), 1234);
  assert.equal(grid.toVirtual(g, 1e9), 1000 * H - 520);
  // 520 px show 20 rows; scrolled 10 px into row 100, part of row 120 shows too.
  assert.deepEqual(grid.rowWindow(g, 100 * H + 10), { first: 100, last: 121, offset: 10 });
  assert.deepEqual(grid.rowWindow(g, 100 * H), { first: 100, last: 120, offset: 0 });
  assert.deepEqual(grid.visibleRows(g, 100 * H + 10), { first: 100, last: 120 });
  assert.deepEqual(grid.rowWindow({ ...g, total: 0 }, 50), { first: 0, last: 0, offset: 0 });
  // Fewer rows than fit: all of them.
  assert.deepEqual(grid.rowWindow({ ...g, total: 3 }, 0), { first: 0, last: 3, offset: 0 });
});

test("9 M rows scale the scroll position into a content the browser can make, ends meeting ends", () => {
  const total = 9_013_079;
  const g = { total, rowHeight: H, viewport: 520 };
  assert.equal(grid.scaled(g), true);
  assert.equal(grid.realHeight(g), grid.MAX_SCROLL_HEIGHT);
  assert.ok(grid.realHeight(g) < 2 ** 24);
  const maxR = grid.maxReal(g), maxV = grid.maxVirtual(g);
  assert.equal(grid.toVirtual(g, 0), 0);
  assert.equal(grid.toVirtual(g, maxR), maxV);
  assert.equal(grid.toReal(g, maxV), maxR);
  // The middle of the scrollbar is the middle of the rows; round trips are exact.
  assert.ok(Math.abs(grid.toVirtual(g, maxR / 2) - maxV / 2) < 1e-6);
  assert.ok(Math.abs(grid.toVirtual(g, grid.toReal(g, 123_456_789)) - 123_456_789) < 1e-4);
  // At the very end the last row shows whole at the bottom.
  const w = grid.rowWindow(g, maxV);
  assert.equal(w.last, total);
  assert.equal((w.last - w.first) * H - w.offset, 520);
  assert.deepEqual(grid.visibleRows(g, maxV).last, total - 1);
  // Somewhere in the middle, to the pixel.
  assert.deepEqual(grid.rowWindow(g, 4_000_000 * H + 7), { first: 4_000_000, last: 4_000_021, offset: 7 });
});

test("a row shown whole moves the view as little as needed; jumps put it at the top", () => {
  const g = { total: 1000, rowHeight: H, viewport: 10 * H };
  assert.equal(grid.revealRow(g, 0, 5), 0);
  assert.equal(grid.revealRow(g, 0, 10), H);
  assert.equal(grid.revealRow(g, 50 * H, 40), 40 * H);
  assert.equal(grid.rowAtTop(g, 500), 500 * H);
  assert.equal(grid.rowAtTop(g, 999), 990 * H);
  assert.equal(grid.pageRows(g), 10);
});

test("keys move the highlight within the rows", () => {
  assert.equal(grid.moveKey("ArrowDown", null, 100, 20), 0);
  assert.equal(grid.moveKey("ArrowDown", 5, 100, 20), 6);
  assert.equal(grid.moveKey("ArrowUp", 0, 100, 20), 0);
  assert.equal(grid.moveKey("PageDown", 90, 100, 20), 99);
  assert.equal(grid.moveKey("PageUp", 30, 100, 20), 10);
  assert.equal(grid.moveKey("Home", 30, 100, 20), 0);
  assert.equal(grid.moveKey("End", 3, 100, 20), 99);
  assert.equal(grid.moveKey("a", 3, 100, 20), null);
  assert.equal(grid.moveKey("End", null, 0, 20), null);
});

test("blocks: the ones the drawn rows need, nearest first, each asked once; far ones dropped", () => {
  assert.deepEqual(grid.blocksOf(150, 450, 200), [0, 1, 2]);
  assert.deepEqual(grid.blocksOf(5, 4, 200), []);
  const c = new grid.BlockCache(1000, 200, 3);
  assert.deepEqual(c.range(4), { offset: 800, limit: 200 });
  assert.deepEqual(c.range(5), { offset: 1000, limit: 0 });
  assert.deepEqual(c.wanted(350, 650, 600), [3, 2, 1]);
  c.ask(3);
  assert.deepEqual(c.wanted(350, 650, 600), [2, 1]);
  assert.equal(c.inFlight, 1);
  const rows = (b) => Array.from({ length: 200 }, (_, i) => [`r${b * 200 + i}`]);
  c.put(3, rows(3), 600);
  assert.deepEqual(c.row(612), ["r612"]);
  assert.equal(c.row(10), undefined);
  c.put(0, rows(0), 600);
  c.put(1, rows(1), 600);
  c.put(4, rows(4), 600);
  // Four held, three kept: block 0 is the farthest from row 600.
  assert.deepEqual(c.heldBlocks, [1, 3, 4]);
  c.fail(2);
  assert.deepEqual(c.wanted(0, 999, 0), [0]);
  c.retry();
  assert.deepEqual(c.wanted(0, 999, 0), [0, 2]);
  // Past the end nothing is wanted.
  assert.deepEqual(new grid.BlockCache(0).wanted(0, 100), []);
});

test("a header click sorts ascending, then descending, then not; another column starts ascending", () => {
  let s = grid.nextSort(null, "style.style.Size");
  assert.deepEqual(s, { column: "style.style.Size", descending: false });
  assert.equal(grid.sortArrow(s, "style.style.Size"), "▲");
  s = grid.nextSort(s, "style.style.Size");
  assert.deepEqual(s, { column: "style.style.Size", descending: true });
  assert.equal(grid.sortArrow(s, "style.style.Size"), "▼");
  assert.equal(grid.sortArrow(s, "date"), "");
  assert.deepEqual(grid.nextSort(s, "date"), { column: "date", descending: false });
  assert.equal(grid.nextSort(s, "style.style.Size"), null);
});

test("filter chips read as the condition", () => {
  assert.equal(grid.filterLabel({ column: "style.style.Size", op: "gt", values: ["0"] }), "style.style.Size > 0");
  assert.equal(grid.filterLabel({ column: "style.style.Size", op: "le", values: ["-1.5"] }), "style.style.Size ≤ -1.5");
  assert.equal(grid.filterLabel({ column: "style.style.Size", op: "between", values: ["-1", "1"] }), "style.style.Size between -1 and 1");
  assert.equal(grid.filterLabel({ column: "market.market.Market", op: "empty", values: [] }), "market.market.Market is empty");
  assert.equal(grid.filterLabel({ column: "bayesid", op: "contains", values: ["AAB"] }), "bayesid contains “AAB”");
  assert.equal(grid.filterLabel({ column: "industry", op: "one_of", values: ["Energy"] }), "industry is Energy");
  assert.equal(grid.filterLabel({ column: "industry", op: "one_of", values: ["A", "B", "C", "D", ""] }), "industry is one of A, B, C (+2)");
  assert.equal(grid.filterLabel({ column: "region", op: "one_of", values: [""] }), "region is (none)");
});

test("filters are checked before they run: numbers, dates, ranges, lists", () => {
  const ok = (kind, op, values) => grid.checkFilter(kind, { column: "c", op, values });
  assert.deepEqual(ok("number", "gt", [" 0.5 "]), { filter: { column: "c", op: "gt", values: ["0.5"] } });
  assert.deepEqual(ok("number", "ge", ["-1e-3"]).filter.values, ["-1e-3"]);
  assert.equal(ok("number", "gt", ["abc"]).error, "“abc” is not a number.");
  assert.equal(ok("number", "gt", [""]).error, "Enter a value.");
  assert.equal(ok("number", "between", ["1", ""]).error, "Enter both bounds.");
  assert.equal(ok("number", "between", ["2", "1"]).error, "The lower bound is above the upper one.");
  assert.deepEqual(ok("number", "empty", ["ignored"]).filter.values, []);
  assert.deepEqual(ok("date", "ge", ["2025-06-30"]).filter.values, ["2025-06-30"]);
  assert.equal(ok("date", "ge", ["2025-02-30"]).error, "“2025-02-30” is not a date (YYYY-MM-DD).");
  assert.equal(ok("date", "between", ["2025-07-01", "2025-06-01"]).error, "The first date is after the second.");
  assert.deepEqual(ok("id", "one_of", ["AAAA, AAAB\nAAAC  AAAA"]).filter.values, ["AAAA", "AAAB", "AAAC"]);
  assert.equal(ok("id", "one_of", [" , "]).error, "Enter at least one id.");
  assert.deepEqual(ok("category", "one_of", ["Energy", ""]).filter.values, ["Energy", ""]);
  assert.equal(ok("category", "one_of", []).error, "Tick at least one.");
});

test("the engine gets a range as two bounds; a column's filter is replaced in place", () => {
  const view = [{ column: "a", op: "between", values: ["-1", "1"] }, { column: "industry", op: "one_of", values: ["Energy"] }];
  assert.deepEqual(grid.gridFilters(view), [
    { column: "a", op: "ge", values: ["-1"] }, { column: "a", op: "le", values: ["1"] },
    { column: "industry", op: "one_of", values: ["Energy"] },
  ]);
  const replaced = grid.setFilter(view, "a", { column: "a", op: "gt", values: ["0"] });
  assert.deepEqual(replaced.map((f) => `${f.column}:${f.op}`), ["a:gt", "industry:one_of"]);
  assert.deepEqual(grid.setFilter(view, "b", { column: "b", op: "lt", values: ["0"] }).map((f) => f.column), ["a", "industry", "b"]);
  assert.deepEqual(grid.setFilter(view, "a", null).map((f) => f.column), ["industry"]);
});

test("a new id type renames the id column's sort and filters", () => {
  const view = { sort: { column: "bayesid", descending: true }, filters: [{ column: "bayesid", op: "contains", values: ["AA"] }, { column: "x", op: "gt", values: ["0"] }], search: "" };
  const renamed = grid.renameColumn(view, "bayesid", "ticker");
  assert.deepEqual(renamed.sort, { column: "ticker", descending: true });
  assert.deepEqual(renamed.filters.map((f) => f.column), ["ticker", "x"]);
  assert.equal(grid.renameColumn(view, "", "ticker"), view);
  assert.equal(grid.narrows(view), true);
  assert.equal(grid.narrows(grid.NO_VIEW), false);
});

test("the status line says the rows, filtered or not, and how long the grid took", () => {
  assert.equal(grid.statusLine(9_013_079, 9_013_079, 4180), "9,013,079 rows · grid ran in 4.2 s");
  assert.equal(grid.statusLine(1234, 9_013_079, 650), "1,234 of 9,013,079 rows (filtered) · grid ran in 0.7 s");
  assert.equal(grid.statusLine(1, 1, null), "1 row");
});

test("jumping to a date lands on its first row, or the next date's with rows", () => {
  const days = [
    { date: "2025-05-01", rows: 10, first: 0 },
    { date: "2025-05-02", rows: 0, first: 10 },
    { date: "2025-05-05", rows: 7, first: 10 },
  ];
  assert.deepEqual(grid.jumpTarget(days, "2025-05-01"), { row: 0, date: "2025-05-01" });
  assert.deepEqual(grid.jumpTarget(days, "2025-05-02"), { row: 10, date: "2025-05-05" });
  assert.deepEqual(grid.jumpTarget(days, "2025-05-03"), { row: 10, date: "2025-05-05" });
  assert.deepEqual(grid.jumpTarget(days, "2025-04-01"), { row: 0, date: "2025-05-01" });
  assert.deepEqual(grid.jumpTarget(days, "2025-12-31"), { row: 10, date: "2025-05-05" });
  // Sorted grids have no date starts.
  assert.equal(grid.jumpTarget(days.map((d) => ({ ...d, first: null })), "2025-05-01"), null);
});

test("headers split a long name into its group and name; widths by kind", () => {
  assert.deepEqual(grid.splitName("style.style.Size"), { group: "style", leaf: "Size" });
  assert.deepEqual(grid.splitName("market.US.Beta"), { group: "market.US", leaf: "Beta" });
  assert.deepEqual(grid.splitName("bayesid"), { group: "", leaf: "bayesid" });
  assert.equal(grid.opsFor("category").map((o) => o.op).join(), "one_of");
  assert.ok(grid.opsFor("number").some((o) => o.op === "empty"));
  assert.ok(!grid.opsFor("date").some((o) => o.op === "empty"));
  assert.ok(grid.columnWidth("number", "x") > 100);
});
