// The adjusted Rand index: scikit-learn's documented examples of adjusted_rand_score, a
// combinatorial reference (Hubert & Arabie's formula with binomial coefficients), and invariances.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../../src/engine/rng.js";
import { adjustedRandIndex } from "../../../src/pipeline/steps/ari.js";

test("scikit-learn's documented examples of adjusted_rand_score", () => {
  // Each value also follows from the pair counts by hand: e.g. [0,0,1,2] vs [0,0,1,1] has 6 pairs,
  // 1 together in both, 1 together in the second only, 4 apart in both: 2(1·4 − 0·1)/((1+0)(0+4) + (1+1)(1+4)) = 8/14.
  assert.is(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 1]), 1);
  assert.is(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]), 1);
  // The exact value is 4/7. scikit-learn prints 0.5714285714285715 (older releases, through the
  // binomial form) or 0.5714285714285714 (the pair form, the double nearest 4/7): one ulp apart.
  for (const [a, b] of [[[0, 0, 1, 2], [0, 0, 1, 1]], [[0, 0, 1, 1], [0, 0, 1, 2]]]) {
    const ari = adjustedRandIndex(a!, b!);
    assert.is(ari, 4 / 7);
    assert.ok(Math.abs(ari - 0.5714285714285715) <= Number.EPSILON, String(ari));
  }
  assert.is(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3]), 0);
  assert.is(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), -0.5);
});

const choose2 = (m: number) => (m * (m - 1)) / 2;

/** ARI = (index − expected) / (max − expected), over the contingency table's binomial coefficients. */
function reference(a: number[], b: number[]): number {
  const n = a.length;
  const cells = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  a.forEach((x, i) => {
    cells.set(`${x},${b[i]}`, (cells.get(`${x},${b[i]}`) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    cols.set(b[i]!, (cols.get(b[i]!) ?? 0) + 1);
  });
  const sum = (m: Map<unknown, number>) => [...m.values()].reduce((s, v) => s + choose2(v), 0);
  const index = sum(cells);
  const expected = (sum(rows) * sum(cols)) / choose2(n);
  const max = (sum(rows) + sum(cols)) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

test("random labellings: the binomial-coefficient formula, symmetry and invariance to renumbering", () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + rng.nextInt(60);
    const ka = 1 + rng.nextInt(6);
    const kb = 1 + rng.nextInt(6);
    const a = Array.from({ length: n }, () => rng.nextInt(ka));
    // Half the trials: b is a noisy copy of a, so high indices are covered too.
    const b = a.map((x) => (trial % 2 === 0 && rng.nextFloat() < 0.8 ? x : rng.nextInt(kb)));
    const ari = adjustedRandIndex(a, b);
    assert.ok(Math.abs(ari - reference(a, b)) < 1e-12, `trial ${trial}: ${ari} vs ${reference(a, b)}`);
    assert.ok(Math.abs(ari - adjustedRandIndex(b, a)) < 1e-12);
    assert.ok(Math.abs(ari - adjustedRandIndex(a, b.map((x) => 100 - 7 * x))) < 1e-12);
  }
});

test("labellings of different lengths are refused", () => {
  assert.throws(() => adjustedRandIndex([0, 1], [0]), /2 and 1 entries/);
});

test.run();
