// Mini-batch k-means at scale: 1,000,000 and 10,000,000 rows × 15 features (blobs around k = 8
// centres), custseg's mini-batch fit against its own Lloyd fit (time and inertia) and against
// scikit-learn's MiniBatchKMeans on the same rows (bench/sklearn_minibatch.py, run with --sklearn).
// Each fit runs once: they take seconds to minutes, and the figures are read as ratios.
// With --silhouette instead: the silhouette of a 20,000-row sample of 1,000,000 overlapping blobs
// (6 features, 3 clusters, mini-batch labels), its time and 95 % interval.
// Usage: node dist/bench/minibatch.js [--sizes 1000000,10000000] [--threads 1] [--sklearn [PYTHON]] [--silhouette]
// Writes bench/results/minibatch.json (and sklearn-minibatch.json with --sklearn), or silhouette-sample.json.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEngine } from "../src/engine/engine.js";
import { writeFileAtomic } from "../src/io/atomic.js";
import { blobs } from "./cases/data.js";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] && !process.argv[i + 1]!.startsWith("--") ? process.argv[i + 1]! : fallback;
};
const sizes = arg("--sizes", "1000000,10000000").split(",").map(Number);
const threads = Number(arg("--threads", "1"));
const withSklearn = process.argv.includes("--sklearn");
const python = arg("--sklearn", "python3");
const D = 15;
const K = 8;
const SEED = 0;
/** Lloyd's runs: three at a million rows (mini-batch also weighs three inits), one beyond. */
const lloydInits = (n: number) => (n <= 1_000_000 ? 3 : 1);
const here = fileURLToPath(new URL(".", import.meta.url));
const results = join(here, "..", "..", "bench", "results");

interface Row {
  rows: number;
  cols: number;
  k: number;
  impl: string;
  wallMs: number;
  inertia: number;
  nIter: number;
  nSteps?: number;
  nInit: number;
}

const engine = await loadEngine({ threads });

if (process.argv.includes("--silhouette")) {
  const n = 1_000_000;
  const size = 20_000;
  const x = blobs(SEED + 1, n, 6, 3, { box: 4, noise: (rng) => 3 * (rng.nextFloat() + rng.nextFloat() - 1) });
  const resident = engine.upload(x);
  const { labels } = engine.minibatchKMeans(resident, { k: 3, seed: SEED });
  const t = performance.now();
  const s = await engine.silhouetteSampleInterruptible(resident, labels, { size, seed: SEED });
  const wallMs = performance.now() - t;
  resident.free();
  engine.close();
  const row = { rows: n, cols: 6, k: 3, sample: size, wallMs, score: s.score, ci95: s.ci95 };
  process.stderr.write(`  ${JSON.stringify(row)}\n`);
  await writeFileAtomic(join(results, "silhouette-sample.json"), `${JSON.stringify({ suite: "silhouette-sample", threads, ...row }, null, 1)}\n`);
  process.exit(0);
}

const rows: Row[] = [];
const dir = withSklearn ? mkdtempSync(join(tmpdir(), "custseg-minibatch-")) : undefined;
const inputs: { file: string; rows: number; cols: number }[] = [];
try {
  for (const n of sizes) {
    const x = blobs(SEED + 1, n, D, K);
    if (dir) {
      const file = join(dir, `blobs-${n}.f64`);
      writeFileSync(file, new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
      inputs.push({ file, rows: n, cols: D });
    }
    const resident = engine.upload(x);
    try {
      let t = performance.now();
      const mb = engine.minibatchKMeans(resident, { k: K, seed: SEED });
      rows.push({ rows: n, cols: D, k: K, impl: "custseg minibatch", wallMs: performance.now() - t, inertia: mb.inertia, nIter: mb.nIter, nSteps: mb.nSteps, nInit: 3 });
      process.stderr.write(`  ${n} rows: mini-batch ${(rows.at(-1)!.wallMs / 1000).toFixed(2)} s, inertia ${mb.inertia.toExponential(6)}, ${mb.nSteps} steps\n`);
      t = performance.now();
      const lloyd = engine.kmeans(resident, { k: K, seed: SEED, nInit: lloydInits(n) });
      rows.push({ rows: n, cols: D, k: K, impl: "custseg lloyd", wallMs: performance.now() - t, inertia: lloyd.inertia, nIter: lloyd.nIter, nInit: lloydInits(n) });
      process.stderr.write(`  ${n} rows: Lloyd ${(rows.at(-1)!.wallMs / 1000).toFixed(2)} s, inertia ${lloyd.inertia.toExponential(6)}, ${lloyd.nIter} iterations\n`);
      process.stderr.write(`  ${n} rows: mini-batch inertia / Lloyd's = ${(mb.inertia / lloyd.inertia).toFixed(5)}\n`);
    } finally {
      resident.free();
    }
  }
  if (dir) {
    writeFileSync(join(dir, "inputs.json"), JSON.stringify({ k: K, seed: SEED, inputs }));
    const out = join(results, "sklearn-minibatch.json");
    const res = spawnSync(python, [join(here, "..", "..", "bench", "sklearn_minibatch.py"), join(dir, "inputs.json"), out], { stdio: ["ignore", "inherit", "inherit"] });
    if (res.status !== 0) throw new Error(`${python} bench/sklearn_minibatch.py failed (exit ${res.status})`);
    for (const r of JSON.parse(readFileSync(out, "utf8")).rows as Row[]) rows.push(r);
  }
} finally {
  if (dir) rmSync(dir, { recursive: true, force: true });
  engine.close();
}

const ratios = sizes.map((n) => {
  const of = (impl: string) => rows.find((r) => r.rows === n && r.impl === impl);
  const mb = of("custseg minibatch")!;
  const lloyd = of("custseg lloyd")!;
  const sk = of("scikit-learn MiniBatchKMeans");
  return {
    rows: n,
    inertiaVsLloyd: mb.inertia / lloyd.inertia,
    speedupVsLloyd: lloyd.wallMs / mb.wallMs,
    ...(sk ? { inertiaVsSklearn: mb.inertia / sk.inertia, speedupVsSklearn: sk.wallMs / mb.wallMs } : {}),
  };
});
for (const r of ratios) process.stderr.write(`  ${JSON.stringify(r)}\n`);
await writeFileAtomic(join(results, "minibatch.json"), `${JSON.stringify({ suite: "minibatch", threads, k: K, cols: D, rows, ratios }, null, 1)}\n`);
