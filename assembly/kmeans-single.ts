// A single-precision pre-filter for the large k-means assignment passes, with an exact fallback:
// the labels are the same as lloydChunk's in kmeans.ts, only found with less work.
//
// X is copied into float32 once by a caller that assigns it many times (a fit shared out over the
// pool, the benchmark's iteration), four rows to a vector (row 4g + r in lane r of group g,
// coordinate j of the group at byte (g·d + j)·16), so one f32x4 operation serves four rows: half
// the instructions of the f64x2 ranking. Every row also keeps ‖x‖ in float32. A pass ranks in
// float32, takes the float32 winner only where its margin exceeds a rigorous bound on the float32
// rounding error, and hands every other row to the float64 code, which then decides exactly as it
// always did. The sums still come from the float64 rows.
//
// Rounding error, with u = 2⁻²⁴ (float32) and ε = 2⁻⁵² (float64), γ_m = m·u / (1 − m·u):
// - x̂ = fl32(x): |x̂_j − x_j| ≤ u·|x_j| (+ 2⁻¹⁵⁰ below the normal range), likewise ĉ.
// - A float32 sum of m products in any order: |fl(Σ a_j·b_j) − Σ a_j·b_j| ≤ γ_m·Σ|a_j·b_j|, and
//   Σ|x̂_j·ĉ_j| ≤ ‖x̂‖·‖ĉ‖ ≤ (1 + u)²·‖x‖·‖c‖ (Cauchy–Schwarz).
// - Replacing x, c by x̂, ĉ moves x·c by at most (2u + u²)·‖x‖·‖c‖.
// - Below the normal range every operation errs by at most 2⁻¹⁵⁰ absolute; the bounds add
//   (d + 2)·2⁻¹²⁶·(1 + ‖x‖ + ‖c‖), far above that, so that no subnormal constant is needed.
// - Rows with ‖x‖ > 2⁶⁰ (and passes with a centre beyond 2⁶⁰) never take the float32 answer:
//   their ‖x‖ is stored as +∞, so their bound is +∞. Below that no float32 value overflows.
// Each bound below is twice the error it covers, which absorbs the roundings of evaluating the
// bound, of the final subtraction or comparison, and of ‖x‖ itself (float32 of the float64 norm).

import { chunkEnd, chunkStart } from "./simd";
import { sqNorm, zeroF64 } from "./util/rows";
import { GROW, place, placeScored, rowNorm, settle, SHRINK } from "./util/place";
import { scoreFirst, scoreRow, scoreSecond } from "./util/centre-scores";

const U: f64 = 5.9604644775390625e-8; // 2⁻²⁴
const TINY: f64 = 1.1754943508222875e-38; // 2⁻¹²⁶, the smallest normal float32
const HUGE: f64 = 1.152921504606846976e18; // 2⁶⁰

/** Whether this build has the float32 kernels (they need SIMD); without, callers keep the float64 path. */
export function singleFilterAvailable(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/**
 * The float32 copy of the chunk's rows (layout above; the last chunk's rows padded with zeros to a
 * multiple of 8) and each row's ‖x‖ in float32 (xn; +∞ beyond 2⁶⁰). chunkRows: a multiple of 8.
 */
export function singleCopyChunk(x: usize, n: i32, d: i32, xs: usize, xn: usize, chunkRows: i32, chunk: i32): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const padEnd = min(start + chunkRows, (n + 7) & ~7);
  const rowBytes = (<usize>d) << 3;
  for (let i = start; i < padEnd; i++) {
    const dst = xs + ((<usize>(i >> 2) * <usize>d) << 4) + ((<usize>(i & 3)) << 2);
    const pn = xn + ((<usize>i) << 2);
    if (i >= end) {
      for (let j = 0; j < d; j++) store<f32>(dst + ((<usize>j) << 4), 0);
      store<f32>(pn, 0);
      continue;
    }
    const xi = x + <usize>i * rowBytes;
    for (let j = 0; j < d; j++) store<f32>(dst + ((<usize>j) << 4), <f32>load<f64>(xi + ((<usize>j) << 3)));
    const norm = Math.sqrt(sqNorm(xi, d));
    store<f32>(pn, norm > HUGE ? Infinity : <f32>norm);
  }
}

/** Centres per block of the float32 ranking: one f32x4 of scores per centre and row group. */
const BLOCK: i32 = 4;

/**
 * The centres for lloydChunkSingle, once per pass: in blocks of four, coordinate-major inside a
 * block (centre 4b + q, coordinate j at (b·d + j)·16 + q·4) as float32 times −2 (a score is then
 * fl32(‖c‖²) + Σ x̂_j·(−2ĉ_j); doubling is exact), a block's padding centres zeros with ‖c‖² = +∞;
 * then each block's ‖c‖² in float32, then the row bound's coefficients (α, β, γ: the bound of a
 * row is (γ·‖x‖ + α)·‖x‖ + β). cNorms: ‖c‖² (rowSqNormsChunk). out: (B·d + B + 1)·16 bytes, B = ⌈k/4⌉.
 *
 * The bound. With ‖c‖ ≤ C for every centre, one float32 score ŝ_c = fl(fl32(‖c‖²) + Σ x̂_j·(−2ĉ_j))
 * differs from t_c = ‖c‖² − 2x·c (exact arithmetic on the float64 values) by at most
 *   E = (γ_{d+1} + 2u)·C² + (2γ_{d+1} + 5u)·C·‖x‖ + (d + 2)·2⁻¹²⁶·(1 + C + ‖x‖)
 * (the d + 1 terms of the sum, the conversions of ‖c‖², x and c). If the float32 gap between the
 * best and second scores exceeds 4E + 4m, m being lloydChunk's float64 margin
 * 4(d + 2)ε·(2C² + ‖x‖²), every other centre is truly more than 2m further from the row than the
 * float32 winner; lloydChunk's float64 scores err by at most m / 4 each, so it too accepts its own
 * ranking, with the same winner. The label is therefore exactly lloydChunk's.
 */
export function layoutSingleCentres(centers: usize, cNorms: usize, k: i32, d: i32, out: usize): void {
  const blocks = (k + BLOCK - 1) / BLOCK;
  const rowBytes = (<usize>d) << 3;
  let cMax: f64 = 0;
  for (let c = 0; c < blocks * BLOCK; c++) {
    const b = c / BLOCK;
    const q = c % BLOCK;
    const dst = out + ((<usize>(b * d)) << 4) + ((<usize>q) << 2);
    const real = c < k;
    for (let j = 0; j < d; j++) {
      store<f32>(dst + ((<usize>j) << 4), real ? <f32>(-2.0 * load<f64>(centers + <usize>c * rowBytes + ((<usize>j) << 3))) : 0);
    }
    const norm = real ? load<f64>(cNorms + ((<usize>c) << 3)) : Infinity;
    if (real) cMax = max(cMax, norm);
    store<f32>(out + ((<usize>(blocks * d + b)) << 4) + ((<usize>q) << 2), <f32>norm);
  }
  const df = <f64>d;
  const g = ((df + 1.0) * U) / (1.0 - (df + 1.0) * U);
  // C: ‖c‖ from the float64 ‖c‖² (relative error far below 2⁻²⁰).
  const bigC = Math.sqrt(cMax) * (1.0 + 9.5367431640625e-7);
  const errScale = 4.0 * (df + 2.0) * f64.EPSILON;
  const absolute = (df + 2.0) * TINY;
  // ‖x‖ ≤ xn·(1 + 2⁻²²) for the stored xn; (1 + 2⁻¹⁰) for the float32 roundings of α, β, γ and of
  // evaluating the bound.
  const slack: f64 = 1.0009765625;
  const alpha = 4.0 * ((2.0 * g + 5.0 * U) * bigC + absolute) * (1.0 + 9.5367431640625e-7) * slack;
  const beta = bigC > HUGE ? Infinity : (4.0 * ((g + 2.0 * U) * bigC * bigC + absolute * (1.0 + bigC)) + 8.0 * errScale * cMax) * slack;
  const gamma = 4.0 * errScale * (1.0 + 1.9073486328125e-6) * slack;
  const coef = out + ((<usize>(blocks * d + blocks)) << 4);
  store<f32>(coef, <f32>alpha);
  store<f32>(coef, <f32>beta, 4);
  store<f32>(coef, <f32>gamma, 8);
  store<f32>(coef, 0, 12);
}

/**
 * lloydChunk (update ≠ 0: with the chunk's sums and counts) with the float32 ranking in front:
 * rows go eight at a time (two groups of four), each ranked against every centre in float32
 * (cs: layoutSingleCentres), and a row whose float32 gap exceeds its bound takes the float32
 * winner; any other row (and the chunk's last rows short of eight) goes through lloydChunk's
 * float64 scoring and exact fallback unchanged. The labels are lloydChunk's (see
 * layoutSingleCentres), and so are the sums, added in row order from the float64 rows. The number
 * of rows decided in float64 goes to fallbacks[chunk]. xNorms are read or stored only for those rows.
 */
export function lloydChunkSingle(
  x: usize, n: i32, d: i32, centers: usize, cNorms: usize, k: i32, xNorms: usize, normsKnown: i32,
  labels: usize, sums: usize, counts: usize, changed: usize, update: i32, ct: usize,
  xs: usize, xn: usize, cs: usize, fallbacks: usize, chunkRows: i32, chunk: i32,
): void {
  rankChunk(false, x, n, d, centers, cNorms, k, xNorms, normsKnown, labels, sums, counts, changed, update, 0, 0, ct, xs, xn, cs, fallbacks, chunkRows, chunk);
}

/**
 * The first pass of a Lloyd run with distance bounds (lloydChunkBounded with boundsValid = 0) with
 * the float32 ranking in front, as lloydChunkSingle: the same labels, sums and counts. A row the
 * float32 ranking decides gets its bounds from its two best float32 scores, widened by its whole
 * float32 bound (which is above four times either score's error): upper = √(ŝ₁ + ‖x‖² + bound),
 * lower = √(ŝ₂ + ‖x‖² − bound), valid bounds for the passes after; any other row is scored and its
 * bounds reset as lloydChunkBounded does. ‖X[i]‖² is stored (normsKnown = 0) or read for every row.
 */
export function lloydChunkBoundedSingle(
  x: usize, n: i32, d: i32, centers: usize, cNorms: usize, k: i32, xNorms: usize, normsKnown: i32,
  labels: usize, sums: usize, counts: usize, changed: usize, update: i32, upper: usize, lower: usize, ct: usize,
  xs: usize, xn: usize, cs: usize, fallbacks: usize, chunkRows: i32, chunk: i32,
): void {
  rankChunk(true, x, n, d, centers, cNorms, k, xNorms, normsKnown, labels, sums, counts, changed, update, upper, lower, ct, xs, xn, cs, fallbacks, chunkRows, chunk);
}

/** The body of lloydChunkSingle (bounded = false) and lloydChunkBoundedSingle (true). */
// @ts-ignore: decorator
@inline
function rankChunk(
  bounded: bool, x: usize, n: i32, d: i32, centers: usize, cNorms: usize, k: i32, xNorms: usize, normsKnown: i32,
  labels: usize, sums: usize, counts: usize, changed: usize, update: i32, upper: usize, lower: usize, ct: usize,
  xs: usize, xn: usize, cs: usize, fallbacks: usize, chunkRows: i32, chunk: i32,
): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  const sumSlot = sums + ((<usize>chunk * <usize>k * <usize>d) << 3);
  const countSlot = counts + ((<usize>chunk * <usize>k) << 3);
  if (update) {
    zeroF64(sumSlot, k * d);
    zeroF64(countSlot, k);
  }
  let cMax: f64 = 0;
  for (let c = 0; c < k; c++) cMax = max(cMax, load<f64>(cNorms + ((<usize>c) << 3)));
  const errScale: f64 = 4.0 * <f64>(d + 2) * f64.EPSILON;
  let nChanged = 0;
  let nFallback = 0;
  let i = start;
  if (ASC_FEATURE_SIMD) {
    const blocks = (k + BLOCK - 1) / BLOCK;
    const normsAt = cs + ((<usize>(blocks * d)) << 4);
    const coef = normsAt + ((<usize>blocks) << 4);
    const alpha = f32x4.splat(load<f32>(coef));
    const beta = f32x4.splat(load<f32>(coef, 4));
    const gamma = f32x4.splat(load<f32>(coef, 8));
    const groupBytes = (<usize>d) << 4;
    for (; i + 7 < end; i += 8) {
      const ga = xs + (<usize>(i >> 2)) * groupBytes;
      const gb = ga + groupBytes;
      let firstA = f32x4.splat(Infinity), secondA = f32x4.splat(Infinity), indexA = i32x4.splat(0);
      let firstB = f32x4.splat(Infinity), secondB = f32x4.splat(Infinity), indexB = i32x4.splat(0);
      let cp = cs;
      for (let b = 0; b < blocks; b++) {
        const np = normsAt + ((<usize>b) << 4);
        let a0 = v128.load32_splat(np), a1 = v128.load32_splat(np, 4), a2 = v128.load32_splat(np, 8), a3 = v128.load32_splat(np, 12);
        let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        let pa = ga;
        let pb = gb;
        for (let j = 0; j < d; j++) {
          const va = v128.load(pa);
          const vb = v128.load(pb);
          let cv = v128.load32_splat(cp);
          a0 = f32x4.add(a0, f32x4.mul(va, cv));
          b0 = f32x4.add(b0, f32x4.mul(vb, cv));
          cv = v128.load32_splat(cp, 4);
          a1 = f32x4.add(a1, f32x4.mul(va, cv));
          b1 = f32x4.add(b1, f32x4.mul(vb, cv));
          cv = v128.load32_splat(cp, 8);
          a2 = f32x4.add(a2, f32x4.mul(va, cv));
          b2 = f32x4.add(b2, f32x4.mul(vb, cv));
          cv = v128.load32_splat(cp, 12);
          a3 = f32x4.add(a3, f32x4.mul(va, cv));
          b3 = f32x4.add(b3, f32x4.mul(vb, cv));
          pa += 16;
          pb += 16;
          cp += 16;
        }
        // Each lane (row) keeps its lowest two scores and the first centre with the lowest,
        // without branches: ties keep the earlier centre and leave a zero gap (a fallback).
        let c = i32x4.splat(b * BLOCK);
        const one = i32x4.splat(1);
        let lt = f32x4.lt(a0, firstA);
        indexA = v128.bitselect(c, indexA, lt);
        secondA = f32x4.pmin(secondA, f32x4.pmax(firstA, a0));
        firstA = f32x4.pmin(firstA, a0);
        lt = f32x4.lt(b0, firstB);
        indexB = v128.bitselect(c, indexB, lt);
        secondB = f32x4.pmin(secondB, f32x4.pmax(firstB, b0));
        firstB = f32x4.pmin(firstB, b0);
        c = i32x4.add(c, one);
        lt = f32x4.lt(a1, firstA);
        indexA = v128.bitselect(c, indexA, lt);
        secondA = f32x4.pmin(secondA, f32x4.pmax(firstA, a1));
        firstA = f32x4.pmin(firstA, a1);
        lt = f32x4.lt(b1, firstB);
        indexB = v128.bitselect(c, indexB, lt);
        secondB = f32x4.pmin(secondB, f32x4.pmax(firstB, b1));
        firstB = f32x4.pmin(firstB, b1);
        c = i32x4.add(c, one);
        lt = f32x4.lt(a2, firstA);
        indexA = v128.bitselect(c, indexA, lt);
        secondA = f32x4.pmin(secondA, f32x4.pmax(firstA, a2));
        firstA = f32x4.pmin(firstA, a2);
        lt = f32x4.lt(b2, firstB);
        indexB = v128.bitselect(c, indexB, lt);
        secondB = f32x4.pmin(secondB, f32x4.pmax(firstB, b2));
        firstB = f32x4.pmin(firstB, b2);
        c = i32x4.add(c, one);
        lt = f32x4.lt(a3, firstA);
        indexA = v128.bitselect(c, indexA, lt);
        secondA = f32x4.pmin(secondA, f32x4.pmax(firstA, a3));
        firstA = f32x4.pmin(firstA, a3);
        lt = f32x4.lt(b3, firstB);
        indexB = v128.bitselect(c, indexB, lt);
        secondB = f32x4.pmin(secondB, f32x4.pmax(firstB, b3));
        firstB = f32x4.pmin(firstB, b3);
      }
      // A row takes its float32 winner where the gap beats (γ‖x‖ + α)‖x‖ + β (NaN never does).
      const na = v128.load(xn + ((<usize>i) << 2));
      const nb = v128.load(xn + ((<usize>i) << 2), 16);
      const boundA = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(gamma, na), alpha), na), beta);
      const boundB = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(gamma, nb), alpha), nb), beta);
      const okA = i32x4.bitmask(f32x4.gt(f32x4.sub(secondA, firstA), boundA));
      const okB = i32x4.bitmask(f32x4.gt(f32x4.sub(secondB, firstB), boundB));
      if (bounded) {
        // Every row ends with its bounds: from its float32 scores where they decided it.
        nChanged += finishBounded(x, i, (okA & 1) != 0, i32x4.extract_lane(indexA, 0), f32x4.extract_lane(firstA, 0), f32x4.extract_lane(secondA, 0), f32x4.extract_lane(boundA, 0), d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, labels, upper, lower, update, sumSlot, countSlot);
        nChanged += finishBounded(x, i + 1, (okA & 2) != 0, i32x4.extract_lane(indexA, 1), f32x4.extract_lane(firstA, 1), f32x4.extract_lane(secondA, 1), f32x4.extract_lane(boundA, 1), d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, labels, upper, lower, update, sumSlot, countSlot);
        nChanged += finishBounded(x, i + 2, (okA & 4) != 0, i32x4.extract_lane(indexA, 2), f32x4.extract_lane(firstA, 2), f32x4.extract_lane(secondA, 2), f32x4.extract_lane(boundA, 2), d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, labels, upper, lower, update, sumSlot, countSlot);
        nChanged += finishBounded(x, i + 3, (okA & 8) != 0, i32x4.extract_lane(indexA, 3), f32x4.extract_lane(firstA, 3), f32x4.extract_lane(secondA, 3), f32x4.extract_lane(boundA, 3), d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, labels, upper, lower, update, sumSlot, countSlot);
        nChanged += finishBounded(x, i + 4, (okB & 1) != 0, i32x4.extract_lane(indexB, 0), f32x4.extract_lane(firstB, 0), f32x4.extract_lane(secondB, 0), f32x4.extract_lane(boundB, 0), d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, labels, upper, lower, update, sumSlot, countSlot);
        nChanged += finishBounded(x, i + 5, (okB & 2) != 0, i32x4.extract_lane(indexB, 1), f32x4.extract_lane(firstB, 1), f32x4.extract_lane(secondB, 1), f32x4.extract_lane(boundB, 1), d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, labels, upper, lower, update, sumSlot, countSlot);
        nChanged += finishBounded(x, i + 6, (okB & 4) != 0, i32x4.extract_lane(indexB, 2), f32x4.extract_lane(firstB, 2), f32x4.extract_lane(secondB, 2), f32x4.extract_lane(boundB, 2), d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, labels, upper, lower, update, sumSlot, countSlot);
        nChanged += finishBounded(x, i + 7, (okB & 8) != 0, i32x4.extract_lane(indexB, 3), f32x4.extract_lane(firstB, 3), f32x4.extract_lane(secondB, 3), f32x4.extract_lane(boundB, 3), d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, labels, upper, lower, update, sumSlot, countSlot);
        nFallback += 8 - <i32>popcnt(okA | (okB << 4));
        continue;
      }
      if ((okA & okB) == 15) {
        // Every row decided in float32 (the usual case): no float64 work but the sums.
        nChanged += placeAt(x, i, i32x4.extract_lane(indexA, 0), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += placeAt(x, i + 1, i32x4.extract_lane(indexA, 1), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += placeAt(x, i + 2, i32x4.extract_lane(indexA, 2), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += placeAt(x, i + 3, i32x4.extract_lane(indexA, 3), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += placeAt(x, i + 4, i32x4.extract_lane(indexB, 0), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += placeAt(x, i + 5, i32x4.extract_lane(indexB, 1), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += placeAt(x, i + 6, i32x4.extract_lane(indexB, 2), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += placeAt(x, i + 7, i32x4.extract_lane(indexB, 3), rowBytes, labels, update, sumSlot, countSlot, d);
        continue;
      }
      const rows = okA | (okB << 4);
      nFallback += 8 - <i32>popcnt(rows);
      for (let r = 0; r < 8; r++) {
        const row = i + r;
        if ((rows >> r) & 1) {
          // extract_lane takes a constant lane: select among the four (only groups with a
          // fallback row come here).
          const v = r < 4 ? indexA : indexB;
          const q = r & 3;
          const best = q == 0 ? i32x4.extract_lane(v, 0) : q == 1 ? i32x4.extract_lane(v, 1) : q == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
          nChanged += placeAt(x, row, best, rowBytes, labels, update, sumSlot, countSlot, d);
        } else {
          nChanged += exactRow(x, row, d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, rowBytes, labels, update, sumSlot, countSlot);
        }
      }
    }
  }
  for (; i < end; i++) {
    nFallback++;
    if (bounded) {
      nChanged += finishBounded(x, i, false, 0, 0, 0, 0, d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, labels, upper, lower, update, sumSlot, countSlot);
      continue;
    }
    nChanged += exactRow(x, i, d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, rowBytes, labels, update, sumSlot, countSlot);
  }
  store<i32>(changed + ((<usize>chunk) << 2), nChanged);
  store<i32>(fallbacks + ((<usize>chunk) << 2), nFallback);
}

/** lloydChunk's end of row i: the float64 ranking, the exact distances near a tie, then place. */
// @ts-ignore: decorator
@inline
function exactRow(
  x: usize, i: i32, d: i32, k: i32, ct: usize, centers: usize, cNorms: usize, xNorms: usize, normsKnown: i32,
  cMax: f64, errScale: f64, rowBytes: usize, labels: usize, update: i32, sumSlot: usize, countSlot: usize,
): i32 {
  const xi = x + <usize>i * rowBytes;
  const best = scoreRow(xi, d, k, ct, centers, cNorms);
  const margin = errScale * (2.0 * cMax + rowNorm(xi, i, xNorms, normsKnown, d));
  return settle(xi, i, best, scoreFirst, scoreSecond, margin, k, d, rowBytes, centers, labels, update, sumSlot, countSlot);
}

/** util/place.ts place for row i of x. */
// @ts-ignore: decorator
@inline
function placeAt(x: usize, i: i32, best: i32, rowBytes: usize, labels: usize, update: i32, sumSlot: usize, countSlot: usize, d: i32): i32 {
  return place(x + <usize>i * rowBytes, i, best, d, rowBytes, labels, update, sumSlot, countSlot);
}

/**
 * lloydChunkBoundedSingle's end of row i: with ok, the float32 winner `best`, its bounds from the
 * float32 scores s1, s2 widened by the row's float32 bound; otherwise lloydChunkBounded's scoring
 * and bounds. Stores the label and adds the row to its centre's sums. Returns 1 if the label changed.
 */
// @ts-ignore: decorator
@inline
function finishBounded(
  x: usize, i: i32, ok: bool, best: i32, s1: f32, s2: f32, bound: f32, d: i32, k: i32, ct: usize, centers: usize,
  cNorms: usize, xNorms: usize, normsKnown: i32, cMax: f64, errScale: f64, labels: usize, upper: usize, lower: usize,
  update: i32, sumSlot: usize, countSlot: usize,
): i32 {
  const rowBytes = (<usize>d) << 3;
  const xi = x + <usize>i * rowBytes;
  const xnorm = rowNorm(xi, i, xNorms, normsKnown, d);
  if (ok) {
    // Either score is within a quarter of the bound of ‖x − c‖² − ‖x‖² (layoutSingleCentres).
    const oi = (<usize>i) << 3;
    const b = <f64>bound;
    store<f64>(upper + oi, Math.sqrt(max(0.0, <f64>s1 + xnorm + b)) * GROW);
    store<f64>(lower + oi, k > 1 ? Math.sqrt(max(0.0, <f64>s2 + xnorm - b)) * SHRINK : Infinity);
    return place(xi, i, best, d, rowBytes, labels, update, sumSlot, countSlot);
  }
  const scored = scoreRow(xi, d, k, ct, centers, cNorms);
  const margin = errScale * (2.0 * cMax + xnorm);
  return placeScored(xi, i, scored, scoreFirst, scoreSecond, xnorm, margin, k, d, centers, labels, upper, lower, update, sumSlot, countSlot);
}
