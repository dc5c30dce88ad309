// Scoring kernel: scale → project → nearest centroid in one pass per row, so a batch of new
// customers crosses WASM memory once. Each step repeats the arithmetic of the kernel that trained
// it (standardize, normalizeRows, projectChunk, the exact distances of k-means' final assignment),
// so a training row gets back exactly the scores and cluster the fit gave it.
import { sqDist } from "./util/rows";
import { rowSumSquares } from "./scale";

/** Σ_j (s[j] − mean[j]) · w[j] in projectChunk's lane order (pairs in two lanes, then the tail). */
// @ts-ignore: decorator
@inline
function project(s: usize, mean: usize, w: usize, d: i32): f64 {
  let acc: f64 = 0;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    let a = f64x2.splat(0);
    for (; j + 1 < d; j += 2) {
      const o = (<usize>j) << 3;
      a = f64x2.add(a, f64x2.mul(f64x2.sub(v128.load(s + o), v128.load(mean + o)), v128.load(w + o)));
    }
    acc = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  }
  for (; j < d; j++) {
    const o = (<usize>j) << 3;
    acc += (load<f64>(s + o) - load<f64>(mean + o)) * load<f64>(w + o);
  }
  return acc;
}

/**
 * For the chunk's rows of X (n×d; row-major, or column-major with colMajor ≠ 0, so Arrow columns
 * are copied in as they are and never transposed in JavaScript): with `scaleOn`, s = (x − mean) / scale per column, then the
 * nNorm columns listed at normIdx (i32) divided by their joint L2 norm (below 10·eps: by 1); with
 * p > 0, the scores (s − pcaMean) · Wᵀ (W: p×d) into outPc (n×p), else s itself (p = d) into outPc.
 * Then the nearest of the k centres (k×p, ties to the lowest index) into labels (i32), and the
 * Euclidean distances to it and to the second nearest (+∞ when k = 1) into dist1 and dist2.
 * scratch holds 2·d + nNorm f64 per chunk.
 */
export function scoreChunk(
  x: usize, n: i32, d: i32, colMajor: i32, scaleOn: i32, mean: usize, scale: usize, normIdx: usize, nNorm: i32,
  p: i32, pcaMean: usize, w: usize, centers: usize, k: i32, scratch: usize,
  outPc: usize, labels: usize, dist1: usize, dist2: usize, chunkRows: i32, chunk: i32,
): void {
  const start = chunk * chunkRows;
  const end = min(start + chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  const s = scratch + <usize>chunk * (<usize>(2 * d + nNorm) << 3);
  const g = s + rowBytes;
  const r = g + ((<usize>nNorm) << 3);
  const q = p > 0 ? p : d;
  const outRow = (<usize>q) << 3;
  const colBytes = (<usize>n) << 3;
  for (let i = start; i < end; i++) {
    let xi = x + <usize>i * rowBytes;
    const oi = outPc + <usize>i * outRow;
    if (colMajor) {
      const xr = x + ((<usize>i) << 3);
      for (let j = 0; j < d; j++) store<f64>(r + ((<usize>j) << 3), load<f64>(xr + <usize>j * colBytes));
      xi = r;
    }
    if (scaleOn) {
      for (let j = 0; j < d; j++) {
        const o = (<usize>j) << 3;
        store<f64>(s + o, (load<f64>(xi + o) - load<f64>(mean + o)) / load<f64>(scale + o));
      }
      if (nNorm > 0) {
        for (let t = 0; t < nNorm; t++) {
          const j = load<i32>(normIdx + ((<usize>t) << 2));
          store<f64>(g + ((<usize>t) << 3), load<f64>(xi + ((<usize>j) << 3)));
        }
        let norm = sqrt<f64>(rowSumSquares(g, nNorm));
        if (norm < 10 * f64.EPSILON) norm = 1;
        for (let t = 0; t < nNorm; t++) {
          const j = load<i32>(normIdx + ((<usize>t) << 2));
          store<f64>(s + ((<usize>j) << 3), load<f64>(g + ((<usize>t) << 3)) / norm);
        }
      }
    } else {
      memory.copy(s, xi, rowBytes);
    }
    if (p > 0) {
      for (let c = 0; c < p; c++) store<f64>(oi + ((<usize>c) << 3), project(s, pcaMean, w + <usize>c * rowBytes, d));
    } else {
      memory.copy(oi, s, rowBytes);
    }
    let best = 0;
    let b1 = sqDist(oi, centers, q);
    let b2: f64 = Infinity;
    for (let c = 1; c < k; c++) {
      const dist = sqDist(oi, centers + <usize>c * outRow, q);
      if (dist < b1) {
        b2 = b1;
        b1 = dist;
        best = c;
      } else if (dist < b2) {
        b2 = dist;
      }
    }
    store<i32>(labels + ((<usize>i) << 2), best);
    store<f64>(dist1 + ((<usize>i) << 3), sqrt<f64>(b1));
    store<f64>(dist2 + ((<usize>i) << 3), sqrt<f64>(b2));
  }
}
