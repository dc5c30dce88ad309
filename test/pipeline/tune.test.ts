// The tune grid's reuse is exact: every trial's fit equals fitting that setting alone with the
// engine (labels, centres, inertia and iterations bit for bit), and its metrics equal scoring those
// labels alone — on the original's PCA output (4,067×6), for the original's grid and for caps so
// small that runs are cut off and refitted. The worker-thread backend gives the same results. Past
// a silhouette sample size, each labelling's silhouette is the engine's sampled one, on one sample.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ResidentMatrix } from "../../src/engine/context.js";
import { type Engine, loadEngine } from "../../src/engine/engine.js";
import { readMatrix } from "../../src/io/matrix.js";
import { TunePool } from "../../src/pipeline/jobs/tune-pool.js";
import { fitSettings, type SettingResult } from "../../src/pipeline/steps/tune.js";
import { engineBackend } from "../../src/pipeline/steps/tune-engine.js";
import { DEFAULT_GRID, gridTrials, parseGrid } from "../../src/pipeline/steps/tune-grid.js";
import { tuneAnalysis } from "../../src/pipeline/steps/tune-analysis.js";
import { intervalsOverlap } from "../../src/pipeline/steps/tune-rank.js";
import { assertClose } from "../helpers/assert.js";
import { sharedFile } from "../helpers/shared.js";

const pcaCsv = sharedFile("reference/seed-pipeline/pca_output.csv", "tune grid on the original's PCA output");
const SEED = 42;
const TOL = 1e-4;

let engine: Engine;
let x: ResidentMatrix;
let data: { data: Float64Array; rows: number; cols: number };

test.before(async () => {
  if (!pcaCsv) return;
  engine = await loadEngine({ threads: 1 });
  data = (await readMatrix(pcaCsv, { columns: ["PC1", "PC2", "PC3", "PC4", "PC5", "PC6"] })).matrix;
  x = engine.upload(data);
});

test.after(() => {
  x?.free();
});

function assertSameAsAlone(r: SettingResult): void {
  const { k, init, nInit, maxIter } = r.params;
  const alone = engine.kmeans(x, { k, init, nInit, maxIter, tol: TOL, seed: SEED });
  const what = `k=${k} ${init} n_init=${nInit} max_iter=${maxIter}`;
  assert.is(r.fit.inertia, alone.inertia, `${what}: inertia`);
  assert.is(r.fit.nIter, alone.nIter, `${what}: iterations`);
  assert.equal(r.fit.labels, alone.labels, `${what}: labels`);
  assert.equal(r.fit.centers, alone.centers, `${what}: centres`);
}

test("the original's 144 trials: fits equal the engine's fit of that setting alone", async () => {
  if (!pcaCsv) return;
  const trials = gridTrials(DEFAULT_GRID);
  const { results, counts } = await fitSettings(engineBackend(engine, x), trials, { seed: SEED, tol: TOL });
  assert.is(results.length, 144);
  // Every n_init × max_iter of the slowest group (k = 8, random: most iterations, most distinct
  // labellings), and the longest setting of every other group; fitting all 144 alone is the
  // brute force the bench times.
  const checked = results.filter((r) => (r.params.k === 8 && r.params.init === "random") || (r.params.nInit === 50 && r.params.maxIter === 1000));
  assert.is(checked.length, 24 + 5);
  for (const r of checked) assertSameAsAlone(r);
  assert.is(counts.bruteForceFits, 2112);
  assert.is(counts.bruteForceSilhouettes, 144);
  assert.ok(counts.fits < counts.bruteForceFits, `fits ${counts.fits}`);
  assert.ok(counts.silhouettes < 144, `silhouettes ${counts.silhouettes}`);
  // Metrics of one trial per distinct labelling equal scoring its labels directly.
  const seen = new Set<number>();
  for (const r of results) {
    if (seen.has(r.labelling)) continue;
    seen.add(r.labelling);
    assert.is(r.metrics.silhouette, engine.silhouette(x, r.fit.labels).score);
    assert.is(r.metrics.daviesBouldin, engine.daviesBouldin(x, r.fit.labels));
    assert.is(r.metrics.calinskiHarabasz, engine.calinskiHarabasz(x, r.fit.labels));
  }
  assert.is(seen.size, counts.silhouettes);
});

test("runs cut off by a small max_iter are refitted under the next cap, still equal to fitting alone", async () => {
  if (!pcaCsv) return;
  const grid = parseGrid("k=3,8 init=k-means++,random n-init=1,3,7 max-iter=1,2,5,300");
  const { results, counts } = await fitSettings(engineBackend(engine, x), gridTrials(grid), { seed: SEED, tol: TOL, batch: 2 });
  for (const r of results) assertSameAsAlone(r);
  // 4 groups × 7 runs at the first cap, then again for every run that hit a cap.
  assert.ok(counts.fits > 28, `fits ${counts.fits}`);
});

test("worker threads give the same trials as one thread", async () => {
  if (!pcaCsv) return;
  const trials = gridTrials(parseGrid("k=3,4 n-init=1,2,5 max-iter=3,100"));
  const pool = TunePool.start(2);
  try {
    await pool.setData(data);
    const threaded = await fitSettings(pool, trials, { seed: SEED, tol: TOL });
    const local = await fitSettings(engineBackend(engine, x), trials, { seed: SEED, tol: TOL });
    assert.equal(threaded.counts, local.counts);
    threaded.results.forEach((r, i) => {
      const l = local.results[i]!;
      assert.equal(r.params, l.params);
      assert.equal(r.fit.labels, l.fit.labels);
      assert.is(r.labelling, l.labelling, "labellings numbered in the grid's order, however the threads finish");
      assert.is(r.fit.inertia, l.fit.inertia);
      assert.is(r.metrics.silhouette, l.metrics.silhouette);
      assert.is(r.metrics.daviesBouldin, l.metrics.daviesBouldin);
      assert.is(r.metrics.calinskiHarabasz, l.metrics.calinskiHarabasz);
      assert.equal(r.metrics.samples, l.metrics.samples);
    });
  } finally {
    await pool.close();
  }
});

// The 4,067 customers against a sample of 500: every distinct labelling is scored on the same rows,
// and each score is the engine's sampled silhouette of that labelling (scikit-learn's sample_size).
const SAMPLE = { size: 500, seed: SEED };
const SAMPLED_GRID = "k=3,4,8 init=k-means++,random n-init=1,3 max-iter=300";

test("past the sample size: every labelling's silhouette is the engine's sampled silhouette, on one sample for all", async () => {
  if (!pcaCsv) return;
  const { results } = await fitSettings(engineBackend(engine, x, undefined, SAMPLE), gridTrials(parseGrid(SAMPLED_GRID)), { seed: SEED, tol: TOL });
  const seen = new Set<number>();
  let rows: Int32Array | undefined;
  for (const r of results) {
    if (seen.has(r.labelling)) continue;
    seen.add(r.labelling);
    const direct = await engine.silhouetteSampleInterruptible(x, r.fit.labels, SAMPLE);
    assert.is(r.metrics.silhouette, direct.score);
    assert.equal(r.metrics.ci95, [direct.ci95[0], direct.ci95[1]]);
    assert.ok(direct.ci95[0] < direct.score && direct.score < direct.ci95[1], "a proper interval");
    direct.rows.forEach((row, i) => {
      assert.is(r.metrics.samples[row], direct.samples[i]);
    });
    assert.is(r.metrics.samples.filter((v) => !Number.isNaN(v)).length, 500 + (direct.missed?.rows.length ?? 0));
    // Davies–Bouldin and Calinski–Harabasz stay over every customer.
    assert.is(r.metrics.daviesBouldin, engine.daviesBouldin(x, r.fit.labels));
    assert.is(r.metrics.calinskiHarabasz, engine.calinskiHarabasz(x, r.fit.labels));
    rows ??= direct.rows;
    assert.equal(direct.rows, rows, "the same customers for every labelling");
  }
  assert.ok(seen.size > 3, `labellings ${seen.size}`);
});

test("at or below the sample size the silhouettes are exact, as without one", async () => {
  if (!pcaCsv) return;
  const trials = gridTrials(parseGrid("k=3,8 init=random n-init=1,3 max-iter=300"));
  const exact = await fitSettings(engineBackend(engine, x), trials, { seed: SEED, tol: TOL });
  for (const size of [x.rows, x.rows + 1]) {
    const { results } = await fitSettings(engineBackend(engine, x, undefined, { size, seed: SEED }), trials, { seed: SEED, tol: TOL });
    results.forEach((r, i) => {
      assert.is(r.metrics.silhouette, exact.results[i]!.metrics.silhouette);
      assert.is(r.metrics.silhouette, engine.silhouette(x, r.fit.labels).score);
      assert.equal(r.metrics.samples, exact.results[i]!.metrics.samples);
      assert.is(r.metrics.ci95, undefined);
    });
  }
});

test("worker threads score the same sample as one thread", async () => {
  if (!pcaCsv) return;
  const trials = gridTrials(parseGrid("k=3,4 n-init=1,3 max-iter=300"));
  const pool = TunePool.start(2);
  try {
    await pool.setData(data, SAMPLE);
    const threaded = await fitSettings(pool, trials, { seed: SEED, tol: TOL });
    const local = await fitSettings(engineBackend(engine, x, undefined, SAMPLE), trials, { seed: SEED, tol: TOL });
    threaded.results.forEach((r, i) => {
      const l = local.results[i]!;
      assert.is(r.metrics.silhouette, l.metrics.silhouette);
      assert.equal(r.metrics.ci95, l.metrics.ci95);
      // Byte for byte: NaN (outside the sample) never equals itself.
      assert.equal(new Uint8Array(r.metrics.samples.buffer), new Uint8Array(l.metrics.samples.buffer));
    });
  } finally {
    await pool.close();
  }
});

test("a sampled ranking flags the trials whose interval overlaps the best's; the k analysis uses the same sample", async () => {
  if (!pcaCsv) return;
  const sample = { size: SAMPLE.size, population: x.rows, seed: SEED };
  const outcome = await tuneAnalysis(engineBackend(engine, x, undefined, SAMPLE), { grid: parseGrid(SAMPLED_GRID), kRange: [2, 3, 4], seed: SEED, tol: TOL, cols: x.cols, silhouetteSample: sample });
  const best = outcome.trials[0]!;
  let overlapping = 0;
  for (const t of outcome.trials) {
    assert.ok(t.silhouetteCi95, "every trial has its interval");
    const expected = t.labelling !== best.labelling && intervalsOverlap(t.silhouetteCi95!, best.silhouetteCi95!);
    assert.is(t.overlapsBest, expected, `rank ${t.rank}`);
    if (expected) overlapping++;
  }
  assert.match(outcome.rankingNote!, /^Ranked by the silhouette of a seeded sample of 500 of 4,067 customers \(seed 42\), the same customers for every trial; /);
  assert.ok(outcome.rankingNote!.includes(overlapping === 0 ? "no trial of another labelling" : `${overlapping} trial`), outcome.rankingNote);
  for (const p of outcome.kAnalysis) {
    const fit = engine.kmeans(x, { k: p.k, init: "k-means++", nInit: 10, maxIter: 300, tol: TOL, seed: SEED });
    const direct = await engine.silhouetteSampleInterruptible(x, fit.labels, SAMPLE);
    assert.is(p.silhouette, direct.score, `k = ${p.k}`);
    assert.equal(p.silhouetteCi95, [direct.ci95[0], direct.ci95[1]]);
    // Each cluster's mean is over its customers that have a value (NaN outside the sample).
    for (let c = 0; c < p.k; c++) {
      const values = [...p.samples].filter((v, i) => p.labels[i] === c && !Number.isNaN(v));
      assert.ok(values.length > 0 && values.length < p.sizes[c]!, `k = ${p.k}, cluster ${c}: sampled`);
      assertClose(p.clusterSilhouette[c]!, values.reduce((a, v) => a + v, 0) / values.length, 1e-12, `k = ${p.k}, cluster ${c}`, "relative");
    }
  }
  assert.is(outcome.recommendation.overlapsNext !== undefined, true);
  assert.match(outcome.recommendation.line, /The silhouettes are a sample's/);
});

test("a fit's runs are the prefix of a longer fit's: run r alone is run r of the loop", () => {
  if (!pcaCsv) return;
  // n_init = 3 keeps the best of runs 0..2; fitting runs 0, 1, 2 alone and keeping the lowest
  // inertia (by the engine's rule) must land on the same fit.
  for (const init of ["k-means++", "random"] as const) {
    const runs = [0, 1, 2].map((r) => engine.kmeans(x, { k: 4, init, nInit: 1, firstRun: r, maxIter: 300, seed: SEED }));
    const whole = engine.kmeans(x, { k: 4, init, nInit: 3, maxIter: 300, seed: SEED });
    const best = runs.reduce((b, r) => (r.inertia < b.inertia ? r : b));
    assert.is(whole.inertia, best.inertia);
    assert.equal(whole.labels, best.labels);
  }
});

test.run();
