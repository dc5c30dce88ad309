// The silhouette of a seeded sample (scikit-learn's sample_size): within its 95 % interval of the
// exact score on a mid-size input, the same rows for the same seed, and the exact score when the
// sample would hold every row.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type BlobShape, blobs } from "../../bench/cases/data.js";
import { loadEngine } from "../../src/engine/index.js";
import { silhouetteScore } from "../../src/engine/reference/index.js";
import { assertRejects } from "../helpers/assert.js";

// Overlapping blobs: silhouettes spread over (−0.2, 0.9), so the sample's variance is not trivial.
const shape: BlobShape = { box: 4, noise: (rng) => 3 * (rng.nextFloat() + rng.nextFloat() - 1) };

test("a sample of 1,500 of 8,000 rows: the exact score lies in its 95 % interval; the same seed draws the same rows", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(21, 8000, 4, 3, shape);
  const { labels } = engine.kmeans(x, { k: 3, seed: 0, nInit: 1 });
  const exact = engine.silhouette(x, labels).score;
  const a = await engine.silhouetteSampleInterruptible(x, labels, { size: 1500, seed: 7 });
  assert.is(a.rows.length, 1500);
  assert.is(new Set(a.rows).size, 1500, "drawn without replacement");
  assert.is(a.population, 8000);
  assert.ok(a.ci95[0] < a.score && a.score < a.ci95[1]);
  assert.ok(a.ci95[0] <= exact && exact <= a.ci95[1], `exact ${exact} outside [${a.ci95[0]}, ${a.ci95[1]}]`);
  assert.ok(a.score !== exact, "a sample's score, not the exact one");

  const again = await engine.silhouetteSampleInterruptible(x, labels, { size: 1500, seed: 7 });
  assert.equal(again.rows, a.rows);
  assert.is(again.score, a.score);
  const other = await engine.silhouetteSampleInterruptible(x, labels, { size: 1500, seed: 8 });
  assert.ok(other.rows.some((r, i) => r !== a.rows[i]), "another seed, another sample");
});

test("the sample's values are the silhouettes of the sampled rows among themselves", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(3, 3000, 3, 4, shape);
  const { labels } = engine.kmeans(x, { k: 4, seed: 1, nInit: 1 });
  const s = await engine.silhouetteSampleInterruptible(x, labels, { size: 400, seed: 2 });
  const d = x.cols;
  const sub = { rows: 400, cols: d, data: Float64Array.from({ length: 400 * d }, (_, i) => x.data[s.rows[Math.floor(i / d)]! * d + (i % d)]!) };
  const want = silhouetteScore(sub, Int32Array.from(s.rows, (r) => labels[r]!));
  assert.ok(Math.abs(s.score - want) < 1e-12, `${s.score} vs ${want}`);
});

test("the synchronous call (a worker thread's) gives the interruptible call's result, bit for bit", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(5, 2000, 3, 3, shape);
  const { labels } = engine.kmeans(x, { k: 3, seed: 3, nInit: 1 });
  const sync = engine.silhouetteSample(x, labels, { size: 300, seed: 9 });
  const steps = await engine.silhouetteSampleInterruptible(x, labels, { size: 300, seed: 9 });
  assert.is(sync.score, steps.score);
  assert.equal(sync.ci95, steps.ci95);
  assert.equal(sync.rows, steps.rows);
  assert.equal(sync.samples, steps.samples);
});

test("a sample size of at least n gives the exact score, its interval a point; a size below 3 is refused", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(5, 900, 3, 3, shape);
  const { labels } = engine.kmeans(x, { k: 3, seed: 0, nInit: 1 });
  const all = await engine.silhouetteSampleInterruptible(x, labels, { size: 900 });
  assert.is(all.score, engine.silhouette(x, labels).score);
  assert.equal([...all.ci95], [all.score, all.score]);
  try {
    await engine.silhouetteSampleInterruptible(x, labels, { size: 2 });
    assert.unreachable("a sample of 2 rows");
  } catch (err) {
    assert.match((err as Error).message, /sample size must be a whole number ≥ 3, got 2/);
  }
});

test("a cluster the sample missed: its rows scored against the sample, outside the score", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(8, 2000, 3, 3, shape);
  const labels = engine.kmeans(x, { k: 3, seed: 0, nInit: 1 }).labels.slice();
  // Three rows of a fourth cluster: a sample of 40 of 2,000 misses them with this seed.
  const tiny = [100, 900, 1500];
  for (const r of tiny) labels[r] = 3;
  const s = await engine.silhouetteSampleInterruptible(x, labels, { size: 40, seed: 4 });
  assert.ok(!Array.from(s.rows).some((r) => labels[r] === 3), "the sample holds none of the tiny cluster");
  assert.equal(Array.from(s.missed!.rows), tiny);
  assert.ok(s.missed!.samples.every((v) => Number.isFinite(v) && v >= -1 && v <= 1));
  const plain = await engine.silhouetteSampleInterruptible(x, labels.map((l) => (l === 3 ? 0 : l)), { size: 40, seed: 4 });
  assert.equal(Array.from(plain.rows), Array.from(s.rows), "the same draw");
});

test("every row's label is checked, sampled or not: a non-integer or negative label is refused, never truncated", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(5, 900, 3, 3, shape);
  const { labels } = engine.kmeans(x, { k: 3, seed: 0, nInit: 1 });
  for (const bad of [1.5, -1]) {
    const withBad = Array.from(labels);
    withBad[123] = bad;
    await assertRejects(() => engine.silhouetteSampleInterruptible(x, withBad, { size: 50, seed: 1 }), new RegExp(`^label ${bad} at sample 123 is out of range`));
  }
});

test.run();
