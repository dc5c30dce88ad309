// The end of a row in the Lloyd assignment passes (kmeans.ts, kmeans-single.ts): its ‖x‖², its
// label (confirmed exactly near a tie), its centre's sums and, in the bounded passes, its distance
// bounds. Not exported from index.ts: inlined where used.

import { addRow, nearestCentre, sqNorm } from "./rows";

// Rounding allowance of the distance bounds (lloydChunkBounded): far above the few ulps each update can lose.
export const GROW: f64 = 1.0 + 1e-12;
export const SHRINK: f64 = 1.0 - 1e-12;

/** ‖X[i]‖² (the row at xi): read from xNorms when known, else computed and stored there. */
// @ts-ignore: decorator
@inline
export function rowNorm(xi: usize, i: i32, xNorms: usize, known: i32, d: i32): f64 {
  const p = xNorms + ((<usize>i) << 3);
  if (known) return load<f64>(p);
  const v = sqNorm(xi, d);
  store<f64>(p, v);
  return v;
}

/**
 * Finish row i: confirm its label (exactly, when the two best scores are within rounding of each
 * other), store it, and add the row to its centre's sums. Returns 1 if the label changed.
 */
// @ts-ignore: decorator
@inline
export function settle(
  xi: usize, i: i32, best: i32, b1: f64, b2: f64, margin: f64, k: i32, d: i32, rowBytes: usize,
  centers: usize, labels: usize, update: i32, sumSlot: usize, countSlot: usize,
): i32 {
  if (k > 1 && !(b2 - b1 > margin)) best = nearestCentre(xi, centers, k, d, rowBytes);
  return place(xi, i, best, d, rowBytes, labels, update, sumSlot, countSlot);
}

/** Store row i's label and, with update ≠ 0, add the row to its centre's sums. Returns 1 if the label changed. */
// @ts-ignore: decorator
@inline
export function place(xi: usize, i: i32, best: i32, d: i32, rowBytes: usize, labels: usize, update: i32, sumSlot: usize, countSlot: usize): i32 {
  const li = labels + ((<usize>i) << 2);
  let changed = 0;
  if (load<i32>(li) != best) {
    changed = 1;
    store<i32>(li, best);
  }
  if (update) {
    addRow(sumSlot + <usize>best * rowBytes, xi, d);
    const cp = countSlot + ((<usize>best) << 3);
    store<f64>(cp, load<f64>(cp) + 1.0);
  }
  return changed;
}

/**
 * lloydChunkBounded's end of a scored row: confirm the label (exactly near ties, as settle does),
 * reset the row's bounds from its two best scores (to nothing usable where the exact fallback
 * decided), store the label and add the row to its centre's sums. Returns 1 if the label changed.
 */
// @ts-ignore: decorator
@inline
export function placeScored(
  xi: usize, i: i32, best: i32, b1: f64, b2: f64, xn: f64, margin: f64, k: i32, d: i32, centers: usize,
  labels: usize, upper: usize, lower: usize, update: i32, sumSlot: usize, countSlot: usize,
): i32 {
  const rowBytes = (<usize>d) << 3;
  const oi = (<usize>i) << 3;
  if (k > 1 && !(b2 - b1 > margin)) {
    best = nearestCentre(xi, centers, k, d, rowBytes);
    store<f64>(upper + oi, Infinity);
    store<f64>(lower + oi, 0.0);
  } else {
    // Scores are within margin / 4 of ‖x − c‖² − ‖x‖²: widen by a whole margin either way.
    store<f64>(upper + oi, Math.sqrt(max(0.0, b1 + xn + margin)) * GROW);
    store<f64>(lower + oi, k > 1 ? Math.sqrt(max(0.0, b2 + xn - margin)) * SHRINK : Infinity);
  }
  return place(xi, i, best, d, rowBytes, labels, update, sumSlot, countSlot);
}
