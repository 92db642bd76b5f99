// Pointer geometry for the engine's SVG charts: which day slot or histogram bin is under the
// pointer. Pure functions, unit-tested.

import type { PlotBox } from "./api";

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
