// End-to-end benchmark of `custseg run`: per-step wall times of runPipeline (medians of a few runs;
// a whole run is too long for tinybench's sampling) on the real parquet, cold (no Arrow cache) and
// warm (from the cache), and on generated data of 0.5 M and 5 M lines; then the CLI's wall time and
// peak RSS from `/usr/bin/time -v` on the real parquet (cold; from the cached source with no step
// stored; with every step stored) and on the UCI zip.
// Usage: npm run bench:pipeline [-- --quick]    (--quick: one run per case, no 5 M lines)
// Needs ../shared/data. Generated inputs are kept in <tmpdir>/custseg-bench-pipeline for reuse.
// Writes bench/results/pipeline.json.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEngine } from "../src/engine/engine.js";
import { generateFile } from "../src/io/generate/generate.js";
import { runPipeline } from "../src/pipeline/jobs/run.js";
import { RUN_DEFAULTS, type RunOptions } from "../src/pipeline/options.js";
import { writeFileAtomic } from "../src/io/atomic.js";

const quick = process.argv.includes("--quick");
const shared = (rel: string) => fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));
const cli = fileURLToPath(new URL("../cli/custseg.js", import.meta.url));
const realParquet = shared("data/online_retail.parquet");
const realZip = shared("data/online_retail.zip");
const STEPS = ["load", "clean", "features", "outliers", "scale", "pca", "kmeans", "metrics", "profiles", "recommendations", "report", "write"];
const DEFAULTS = RUN_DEFAULTS;

interface CaseResult {
  case: string;
  runs: number;
  customers: number;
  /** Median per step, and of the whole runPipeline call. */
  stepsMs: Record<string, number>;
  totalMs: number;
}

interface CliResult {
  case: string;
  wallS: number;
  /** User + system CPU time of the process (all its threads). */
  cpuS: number;
  peakRssMb: number;
  exitCode: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const work = await mkdtemp(join(tmpdir(), "custseg-bench-run-"));
const engine = await loadEngine();

async function timeRuns(name: string, input: string, runs: number, cacheDir: string | false): Promise<CaseResult> {
  const steps: Record<string, number[]> = {};
  const totals: number[] = [];
  let customers = 0;
  for (let r = 0; r < runs; r++) {
    const out = join(work, `${name}-${r}`);
    const opts: RunOptions = { ...DEFAULTS, input, cacheDir, out };
    const t0 = performance.now();
    const { summary } = await runPipeline(engine, opts);
    totals.push(performance.now() - t0);
    customers = summary.customersBeforeOutliers;
    for (const [step, ms] of Object.entries(summary.timingsMs)) (steps[step] ??= []).push(ms);
    await rm(out, { recursive: true, force: true });
  }
  const result = { case: name, runs, customers, stepsMs: Object.fromEntries(Object.entries(steps).map(([s, v]) => [s, median(v)])), totalMs: median(totals) };
  process.stderr.write(`  ${name.padEnd(28)} ${(result.totalMs / 1000).toFixed(2)} s (median of ${runs})\n`);
  return result;
}

/** The CLI under /usr/bin/time -v, in `cwd` (whose data/cache is the Arrow cache). */
function timeCli(name: string, cwd: string, args: string[]): CliResult {
  const res = spawnSync("/usr/bin/time", ["-v", process.execPath, cli, "run", ...args, "--json", "--out", join(work, `cli-${name}`)], { cwd, encoding: "utf8" });
  const field = (label: string) => res.stderr.match(new RegExp(`${label}: (.+)`))?.[1]?.trim() ?? "";
  const clock = field("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)").split(":").map(Number);
  const wallS = clock.reduce((acc, v) => acc * 60 + v, 0);
  const cpuS = Number(field("User time \\(seconds\\)")) + Number(field("System time \\(seconds\\)"));
  const result = { case: name, wallS, cpuS, peakRssMb: Math.round(Number(field("Maximum resident set size \\(kbytes\\)")) / 1024), exitCode: res.status ?? -1 };
  if (result.exitCode !== 0) throw new Error(`${name}: custseg run failed:\n${res.stderr}`);
  process.stderr.write(`  CLI ${name.padEnd(40)} ${wallS.toFixed(2)} s, ${cpuS.toFixed(2)} s CPU, peak RSS ${result.peakRssMb} MB\n`);
  return result;
}

/** Wall time of a bare Node start, to subtract from the CLI's. */
function nodeStartS(): number {
  const times = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-e", "0"]);
    return (performance.now() - t0) / 1000;
  });
  return median(times);
}

async function generated(rows: number): Promise<string> {
  const dir = join(tmpdir(), "custseg-bench-pipeline");
  const path = join(dir, `gen-${rows}.parquet`);
  if (!existsSync(path)) {
    await mkdir(dir, { recursive: true });
    process.stderr.write(`  generating ${rows} lines into ${path}\n`);
    // The real data's ratio of lines to customers (541,909 : 4,372).
    await generateFile(path, { rows, customers: Math.round(rows / 124), seed: 0 });
  }
  return path;
}

try {
  const runs = quick ? 1 : 3;
  const cache = join(work, "cache");
  const cases: CaseResult[] = [];
  cases.push(await timeRuns("real parquet, cold", realParquet, runs, false));
  await runPipeline(engine, { ...DEFAULTS, input: realParquet, cacheDir: cache, out: join(work, "prime") });
  cases.push(await timeRuns("real parquet, warm cache", realParquet, runs, cache));
  cases.push(await timeRuns("generated 0.5 M lines", await generated(500_000), runs, false));
  if (!quick) cases.push(await timeRuns("generated 5 M lines", await generated(5_000_000), 1, false));

  const cliDir = join(work, "cli");
  await mkdir(cliDir);
  // The run's own case: the source cached as Arrow IPC, no step stored (the artefact store emptied).
  const noStepsStored = async (name: string) => {
    await rm(join(cliDir, "data/cache/artifacts"), { recursive: true, force: true });
    return timeCli(name, cliDir, ["--input", realParquet]);
  };
  const clis = [
    timeCli("real parquet, cold", cliDir, ["--input", realParquet]),
    await noStepsStored("real parquet, cached, no step stored"),
    ...(quick ? [] : [await noStepsStored("real parquet, cached, no step stored (2)")]),
    timeCli("real parquet, every step stored", cliDir, ["--input", realParquet]),
    timeCli("real zip/xlsx, cold", await mkdtemp(join(work, "zip-")), ["--input", realZip]),
  ];
  const nodeS = nodeStartS();

  const cols = cases.map((c) => c.case);
  const width = Math.max(...cols.map((c) => c.length), 10);
  const cell = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(1)).padStart(width);
  const lines = [
    `${"step (ms)".padEnd(16)}${cols.map((c) => c.padStart(width + 2)).join("")}`,
    ...[...STEPS, "total"].map((s) => `${s.padEnd(16)}${cases.map((c) => `  ${cell(s === "total" ? c.totalMs : c.stepsMs[s])}`).join("")}`),
  ];
  const half = cases.find((c) => c.case.startsWith("generated 0.5"));
  const five = cases.find((c) => c.case.startsWith("generated 5 "));
  if (half && five) {
    lines.push("", `growth 0.5 M → 5 M lines (${half.customers} → ${five.customers} customers):`);
    for (const s of [...STEPS, "total"]) {
      const a = s === "total" ? half.totalMs : half.stepsMs[s]!;
      const b = s === "total" ? five.totalMs : five.stepsMs[s]!;
      lines.push(`  ${s.padEnd(16)} ${(b / a).toFixed(1).padStart(6)}×`);
    }
  }
  lines.push("", `CLI (/usr/bin/time -v; bare Node start ${nodeS.toFixed(2)} s):`);
  for (const c of clis) lines.push(`  ${c.case.padEnd(40)} ${c.wallS.toFixed(2)} s wall (${(c.wallS - nodeS).toFixed(2)} s after start), ${c.cpuS.toFixed(2)} s CPU, peak RSS ${c.peakRssMb} MB`);
  console.log(lines.join("\n"));

  const out = fileURLToPath(new URL("../../bench/results/pipeline.json", import.meta.url));
  const result = { suite: "pipeline", date: new Date().toISOString(), node: process.version, cores: availableParallelism(), quick, nodeStartS: nodeS, cases, cli: clis };
  await writeFileAtomic(out, `${JSON.stringify(result, null, 1)}\n`);
  console.error(`wrote ${out}`);
} finally {
  engine.close();
  await rm(work, { recursive: true, force: true });
}
