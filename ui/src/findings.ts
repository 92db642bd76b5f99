// The sanity checks' findings, arranged for the Check screen: a calendar strip of the dates
// coloured by their worst finding (missing dates as gaps), and the fails a commit must name.
// Pure functions, unit-tested.
import type { DateReplacement, Finding } from "./bindings";

/** One day of the strip: `missing` when the data has no such date. */
export interface StripDay { date: string; worst: "fail" | "warn" | "ok" | "missing"; count: number }

/** Days from `start` to `end` inclusive (ISO dates), as ISO dates. */
export function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  const last = Date.parse(`${end}T00:00:00Z`);
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= last && out.length < 10_000; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** The strip over the staged `dates` (and the missing dates findings name), first to last. */
export function strip(dates: string[], findings: Finding[]): StripDay[] {
  const known = new Set(dates);
  const all = [...dates, ...findings.map((f) => f.date)].sort();
  if (all.length === 0) return [];
  const missing = new Set(findings.filter((f) => f.check === "missing_day").map((f) => f.date));
  return daysBetween(all[0], all[all.length - 1])
    .filter((d) => known.has(d) || missing.has(d))
    .map((date) => {
      const here = findings.filter((f) => f.date === date && f.check !== "missing_day");
      const worst = !known.has(date) ? "missing" : here.some((f) => f.severity === "fail") ? "fail" : here.length > 0 ? "warn" : "ok";
      return { date, worst, count: here.length };
    });
}

/** One month of the strip: `YYYY-MM` and its days by day of month (`days[0]` is the 1st; null: not in the strip). */
export interface StripMonth { month: string; days: (StripDay | null)[] }

/**
 * The strip as a calendar: a row per month, each day in the column of its day of month, so that
 * a year reads month by month and gaps (weekends of weekday data, missing dates) line up.
 */
export function stripMonths(days: StripDay[]): StripMonth[] {
  const out: StripMonth[] = [];
  for (const d of days) {
    const month = d.date.slice(0, 7);
    if (out.length === 0 || out[out.length - 1].month !== month) out.push({ month, days: new Array<StripDay | null>(31).fill(null) });
    out[out.length - 1].days[Number(d.date.slice(8, 10)) - 1] = d;
  }
  return out;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "May 2025" for "2025-05". */
export function monthLabel(month: string): string {
  return `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

/** "stale_day on 2025-05-10", one line per failing finding. */
export function failLines(findings: Finding[]): string[] {
  return findings
    .filter((f) => f.severity === "fail")
    .map((f) => `${f.check} on ${f.date}${f.factor ? ` (${f.factor_group}.${f.factor})` : f.factor_group ? ` (${f.factor_group})` : ""}`);
}

/** A measured value as people read it: shares as percentages, indexes and ratios on 3 decimals. */
export function measured(f: Finding): string {
  const shares = ["coverage_drop", "asset_churn", "missing_values", "outliers", "stale_day"];
  if (shares.includes(f.check)) return `${(100 * f.value).toFixed(f.value < 0.001 && f.value > 0 ? 3 : 1)}% (threshold ${(100 * f.threshold).toFixed(1)}%)`;
  if (["not_standardized", "distribution_shift", "rank_instability"].includes(f.check)) return `${f.value.toFixed(3)} (threshold ${f.threshold})`;
  if (f.check === "missing_day") return "—";
  return Number.isInteger(f.value) ? `${f.value}` : f.value.toFixed(3);
}

/** Rows for the commit confirmation: per replaced date, its assets and the factors that move most. */
export function replacementRows(dates: DateReplacement[], max = 10): { head: string[]; rows: string[][]; more?: string } {
  const n = (v: number | null) => (v === null ? "–" : v.toFixed(3));
  const grouped = (v: number) => v.toLocaleString("en-US");
  const rows = dates.slice(0, max).map((d) => {
    const moved = (f: (x: DateReplacement["factors"][number]) => number) =>
      d.factors.filter((x) => x.old_mean !== null && x.new_mean !== null).sort((a, b) => f(b) - f(a))[0];
    const meanMove = (x: DateReplacement["factors"][number]) => Math.abs((x.new_mean ?? 0) - (x.old_mean ?? 0));
    const stdMove = (x: DateReplacement["factors"][number]) => Math.abs((x.new_std ?? 0) - (x.old_std ?? 0));
    const mean = moved(meanMove);
    const std = moved(stdMove);
    const still = 5e-4; // below what 3 decimals show
    return [
      d.date,
      `${grouped(d.old_assets)} → ${d.new_assets === 0 ? "removed" : grouped(d.new_assets)}`,
      !mean ? "–" : meanMove(mean) < still ? "unchanged" : `${mean.factor}: ${n(mean.old_mean)} → ${n(mean.new_mean)}`,
      !std ? "–" : stdMove(std) < still ? "unchanged" : `${std.factor}: ${n(std.old_std)} → ${n(std.new_std)}`,
    ];
  });
  const more = dates.length > max ? `… and ${dates.length - max} more dates` : undefined;
  return { head: ["Date", "Assets", "Largest mean move", "Largest std move"], rows, more };
}
