// Pairwise squared Euclidean distances, computed from coordinate differences (not the
// ‖x‖² + ‖y‖² − 2x·y expansion), so nearby points keep full relative precision.
import { sqDist } from "./util/rows";

/** Rows of Y taken per block, so a block of Y stays in L1/L2 while every row of X passes by. */
const Y_BLOCK: i32 = 64;

/** out (n×m) [i, j] = ‖X[i] − Y[j]‖². X is n×d, Y is m×d, all row-major f64. */
export function sqDistances(x: usize, n: i32, y: usize, m: i32, d: i32, out: usize): void {
  const rowBytes = (<usize>d) << 3;
  for (let jb = 0; jb < m; jb += Y_BLOCK) {
    const je = min(jb + Y_BLOCK, m);
    for (let i = 0; i < n; i++) {
      const xi = x + <usize>i * rowBytes;
      const oi = out + ((<usize>i * <usize>m) << 3);
      for (let j = jb; j < je; j++) {
        store<f64>(oi + ((<usize>j) << 3), sqDist(xi, y + <usize>j * rowBytes, d));
      }
    }
  }
}

/**
 * Values per block of the scans below. With SIMD a block is first summed lane-wise as v − v, which
 * is 0 for a finite value and NaN for NaN and ±Inf, so a clean block costs no branch per value; only
 * a poisoned block is scanned value by value for the first culprit.
 */
const FINITE_BLOCK: i32 = 4096;

/** Index of the first NaN or ±Inf among len f64 values at ptr, or −1. */
export function firstNonFinite(ptr: usize, len: i32): i32 {
  for (let b = 0; b < len; b += FINITE_BLOCK) {
    const e = min(len, b + FINITE_BLOCK);
    if (ASC_FEATURE_SIMD) {
      let acc = f64x2.splat(0);
      let i = b;
      for (; i + 1 < e; i += 2) {
        const v = v128.load(ptr + ((<usize>i) << 3));
        acc = f64x2.add(acc, f64x2.sub(v, v));
      }
      const tail = i === e || isFinite(load<f64>(ptr + ((<usize>i) << 3)));
      if (tail && v128.all_true<i64>(f64x2.eq(acc, f64x2.splat(0)))) continue;
    }
    for (let i = b; i < e; i++) {
      if (!isFinite(load<f64>(ptr + ((<usize>i) << 3)))) return i;
    }
  }
  return -1;
}

/** Index of the first NaN or ±Inf among len f32 values at ptr, or −1. */
export function firstNonFiniteF32(ptr: usize, len: i32): i32 {
  for (let b = 0; b < len; b += FINITE_BLOCK) {
    const e = min(len, b + FINITE_BLOCK);
    if (ASC_FEATURE_SIMD) {
      let acc = f32x4.splat(0);
      let i = b;
      for (; i + 3 < e; i += 4) {
        const v = v128.load(ptr + ((<usize>i) << 2));
        acc = f32x4.add(acc, f32x4.sub(v, v));
      }
      let tail = true;
      for (; i < e; i++) tail = tail && isFinite(load<f32>(ptr + ((<usize>i) << 2)));
      if (tail && v128.all_true<i32>(f32x4.eq(acc, f32x4.splat(0)))) continue;
    }
    for (let i = b; i < e; i++) {
      if (!isFinite(load<f32>(ptr + ((<usize>i) << 2)))) return i;
    }
  }
  return -1;
}
