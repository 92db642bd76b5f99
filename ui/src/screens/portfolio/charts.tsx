// The Portfolio risk screen's charts, drawn here as SVG (they answer clicks and keys): figures
// over the run's dates on a calendar axis with a read-out and the date picked, and horizontal
// bars on a shared percent axis for the contributions' drill-down and the exposures.
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { dateTicks, dayNumber, linePath, nearest, niceAxis, percentTick, scale, type Axis } from "../../plot";

/** A tick label for a value on an axis of step `step`. */
export type TickFormat = (v: number, step: number) => string;

/** The engine charts' palette, so that the screens' colours agree. */
export const PALETTE = ["#2457c5", "#c4320a", "#067647", "#7a2e98", "#101828", "#0e7090", "#c11574", "#98a2b3"];

/** The width of an element in CSS pixels, following resizes. */
function useWidth<T extends HTMLElement>(fallback: number): [preact.RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** One line of a series chart. */
export interface Line { key: string; label: string; colour: string; values: (number | null)[]; dashed?: boolean; thick?: boolean }

interface SeriesProps {
  id: string;
  title: string;
  dates: string[];
  lines: Line[];
  /** The date shown in the rest of the screen (marked), as an index into `dates`. */
  selected: number | null;
  /** Click, ←/→, Home and End pick a date. */
  onPick?: (i: number) => void;
  /** What a value means, for the read-out and the axis (e.g. "annualised volatility"). */
  unit: string;
  extra?: ComponentChildren;
  /** SVG pixels; 230 by default. */
  height?: number;
}

const M = { left: 50, right: 14, top: 10, bottom: 26 };

/** Values over the run's dates on a calendar axis, percent on the y axis, with a read-out of the date under the pointer. */
export function SeriesChart({ id, title, dates, lines, selected, onPick, unit, extra, height: HEIGHT = 230 }: SeriesProps) {
  const [box, width] = useWidth<HTMLDivElement>(480);
  const [hover, setHover] = useState<number | null>(null);
  const days = dates.map(dayNumber);
  const [d0, d1] = [days[0] ?? 0, days[days.length - 1] ?? 0];
  const right = width - M.right;
  const bottom = HEIGHT - M.bottom;
  const values = lines.flatMap((l) => l.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const y: Axis = niceAxis(Math.min(0, ...values), Math.max(0, ...values), 4, true);
  const xOf = (day: number) => (d1 === d0 ? (M.left + right) / 2 : scale(day, d0, d1, M.left, right));
  const yOf = (v: number) => scale(v, y.lo, y.hi, bottom, M.top);
  const xs = days.map(xOf);
  const ticks = dateTicks(d0, d1, Math.floor((right - M.left) / 78));
  const at = (e: MouseEvent) => {
    const rect = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
    const x = ((e.clientX - rect.left) * width) / Math.max(rect.width, 1);
    return x < M.left - 6 || x > right + 6 ? null : nearest(xs, x);
  };
  const readout = (i: number) =>
    `${dates[i]} · ${lines.map((l) => `${l.label} ${l.values[i] === null ? "–" : percentTick(l.values[i] as number, 0.0001)}`).join(" · ")}`;
  const shown = hover ?? selected;
  return (
    <figure class={`chart series ${onPick ? "pickable" : ""}`} id={id} tabIndex={onPick ? 0 : undefined} aria-label={`${title}; ←/→ pick a date`}
      onKeyDown={(e) => {
        if (!onPick || dates.length === 0) return;
        const cur = selected ?? dates.length - 1;
        const next = e.key === "ArrowLeft" ? cur - 1 : e.key === "ArrowRight" ? cur + 1 : e.key === "Home" ? 0 : e.key === "End" ? dates.length - 1 : null;
        if (next === null) return;
        e.preventDefault();
        const i = Math.max(0, Math.min(dates.length - 1, next));
        if (i !== cur) onPick(i);
      }}>
      <figcaption>
        <span class="title">{title}</span>
        <span class="legend">{lines.map((l) => <span key={l.key}><i class={l.dashed ? "dashed" : ""} style={{ background: l.dashed ? undefined : l.colour, borderColor: l.colour }} />{l.label}</span>)}</span>
        {extra}
      </figcaption>
      <div class="svg" ref={box}>
        <svg width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={title}
          onMouseMove={(e) => setHover(at(e))} onMouseLeave={() => setHover(null)}
          onClick={onPick ? (e) => { const i = at(e); if (i !== null && i >= 0) onPick(i); } : undefined}>
          {y.ticks.map((t) => (
            <g key={`y${t}`}>
              <line x1={M.left} x2={right} y1={yOf(t)} y2={yOf(t)} class={t === 0 ? "axisline" : "gridline"} />
              <text x={M.left - 6} y={yOf(t)} class="tick" text-anchor="end" dominant-baseline="middle">{percentTick(t, y.step)}</text>
            </g>
          ))}
          {ticks.map((t) => (
            <g key={`x${t.day}`}>
              <line x1={xOf(t.day)} x2={xOf(t.day)} y1={bottom} y2={bottom + 4} class="axisline" />
              <text x={xOf(t.day)} y={bottom + 16} class="tick" text-anchor={xOf(t.day) > width - 6 * t.label.length ? "end" : "middle"}>{t.label}</text>
            </g>
          ))}
          <line x1={M.left} x2={M.left} y1={M.top} y2={bottom} class="axisline" />
          {[...lines].reverse().map((l) => (
            <path key={l.key} d={linePath(xs, l.values.map((v) => (v === null ? null : yOf(v))))} fill="none" stroke={l.colour}
              stroke-width={l.thick ? 2.2 : 1.5} stroke-dasharray={l.dashed ? "5 4" : undefined} stroke-linejoin="round" />
          ))}
          {dates.length === 1 ? lines.map((l) => (l.values[0] === null ? null : <circle key={l.key} cx={xs[0]} cy={yOf(l.values[0])} r={3.5} fill={l.colour} />)) : null}
          {selected !== null && selected < dates.length ? <line class="selected" x1={xs[selected]} x2={xs[selected]} y1={M.top} y2={bottom} /> : null}
          {shown !== null && shown >= 0 && shown < dates.length
            ? <g>
                {hover !== null ? <line class="cursor" x1={xs[shown]} x2={xs[shown]} y1={M.top} y2={bottom} /> : null}
                {lines.map((l) => (l.values[shown] === null ? null : <circle key={l.key} cx={xs[shown]} cy={yOf(l.values[shown] as number)} r={3} fill="#fff" stroke={l.colour} stroke-width={1.6} />))}
              </g>
            : null}
        </svg>
      </div>
      <div class="readout">{shown !== null && shown >= 0 ? readout(shown) : `Point at a date for its figures (${unit})`}{hover === null && onPick && selected !== null ? " · click or ←/→ to show another date" : ""}</div>
    </figure>
  );
}

/** The percent axis shared by the bar cells of a table: ticks and where a value sits (0–100%). */
export function barAxis(values: number[]): { axis: Axis; at: (v: number) => number } {
  const axis = niceAxis(Math.min(0, ...values), Math.max(0, ...values), 4, true);
  return { axis, at: (v: number) => scale(v, axis.lo, axis.hi, 0, 100) };
}

/** The header of a bar column: the axis' tick labels over their grid lines. */
export function BarHead({ axis, at, label, format = percentTick }: { axis: Axis; at: (v: number) => number; label: string; format?: TickFormat }) {
  return (
    <div class="barhead" aria-label={label}>
      <span class="barlabel">{label}</span>
      <div class="barticks">
        {axis.ticks.map((t) => <span key={t} class="bartick" style={{ left: `${at(t)}%` }}>{format(t, axis.step)}</span>)}
      </div>
    </div>
  );
}

/** A bar cell: grid lines at the ticks, the zero line, and one bar per value (two stacked for a pair). */
export function BarCell({ axis, at, bars, format = (v) => percentTick(v, 0.0001) }: { axis: Axis; at: (v: number) => number; bars: { value: number; colour?: string; title?: string }[]; format?: (v: number) => string }) {
  const zero = at(0);
  const h = bars.length > 1 ? 100 / bars.length : 100;
  return (
    <div class="barcell">
      {axis.ticks.map((t) => <i key={t} class={t === 0 ? "zero" : "grid"} style={{ left: `${at(t)}%` }} />)}
      <div class="bars">{bars.map((b, k) => {
        const x = at(b.value);
        const left = Math.min(zero, x);
        return (
          <b key={k} class={b.value < 0 ? "neg" : "pos"} title={b.title ?? format(b.value)}
            style={{ left: `${left}%`, width: `${Math.max(Math.abs(x - zero), b.value === 0 ? 0 : 0.4)}%`, top: `${k * h}%`, height: `${h}%`, background: b.colour }} />
        );
      })}</div>
    </div>
  );
}
