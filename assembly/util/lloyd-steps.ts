// The steps of a Lloyd run between two assignment passes that do not depend on how the pass was
// made: empty-cluster relocation, averaging, and what the next pass's distance bounds need.
// Shared, as updateCentres, by lloydUpdate (kmeans.ts) and the whole-run kernel (lloyd-run.ts), so
// both take the same steps. Not exported from index.ts: they are called from kernels only.
import { sqDist } from "./rows";

// Rounding allowance of centreSeparation's distances, as of the bounds that use them.
const SHRINK: f64 = 1.0 - 1e-12;

/** out[i] = ‖X[i] − centers[labels[i]]‖² for every row (used to relocate empty clusters). */
function labelDistances(x: usize, n: i32, d: i32, centers: usize, labels: usize, out: usize): void {
  const rowBytes = (<usize>d) << 3;
  for (let i = 0; i < n; i++) {
    const c = load<i32>(labels + ((<usize>i) << 2));
    store<f64>(out + ((<usize>i) << 3), sqDist(x + <usize>i * rowBytes, centers + <usize>c * rowBytes, d));
  }
}

/**
 * Index of the row at rank `rank` (0 = first) of the order (value descending, index ascending),
 * given the previous rank's row `prev`: the largest value below it in that order. Selecting the few
 * farthest rows this way needs no sort and no marks.
 */
function nextFarthest(dist: usize, n: i32, prev: i32): i32 {
  let best = -1;
  let bestDist: f64 = 0;
  const hasPrev = prev >= 0;
  const prevDist = hasPrev ? load<f64>(dist + ((<usize>prev) << 3)) : Infinity;
  for (let i = 0; i < n; i++) {
    const v = load<f64>(dist + ((<usize>i) << 3));
    if (hasPrev && !(v < prevDist || (v == prevDist && i > prev))) continue;
    if (best < 0 || v > bestDist) {
      best = i;
      bestDist = v;
    }
  }
  return best;
}

/**
 * scikit-learn's _relocate_empty_clusters_dense: each empty cluster (weight 0, in index order) takes
 * one of the rows farthest from their current centre (largest first, ties to the lower row), moved
 * out of its old cluster's sum. scratch: n f64.
 */
function relocateEmpty(
  x: usize, n: i32, d: i32, k: i32, old: usize, labels: usize, sums: usize, weights: usize, scratch: usize,
): void {
  let empty = 0;
  for (let j = 0; j < k; j++) if (load<f64>(weights + ((<usize>j) << 3)) == 0) empty++;
  if (empty == 0) return;
  labelDistances(x, n, d, old, labels, scratch);
  const rowBytes = (<usize>d) << 3;
  let row = nextFarthest(scratch, n, -1);
  if (load<f64>(scratch + ((<usize>row) << 3)) == 0) return; // more clusters than distinct rows
  // Mark the clusters empty now: a move can empty its source cluster, which stays as it is.
  for (let j = 0; j < k; j++) {
    const wj = weights + ((<usize>j) << 3);
    if (load<f64>(wj) == 0) store<f64>(wj, -1.0);
  }
  for (let target = 0; target < k; target++) {
    const wt = weights + ((<usize>target) << 3);
    if (load<f64>(wt) != -1.0) continue;
    const from = load<i32>(labels + ((<usize>row) << 2));
    const xr = x + <usize>row * rowBytes;
    const sFrom = sums + <usize>from * rowBytes;
    const sTo = sums + <usize>target * rowBytes;
    for (let f = 0; f < d; f++) {
      const o = (<usize>f) << 3;
      const v = load<f64>(xr + o);
      store<f64>(sFrom + o, load<f64>(sFrom + o) - v);
      store<f64>(sTo + o, v);
    }
    store<f64>(wt, 1.0);
    const wf = weights + ((<usize>from) << 3);
    store<f64>(wf, load<f64>(wf) - 1.0);
    if (--empty > 0) row = nextFarthest(scratch, n, row);
  }
}

/**
 * Turn the summed centres into means (multiplied by 1/weight, as scikit-learn does; an empty cluster
 * keeps its zero sum) and return Σ_j ‖new_j − old_j‖², each term formed as scikit-learn forms it
 * (the square root, then squared).
 */
function averageAndShift(next: usize, old: usize, weights: usize, k: i32, d: i32, shifts: usize): f64 {
  let total: f64 = 0;
  let maxShift: f64 = 0;
  for (let j = 0; j < k; j++) {
    const w = load<f64>(weights + ((<usize>j) << 3));
    const nj = next + ((<usize>(j * d)) << 3);
    const oj = old + ((<usize>(j * d)) << 3);
    if (w > 0) {
      const alpha = 1.0 / w;
      for (let f = 0; f < d; f++) {
        const p = nj + ((<usize>f) << 3);
        store<f64>(p, load<f64>(p) * alpha);
      }
    }
    let sq: f64 = 0;
    for (let f = 0; f < d; f++) {
      const t = load<f64>(nj + ((<usize>f) << 3)) - load<f64>(oj + ((<usize>f) << 3));
      sq += t * t;
    }
    const shift = Math.sqrt(sq);
    total += shift * shift;
    store<f64>(shifts + ((<usize>j) << 3), shift);
    maxShift = max(maxShift, shift);
  }
  store<f64>(shifts + ((<usize>k) << 3), maxShift);
  return total;
}

/** out[a] ≤ min over c ≠ a of ‖c − c_a‖ (rounded down; +∞ for a single centre). */
function centreSeparation(centers: usize, k: i32, d: i32, out: usize): void {
  const rowBytes = (<usize>d) << 3;
  for (let a = 0; a < k; a++) store<f64>(out + ((<usize>a) << 3), Infinity);
  for (let a = 0; a < k; a++) {
    const ca = centers + <usize>a * rowBytes;
    const pa = out + ((<usize>a) << 3);
    for (let c = a + 1; c < k; c++) {
      const dist = Math.sqrt(sqDist(ca, centers + <usize>c * rowBytes, d)) * SHRINK;
      const pc = out + ((<usize>c) << 3);
      if (dist < load<f64>(pa)) store<f64>(pa, dist);
      if (dist < load<f64>(pc)) store<f64>(pc, dist);
    }
  }
}

/**
 * The steps after a pass's sums and weights are merged into next and weights: empty clusters
 * relocated, the centres averaged, and their separations (at shifts[k + 1 ..]) for the next pass's
 * bounds. Returns the total squared shift (averageAndShift).
 */
export function updateCentres(
  x: usize, n: i32, d: i32, k: i32, cur: usize, labels: usize, next: usize, weights: usize, scratch: usize, shifts: usize,
): f64 {
  relocateEmpty(x, n, d, k, cur, labels, next, weights, scratch);
  const shift = averageAndShift(next, cur, weights, k, d, shifts);
  centreSeparation(next, k, d, shifts + ((<usize>(k + 1)) << 3));
  return shift;
}
