// Components shared by the screens: an action's outcome (done line and error box), the progress
// bar, the confirmation dialog, the startup notice, form controls that keep their DOM element
// across updates, the Float32 cell, and the copy handler for tables.
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { UiError } from "./api";
import type { Action } from "./action";
import { cellsText, type CopiedCell } from "./copy";
import { errorView, moreLine } from "./errors";
import { bytes, f32, fixed, int, isIsoDate } from "./format";
import { cancelJob, shown } from "./jobs";
import { confirm, notice } from "./store";

/** An error with its code, the first detail lines, a count of the rest, and Copy details (every line). */
function ErrorBox({ error, id, onDismiss }: { error: UiError; id?: string; onDismiss: () => void }) {
  const v = errorView(error);
  const more = moreLine(v, error.details.length);
  return (
    <div class="error" role="alert" id={id}>
      <strong>{v.title}</strong>
      <pre>{[...v.shown, ...(more ? [more] : [])].join("\n")}</pre>
      <button onClick={() => void navigator.clipboard.writeText(v.all)}>Copy details</button>
      <button onClick={onDismiss}>Dismiss</button>
    </div>
  );
}

/**
 * What an action left: the line saying what its last run did and its error, placed next to the
 * button that started it. Ids: `${id}-done` and `${id}-error`.
 */
export function Outcome({ action, id, errorsOnly }: { action: Action; id: string; errorsOnly?: boolean }) {
  const done = errorsOnly ? null : action.done.value;
  const error = action.error.value;
  return (
    <>
      {done !== null && !error ? <p class="done" id={`${id}-done`} role="status">{done}</p> : null}
      {error ? <ErrorBox error={error} id={`${id}-error`} onDismiss={() => (action.error.value = null)} /> : null}
    </>
  );
}

/**
 * How far a step is: bytes for an upload ("12.3 MB of 78.0 MB"), a percentage for a server's
 * task ("6%"), else a count ("12/31").
 */
function stepCount(s: { phase: string; done: number; total: number }): string {
  if (s.phase === "upload") return `${bytes(s.done)} of ${bytes(s.total)}`;
  if (s.phase === "server") return `${int(s.done)}%`;
  return `${int(s.done)}/${int(s.total)}`;
}

/** The progress bar of the latest run; it overlays the top of the screen instead of pushing it down. */
export function ProgressBar() {
  const run = shown.value;
  if (!run) return null;
  const s = run.step;
  const pct = s && s.total > 0 ? Math.round((100 * s.done) / s.total) : 0;
  return (
    <div class="progress-slot">
      <div class="progress" id="progress" data-job={run.id}>
        <div class="label">{`${run.label}… ${s ? `${stepCount(s)} ${s.message}` : ""}`}</div>
        <div class="bar"><div class="fill" style={{ width: `${pct}%` }} /></div>
        {run.cancellable
          ? <button id="cancel-job" disabled={run.cancelling} onClick={() => cancelJob(run.id)}>{run.cancelling ? "Cancelling…" : "Cancel"}</button>
          : <span />}
      </div>
    </div>
  );
}

/** The in-app confirmation dialog (Escape or a click outside cancels). */
export function ConfirmDialog() {
  const c = confirm.value;
  const button = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const typedField = useRef<HTMLInputElement>(null);
  const [ticked, setTicked] = useState(false);
  const [typed, setTyped] = useState("");
  // A new question starts unticked and untyped, with the safe choice focused: what destroys or
  // goes over failures is never one Enter away. (Focused as the dialog is put in the page, before
  // any key reaches the button that opened it.)
  useLayoutEffect(() => {
    setTicked(false);
    setTyped("");
    if (c) (c.typed !== undefined ? typedField : c.danger || c.acknowledge ? cancel : button).current?.focus();
  }, [c]);
  if (!c) return null;
  const close = () => (confirm.value = null);
  const ready = (!c.acknowledge || ticked) && (c.typed === undefined || typed === c.typed);
  const go = () => {
    if (!ready) return;
    confirm.value = null;
    c.run();
  };
  return (
    <div class="overlay" onClick={(e) => { if (e.target === e.currentTarget) close(); }} onKeyDown={(e) => { if (e.key === "Escape") close(); }}>
      <div class={c.table || c.list ? "dialog wide" : "dialog"} role="dialog" aria-modal="true" aria-labelledby="confirm-title">
        <h2 id="confirm-title">{c.title}</h2>
        <p id="confirm-text">{c.text}</p>
        {c.table
          ? <div class="tablewrap dialogtable">
              <table id="confirm-table">
                <thead><tr>{c.table.head.map((h) => <th key={h}>{h}</th>)}</tr></thead>
                <tbody>{c.table.rows.map((r, i) => <tr key={i}>{r.map((cell, j) => <td key={j}>{cell}</td>)}</tr>)}</tbody>
              </table>
              {c.table.more ? <p class="muted">{c.table.more}</p> : null}
            </div>
          : null}
        {c.list
          ? <div class="dialoglist" id="confirm-list">
              <h3>{c.list.head}</h3>
              <ul>{c.list.lines.map((line, i) => <li key={i}>{line}</li>)}</ul>
            </div>
          : null}
        {c.acknowledge
          ? <label class="acknowledge">
              <input type="checkbox" id="confirm-ack" checked={ticked} onChange={(e) => setTicked(e.currentTarget.checked)} />
              {c.acknowledge}
            </label>
          : null}
        {c.typed !== undefined
          ? <label class="typed">
              {"Type "}<code>{c.typed}</code>{" to confirm:"}
              <input id="confirm-typed" ref={typedField} value={typed} spellcheck={false} autocomplete="off"
                onInput={(e) => setTyped(e.currentTarget.value)}
                onKeyDown={(e) => { if (e.key === "Enter") go(); }} />
            </label>
          : null}
        <div class="actions right">
          <button id="confirm-cancel" ref={cancel} onClick={close}>Cancel</button>
          <button class={c.danger ? "primary danger" : "primary"} id="confirm" ref={button} disabled={!ready} onClick={go}>{c.action}</button>
        </div>
      </div>
    </div>
  );
}

/** The shell's notice after it reloaded the page (the web process had crashed). */
export function StartupNotice() {
  const text = notice.value;
  if (!text) return null;
  return (
    <div class="notice" role="status" id="startup-notice">
      <span>{text}</span>
      <button id="dismiss-notice" onClick={() => (notice.value = null)}>Dismiss</button>
    </div>
  );
}

interface Option { value: string; label?: string }

/** A drop-down that stays the same element across updates (its value follows `value`). */
/** A form's row: its label, the control, and a muted hint after it (`top`: label at the top). */
export function Row({ label, children, hint, top, htmlFor }: { label: string; children: ComponentChildren; hint?: ComponentChildren; top?: boolean; htmlFor?: string }) {
  return (
    <div class={top ? "formrow top" : "formrow"}>
      <label for={htmlFor}>{label}</label>
      {children}
      {hint ? <span class="muted">{hint}</span> : null}
    </div>
  );
}

export function Select({ id, value, options, onChange, label }: { id?: string; value: string; options: Option[]; onChange: (v: string) => void; label?: string }) {
  return (
    <select id={id} value={value} aria-label={label} onChange={(e) => onChange(e.currentTarget.value)}>
      {options.map((o) => <option key={o.value} value={o.value}>{o.label ?? o.value}</option>)}
    </select>
  );
}

/**
 * A date field that reads and writes YYYY-MM-DD whatever the system's locale: a text input the
 * user types into (committed on change when it is a real date, or empty), and a calendar button
 * that opens the browser's date picker (a hidden date input) and writes its choice back. The
 * component never re-renders the text while the user types; a new `value` from outside is
 * written to it only when it differs. `onCommit` gets each complete date (or "" when cleared).
 */
export function DateInput({ id, value, onCommit, min, max, label, disabled, title }: { id?: string; value: string; onCommit: (v: string) => void; min?: string; max?: string; label?: string; disabled?: boolean; title?: string }) {
  const text = useRef<HTMLInputElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [invalid, setInvalid] = useState(false);
  useLayoutEffect(() => {
    const el = text.current;
    if (el && el.value !== value) el.value = value;
    if (picker.current) picker.current.value = value;
    setInvalid(false);
  }, [value]);
  const commit = (v: string) => {
    const ok = v === "" || isIsoDate(v);
    setInvalid(!ok);
    if (ok) onCommit(v);
  };
  return (
    <span class="datefield">
      <input type="text" class={invalid ? "date invalid" : "date"} id={id} ref={text} aria-label={label} aria-invalid={invalid}
        placeholder="YYYY-MM-DD" maxLength={10} spellcheck={false} autocomplete="off" disabled={disabled} title={title ?? (min && max ? `${min} to ${max}` : "YYYY-MM-DD")}
        onChange={(e) => commit(e.currentTarget.value.trim())} />
      <button type="button" class="calendar" aria-label={`Choose ${label ?? "a date"}`} title={title ?? "Choose a date"} disabled={disabled}
        onClick={() => {
          const p = picker.current;
          if (!p) return;
          p.value = text.current?.value && isIsoDate(text.current.value) ? text.current.value : value;
          try {
            p.showPicker();
          } catch {
            p.focus();
          }
        }}>
        <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.3">
          <rect x="1.5" y="2.5" width="11" height="10" rx="1.5" /><path d="M1.5 5.5h11M4.5 1v3M9.5 1v3" />
        </svg>
      </button>
      <input type="date" class="datepicker" ref={picker} tabIndex={-1} aria-hidden="true" min={min} max={max}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (text.current) text.current.value = v;
          commit(v);
        }} />
    </span>
  );
}

/** A Float32 cell: fixed decimals, right-aligned; the exact value in the title and in what is copied. */
export function F32Cell({ value }: { value: number | null }) {
  const exact = f32(value);
  return <td class="num" title={exact} data-exact={exact}>{fixed(value)}</td>;
}

/**
 * Copying cells of a table (or of a data grid, `role="grid"`) copies their exact values (a cell's
 * data-exact, else its text), tab-separated, one line per row; tick boxes are left out.
 * Selections outside tables copy as usual.
 */
export function installTableCopy() {
  document.addEventListener("copy", (e) => {
    const sel = document.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0 || !e.clipboardData) return;
    const node = sel.getRangeAt(0).commonAncestorContainer;
    const table = (node instanceof Element ? node : node.parentElement)?.closest("table, [role=grid]");
    if (!table) return;
    const rows: CopiedCell[][] = [];
    const lines: HTMLElement[][] = table instanceof HTMLTableElement
      ? Array.from(table.rows).map((tr) => Array.from(tr.cells))
      : Array.from(table.querySelectorAll<HTMLElement>("[role=row]")).map((r) => Array.from(r.querySelectorAll<HTMLElement>("[role=gridcell], [role=columnheader]")));
    for (const line of lines) {
      const cells = line.filter((c) => !c.classList.contains("tick") && sel.containsNode(c, true));
      if (cells.length > 0) rows.push(cells.map((c) => ({ text: (c.textContent ?? "").trim(), exact: c.dataset.exact ?? null })));
    }
    if (rows.length === 0) return;
    e.clipboardData.setData("text/plain", cellsText(rows));
    e.preventDefault();
  });
}
