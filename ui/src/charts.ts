// The engine's SVG charts on the Check screen: the width to draw them at, which day slot,
// histogram bin or heatmap cell is under the pointer, the day a pick lands on and a heatmap
// cell's read-out. Pure functions, unit-tested.
import type { Heatmap, PlotBox } from "./bindings";

/** A chart's width in SVG pixels in a content area `contentWidth` wide: one of two columns, so that text is drawn at its size. */
export function chartWidth(contentWidth: number): number {
  const inner = Math.min(contentWidth - 64, 1840);
  return Math.max(360, Math.floor((inner - 14) / 2 - 26));
}

/** The SVG x coordinate of a pointer at `clientX` over an SVG drawn `drawnWidth` wide from `left`. */
export function svgX(clientX: number, left: number, drawnWidth: number, svgWidth: number): number {
  return drawnWidth > 0 ? ((clientX - left) * svgWidth) / drawnWidth : 0;
}

/** Which of `n` equal slots across the plot box holds `x` (SVG pixels); null outside the box. */
export function slotAt(plot: PlotBox, n: number, x: number): number | null {
  if (n <= 0 || x < plot.left || x > plot.right || plot.right <= plot.left) return null;
  return Math.min(n - 1, Math.floor(((x - plot.left) / (plot.right - plot.left)) * n));
}

/** The centre of slot `i` of `n`, as a fraction of the SVG's width (for placing a marker). */
export function slotCentre(plot: PlotBox, n: number, i: number, svgWidth: number): number {
  return (plot.left + ((i + 0.5) * (plot.right - plot.left)) / n) / svgWidth;
}

/** Which of `n` equal rows across the plot box holds `y` (SVG pixels); null outside the box. */
export function rowAt(plot: PlotBox, n: number, y: number): number | null {
  if (n <= 0 || y < plot.top || y > plot.bottom || plot.bottom <= plot.top) return null;
  return Math.min(n - 1, Math.floor(((y - plot.top) / (plot.bottom - plot.top)) * n));
}

/**
 * The day picking slot `i` (from slot `from`) selects among the calendar `days`: slot `i`'s day
 * when it is one of the `dates` with data, else the next one with data in the direction of
 * travel; null when there is none that way.
 */
export function dayWithData(days: string[], dates: string[], from: number, i: number): string | null {
  const step = i >= from ? 1 : -1;
  for (let j = Math.max(0, Math.min(days.length - 1, i)); j >= 0 && j < days.length; j += step) {
    if (dates.includes(days[j])) return days[j];
  }
  return null;
}

/** The read-out of a heatmap's cell at row `r` (a factor) and column `c` (a day). */
export function heatReadout(hm: Heatmap, r: number, c: number): string {
  const v = hm.values[r]?.[c];
  const what = v === null || v === undefined
    ? "no data"
    : hm.metric === "missing" ? `${(100 * v).toFixed(1)}% without a value` : `|mean| + |std − 1| = ${v.toFixed(3)}`;
  return `${hm.days[c]} · ${hm.factors[r]} · ${what}`;
}
