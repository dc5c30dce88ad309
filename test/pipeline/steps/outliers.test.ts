import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Matrix, matrix } from "../../../src/engine/matrix.js";
import { Rng } from "../../../src/engine/rng.js";
import { UserError } from "../../../src/errors.js";
import { readOutlierIds } from "../../../src/io/ids.js";
import { loadEngine } from "../../../src/engine/engine.js";
import { averagePathLength } from "../../../src/engine/forest-model.js";
import { isolationForest, isolationForestInterruptible, outlierMask, percentileLinear } from "../../../src/pipeline/steps/outliers.js";
import { assertRejects } from "../../helpers/assert.js";
import { sharedFile, skipped } from "../../helpers/shared.js";

const engine = await loadEngine({ threads: 1 });

/** Rows of a numeric CSV with a header; the first column is the CustomerID. */
function readFeatures(path: string): { ids: number[]; x: Matrix } {
  const lines = readFileSync(path, "utf8").trim().split("\n").slice(1);
  const rows = lines.map((l) => l.split(",").map(Number));
  const cols = rows[0].length - 1;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    data.set(r.slice(1), i * cols);
  });
  return { ids: rows.map((r) => r[0]), x: matrix(data, rows.length, cols) };
}

function jaccard(a: Set<number>, b: Set<number>): number {
  let both = 0;
  for (const v of a) if (b.has(v)) both++;
  return both / (a.size + b.size - both);
}

const flaggedIds = (ids: number[], isOutlier: Uint8Array) => new Set(ids.filter((_, i) => isOutlier[i] === 1));

/** A blob of n points around the origin (uniform noise) plus the given extra rows. */
function blob(n: number, cols: number, seed: number, extra: number[][] = []): Matrix {
  const rng = new Rng(seed);
  const data = new Float64Array((n + extra.length) * cols);
  for (let i = 0; i < n * cols; i++) data[i] = rng.nextFloat() * 2 - 1;
  extra.forEach((row, k) => {
    data.set(row, (n + k) * cols);
  });
  return matrix(data, n + extra.length, cols);
}

test("c(n) follows scikit-learn's _average_path_length", () => {
  assert.is(averagePathLength(0), 0);
  assert.is(averagePathLength(1), 0);
  assert.is(averagePathLength(2), 1);
  // 2 (ln 2 + γ) − 4/3, and the max_samples = 256 normaliser.
  assert.ok(Math.abs(averagePathLength(3) - (2 * (Math.log(2) + 0.5772156649015329) - 4 / 3)) < 1e-15);
  assert.ok(Math.abs(averagePathLength(256) - 10.2447709201) < 1e-10);
});

test("percentileLinear matches numpy.percentile's linear method", () => {
  assert.is(percentileLinear([4, 1, 3, 2], 5), 1.15);
  assert.is(percentileLinear([10, 0, 5], 50), 5);
  assert.is(percentileLinear([7], 5), 7);
  assert.is(percentileLinear([1, 2], 100), 2);
});

test("an obvious outlier gets the lowest score and is flagged", () => {
  const x = blob(300, 4, 11, [[40, -35, 50, 60]]);
  const { scores, isOutlier, threshold } = isolationForest(engine, x, { seed: 3, contamination: 0.01 });
  const last = x.rows - 1;
  assert.is(isOutlier[last], 1);
  assert.ok(scores.every((s, i) => i === last || s > scores[last]));
  assert.ok(scores[last] < threshold);
  // score_samples lie in [−1, 0): 2^(−E[h]/c) is in (0, 1].
  assert.ok(scores.every((s) => s < 0 && s >= -1));
  assert.is(isOutlier.reduce((s, v) => s + v, 0), 3); // 1% of 301, rounded up by the strict `<`
});

test("fewer rows than 256: every tree sees all of them, and the count follows the percentile", () => {
  const x = blob(49, 3, 5, [[9, 9, 9]]);
  const { scores, isOutlier, threshold } = isolationForest(engine, x, { seed: 1, contamination: 0.1 });
  assert.is(scores.length, 50);
  assert.is(isOutlier[49], 1);
  // 10th percentile of 50 distinct scores sits between the 5th and 6th smallest: 5 below it.
  assert.is(new Set(scores).size, 50);
  assert.is(isOutlier.reduce((s, v) => s + v, 0), 5);
  assert.is(threshold, percentileLinear(scores, 10));
});

test("constant columns are never split on; an all-constant matrix scores everyone alike", () => {
  const withConstant = blob(200, 3, 9, [[30, 0, 0]]);
  for (let i = 0; i < withConstant.rows; i++) withConstant.data[i * 3 + 1] = 7; // column 1 constant
  const r = isolationForest(engine, withConstant, { seed: 2, contamination: 0.02 });
  assert.ok(r.scores.every(Number.isFinite));
  assert.is(r.isOutlier[200], 1);

  const flat = matrix(new Float64Array(40 * 2).fill(4), 40, 2);
  const f = isolationForest(engine, flat, { seed: 0 });
  // A single leaf of 40 rows: E[h] = c(40) = c(maxSamples), so every score is −2^−1 (up to the sum's rounding).
  assert.ok(f.scores.every((s) => s === f.scores[0] && Math.abs(s + 0.5) < 1e-12));
  assert.is(f.isOutlier.reduce((s, v) => s + v, 0), 0);
});

test("same seed, same forest; another seed, other scores", () => {
  const x = blob(500, 5, 21, [[8, 8, 8, 8, 8]]);
  const a = isolationForest(engine, x, { seed: 42 });
  const b = isolationForest(engine, x, { seed: 42 });
  assert.equal(Array.from(a.scores), Array.from(b.scores));
  assert.equal(Array.from(a.isOutlier), Array.from(b.isOutlier));
  const c = isolationForest(engine, x, { seed: 43 });
  assert.not.equal(Array.from(a.scores), Array.from(c.scores));
});

test("bad options are rejected", () => {
  const x = blob(10, 2, 1);
  assert.throws(() => isolationForest(engine, x, { contamination: 0 }), /contamination/);
  assert.throws(() => isolationForest(engine, x, { contamination: 0.6 }), /contamination/);
  assert.throws(() => isolationForest(engine, x, { nTrees: 0 }), /nTrees must be an integer in 1\.\.10000, got 0/);
  assert.throws(() => isolationForest(engine, x, { nTrees: 10_001 }), /nTrees must be an integer in 1\.\.10000, got 10001/);
  assert.throws(() => isolationForest(engine, x, { maxSamples: 5000 }), /maxSamples/);
  const withNaN = blob(10, 2, 1);
  withNaN.data[7] = Number.NaN;
  assert.throws(() => isolationForest(engine, withNaN), /row 4, column 2 is NaN, not a finite float32/);
  // One row: c(1) = 0, and scikit-learn then scores −2^−1.
  assert.equal(Array.from(isolationForest(engine, matrix(Float64Array.of(1, 2), 1, 2)).scores), [-0.5]);
  const empty = isolationForest(engine, matrix(new Float64Array(0), 0, 3));
  assert.is(empty.scores.length, 0);
});

test("real features: flags 5% and agrees with scikit-learn's IsolationForest (Jaccard ≥ 0.6)", () => {
  const featuresPath = sharedFile("reference/seed-pipeline/customer_features_pre_outlier.csv", "IsolationForest parity");
  const outliersPath = sharedFile("reference/seed-pipeline/outliers.csv", "IsolationForest parity");
  const scoresPath = sharedFile("reference/seed-pipeline/isolation_scores_all.csv", "IsolationForest parity");
  if (!featuresPath || !outliersPath || !scoresPath) return skipped();
  const { ids, x } = readFeatures(featuresPath);
  assert.is(x.rows, 4282);
  assert.is(x.cols, 15);
  const reference = readOutlierIds(outliersPath);
  assert.is(reference.size, 215);
  const scored = readFeatures(scoresPath); // columns: score_samples, decision_function, Is_Outlier
  assert.equal(scored.ids, ids);
  const referenceScores = scored.x;

  const runs = [0, 1, 2, 3, 4].map((seed) => isolationForest(engine, x, { seed }));
  const sets = runs.map((r) => flaggedIds(ids, r.isOutlier));
  runs.forEach((r, seed) => {
    assert.is(sets[seed].size, 215, `seed ${seed} flags 215`);
    const j = jaccard(sets[seed], reference);
    assert.ok(j >= 0.6, `seed ${seed}: Jaccard ${j.toFixed(3)} with the reference set`);
    // The scores themselves track scikit-learn's closely (a different random stream, same model).
    const ours = r.scores;
    const theirs = Float64Array.from({ length: x.rows }, (_, i) => referenceScores.data[i * 3]);
    assert.ok(pearson(ours, theirs) > 0.95, `seed ${seed}: score correlation ${pearson(ours, theirs)}`);
  });
  // Different seeds mostly agree with one another.
  for (let s = 1; s < sets.length; s++) assert.ok(jaccard(sets[0], sets[s]) >= 0.6, `seeds 0 and ${s}`);
  // Same seed, same set.
  assert.equal([...flaggedIds(ids, isolationForest(engine, x, { seed: 0 }).isOutlier)], [...sets[0]]);
});

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

test("readOutlierIds: a CustomerID column, a bare column, a renamed column", () => {
  const dir = mkdtempSync(join(tmpdir(), "custseg-outliers-"));
  try {
    const named = join(dir, "named.csv");
    writeFileSync(named, '\uFEFFscore,CustomerID\r\n-0.5,12346\r\n"-0.6",12347.0\r\n\r\n');
    assert.equal([...readOutlierIds(named)], [12346, 12347]);
    const bare = join(dir, "bare.csv");
    writeFileSync(bare, "12350\n12351\n12350\n");
    assert.equal([...readOutlierIds(bare)], [12350, 12351]);
    const renamed = join(dir, "renamed.csv");
    writeFileSync(renamed, "id\n17850\n");
    assert.equal([...readOutlierIds(renamed)], [17850]);
    const headerOnly = join(dir, "empty.csv");
    writeFileSync(headerOnly, "CustomerID\n");
    assert.is(readOutlierIds(headerOnly).size, 0);
    assert.equal(Array.from(outlierMask([12346, 5, 12347], readOutlierIds(named))), [1, 0, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("readOutlierIds: clear errors for a missing file, a bad cell, an unnamed table", () => {
  const dir = mkdtempSync(join(tmpdir(), "custseg-outliers-"));
  const userError = (fn: () => unknown, pattern: RegExp) => {
    try {
      fn();
    } catch (err) {
      assert.instance(err, UserError);
      assert.match((err as Error).message, pattern);
      return;
    }
    assert.unreachable("expected a UserError");
  };
  try {
    const missing = join(dir, "nope.csv");
    userError(() => readOutlierIds(missing), new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: no such file`));
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "CustomerID\n12346\n12x47\n");
    userError(() => readOutlierIds(bad), /bad\.csv, line 3, column 1: CustomerID must be an integer, got "12x47"/);
    const fraction = join(dir, "fraction.csv");
    writeFileSync(fraction, "a,CustomerID\n1,12346.5\n");
    userError(() => readOutlierIds(fraction), /line 2, column 2/);
    const unnamed = join(dir, "unnamed.csv");
    writeFileSync(unnamed, "1,2\n3,4\n");
    userError(() => readOutlierIds(unnamed), /line 1: expected a CustomerID column/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the interruptible forest gives the bits of the synchronous one; an aborted signal stops it with its reason", async () => {
  const rng = new Rng(21);
  // More rows than one block of scored rows, so the scoring runs in several steps.
  const x = matrix(Float64Array.from({ length: 9000 * 4 }, () => rng.nextFloat() * 100), 9000, 4);
  const sync = isolationForest(engine, x, { seed: 5 });
  const steps = await isolationForestInterruptible(engine, x, { seed: 5 });
  assert.equal(steps.scores, sync.scores);
  assert.equal(steps.isOutlier, sync.isOutlier);
  assert.is(steps.threshold, sync.threshold);
  assert.equal(steps.forest.value, sync.forest.value);
  const stop = new AbortController();
  stop.abort(new Error("stopped by the caller"));
  await assertRejects(() => isolationForestInterruptible(engine, x, { seed: 5 }, stop.signal), /stopped by the caller/);
});

test.run();
