// The adjusted Rand index of two labellings of the same items (Hubert & Arabie, 1985), computed as
// scikit-learn's adjusted_rand_score does, from the pair confusion matrix: 1 for the same partition
// (whatever the label numbers), about 0 for unrelated ones, negative for worse than chance.

/** ARI of two labellings (any integers; only equality matters). Two empty labellings score 1. */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`the labellings have ${a.length} and ${b.length} entries; they must label the same items`);
  const n = a.length;
  const rowSums = new Map<number, number>();
  const colSums = new Map<number, number>();
  const cells = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    rowSums.set(x, (rowSums.get(x) ?? 0) + 1);
    colSums.set(y, (colSums.get(y) ?? 0) + 1);
    const key = `${x},${y}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const squares = (m: Map<unknown, number>) => {
    let s = 0;
    for (const c of m.values()) s += c * c;
    return s;
  };
  // Ordered pairs (i ≠ j): together in both, in b only, in a only, in neither.
  const sumSquares = squares(cells);
  const both = sumSquares - n;
  const bOnly = squares(colSums) - sumSquares;
  const aOnly = squares(rowSums) - sumSquares;
  const neither = n * n - bOnly - aOnly - sumSquares;
  // Every pair classified alike by both: the same partition (also n < 2, or one cluster each).
  if (aOnly === 0 && bOnly === 0) return 1;
  return (2 * (both * neither - aOnly * bOnly)) / ((both + aOnly) * (aOnly + neither) + (both + bOnly) * (bOnly + neither));
}
