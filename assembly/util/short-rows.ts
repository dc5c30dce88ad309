// util/rows' sqDist and addRow written out for rows of up to 8 values: branches on d that go the
// same way for a whole run, and offsets the loads carry, where a loop pays its back-edge check and
// address arithmetic for one or two turns. The bits are util/rows': the same terms in the same order.
import { addRow, sqDist } from "./rows";

/** sqDist(a, b, d): sqDist's two accumulators, lane by lane, then its lane sum and odd last term. */
// @ts-ignore: decorator
@inline
export function shortSqDist(a: usize, b: usize, d: i32): f64 {
  if (!ASC_FEATURE_SIMD || d > 8) return sqDist(a, b, d);
  let s: f64 = 0;
  if (d >= 2) {
    const t0 = f64x2.sub(v128.load(a), v128.load(b));
    let acc0 = f64x2.mul(t0, t0);
    if (d >= 4) {
      const t1 = f64x2.sub(v128.load(a, 16), v128.load(b, 16));
      let acc1 = f64x2.mul(t1, t1);
      if (d >= 6) {
        const t2 = f64x2.sub(v128.load(a, 32), v128.load(b, 32));
        acc0 = f64x2.add(acc0, f64x2.mul(t2, t2));
        if (d == 8) {
          const t3 = f64x2.sub(v128.load(a, 48), v128.load(b, 48));
          acc1 = f64x2.add(acc1, f64x2.mul(t3, t3));
        }
      }
      acc0 = f64x2.add(acc0, acc1);
    }
    s = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
  }
  if (d & 1) {
    const o = (<usize>(d - 1)) << 3;
    const t = load<f64>(a + o) - load<f64>(b + o);
    s += t * t;
  }
  return s;
}

/** addRow(dst, src, d): dst[0..d) += src[0..d), two values an instruction. */
// @ts-ignore: decorator
@inline
export function shortAddRow(dst: usize, src: usize, d: i32): void {
  if (!ASC_FEATURE_SIMD || d > 8) {
    addRow(dst, src, d);
    return;
  }
  if (d >= 2) {
    v128.store(dst, f64x2.add(v128.load(dst), v128.load(src)));
    if (d >= 4) {
      v128.store(dst, f64x2.add(v128.load(dst, 16), v128.load(src, 16)), 16);
      if (d >= 6) {
        v128.store(dst, f64x2.add(v128.load(dst, 32), v128.load(src, 32)), 32);
        if (d == 8) v128.store(dst, f64x2.add(v128.load(dst, 48), v128.load(src, 48)), 48);
      }
    }
  }
  if (d & 1) {
    const o = (<usize>(d - 1)) << 3;
    store<f64>(dst + o, load<f64>(dst + o) + load<f64>(src + o));
  }
}
