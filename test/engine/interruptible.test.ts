// The interruptible engine calls run the same steps as the synchronous ones, so they give the same
// bits; an aborted signal stops them with its reason and leaves the engine usable. The silhouette's
// bands run in parts: every split of a band, run in order, adds the same terms in the same order.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine, type Matrix } from "../../src/engine/index.js";
import { Rng } from "../../src/engine/rng.js";
import { assertRejects } from "../helpers/assert.js";

function random(seed: number, rows: number, cols: number): Matrix {
  const rng = new Rng(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextFloat() * 10 + (i % cols);
  return { data, rows, cols };
}

function labelsFor(seed: number, n: number, k: number): Int32Array {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.nextInt(k));
  for (let c = 0; c < k; c++) labels[c] = c;
  return labels;
}

for (const simd of [true, false]) {
  test(`${simd ? "SIMD" : "scalar"} silhouette bands split into 2, 7 or 40 parts give the bits of whole bands`, async () => {
    const engine = await loadEngine({ simd, threads: 1 });
    const { kernels, arena } = engine.context;
    // Rows already in cluster order (runs of 400, 700 and 401 rows), as the kernel expects them.
    const sizes = [400, 700, 401];
    const n = sizes.reduce((a, b) => a + b, 0);
    const d = 5;
    const k = sizes.length;
    const labels = Int32Array.from(sizes.flatMap((size, c) => new Array<number>(size).fill(c)));
    const starts = Int32Array.from([0, 400, 1100, n]);
    const bandRows = 100;
    const bands = Math.ceil(n / bandRows);
    const mark = arena.mark();
    try {
      const x = arena.putF64(random(5, n, d).data);
      const labelsPtr = arena.putI32(labels);
      const startsPtr = arena.putI32(starts);
      const len = kernels.silhouetteSlotsLength(n, k, bandRows);
      const whole = arena.alloc(len * 8);
      const parts = arena.alloc(len * 8);
      for (let b = 0; b < bands; b++) kernels.silhouetteBand(x, n, d, labelsPtr, startsPtr, k, whole, bandRows, 0, 1, b);
      for (const steps of [2, 7, 40]) {
        for (let s = 0; s < steps; s++) for (let b = 0; b < bands; b++) kernels.silhouetteBand(x, n, d, labelsPtr, startsPtr, k, parts, bandRows, s, steps, b);
        assert.equal(arena.f64(parts, len), arena.f64(whole, len), `${steps} parts`);
      }
    } finally {
      arena.release(mark);
    }
  });
}

test("interruptible silhouette, PCA and k-means give the bits of the synchronous calls (two threads)", async () => {
  const engine = await loadEngine({ threads: 2 });
  try {
    // 5,000 rows: the silhouette runs in several steps.
    const x = random(1, 5000, 6);
    const labels = labelsFor(2, 5000, 4);
    const sync = engine.silhouette(x, labels, { samples: true });
    const steps = await engine.silhouetteInterruptible(x, labels, { samples: true });
    assert.is(steps.score, sync.score);
    assert.equal(steps.samples, sync.samples);

    // 90 columns: the eigensolver's subspace iteration (a few components) and its full Jacobi solve (a variance).
    const wide = random(3, 3000, 90);
    for (const options of [{ components: 5 }, { variance: 0.9 }]) {
      const a = engine.pca(wide, options);
      const b = await engine.pcaInterruptible(wide, options);
      assert.is(b.nComponents, a.nComponents);
      assert.equal(b.components.data, a.components.data);
      assert.equal(b.explainedVariance, a.explainedVariance);
      assert.equal(b.scores!.data, a.scores!.data);
    }

    const fit = engine.kmeans(x, { k: 4, nInit: 2, seed: 7 });
    const fitSteps = await engine.kmeansInterruptible(x, { k: 4, nInit: 2, seed: 7 });
    assert.equal(fitSteps.labels, fit.labels);
    assert.equal(fitSteps.centers, fit.centers);
    assert.is(fitSteps.inertia, fit.inertia);
  } finally {
    engine.close();
  }
});

test("interruptible calls made together run one after another and give the synchronous bits", async () => {
  const engine = await loadEngine({ threads: 2 });
  try {
    const x = engine.upload(random(9, 4000, 5));
    try {
      const labels = labelsFor(10, 4000, 3);
      const [a, b, c] = await Promise.all([
        engine.silhouetteInterruptible(x, labels, { samples: true }),
        engine.kmeansInterruptible(x, { k: 3, nInit: 2, seed: 1 }),
        engine.pcaInterruptible(random(11, 2000, 70), { components: 3 }),
      ]);
      assert.equal(a.samples, engine.silhouette(x, labels, { samples: true }).samples);
      assert.equal(b.labels, engine.kmeans(x, { k: 3, nInit: 2, seed: 1 }).labels);
      assert.equal(c.components.data, engine.pca(random(11, 2000, 70), { components: 3 }).components.data);
    } finally {
      x.free();
    }
  } finally {
    engine.close();
  }
});

test("an aborted signal stops the silhouette and the PCA with its reason; the engine stays usable", async () => {
  const engine = await loadEngine({ threads: 2 });
  try {
    const x = random(4, 20_000, 4);
    const labels = labelsFor(5, 20_000, 3);
    const top = engine.context.arena.mark();
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error("stopped by the caller")), 10);
    await assertRejects(() => engine.silhouetteInterruptible(x, labels, {}, stop.signal), /stopped by the caller/);
    await assertRejects(() => engine.pcaInterruptible(random(6, 500, 120), { variance: 0.95 }, stop.signal), /stopped by the caller/);
    // The arena was released and the pool is idle: the next calls run and give the usual bits.
    assert.is(engine.context.arena.mark(), top);
    const small = random(7, 1500, 4);
    const smallLabels = labelsFor(8, 1500, 3);
    assert.is((await engine.silhouetteInterruptible(small, smallLabels)).score, engine.silhouette(small, smallLabels).score);
  } finally {
    engine.close();
  }
});

test.run();
