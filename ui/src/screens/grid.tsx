// The Dataset screen's data grid: a virtual scroll over every row of a grid the engine ran (only
// the rows in view are drawn; their blocks are fetched on demand and far ones dropped), the date
// and id columns frozen on the left, headers that sort, filter and show each column's profile,
// a highlighted row moved with the keyboard, and the states of a run (progress with Cancel,
// no rows, errors). The pure parts (geometry, blocks, sort cycle, filters) are in ../grid.ts.
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, type GridColumn, type GridInfo, type GridRequest } from "../api";
import { Action } from "../action";
import { cellsText } from "../copy";
import { fixed, fixedText, int } from "../format";
import {
  BlockCache, checkFilter, columnWidth, moveKey, opsFor, pageRows, revealRow, rowAtTop, rowWindow, sortArrow, splitName,
  toReal, toVirtual, clampVirtual, visibleRows, realHeight, ROW_HEIGHT, BLOCK, type Geometry, type View, type ViewFilter, type ViewOp,
} from "../grid";
import { cancelJob, running } from "../jobs";
import { Outcome } from "../ui";

/** A grid the engine ran, as the screen shows it. `gen` is new for every run. */
export interface Shown { gen: number; request: GridRequest; view: View; info: GridInfo; ms: number }

/** Errors reading rows (shown above the grid; dismissing one retries the failed blocks). */
export const paging = new Action();

/** How long runs and page reads took (read by scripts through `window.__riskdesk.gridTimings`). */
export const timings: { grid: { label: string; ms: number; total: number }[]; pages: { offset: number; limit: number; ms: number }[] } = { grid: [], pages: [] };

function note<T>(list: T[], item: T) {
  list.push(item);
  if (list.length > 200) list.splice(0, list.length - 200);
}

/** Fetches at most this many blocks at once; the ones still wanted when a fetch ends go next. */
const PARALLEL = 2;

interface Props {
  shown: Shown | null;
  /** The screen's run in progress: no rows are fetched meanwhile (the engine keeps one grid). */
  run: { label: string; job: number | null } | null;
  /** Scroll to this row of grid `gen` and highlight it (a new `seq` each time). */
  reveal: { row: number; seq: number; gen: number } | null;
  onSort: (column: string) => void;
  onFilter: (column: string, f: ViewFilter | null) => void;
  onClear: () => void;
}

interface Popover { kind: "filter" | "profile"; column: string; x: number; y: number; pinned: boolean }

export function DataGrid({ shown, run, reveal, onSort, onFilter, onClear }: Props) {
  /** The frame (wheel events), the horizontally scrolling grid, its header and the vertical scrollbar. */
  const frame = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  const bar = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState(400);
  const [headHeight, setHeadHeight] = useState(45);
  /** Re-renders after a scroll; the position itself is `state.current.v`. */
  const [, setV] = useState(0);
  const [sel, setSel] = useState<number | null>(null);
  const [, setTick] = useState(0);
  const [pop, setPop] = useState<Popover | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const state = useRef<{ gen: number; cache: BlockCache; v: number; real: number }>({ gen: -1, cache: new BlockCache(0), v: 0, real: 0 });

  const info = shown?.info ?? null;
  const total = info?.total ?? 0;
  const g: Geometry = { total, rowHeight: ROW_HEIGHT, viewport };
  const st = state.current;
  // A new grid: a new cache, the top, no highlight.
  if (shown && st.gen !== shown.gen) {
    st.gen = shown.gen;
    st.cache = new BlockCache(total);
    st.v = 0;
    st.real = 0;
  }
  useLayoutEffect(() => {
    setV((n) => n + 1);
    setSel(null);
    setPop(null);
    if (bar.current) {
      bar.current.scrollTop = 0;
      st.real = bar.current.scrollTop;
    }
  }, [shown?.gen]);

  // The rows area's height follows the grid's (the window's).
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => {
      const h = head.current?.offsetHeight ?? 45;
      setHeadHeight(h);
      setViewport(Math.max(ROW_HEIGHT, el.clientHeight - h));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  /** Shows virtual position `to`: the rows are drawn there and the scrollbar follows (scaled). */
  const scrollTo = (to: number) => {
    const nv = clampVirtual(g, to);
    st.v = nv;
    const el = bar.current;
    if (el) {
      el.scrollTop = toReal(g, nv);
      st.real = el.scrollTop;
    }
    setV((n) => n + 1);
  };

  /** The scrollbar moved: by the user (a new position), or by `scrollTo` (its exact position kept). */
  const onBar = () => {
    const el = bar.current;
    if (!el) return;
    const s = el.scrollTop;
    if (Math.abs(s - st.real) < 1) return;
    if (pop && !pop.pinned) setPop(null);
    st.real = s;
    st.v = toVirtual(g, s);
    setV((n) => n + 1);
  };

  // The wheel moves the rows by its pixels (the scrollbar is scaled for millions of rows); at
  // either end it is left to the page. Sideways, the grid scrolls natively.
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const wheel = (e: WheelEvent) => {
      if (e.deltaY === 0) return;
      const unit = e.deltaMode === 1 ? ROW_HEIGHT : e.deltaMode === 2 ? g.viewport : 1;
      const next = clampVirtual(g, st.v + e.deltaY * unit);
      if (next === st.v) return;
      e.preventDefault();
      if (e.deltaX !== 0 && box.current) box.current.scrollLeft += e.deltaX * unit;
      if (pop && !pop.pinned) setPop(null);
      scrollTo(next);
    };
    el.addEventListener("wheel", wheel, { passive: false });
    return () => el.removeEventListener("wheel", wheel);
  });

  // A jump: the row at the top, highlighted.
  useLayoutEffect(() => {
    if (!reveal || !shown || reveal.gen !== shown.gen || reveal.row >= total) return;
    setSel(reveal.row);
    scrollTo(rowAtTop(g, reveal.row));
  }, [reveal?.seq]);

  // The position drawn is the one kept in `state` (a new grid has reset it during this render).
  const win = rowWindow(g, st.v);
  const vis = visibleRows(g, st.v);

  // Fetch the blocks the drawn rows need (and the next ones around), nearest first.
  const pump = () => {
    if (!shown || run || total === 0) return;
    const cache = st.cache;
    const gen = shown.gen;
    const centre = visibleRows(g, st.v).first;
    const margin = Math.floor(BLOCK / 8);
    for (const b of cache.wanted(win.first - margin, win.last + margin, centre)) {
      if (cache.inFlight >= PARALLEL) break;
      const { offset, limit } = cache.range(b);
      cache.ask(b);
      const started = performance.now();
      api.gridRows(shown.request, offset, limit).then(
        (page) => {
          if (state.current.gen !== gen) return;
          note(timings.pages, { offset, limit, ms: performance.now() - started });
          cache.put(b, page.rows, visibleRows(g, state.current.v).first);
          setTick((t) => t + 1);
        },
        (e) => {
          if (state.current.gen !== gen) return;
          cache.fail(b);
          paging.fail(e);
          setTick((t) => t + 1);
        },
      );
    }
  };
  useEffect(pump);
  // Dismissing a read error retries its blocks.
  const pagingError = paging.error.value;
  useEffect(() => {
    if (pagingError === null) {
      st.cache.retry();
      pump();
    }
  }, [pagingError]);

  // Popovers close on a click elsewhere and on Escape.
  useEffect(() => {
    if (!pop) return;
    const down = (e: MouseEvent) => {
      const t = e.target as HTMLElement | null;
      if (t?.closest(".grid-pop") || t?.closest(`[data-opens="${pop.kind}:${pop.column}"]`)) return;
      setPop(null);
    };
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape") setPop(null);
    };
    document.addEventListener("mousedown", down);
    document.addEventListener("keydown", key);
    const content = document.querySelector(".content");
    const away = () => setPop(null);
    content?.addEventListener("scroll", away);
    return () => {
      document.removeEventListener("mousedown", down);
      document.removeEventListener("keydown", key);
      content?.removeEventListener("scroll", away);
    };
  }, [pop]);

  const columns = info?.columns ?? [];
  const widths = columns.map((c) => columnWidth(c.kind, c.name));
  const width = widths.reduce((a, b) => a + b, 0);
  const template = widths.map((w) => `${w}px`).join(" ");
  const frozenLeft = [0, widths[0] ?? 0];

  const move = (row: number) => {
    setSel(row);
    scrollTo(revealRow(g, st.v, row));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "c") {
      const selection = document.getSelection();
      if (sel !== null && (!selection || selection.isCollapsed)) {
        const row = st.cache.row(sel);
        if (row) {
          e.preventDefault();
          void navigator.clipboard.writeText(cellsText([row.map((text) => ({ text }))]));
          setCopied(`Copied row ${int(sel + 1)}`);
          window.setTimeout(() => setCopied(null), 1600);
        }
      }
      return;
    }
    // Ctrl+Home and Ctrl+End go to the ends as Home and End do.
    const to = moveKey(e.key, sel, total, Math.max(1, pageRows(g) - 1));
    if (to === null) return;
    e.preventDefault();
    move(to);
  };

  const openPop = (kind: Popover["kind"], column: string, target: HTMLElement, pinned: boolean) => {
    const r = target.getBoundingClientRect();
    const w = kind === "filter" ? 320 : 260;
    setPop({ kind, column, pinned, x: Math.max(8, Math.min(r.left, window.innerWidth - w - 12)), y: r.bottom + 4 });
  };

  const sort = shown?.view.sort ?? null;
  const filtered = new Set(shown?.view.filters.map((f) => f.column) ?? []);
  const rows: ComponentChildren[] = [];
  for (let i = win.first; i < win.last; i++) {
    const row = st.cache.row(i);
    rows.push(
      <div role="row" key={i} class={`grow ${row ? "loaded" : "pending"} ${i === sel ? "sel" : ""} ${i % 2 === 1 ? "odd" : ""}`}
        data-row={i} aria-rowindex={i + 2} aria-selected={i === sel} onMouseDown={() => setSel(i)}>
        {columns.map((c, j) => (row ? <Cell key={j} col={c} j={j} text={row[j] ?? ""} /> : <div key={j} role="gridcell" class={`gc ${j < 2 ? `fz fz${j}` : ""}`}><span class="ph" /></div>))}
      </div>,
    );
  }

  const popColumn = pop ? columns.find((c) => c.name === pop.column) ?? null : null;
  const current = pop && shown ? shown.view.filters.find((f) => f.column === pop.column) ?? null : null;

  return (
    <>
      <Outcome action={paging} id="grid-rows" errorsOnly />
      <div class={`grid-wrap ${run ? "running" : ""}`}>
        <div class="grid-frame" ref={frame}>
          <div class="grid" id="grid" role="grid" tabIndex={0} ref={box} aria-rowcount={total + 1} aria-colcount={columns.length} aria-busy={run !== null}
            aria-label="Exposures" onKeyDown={onKeyDown} onScroll={() => { if (pop && !pop.pinned) setPop(null); }}
            style={{ "--cols": template, "--fz1": `${frozenLeft[1]}px` }}>
            <div class="ghead" role="row" ref={head} style={{ width: `${width}px` }}>
              {columns.map((c, j) => {
                const { group, leaf } = splitName(c.name);
                const arrow = sortArrow(sort, c.name);
                return (
                  <div role="columnheader" key={c.name} data-exact={c.name} class={`gh ${c.kind} ${j < 2 ? `fz fz${j}` : ""} ${arrow ? "sorted" : ""}`} data-column={c.name}
                    aria-sort={arrow === "▲" ? "ascending" : arrow === "▼" ? "descending" : "none"}
                    onClick={(e) => { if (!(e.target as HTMLElement).closest(".gh-info, .gh-filter")) onSort(c.name); }}>
                    <div class="gh-top">
                      <span class="gh-group" title={`${c.name}\nClick to sort: ascending, descending, none`}>{group}</span>
                      <button class="gh-info" aria-label={`Profile of ${c.name}`} data-opens={`profile:${c.name}`}
                        onMouseEnter={(e) => { if (!pop || !pop.pinned) openPop("profile", c.name, e.currentTarget, false); }}
                        onMouseLeave={() => { setPop((p) => (p && !p.pinned && p.kind === "profile" ? null : p)); }}
                        onClick={(e) => { const same = pop?.kind === "profile" && pop.column === c.name && pop.pinned; if (same) setPop(null); else openPop("profile", c.name, e.currentTarget, true); }}>
                        <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="none" stroke="currentColor" stroke-width="1.1" /><path d="M6 5.2v3.6" stroke="currentColor" stroke-width="1.3" stroke-linecap="round" /><circle cx="6" cy="3.4" r=".75" fill="currentColor" /></svg>
                      </button>
                      <button class={`gh-filter ${filtered.has(c.name) ? "active" : ""}`} aria-label={`Filter ${c.name}`} title={filtered.has(c.name) ? `Filtered: change or remove the filter on ${c.name}` : `Filter ${c.name}`}
                        data-opens={`filter:${c.name}`}
                        onClick={(e) => { if (pop?.kind === "filter" && pop.column === c.name) setPop(null); else openPop("filter", c.name, e.currentTarget, true); }}>
                        <svg width="11" height="11" viewBox="0 0 12 12" aria-hidden="true"><path d="M1 2h10L7.2 6.6V10.5L4.8 9.3V6.6z" fill={filtered.has(c.name) ? "currentColor" : "none"} stroke="currentColor" stroke-width="1.1" stroke-linejoin="round" /></svg>
                      </button>
                    </div>
                    <button class="gh-sort" aria-label={`Sort by ${c.name}`} title={`${c.name}\nClick to sort: ascending, descending, none`}>
                      {c.kind === "number" ? <span class="gh-arrow" aria-hidden="true">{arrow}</span> : null}
                      <span class="gh-leaf">{leaf}</span>
                      {c.kind !== "number" ? <span class="gh-arrow" aria-hidden="true">{arrow}</span> : null}
                    </button>
                  </div>
                );
              })}
            </div>
            <div class="gbody" style={{ height: `${viewport}px`, width: `${width}px` }}>
              <div class="grows" style={{ transform: `translateY(${-win.offset}px)` }}>{rows}</div>
            </div>
          </div>
          <div class="vbar" ref={bar} onScroll={onBar} style={{ marginTop: `${headHeight}px`, height: `${viewport}px` }} aria-hidden="true">
            <div style={{ height: `${realHeight(g)}px` }} />
          </div>
        </div>
        {run
          ? <div class="grid-overlay run" id="grid-running" role="status">
              <RunNote label={run.label} job={run.job} />
            </div>
          : shown && total === 0
            ? <div class="grid-overlay" id="grid-empty" role="status">
                <div class="grid-note">
                  {shown.view.filters.length > 0 || shown.view.search
                    ? <><strong>No rows match the filters</strong><span class="muted">{`${int(info?.unfiltered ?? 0)} rows before filters and search`}</span><button id="grid-empty-clear" onClick={onClear}>Clear filters</button></>
                    : <><strong>No rows</strong><span class="muted">The query has no rows in this date range.</span></>}
                </div>
              </div>
            : null}
        <div class="grid-foot">
          <span id="grid-position">{total > 0 ? `Rows ${int(vis.first + 1)}–${int(vis.last + 1)} of ${int(total)}${sel !== null ? ` · row ${int(sel + 1)} highlighted` : ""}` : ""}</span>
          <span class="spacer" />
          <span class="muted" title="With the grid focused: ↑ ↓ PgUp PgDn Home End move the highlighted row; Ctrl+C copies its exact values">{copied ?? "↑ ↓ PgUp PgDn Home End · Ctrl+C copies the row"}</span>
        </div>
        {pop && popColumn && pop.kind === "profile" ? <Profile col={popColumn} total={total} x={pop.x} y={pop.y} /> : null}
        {pop && popColumn && pop.kind === "filter"
          ? <FilterForm key={pop.column} col={popColumn} current={current} x={pop.x} y={pop.y}
              close={() => setPop(null)} apply={(f) => { setPop(null); onFilter(popColumn.name, f); }} />
          : null}
      </div>
    </>
  );
}

/**
 * What a run is doing, with its Cancel. Only this note follows the run's steps (the grid itself
 * does not re-render for them).
 */
function RunNote({ label, job }: { label: string; job: number | null }) {
  const r = job !== null ? running.value.find((x) => x.id === job) ?? null : null;
  const step = r?.step ?? null;
  const pct = step && step.total > 0 ? Math.round((100 * step.done) / step.total) : 0;
  return (
    <div class="grid-note">
      <strong>{`${label}…`}</strong>
      <span class="muted">{step ? `${int(step.done)}/${int(step.total)} dates${step.message ? ` · ${step.message}` : ""}` : "starting"}</span>
      <div class="bar"><div class="fill" style={{ width: `${pct}%` }} /></div>
      <button class="run-cancel" id="grid-cancel" disabled={job === null || r?.cancelling === true} onClick={() => { if (job !== null) cancelJob(job); }}>
        {r?.cancelling ? "Cancelling…" : "Cancel"}
      </button>
    </div>
  );
}

/** A cell: numbers with 4 decimals and their exact value on hover (and in what is copied). */
function Cell({ col, j, text }: { col: GridColumn; j: number; text: string }) {
  const frozen = j < 2 ? ` fz fz${j}` : "";
  if (col.kind === "number") {
    if (text === "") return <div role="gridcell" class={`gc num nil${frozen}`} data-exact="" title="No value">–</div>;
    const shownText = fixedText(text);
    return shownText === text
      ? <div role="gridcell" class={`gc num${frozen}`}>{text}</div>
      : <div role="gridcell" class={`gc num${frozen}`} title={text} data-exact={text}>{shownText}</div>;
  }
  if (col.kind === "category") {
    return text === "" ? <div role="gridcell" class={`gc nil${frozen}`} data-exact="">–</div> : <div role="gridcell" class={`gc${frozen}`} title={text}>{text}</div>;
  }
  return <div role="gridcell" class={`gc ${col.kind}${frozen}`}>{text}</div>;
}

const KINDS: Record<GridColumn["kind"], string> = { date: "date", id: "asset id", number: "number", category: "category" };

/** A column's profile over the rows shown: empty values, range, distinct values. */
function Profile({ col, total, x, y }: { col: GridColumn; total: number; x: number; y: number }) {
  const pct = total > 0 ? ` (${((100 * col.nulls) / total).toFixed(col.nulls > 0 && col.nulls < total / 1000 ? 3 : 1)}%)` : "";
  const num = (s: string | null) => (s === null ? <td>–</td> : <td class="num" title={s} data-exact={s}>{fixed(Number(s))}</td>);
  return (
    <div class="grid-pop profile" id="grid-profile" role="tooltip" style={{ left: `${x}px`, top: `${y}px` }}>
      <div class="pop-title" title={col.name}>{col.name}</div>
      <div class="muted">{`${KINDS[col.kind]} · ${int(total)} rows shown`}</div>
      <table class="compact">
        <tbody>
          <tr><th>With a value</th><td class="num">{int(total - col.nulls)}</td></tr>
          <tr><th>Empty</th><td class="num">{`${int(col.nulls)}${pct}`}</td></tr>
          {col.kind === "number" ? <tr><th>Min</th>{num(col.min)}</tr> : null}
          {col.kind === "number" ? <tr><th>Max</th>{num(col.max)}</tr> : null}
          {col.kind === "date" ? <tr><th>First</th><td class="num">{col.min ?? "–"}</td></tr> : null}
          {col.kind === "date" ? <tr><th>Last</th><td class="num">{col.max ?? "–"}</td></tr> : null}
          {col.distinct !== null
            ? <tr><th>Distinct</th><td class="num">{col.kind === "category" && col.categories.length > 0 ? `${int(col.distinct)} of ${int(col.categories.length)}` : int(col.distinct)}</td></tr>
            : null}
        </tbody>
      </table>
    </div>
  );
}

/** The filter popover of a column: an operator and a value (or two), a checklist of categories, or ids. */
function FilterForm({ col, current, x, y, close, apply }: { col: GridColumn; current: ViewFilter | null; x: number; y: number; close: () => void; apply: (f: ViewFilter | null) => void }) {
  const ops = opsFor(col.kind);
  const [op, setOp] = useState<ViewOp>(current?.op ?? (col.kind === "number" ? "gt" : ops[0].op));
  const [a, setA] = useState(current && current.op !== "one_of" ? current.values[0] ?? "" : "");
  const [b, setB] = useState(current?.op === "between" ? current.values[1] ?? "" : "");
  const [list, setList] = useState(current?.op === "one_of" && col.kind === "id" ? current.values.join("\n") : "");
  const options = col.kind === "category" ? [...col.categories, ""] : [];
  const [ticked, setTicked] = useState<Set<string>>(new Set(current?.op === "one_of" && col.kind === "category" ? current.values : options));
  const [find, setFind] = useState("");
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  // Focus (and select) the value at once, before any key typed reaches it.
  useLayoutEffect(() => {
    first.current?.focus();
    first.current?.select();
  }, [op]);

  const submit = () => {
    if (col.kind === "category" && ticked.size === options.length) {
      apply(null); // every category: no filter
      return;
    }
    const values = col.kind === "category" ? options.filter((o) => ticked.has(o)) : op === "one_of" ? [list] : op === "between" ? [a, b] : [a];
    const checked = checkFilter(col.kind, { column: col.name, op, values });
    if ("error" in checked) setError(checked.error);
    else apply(checked.filter);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Enter" && !(e.target instanceof HTMLTextAreaElement)) {
      e.preventDefault();
      submit();
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  };
  const needsValue = op !== "empty" && op !== "not_empty" && op !== "one_of";
  const placeholder = col.kind === "date" ? "YYYY-MM-DD" : col.kind === "number" ? "a number" : "text";
  const shownOptions = options.filter((o) => (o === "" ? "(none)" : o).toLowerCase().includes(find.trim().toLowerCase()));
  return (
    <div class="grid-pop filter" id="grid-filter" role="dialog" aria-label={`Filter ${col.name}`} style={{ left: `${x}px`, top: `${y}px` }} onKeyDown={onKey}>
      <div class="pop-title" title={col.name}>{`Filter ${col.name}`}</div>
      {col.kind !== "category"
        ? <div class="ops" role="radiogroup" aria-label="Operator">
            {ops.map((o) => (
              <button key={o.op} type="button" role="radio" aria-checked={op === o.op} class={op === o.op ? "on" : ""} id={`grid-filter-op-${o.op}`}
                onClick={() => { setOp(o.op); setError(null); }}>{o.label}</button>
            ))}
          </div>
        : null}
      {needsValue
        ? <div class="values">
            <input id="grid-filter-value" ref={first} value={a} placeholder={op === "between" ? `from (${placeholder})` : placeholder} spellcheck={false} autocomplete="off"
              onInput={(e) => { setA(e.currentTarget.value); setError(null); }} />
            {op === "between"
              ? <input id="grid-filter-value2" value={b} placeholder={`to (${placeholder})`} spellcheck={false} autocomplete="off"
                  onInput={(e) => { setB(e.currentTarget.value); setError(null); }} />
              : null}
          </div>
        : null}
      {col.kind !== "category" && needsValue && (col.min || col.max)
        ? <div class="muted small">{`Shown rows range from ${col.kind === "number" ? fixed(Number(col.min)) : col.min} to ${col.kind === "number" ? fixed(Number(col.max)) : col.max}`}</div>
        : null}
      {col.kind === "id" && op === "one_of"
        ? <textarea id="grid-filter-list" rows={4} value={list} placeholder="Paste ids: one per line, or separated by commas or spaces" spellcheck={false}
            onInput={(e) => { setList(e.currentTarget.value); setError(null); }} />
        : null}
      {col.kind === "category"
        ? <div class="cats">
            {options.length > 10
              ? <input id="grid-filter-find" ref={first} value={find} placeholder={`Find among ${options.length - 1} ${col.name === "region" ? "regions" : col.name === "industry" ? "industries" : "categories"}`} onInput={(e) => setFind(e.currentTarget.value)} />
              : null}
            <div class="catlinks">
              <button type="button" class="link" onClick={() => setTicked(new Set([...ticked, ...shownOptions]))}>{find ? "Tick these" : "All"}</button>
              <button type="button" class="link" onClick={() => setTicked(new Set([...ticked].filter((t) => !shownOptions.includes(t))))}>{find ? "Untick these" : "None"}</button>
              <span class="muted">{`${ticked.size} of ${options.length} ticked`}</span>
            </div>
            <div class="catlist">
              {shownOptions.map((o) => (
                <label class="check" key={o} title={o === "" ? "Rows without one" : o}>
                  <input type="checkbox" id={`grid-filter-cat-${options.indexOf(o)}`} checked={ticked.has(o)}
                    onChange={(e) => { const next = new Set(ticked); if (e.currentTarget.checked) next.add(o); else next.delete(o); setTicked(next); setError(null); }} />
                  {o === "" ? <em>(none)</em> : o}
                </label>
              ))}
            </div>
          </div>
        : null}
      {error ? <div class="pop-error" id="grid-filter-error" role="alert">{error}</div> : null}
      <div class="pop-actions">
        {current ? <button type="button" id="grid-filter-remove" onClick={() => apply(null)}>Remove filter</button> : null}
        <span class="spacer" />
        <button type="button" onClick={close}>Cancel</button>
        <button type="button" class="primary" id="grid-filter-apply" onClick={submit}>Apply</button>
      </div>
    </div>
  );
}
