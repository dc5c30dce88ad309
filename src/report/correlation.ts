import { type Matrix, matrix } from "../engine/matrix.js";

/**
 * Pearson correlation between the columns of `x` (cols × cols, row-major). A constant column has
 * no defined correlation: its row and column are NaN except the diagonal, as in pandas.
 * Two passes (means first) so large, offset columns such as spend lose no precision.
 */
export function correlationMatrix(x: Matrix): Matrix {
  const { rows, cols, data } = x;
  // Centred columns, each contiguous: every pair's products then run down two flat arrays. Each
  // sum still adds its rows in order, so the result is the same to the bit as a row-wise pass.
  const centred: Float64Array[] = [];
  for (let j = 0; j < cols; j++) centred.push(centredColumn(data, rows, cols, j));
  const cov = new Float64Array(cols * cols);
  for (let a = 0; a < cols; a++) {
    for (let b = a; b < cols; b++) cov[a * cols + b] = dot(centred[a], centred[b]);
  }
  const out = new Float64Array(cols * cols);
  for (let a = 0; a < cols; a++) {
    out[a * cols + a] = 1;
    for (let b = a + 1; b < cols; b++) {
      const denom = Math.sqrt(cov[a * cols + a] * cov[b * cols + b]);
      // Clamp: rounding can push |r| a hair above 1.
      const r = denom > 0 ? Math.max(-1, Math.min(1, cov[a * cols + b] / denom)) : Number.NaN;
      out[a * cols + b] = out[b * cols + a] = r;
    }
  }
  return matrix(out, cols, cols);
}

/**
 * Column j of a row-major matrix less its mean. A function of its own, not a loop in the caller's
 * body: called once per column, it is optimised after the first few, where a loop run once is not.
 */
function centredColumn(data: Float64Array, rows: number, cols: number, j: number): Float64Array {
  const c = new Float64Array(rows);
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += data[i * cols + j]!;
  const mean = sum / rows;
  for (let i = 0; i < rows; i++) c[i] = data[i * cols + j]! - mean;
  return c;
}

/** Σ u[i]·v[i], added in index order. */
function dot(u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
}
