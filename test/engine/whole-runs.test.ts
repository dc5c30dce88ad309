import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Engine, loadEngine, type Matrix, Rng } from "../../src/engine/index.js";
import { kmeansPlusPlus, randomRows } from "../../src/engine/kmeans.js";
import { readMatrix } from "../../src/io/matrix.js";
import { type BlobShape, blobs as blobsOf } from "../../bench/cases/data.js";
import { sharedFile } from "../helpers/shared.js";

// Small inputs run each k-means run whole in one WASM call (assembly/lloyd-run.ts), with their own
// way of finding labels (exact distances, per-centre bounds, chunk sums kept while their labels
// stand). These tests hold it to lloydRun (assembly/kmeans.ts), which the larger inputs take.

const shape: BlobShape = { box: 4, noise: (rng) => 2 * (rng.nextFloat() + rng.nextFloat() - 1) };
const blobs = (seed: number, n: number, d: number, k: number): Matrix => blobsOf(seed, n, d, k, shape);

/** lloydRun from `init`, called directly: labels, centres, inertia and iterations. */
function lloydRunOf(engine: Engine, x: Matrix, init: Float64Array, maxIter: number, tol: number) {
  const { arena, kernels } = engine.context;
  const mark = arena.mark();
  try {
    const { rows: n, cols: d } = x;
    const k = init.length / d;
    const chunks = Math.ceil(n / 512);
    const xp = arena.putF64(x.data);
    const a = arena.putF64(init);
    const tolerance = tol * kernels.meanColumnVariance(xp, n, d, arena.alloc(2 * d * 8));
    const labels = arena.alloc(n * 4);
    const info = arena.alloc(16);
    const centers = kernels.lloydRun(
      xp, n, d, k, a, arena.alloc(k * d * 8), arena.alloc(k * 8), arena.alloc(n * 8), 0, labels,
      arena.alloc(chunks * k * d * 8), arena.alloc(chunks * k * 8), arena.alloc(chunks * 4), arena.alloc(k * 8), arena.alloc(chunks * 8),
      arena.alloc(n * 8), arena.alloc(2 * n * 8), arena.alloc((2 * k + 1) * 8), arena.alloc(((k + 1) >> 1) * (d + 1) * 16),
      maxIter, tolerance, 512, chunks, info,
    );
    const [inertia, nIter] = arena.f64(info, 2);
    return { labels: Array.from(arena.i32(labels, n)), centers: Array.from(arena.f64(centers, k * d)), inertia, nIter };
  } finally {
    arena.release(mark);
  }
}

async function inputs(): Promise<{ name: string; x: Matrix; ks: number[] }[]> {
  const list = [
    { name: "4,000×6 blobs", x: blobs(1, 4000, 6, 8), ks: [3, 8] },
    // Odd d and k, a short last chunk, and more centres than blobs (clusters empty and relocated).
    { name: "1,537×5 blobs", x: blobs(2, 1537, 5, 3), ks: [1, 7, 13] },
    // k > 64: the candidate masks of a row in two words.
    { name: "300×9 blobs", x: blobs(3, 300, 9, 4), ks: [2, 11, 65] },
    // Every other d that has a pass compiled for it (2 to 8; 5 and 6 above).
    ...[2, 3, 4, 7, 8].map((d) => ({ name: `700×${d} blobs`, x: blobs(10 + d, 700, d, 5), ks: [3, 8] })),
  ];
  const file = sharedFile("reference/seed-pipeline/pca_output.csv", "whole runs on the UCI components");
  if (file) {
    const { matrix } = await readMatrix(file, { columns: ["PC1", "PC2", "PC3", "PC4", "PC5", "PC6"] });
    list.unshift({ name: "UCI components", x: matrix, ks: [3, 8] });
  }
  return list;
}

test("a whole run on a small input gives lloydRun's labels, centres, inertia and iterations, bit for bit", async () => {
  for (const simd of [true, false]) {
    const engine = await loadEngine({ simd, threads: 1 });
    for (const { name, x, ks } of await inputs()) {
      for (const k of ks) {
        for (const [r, maxIter, tol] of [
          [0, 300, 1e-4],
          [1, 1000, 0],
          [2, 3, 1e-4],
        ] as const) {
          const init = new Float64Array(k * x.cols);
          randomRows(new Rng(r + 10 * k), x.rows, k).forEach((row, c) => {
            init.set(x.data.subarray(row * x.cols, (row + 1) * x.cols), c * x.cols);
          });
          const got = engine.kmeans(x, { k, init: { data: init, rows: k, cols: x.cols }, maxIter, tol });
          const want = lloydRunOf(engine, x, init, maxIter, tol);
          const what = `${simd ? "SIMD" : "scalar"}, ${name}, k = ${k}, start ${r}, maxIter ${maxIter}, tol ${tol}`;
          assert.equal(Array.from(got.labels), want.labels, `${what}: labels`);
          assert.equal(Array.from(got.centers), want.centers, `${what}: centres`);
          assert.ok(Object.is(got.inertia, want.inertia), `${what}: inertia ${got.inertia} vs ${want.inertia}`);
          assert.is(got.nIter, want.nIter, `${what}: iterations`);
        }
      }
    }
  }
});

test("k-means++ inside a whole run draws the centres kmeansPlusPlus draws", async () => {
  for (const simd of [true, false]) {
    const engine = await loadEngine({ simd, threads: 1 });
    for (const { name, x, ks } of await inputs()) {
      const resident = engine.upload(x);
      try {
        for (const k of ks) {
          for (const run of [0, 3]) {
            const seeded = engine.kmeans(resident, { k, nInit: 1, firstRun: run, seed: 4, maxIter: 50 });
            const init = { data: kmeansPlusPlus(engine.context, resident, k, 4, run), rows: k, cols: x.cols };
            const given = engine.kmeans(resident, { k, init, maxIter: 50 });
            const what = `${simd ? "SIMD" : "scalar"}, ${name}, k = ${k}, run ${run}`;
            assert.equal(Array.from(seeded.labels), Array.from(given.labels), `${what}: labels`);
            assert.equal(Array.from(seeded.centers), Array.from(given.centers), `${what}: centres`);
            assert.is(seeded.nIter, given.nIter, `${what}: iterations`);
          }
        }
      } finally {
        resident.free();
      }
    }
  }
});

test("whole runs shared by two threads give one thread's fit, whether or not a thread finds a run to take", async () => {
  const x = blobs(5, 2500, 6, 5);
  const one = await loadEngine({ threads: 1 });
  const two = await loadEngine({ threads: 2 });
  try {
    // One run (the calling thread alone), three (one batch), and 70 (more than one batch).
    for (const options of [{ k: 5, nInit: 1, seed: 3 }, { k: 4, nInit: 3, seed: 1 }, { k: 8, init: "random" as const, nInit: 70, seed: 2 }]) {
      const a = one.kmeans(x, options);
      const b = two.kmeans(x, options);
      const what = JSON.stringify(options);
      assert.equal(Array.from(a.labels), Array.from(b.labels), `${what}: labels`);
      assert.equal(Array.from(a.centers), Array.from(b.centers), `${what}: centres`);
      assert.ok(Object.is(a.inertia, b.inertia), `${what}: inertia`);
      assert.is(a.nIter, b.nIter, `${what}: iterations`);
    }
  } finally {
    one.close();
    two.close();
  }
});

test.run();
