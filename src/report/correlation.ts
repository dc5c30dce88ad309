import { type Matrix, matrix } from "../engine/matrix.js";

/**
 * Pearson correlation between the columns of `x` (cols × cols, row-major). A constant column has
 * no defined correlation: its row and column are NaN except the diagonal, as in pandas.
 * Two passes (means first) so large, offset columns such as spend lose no precision.
 */
export function correlationMatrix(x: Matrix): Matrix {
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;

  const cov = new Float64Array(cols * cols);
  const centred = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) centred[j] = data[i * cols + j] - mean[j];
    for (let a = 0; a < cols; a++) {
      const ca = centred[a];
      for (let b = a; b < cols; b++) cov[a * cols + b] += ca * centred[b];
    }
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
