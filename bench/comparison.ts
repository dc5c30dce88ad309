// The kernel benchmark's tables: medians per kernel × size × implementation with each outside
// implementation's time as a multiple of custseg's, and the result checks behind the marks.
import { checkMark } from "./checks.js";
import { type BenchRow, fmt } from "./harness.js";

export interface ComparisonOptions {
  /** The custseg implementation every ratio is against. */
  base: string;
  /** custseg's own implementations: shown, but given no ratio column. */
  own: readonly string[];
  markdown: boolean;
}

/** Medians (ms) with check marks, then `impl ÷ custseg` for every implementation not custseg's own. */
export function formatComparison(rows: BenchRow[], opts: ComparisonOptions): string {
  const impls = [...new Set(rows.map((r) => r.impl))];
  const outside = impls.filter((i) => !opts.own.includes(i));
  const keys = [...new Set(rows.map((r) => `${r.kernel}\u0000${r.size}`))];
  const find = (kernel: string, size: string, impl: string) => rows.find((r) => r.kernel === kernel && r.size === size && r.impl === impl);
  const header = ["kernel", "size", ...impls.map((i) => (opts.markdown ? i : `${i} (ms)`)), ...outside.map((i) => `${i} ÷ custseg`)];
  const lines = keys.map((key) => {
    const [kernel, size] = key.split("\u0000") as [string, string];
    const base = find(kernel, size, opts.base)?.medianMs;
    return [
      kernel,
      size,
      ...impls.map((i) => {
        const r = find(kernel, size, i);
        return r ? `${fmt(r.medianMs)}${checkMark(r.check)}` : "–";
      }),
      ...outside.map((i) => {
        const ms = find(kernel, size, i)?.medianMs;
        return base === undefined || ms === undefined ? "" : `${ratio(ms / base)}×`;
      }),
    ];
  });
  return render(header, lines, opts.markdown);
}

/** One line per checked result: what was compared, both values where there are two, the tolerance. */
export function formatChecks(rows: BenchRow[], markdown: boolean): string {
  const checked = rows.filter((r) => r.check);
  const header = ["kernel", "size", "implementation", "compared with custseg", "theirs", "custseg", "difference", "tolerance", "result"];
  const lines = checked.map(({ kernel, size, impl, check: c }) => [
    kernel,
    size,
    impl,
    c!.what,
    c!.value === undefined ? "" : c!.value.toPrecision(8),
    c!.ours === undefined ? "" : c!.ours.toPrecision(8),
    c!.error.toExponential(1),
    c!.tolerance === undefined ? "" : c!.tolerance.toExponential(0),
    c!.pass === undefined ? "reported" : c!.pass ? "held" : "FAILED",
  ]);
  return render(header, lines, markdown);
}

function ratio(r: number): string {
  return r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2);
}

function render(header: string[], lines: string[][], markdown: boolean): string {
  if (markdown) {
    const row = (cells: string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
    return [row(header), row(header.map(() => "---")), ...lines.map(row)].join("\n");
  }
  const widths = header.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j]!.length)));
  const row = (cells: string[]) => cells.map((c, j) => (j < 2 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join("  ");
  return [row(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(row)].join("\n");
}
