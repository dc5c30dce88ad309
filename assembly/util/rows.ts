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

/** dst[0..d) += src[0..d). */
// @ts-ignore: decorator
@inline
export function addRow(dst: usize, src: usize, d: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 1 < d; j += 2) {
      const o = (<usize>j) << 3;
      v128.store(dst + o, f64x2.add(v128.load(dst + o), v128.load(src + o)));
    }
  }
  for (; j < d; j++) {
    const o = (<usize>j) << 3;
    store<f64>(dst + o, load<f64>(dst + o) + load<f64>(src + o));
  }
}

/** Zero `count` f64 values from ptr. */
// @ts-ignore: decorator
@inline
export function zeroF64(ptr: usize, count: i32): void {
  memory.fill(ptr, 0, (<usize>count) << 3);
}
