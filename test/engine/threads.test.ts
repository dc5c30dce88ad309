import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/index.js";
import { currentPlatform, setPlatform } from "../../src/engine/platform.js";
import { type BlobShape, blobs } from "../../bench/cases/data.js";

/** Centres in [-5, 5), spread ±1. */
const shape: BlobShape = { box: 5, noise: (rng) => 2 * (rng.nextFloat() - 0.5) };

test("k-means gives the same labels and bit-identical inertia and centres for 1, 2 and 4 threads", async () => {
  // Overlapping blobs over many chunks: many iterations, so every reduction is exercised.
  const x = blobs(21, 20_000, 7, 6, shape);
  const results = [];
  for (const threads of [1, 2, 4]) {
    const engine = await loadEngine({ threads });
    assert.is(engine.threads, threads, "the pool has the requested threads");
    results.push(engine.kmeans(x, { k: 6, nInit: 3, seed: 5 }));
    results.push(engine.kmeans(x, { k: 5, init: "random", nInit: 2, seed: 1 }));
  }
  for (let t = 1; t < 3; t++) {
    for (let c = 0; c < 2; c++) {
      const a = results[c]!;
      const b = results[t * 2 + c]!;
      assert.ok(Object.is(a.inertia, b.inertia), `inertia ${a.inertia} vs ${b.inertia}`);
      assert.is(a.nIter, b.nIter);
      assert.equal(Array.from(a.labels), Array.from(b.labels));
      assert.equal(Array.from(a.centers), Array.from(b.centers));
    }
  }
});

test("on a small input the threads take whole runs, and the fit is that of the runs one after another", async () => {
  // n·k·d below the size at which a pass is shared out; 13 runs = more than one batch on 2 threads.
  const x = blobs(14, 3000, 5, 4, shape);
  const one = await loadEngine({ threads: 1 });
  const two = await loadEngine({ threads: 2 });
  try {
    for (const options of [{ k: 4, nInit: 13, seed: 7 }, { k: 6, init: "random" as const, nInit: 13, seed: 2, maxIter: 40 }]) {
      const a = one.kmeans(x, options);
      const b = two.kmeans(x, options);
      assert.ok(Object.is(a.inertia, b.inertia), `inertia ${a.inertia} vs ${b.inertia}`);
      assert.is(a.nIter, b.nIter);
      assert.equal(Array.from(a.labels), Array.from(b.labels));
      assert.equal(Array.from(a.centers), Array.from(b.centers));
    }
  } finally {
    one.close();
    two.close();
  }
});

test("the slots of runs shared out whole are bounded in memory, with the same results", async () => {
  // 500,000 × 1 with k = 1 is still a small input, but each run's slot takes about 17 MB: the
  // batch holds 3 slots, not the 9 runs that two threads would otherwise take at once.
  const x = blobs(3, 500_000, 1, 2, shape);
  const one = await loadEngine({ threads: 1 });
  const two = await loadEngine({ threads: 2 });
  try {
    const options = { k: 1, init: "random" as const, nInit: 9, seed: 1 };
    const a = one.kmeans(x, options);
    const b = two.kmeans(x, options);
    assert.ok(Object.is(a.inertia, b.inertia), `inertia ${a.inertia} vs ${b.inertia}`);
    assert.equal(Array.from(a.centers), Array.from(b.centers));
    assert.ok(two.memoryBytes < 100 * 2 ** 20, `WASM memory ${two.memoryBytes} bytes`);
  } finally {
    one.close();
    two.close();
  }
});

test("a per-call thread cap and a resident matrix give the same result", async () => {
  const x = blobs(8, 5000, 4, 3, shape);
  const engine = await loadEngine({ threads: 2 });
  const resident = engine.upload(x);
  try {
    const a = engine.kmeans(resident, { k: 3, seed: 2, threads: 1 });
    const b = engine.kmeans(resident, { k: 3, seed: 2 });
    assert.ok(Object.is(a.inertia, b.inertia));
    assert.equal(Array.from(a.labels), Array.from(b.labels));
    assert.equal(Array.from(engine.predict(resident, { data: b.centers, rows: 3, cols: 4 })), Array.from(b.labels));
  } finally {
    resident.free();
  }
});

test("where workers are unavailable the engine runs single-threaded, with the same results", async () => {
  const x = blobs(9, 30_000, 5, 4, shape);
  const platform = await currentPlatform();
  setPlatform({ ...platform, startWorker: async () => undefined });
  try {
    const fallback = await loadEngine({ threads: 3 });
    assert.is(fallback.threads, 1);
    const single = await loadEngine({ threads: 1 });
    const a = fallback.kmeans(x, { k: 4, seed: 3, nInit: 2 });
    const b = single.kmeans(x, { k: 4, seed: 3, nInit: 2 });
    assert.ok(Object.is(a.inertia, b.inertia));
    assert.equal(Array.from(a.labels), Array.from(b.labels));
    fallback.close();
  } finally {
    setPlatform(platform);
  }
});

test("a task whose chunks fail past a point throws, and the pool then runs the next tasks in full", async () => {
  const engine = await loadEngine({ threads: 2 });
  const { pool, kernels, arena } = engine.context;
  assert.ok(pool, "the engine has a pool");
  const x = blobs(10, 8000, 6, 4, shape);
  const want = (await loadEngine({ threads: 1 })).kmeans(x, { k: 4, seed: 4 });
  const resident = engine.upload(x);
  try {
    const n = 40 * 512;
    for (let round = 0; round < 6; round++) {
      // ‖row‖² for n rows written from a few chunks below the end of memory: the first chunks fit,
      // the rest write past it, on whichever thread claims them.
      const out = arena.byteLength - (3 + (round % 3)) * 512 * 8;
      assert.throws(() => pool.run("rowSqNormsChunk", kernels.rowSqNormsChunk, [resident.ptr, n, 1, out, 512], n / 512, 2));
      const got = engine.kmeans(resident, { k: 4, seed: 4 });
      assert.ok(Object.is(got.inertia, want.inertia), `round ${round}: inertia`);
      assert.equal(Array.from(got.labels), Array.from(want.labels), `round ${round}: labels`);
    }
  } finally {
    resident.free();
    engine.close();
  }
});

test.run();
