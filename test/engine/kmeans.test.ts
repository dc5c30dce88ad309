import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine, type Matrix } from "../../src/engine/index.js";
import * as reference from "../../src/engine/reference/index.js";
import { lloydIteration } from "../../src/engine/kmeans.js";
import { Rng } from "../../src/engine/rng.js";
import { readMatrix } from "../../src/io/matrix.js";
import { type BlobShape, blobs as blobsOf } from "../../bench/cases/data.js";
import { relErr } from "../helpers/fixtures.js";
import { assertClose } from "../helpers/assert.js";
import { sharedFile, skipped } from "../helpers/shared.js";

/** Gaussian-ish blobs: centres in [-10, 10)^d, points spread ±1 around them. */
const shape: BlobShape = { box: 10, noise: (rng) => rng.nextFloat() + rng.nextFloat() - 1 };
const blobs = (seed: number, n: number, d: number, k: number): Matrix => blobsOf(seed, n, d, k, shape);

const K = "reference/kernels/";

async function fixture() {
  const files = {
    x: sharedFile(`${K}kmeans_blobs_2000x5.csv`, "k-means fixture"),
    init: sharedFile(`${K}kmeans_blobs_2000x5_init_centers.csv`, "k-means fixture"),
    far: sharedFile(`${K}kmeans_blobs_2000x5_init_centers_far.csv`, "k-means fixture"),
    expected: sharedFile(`${K}kmeans_blobs_2000x5_expected.json`, "k-means fixture"),
    labels: sharedFile(`${K}kmeans_blobs_2000x5_expected_labels.csv`, "k-means fixture"),
    farExpected: sharedFile(`${K}kmeans_blobs_2000x5_far_expected.json`, "k-means fixture"),
    farLabels: sharedFile(`${K}kmeans_blobs_2000x5_far_expected_labels.csv`, "k-means fixture"),
  };
  if (Object.values(files).some((f) => f === undefined)) return undefined;
  const read = async (p: string | undefined) => (await readMatrix(p!)).matrix;
  return {
    x: await read(files.x),
    init: await read(files.init),
    far: await read(files.far),
    expected: JSON.parse(readFileSync(files.expected!, "utf8")),
    labels: await read(files.labels),
    farExpected: JSON.parse(readFileSync(files.farExpected!, "utf8")),
    farLabels: await read(files.farLabels),
  };
}

for (const simd of [true, false]) {
  test(`scikit-learn fixture from given centres (${simd ? "SIMD" : "scalar"}): exact labels, n_iter; inertia, centres to 1e-9`, async () => {
    const f = await fixture();
    if (!f) return skipped();
    const engine = await loadEngine({ simd, threads: 1 });
    for (const [init, expected, labels] of [
      [f.init, f.expected, f.labels],
      [f.far, f.farExpected, f.farLabels],
    ] as const) {
      const r = engine.kmeans(f.x, { k: 4, init, maxIter: expected.max_iter ?? 300, tol: 1e-4 });
      assert.equal(Array.from(r.labels), Array.from(labels.data), "labels");
      assert.is(r.nIter, expected.n_iter);
      assertClose(r.inertia, expected.inertia, 1e-9, "inertia", "relative");
      assertClose(r.centers, (expected.centers as number[][]).flat(), 1e-9, "centres", "relative");
    }
  });
}

test("the seed pipeline's k-means on the real PCA scores: its 22 iterations, labels and inertia", async () => {
  const scoresFile = sharedFile("reference/seed-pipeline/pca_output.csv", "seed k-means golden test");
  const initFile = sharedFile("reference/seed-pipeline/kmeans_init_centers.csv", "seed k-means golden test");
  const expectedFile = sharedFile("reference/seed-pipeline/kmeans.json", "seed k-means golden test");
  if (!scoresFile || !initFile || !expectedFile) return skipped();
  const expected = JSON.parse(readFileSync(expectedFile, "utf8"));
  const { matrix: x } = await readMatrix(scoresFile, { columns: expected.fit_input_columns });
  const { matrix: init } = await readMatrix(initFile);
  const engine = await loadEngine({ threads: 1 });
  const { max_iter: maxIter, tol } = expected.params;
  const r = engine.kmeans(x, { k: 3, init, maxIter, tol });
  assert.is(r.nIter, expected.n_iter);
  assert.equal(Array.from(r.labels), expected.labels_raw);
  assertClose(r.inertia, expected.inertia, 1e-9, "inertia", "relative");
  assertClose(r.centers, (expected.centroids_raw_label_order as number[][]).flat(), 1e-9, "centres", "relative");
  // k-means++ with n_init 10 from our own stream reaches the same optimum.
  const pp = engine.kmeans(x, { k: 3, nInit: 10, maxIter, tol, seed: 0 });
  assert.ok(pp.inertia <= expected.inertia * (1 + 1e-9), `k-means++ inertia ${pp.inertia}`);
});

test("a whole run inside WASM (one thread) gives the bits of the orchestrated loop (two threads)", async () => {
  const scoresFile = sharedFile("reference/seed-pipeline/pca_output.csv", "real-data k-means parity");
  const one = await loadEngine({ threads: 1 });
  const two = await loadEngine({ threads: 2 });
  const inputs: Matrix[] = [blobs(11, 12_000, 6, 5)];
  if (scoresFile) {
    // The real scores three times over: large enough (n·k·d ≥ 2¹⁹) for the two-thread loop.
    const { matrix } = await readMatrix(scoresFile, { columns: ["PC1", "PC2", "PC3", "PC4", "PC5", "PC6"] });
    const data = new Float64Array(matrix.data.length * 3);
    for (let r = 0; r < 3; r++) data.set(matrix.data, r * matrix.data.length);
    inputs.push({ data, rows: matrix.rows * 3, cols: matrix.cols });
  }
  for (const x of inputs) {
    for (const options of [
      { k: 8, nInit: 3, seed: 1 },
      { k: 8, init: "random" as const, nInit: 3, maxIter: 1000, seed: 2 },
      { k: 12, init: "random" as const, nInit: 2, tol: 0, seed: 3 },
    ]) {
      const a = one.kmeans(x, options);
      const b = two.kmeans(x, options);
      const what = `${x.rows}×${x.cols} ${JSON.stringify(options)}`;
      assert.equal(Array.from(a.labels), Array.from(b.labels), `${what}: labels`);
      assert.equal(Array.from(a.centers), Array.from(b.centers), `${what}: centres`);
      assert.is(a.inertia, b.inertia, `${what}: inertia`);
      assert.is(a.nIter, b.nIter, `${what}: nIter`);
    }
  }
  two.close();
});

test("k-means++ with nInit 10 reaches scikit-learn's inertia on the blobs", async () => {
  const f = await fixture();
  if (!f) return skipped();
  const engine = await loadEngine({ threads: 1 });
  const target = f.expected.kmeanspp_n_init10_inertia as number;
  for (const seed of [0, 1, 2]) {
    const r = engine.kmeans(f.x, { k: 4, nInit: 10, seed });
    assert.ok(r.inertia <= target * (1 + 1e-9), `seed ${seed}: inertia ${r.inertia} > ${target}`);
  }
});

test("WASM k-means equals the TypeScript reference on several shapes and inits", async () => {
  const engine = await loadEngine({ threads: 1 });
  const cases: [number, number, number, "k-means++" | "random"][] = [
    [300, 5, 4, "k-means++"],
    [100, 3, 1, "k-means++"],
    [37, 7, 37, "k-means++"],
    [40, 2, 40, "random"],
    [1500, 16, 8, "k-means++"],
    [700, 9, 6, "random"],
    [5, 1, 2, "k-means++"],
  ];
  for (const [n, d, k, init] of cases) {
    const x = blobs(n + d, n, d, Math.max(1, Math.min(k, 6)));
    const got = engine.kmeans(x, { k, init, nInit: 3, seed: 9, maxIter: 100 });
    const want = reference.kmeansReference(x, { k, init, nInit: 3, seed: 9, maxIter: 100 });
    const what = `${n}×${d}, k=${k}, ${init}`;
    assert.equal(Array.from(got.labels), Array.from(want.labels), `${what}: labels`);
    assert.is(got.nIter, want.nIter, `${what}: nIter`);
    assert.ok(relErr(got.inertia, want.inertia) <= 1e-9 || Math.abs(got.inertia - want.inertia) < 1e-12, `${what}: inertia`);
    assertClose(got.centers, want.centers, 1e-9, `${what}: centres`, "relative");
    if (k === n) assert.is(got.inertia, 0, `${what}: k = n puts every row in its own cluster`);
  }
});

test("one Lloyd iteration equals the reference's", async () => {
  const engine = await loadEngine({ threads: 1 });
  for (const [n, d, k] of [
    [1000, 16, 8],
    [513, 3, 5],
    [7, 2, 7],
  ] as const) {
    const x = blobs(n, n, d, 4);
    const centers = { data: x.data.slice(0, k * d), rows: k, cols: d };
    const resident = engine.upload(x);
    const got = lloydIteration(engine.context, resident, centers);
    resident.free();
    assertClose(got, reference.lloydIterationReference(x, centers), 1e-12, `${n}×${d} k=${k}`, "relative");
  }
});

test("empty clusters are relocated like the reference when k exceeds the blobs", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(3, 400, 4, 2);
  // Two centres far away from every row start empty.
  const init = { data: new Float64Array(4 * 4), rows: 4, cols: 4 };
  init.data.set(x.data.subarray(0, 8));
  init.data.fill(500, 8, 12);
  init.data.fill(-500, 12, 16);
  const got = engine.kmeans(x, { k: 4, init });
  const want = reference.kmeansReference(x, { k: 4, init });
  assert.equal(Array.from(got.labels), Array.from(want.labels));
  assert.equal(new Set(got.labels).size, 4, "every cluster ends non-empty");
  assertClose(got.centers, want.centers, 1e-9, "centres", "relative");
});

test("predict assigns rows to their nearest centre, ties to the lowest index", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(4, 999, 3, 5);
  const centers = { data: x.data.slice(0, 15), rows: 5, cols: 3 };
  assert.equal(Array.from(engine.predict(x, centers)), Array.from(reference.predictReference(x, centers)));
  const tie = engine.predict({ data: Float64Array.of(0, 0), rows: 1, cols: 2 }, { data: Float64Array.of(1, 0, -1, 0), rows: 2, cols: 2 });
  assert.equal(Array.from(tie), [0]);
  const r = engine.kmeans(x, { k: 5, seed: 3 });
  assert.equal(Array.from(engine.predict(x, { data: r.centers, rows: 5, cols: 3 })), Array.from(r.labels));
});

test("predict scores four centre pairs at a time and the pairs left over alike (k = 11, odd d, odd n)", async () => {
  // k = 11: pairs 0–3 in the four-pair loop, pairs 4–5 (the last with its empty lane) after it; the
  // odd n leaves a last row scored on its own; the odd d a column outside the two-column steps.
  const x = blobs(12, 1001, 5, 11);
  const centers = { data: x.data.slice(0, 11 * 5), rows: 11, cols: 5 };
  const want = Array.from(reference.predictReference(x, centers));
  for (const simd of [true, false]) {
    const engine = await loadEngine({ simd, threads: 1 });
    assert.equal(Array.from(engine.predict(x, centers)), want, simd ? "SIMD" : "scalar");
  }
});

test("labels are exact nearest centres even far from the origin (score rounding is checked)", async () => {
  const engine = await loadEngine({ threads: 1 });
  for (const offset of [0, 1e6, 1e9]) {
    const base = blobs(6, 2001, 5, 4);
    const x = { ...base, data: base.data.map((v) => v * 1e-3 + offset) };
    const centers = { data: x.data.slice(0, 6 * 5), rows: 6, cols: 5 };
    assert.equal(Array.from(engine.predict(x, centers)), Array.from(reference.predictReference(x, centers)), `offset ${offset}`);
  }
  // Exact ties (a row midway between two centres) go to the lower index, in both row slots of a pair.
  const x = { data: Float64Array.of(0, 0, 0, 0, 1e8, 1e8), rows: 3, cols: 2 };
  const centers = { data: Float64Array.of(1, 0, -1, 0, 1e8 + 1, 1e8, 1e8 - 1, 1e8), rows: 4, cols: 2 };
  assert.equal(Array.from(engine.predict(x, centers)), [0, 0, 2]);
});

for (const simd of [true, false]) {
  test(`k-means++ trials give the same bits whether a pass takes them one by one or four at a time (${simd ? "SIMD" : "scalar"})`, async () => {
    const engine = await loadEngine({ simd, threads: 1 });
    const { arena, kernels } = engine.context;
    // Odd n and d: the pass's odd last row and odd last column are taken too; 5 trials = a group of four and one.
    const x = blobs(12, 1101, 7, 5);
    const resident = engine.upload(x);
    const mark = arena.mark();
    try {
      const { rows: n, cols: d } = x;
      const chunks = Math.ceil(n / 512);
      const t = 5;
      const cands = arena.putI32([3, 700, 1100, 42, 512]);
      const closest = arena.alloc(n * 8);
      arena.f64(closest, n).fill(Number.POSITIVE_INFINITY);
      const first = arena.alloc(chunks * 8);
      for (let c = 0; c < chunks; c++) kernels.seedUpdateChunk(resident.ptr, n, d, 17, closest, first, 512, c);
      const grouped = Array.from({ length: t }, () => arena.alloc(n * 8));
      const single = Array.from({ length: t }, () => arena.alloc(n * 8));
      const potsGrouped = arena.alloc(chunks * t * 8);
      const potsSingle = arena.alloc(chunks * 8);
      const outs = arena.putI32(grouped);
      for (let c = 0; c < chunks; c++) kernels.seedPotentialChunk(resident.ptr, n, d, cands, t, closest, outs, potsGrouped, 512, c);
      for (let trial = 0; trial < t; trial++) {
        const cand = arena.putI32([arena.i32(cands, t)[trial]!]);
        const out = arena.putI32([single[trial]!]);
        for (let c = 0; c < chunks; c++) kernels.seedPotentialChunk(resident.ptr, n, d, cand, 1, closest, out, potsSingle, 512, c);
        const a = arena.f64(grouped[trial]!, n);
        const b = arena.f64(single[trial]!, n);
        for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) assert.unreachable(`trial ${trial}, row ${i}: ${a[i]} vs ${b[i]}`);
        for (let c = 0; c < chunks; c++) {
          assert.ok(Object.is(arena.f64(potsGrouped, chunks * t)[c * t + trial], arena.f64(potsSingle, chunks)[c]), `trial ${trial}, chunk ${c}`);
        }
      }
    } finally {
      arena.release(mark);
      resident.free();
    }
  });
}

test("k-means++ first centre: a pass over rows in pairs gives each row the bits of a pass over rows one by one", async () => {
  const engine = await loadEngine({ threads: 1 });
  const { arena, kernels } = engine.context;
  // d = 7 and 1: the odd last column; n = 301: the odd last row. chunkRows = 1 takes every row alone.
  for (const [n, d] of [[301, 7], [301, 16], [300, 1], [64, 2]] as const) {
    const x = blobs(n + d, n, d, 4);
    const resident = engine.upload(x);
    const mark = arena.mark();
    try {
      const paired = arena.alloc(n * 8);
      const alone = arena.alloc(n * 8);
      arena.f64(paired, n).fill(Number.POSITIVE_INFINITY);
      arena.f64(alone, n).fill(Number.POSITIVE_INFINITY);
      // A second centre after the first: the min with distances already there is taken too.
      for (const cand of [n - 1, 3]) {
        const potsPaired = arena.alloc(Math.ceil(n / 512) * 8);
        const potsAlone = arena.alloc(n * 8);
        for (let c = 0; c < Math.ceil(n / 512); c++) kernels.seedUpdateChunk(resident.ptr, n, d, cand, paired, potsPaired, 512, c);
        for (let c = 0; c < n; c++) kernels.seedUpdateChunk(resident.ptr, n, d, cand, alone, potsAlone, 1, c);
      }
      const a = arena.f64(paired, n);
      const b = arena.f64(alone, n);
      for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) assert.unreachable(`${n}×${d}, row ${i}: ${a[i]} vs ${b[i]}`);
      assert.ok(new Set(a).size > n / 2, `${n}×${d}: the distances are the rows' own`);
    } finally {
      arena.release(mark);
      resident.free();
    }
  }
});

test("searchCumsum: numpy's searchsorted over the sequential cumulative sum, targets in one block, on zeros and past the total", async () => {
  const engine = await loadEngine({ threads: 1 });
  const { arena, kernels } = engine.context;
  const rng = new Rng(3);
  // n not a multiple of four; runs of zeros (flat stretches of the sum), small and large values.
  const n = 1003;
  const v = Float64Array.from({ length: n }, (_, i) => (i % 97 < 9 ? 0 : rng.nextFloat() * (i % 5 === 0 ? 1e6 : 1)));
  const sums: number[] = [];
  let acc = 0;
  for (const value of v) sums.push((acc += value));
  const total = sums[n - 1]!;
  const targets = [0, sums[0]!, sums[3]!, sums[4]!, sums[5]!, sums[6]!, sums[6]!, sums[7]! * (1 + 1e-16), sums[500]! - 1e-9]
    .concat(Array.from({ length: 40 }, () => rng.nextFloat() * total), [sums[n - 2]!, total, total * 2, Number.POSITIVE_INFINITY])
    .sort((a, b) => a - b);
  const expected = targets.map((target) => {
    const i = sums.findIndex((s) => s >= target);
    return i < 0 ? n - 1 : i;
  });
  const mark = arena.mark();
  try {
    const vp = arena.putF64(v);
    const tp = arena.putF64(targets);
    const out = arena.alloc(targets.length * 4);
    kernels.searchCumsum(vp, n, tp, targets.length, out);
    assert.equal(Array.from(arena.i32(out, targets.length)), expected);
    // From the chunks' sums: the same rows, whatever the chunking, the targets' order, or where the sums sit.
    const shuffled = targets.map((target, j) => ({ target, expected: expected[j]! })).sort(() => rng.nextFloat() - 0.5);
    for (const chunkRows of [1, 4, 64, 512, 2000]) {
      for (const stride of [1, 3]) {
        const chunks = Math.ceil(n / chunkRows);
        const chunkSums = new Float64Array(chunks * stride).fill(Number.NaN);
        for (let c = 0; c < chunks; c++) {
          let s = 0;
          for (let i = c * chunkRows; i < Math.min(n, (c + 1) * chunkRows); i++) s += v[i]!;
          chunkSums[c * stride] = s;
        }
        let potential = 0;
        for (let c = 0; c < chunks; c++) potential += chunkSums[c * stride]!;
        const sp = arena.putF64(chunkSums);
        kernels.searchCumsumChunks(vp, n, sp, stride, chunkRows, potential, arena.putF64(shuffled.map((s) => s.target)), shuffled.length, out);
        assert.equal(Array.from(arena.i32(out, shuffled.length)), shuffled.map((s) => s.expected), `chunkRows ${chunkRows}, stride ${stride}`);
      }
    }
  } finally {
    arena.release(mark);
  }
});

test("searchCumsumChunks: the sequential sum's rows on long inputs, targets at and beside its partial sums", async () => {
  const engine = await loadEngine({ threads: 1 });
  const { arena, kernels } = engine.context;
  const rng = new Rng(8);
  for (const [n, scale] of [[100_000, 1], [30_001, 1e-300], [30_001, 1e300], [5000, 0]] as [number, number][]) {
    const v = Float64Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 0 : rng.nextFloat() * scale * (i % 7 === 0 ? 1e8 : 1)));
    const sums = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) sums[i] = acc += v[i]!;
    const pick = () => sums[rng.nextInt(n)]!;
    const targets = Array.from({ length: 300 }, (_, j) => {
      if (j % 3 === 0) return rng.nextFloat() * acc;
      const s = pick();
      return j % 3 === 1 ? s : s * (1 + (rng.nextFloat() - 0.5) * 1e-15);
    });
    const expected = targets.map((target) => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sums[mid]! >= target) hi = mid;
        else lo = mid + 1;
      }
      return Math.min(lo, n - 1);
    });
    const chunkRows = 512;
    const chunks = Math.ceil(n / chunkRows);
    const chunkSums = new Float64Array(chunks);
    for (let i = 0; i < n; i++) chunkSums[Math.floor(i / chunkRows)] += v[i]!;
    let potential = 0;
    for (const s of chunkSums) potential += s;
    const mark = arena.mark();
    try {
      const out = arena.alloc(targets.length * 4);
      kernels.searchCumsumChunks(arena.putF64(v), n, arena.putF64(chunkSums), 1, chunkRows, potential, arena.putF64(targets), targets.length, out);
      assert.equal(Array.from(arena.i32(out, targets.length)), expected, `n ${n}, scale ${scale}`);
    } finally {
      arena.release(mark);
    }
  }
});

test("bad input: clear errors naming the problem", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(5, 10, 2, 2);
  assert.throws(() => engine.kmeans(x, { k: 0 }), /k must be a positive integer, got 0/);
  assert.throws(() => engine.kmeans(x, { k: 11 }), /k = 11 exceeds the number of rows \(10\)/);
  assert.throws(() => engine.kmeans(x, { k: 1.5 }), /positive integer/);
  const bad = { ...x, data: x.data.slice() };
  bad.data[7] = Number.POSITIVE_INFINITY;
  assert.throws(() => engine.kmeans(bad, { k: 2 }), /X row 4, column 2 is Infinity/);
  assert.throws(() => engine.kmeans({ data: new Float64Array(0), rows: 0, cols: 3 }, { k: 1 }), /no rows/);
  assert.throws(() => engine.kmeans({ data: new Float64Array(0), rows: 3, cols: 0 }, { k: 1 }), /no columns/);
  assert.throws(() => engine.kmeans(x, { k: 2, init: { data: new Float64Array(3), rows: 1, cols: 3 } }), /1 × 3, expected k × d = 2 × 2/);
  assert.throws(() => engine.kmeans(x, { k: 2, init: "kmeans" as "random" }), /init must be/);
  assert.throws(() => engine.kmeans(x, { k: 2, maxIter: 0 }), /maxIter must be a positive integer/);
  assert.throws(() => engine.predict(x, { data: new Float64Array(3), rows: 1, cols: 3 }), /3 columns but X has 2/);
});

test.run();
