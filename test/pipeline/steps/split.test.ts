// The seeded split of retraining: deterministic per seed, disjoint, covering every customer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sampleRows, seededPermutation, splitHalves } from "../../../src/pipeline/steps/split.js";

test("the same seed gives the same halves; they are disjoint, ascending and cover every row", () => {
  for (const n of [0, 1, 2, 7, 500, 4372]) {
    const a = splitHalves(n, 42);
    const b = splitHalves(n, 42);
    assert.equal(a, b);
    assert.is(a.fit.length, Math.ceil(n / 2));
    assert.is(a.holdout.length, Math.floor(n / 2));
    const fit = new Set(a.fit);
    assert.ok([...a.holdout].every((r) => !fit.has(r)), `n = ${n}: the halves share a row`);
    assert.equal([...a.fit, ...a.holdout].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
    for (const half of [a.fit, a.holdout]) assert.ok(half.every((r, i) => i === 0 || r > half[i - 1]!), "not ascending");
  }
});

test("other seeds give other halves, and the halves are mixed, not the first and the last rows", () => {
  const a = splitHalves(1000, 0);
  const b = splitHalves(1000, 1);
  assert.not.equal([...a.fit], [...b.fit]);
  const early = [...a.fit].filter((r) => r < 500).length;
  assert.ok(early > 200 && early < 300, `${early} of the fitting half's 500 rows come from the first half of the input`);
});

test("seededPermutation is a permutation; sampleRows keeps at most max of the given rows, the same per seed", () => {
  assert.equal([...seededPermutation(50, 9)].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  const rows = splitHalves(300, 3).holdout;
  const sample = sampleRows(rows, 40, 3);
  assert.is(sample.length, 40);
  assert.equal(sample, sampleRows(rows, 40, 3));
  const given = new Set(rows);
  assert.ok(sample.every((r) => given.has(r)));
  assert.is(new Set(sample).size, 40);
  assert.equal(sampleRows(rows, 1000, 3), rows);
});

test.run();
