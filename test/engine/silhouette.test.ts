import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine, type Matrix } from "../../src/engine/index.js";
import * as reference from "../../src/engine/reference/index.js";
import { Rng } from "../../src/engine/rng.js";
import { metricsFixture, relErr } from "../helpers/fixtures.js";
import { skipped } from "../helpers/shared.js";
import { assertClose } from "../helpers/assert.js";

const engines = [
  { name: "SIMD", load: () => loadEngine({ threads: 1 }) },
  { name: "scalar", load: () => loadEngine({ simd: false, threads: 1 }) },
];

/** Points around k centres, labelled by their centre (with some points given a wrong label). */
function clustered(seed: number, n: number, d: number, k: number): { x: Matrix; labels: Int32Array } {
  const rng = new Rng(seed);
  const centres = Array.from({ length: k * d }, () => rng.nextFloat() * 10);
  const data = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i < k ? i : rng.nextInt(k);
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c * d + j]! + rng.nextFloat() * 3;
    labels[i] = rng.nextFloat() < 0.1 ? rng.nextInt(k) : c;
  }
  for (let c = 0; c < k; c++) labels[c] = c; // every cluster present
  return { x: { data, rows: n, cols: d }, labels };
}

test("reference silhouette equals scikit-learn 1.2 (a singleton cluster scores 0)", async () => {
  const f = await metricsFixture();
  if (!f) return skipped();
  const samples = reference.silhouetteSamples(f.x, f.labels);
  assert.ok(relErr(reference.silhouetteScore(f.x, f.labels), f.expected.silhouette) <= 1e-9);
  assertClose(samples.subarray(0, 10), f.expected.silhouette_samples_first10, 1e-9, "samples", "mixed");
  assert.is(samples[17], 0);
});

for (const e of engines) {
  test(`${e.name} silhouette equals scikit-learn 1.2 (a singleton cluster scores 0)`, async () => {
    const f = await metricsFixture();
    if (!f) return skipped();
    const engine = await e.load();
    const { score, samples } = engine.silhouette(f.x, f.labels, { samples: true });
    assert.ok(relErr(score, f.expected.silhouette) <= 1e-9, `score ${score}`);
    assertClose(samples!.subarray(0, 10), f.expected.silhouette_samples_first10, 1e-9, "samples", "mixed");
    assert.is(samples![17], 0);
    assert.is(engine.silhouette(f.x, f.labels).samples, undefined);
  });

  test(`${e.name} silhouette equals the reference to 1e-9 on random shapes`, async () => {
    const engine = await e.load();
    // n below one band, odd d, k = 2 and k = n − 1, bands that do not divide n.
    for (const [n, d, k] of [[3, 1, 2], [40, 3, 2], [41, 2, 40], [257, 7, 5], [1100, 16, 8], [1500, 5, 3]] as const) {
      const { x, labels } = clustered(n * 7 + d, n, d, k);
      const ref = reference.silhouetteSamples(x, labels);
      const got = engine.silhouette(x, labels, { samples: true });
      assertClose(got.samples!, ref, 1e-9, `${n}×${d} k=${k}`, "mixed");
    }
  });
}

test("labels are any non-negative integers: sparse ids give the same result as compact ones", async () => {
  const engine = await loadEngine({ threads: 1 });
  const { x, labels } = clustered(5, 300, 4, 3);
  const sparse = Array.from(labels, (l) => [7, 1_000_000, 42][l]!);
  // The clusters are renumbered in id order (7, 42, 1000000), which only changes summation order.
  const a = engine.silhouette(x, sparse, { samples: true }).samples!;
  assertClose(a, engine.silhouette(x, labels, { samples: true }).samples!, 1e-12, "samples", "mixed");
});

test("duplicate points (a = b = 0) score 0, as in scikit-learn", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = { data: new Float64Array([1, 1, 1, 1, 1, 1]), rows: 6, cols: 1 };
  assert.equal(Array.from(engine.silhouette(x, [0, 0, 0, 1, 1, 1], { samples: true }).samples!), [0, 0, 0, 0, 0, 0]);
});

test("threads 1, 2 and 4 give bit-identical silhouettes", async () => {
  const { x, labels } = clustered(9, 3000, 6, 4);
  const runs: Float64Array[] = [];
  for (const threads of [1, 2, 4]) {
    const engine = await loadEngine({ threads });
    runs.push(engine.silhouette(x, labels, { samples: true }).samples!);
    if (threads > 1) engine.close();
  }
  assert.equal(runs[1], runs[0]);
  assert.equal(runs[2], runs[0]);
});

test("bad input: one label, n labels, out-of-range labels, wrong length, NaN", async () => {
  const engine = await loadEngine({ threads: 1 });
  const { x } = clustered(3, 10, 2, 2);
  const twoLabels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
  assert.throws(() => engine.silhouette(x, new Int32Array(10)), /needs between 2 and n − 1 = 9 distinct labels, got 1/);
  assert.throws(() => engine.silhouette(x, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), /got 10/);
  assert.throws(() => engine.silhouette(x, [0, 0, 0, -1, 0, 1, 1, 1, 1, 1]), /label -1 at sample 3 is out of range/);
  assert.throws(() => engine.silhouette(x, [0, 0, 0, 0.5, 0, 1, 1, 1, 1, 1]), /label 0.5 at sample 3/);
  assert.throws(() => engine.silhouette(x, [0, 1]), /labels has 2 entries, expected one per sample \(10\)/);
  x.data[9] = Number.NaN;
  assert.throws(() => engine.silhouette(x, twoLabels), (err: Error) => err instanceof RangeError && /row 5, column 2 is NaN/.test(err.message));
  assert.throws(() => reference.silhouetteSamples(x, new Int32Array(10)), /got 1/);
});

test("repeated calls do not grow WASM memory", async () => {
  const engine = await loadEngine({ threads: 1 });
  const { x, labels } = clustered(11, 2000, 5, 4);
  engine.silhouette(x, labels);
  const before = engine.memoryBytes;
  for (let i = 0; i < 5; i++) engine.silhouette(x, labels);
  assert.is(engine.memoryBytes, before);
});

test.run();
