// The Hungarian method against brute force over every permutation, and on cases worked by hand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../../src/engine/rng.js";
import { hungarian } from "../../../src/pipeline/steps/hungarian.js";

/** The least total over all n! assignments (Heap's algorithm). */
function bruteForce(cost: ArrayLike<number>, n: number): number {
  const perm = Array.from({ length: n }, (_, i) => i);
  const total = () => perm.reduce((s, j, i) => s + cost[i * n + j]!, 0);
  let best = total();
  const c = new Array<number>(n).fill(0);
  let i = 0;
  while (i < n) {
    if (c[i]! < i) {
      const a = i % 2 === 0 ? 0 : c[i]!;
      [perm[a], perm[i]] = [perm[i]!, perm[a]!];
      best = Math.min(best, total());
      c[i]!++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
  return best;
}

function assertPermutation(colOf: Int32Array, n: number): void {
  assert.equal([...colOf].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `not a permutation: ${[...colOf]}`);
}

test("random cost matrices, k = 1 to 7: the least total of all permutations", () => {
  const rng = new Rng(11);
  for (let n = 1; n <= 7; n++) {
    for (let trial = 0; trial < 25; trial++) {
      // Half the trials draw small integers, so that ties between assignments are common.
      const cost = Float64Array.from({ length: n * n }, () => (trial % 2 === 0 ? rng.nextFloat() * 10 - 3 : rng.nextInt(4)));
      const { colOf, total } = hungarian(cost, n);
      assertPermutation(colOf, n);
      const sum = [...colOf].reduce((s, j, i) => s + cost[i * n + j]!, 0);
      assert.is(total, sum);
      const best = bruteForce(cost, n);
      assert.ok(Math.abs(total - best) <= 1e-9 * Math.max(1, Math.abs(best)), `n = ${n}, trial ${trial}: ${total} vs brute force ${best}`);
    }
  }
});

test("known cases", () => {
  // Worked by hand: 1 + 2 + 2 = 5 is the only assignment of total 5.
  assert.equal([...hungarian([4, 1, 3, 2, 0, 5, 3, 2, 2], 3).colOf], [1, 0, 2]);
  assert.is(hungarian([4, 1, 3, 2, 0, 5, 3, 2, 2], 3).total, 5);
  // Zeros on the anti-diagonal.
  assert.equal([...hungarian([9, 9, 0, 9, 0, 9, 0, 9, 9], 3).colOf], [2, 1, 0]);
  // Squared distances of centres that moved a little and were listed in another order.
  const a = [0, 10, 20, 30];
  const b = [21, 1, 29, 11];
  const cost = a.flatMap((x) => b.map((y) => (x - y) ** 2));
  assert.equal([...hungarian(cost, 4).colOf], [1, 3, 0, 2]);
  // Negative costs are allowed (a maximisation written as the minimisation of −profit).
  assert.equal([...hungarian([-1, -5, -3, -2], 2).colOf], [1, 0]);
  assert.equal([...hungarian([7], 1).colOf], [0]);
  assert.equal([...hungarian([], 0).colOf], []);
});

test("a cost that is not finite, or a matrix that is not n×n, is refused", () => {
  assert.throws(() => hungarian([1, Number.NaN, 2, 3], 2), /cost\[0\]\[1\] is NaN/);
  assert.throws(() => hungarian([1, Number.POSITIVE_INFINITY, 2, 3], 2), /not a finite number/);
  assert.throws(() => hungarian([1, 2, 3], 2), /2×2 cost matrix has 4 entries, got 3/);
});

test.run();
