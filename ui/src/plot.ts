// The scales and axes of the charts the UI draws itself (the Portfolio risk screen's series and
// bars): round tick steps, percent labels, a calendar axis whose ticks are days, months or
// quarters as the span asks, and the date nearest the pointer. Pure functions, unit-tested.

/** A linear axis: its rounded ends and the ticks between them. */
export interface Axis { lo: number; hi: number; step: number; ticks: number[] }

/** A round step (1, 2, 2.5 or 5 × 10^k) giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * An axis over `lo`..`hi` with about `count` round intervals, its ends widened to whole steps.
 * With `zero` the axis includes 0 (bars start there). An empty span gets a span around its value.
 */
export function niceAxis(lo: number, hi: number, count = 5, zero = false): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (zero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const d = lo === 0 ? 1 : Math.abs(lo) / 2;
    [lo, hi] = zero && lo >= 0 ? [0, hi + d] : zero ? [lo - d, 0] : [lo - d, hi + d];
  }
  const step = niceStep(hi - lo, count);
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; first + i * step <= last + step * 1e-9; i++) ticks.push(clean(first + i * step, step));
  return { lo: clean(first, step), hi: clean(last, step), step, ticks };
}

/** `v` without the float noise of adding steps (0.30000000000000004 → 0.3). */
function clean(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  const r = Number(v.toFixed(Math.min(digits, 15)));
  return r === 0 ? 0 : r;
}

/** The fewest decimals (up to 6) that write multiples of `step` exactly (0.25 → 2, 5 → 0). */
export function stepDecimals(step: number): number {
  const s = Math.abs(step);
  if (!(s > 0) || !Number.isFinite(s)) return 0;
  for (let d = 0; d < 6; d++) {
    const scaled = s * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 6;
}

/** Decimals that write ticks `step` apart exactly when shown as percentages (0.025 → 1: "2.5%"). */
export function percentDecimals(step: number): number {
  return Math.min(4, stepDecimals(step * 100));
}

/** A fraction as a percentage tick label: 0.125 → "12.5%" (decimals from the axis' step). */
export function percentTick(v: number, step: number): string {
  const d = percentDecimals(step);
  const s = (v * 100).toFixed(d);
  return `${/^-0(\.0*)?$/.test(s) ? s.slice(1) : s}%`;
}

/** A number as a tick label with the decimals its axis' step needs: 0.25 with step 0.05 → "0.25". */
export function numberTick(v: number, step: number): string {
  const s = v.toFixed(stepDecimals(step));
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Maps `v` from `lo`..`hi` onto `a`..`b` (a constant domain maps to the middle). */
export function scale(v: number, lo: number, hi: number, a: number, b: number): number {
  return hi === lo ? (a + b) / 2 : a + ((v - lo) * (b - a)) / (hi - lo);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return Math.round(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000);
}

/** The `YYYY-MM-DD` date of a day number. */
export function dayDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** A tick of a calendar axis: its day number and label. */
export interface DateTick { day: number; label: string }

/**
 * Ticks of a calendar axis from day `first` to day `last` with at most `max` labels: days
 * ("2025-05-02"), or the first of every 1, 2, 3 or 6 months ("2025-06"), or of every year,
 * the finest step that fits.
 */
export function dateTicks(first: number, last: number, max: number): DateTick[] {
  max = Math.max(2, max);
  const span = last - first;
  if (span < 0) return [];
  for (const every of [1, 2, 7, 14]) {
    if (Math.floor(span / every) + 1 <= max && span <= 62) {
      const ticks: DateTick[] = [];
      for (let d = first; d <= last; d += every) ticks.push({ day: d, label: dayDate(d) });
      return ticks;
    }
  }
  const start = dayDate(first);
  const [y0, m0] = [Number(start.slice(0, 4)), Number(start.slice(5, 7)) - 1];
  for (const every of [1, 2, 3, 6, 12]) {
    const ticks: DateTick[] = [];
    // The first month start on or after `first` that is a multiple of `every` (months from January).
    let month = y0 * 12 + m0 + (dayDate(first).slice(8) === "01" ? 0 : 1);
    month = Math.ceil(month / every) * every;
    for (; ; month += every) {
      const day = Math.round(Date.UTC(Math.floor(month / 12), month % 12, 1) / 86_400_000);
      if (day > last) break;
      ticks.push({ day, label: every === 12 ? dayDate(day).slice(0, 4) : dayDate(day).slice(0, 7) });
    }
    if (ticks.length <= max) return ticks;
  }
  return [];
}

/** The index of the value of the ascending `xs` nearest to `x` (-1 when `xs` is empty). */
export function nearest(xs: number[], x: number): number {
  if (xs.length === 0) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[hi] - x) < Math.abs(x - xs[lo]) ? hi : lo;
}

/** An SVG path through the points, broken where a value is missing (null or not finite). */
export function linePath(xs: number[], ys: (number | null)[]): string {
  let d = "";
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (y === null || y === undefined || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${xs[i].toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}
