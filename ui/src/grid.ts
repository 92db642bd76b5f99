// The Dataset screen's data grid, its pure logic (unit-tested with node's test runner): the
// vertical geometry of a virtual scroll over millions of rows (its scrollbar scaled when the
// browser cannot make an element that tall), which rows to draw and which blocks of rows to
// fetch, the block cache, keyboard moves, the sort cycle, filters (labels, validation, what the
// engine gets), jumping to a date and the status line.
import type { ColumnKind, GridDay, GridFilter, GridOp, GridSort } from "./api";
import { duration, int, isIsoDate, isNumber } from "./format";

/** Height of a row, in CSS pixels. */
export const ROW_HEIGHT = 26;
/** Rows fetched at once (a block), and blocks kept around the rows in view. */
export const BLOCK = 200;
const KEEP_BLOCKS = 24;
/**
 * The tallest scroll content the grid makes, in CSS pixels. WebKit lays out in 1/64 px units in
 * 32 bits (about 2^25 px) and misbehaves well before that; beyond this height the scroll position
 * is scaled instead (9 M rows at 26 px are 234 M px).
 */
export const MAX_SCROLL_HEIGHT = 8_000_000;

/** What the vertical geometry depends on. */
export interface Geometry {
  /** Rows in the grid. */
  total: number;
  rowHeight: number;
  /** Height of the visible rows' area (the scroll box without its header). */
  viewport: number;
  /** The tallest content the scroll box may hold (MAX_SCROLL_HEIGHT unless a test says otherwise). */
  cap?: number;
}

/** Height of all rows unscaled ("virtual" pixels). */
function virtualHeight(g: Geometry): number {
  return g.total * g.rowHeight;
}

/** Height of the scrollbar's content standing for the rows ("real" pixels). */
export function realHeight(g: Geometry): number {
  return Math.min(virtualHeight(g), g.cap ?? MAX_SCROLL_HEIGHT);
}

/** The largest virtual and real scroll positions. */
export function maxVirtual(g: Geometry): number {
  return Math.max(0, virtualHeight(g) - g.viewport);
}
export function maxReal(g: Geometry): number {
  return Math.max(0, realHeight(g) - g.viewport);
}

/** Whether the scroll position is scaled (the rows are taller than the content may be). */
export function scaled(g: Geometry): boolean {
  return virtualHeight(g) > realHeight(g);
}

/** The virtual position of a real scroll position (the scrollbar's scrollTop). */
export function toVirtual(g: Geometry, real: number): number {
  const mr = maxReal(g);
  if (!scaled(g)) return clampVirtual(g, real);
  return mr === 0 ? 0 : clampVirtual(g, (real * maxVirtual(g)) / mr);
}

/** The real scroll position standing for a virtual one. */
export function toReal(g: Geometry, virtual: number): number {
  const v = clampVirtual(g, virtual);
  if (!scaled(g)) return v;
  const mv = maxVirtual(g);
  return mv === 0 ? 0 : (v * maxReal(g)) / mv;
}

export function clampVirtual(g: Geometry, v: number): number {
  return Math.max(0, Math.min(maxVirtual(g), v));
}

/** The rows to draw: `first` to `last` (exclusive), the first one `offset` pixels above the viewport's top. */
interface RowWindow { first: number; last: number; offset: number }

/**
 * The rows to draw at virtual position `v`: the ones at least partly visible, the first shifted
 * up by the part of it scrolled past. (The grid draws them itself at every position: its rows
 * area never scrolls natively, so frozen columns and the rows cannot drift apart.)
 */
export function rowWindow(g: Geometry, v: number): RowWindow {
  if (g.total === 0) return { first: 0, last: 0, offset: 0 };
  const at = clampVirtual(g, v);
  const first = Math.min(g.total - 1, Math.floor(at / g.rowHeight));
  const offset = at - first * g.rowHeight;
  const last = Math.min(g.total, first + Math.ceil((g.viewport + offset) / g.rowHeight));
  return { first, last: Math.max(last, first + 1), offset };
}

/** The rows at least partly visible at virtual position `v`: first and last (inclusive). */
export function visibleRows(g: Geometry, v: number): { first: number; last: number } {
  if (g.total === 0) return { first: 0, last: -1 };
  const first = Math.min(g.total - 1, Math.floor(v / g.rowHeight));
  const last = Math.min(g.total - 1, Math.max(first, Math.ceil((v + g.viewport) / g.rowHeight) - 1));
  return { first, last };
}

/** Rows that fit whole in the viewport (at least 1). */
export function pageRows(g: Geometry): number {
  return Math.max(1, Math.floor(g.viewport / g.rowHeight));
}

/** The virtual position that shows row `row` whole, moving as little as possible from `v`. */
export function revealRow(g: Geometry, v: number, row: number): number {
  const top = row * g.rowHeight;
  const bottom = top + g.rowHeight;
  if (top < v) return clampVirtual(g, top);
  if (bottom > v + g.viewport) return clampVirtual(g, bottom - g.viewport);
  return v;
}

/** The virtual position that shows row `row` at the top (as far as the end allows). */
export function rowAtTop(g: Geometry, row: number): number {
  return clampVirtual(g, row * g.rowHeight);
}

/** The row a keyboard key moves the highlight to from `row` (null: the key is not a move). */
export function moveKey(key: string, row: number | null, total: number, page: number): number | null {
  if (total === 0) return null;
  const at = row ?? -1;
  const clamp = (r: number) => Math.max(0, Math.min(total - 1, r));
  switch (key) {
    case "ArrowDown": return clamp(at + 1);
    case "ArrowUp": return clamp(row === null ? 0 : at - 1);
    case "PageDown": return clamp(at + page);
    case "PageUp": return clamp(row === null ? 0 : at - page);
    case "Home": return 0;
    case "End": return total - 1;
    default: return null;
  }
}

/** The blocks (of `size` rows) holding rows `first` to `last` (inclusive). */
export function blocksOf(first: number, last: number, size = BLOCK): number[] {
  if (last < first) return [];
  const out: number[] = [];
  for (let b = Math.floor(first / size); b <= Math.floor(last / size); b++) out.push(b);
  return out;
}

/**
 * Rows fetched in blocks: which are held, which are on their way, which failed; far blocks are
 * dropped once more than `keep` are held. A new grid gets a new cache.
 */
export class BlockCache {
  private held = new Map<number, string[][]>();
  private asked = new Set<number>();
  private failed = new Set<number>();

  constructor(readonly total: number, readonly size = BLOCK, readonly keep = KEEP_BLOCKS) {}

  /** Row `i`, or undefined while its block is not held. */
  row(i: number): string[] | undefined {
    return this.held.get(Math.floor(i / this.size))?.[i % this.size];
  }

  /** Offset and limit of block `b`. */
  range(b: number): { offset: number; limit: number } {
    const offset = b * this.size;
    return { offset, limit: Math.max(0, Math.min(this.size, this.total - offset)) };
  }

  /** Blocks of rows `first`..`last` to fetch (neither held, asked nor failed), nearest to `centre` first. */
  wanted(first: number, last: number, centre = first): number[] {
    const c = Math.floor(centre / this.size);
    return blocksOf(Math.max(0, first), Math.min(this.total - 1, last), this.size)
      .filter((b) => !this.held.has(b) && !this.asked.has(b) && !this.failed.has(b))
      .sort((a, b) => Math.abs(a - c) - Math.abs(b - c));
  }

  ask(b: number) {
    this.asked.add(b);
  }

  /** Keeps block `b`'s rows and drops the blocks farthest from `centre` (a row) beyond `keep`. */
  put(b: number, rows: string[][], centre: number) {
    this.asked.delete(b);
    this.held.set(b, rows);
    if (this.held.size <= this.keep) return;
    const c = Math.floor(centre / this.size);
    const far = [...this.held.keys()].sort((x, y) => Math.abs(y - c) - Math.abs(x - c));
    for (const x of far.slice(0, this.held.size - this.keep)) this.held.delete(x);
  }

  fail(b: number) {
    this.asked.delete(b);
    this.failed.add(b);
  }

  /** Failed blocks may be asked for again. */
  retry() {
    this.failed.clear();
  }

  get inFlight(): number {
    return this.asked.size;
  }

  /** Blocks held (for tests and memory checks). */
  get heldBlocks(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }
}

/** A header click's next sort: ascending, then descending, then none (another column starts ascending). */
export function nextSort(sort: GridSort | null, column: string): GridSort | null {
  if (!sort || sort.column !== column) return { column, descending: false };
  return sort.descending ? null : { column, descending: true };
}

/** The arrow a header shows for its sort ("" when the grid is not sorted by it). */
export function sortArrow(sort: GridSort | null, column: string): string {
  if (!sort || sort.column !== column) return "";
  return sort.descending ? "▼" : "▲";
}

/** A filter as the screen keeps it: the engine's operators, plus a range ("between", two values). */
export type ViewOp = GridOp | "between";
export interface ViewFilter { column: string; op: ViewOp; values: string[] }

/** The operators offered for a column kind, with their symbols. */
export function opsFor(kind: ColumnKind): { op: ViewOp; label: string }[] {
  const compare: { op: ViewOp; label: string }[] = [
    { op: "eq", label: "=" }, { op: "ne", label: "≠" }, { op: "lt", label: "<" }, { op: "le", label: "≤" },
    { op: "gt", label: ">" }, { op: "ge", label: "≥" }, { op: "between", label: "between" },
  ];
  switch (kind) {
    case "number": return [...compare, { op: "empty", label: "empty" }, { op: "not_empty", label: "not empty" }];
    case "date": return compare;
    case "id": return [{ op: "contains", label: "contains" }, { op: "eq", label: "is" }, { op: "one_of", label: "is one of" }];
    case "category": return [{ op: "one_of", label: "is one of" }];
  }
}

const SYMBOL: Record<GridOp, string> = {
  eq: "=", ne: "≠", lt: "<", le: "≤", gt: ">", ge: "≥", contains: "contains", one_of: "is one of", empty: "is empty", not_empty: "is not empty",
};

/** A chip's text: "style.style.Size > 0", "industry is one of Energy, Financials (+2)", "region is one of (none)". */
export function filterLabel(f: ViewFilter): string {
  const shown = (v: string) => (v === "" ? "(none)" : v);
  switch (f.op) {
    case "between": return `${f.column} between ${f.values[0]} and ${f.values[1]}`;
    case "empty":
    case "not_empty": return `${f.column} ${SYMBOL[f.op]}`;
    case "contains": return `${f.column} contains “${f.values[0]}”`;
    case "one_of": {
      const some = f.values.slice(0, 3).map(shown).join(", ");
      return `${f.column} ${f.values.length === 1 ? "is" : "is one of"} ${some}${f.values.length > 3 ? ` (+${f.values.length - 3})` : ""}`;
    }
    default: return `${f.column} ${SYMBOL[f.op]} ${f.values[0]}`;
  }
}

/** Ids pasted as a list: split on commas, spaces, semicolons and new lines, each once. */
function idList(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter((s) => s !== ""))];
}

/**
 * A filter made from what the user entered, trimmed, or why it cannot be applied. Numbers must
 * be numbers, dates real YYYY-MM-DD dates, a range low ≤ high, a list not empty.
 */
export function checkFilter(kind: ColumnKind, f: ViewFilter): { filter: ViewFilter } | { error: string } {
  const values = f.op === "one_of" && kind === "category" ? f.values : f.values.map((v) => v.trim());
  const needs = f.op === "empty" || f.op === "not_empty" ? 0 : f.op === "between" ? 2 : f.op === "one_of" ? -1 : 1;
  if (needs === 0) return { filter: { ...f, values: [] } };
  if (needs === -1) {
    const list = kind === "category" ? values : values.flatMap(idList);
    return list.length === 0 ? { error: kind === "category" ? "Tick at least one." : "Enter at least one id." } : { filter: { ...f, values: list } };
  }
  const used = values.slice(0, needs);
  if (used.length < needs || used.some((v) => v === "")) return { error: needs === 2 ? "Enter both bounds." : "Enter a value." };
  if (kind === "number") {
    const bad = used.find((v) => !isNumber(v));
    if (bad !== undefined) return { error: `“${bad}” is not a number.` };
    if (needs === 2 && Number(used[0]) > Number(used[1])) return { error: "The lower bound is above the upper one." };
  }
  if (kind === "date") {
    const bad = used.find((v) => !isIsoDate(v));
    if (bad !== undefined) return { error: `“${bad}” is not a date (YYYY-MM-DD).` };
    if (needs === 2 && used[0] > used[1]) return { error: "The first date is after the second." };
  }
  return { filter: { ...f, values: used } };
}

/** What the engine gets for the screen's filters (a range is ≥ low and ≤ high). */
export function gridFilters(filters: ViewFilter[]): GridFilter[] {
  return filters.flatMap((f): GridFilter[] =>
    f.op === "between"
      ? [{ column: f.column, op: "ge", values: [f.values[0]] }, { column: f.column, op: "le", values: [f.values[1]] }]
      : [{ column: f.column, op: f.op, values: f.values }],
  );
}

/** The filters with column `column`'s replaced by `f` (or removed when null), the others kept in order. */
export function setFilter(filters: ViewFilter[], column: string, f: ViewFilter | null): ViewFilter[] {
  const at = filters.findIndex((x) => x.column === column);
  if (!f) return filters.filter((x) => x.column !== column);
  if (at < 0) return [...filters, f];
  return filters.map((x, i) => (i === at ? f : x)).filter((x, i) => i === at || x.column !== column);
}

/** The screen's sort, filters and search. */
export interface View { sort: GridSort | null; filters: ViewFilter[]; search: string }

export const NO_VIEW: View = { sort: null, filters: [], search: "" };

/** The view with the id column renamed (the id type changed), so its sort and filters follow. */
export function renameColumn(view: View, from: string, to: string): View {
  if (from === to || from === "") return view;
  return {
    ...view,
    sort: view.sort && view.sort.column === from ? { ...view.sort, column: to } : view.sort,
    filters: view.filters.map((f) => (f.column === from ? { ...f, column: to } : f)),
  };
}

/** Whether the view keeps fewer rows than the query has (filters or a search). */
export function narrows(view: View): boolean {
  return view.filters.length > 0 || view.search.trim() !== "";
}

/** The status line: "9,013,079 rows" or "1,234 of 9,013,079 rows (filtered)", then how long the grid took. */
export function statusLine(total: number, unfiltered: number, ms: number | null): string {
  const rows = total === unfiltered ? `${int(total)} ${total === 1 ? "row" : "rows"}` : `${int(total)} of ${int(unfiltered)} rows (filtered)`;
  return ms === null ? rows : `${rows} · grid ran in ${duration(ms)}`;
}

/**
 * Where jumping to `date` goes: the first row of that date, or of the next date with rows when
 * it has none (a holiday, or every row filtered out); the last date's last row when `date` is
 * after every date. Null when the grid is sorted (no date starts anywhere) or empty.
 */
export function jumpTarget(days: GridDay[], date: string): { row: number; date: string } | null {
  const withRows = days.filter((d) => d.rows > 0 && d.first !== null);
  if (withRows.length === 0) return null;
  const hit = withRows.find((d) => d.date >= date);
  if (hit) return { row: hit.first as number, date: hit.date };
  const last = withRows[withRows.length - 1];
  return { row: last.first as number, date: last.date };
}

/**
 * A column name split for a two-line header: "style.style.Size" → group "style" (a repeated
 * part once), name "Size"; "market.US.Beta" → "market.US", "Beta".
 */
export function splitName(name: string): { group: string; leaf: string } {
  const cut = name.lastIndexOf(".");
  if (cut <= 0) return { group: "", leaf: name };
  const parts = name.slice(0, cut).split(".");
  return { group: parts.every((p) => p === parts[0]) ? parts[0] : parts.join("."), leaf: name.slice(cut + 1) };
}

/** A column's width in pixels, by kind. */
export function columnWidth(kind: ColumnKind, name: string): number {
  switch (kind) {
    case "date": return 104;
    case "id": return 124;
    case "number": return 118;
    case "category": return name === "region" ? 160 : 210;
  }
}
