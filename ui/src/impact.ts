// The Check screen's Model impact: which risk models read the dataset, and the engine's
// `ModelImpact` arranged for reading: per date and factor the change in factor return (in basis
// points of a daily return) and t-stat, largest first; the dates' fit; the summary; the saved
// portfolios' risk. Pure functions, unit-tested; the figures are printed with the CLI's decimals
// (`riskdesk upload impact`): factor returns 2 decimals of a basis point (the CLI's 6 of a return),
// t-stats 3, R² 6, risk 4 decimals of a percent.
import type { ModelImpact, RiskModelInfo } from "./bindings";

/** Basis points in a return. */
export const BP = 10_000;

/** `n` with `decimals` decimals, the exact value rounded (not its shortest decimal), and thousands separators; "-0.00" loses its sign. */
export function decimal(n: number, decimals: number): string {
  const s = n.toFixed(decimals);
  const [whole, frac] = s.split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const out = `${sign}${grouped}${frac !== undefined ? `.${frac}` : ""}`;
  return /^-[0.,]+$/.test(out) ? out.slice(1) : out;
}

/** A value, or "–" when there is none. */
export function value(n: number | null, decimals: number, scale = 1): string {
  return n === null || !Number.isFinite(n) ? "–" : decimal(scale * n, decimals);
}

/** A change with its sign ("+3.42", "-0.11"); one that rounds to zero keeps its sign ("+0.00") so that it is not read as none. */
export function signed(n: number, decimals: number): string {
  const s = decimal(Math.abs(n), decimals);
  return `${n < 0 ? "-" : "+"}${s}`;
}

/** Whether two figures are the same to the last bit (both none counts as the same). */
export function same(a: number | null, b: number | null): boolean {
  return Object.is(a, b);
}

/** The text saying a figure did not change at all. */
export const NO_CHANGE = "No change";

/**
 * The change from `before` to `after` as shown: "No change" when they are the same to the last
 * bit, "–" when only one of them exists, else `scale × (after − before)` with its sign.
 */
export function change(before: number | null, after: number | null, decimals: number, scale = 1): string {
  if (same(before, after)) return NO_CHANGE;
  if (before === null || after === null) return "–";
  return signed(scale * (after - before), decimals);
}

/** How the figures are printed: decimals per kind (the CLI's). */
export const DECIMALS = { bp: 2, t: 3, r2: 6, weight: 1, driver: 3, exposure: 4, risk: 4 } as const;

/** One factor at one model date, now and with the staged data. */
export interface FactorRow {
  /** `${date} ${factor}`: unique. */
  key: string;
  date: string;
  exposuresDate: string;
  factor: string;
  /** The factor's place in the model's order. */
  order: number;
  fretBefore: number | null;
  fretAfter: number | null;
  tBefore: number | null;
  tAfter: number | null;
  /** The change in factor return (after − before); null when either is none. */
  dRet: number | null;
  /** The change in t-stat; null when either is none. */
  dT: number | null;
  /** How large the factor-return change is for sorting: |dRet|, ∞ when a return appears or goes, 0 when none either way. */
  size: number;
  /** How large the t-stat change is, the same way. */
  tSize: number;
  /** Whether the return or the t-stat differs at all (to the last bit). */
  changed: boolean;
}

/** How large a change is for sorting (see `FactorRow.size`). */
function magnitude(before: number | null, after: number | null): number {
  if (before === null && after === null) return 0;
  if (before === null || after === null) return Infinity;
  return Math.abs(after - before);
}

/** Every date × factor of an impact, in the engine's order (dates, then the model's factors). */
export function factorRows(m: ModelImpact): FactorRow[] {
  return m.dates.flatMap((d) =>
    d.factors.map((f, order) => ({
      key: `${d.date} ${f.factor}`,
      date: d.date,
      exposuresDate: d.exposures_date,
      factor: f.factor,
      order,
      fretBefore: f.fret_before,
      fretAfter: f.fret_after,
      tBefore: f.t_before,
      tAfter: f.t_after,
      dRet: f.fret_before !== null && f.fret_after !== null ? f.fret_after - f.fret_before : null,
      dT: f.t_before !== null && f.t_after !== null ? f.t_after - f.t_before : null,
      size: magnitude(f.fret_before, f.fret_after),
      tSize: magnitude(f.t_before, f.t_after),
      changed: !same(f.fret_before, f.fret_after) || !same(f.t_before, f.t_after),
    })),
  );
}

/** What the factor table sorts by: the return's change or the t-stat's (largest first), the factor's name or the date. */
export type SortKey = "return" | "t" | "factor" | "date";

/** The factor table's order. */
export interface Sort { key: SortKey; desc: boolean }

/** The order a column starts in when its header is clicked: changes largest first, names A→Z. */
export function firstSort(key: SortKey): Sort {
  return { key, desc: key === "return" || key === "t" };
}

/** The next order when header `key` is clicked: the other direction of the same column, else that column's first. */
export function nextSort(current: Sort, key: SortKey): Sort {
  return current.key === key ? { key, desc: !current.desc } : firstSort(key);
}

/** Sorts factor rows; ties go by date, then by the model's factor order (stable for equal keys). */
export function sortFactorRows(rows: FactorRow[], sort: Sort): FactorRow[] {
  const tie = (a: FactorRow, b: FactorRow) => a.date.localeCompare(b.date) || a.order - b.order;
  const sign = sort.desc ? -1 : 1;
  const by = (a: FactorRow, b: FactorRow): number => {
    switch (sort.key) {
      case "return": return a.size === b.size ? 0 : sign * (a.size < b.size ? -1 : 1);
      case "t": return a.tSize === b.tSize ? 0 : sign * (a.tSize < b.tSize ? -1 : 1);
      case "factor": return sign * a.factor.localeCompare(b.factor);
      case "date": return sign * a.date.localeCompare(b.date);
    }
  };
  return [...rows].sort((a, b) => by(a, b) || tie(a, b));
}

/** One model date fitted again: its fit now and with the staged data, and what changed. */
export interface DateRow {
  date: string;
  exposuresDate: string;
  r2Before: number | null;
  r2After: number | null;
  assetsBefore: number;
  assetsAfter: number;
  /** Factors whose return or t-stat differs. */
  changed: number;
  factors: number;
  /** The factor whose return changed most that date, if any did. */
  largest: FactorRow | null;
  /** Whether anything of the date differs (returns, t-stats, R², the universe). */
  any: boolean;
}

/** The largest row by `size` (the first of equals), or null when no row changed. */
function largestOf(rows: FactorRow[]): FactorRow | null {
  let best: FactorRow | null = null;
  for (const r of rows) if (r.size > 0 && (best === null || r.size > best.size)) best = r;
  return best;
}

/** Per date: the fit and what changed, in date order. */
export function dateRows(m: ModelImpact): DateRow[] {
  const rows = factorRows(m);
  return m.dates.map((d) => {
    const mine = rows.filter((r) => r.date === d.date);
    const changed = mine.filter((r) => r.changed).length;
    return {
      date: d.date,
      exposuresDate: d.exposures_date,
      r2Before: d.r2_before,
      r2After: d.r2_after,
      assetsBefore: d.assets_before,
      assetsAfter: d.assets_after,
      changed,
      factors: mine.length,
      largest: largestOf(mine),
      any: changed > 0 || !same(d.r2_before, d.r2_after) || d.assets_before !== d.assets_after,
    };
  });
}

/** A saved portfolio's risk now and with the staged data. */
export interface PortfolioRow { portfolio: string; date: string; before: number; after: number; changed: boolean }

/** The saved portfolios, the largest change in risk first (then by name); unchanged ones last. */
export function portfolioRows(m: ModelImpact): PortfolioRow[] {
  return m.portfolios
    .map((p) => ({ portfolio: p.portfolio, date: p.date, before: p.before, after: p.after, changed: !same(p.before, p.after) }))
    .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || a.portfolio.localeCompare(b.portfolio));
}

/** What the summary says. */
export interface Summary {
  /** Model dates fitted again. */
  dates: number;
  /** Factor × date pairs whose return or t-stat differs, of all. */
  changed: number;
  pairs: number;
  /** The largest factor-return change, if any. */
  largest: FactorRow | null;
  /** The date whose R² changed most (by |Δ|; a value appearing or going counts most), if any changed. */
  r2: DateRow | null;
  /** The date whose estimation universe changed most, if any changed. */
  universe: DateRow | null;
  /** Saved portfolios whose risk differs, of all. */
  portfoliosChanged: number;
  /** Nothing differs at all: every return, t-stat, R², universe and portfolio risk is the same to the last bit. */
  none: boolean;
}

/** The summary of an impact. */
export function summarize(m: ModelImpact): Summary {
  const rows = factorRows(m);
  const dates = dateRows(m);
  const pick = (size: (d: DateRow) => number): DateRow | null => {
    let best: DateRow | null = null;
    for (const d of dates) if (size(d) > 0 && (best === null || size(d) > size(best))) best = d;
    return best;
  };
  const portfolios = portfolioRows(m);
  const changed = rows.filter((r) => r.changed).length;
  const portfoliosChanged = portfolios.filter((p) => p.changed).length;
  return {
    dates: dates.length,
    changed,
    pairs: rows.length,
    largest: largestOf(rows),
    r2: pick((d) => (same(d.r2Before, d.r2After) ? 0 : magnitude(d.r2Before, d.r2After) || Number.MIN_VALUE)),
    universe: pick((d) => Math.abs(d.assetsAfter - d.assetsBefore)),
    portfoliosChanged,
    none: dates.length > 0 && dates.every((d) => !d.any) && portfoliosChanged === 0,
  };
}

/** The date whose factor returns changed most (shown first), else the first date. */
export function firstDate(m: ModelImpact): string | null {
  return summarize(m).largest?.date ?? m.dates[0]?.date ?? null;
}

/** A risk model that reads the dataset, with what it is estimated on. */
export interface ImpactModel { name: string; riskDataset: string; stale: boolean }

/**
 * The risk models whose risk dataset is built on exposure dataset `dataset`, by name.
 * `sources` gives each risk dataset's exposure datasets (null: it could not be described, e.g.
 * deleted since the model was estimated).
 */
export function modelsReading(dataset: string, models: RiskModelInfo[], sources: Map<string, string[] | null>): ImpactModel[] {
  return models
    .filter((m) => (sources.get(m.settings.risk_dataset) ?? []).includes(dataset))
    .map((m) => ({ name: m.name, riskDataset: m.settings.risk_dataset, stale: m.status === "stale" }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The risk datasets the models are estimated on, each once. */
export function riskDatasetsOf(models: RiskModelInfo[]): string[] {
  return [...new Set(models.map((m) => m.settings.risk_dataset))].sort();
}

/** The largest finite size among `sizes` (0 when none is). */
export function largestFinite(sizes: number[]): number {
  return sizes.reduce((m, s) => (Number.isFinite(s) && s > m ? s : m), 0);
}

/** A change's bar as a share of the largest finite change shown (0 to 1); a value appearing or going fills it. */
export function barShare(size: number, largest: number): number {
  if (!(size > 0)) return 0;
  if (size === Infinity || !(largest > 0)) return 1;
  return Math.min(1, size / largest);
}

/**
 * A factor's label split into its role and group ("region.region.") and the rest ("Kazakhstan"),
 * for showing the factor's own name plainly; a label without two dots is all rest. A driver's
 * category change ("industry.industry: A → B") splits the same way at its colon.
 */
export function splitLabel(label: string): [string, string] {
  const colon = label.indexOf(": ");
  if (colon > 0 && !label.slice(0, colon).includes(" ")) return [label.slice(0, colon + 2), label.slice(colon + 2)];
  const first = label.indexOf(".");
  const second = first >= 0 ? label.indexOf(".", first + 1) : -1;
  return second > 0 ? [label.slice(0, second + 1), label.slice(second + 1)] : ["", label];
}

/** "both dates", "all 5 dates": every one of `n` dates. */
export function everyDate(n: number): string {
  return n === 2 ? "both dates" : `all ${n.toLocaleString("en-US")} dates`;
}
