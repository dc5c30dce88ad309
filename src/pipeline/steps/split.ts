// The seeded split of retraining: customers shuffled with custseg's one PRNG, the first half to fit
// a candidate on, the rest to judge it and the production model on. Same seed and count, same halves.
import { Rng } from "../../engine/rng.js";

export interface Halves {
  /** Row indices of the fitting half (⌈n/2⌉ rows), ascending. */
  fit: Int32Array;
  /** Row indices of the held-out half (⌊n/2⌋ rows), ascending. */
  holdout: Int32Array;
}

/** A Fisher–Yates permutation of 0..n−1 drawn from `seed`. */
export function seededPermutation(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0, got ${n}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Disjoint halves of rows 0..n−1 that together cover every row. */
export function splitHalves(n: number, seed: number): Halves {
  const order = seededPermutation(n, seed);
  const cut = Math.ceil(n / 2);
  return { fit: order.slice(0, cut).sort(), holdout: order.slice(cut).sort() };
}

/**
 * At most `max` of `rows`, chosen with `seed` (a sub-stream apart from the split's), ascending;
 * all of them when there are no more than `max`.
 */
export function sampleRows(rows: Int32Array, max: number, seed: number): Int32Array {
  if (rows.length <= max) return rows.slice();
  const order = seededPermutation(rows.length, Rng.derive(seed, 1).nextU32());
  return Int32Array.from(order.subarray(0, max), (i) => rows[i]!).sort();
}
