// Scoring throughput (customers per second) of a model fitted on the real data: the scoring step on
// an in-memory features matrix, the library's predict on an in-memory Arrow features table, and
// both with IsolationForest outlier scores; on synthetic features (2 M customers) and on the real
// UCI customers' features (4,362 customers, scored as they are and tiled to 1 M rows).
// Usage: npm run bench:predict [-- --quick] [-- --threads N]    Needs ../shared/data/online_retail.parquet.
// Besides tinybench's wall-clock medians it reports CPU time per case (process.cpuUsage, all
// threads), which a busy shared machine inflates far less than wall time.
// Writes bench/results/predict.json.
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeVector, Table } from "apache-arrow";
import { loadEngine } from "../src/engine/engine.js";
import { Rng } from "../src/engine/rng.js";
import { loadModel } from "../src/lib/model.js";
import { FEATURE_NAMES } from "../src/pipeline/steps/features.js";
import { runPipeline } from "../src/pipeline/jobs/run.js";
import { RUN_DEFAULTS } from "../src/pipeline/options.js";
import { scoreFeatures } from "../src/pipeline/steps/score.js";
import { type BenchCase, type BenchRow, runCases, writeResults } from "./harness.js";

const quick = process.argv.includes("--quick");
const shared = (rel: string) => fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));
const d = FEATURE_NAMES.length;

const threadsArg = process.argv.indexOf("--threads");
const engine = await loadEngine(threadsArg > 0 ? { threads: Number(process.argv[threadsArg + 1]) } : {});
const tmp = await mkdtemp(join(tmpdir(), "custseg-bench-predict-"));
const run = await runPipeline(engine, { ...RUN_DEFAULTS, input: shared("data/online_retail.parquet"), cacheDir: false, out: join(tmp, "run") });
const model = await loadModel(join(tmp, "run"), { engine });
const real = run.all.matrix;

/** Synthetic customers: each feature drawn around the real data's mean with its spread (seeded). */
function synthetic(rows: number): Float64Array {
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < real.rows; i++) {
      const v = real.data[i * d + j]!;
      s += v;
      s2 += v * v;
    }
    mean[j] = s / real.rows;
    sd[j] = Math.sqrt(Math.max(0, s2 / real.rows - mean[j]! ** 2));
  }
  const rng = new Rng(7);
  const out = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < d; j++) {
      // A crude normal from the sum of three uniforms; spend-like features stay non-negative.
      const z = (rng.nextFloat() + rng.nextFloat() + rng.nextFloat() - 1.5) * 2;
      out[i * d + j] = Math.max(0, mean[j]! + sd[j]! * z);
    }
  }
  return out;
}

function tile(x: Float64Array, rows: number): Float64Array {
  const out = new Float64Array(rows * d);
  for (let off = 0; off < out.length; off += x.length) out.set(x.subarray(0, Math.min(x.length, out.length - off)), off);
  return out;
}

function featureTable(x: Float64Array): Table {
  const rows = x.length / d;
  const columns: Record<string, ReturnType<typeof makeVector>> = {};
  FEATURE_NAMES.forEach((name, j) => {
    columns[name] = makeVector(Float64Array.from({ length: rows }, (_, i) => x[i * d + j]!));
  });
  return new Table(columns);
}

const big = quick ? 200_000 : 2_000_000;
const tiled = quick ? 100_000 : 1_000_000;
const inputs = [
  { name: "synthetic", rows: big, data: synthetic(big) },
  { name: "UCI", rows: real.rows, data: real.data },
  { name: "UCI tiled", rows: tiled, data: tile(real.data, tiled) },
].map((x) => ({ ...x, table: featureTable(x.data) }));

const cases: BenchCase[] = [];
// Outlier scoring is about fifty times slower: it is measured on at most OUTLIER_ROWS customers.
const OUTLIER_ROWS = quick ? 20_000 : 200_000;
for (const x of inputs) {
  const size = `${x.name}, ${x.rows.toLocaleString("en-US")} customers`;
  const m = Math.min(x.rows, OUTLIER_ROWS);
  const sizeWith = `${x.name}, ${m.toLocaleString("en-US")} customers`;
  const head = x.data.subarray(0, m * d);
  const headTable = x.table.slice(0, m);
  cases.push({ kernel: "scoreFeatures (matrix)", size, impl: "no outliers", fn: () => scoreFeatures(engine, model.artefact, x.data, x.rows, { outliers: false }) });
  cases.push({ kernel: "model.predict (Arrow table)", size, impl: "no outliers", fn: () => model.predict(x.table) });
  cases.push({ kernel: "scoreFeatures (matrix)", size: sizeWith, impl: "with outliers", fn: () => scoreFeatures(engine, model.artefact, head, m) });
  cases.push({ kernel: "model.score (Arrow table)", size: sizeWith, impl: "with outliers", fn: () => model.score(headTable) });
}
const rows: BenchRow[] = await runCases(cases, { timeMs: quick ? 300 : 1000, iterations: quick ? 3 : 7 });

/** Median CPU milliseconds (user + system, every thread of the process) of a few calls. */
function cpuMs(fn: () => unknown, runs = quick ? 3 : 5): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.cpuUsage();
    fn();
    const t = process.cpuUsage(t0);
    times.push((t.user + t.system) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}
const cpu = cases.map((c) => cpuMs(c.fn));
await rm(tmp, { recursive: true, force: true });

const rowsOf = (size: string) => Number(size.split(", ")[1]!.split(" ")[0]!.replaceAll(",", ""));
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString("en-US");
console.log(`\nthreads ${engine.threads}, ${availableParallelism()} cores; customers per second from the median wall time and the median CPU time`);
console.log(["case", "input", "outliers", "wall ms", "customers/s (wall)", "CPU ms", "customers per CPU-second"].join(" | "));
rows.forEach((r, i) => {
  const n = rowsOf(r.size);
  console.log([r.kernel, r.size, r.impl, r.medianMs.toFixed(1), rate(n, r.medianMs), cpu[i]!.toFixed(1), rate(n, cpu[i]!)].join(" | "));
});
const out = fileURLToPath(new URL("../../bench/results/predict.json", import.meta.url));
await writeResults(out, { suite: "predict", cores: availableParallelism(), threads: engine.threads, quick, loadAverage: loadavg() }, rows.map((r, i) => ({ ...r, cpuMs: cpu[i]! })));
console.error(`wrote ${out}`);
engine.close();
