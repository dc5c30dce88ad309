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

/** Index of the first NaN or ±Inf among len f64 values at ptr, or −1. */
export function firstNonFinite(ptr: usize, len: i32): i32 {
  for (let i = 0; i < len; i++) {
    const v = load<f64>(ptr + ((<usize>i) << 3));
    if (!isFinite(v)) return i;
  }
  return -1;
}
