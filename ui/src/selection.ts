// The preview's industry and region choices and the query they make. Pure, unit-tested.
import type { PreviewQuery, Selection } from "./api";

/** How the preview picks industry or region columns: none, all, or the chosen ones. */
export type IncludeMode = "none" | "all" | "chosen";
export interface Include { mode: IncludeMode; chosen: string[] }

/** The command's selection for an include choice: chosen with nothing ticked means all. */
export function toSelection(inc: Include): Selection {
  if (inc.mode !== "chosen") return inc.mode;
  return inc.chosen.length === 0 ? "all" : { only: [...inc.chosen] };
}

/** `list` with `item` ticked (added once, in the options' order) or unticked. */
export function toggle(list: string[], item: string, on: boolean, options: string[] = []): string[] {
  const set = new Set(list);
  if (on) set.add(item);
  else set.delete(item);
  const order = new Map(options.map((o, i) => [o, i]));
  return [...set].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || a.localeCompare(b));
}

/** The chosen items still offered (after the options changed). */
export function keepOffered(list: string[], options: string[]): string[] {
  const offered = new Set(options);
  return list.filter((x) => offered.has(x));
}

export interface PreviewChoices { dataset: string; start: string; end: string; idType: string; industries: Include; regions: Include; standardize: boolean }

/** The query sent for the preview and exports: empty dates and id type mean the dataset's own. */
export function previewQuery(c: PreviewChoices): PreviewQuery {
  return {
    dataset: c.dataset,
    start: c.start || null,
    end: c.end || null,
    id_type: c.idType || null,
    industries: toSelection(c.industries),
    regions: toSelection(c.regions),
    styles: "all",
    standardize: c.standardize,
  };
}

/** A label for an include choice: "none", "all", "3 of 11". */
export function includeLabel(inc: Include, options: number): string {
  if (inc.mode !== "chosen") return inc.mode;
  return inc.chosen.length === 0 ? "all (tick some to keep only their members)" : `${inc.chosen.length} of ${options}, only their members are kept`;
}
