// Plain-TypeScript silhouette with scikit-learn's semantics: a(i) is the mean distance to the
// other members of i's cluster, b(i) the smallest mean distance to another cluster, s(i) =
// (b − a) / max(a, b); a sample alone in its cluster (or with a = b = 0) scores 0.
import { checkClusterCount, encodeLabels } from "../labels.js";
import type { Matrix } from "../matrix.js";
import { sqDist } from "./distance.js";

export function silhouetteSamples(x: Matrix, labels: ArrayLike<number>): Float64Array {
  const { data, rows: n, cols: d } = x;
  const { codes, k, counts } = encodeLabels(labels, n);
  checkClusterCount(k, n, "the silhouette");
  const sums = new Float64Array(k);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      sums[codes[j]!]! += Math.sqrt(sqDist(data, i, data, j, d));
    }
    out[i] = silhouetteFromSums(sums, counts, codes[i]!);
  }
  return out;
}

/** s(i) from the per-cluster distance sums of sample i (shared by every implementation). */
export function silhouetteFromSums(sums: ArrayLike<number>, counts: ArrayLike<number>, own: number): number {
  if (counts[own]! < 2) return 0;
  const a = sums[own]! / (counts[own]! - 1);
  let b = Number.POSITIVE_INFINITY;
  for (let c = 0; c < counts.length; c++) if (c !== own) b = Math.min(b, sums[c]! / counts[c]!);
  const denom = Math.max(a, b);
  return denom > 0 ? (b - a) / denom : 0;
}

export function silhouetteScore(x: Matrix, labels: ArrayLike<number>): number {
  return mean(silhouetteSamples(x, labels));
}

function mean(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s / v.length;
}
