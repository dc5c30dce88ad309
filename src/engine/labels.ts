/**
 * Cluster labels as the metrics see them: any non-negative integers, re-coded to 0..k−1 in
 * ascending order of the values present (scikit-learn's LabelEncoder), so an empty cluster id
 * does not count as a cluster.
 */
export interface EncodedLabels {
  /** codes[i] ∈ [0, k): the rank of labels[i] among the distinct labels. */
  readonly codes: Int32Array;
  /** Number of distinct labels. */
  readonly k: number;
  /** counts[c]: samples with code c (each ≥ 1). */
  readonly counts: Int32Array;
}

/** Validate labels for n samples and re-code them; throws RangeError naming the first bad entry. */
export function encodeLabels(labels: ArrayLike<number>, n: number): EncodedLabels {
  if (labels.length !== n) {
    throw new RangeError(`labels has ${labels.length} entries, expected one per sample (${n})`);
  }
  let max = -1;
  for (let i = 0; i < n; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new RangeError(`label ${v} at sample ${i} is out of range: labels are integers from 0 to 2147483647`);
    }
    if (v > max) max = v;
  }
  // A dense rank table for compact ids (the usual 0..k−1); a sorted set for sparse ones.
  let rankOf: (v: number) => number;
  let k: number;
  if (max < 4 * n + 1024) {
    const table = new Int32Array(max + 1).fill(-1);
    for (let i = 0; i < n; i++) table[labels[i]!] = 0;
    k = 0;
    for (let v = 0; v <= max; v++) if (table[v] === 0) table[v] = k++;
    rankOf = (v) => table[v]!;
  } else {
    const distinct = Array.from(new Set(Array.from(labels))).sort((a, b) => a - b);
    const rank = new Map(distinct.map((v, r) => [v, r] as const));
    k = distinct.length;
    rankOf = (v) => rank.get(v)!;
  }
  const codes = new Int32Array(n);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = rankOf(labels[i]!);
    codes[i] = c;
    counts[c]!++;
  }
  return { codes, k, counts };
}

/** scikit-learn's check_number_of_labels: the score needs 2 ≤ clusters ≤ n − 1. */
export function checkClusterCount(k: number, n: number, what: string): void {
  if (k < 2 || k > n - 1) {
    throw new RangeError(
      `${what} needs between 2 and n − 1 = ${n - 1} distinct labels, got ${k} (n = ${n} samples)`,
    );
  }
}
