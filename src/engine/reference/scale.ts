// Plain-TypeScript StandardScaler and row Normalizer with scikit-learn 1.2's arithmetic:
// column sums run down the rows in order (NumPy's axis-0 reduction of a C-ordered array), the
// variance is the corrected two-pass formula of `_incremental_mean_and_var`, the scale of a
// near-constant column is 1 (`_is_constant_feature` / `_handle_zeros_in_scale`), and row norms
// follow NumPy's einsum summation order.
import type { Matrix } from "../matrix.js";
import { EPS, type StandardScaler, scaleFromVariance } from "../scale-model.js";

export type { StandardScaler };

export function standardScalerFit(x: Matrix): StandardScaler {
  const { data, rows: n, cols: d } = x;
  const sum = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sum[j]! += data[i * d + j]!;
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = sum[j]! / n;
  const correction = new Float64Array(d);
  const sumSq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const t = data[i * d + j]! - mean[j]!;
      correction[j]! += t;
      sumSq[j]! += t * t;
    }
  }
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const variance = (sumSq[j]! - (correction[j]! * correction[j]!) / n) / n;
    scale[j] = scaleFromVariance(variance, mean[j]!, n);
  }
  return { mean, scale };
}

/** (x − mean) / scale, column by column. */
export function standardScalerTransform(x: Matrix, s: StandardScaler): Matrix {
  const { data, rows, cols } = x;
  const out = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = (data[i * cols + j]! - s.mean[j]!) / s.scale[j]!;
  }
  return { data: out, rows, cols };
}

/**
 * Σ x² over the d values from `start`, in NumPy's einsum order (what scikit-learn's row_norms
 * runs): two lanes, even and odd positions; blocks of 8 are folded in from the last pair to the
 * first; the lanes are added at the end. Matching it makes the Normalizer agree to the last bit.
 */
export function rowSumSquares(data: Float64Array, start: number, d: number): number {
  let even = 0;
  let odd = 0;
  let j = 0;
  for (; j + 8 <= d; j += 8) {
    for (let t = 6; t >= 0; t -= 2) {
      even += data[start + j + t]! * data[start + j + t]!;
      odd += data[start + j + t + 1]! * data[start + j + t + 1]!;
    }
  }
  for (; j < d; j += 2) {
    even += data[start + j]! * data[start + j]!;
    if (j + 1 < d) odd += data[start + j + 1]! * data[start + j + 1]!;
  }
  return even + odd;
}

/** Each row divided by its L2 norm; a row whose norm is below 10·eps (a zero row) is left as is. */
export function normalizeRows(x: Matrix): Matrix {
  const { data, rows, cols } = x;
  const out = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) {
    let norm = Math.sqrt(rowSumSquares(data, i * cols, cols));
    if (norm < 10 * EPS) norm = 1;
    for (let j = 0; j < cols; j++) out[i * cols + j] = data[i * cols + j]! / norm;
  }
  return { data: out, rows, cols };
}
