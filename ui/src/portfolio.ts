// The Portfolio risk screen's rules: what a portfolio file holds (its portfolios, dates and
// weights), the request for the user's choices and what stops it, and the rows of the
// contributions' drill-down (groups, a group's factors, the assets) with their shares of the
// total. Pure functions, unit-tested.
import type { Portfolio, PortfolioChoice, RiskReport, RiskRequest } from "./bindings";

/** One portfolio of a file: its holdings (over every date), dates and the latest date's weight. */
export interface NamedPortfolio {
  /** "" when the file has no `portfolio` column. */
  name: string;
  holdings: number;
  /** Its distinct dates (0: one portfolio for every date). */
  dates: number;
  first: string | null;
  last: string | null;
  /** The sum of the weights of its latest date (of all its holdings when undated). */
  weight: number;
  /** Distinct assets held on its latest date. */
  assets: number;
}

/** What a portfolio file holds, portfolio by portfolio (sorted by name, as the engine sorts them). */
export function portfolioNames(p: Portfolio): NamedPortfolio[] {
  const by = new Map<string, { holdings: number; dates: Set<string>; last: string | null; weight: number; assets: number }>();
  for (const h of p.holdings) {
    let e = by.get(h.portfolio);
    if (!e) by.set(h.portfolio, (e = { holdings: 0, dates: new Set(), last: null, weight: 0, assets: 0 }));
    e.holdings += 1;
    if (h.date !== null) e.dates.add(h.date);
  }
  for (const [name, e] of by) {
    const dates = [...e.dates].sort();
    e.last = dates[dates.length - 1] ?? null;
    for (const h of p.holdings) {
      if (h.portfolio === name && h.date === e.last) {
        e.weight += h.weight;
        e.assets += 1;
      }
    }
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, e]) => {
      const dates = [...e.dates].sort();
      return { name, holdings: e.holdings, dates: dates.length, first: dates[0] ?? null, last: dates[dates.length - 1] ?? null, weight: e.weight, assets: e.assets };
    });
}

/** Where one side of a report (the portfolio or the benchmark) comes from. */
export type Side =
  | { kind: "none" }
  /** A file read on this computer; `name` picks one of its portfolios (null: its only one). */
  | { kind: "file"; path: string; portfolio: Portfolio; name: string | null }
  /** A saved portfolio; `name` picks one of the portfolios it holds (null: its only one). */
  | { kind: "saved"; saved: string; name: string | null };

/** The engine's choice for a side; null when nothing is chosen. */
export function sideChoice(s: Side): PortfolioChoice | null {
  if (s.kind === "file") return { source: { holdings: s.portfolio }, name: s.name };
  if (s.kind === "saved") return { source: { saved: s.saved }, name: s.name };
  return null;
}

/** A file's name without its folder. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).filter((p) => p !== "").pop() ?? path;
}

/** How a side is named in titles: the chosen portfolio of a file, the file, or the saved name. */
export function sideLabel(s: Side): string {
  if (s.kind === "file") return s.name ? `${s.name} (${fileName(s.path)})` : fileName(s.path);
  if (s.kind === "saved") return s.name ? `${s.name} (saved ${s.saved})` : s.saved;
  return "";
}

/** The side a freshly read file makes: its first portfolio chosen when it holds several. */
export function fileSide(path: string, portfolio: Portfolio): Side {
  const names = portfolioNames(portfolio);
  return { kind: "file", path, portfolio, name: names.length > 1 ? names[0].name : null };
}

/** The dates asked for: one date (empty: the model's last) or a range. */
export interface Dates { mode: "date" | "range"; date: string; start: string; end: string }

/** The request for the choices; null while the model or the portfolio is missing. */
export function riskRequest(model: string, portfolio: Side, benchmark: Side, dates: Dates): RiskRequest | null {
  const p = sideChoice(portfolio);
  if (!model || !p) return null;
  const [start, end] = dates.mode === "date" ? [dates.date, dates.date] : [dates.start, dates.end];
  return { model, portfolio: p, benchmark: sideChoice(benchmark), start: start || null, end: end || null };
}

/** Why the dates cannot be asked for, in words (null when they can). */
export function datesProblem(dates: Dates, first: string | null, last: string | null): string | null {
  const within = (d: string, what: string) =>
    first && last && (d < first || d > last) ? `The ${what} ${d} is outside the model's dates (${first} to ${last}).` : null;
  if (dates.mode === "date") return dates.date ? within(dates.date, "date") : null;
  if (dates.start && dates.end && dates.start > dates.end) return `The start ${dates.start} is after the end ${dates.end}.`;
  return (dates.start ? within(dates.start, "start") : null) ?? (dates.end ? within(dates.end, "end") : null);
}

/** A factor's name without its role and group (`style.style.Momentum` → `Momentum`). */
export function shortFactor(label: string): string {
  return label.split(".").slice(2).join(".") || label;
}

/** A group's (role's) name as a heading: `industry` → `Industry`. */
export function groupTitle(group: string): string {
  return group.charAt(0).toUpperCase() + group.slice(1);
}

/** A fraction as a percentage with `decimals` (0.139 → "13.90%"); "–" for no value. A value that rounds to zero has no minus sign. */
export function pct(v: number | null | undefined, decimals = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const s = (100 * v).toFixed(decimals);
  return `${/^-0(\.0*)?$/.test(s) ? s.slice(1) : s}%`;
}

/** One row of the contributions' drill-down. */
export interface PartRow {
  key: string;
  /** The name shown (a factor without its role and group). */
  label: string;
  /** The full name (the factor's label, an asset's id). */
  full: string;
  /** Exposure (X), null where it has none (the specific part, an asset). */
  exposure: number | null;
  /** Annualised volatility (σ), null for an asset. */
  volatility: number | null;
  /** Correlation with the portfolio (ρ), null for an asset. */
  correlation: number | null;
  /** X·σ·ρ: its part of the total risk. */
  contribution: number;
  /** contribution / total risk. */
  share: number;
  /** An asset's weight (active with a benchmark). */
  weight?: number;
  /** With a benchmark, the portfolio's and the benchmark's own exposure. */
  portfolioExposure?: number;
  benchmarkExposure?: number;
  /** Where a click on the row leads: a group's factors, or the assets. */
  drill?: { kind: "group"; group: string } | { kind: "assets" };
}

const share = (c: number, total: number) => (total > 0 ? c / total : Number.NaN);

/** The groups (in the model's order) and the specific part: the top of the drill-down. */
export function groupRows(r: RiskReport): PartRow[] {
  const rows: PartRow[] = r.groups.map((g) => ({
    key: `group-${g.factor}`, label: groupTitle(g.factor), full: g.factor, exposure: null, volatility: g.volatility, correlation: g.correlation,
    contribution: g.contribution, share: share(g.contribution, r.total_risk), drill: { kind: "group", group: g.factor },
  }));
  rows.push({
    key: "specific", label: "Specific", full: "specific", exposure: null, volatility: r.specific_risk,
    correlation: r.specific_risk > 0 ? r.specific_contribution / r.specific_risk : Number.NaN,
    contribution: r.specific_contribution, share: share(r.specific_contribution, r.total_risk), drill: { kind: "assets" },
  });
  return rows;
}

/** The factors of `group`, the largest contribution (in size) first. */
export function factorRows(r: RiskReport, group: string): PartRow[] {
  const rows: PartRow[] = [];
  r.contributions.forEach((c, i) => {
    if (c.group !== group) return;
    rows.push({
      key: `factor-${c.factor}`, label: shortFactor(c.factor), full: c.factor, exposure: c.exposure, volatility: c.volatility, correlation: c.correlation,
      contribution: c.contribution, share: share(c.contribution, r.total_risk),
      ...(r.benchmark ? { portfolioExposure: r.benchmark.portfolio_exposures[i], benchmarkExposure: r.benchmark.benchmark_exposures[i] } : {}),
    });
  });
  return rows.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
}

/** The assets whose id contains `find` (any case), the largest contribution (in size) first: the first `limit` and how many match. */
export function assetRows(r: RiskReport, find: string, limit: number): { rows: PartRow[]; matching: number } {
  const needle = find.trim().toLowerCase();
  const matching = r.assets.filter((a) => !needle || a.id.toLowerCase().includes(needle));
  matching.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const rows = matching.slice(0, limit).map((a): PartRow => ({
    key: `asset-${a.id}`, label: a.id, full: a.id, exposure: null, volatility: null, correlation: null,
    contribution: a.contribution, share: share(a.contribution, r.total_risk), weight: a.weight,
  }));
  return { rows, matching: matching.length };
}

/** The exposures of `group`'s factors in the model's order: the portfolio's (active with a benchmark), and with a benchmark each side's. */
export function exposureRows(r: RiskReport, group: string): { label: string; full: string; exposure: number; portfolio: number | null; benchmark: number | null }[] {
  const out: { label: string; full: string; exposure: number; portfolio: number | null; benchmark: number | null }[] = [];
  r.contributions.forEach((c, i) => {
    if (c.group === group) {
      out.push({
        label: shortFactor(c.factor), full: c.factor, exposure: c.exposure,
        portfolio: r.benchmark?.portfolio_exposures[i] ?? null, benchmark: r.benchmark?.benchmark_exposures[i] ?? null,
      });
    }
  });
  return out;
}

/** The holdings left out, the largest weight (in size) first, with their count and total weight per side. */
export function unmatchedSummary(r: RiskReport): { rows: RiskReport["unmatched"]; portfolio: { count: number; weight: number }; benchmark: { count: number; weight: number } } {
  const rows = [...r.unmatched].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  const side = (benchmark: boolean) => {
    const of = r.unmatched.filter((u) => u.benchmark === benchmark);
    return { count: of.length, weight: of.reduce((s, u) => s + u.weight, 0) };
  };
  return { rows, portfolio: side(false), benchmark: side(true) };
}

/** The share of the variance that is the factors' (factor² / total²) and the specific part's. */
export function varianceShares(r: { total_risk: number; factor_risk: number; specific_risk: number }): { factor: number; specific: number } {
  const t = r.total_risk * r.total_risk;
  return t > 0 ? { factor: (r.factor_risk * r.factor_risk) / t, specific: (r.specific_risk * r.specific_risk) / t } : { factor: Number.NaN, specific: Number.NaN };
}

/** The portfolio to report of a saved one: none when it holds one (the engine takes it), else the first. */
export function firstOfSeveral(names: string[]): string | null {
  return names.length > 1 ? names[0] : null;
}

/** The default name to save a file as: its chosen portfolio, else the file name without extension. */
export function saveName(s: Side): string {
  if (s.kind !== "file") return "";
  if (s.name) return s.name;
  return fileName(s.path).replace(/\.(csv|parquet)$/i, "");
}

/** The holdings a file side saves: only the chosen portfolio when the file holds several. */
export function savedHoldings(s: Side): Portfolio | null {
  if (s.kind !== "file") return null;
  if (s.name === null) return s.portfolio;
  return { ...s.portfolio, holdings: s.portfolio.holdings.filter((h) => h.portfolio === s.name) };
}
