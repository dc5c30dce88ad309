// Mini-batch k-means: the WASM orchestration against the plain-TypeScript reference (same draws,
// so the same steps), the scikit-learn options it follows, and its quality against Lloyd.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine, type Matrix } from "../../src/engine/index.js";
import { checkMiniBatchOptions } from "../../src/engine/minibatch.js";
import { centresToReassign, MiniBatchConvergence, resolveMiniBatch } from "../../src/engine/minibatch-options.js";
import { minibatchKMeansReference } from "../../src/engine/reference/index.js";
import { type BlobShape, blobs as blobsOf } from "../../bench/cases/data.js";
import { assertClose, assertRejects } from "../helpers/assert.js";

const shape: BlobShape = { box: 10, noise: (rng) => rng.nextFloat() + rng.nextFloat() - 1 };
const blobs = (seed: number, n: number, d: number, k: number): Matrix => blobsOf(seed, n, d, k, shape);

/**
 * WASM == reference: labels, step count and iterations exactly; inertia to 1e-12 relative, centres
 * to 1e-12 relative (absolute below 1): the SIMD distances and the chunked final inertia add their
 * terms in another order than the reference's loops.
 */
const TOL = 1e-12;

for (const simd of [true, false]) {
  test(`${simd ? "SIMD" : "scalar"}: equals the reference (k-means++, random, given centres; with reassignment and tol)`, async () => {
    const engine = await loadEngine({ simd, threads: 1 });
    const x = blobs(3, 6000, 7, 5);
    const cases = [
      { k: 5, seed: 1 },
      { k: 8, seed: 2, batchSize: 256, init: "random" as const, nInit: 4 },
      { k: 5, seed: 3, batchSize: 100, tol: 1e-3, maxNoImprovement: null },
      { k: 3, seed: 4, init: { data: x.data.slice(0, 3 * 7), rows: 3, cols: 7 } },
      // A large k on a small batch: low-count centres get reassigned.
      { k: 40, seed: 5, batchSize: 64, maxIter: 2 },
    ];
    for (const opts of cases) {
      const got = engine.minibatchKMeans(x, opts);
      const want = minibatchKMeansReference(x, opts);
      const what = JSON.stringify({ ...opts, init: typeof opts.init === "object" ? "given" : opts.init });
      assert.is(got.nSteps, want.nSteps, `${what}: steps`);
      assert.is(got.nIter, want.nIter, `${what}: iterations`);
      assert.equal(Array.from(got.labels), Array.from(want.labels), `${what}: labels`);
      assertClose(got.centers, want.centers, TOL, `${what}: centres`, "mixed");
      assertClose(got.inertia, want.inertia, TOL, `${what}: inertia`, "relative");
    }
  });
}

test("threads do not change the result; the same seed gives the same fit, another seed another draw", async () => {
  const x = blobs(7, 20_000, 6, 4);
  const one = (await loadEngine({ threads: 1 })).minibatchKMeans(x, { k: 4, seed: 9 });
  const two = await loadEngine({ threads: 2 });
  try {
    const both = two.minibatchKMeans(x, { k: 4, seed: 9 });
    assert.equal(Array.from(both.labels), Array.from(one.labels));
    assert.equal(both.centers, one.centers);
    assert.is(both.inertia, one.inertia);
    assert.is(two.minibatchKMeans(x, { k: 4, seed: 9 }).nSteps, one.nSteps);
    assert.ok(two.minibatchKMeans(x, { k: 4, seed: 10 }).centers.some((v, i) => v !== one.centers[i]));
  } finally {
    two.close();
  }
});

test("early stopping: it stops long before max_iter passes on separated blobs, within 1 % of Lloyd's inertia", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(11, 50_000, 8, 6);
  const mb = engine.minibatchKMeans(x, { k: 6, seed: 0 });
  const lloyd = engine.kmeans(x, { k: 6, seed: 0, nInit: 3 });
  const { steps } = resolveMiniBatch({ k: 6 }, x.rows);
  assert.ok(mb.nSteps < steps, `${mb.nSteps} of ${steps} steps`);
  assert.ok(mb.inertia <= lloyd.inertia * 1.01, `mini-batch ${mb.inertia} vs Lloyd ${lloyd.inertia}`);
});

test("scikit-learn's option rules: batch ≤ n, init size 3·batch (3k when below k, ≤ n), steps ⌊maxIter·n/batch⌋, one init with given centres", () => {
  const r = resolveMiniBatch({ k: 4 }, 10_000);
  assert.equal([r.batch, r.initSize, r.steps, r.nInit], [1024, 3072, Math.floor((100 * 10_000) / 1024), 3]);
  const small = resolveMiniBatch({ k: 4, batchSize: 2048 }, 500);
  assert.equal([small.batch, small.initSize, small.steps], [500, 500, 100]);
  assert.is(resolveMiniBatch({ k: 50, batchSize: 10 }, 10_000).initSize, 150);
  assert.is(resolveMiniBatch({ k: 2, init: { data: new Float64Array(6), rows: 2, cols: 3 }, nInit: 5 }, 100).nInit, 1);
  for (const [opts, pattern] of [
    [{ k: 2, batchSize: 0 }, /batchSize must be a positive integer/],
    [{ k: 2, batchSize: 2 ** 21 }, /batchSize must be at most/],
    [{ k: 2, reassignmentRatio: 2 }, /reassignmentRatio must be in \[0, 1\]/],
    [{ k: 2, tol: -1 }, /tol must be ≥ 0/],
    [{ k: 200 }, /exceeds the number of rows/],
    [{ k: 2, init: { data: new Float64Array(4), rows: 2, cols: 2 } }, /initial centres are 2 × 2, expected k × d = 2 × 3/],
  ] as const) {
    assert.throws(() => checkMiniBatchOptions(opts, 100, 3), pattern as RegExp);
  }
});

test("reassignment takes counts below ratio × max, at most half a batch (the smallest counts)", () => {
  assert.equal(centresToReassign([100, 0.5, 50, 0.9], 4, 0.01, 1024), [1, 3]);
  assert.equal(centresToReassign([100, 0.5, 0.1, 0.9], 4, 0.01, 4), [1, 2]);
  assert.equal(centresToReassign([5, 5], 2, 0.01, 1024), []);
});

test("convergence ignores the first step, then stops after maxNoImprovement steps without a new low", () => {
  const c = new MiniBatchConvergence(1000, 10, 0, 2);
  assert.not.ok(c.converged(0, 0, 0));
  assert.not.ok(c.converged(1, 50, 1));
  assert.not.ok(c.converged(2, 60, 1));
  assert.ok(c.converged(3, 70, 1));
  const t = new MiniBatchConvergence(1000, 10, 0.5, null);
  assert.not.ok(t.converged(1, 50, 1));
  assert.ok(t.converged(2, 50, 0.25));
});

test("an aborted signal stops the fit at its next step; the engine stays usable", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(5, 200_000, 10, 8);
  const controller = new AbortController();
  const started = Date.now();
  const fit = engine.minibatchKMeansInterruptible(x, { k: 8, maxNoImprovement: null, batchSize: 4096 }, controller.signal);
  setTimeout(() => controller.abort(new Error("stopped")), 50);
  await assertRejects(() => fit, /stopped/);
  assert.ok(Date.now() - started < 5000, "stopped within seconds");
  assert.is(engine.minibatchKMeans(blobs(1, 500, 3, 2), { k: 2 }).labels.length, 500);
});

test.run();
