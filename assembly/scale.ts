// StandardScaler and row Normalizer kernels. They reproduce NumPy's summation orders (column sums
// down the rows in order; row norms in einsum's two-lane order), so the results agree with
// scikit-learn to the last bit. They are memory-bound single passes, run on one thread.

import { rowSumSquares } from "./util/rows";

/**
 * out[j] += Σ_i X[i, j], rows in order (each SIMD lane is one column, so the order is NumPy's).
 * The caller zeroes out: a pass in chunks of rows then adds in the same order as one call.
 */
export function columnSums(x: usize, n: i32, d: i32, out: usize): void {
  const rowBytes = (<usize>d) << 3;
  for (let i = 0; i < n; i++) {
    const xi = x + <usize>i * rowBytes;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 1 < d; j += 2) {
        const o = (<usize>j) << 3;
        v128.store(out + o, f64x2.add(v128.load(out + o), v128.load(xi + o)));
      }
    }
    for (; j < d; j++) {
      const o = (<usize>j) << 3;
      store<f64>(out + o, load<f64>(out + o) + load<f64>(xi + o));
    }
  }
}

/** sum[j] += Σ_i (X[i, j] − center[j]) and sumSq[j] += Σ_i (X[i, j] − center[j])², rows in order; zeroed by the caller, as columnSums. */
export function centredColumnMoments(x: usize, n: i32, d: i32, center: usize, sum: usize, sumSq: usize): void {
  const rowBytes = (<usize>d) << 3;
  for (let i = 0; i < n; i++) {
    const xi = x + <usize>i * rowBytes;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 1 < d; j += 2) {
        const o = (<usize>j) << 3;
        const t = f64x2.sub(v128.load(xi + o), v128.load(center + o));
        v128.store(sum + o, f64x2.add(v128.load(sum + o), t));
        v128.store(sumSq + o, f64x2.add(v128.load(sumSq + o), f64x2.mul(t, t)));
      }
    }
    for (; j < d; j++) {
      const o = (<usize>j) << 3;
      const t = load<f64>(xi + o) - load<f64>(center + o);
      store<f64>(sum + o, load<f64>(sum + o) + t);
      store<f64>(sumSq + o, load<f64>(sumSq + o) + t * t);
    }
  }
}

/** out[i, j] = (X[i, j] − mean[j]) / scale[j]; out may be x. */
export function standardize(x: usize, n: i32, d: i32, mean: usize, scale: usize, out: usize): void {
  const rowBytes = (<usize>d) << 3;
  for (let i = 0; i < n; i++) {
    const xi = x + <usize>i * rowBytes;
    const oi = out + <usize>i * rowBytes;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 1 < d; j += 2) {
        const o = (<usize>j) << 3;
        v128.store(oi + o, f64x2.div(f64x2.sub(v128.load(xi + o), v128.load(mean + o)), v128.load(scale + o)));
      }
    }
    for (; j < d; j++) {
      const o = (<usize>j) << 3;
      store<f64>(oi + o, (load<f64>(xi + o) - load<f64>(mean + o)) / load<f64>(scale + o));
    }
  }
}

/** out[i, ·] = X[i, ·] / ‖X[i, ·]‖₂; a row whose norm is below 10·eps is copied unchanged. out may be x. */
export function normalizeRows(x: usize, n: i32, d: i32, out: usize): void {
  const rowBytes = (<usize>d) << 3;
  for (let i = 0; i < n; i++) {
    const xi = x + <usize>i * rowBytes;
    const oi = out + <usize>i * rowBytes;
    let norm = sqrt<f64>(rowSumSquares(xi, d));
    if (norm < 10 * f64.EPSILON) norm = 1;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const nv = f64x2.splat(norm);
      for (; j + 1 < d; j += 2) {
        const o = (<usize>j) << 3;
        v128.store(oi + o, f64x2.div(v128.load(xi + o), nv));
      }
    }
    for (; j < d; j++) {
      const o = (<usize>j) << 3;
      store<f64>(oi + o, load<f64>(xi + o) / norm);
    }
  }
}
