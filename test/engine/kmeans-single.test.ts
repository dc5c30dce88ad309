// The float32 pre-filter of the assignment (assembly/kmeans-single.ts) must give the float64 pass's
// labels on every row, near ties and far from the origin included, and so the same centres.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Engine, loadEngine, type Matrix } from "../../src/engine/index.js";
import { lloydIteration, predict, singleCopy } from "../../src/engine/kmeans.js";
import { Rng } from "../../src/engine/rng.js";
import { blobs } from "../../bench/cases/data.js";

/** The bits of a Float64Array, for comparisons that tell −0 from 0. */
const bits = (a: Float64Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length * 2));

/**
 * Labels and one Lloyd iteration with and without the float32 copy, compared row by row and bit by
 * bit. Returns the rows the float32 ranking left to float64, of the rows ranked.
 */
function compare(engine: Engine, m: Matrix, centers: Matrix, label: string): { fallbacks: number; rows: number } {
  const x = engine.upload(m);
  const single = singleCopy(engine.context, x);
  try {
    assert.ok(single, "the SIMD build makes a float32 copy");
    const plain = predict(engine.context, x, centers);
    const filtered = predict(engine.context, x, centers, single);
    const row = plain.findIndex((v, i) => v !== filtered[i]);
    assert.is(row, -1, `${label}: row ${row} labelled ${filtered[row]}, the float64 pass says ${plain[row]}`);
    const a = lloydIteration(engine.context, x, centers);
    const b = lloydIteration(engine.context, x, centers, single);
    assert.equal(bits(b), bits(a), `${label}: centres`);
    return { fallbacks: single.fallbacks, rows: single.rowsRanked };
  } finally {
    single?.free();
    x.free();
  }
}

const firstRows = (m: Matrix, k: number): Matrix => ({ data: m.data.slice(0, k * m.cols), rows: k, cols: m.cols });

function shifted(m: Matrix, offset: number, scale = 1): Matrix {
  return { ...m, data: m.data.map((v) => v * scale + offset) };
}

/**
 * Rows on and near the bisector of centres 0 and 1 (at relative distances from 0 to 1e-3 of their
 * separation along the axis, with random offsets across it), the other centres further away.
 */
function bisectorRows(seed: number, n: number, d: number, k: number, offset: number): { x: Matrix; centers: Matrix } {
  const rng = new Rng(seed);
  const centers = new Float64Array(k * d);
  for (let i = 0; i < k * d; i++) centers[i] = offset + (rng.nextFloat() - 0.5) * 20;
  const steps = [0, 1e-16, -1e-16, 1e-13, -1e-13, 1e-10, -1e-10, 1e-8, -1e-8, 1e-7, -1e-7, 1e-6, -1e-6, 1e-5, -1e-5, 1e-3];
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const s = steps[i % steps.length]!;
    const across = rng.nextFloat() - 0.5;
    // The midpoint of a and b, moved by s·(b − a) along the axis.
    for (let j = 0; j < d; j++) {
      const a = centers[j]!;
      const b = centers[d + j]!;
      data[i * d + j] = (a + b) / 2 + s * (b - a);
    }
    // And across it: each pair of coordinates turned a quarter turn is orthogonal to b − a.
    for (let j = 0; j + 1 < d; j += 2) {
      const u = centers[d + j]! - centers[j]!;
      const v = centers[d + j + 1]! - centers[j + 1]!;
      data[i * d + j] += -v * across;
      data[i * d + j + 1] += u * across;
    }
  }
  return { x: { data, rows: n, cols: d }, centers: { data: centers, rows: k, cols: d } };
}

test("the float32 copy: fl32 of every value, four rows to a vector, zeros after the last row, each row's ‖x‖", async () => {
  const engine = await loadEngine({ threads: 1 });
  const n = 1037;
  const d = 5;
  const m = blobs(2, n, d, 3);
  m.data[7 * d] = 2 ** 61;
  const x = engine.upload(m);
  const single = singleCopy(engine.context, x)!;
  try {
    const padded = Math.ceil(n / 8) * 8;
    const { buffer } = engine.context.arena.memory;
    const xs = new Float32Array(buffer, single.ptr, padded * d);
    const xn = new Float32Array(buffer, single.norms, padded);
    for (let i = 0; i < padded; i++) {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        const v = i < n ? m.data[i * d + j]! : 0;
        sq += v * v;
        assert.is(xs[(i >> 2) * d * 4 + j * 4 + (i & 3)], Math.fround(v), `row ${i}, coordinate ${j}`);
      }
      const norm = Math.sqrt(sq);
      if (norm > 2 ** 60) assert.is(xn[i], Number.POSITIVE_INFINITY, `row ${i}: beyond 2⁶⁰`);
      else assert.ok(Math.abs(xn[i]! - norm) <= norm * 2 ** -23, `row ${i}: ‖x‖ ${xn[i]} against ${norm}`);
    }
  } finally {
    single.free();
    x.free();
  }
});

test("well-separated blobs: the float32 ranking decides nearly every row, with the float64 labels and centres", async () => {
  const engine = await loadEngine({ threads: 1 });
  for (const [n, d, k] of [
    [5003, 16, 8],
    [2049, 5, 3],
    [1037, 17, 9],
    [777, 1, 2],
    [1000, 6, 13],
    [513, 4, 1],
    [5, 3, 2],
  ] as const) {
    const m = blobs(11 + d, n, d, k);
    const { fallbacks, rows } = compare(engine, m, firstRows(m, k), `${n}×${d} k=${k}`);
    assert.is(rows, 2 * n, "two passes ranked");
    // The chunk's last rows short of eight always take the float64 path; the rest rarely do.
    assert.ok(fallbacks < rows * 0.05 + 16, `${n}×${d} k=${k}: ${fallbacks} of ${rows} rows fell back`);
  }
});

test("rows on and near a bisector: near ties fall back and keep the float64 labels", async () => {
  const engine = await loadEngine({ threads: 1 });
  for (const offset of [0, 1e3, 1e6]) {
    for (const [d, k] of [
      [16, 8],
      [6, 3],
      [7, 5],
    ] as const) {
      const { x, centers } = bisectorRows(d * 31 + k, 4096, d, k, offset);
      const { fallbacks } = compare(engine, x, centers, `bisector d=${d} k=${k} offset ${offset}`);
      assert.ok(fallbacks > 0, `bisector d=${d} k=${k} offset ${offset}: some rows fall back`);
    }
  }
});

test("large offsets, large and tiny scales, duplicated centres: the float64 labels on every row", async () => {
  const engine = await loadEngine({ threads: 1 });
  const m = blobs(5, 3001, 16, 8);
  const centers = firstRows(m, 8);
  for (const [offset, scale] of [
    [1e6, 1],
    [1e9, 1],
    [-3e12, 1],
    [0, 1e17],
    [0, 1e19],
    [0, 1e-30],
    [1e-20, 1e-25],
  ] as const) {
    const x = shifted(m, offset, scale);
    compare(engine, x, shifted(centers, offset, scale), `offset ${offset} scale ${scale}`);
  }
  // Rows beyond 2⁶⁰ among ordinary ones: those rows fall back, the others need not.
  const mixed = { ...m, data: m.data.map((v, i) => (Math.floor(i / 16) % 7 === 0 ? v * 1e20 : v)) };
  const { fallbacks } = compare(engine, mixed, centers, "rows beyond 2⁶⁰");
  assert.ok(fallbacks >= Math.ceil(3001 / 7), "every huge row falls back");
  // Two equal centres: an exact tie everywhere they are nearest, which the float64 pass breaks.
  const twice = { data: new Float64Array([...centers.data.subarray(0, 16 * 4), ...centers.data.subarray(0, 16 * 4)]), rows: 8, cols: 16 };
  const tie = compare(engine, m, twice, "duplicated centres");
  assert.is(tie.fallbacks, tie.rows, "every row ties");
  // Rows that are centres.
  compare(engine, { data: new Float64Array([...centers.data, ...m.data]), rows: 3009, cols: 16 }, centers, "rows equal to centres");
});

test("the same labels and centres on one thread and two (the pool shares the float32 pass out)", async () => {
  const one = await loadEngine({ threads: 1 });
  const two = await loadEngine({ threads: 2 });
  const m = blobs(9, 40_000, 16, 8);
  const centers = firstRows(m, 8);
  const run = (engine: Engine) => {
    const x = engine.upload(m);
    const single = singleCopy(engine.context, x)!;
    try {
      return { labels: Array.from(predict(engine.context, x, centers, single)), centers: bits(lloydIteration(engine.context, x, centers, single)) };
    } finally {
      single.free();
      x.free();
    }
  };
  assert.equal(run(two), run(one));
  compare(two, m, centers, "two threads");
});

test("a fit shared out over two threads (float32 first passes) equals the one-thread fit (float64 whole runs), bit for bit", async () => {
  const one = await loadEngine({ threads: 1 });
  const two = await loadEngine({ threads: 2 });
  const overlapping = blobs(23, 30_000, 7, 6, { box: 3, noise: (rng) => 2 * (rng.nextFloat() - 0.5) });
  const near = bisectorRows(77, 20_000, 16, 8, 1e3).x;
  for (const [label, m, options] of [
    ["overlapping blobs, k-means++", overlapping, { k: 6, nInit: 3, seed: 4 }],
    ["overlapping blobs, random", overlapping, { k: 5, init: "random" as const, nInit: 2, seed: 9 }],
    ["rows near a bisector, offset 1e3", near, { k: 8, nInit: 2, seed: 1 }],
  ] as const) {
    const a = one.kmeans(m, options);
    const b = two.kmeans(m, options);
    assert.ok(Object.is(a.inertia, b.inertia), `${label}: inertia ${a.inertia} vs ${b.inertia}`);
    assert.is(b.nIter, a.nIter, `${label}: iterations`);
    assert.equal(Array.from(b.labels), Array.from(a.labels), `${label}: labels`);
    assert.equal(bits(b.centers), bits(a.centers), `${label}: centres`);
  }
});

test("no float32 copy without SIMD; a copy of another shape is refused", async () => {
  const scalar = await loadEngine({ simd: false, threads: 1 });
  const m = blobs(3, 100, 4, 2);
  const x = scalar.upload(m);
  assert.is(singleCopy(scalar.context, x), undefined);
  x.free();
  const engine = await loadEngine({ threads: 1 });
  const a = engine.upload(m);
  const b = engine.upload(blobs(3, 99, 4, 2));
  const single = singleCopy(engine.context, b)!;
  assert.throws(() => predict(engine.context, a, firstRows(m, 2), single), /float32 copy is 99 × 4, X is 100 × 4/);
  single.free();
  b.free();
  a.free();
});

test.run();
