import type { Matrix } from "../matrix.js";

/** ‖a_i − b_j‖² for row i of a and row j of b (both with d columns). */
export function sqDist(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let f = 0; f < d; f++) {
    const t = a[i * d + f]! - b[j * d + f]!;
    s += t * t;
  }
  return s;
}

/** out[i, j] = ‖X[i] − Y[j]‖². */
export function sqDistances(x: Matrix, y: Matrix): Matrix {
  const out = new Float64Array(x.rows * y.rows);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < y.rows; j++) out[i * y.rows + j] = sqDist(x.data, i, y.data, j, x.cols);
  }
  return { data: out, rows: x.rows, cols: y.rows };
}
