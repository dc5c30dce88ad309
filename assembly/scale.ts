// StandardScaler and row Normalizer kernels. They reproduce NumPy's summation orders (column sums
// down the rows in order; row norms in einsum's two-lane order), so the results agree with
// scikit-learn to the last bit. They are memory-bound single passes, run on one thread.

import { zeroF64 } from "./util/rows";

/** out[j] = Σ_i X[i, j], rows in order (each SIMD lane is one column, so the order is NumPy's). */
export function columnSums(x: usize, n: i32, d: i32, out: usize): void {
  zeroF64(out, d);
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

/** sum[j] = Σ_i (X[i, j] − center[j]) and sumSq[j] = Σ_i (X[i, j] − center[j])², rows in order. */
export function centredColumnMoments(x: usize, n: i32, d: i32, center: usize, sum: usize, sumSq: usize): void {
  zeroF64(sum, d);
  zeroF64(sumSq, d);
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

/**
 * Σ x² of the d values at p in NumPy einsum's order: lane 0 takes even positions, lane 1 odd
 * ones; a block of 8 is folded in from its last pair to its first; the lanes are added last.
 */
// @ts-ignore: decorator
@inline
function rowSumSquares(p: usize, d: i32): f64 {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    for (; j + 8 <= d; j += 8) {
      const q = p + ((<usize>j) << 3);
      const a3 = v128.load(q, 48);
      const a2 = v128.load(q, 32);
      const a1 = v128.load(q, 16);
      const a0 = v128.load(q);
      acc = f64x2.add(f64x2.mul(a3, a3), acc);
      acc = f64x2.add(f64x2.mul(a2, a2), acc);
      acc = f64x2.add(f64x2.mul(a1, a1), acc);
      acc = f64x2.add(f64x2.mul(a0, a0), acc);
    }
    for (; j + 1 < d; j += 2) {
      const a = v128.load(p + ((<usize>j) << 3));
      acc = f64x2.add(f64x2.mul(a, a), acc);
    }
    // Not hsum: the even and odd lanes stay apart until the tail is added, NumPy's einsum order.
    let even = f64x2.extract_lane(acc, 0);
    const odd = f64x2.extract_lane(acc, 1);
    if (j < d) {
      const a = load<f64>(p + ((<usize>j) << 3));
      even += a * a;
    }
    return even + odd;
  } else {
    let even: f64 = 0;
    let odd: f64 = 0;
    for (; j + 8 <= d; j += 8) {
      for (let t = 6; t >= 0; t -= 2) {
        const a = load<f64>(p + ((<usize>(j + t)) << 3));
        const b = load<f64>(p + ((<usize>(j + t + 1)) << 3));
        even += a * a;
        odd += b * b;
      }
    }
    for (; j < d; j += 2) {
      const a = load<f64>(p + ((<usize>j) << 3));
      even += a * a;
      if (j + 1 < d) {
        const b = load<f64>(p + ((<usize>(j + 1)) << 3));
        odd += b * b;
      }
    }
    return even + odd;
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
