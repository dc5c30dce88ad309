// The Hungarian method (Kuhn–Munkres with row and column potentials, O(n³)): the assignment of
// rows to columns of a square cost matrix with the least total cost. Retraining uses it to give a
// candidate's clusters the numbers of the production clusters they lie closest to.

export interface Assignment {
  /** colOf[i]: the column assigned to row i; a permutation of 0..n−1. */
  colOf: Int32Array;
  /** The sum of cost[i][colOf[i]]. */
  total: number;
}

/**
 * Least-cost assignment for an n×n cost matrix given row-major (cost[i·n + j]). Costs must be
 * finite; n = 0 gives the empty assignment. Among assignments of equal total, any one may be returned.
 */
export function hungarian(cost: ArrayLike<number>, n: number): Assignment {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0, got ${n}`);
  if (cost.length !== n * n) throw new RangeError(`a ${n}×${n} cost matrix has ${n * n} entries, got ${cost.length}`);
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i]!)) throw new RangeError(`cost[${Math.floor(i / n)}][${i % n}] is ${cost[i]}, not a finite number`);
  }
  // 1-based arrays, column 0 a sentinel: rowOf[j] is the row matched to column j (0: none yet).
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const rowOf = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  const minv = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);
  for (let i = 1; i <= n; i++) {
    rowOf[0] = i;
    let j0 = 0;
    minv.fill(Number.POSITIVE_INFINITY);
    used.fill(0);
    // Grow an alternating tree from row i until it reaches a free column, keeping reduced costs ≥ 0.
    do {
      used[j0] = 1;
      const i0 = rowOf[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = cost[(i0 - 1) * n + (j - 1)]! - u[i0]! - v[j]!;
        if (reduced < minv[j]!) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[rowOf[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (rowOf[j0] !== 0);
    // Flip the augmenting path back to the root.
    do {
      const j1 = way[j0]!;
      rowOf[j0] = rowOf[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOf = new Int32Array(n);
  for (let j = 1; j <= n; j++) if (rowOf[j]! > 0) colOf[rowOf[j]! - 1] = j - 1;
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + colOf[i]!]!;
  return { colOf, total };
}
