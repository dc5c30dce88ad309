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
  return firstNonFiniteOf<f64>(ptr, len);
}

/** Index of the first NaN or ±Inf among len f32 values at ptr, or −1. */
export function firstNonFiniteF32(ptr: usize, len: i32): i32 {
  return firstNonFiniteOf<f32>(ptr, len);
}

// @ts-ignore: decorator
@inline
function firstNonFiniteOf<T>(ptr: usize, len: i32): i32 {
  const shift: usize = sizeof<T>() == 8 ? 3 : 2;
  const lanes = <i32>(16 / sizeof<T>());
  for (let b = 0; b < len; b += FINITE_BLOCK) {
    const e = min(len, b + FINITE_BLOCK);
    if (ASC_FEATURE_SIMD) {
      let acc = v128.splat<T>(0);
      let i = b;
      for (; i + lanes <= e; i += lanes) {
        const v = v128.load(ptr + ((<usize>i) << shift));
        acc = v128.add<T>(acc, v128.sub<T>(v, v));
      }
      let tail = true;
      for (; i < e; i++) tail = tail && isFinite(load<T>(ptr + ((<usize>i) << shift)));
      // A lane of the comparison is all ones or all zeros, whatever the lane width.
      if (tail && v128.all_true<i32>(v128.eq<T>(acc, v128.splat<T>(0)))) continue;
    }
    for (let i = b; i < e; i++) {
      if (!isFinite(load<T>(ptr + ((<usize>i) << shift)))) return i;
    }
  }
  return -1;
}
