// The isolation forest's kernels against the TypeScript reference: the same trees (feature and
// threshold of every node) and the same path sums, bit for bit, in every flavour of the engine.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine, type Matrix } from "../../src/engine/index.js";
import { forestShape } from "../../src/engine/forest-model.js";
import * as reference from "../../src/engine/reference/index.js";
import { Rng } from "../../src/engine/rng.js";
import { assertRejects } from "../helpers/assert.js";

const engines = [
  { name: "SIMD", load: () => loadEngine({ threads: 1 }) },
  { name: "scalar", load: () => loadEngine({ simd: false, threads: 1 }) },
  { name: "threads", load: () => loadEngine({ threads: 2 }) },
];

/** Uniform rows, with column `constant` held at one value and every `dup`-th row a copy of row 0. */
function rows(seed: number, n: number, cols: number, o: { constant?: number; dup?: number; scale?: number } = {}): Matrix {
  const rng = new Rng(seed);
  const data = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = j === o.constant ? 3.25 : (rng.nextFloat() * 2 - 1) * (o.scale ?? 100);
    if (o.dup && i > 0 && i % o.dup === 0) data.copyWithin(i * cols, 0, cols);
  }
  return { data, rows: n, cols };
}

const shapes: { name: string; x: Matrix; nTrees: number; maxSamples: number }[] = [
  { name: "4,000 × 15, 256 per tree", x: rows(1, 4000, 15), nTrees: 100, maxSamples: 256 },
  { name: "fewer rows than 256: all rows per tree", x: rows(2, 49, 3), nTrees: 20, maxSamples: 49 },
  { name: "one row", x: rows(3, 1, 4), nTrees: 5, maxSamples: 1 },
  { name: "one column, many duplicates", x: rows(4, 600, 1, { dup: 2 }), nTrees: 30, maxSamples: 256 },
  { name: "a constant column and tiny spans", x: rows(5, 500, 4, { constant: 2, scale: 1e-6 }), nTrees: 30, maxSamples: 300 },
  { name: "all rows equal", x: { data: new Float64Array(40 * 2).fill(4), rows: 40, cols: 2 }, nTrees: 10, maxSamples: 40 },
  { name: "4,096 per tree (depth 12), odd row count", x: rows(6, 5003, 6), nTrees: 4, maxSamples: 4096 },
];

for (const e of engines) {
  for (const s of shapes) {
    test(`${e.name}: ${s.name}: same trees and path sums as the reference`, async () => {
      const engine = await e.load();
      const o = { seed: 17, nTrees: s.nTrees, maxSamples: s.maxSamples };
      const want = reference.growForest(s.x, o);
      const got = engine.growForest(s.x, o);
      assert.is(got.maxDepth, want.maxDepth);
      assert.is(got.nodesPerTree, forestShape(s.maxSamples).nodesPerTree);
      assert.equal(got.feature, want.feature);
      assert.equal(got.value, want.value);
      // Rows the forest was not grown on, a count that is not a multiple of the four walked side by side.
      const other = rows(99, 4099, s.x.cols);
      assert.equal(engine.forestPathSums(got, other), reference.forestPathSums(want, other));
      assert.equal(engine.forestPathSums(got, s.x), reference.forestPathSums(want, s.x));
    });
  }
}

for (const simd of [true, false]) {
  test(`roundToF32 (${simd ? "SIMD" : "scalar"}) rounds as Math.fround, bit for bit, at float32's edges`, async () => {
    const engine = await loadEngine({ simd, threads: 1 });
    const { arena, kernels } = engine.context;
    const f32max = 3.4028234663852886e38;
    const edges = [0, -0, 1, 1 + 2 ** -24, 1 + 3 * 2 ** -24, -(1 + 2 ** -24), f32max, f32max * (1 + 2 ** -25), f32max * (1 + 2 ** -24), 1e39, -1e39,
      2 ** -149, 2 ** -150, 3 * 2 ** -151, 2 ** -126 * (1 - 2 ** -24), 1e-50, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Math.PI, -Math.E];
    const rng = new Rng(4);
    for (const len of [1, 3, 4, 7, edges.length, 1001]) {
      const values = Float64Array.from({ length: len }, (_, i) => (i < edges.length && len >= edges.length ? edges[i]! : (rng.nextFloat() - 0.5) * 10 ** (rng.nextInt(80) - 40)));
      const mark = arena.mark();
      const src = arena.putF64(values);
      const dst = arena.alloc(len * 4);
      kernels.roundToF32(src, dst, len);
      const got = new Uint32Array(arena.memory.buffer, dst, len).slice();
      const want = new Uint32Array(Float32Array.from(values, Math.fround).buffer);
      // NaN's payload is not a result: only that it is NaN.
      const gotValues = new Float32Array(got.buffer);
      for (let i = 0; i < len; i++) {
        if (!Number.isNaN(values[i]!)) continue;
        got[i] = Number.isNaN(gotValues[i]!) ? 1 : 0;
        want[i] = 1;
      }
      assert.equal(got, want, `${len} values`);
      arena.release(mark);
    }
    engine.close();
  });
}

test("bad input: non-finite or beyond float32, a forest that does not fit X, bad options", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = rows(7, 10, 2);
  x.data[7] = Number.NaN;
  assert.throws(() => engine.growForest(x, { seed: 0, nTrees: 2, maxSamples: 10 }), /X row 4, column 2 is NaN, not a finite float32/);
  x.data[7] = 1e39;
  assert.throws(() => engine.growForest(x, { seed: 0, nTrees: 2, maxSamples: 10 }), /X row 4, column 2 is 1e\+39, not a finite float32/);
  const ok = rows(8, 10, 3);
  assert.throws(() => engine.growForest(ok, { seed: 0, nTrees: 0, maxSamples: 10 }), /nTrees must be an integer in 1\.\.10000, got 0/);
  assert.throws(() => engine.growForest(ok, { seed: 0, nTrees: 10_001, maxSamples: 10 }), /nTrees must be an integer in 1\.\.10000, got 10001/);
  assert.throws(() => engine.growForest(ok, { seed: 0, nTrees: 1, maxSamples: 11 }), /maxSamples must be an integer in 1\.\.10/);
  const forest = engine.growForest(ok, { seed: 0, nTrees: 3, maxSamples: 10 });
  assert.throws(() => engine.forestPathSums(forest, rows(9, 5, 1)), /splits on column [23], X has 1/);
  assert.throws(() => engine.forestPathSums({ ...forest, nTrees: 4 }, ok), /not 4 ×/);
  // The engine stays usable: the scratch memory of the failed calls was released.
  assert.equal(engine.forestPathSums(forest, ok), reference.forestPathSums(forest, ok));
});

test("interruptible: the bits of the synchronous calls; an aborted signal stops growth and walking", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = rows(10, 9000, 4);
  const o = { seed: 5, nTrees: 50, maxSamples: 256 };
  const forest = await engine.growForestInterruptible(x, o);
  assert.equal(forest.value, engine.growForest(x, o).value);
  assert.equal(await engine.forestPathSumsInterruptible(forest, x), engine.forestPathSums(forest, x));
  const stop = new AbortController();
  stop.abort(new Error("stopped"));
  await assertRejects(() => engine.growForestInterruptible(x, o, stop.signal), /stopped/);
  await assertRejects(() => engine.forestPathSumsInterruptible(forest, x, stop.signal), /stopped/);
});

test.run();
