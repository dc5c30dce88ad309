// `custseg tune` on the original's grid (144 trials, all three metrics) on the real data in
// `--compat seed` (4,067 customers × 6 components), beside scikit-learn's 27.4 s for the same grid
// (../shared/anchors/seed_tune.py, measured on this machine; `--sklearn` measures it again):
// - the whole process: the CLI under /usr/bin/time (wall, CPU time / wall), median of a few runs;
// - the grid alone: with the worker pool, on one thread, and brute force (every trial fitted and
//   scored on its own, as scikit-learn does), with the runs and silhouettes actually computed.
// Usage: npm run bench:tune [-- --quick] [-- --sklearn]   Needs ../shared/data. Writes bench/results/tune.json.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEngine } from "../src/engine/engine.js";
import { prepareCustomers } from "../src/pipeline/jobs/prepare-job.js";
import { TunePool } from "../src/pipeline/jobs/tune-pool.js";
import { fitSettings, type TuneBackend } from "../src/pipeline/steps/tune.js";
import { engineBackend } from "../src/pipeline/steps/tune-engine.js";
import { DEFAULT_GRID, gridTrials } from "../src/pipeline/steps/tune-grid.js";
import { writeFileAtomic } from "../src/io/atomic.js";

const quick = process.argv.includes("--quick");
const withSklearn = process.argv.includes("--sklearn");
const shared = (rel: string) => fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));
const cli = fileURLToPath(new URL("../cli/custseg.js", import.meta.url));
const parquet = shared("data/online_retail.parquet");
/** scikit-learn 1.2, OMP_NUM_THREADS=1 (its best setting here): ../shared/anchors/README.md. */
const SKLEARN = { totalS: 27.4, fitS: 6.2, metricsS: 21.2 };
const SEED = 42;
const TOL = 1e-4;
const runs = quick ? 1 : 3;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Wall and CPU milliseconds of `fn` (CPU of the whole process: every thread). */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { result, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

const work = await mkdtemp(join(tmpdir(), "custseg-bench-tune-"));
try {
  // The whole process, as a user runs it (the Arrow cache of the parquet warmed by the first run).
  const cliRuns: { wallS: number; cpuS: number }[] = [];
  for (let r = 0; r <= runs; r++) {
    const res = spawnSync("/usr/bin/time", ["-f", "%e %U %S", process.execPath, cli, "tune", "--compat", "seed", "--input", parquet, "--out", join(work, `cli-${r}`), "--json"], {
      encoding: "utf8",
      cwd: work,
    });
    if (res.status !== 0) throw new Error(`tune failed: ${res.stderr}`);
    const [wall, user, sys] = res.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    if (r > 0) cliRuns.push({ wallS: wall!, cpuS: user! + sys! });
  }
  const cliWall = median(cliRuns.map((c) => c.wallS));
  const cliCpuS = median(cliRuns.map((c) => c.cpuS));
  const cliCpu = median(cliRuns.map((c) => c.cpuS / c.wallS));

  const engine = await loadEngine({ threads: 1 });
  const prepared = await prepareCustomers(engine, { input: parquet, compat: "seed", seed: SEED, variance: 0.8, cacheDir: join(work, "cache") });
  const scores = prepared.reduced.scores;
  const x = engine.upload(scores);
  const trials = gridTrials(DEFAULT_GRID);
  const grid = async (backend: TuneBackend) => fitSettings(backend, trials, { seed: SEED, tol: TOL });

  const pool = TunePool.start(availableParallelism());
  await pool.setData(scores);
  const pooled: Awaited<ReturnType<typeof measure<Awaited<ReturnType<typeof grid>>>>>[] = [];
  for (let r = 0; r < runs; r++) pooled.push(await measure(() => grid(pool)));
  await pool.close();
  const single: { wallMs: number; cpuMs: number }[] = [];
  for (let r = 0; r < runs; r++) single.push(await measure(() => grid(engineBackend(engine, x))));

  // Brute force: each trial fitted and scored on its own (what scikit-learn's loop does), one thread.
  const brute = await measure(async () => {
    for (const t of trials) {
      const fit = engine.kmeans(x, { k: t.k, init: t.init, nInit: t.nInit, maxIter: t.maxIter, tol: TOL, seed: SEED });
      engine.silhouette(x, fit.labels);
      engine.daviesBouldin(x, fit.labels);
      engine.calinskiHarabasz(x, fit.labels);
    }
  });
  x.free();

  let sklearn: unknown;
  if (withSklearn) {
    // As ../shared/anchors/README.md says: one OpenMP thread, OpenBLAS left to its own sizing.
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: "1" };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const res = spawnSync("/usr/bin/time", ["-f", "%e %U %S", "/usr/bin/python3", shared("anchors/seed_tune.py"), shared("")], { encoding: "utf8", env });
    if (res.status === 0) {
      const [wall, user, sys] = res.stderr.trim().split("\n").pop()!.split(" ").map(Number);
      sklearn = { ...JSON.parse(res.stdout), processWallS: wall, processCpuS: user! + sys! };
    } else sklearn = `failed: ${res.stderr.split("\n").slice(-2).join(" ")}`;
  }

  const counts = pooled[0]!.result.counts;
  const gridWall = median(pooled.map((p) => p.wallMs));
  const gridCpu = median(pooled.map((p) => p.cpuMs / p.wallMs));
  const out = {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    customers: scores.rows,
    components: scores.cols,
    trials: trials.length,
    // On a shared machine wall times swing with the other load; CPU times much less.
    process: { wallS: cliWall, cpuS: cliCpuS, cpuOverWall: cliCpu, runs: cliRuns },
    grid: {
      pooledMs: gridWall,
      pooledCpuMs: median(pooled.map((p) => p.cpuMs)),
      cpuOverWall: gridCpu,
      oneThreadMs: median(single.map((p) => p.wallMs)),
      oneThreadCpuMs: median(single.map((p) => p.cpuMs)),
      bruteForceMs: brute.wallMs,
      bruteForceCpuMs: brute.cpuMs,
    },
    counts,
    scikitLearn: { ...SKLEARN, measuredNow: sklearn },
  };
  const f = (v: number, d = 2) => v.toFixed(d);
  console.log(`custseg tune, the original's grid: ${trials.length} trials × 3 metrics on ${scores.rows}×${scores.cols} (--compat seed), ${out.cores} cores`);
  console.log(`  scikit-learn (seed_tune.py)          ${SKLEARN.totalS} s (${SKLEARN.fitS} s fits, ${SKLEARN.metricsS} s metrics), grid only`);
  console.log(`  whole process (CLI, median of ${cliRuns.length})  ${f(cliWall)} s wall, ${f(cliCpuS)} s CPU, CPU/wall ${f(cliCpu)}`);
  console.log(`  grid, worker pool                    ${f(gridWall, 0)} ms wall, ${f(out.grid.pooledCpuMs, 0)} ms CPU, CPU/wall ${f(gridCpu)}`);
  console.log(`  grid, one thread                     ${f(out.grid.oneThreadMs, 0)} ms wall, ${f(out.grid.oneThreadCpuMs, 0)} ms CPU`);
  console.log(`  grid, brute force (each trial alone) ${f(brute.wallMs, 0)} ms wall, ${f(brute.cpuMs, 0)} ms CPU, one thread`);
  console.log(`  k-means runs fitted                  ${counts.fits} of ${counts.bruteForceFits}`);
  console.log(`  silhouettes computed                 ${counts.silhouettes} of ${counts.bruteForceSilhouettes}`);
  if (withSklearn) console.log(`  scikit-learn now                     ${JSON.stringify(sklearn)}`);
  await writeFileAtomic(fileURLToPath(new URL("../../bench/results/tune.json", import.meta.url)), `${JSON.stringify(out, null, 1)}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
