// Plain-text tables for the terminal: left-aligned text, right-aligned numbers, two spaces apart.

export type Cell = string | number | null | undefined;

/** Formats a number for a table: integers as they are, others to 4 significant decimals. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs >= 1000 ? v.toFixed(1) : abs >= 1 ? v.toFixed(3) : v.toFixed(4);
}

/** 2026-11-30 02:12:07 (UTC), or – when absent. */
export function formatTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "–" : new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

export function formatDuration(start: number, end: number | null): string {
  if (end === null) return "–";
  const s = (end - start) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : s < 3600 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`;
}

export function renderTable(header: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => (typeof c === "number" ? formatNumber(c) : (c ?? "–"))));
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === "number" || r[j] === null || r[j] === undefined) && rows.some((r) => typeof r[j] === "number"));
  const width = header.map((h, j) => Math.max(h.length, ...text.map((r) => r[j]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => (numeric[j] ? c.padStart(width[j]!) : c.padEnd(width[j]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...text.map(line)].join("\n") + "\n";
}
