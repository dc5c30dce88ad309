// Plain-TypeScript Davies–Bouldin and Calinski–Harabasz scores, as scikit-learn 1.2 defines them.
import { checkClusterCount, encodeLabels } from "../labels.js";
import type { Matrix } from "../matrix.js";
import { calinskiHarabaszFromParts, daviesBouldinFromParts } from "../cluster-scores.js";
import { sqDist } from "./distance.js";

/** Per-cluster centroids (k×d) of x for re-coded labels. */
function centroids(x: Matrix, codes: Int32Array, k: number, counts: Int32Array): Float64Array {
  const { data, rows: n, cols: d } = x;
  const c = new Float64Array(k * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) c[codes[i]! * d + j]! += data[i * d + j]!;
  for (let q = 0; q < k; q++) for (let j = 0; j < d; j++) c[q * d + j]! /= counts[q]!;
  return c;
}

/** Distance between row i of a and row j of b. */
function dist(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  return Math.sqrt(sqDist(a, i, b, j, d));
}

/**
 * Mean over clusters of max over other clusters of (S_i + S_j) / M_ij, with S the mean distance
 * of a cluster's points to its centroid and M the distance between centroids. 0 when every S is
 * ~0 or every centroid coincides (scikit-learn's np.allclose guard).
 */
export function daviesBouldin(x: Matrix, labels: ArrayLike<number>): number {
  const { data, rows: n, cols: d } = x;
  const { codes, k, counts } = encodeLabels(labels, n);
  checkClusterCount(k, n, "the Davies–Bouldin score");
  const c = centroids(x, codes, k, counts);
  const intra = new Float64Array(k);
  for (let i = 0; i < n; i++) intra[codes[i]!]! += dist(data, i, c, codes[i]!, d);
  for (let q = 0; q < k; q++) intra[q]! /= counts[q]!;
  const between = new Float64Array(k * k);
  for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) between[p * k + q] = dist(c, p, c, q, d);
  return daviesBouldinFromParts(intra, between, k);
}

/** Between-cluster over within-cluster dispersion, times (n − k) / (k − 1); 1 when within is 0. */
export function calinskiHarabasz(x: Matrix, labels: ArrayLike<number>): number {
  const { data, rows: n, cols: d } = x;
  const { codes, k, counts } = encodeLabels(labels, n);
  checkClusterCount(k, n, "the Calinski–Harabasz score");
  const c = centroids(x, codes, k, counts);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  let extra = 0;
  for (let q = 0; q < k; q++) extra += counts[q]! * sqDist(c, q, mean, 0, d);
  let intra = 0;
  for (let i = 0; i < n; i++) intra += sqDist(data, i, c, codes[i]!, d);
  return calinskiHarabaszFromParts(extra, intra, n, k);
}
