// The sanity checks' findings, arranged for the Check screen: a calendar strip of the dates
// coloured by their worst finding (missing dates as gaps), the count in words, and the fails a
// commit must name. Pure functions, unit-tested.
import type { Finding } from "./bindings";
import { count } from "./format";

/** One day of the strip: `missing` when the data has no such date. */
interface StripDay { date: string; worst: "fail" | "warn" | "ok" | "missing"; count: number }

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
interface StripMonth { month: string; days: (StripDay | null)[] }

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

/** "2 fails, 3 warnings", or "nothing found". */
export function foundText(findings: Finding[]): string {
  const fails = findings.filter((f) => f.severity === "fail").length;
  return findings.length === 0 ? "nothing found" : `${count(fails, "fail")}, ${count(findings.length - fails, "warning")}`;
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
