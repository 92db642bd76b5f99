// What the window remembers, arranged for showing: the recent datasets still found in the place
// worked on, and short labels for the recent folders.

/** The recent datasets to offer: those that still exist in the place, not the current one, at most `keep`. */
export function otherDatasets(recent: string[], existing: string[], current: string, keep: number): string[] {
  const here = new Set(existing);
  return recent.filter((name) => name !== current && here.has(name)).slice(0, keep);
}

/** The last `n` parts of a path (a trailing separator ignored). */
function tail(path: string, n: number): string {
  return path.replace(/[\\/]+$/, "").split(/[\\/]+/).filter((p) => p !== "").slice(-n).join("/");
}

/**
 * A label per folder: its name, or as many of its last parts as it takes to tell it apart from
 * every other folder listed (`June` and `June` become `2025/June` and `2026/June`).
 */
export function folderLabels(paths: string[]): string[] {
  return paths.map((path, i) => {
    const parts = tail(path, 1 << 10).split("/").length;
    let n = 1;
    while (n < parts && paths.some((other, j) => j !== i && tail(other, n) === tail(path, n))) n += 1;
    return tail(path, n) || path;
  });
}
