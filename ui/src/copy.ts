// What copying table cells puts on the clipboard: the exact values (a cell's data-exact, else
// its text), tab-separated, one line per row. Pure, unit-tested; the DOM side is in ui.tsx.

export interface CopiedCell { text: string; exact?: string | null }

/** Rows of cells as tab-separated lines, exact values preferred. */
export function cellsText(rows: CopiedCell[][]): string {
  return rows.map((cells) => cells.map((c) => (c.exact ?? c.text).replace(/[\t\n]/g, " ")).join("\t")).join("\n");
}
