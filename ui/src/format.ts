// Formatting shared by the screens; pure functions, unit-tested with node's test runner.

/** Bytes as "527.9 MB". */
export function bytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/** Integers with thousands separators: 35800 → "35,800". */
export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** "1 file", "2 files", "1,200 files": a count with thousands separators and the noun in the right number. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${int(n)} ${n === 1 ? singular : plural}`;
}

/** A Float32 value as the shortest decimal that reads back as the same Float32 (as the CLI prints). */
export function f32(n: number | null): string {
  if (n === null || Number.isNaN(n)) return "–";
  const x = Math.fround(n);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return String(candidate);
  }
  return String(x);
}

/**
 * A number for a table column: a fixed number of decimals (4 by default) and thousands
 * separators, so that a right-aligned column lines up; "–" for no value. A value that rounds
 * to zero prints without a minus sign. The exact value goes in the cell's title and data-exact.
 */
export function fixed(n: number | null, decimals = 4): string {
  if (n === null || Number.isNaN(n)) return "–";
  if (!Number.isFinite(n)) return n > 0 ? "∞" : "−∞";
  const s = n.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true });
  return /^-[0.,]+$/.test(s) ? s.slice(1) : s;
}

/** Whether `text` is a decimal number as the engine writes one ("12", "-0.5", "1.5e-3"). */
export function isNumber(text: string): boolean {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text);
}

/** A table cell the engine sent as text: numbers get `fixed` decimals, anything else stays as it is. */
export function fixedText(cell: string, decimals = 4): string {
  const t = cell.trim();
  if (!isNumber(t)) return cell;
  return fixed(Number(t), decimals);
}

/** Elapsed milliseconds as "0.4 s", "4.2 s", "1 min 5 s". */
export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

/**
 * Puts thousands separators into the long integers of a message ("1108816 rows" → "1,108,816
 * rows"). Left alone: numbers of four digits or fewer (years, most line numbers), anything
 * quoted ('…' is a value from a file), and digits that are part of a word, date, name or
 * decimal (2025-05-01, exposures_2025, v12345, 0.123456).
 */
export function groupDigits(text: string): string {
  return text
    .split(/('[^']*')/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/(^|[^\w.\-/:])(\d{5,})(?![\w.\-/:]*\w)/g, (_, before: string, digits: string) => before + Number(digits).toLocaleString("en-US")),
    )
    .join("");
}

/** "file: line 3, column 6 (exposure): message: 'value'", as the engine's diagnostics read. */
export function diagnostic(d: { file: string; line: number | null; column: number | null; column_name: string | null; value: string | null; message: string }): string {
  let s = d.file;
  if (d.line !== null) s += `: line ${d.line}`;
  if (d.column !== null) s += `, column ${d.column}${d.column_name ? ` (${d.column_name})` : ""}`;
  s += `: ${d.message}`;
  if (d.value !== null) s += `: '${d.value}'`;
  return s;
}

/** Sorts rows by a key, ascending or descending, numbers numerically and text alphabetically. */
export function sortRows<T>(rows: T[], key: keyof T, ascending: boolean): T[] {
  const sign = ascending ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[key], y = b[key];
    if (typeof x === "number" && typeof y === "number") return sign * (x - y);
    return sign * String(x).localeCompare(String(y));
  });
}

/** A timestamp as "YYYY-MM-DD HH:MM:SS" (ISO date, no "T", no fraction). */
export function timestamp(iso: string): string {
  return iso.slice(0, 19).replace("T", " ");
}

/** "a, b, c and 4 more": the first `n` items of a list and how many are left out. */
export function listSome(items: string[], n: number): string {
  if (items.length <= n) return items.join(", ");
  return `${items.slice(0, n).join(", ")} and ${int(items.length - n)} more`;
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
