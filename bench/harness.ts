// Shared tinybench driver: runs benchmark cases one by one, prints medians side by side
// (one row per kernel × size, one column per implementation) and writes them as JSON.
// Machines are shared and noisy: read the ratios between columns, not single times.
import { Bench } from "tinybench";
import { writeFileAtomic } from "../src/io/atomic.js";
import type { Check } from "./checks.js";

export type Impl = "wasm-simd" | "wasm-scalar" | "ts" | "wasm-simd-threads";

export interface BenchCase {
  kernel: string;
  size: string;
  impl: Impl | string;
  setup?: () => Promise<void> | void;
  fn: () => unknown | Promise<unknown>;
  teardown?: () => Promise<void> | void;
  /** Run after sampling, before teardown, on what the last sample returned: compared with custseg's. */
  check?: (result: unknown) => Promise<Check> | Check;
  /** A case of seconds per call: this many samples (at most the run's minimum) after one warm-up call. */
  samples?: number;
}

export interface BenchRow {
  kernel: string;
  size: string;
  impl: string;
  medianMs: number;
  samples: number;
  check?: Check;
}

export interface RunOptions {
  /** Minimum sampling time per case in ms (tinybench `time`). */
  timeMs: number;
  /** Minimum samples per case (tinybench `iterations`). */
  iterations: number;
  /** Only cases whose "kernel size impl" matches. */
  filter?: RegExp;
}

export async function runCases(cases: BenchCase[], opts: RunOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const c of cases) {
    const label = `${c.kernel} ${c.size} ${c.impl}`;
    if (opts.filter && !opts.filter.test(label)) continue;
    await c.setup?.();
    const bench = c.samples
      ? new Bench({ time: 0, iterations: Math.min(c.samples, opts.iterations), warmupIterations: 1, warmupTime: 0 })
      : new Bench({ time: opts.timeMs, iterations: opts.iterations, warmupIterations: 2, warmupTime: 0 });
    let last: unknown;
    // Keeping the last result lets the check look at what was timed without another call.
    bench.add(label, c.check ? () => (last = c.fn()) : c.fn);
    await bench.run();
    const result = bench.tasks[0]!.result;
    if (result.state !== "completed") {
      await c.teardown?.();
      const why = result.state === "errored" ? String(result.error?.message ?? result.error) : result.state;
      throw new Error(`benchmark ${label} did not complete: ${why}`);
    }
    const check = await c.check?.(await last);
    await c.teardown?.();
    rows.push({ kernel: c.kernel, size: c.size, impl: c.impl, medianMs: result.latency.p50, samples: result.latency.samplesCount, ...(check ? { check } : {}) });
    const checked = check ? `  ${check.what} ${check.error.toExponential(1)}${check.pass === undefined ? "" : check.pass ? " ok" : " FAILED"}` : "";
    process.stderr.write(`  ${label.padEnd(48)} ${fmt(result.latency.p50).padStart(10)} ms  (${result.latency.samplesCount} samples)${checked}\n`);
  }
  return rows;
}

/** A side-by-side table of medians; `base` is the implementation the speed-ups are relative to. */
export function formatTable(rows: BenchRow[], base = "ts"): string {
  const impls = [...new Set(rows.map((r) => r.impl))];
  const keys = [...new Set(rows.map((r) => `${r.kernel}\u0000${r.size}`))];
  const header = ["kernel", "size", ...impls.map((i) => `${i} (ms)`), ...impls.filter((i) => i !== base).map((i) => `${base}/${i}`)];
  const lines = keys.map((key) => {
    const [kernel, size] = key.split("\u0000") as [string, string];
    const med = (impl: string) => rows.find((r) => r.kernel === kernel && r.size === size && r.impl === impl)?.medianMs;
    const b = med(base);
    return [
      kernel,
      size,
      ...impls.map((i) => (med(i) === undefined ? "-" : fmt(med(i)!))),
      ...impls.filter((i) => i !== base).map((i) => (b === undefined || med(i) === undefined ? "-" : `${(b / med(i)!).toFixed(1)}×`)),
    ];
  });
  const widths = header.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j]!.length)));
  const row = (cells: string[]) => cells.map((c, j) => (j < 2 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join("  ");
  return [row(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(row)].join("\n");
}

export async function writeResults(path: string, meta: Record<string, unknown>, rows: BenchRow[]): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify({ ...meta, date: new Date().toISOString(), node: process.version, rows }, null, 1)}\n`);
}

export function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(3);
}
