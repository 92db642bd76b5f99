// How an error is shown: the headline, the first few detail lines, how many more there are,
// and the full text that "Copy details" copies. Pure functions, unit-tested.
import type { UiError } from "./api";
import { groupDigits, int } from "./format";

interface ErrorView {
  title: string;
  /** The message and the detail lines shown. */
  shown: string[];
  /** Detail lines not shown (Copy details copies them). */
  more: number;
  /** Every line: what Copy details puts on the clipboard. */
  all: string;
}

/** The view of `e` showing at most `max` detail lines. */
export function errorView(e: UiError, max = 6): ErrorView {
  const message = groupDigits(e.message);
  const shown = [message, ...e.details.slice(0, max)];
  const more = Math.max(0, e.details.length - max);
  const title = e.details.length > 0 ? `Error (${e.code}) · ${int(e.details.length)} detail line${e.details.length === 1 ? "" : "s"}` : `Error (${e.code})`;
  return { title, shown, more, all: [`${e.code}: ${e.message}`, ...e.details].join("\n") };
}

/** The line under the shown details, e.g. "… and 44 more lines: Copy details copies all 50." */
export function moreLine(v: ErrorView, total: number): string | null {
  return v.more > 0 ? `… and ${int(v.more)} more line${v.more === 1 ? "" : "s"}: Copy details copies all ${int(total)}.` : null;
}

/** An unknown thrown value as a UiError. */
export function asUiError(e: unknown): UiError {
  if (typeof e === "object" && e !== null && "message" in e) {
    const o = e as Partial<UiError>;
    return { code: o.code ?? "internal", message: String(o.message), details: Array.isArray(o.details) ? o.details : [] };
  }
  return { code: "internal", message: String(e), details: [] };
}
