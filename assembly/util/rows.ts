// Row helpers shared by the kernels. Not exported from index.ts: they are inlined where used.

import { hsum } from "../simd";

/** Squared Euclidean distance between the d-vectors at byte offsets a and b. */
// @ts-ignore: decorator
@inline
export function sqDist(a: usize, b: usize, d: i32): f64 {
  let j = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    // Two independent accumulators hide the add latency on long rows.
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    for (; j + 3 < d; j += 4) {
      const o = (<usize>j) << 3;
      const t0 = f64x2.sub(v128.load(a + o), v128.load(b + o));
      const t1 = f64x2.sub(v128.load(a + o, 16), v128.load(b + o, 16));
      acc0 = f64x2.add(acc0, f64x2.mul(t0, t0));
      acc1 = f64x2.add(acc1, f64x2.mul(t1, t1));
    }
    if (j + 1 < d) {
      const o = (<usize>j) << 3;
      const t0 = f64x2.sub(v128.load(a + o), v128.load(b + o));
      acc0 = f64x2.add(acc0, f64x2.mul(t0, t0));
      j += 2;
    }
    acc0 = f64x2.add(acc0, acc1);
    s = hsum(acc0);
  }
  for (; j < d; j++) {
    const o = (<usize>j) << 3;
    const t = load<f64>(a + o) - load<f64>(b + o);
    s += t * t;
  }
  return s;
}

/** The squared distance of the last nearestCentre() call (a global: each thread's instance has its own). */
export let nearestDist: f64 = 0;

/**
 * Index of the centre (k rows of d at `centers`) nearest to the row at xi by exact squared
 * differences, ties to the lowest index; its squared distance in nearestDist.
 */
// @ts-ignore: decorator
@inline
export function nearestCentre(xi: usize, centers: usize, k: i32, d: i32, rowBytes: usize): i32 {
  let best = 0;
  let bestDist = sqDist(xi, centers, d);
  for (let c = 1; c < k; c++) {
    const dist = sqDist(xi, centers + <usize>c * rowBytes, d);
    if (dist < bestDist) {
      bestDist = dist;
      best = c;
    }
  }
  nearestDist = bestDist;
  return best;
}

/** dst[0..d) += src[0..d). */
// @ts-ignore: decorator
@inline
export function addRow(dst: usize, src: usize, d: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    // Four values an iteration: the loop's own instructions (and V8's stack check on every
    // back-edge) cost as much as the additions at two.
    for (; j + 3 < d; j += 4) {
      const o = (<usize>j) << 3;
      const p = dst + o;
      const q = src + o;
      v128.store(p, f64x2.add(v128.load(p), v128.load(q)));
      v128.store(p, f64x2.add(v128.load(p, 16), v128.load(q, 16)), 16);
    }
    if (j + 1 < d) {
      const o = (<usize>j) << 3;
      v128.store(dst + o, f64x2.add(v128.load(dst + o), v128.load(src + o)));
      j += 2;
    }
  }
  for (; j < d; j++) {
    const o = (<usize>j) << 3;
    store<f64>(dst + o, load<f64>(dst + o) + load<f64>(src + o));
  }
}

/**
 * ‖row‖² of the d values at p with two independent sums (lane pairs apart), for the k-means rounding
 * margins and bounds, which need the value only to within rounding; rowSumSquares keeps NumPy's
 * order where the bits are a result.
 */
// @ts-ignore: decorator
@inline
export function sqNorm(p: usize, d: i32): f64 {
  let j = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    for (; j + 3 < d; j += 4) {
      const q = p + ((<usize>j) << 3);
      const a = v128.load(q);
      const b = v128.load(q, 16);
      acc0 = f64x2.add(acc0, f64x2.mul(a, a));
      acc1 = f64x2.add(acc1, f64x2.mul(b, b));
    }
    if (j + 1 < d) {
      const a = v128.load(p + ((<usize>j) << 3));
      acc0 = f64x2.add(acc0, f64x2.mul(a, a));
      j += 2;
    }
    s = hsum(f64x2.add(acc0, acc1));
  }
  for (; j < d; j++) {
    const a = load<f64>(p + ((<usize>j) << 3));
    s += a * a;
  }
  return s;
}

/** Zero `count` f64 values from ptr. */
// @ts-ignore: decorator
@inline
export function zeroF64(ptr: usize, count: i32): void {
  memory.fill(ptr, 0, (<usize>count) << 3);
}

/**
 * Σ x² of the d values at p in NumPy einsum's order: lane 0 takes even positions, lane 1 odd
 * ones; a block of 8 is folded in from its last pair to its first; the lanes are added last.
 */
// @ts-ignore: decorator
@inline
export function rowSumSquares(p: usize, d: i32): f64 {
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
