// What a commit asks before it runs, in words: the question while the checks that read the data
// still run, and the confirmation (with the failing checks to acknowledge) with the mode's description and
// the committed dates it replaces. Pure functions, unit-tested.
import { COMMIT_MODES, type CommitMode, type DateReplacement, type VersionDiff } from "./bindings";
import { count, int, listSome } from "./format";

/** A question for the confirmation dialog: its title, its text and the confirm button's label. */
interface Question { title: string; text: string; action: string }

/** Asked while the checks that read the data still run; `fails` are the quick checks' fails so far. */
export function stillCheckingQuestion(fails: string[]): Question {
  const known = fails.length > 0 ? ` Already failing: ${listSome(fails, 6)}.` : "";
  return {
    title: "The sanity checks are still running",
    text: `Missing and duplicate dates and coverage are checked; the checks that read the data have not finished.${known} Commit without waiting for them?`,
    action: "Commit without waiting…",
  };
}

/**
 * What the commit's confirmation adds when checks fail on the staged data (`fails`, one line
 * each): every failing check listed, and a box to tick to commit over them.
 */
export function failingAcknowledgement(fails: string[]): { list: { head: string; lines: string[] }; acknowledge: string } {
  const n = fails.length;
  return {
    list: { head: `${count(n, "check fails", "checks fail")} on the staged data`, lines: fails },
    acknowledge: n === 1 ? "Commit over this failing check" : `Commit over these ${int(n)} failing checks`,
  };
}

/**
 * The confirmation of a commit of `rows` staged name × date rows over `dates` dates into `dataset`
 * with `mode`, which replaces `replaced` committed dates.
 */
export function commitQuestion(dataset: string, rows: number, dates: number, mode: CommitMode, replaced: number): Question {
  const replaces = replaced > 0 ? ` It replaces ${count(replaced, "committed date")}, committed → staged:` : "";
  return {
    title: `Commit to ${dataset}?`,
    text: `${count(rows, "staged name × date row")} (${count(dates, "date")}), mode ${mode}: ${COMMIT_MODES[mode]}. A new version is made; older versions stay readable.${replaces}`,
    action: `Commit (${mode})`,
  };
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

/**
 * The confirmation of a revert of `dataset` (latest version `latest`) to version `to`, with the
 * preview of what it changes (`diff`: from the latest version to `to`) and a table of the factors
 * it changes.
 */
export function revertQuestion(dataset: string, to: number, latest: number, diff: VersionDiff): Question & { table?: { head: string[]; rows: string[][]; more?: string } } {
  const dates = [
    diff.dates_added.length > 0 ? `adds ${count(diff.dates_added.length, "date")}` : "",
    diff.dates_removed.length > 0 ? `removes ${count(diff.dates_removed.length, "date")}` : "",
    diff.dates_changed.length > 0 ? `changes ${count(diff.dates_changed.length, "date")}` : "",
  ].filter((s) => s !== "");
  const change = diff.rows_changed === 0
    ? `Its data is the same as version ${latest}'s.`
    : `Against version ${latest} it ${dates.length > 0 ? `${dates.join(", ")}: ` : ""}${count(diff.rows_changed, "row")} added, removed or changed.`;
  const max = 10;
  const rows = diff.factors.slice(0, max).map((f) => [`${f.factor_group}.${f.factor}`, int(f.added), int(f.removed), int(f.changed)]);
  return {
    title: `Revert ${dataset} to version ${to}?`,
    text: `A new version ${latest + 1} is made with the data of version ${to}. Versions 1 to ${latest} stay readable and staged names stay staged. ${change}`,
    action: `Revert to version ${to}`,
    table: rows.length > 0
      ? { head: ["Factor", "Added", "Removed", "Changed"], rows, more: diff.factors.length > max ? `and ${count(diff.factors.length - max, "other factor")}` : undefined }
      : undefined,
  };
}
