// The Lloyd assignment's ranking of centres by the score ‖c‖² − 2x·c (see lloydChunk in
// ../kmeans.ts). The centres are laid out once per pass (layoutCentres) so that the inner loop runs
// over the coordinates with every centre load at a constant offset from one pointer: V8 folds a
// constant offset into the load instruction but needs an extra instruction for every runtime one,
// and at d = 16 those, the pointer bumps and the loop's stack check outnumbered the arithmetic.
// Not exported from index.ts: inlined where used.

import { hsum } from "../simd";

/** Centre pairs scored together: 4 pairs × 2 rows = 8 accumulators, within x64's 16 vector registers. */
const BLOCK: i32 = 4;

/**
 * The centres two by two as f64x2 (centres 2p, 2p + 1 in the two lanes; an odd k's last lane is a
 * centre of zeros with ‖c‖² = +∞, which never ranks), multiplied by −2 so that a score is
 * ‖c‖² + Σ x_j·(−2c_j): the same bits as ‖c‖² − 2·Σ x_j·c_j (doubling is exact), one operation
 * fewer. Pairs come in blocks of BLOCK, coordinate-major inside a block (pair p of the block,
 * coordinate j at (block start)·d + j·BLOCK + p); the pairs after the last whole block, one after
 * the other, coordinate by coordinate. Then the pairs' ‖c‖² (P = ⌈k/2⌉ f64x2). ct: (P·d + P) · 16 bytes.
 */
// @ts-ignore: decorator
@inline
export function layoutCentres(centers: usize, cNorms: usize, k: i32, d: i32, ct: usize): void {
  const pairs = (k + 1) >> 1;
  const blocked = pairs & ~(BLOCK - 1);
  const rowBytes = (<usize>d) << 3;
  for (let p = 0; p < pairs; p++) {
    const inBlock = p < blocked;
    const at = inBlock ? (p & ~(BLOCK - 1)) * d + (p & (BLOCK - 1)) : p * d;
    const dst = ct + ((<usize>at) << 4);
    const stride: usize = inBlock ? <usize>BLOCK << 4 : 16;
    const c0 = centers + <usize>(2 * p) * rowBytes;
    const odd = 2 * p + 1 < k;
    for (let j = 0; j < d; j++) {
      const o = (<usize>j) << 3;
      const q = dst + <usize>j * stride;
      store<f64>(q, -2.0 * load<f64>(c0 + o));
      store<f64>(q, odd ? -2.0 * load<f64>(c0 + rowBytes + o) : 0.0, 8);
    }
    const np = ct + ((<usize>(pairs * d + p)) << 4);
    store<f64>(np, load<f64>(cNorms + ((<usize>(2 * p)) << 3)));
    store<f64>(np, odd ? load<f64>(cNorms + ((<usize>(2 * p + 1)) << 3)) : Infinity, 8);
  }
}

/** scoreRow's (and scoreTwoRows' first row's) best and second-best scores. */
export let scoreFirst: f64 = 0;
export let scoreSecond: f64 = 0;
/** scoreTwoRows' results for its second row: the best centre, and its best two scores. */
export let scoreBestB: i32 = 0;
export let scoreFirstB: f64 = 0;
export let scoreSecondB: f64 = 0;

/**
 * Merge the lanes' (first, second, index: i64 lanes) into the row's best centre (returned; ties to
 * the lower index), its score (mergedFirst) and the next lowest (mergedSecond). Without branches:
 * which lane wins is as random as the data, and V8 turns a select of floats into a branch.
 */
// @ts-ignore: decorator
@inline
function mergeLanes(first: v128, second: v128, index: v128): i32 {
  // Each value beside its other lane's: lane 0 then holds the odd lane's candidates.
  const firstSw = i64x2.shuffle(first, first, 1, 0);
  const secondSw = i64x2.shuffle(second, second, 1, 0);
  const indexSw = i64x2.shuffle(index, index, 1, 0);
  const oddWins = v128.or(f64x2.lt(firstSw, first), v128.and(f64x2.eq(firstSw, first), i64x2.lt_s(indexSw, index)));
  const pick = i64x2.shuffle(oddWins, oddWins, 0, 0);
  mergedFirst = f64x2.extract_lane(v128.bitselect(firstSw, first, pick), 0);
  mergedSecond = f64x2.extract_lane(v128.bitselect(f64x2.pmin(secondSw, first), f64x2.pmin(second, firstSw), pick), 0);
  return <i32>i64x2.extract_lane(v128.bitselect(indexSw, index, pick), 0);
}
let mergedFirst: f64 = 0;
let mergedSecond: f64 = 0;

// The lanes keep their own lowest two scores without branches: first = pmin(first, s), second =
// pmin(second, pmax(first, s)), the index where s < first (so ties keep the earlier centre). pmin
// and pmax are one instruction each on x64, where min and max (NaN and −0 rules) take several.

/**
 * The centre with the lowest score for the row at xi (ties: the lowest index), its score in
 * scoreFirst and the next lowest in scoreSecond. ct: layoutCentres' layout (SIMD); without SIMD the
 * scores come from centers and cNorms directly.
 */
// @ts-ignore: decorator
@inline
export function scoreRow(xi: usize, d: i32, k: i32, ct: usize, centers: usize, cNorms: usize): i32 {
  if (ASC_FEATURE_SIMD) {
    const pairs = (k + 1) >> 1;
    const blocked = pairs & ~(BLOCK - 1);
    const norms = ct + ((<usize>(pairs * d)) << 4);
    let first = f64x2.splat(Infinity);
    let second = f64x2.splat(Infinity);
    let index = i64x2(0, 1);
    let lane = i64x2(0, 1);
    const two = i64x2.splat(2);
    let cp = ct;
    let p = 0;
    for (; p < blocked; p += BLOCK) {
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let px = xi;
      let j = 0;
      for (; j + 1 < d; j += 2) {
        let v = v128.load64_splat(px);
        a0 = f64x2.add(a0, f64x2.mul(v, v128.load(cp)));
        a1 = f64x2.add(a1, f64x2.mul(v, v128.load(cp, 16)));
        a2 = f64x2.add(a2, f64x2.mul(v, v128.load(cp, 32)));
        a3 = f64x2.add(a3, f64x2.mul(v, v128.load(cp, 48)));
        v = v128.load64_splat(px, 8);
        a0 = f64x2.add(a0, f64x2.mul(v, v128.load(cp, 64)));
        a1 = f64x2.add(a1, f64x2.mul(v, v128.load(cp, 80)));
        a2 = f64x2.add(a2, f64x2.mul(v, v128.load(cp, 96)));
        a3 = f64x2.add(a3, f64x2.mul(v, v128.load(cp, 112)));
        px += 16;
        cp += 128;
      }
      if (j < d) {
        const v = v128.load64_splat(px);
        a0 = f64x2.add(a0, f64x2.mul(v, v128.load(cp)));
        a1 = f64x2.add(a1, f64x2.mul(v, v128.load(cp, 16)));
        a2 = f64x2.add(a2, f64x2.mul(v, v128.load(cp, 32)));
        a3 = f64x2.add(a3, f64x2.mul(v, v128.load(cp, 48)));
        cp += 64;
      }
      const np = norms + ((<usize>p) << 4);
      let s = f64x2.add(v128.load(np), a0);
      index = v128.bitselect(lane, index, f64x2.lt(s, first));
      second = f64x2.pmin(second, f64x2.pmax(first, s));
      first = f64x2.pmin(first, s);
      lane = i64x2.add(lane, two);
      s = f64x2.add(v128.load(np, 16), a1);
      index = v128.bitselect(lane, index, f64x2.lt(s, first));
      second = f64x2.pmin(second, f64x2.pmax(first, s));
      first = f64x2.pmin(first, s);
      lane = i64x2.add(lane, two);
      s = f64x2.add(v128.load(np, 32), a2);
      index = v128.bitselect(lane, index, f64x2.lt(s, first));
      second = f64x2.pmin(second, f64x2.pmax(first, s));
      first = f64x2.pmin(first, s);
      lane = i64x2.add(lane, two);
      s = f64x2.add(v128.load(np, 48), a3);
      index = v128.bitselect(lane, index, f64x2.lt(s, first));
      second = f64x2.pmin(second, f64x2.pmax(first, s));
      first = f64x2.pmin(first, s);
      lane = i64x2.add(lane, two);
    }
    for (; p < pairs; p++) {
      // Even and odd coordinates apart: two independent sums.
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      let px = xi;
      let j = 0;
      for (; j + 1 < d; j += 2) {
        a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(px), v128.load(cp)));
        a1 = f64x2.add(a1, f64x2.mul(v128.load64_splat(px, 8), v128.load(cp, 16)));
        px += 16;
        cp += 32;
      }
      if (j < d) {
        a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(px), v128.load(cp)));
        cp += 16;
      }
      const s = f64x2.add(v128.load(norms + ((<usize>p) << 4)), f64x2.add(a0, a1));
      index = v128.bitselect(lane, index, f64x2.lt(s, first));
      second = f64x2.pmin(second, f64x2.pmax(first, s));
      first = f64x2.pmin(first, s);
      lane = i64x2.add(lane, two);
    }
    const best = mergeLanes(first, second, index);
    scoreFirst = mergedFirst;
    scoreSecond = mergedSecond;
    return best;
  }
  const rowBytes = (<usize>d) << 3;
  let best = 0;
  let b1: f64 = Infinity;
  let b2: f64 = Infinity;
  for (let c = 0; c < k; c++) {
    const v = load<f64>(cNorms + ((<usize>c) << 3)) - 2.0 * dot(xi, centers + <usize>c * rowBytes, d);
    if (v < b1) {
      b2 = b1;
      b1 = v;
      best = c;
    } else if (v < b2) b2 = v;
  }
  scoreFirst = b1;
  scoreSecond = b2;
  return best;
}

/**
 * scoreRow for the rows at xa and xb at once (SIMD only): every centre load serves both rows, and a
 * block's eight sums are independent, which hides the add latency. Row a's results as scoreRow's
 * (returned, scoreFirst, scoreSecond), row b's in scoreBestB, scoreFirstB, scoreSecondB.
 */
// @ts-ignore: decorator
@inline
export function scoreTwoRows(xa: usize, xb: usize, d: i32, k: i32, ct: usize): i32 {
  const pairs = (k + 1) >> 1;
  const blocked = pairs & ~(BLOCK - 1);
  const norms = ct + ((<usize>(pairs * d)) << 4);
  let firstA = f64x2.splat(Infinity), secondA = f64x2.splat(Infinity), indexA = i64x2(0, 1);
  let firstB = f64x2.splat(Infinity), secondB = f64x2.splat(Infinity), indexB = i64x2(0, 1);
  let lane = i64x2(0, 1);
  const two = i64x2.splat(2);
  let cp = ct;
  let p = 0;
  for (; p < blocked; p += BLOCK) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
    let pa = xa;
    let pb = xb;
    // One coordinate an iteration: with two, the optimiser merges each sum's two updates into one
    // expression, which keeps eight centre vectors live for the second row, more than x64 has.
    for (let j = 0; j < d; j++) {
      const va = v128.load64_splat(pa);
      const vb = v128.load64_splat(pb);
      let cv = v128.load(cp);
      a0 = f64x2.add(a0, f64x2.mul(va, cv));
      b0 = f64x2.add(b0, f64x2.mul(vb, cv));
      cv = v128.load(cp, 16);
      a1 = f64x2.add(a1, f64x2.mul(va, cv));
      b1 = f64x2.add(b1, f64x2.mul(vb, cv));
      cv = v128.load(cp, 32);
      a2 = f64x2.add(a2, f64x2.mul(va, cv));
      b2 = f64x2.add(b2, f64x2.mul(vb, cv));
      cv = v128.load(cp, 48);
      a3 = f64x2.add(a3, f64x2.mul(va, cv));
      b3 = f64x2.add(b3, f64x2.mul(vb, cv));
      pa += 8;
      pb += 8;
      cp += 64;
    }
    const np = norms + ((<usize>p) << 4);
    let nv = v128.load(np);
    let s = f64x2.add(nv, a0);
    indexA = v128.bitselect(lane, indexA, f64x2.lt(s, firstA));
    secondA = f64x2.pmin(secondA, f64x2.pmax(firstA, s));
    firstA = f64x2.pmin(firstA, s);
    s = f64x2.add(nv, b0);
    indexB = v128.bitselect(lane, indexB, f64x2.lt(s, firstB));
    secondB = f64x2.pmin(secondB, f64x2.pmax(firstB, s));
    firstB = f64x2.pmin(firstB, s);
    lane = i64x2.add(lane, two);
    nv = v128.load(np, 16);
    s = f64x2.add(nv, a1);
    indexA = v128.bitselect(lane, indexA, f64x2.lt(s, firstA));
    secondA = f64x2.pmin(secondA, f64x2.pmax(firstA, s));
    firstA = f64x2.pmin(firstA, s);
    s = f64x2.add(nv, b1);
    indexB = v128.bitselect(lane, indexB, f64x2.lt(s, firstB));
    secondB = f64x2.pmin(secondB, f64x2.pmax(firstB, s));
    firstB = f64x2.pmin(firstB, s);
    lane = i64x2.add(lane, two);
    nv = v128.load(np, 32);
    s = f64x2.add(nv, a2);
    indexA = v128.bitselect(lane, indexA, f64x2.lt(s, firstA));
    secondA = f64x2.pmin(secondA, f64x2.pmax(firstA, s));
    firstA = f64x2.pmin(firstA, s);
    s = f64x2.add(nv, b2);
    indexB = v128.bitselect(lane, indexB, f64x2.lt(s, firstB));
    secondB = f64x2.pmin(secondB, f64x2.pmax(firstB, s));
    firstB = f64x2.pmin(firstB, s);
    lane = i64x2.add(lane, two);
    nv = v128.load(np, 48);
    s = f64x2.add(nv, a3);
    indexA = v128.bitselect(lane, indexA, f64x2.lt(s, firstA));
    secondA = f64x2.pmin(secondA, f64x2.pmax(firstA, s));
    firstA = f64x2.pmin(firstA, s);
    s = f64x2.add(nv, b3);
    indexB = v128.bitselect(lane, indexB, f64x2.lt(s, firstB));
    secondB = f64x2.pmin(secondB, f64x2.pmax(firstB, s));
    firstB = f64x2.pmin(firstB, s);
    lane = i64x2.add(lane, two);
  }
  for (; p < pairs; p++) {
    // Even and odd coordinates apart: four independent sums for the two rows.
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
    let pa = xa;
    let pb = xb;
    let j = 0;
    for (; j + 1 < d; j += 2) {
      const cv0 = v128.load(cp);
      const cv1 = v128.load(cp, 16);
      a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(pa), cv0));
      b0 = f64x2.add(b0, f64x2.mul(v128.load64_splat(pb), cv0));
      a1 = f64x2.add(a1, f64x2.mul(v128.load64_splat(pa, 8), cv1));
      b1 = f64x2.add(b1, f64x2.mul(v128.load64_splat(pb, 8), cv1));
      pa += 16;
      pb += 16;
      cp += 32;
    }
    if (j < d) {
      const cv0 = v128.load(cp);
      a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(pa), cv0));
      b0 = f64x2.add(b0, f64x2.mul(v128.load64_splat(pb), cv0));
      cp += 16;
    }
    const nv = v128.load(norms + ((<usize>p) << 4));
    let s = f64x2.add(nv, f64x2.add(a0, a1));
    indexA = v128.bitselect(lane, indexA, f64x2.lt(s, firstA));
    secondA = f64x2.pmin(secondA, f64x2.pmax(firstA, s));
    firstA = f64x2.pmin(firstA, s);
    s = f64x2.add(nv, f64x2.add(b0, b1));
    indexB = v128.bitselect(lane, indexB, f64x2.lt(s, firstB));
    secondB = f64x2.pmin(secondB, f64x2.pmax(firstB, s));
    firstB = f64x2.pmin(firstB, s);
    lane = i64x2.add(lane, two);
  }
  scoreBestB = mergeLanes(firstB, secondB, indexB);
  scoreFirstB = mergedFirst;
  scoreSecondB = mergedSecond;
  const best = mergeLanes(firstA, secondA, indexA);
  scoreFirst = mergedFirst;
  scoreSecond = mergedSecond;
  return best;
}

/** x·c over d values (the scalar build's scores, and the bounded pass's own-centre check). */
// @ts-ignore: decorator
@inline
export function dot(x: usize, c: usize, d: i32): f64 {
  let j = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a = f64x2.splat(0);
    for (; j + 1 < d; j += 2) {
      const o = (<usize>j) << 3;
      a = f64x2.add(a, f64x2.mul(v128.load(x + o), v128.load(c + o)));
    }
    s = hsum(a);
  }
  for (; j < d; j++) {
    const o = (<usize>j) << 3;
    s += load<f64>(x + o) * load<f64>(c + o);
  }
  return s;
}
