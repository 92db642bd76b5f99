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
