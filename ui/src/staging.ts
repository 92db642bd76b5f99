// What a staging run did, in words: counts per state, the files that differ from what is
// staged under their names, and failure messages with repeats summarised. Pure, unit-tested.
import type { Diagnostic, StagingResult } from "./api";
import { count, diagnostic, int } from "./format";

interface StagingOutcome {
  staged: StagingResult[];
  unchanged: StagingResult[];
  /** A different file is already staged under the name: staging again with `replace` replaces it. */
  exists: StagingResult[];
  failed: StagingResult[];
}

export function outcome(results: StagingResult[]): StagingOutcome {
  const by = (s: StagingResult["state"]) => results.filter((r) => r.state === s);
  return { staged: by("staged"), unchanged: by("unchanged"), exists: by("exists"), failed: by("failed") };
}

/** "5 staged, 2 unchanged (skipped), 1 failed, 3 differ from what is staged". */
export function summary(o: StagingOutcome): string {
  const parts = [`${int(o.staged.length)} staged`];
  if (o.unchanged.length > 0) parts.push(`${int(o.unchanged.length)} unchanged (skipped)`);
  if (o.exists.length > 0) parts.push(`${int(o.exists.length)} differ from what is staged`);
  if (o.failed.length > 0) parts.push(`${int(o.failed.length)} failed`);
  return parts.join(", ");
}

/** The question asked before replacing the staged files that differ. */
export function replaceQuestion(exists: StagingResult[]): string {
  return `${count(exists.length, "file differs", "files differ")} from what is staged under ${exists.length === 1 ? "its name" : "their names"}: replace ${exists.length === 1 ? "it" : "them"}?`;
}

/** The results of a first run with the results of its replacing run put in place of the old ones (by name). */
export function merge(first: StagingResult[], replaced: StagingResult[]): StagingResult[] {
  const byName = new Map(replaced.map((r) => [r.name, r]));
  const merged = first.map((r) => byName.get(r.name) ?? r);
  for (const r of replaced) if (!first.some((f) => f.name === r.name)) merged.push(r);
  return merged;
}

/** The repeat key of a diagnostic: everything but where it is and the value. */
function kind(d: Diagnostic): string {
  return `${d.file}\u0000${d.column ?? ""}\u0000${d.message}`;
}

/**
 * A file's diagnostics as lines, each kind of problem once: the first occurrence in full, and
 * when it repeats, "(19 more like this: lines 7, 8, 9, …)".
 */
export function summarizeDiagnostics(messages: Diagnostic[], lines = 5): string[] {
  const groups = new Map<string, Diagnostic[]>();
  for (const d of messages) {
    const k = kind(d);
    const g = groups.get(k);
    if (g) g.push(d);
    else groups.set(k, [d]);
  }
  return [...groups.values()].map((g) => {
    const first = diagnostic(g[0]);
    if (g.length === 1) return first;
    const rest = g.slice(1).map((d) => d.line).filter((l): l is number => l !== null);
    const where = rest.length === 0 ? "" : `: line${rest.length === 1 ? "" : "s"} ${rest.slice(0, lines).join(", ")}${rest.length > lines ? ", …" : ""}`;
    return `${first} (${int(g.length - 1)} more like this${where})`;
  });
}
