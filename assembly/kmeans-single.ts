// A single-precision pre-filter for the large k-means passes, with an exact fallback: the results
// are the same bits as the float64 kernels in kmeans.ts, only found with less work.
//
// X is copied once per fit into float32, four rows to a vector (row 4g + r in lane r of group g,
// coordinate j of the group at byte (g·d + j)·16), so one f32x4 operation serves four rows: half
// the instructions of the f64x2 kernels, and half the bytes to read. Every row also keeps ‖x‖ in
// float32. A pass ranks (or compares) in float32, accepts the float32 answer only where its margin
// exceeds a rigorous bound on the float32 rounding error, and hands every other row to the float64
// code, which then decides exactly as it always did.
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
import { addRow, nearestCentre, sqDist, sqNorm, zeroF64 } from "./util/rows";
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
      if ((okA & okB) == 15) {
        // Every row decided in float32 (the usual case): no float64 work but the sums.
        nChanged += place(x, i, i32x4.extract_lane(indexA, 0), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += place(x, i + 1, i32x4.extract_lane(indexA, 1), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += place(x, i + 2, i32x4.extract_lane(indexA, 2), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += place(x, i + 3, i32x4.extract_lane(indexA, 3), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += place(x, i + 4, i32x4.extract_lane(indexB, 0), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += place(x, i + 5, i32x4.extract_lane(indexB, 1), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += place(x, i + 6, i32x4.extract_lane(indexB, 2), rowBytes, labels, update, sumSlot, countSlot, d);
        nChanged += place(x, i + 7, i32x4.extract_lane(indexB, 3), rowBytes, labels, update, sumSlot, countSlot, d);
        continue;
      }
      const rows = okA | (okB << 4);
      nFallback += 8 - <i32>popcnt(rows);
      for (let r = 0; r < 8; r++) {
        const row = i + r;
        let best: i32;
        if ((rows >> r) & 1) {
          // extract_lane takes a constant lane: select among the four (only groups with a
          // fallback row come here).
          const v = r < 4 ? indexA : indexB;
          const q = r & 3;
          best = q == 0 ? i32x4.extract_lane(v, 0) : q == 1 ? i32x4.extract_lane(v, 1) : q == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
        } else {
          best = exactLabel(x + <usize>row * rowBytes, row, d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, rowBytes);
        }
        nChanged += place(x, row, best, rowBytes, labels, update, sumSlot, countSlot, d);
      }
    }
  }
  for (; i < end; i++) {
    nFallback++;
    const best = exactLabel(x + <usize>i * rowBytes, i, d, k, ct, centers, cNorms, xNorms, normsKnown, cMax, errScale, rowBytes);
    nChanged += place(x, i, best, rowBytes, labels, update, sumSlot, countSlot, d);
  }
  store<i32>(changed + ((<usize>chunk) << 2), nChanged);
  store<i32>(fallbacks + ((<usize>chunk) << 2), nFallback);
}

/** lloydChunk's label for one row: the float64 ranking, and the exact distances near a tie. */
// @ts-ignore: decorator
@inline
function exactLabel(
  xi: usize, i: i32, d: i32, k: i32, ct: usize, centers: usize, cNorms: usize, xNorms: usize, normsKnown: i32,
  cMax: f64, errScale: f64, rowBytes: usize,
): i32 {
  let best = scoreRow(xi, d, k, ct, centers, cNorms);
  const p = xNorms + ((<usize>i) << 3);
  let xnorm: f64;
  if (normsKnown) xnorm = load<f64>(p);
  else {
    xnorm = sqNorm(xi, d);
    store<f64>(p, xnorm);
  }
  const margin = errScale * (2.0 * cMax + xnorm);
  if (k > 1 && !(scoreSecond - scoreFirst > margin)) best = nearestCentre(xi, centers, k, d, rowBytes);
  return best;
}

/** Store row i's label and, with update ≠ 0, add the float64 row to its centre's sums. Returns 1 if the label changed. */
// @ts-ignore: decorator
@inline
function place(x: usize, i: i32, best: i32, rowBytes: usize, labels: usize, update: i32, sumSlot: usize, countSlot: usize, d: i32): i32 {
  const li = labels + ((<usize>i) << 2);
  let changed = 0;
  if (load<i32>(li) != best) {
    changed = 1;
    store<i32>(li, best);
  }
  if (update) {
    addRow(sumSlot + <usize>best * rowBytes, x + <usize>i * rowBytes, d);
    const cp = countSlot + ((<usize>best) << 3);
    store<f64>(cp, load<f64>(cp) + 1.0);
  }
  return changed;
}

/** Bytes (and f32x4 rows) of one block of four candidates in layoutSingleCandidates. */
// @ts-ignore: decorator
@inline
function candidateRows(d: i32): i32 {
  return d + 3;
}

/**
 * The k-means++ trials' candidates for seedTrialsSingle, once per centre: in blocks of four
 * (trial 4b + q in lane q; a block's missing trials repeat its first), the float32 coordinates
 * times −2, coordinate-major (coordinate j at (b·(d + 3) + j)·16), then per block three f32x4 rows:
 * fl(cn²), 2κ·cn and κ·cn² + τ·cn (cn: the candidate's stored ‖x‖; κ, τ: seedTrialsSingle's
 * bound). out: ⌈t/4⌉·(d + 3)·16 bytes.
 */
export function layoutSingleCandidates(xs: usize, xn: usize, cands: usize, t: i32, d: i32, out: usize): void {
  const groupBytes = (<usize>d) << 4;
  const blocks = (t + 3) >> 2;
  const kappa = boundKappa(d);
  const tau = boundTau(d);
  for (let b = 0; b < blocks; b++) {
    const base = out + ((<usize>(b * candidateRows(d))) << 4);
    for (let q = 0; q < 4; q++) {
      const trial = 4 * b + q < t ? 4 * b + q : 4 * b;
      const r = load<i32>(cands + ((<usize>trial) << 2));
      const src = xs + (<usize>(r >> 2)) * groupBytes + ((<usize>(r & 3)) << 2);
      const lane = (<usize>q) << 2;
      for (let j = 0; j < d; j++) store<f32>(base + ((<usize>j) << 4) + lane, -2 * load<f32>(src + ((<usize>j) << 4)));
      const cn = load<f32>(xn + ((<usize>r) << 2));
      const tail = base + groupBytes + lane;
      store<f32>(tail, cn * cn);
      store<f32>(tail, 2 * kappa * cn, 16);
      store<f32>(tail, kappa * cn * cn + tau * cn, 32);
    }
  }
}

/** κ of seedTrialsSingle's bound: 2(d + 12)·u, and 2⁻¹⁰ for the float32 roundings of the bound itself. */
// @ts-ignore: decorator
@inline
function boundKappa(d: i32): f32 {
  return <f32>(2.0 * (<f64>d + 12.0) * U * 1.0009765625);
}

/** τ of seedTrialsSingle's bound: (d + 2)·2⁻¹²⁶ for the range below normal, likewise. */
// @ts-ignore: decorator
@inline
function boundTau(d: i32): f32 {
  return <f32>((<f64>d + 2.0) * TINY * 1.0009765625);
}

/**
 * The k-means++ trials in float32, without writing any distance (the first of two passes; see
 * seedAdoptSingle). For trial q and each row, D̂ = fl(fl(xn²) + fl(cn²) + Σ x̂_j·(−2ĉ_j)) errs from
 * the float64 distance D by at most half of
 *   B = κ·(‖x‖ + ‖c‖)² + τ·(1 + ‖x‖ + ‖c‖),  κ = 2(d + 12)·u,  τ = (d + 2)·2⁻¹²⁶
 * (the d + 2 terms of the sum as in layoutSingleCentres; the squares of the stored norms, 3u
 * each; the float64 distance's own rounding, (d + 2)·ε·(‖x‖ + ‖c‖)²; and the comparison with
 * fl32(closest[i]), its rounding and the addition's). Where D̂ > fl32(closest[i]) + B the float64
 * distance is certainly ≥ closest[i], so the trial leaves the row's closest distance as it is:
 * that row's bit is set in masks (a byte per trial and group of four rows, at q·groups + g).
 *
 * A trial's potential is closest's sum (the current potential) plus Σ min(0, D − closest[i]). The
 * chunk's float32 estimate of the second sum, Σ min(0, D̂ − fl32(closest[i])), goes to
 * approx[chunk·2t + q], and the sum of B over the rows whose bit is clear (the only rows where the
 * estimate can err, by at most B + u·closest[i]) to approx[chunk·2t + t + q]. The caller picks the
 * winning trial from these where they leave no doubt (seedAdoptSingle then forms its distances
 * exactly), and otherwise runs seedPotentialChunk. cs: layoutSingleCandidates.
 */
export function seedTrialsSingle(
  n: i32, d: i32, t: i32, closest: usize, xs: usize, xn: usize, cs: usize, masks: usize, approx: usize, chunkRows: i32, chunk: i32,
): void {
  if (!ASC_FEATURE_SIMD) return;
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const slot = approx + ((<usize>chunk * <usize>(2 * t)) << 3);
  const groups = <usize>(((n + 7) >> 3) << 1);
  for (let c = 0; c < t; c += 4) {
    const cp = cs + ((<usize>((c >> 2) * candidateRows(d))) << 4);
    seedTrialsFour(start, end, d, c, min(4, t - c), t, closest, xs, xn, cp, masks + <usize>c * groups, groups, slot);
  }
}

/**
 * Trials c … c + m − 1 (m ≤ 4) of seedTrialsSingle on rows [start, end), eight rows (two groups) a
 * step: every candidate value loaded serves eight rows, and the eight sums are independent.
 * Trials past m repeat trial c and record nothing. masks: trial c's row of bytes.
 */
// @ts-ignore: decorator
@inline
function seedTrialsFour(
  start: i32, end: i32, d: i32, c: i32, m: i32, t: i32, closest: usize, xs: usize, xn: usize, cs: usize,
  masks: usize, groups: usize, slot: usize,
): void {
  const groupBytes = (<usize>d) << 4;
  const tailAt = cs + groupBytes;
  const kv = f32x4.splat(boundKappa(d));
  const tv = f32x4.splat(boundTau(d));
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const lanes = i32x4(0, 1, 2, 3);
  let e0 = zero, e1 = zero, e2 = zero, e3 = zero;
  let b0 = zero, b1 = zero, b2 = zero, b3 = zero;
  for (let i = start; i < end; i += 8) {
    const g = <usize>(i >> 2);
    const xa = v128.load(xn + ((<usize>i) << 2));
    const xb = v128.load(xn + ((<usize>i) << 2), 16);
    const pa = f32x4.mul(xa, xa);
    const pb = f32x4.mul(xb, xb);
    let q = v128.load32_splat(tailAt);
    let a0 = f32x4.add(pa, q), c0 = f32x4.add(pb, q);
    q = v128.load32_splat(tailAt, 4);
    let a1 = f32x4.add(pa, q), c1 = f32x4.add(pb, q);
    q = v128.load32_splat(tailAt, 8);
    let a2 = f32x4.add(pa, q), c2 = f32x4.add(pb, q);
    q = v128.load32_splat(tailAt, 12);
    let a3 = f32x4.add(pa, q), c3 = f32x4.add(pb, q);
    let p = xs + g * groupBytes;
    let cp = cs;
    for (let j = 0; j < d; j++) {
      const va = v128.load(p);
      const vb = v128.load(p + groupBytes);
      let cv = v128.load32_splat(cp);
      a0 = f32x4.add(a0, f32x4.mul(va, cv));
      c0 = f32x4.add(c0, f32x4.mul(vb, cv));
      cv = v128.load32_splat(cp, 4);
      a1 = f32x4.add(a1, f32x4.mul(va, cv));
      c1 = f32x4.add(c1, f32x4.mul(vb, cv));
      cv = v128.load32_splat(cp, 8);
      a2 = f32x4.add(a2, f32x4.mul(va, cv));
      c2 = f32x4.add(c2, f32x4.mul(vb, cv));
      cv = v128.load32_splat(cp, 12);
      a3 = f32x4.add(a3, f32x4.mul(va, cv));
      c3 = f32x4.add(c3, f32x4.mul(vb, cv));
      p += 16;
      cp += 16;
    }
    // The bound's part that depends on the row alone: κ·xn² + τ(1 + xn).
    const ra = f32x4.add(f32x4.mul(kv, pa), f32x4.mul(tv, f32x4.add(one, xa)));
    const rb = f32x4.add(f32x4.mul(kv, pb), f32x4.mul(tv, f32x4.add(one, xb)));
    const oi = (<usize>i) << 3;
    let clA: v128, clB: v128, validA: v128, validB: v128;
    if (i + 7 < end) {
      clA = i64x2.shuffle(f32x4.demote_f64x2_zero(v128.load(closest + oi)), f32x4.demote_f64x2_zero(v128.load(closest + oi, 16)), 0, 2);
      clB = i64x2.shuffle(f32x4.demote_f64x2_zero(v128.load(closest + oi, 32)), f32x4.demote_f64x2_zero(v128.load(closest + oi, 48)), 0, 2);
      validA = i32x4.splat(-1);
      validB = validA;
    } else {
      // The chunk's last rows short of eight: the padding lanes are neither read nor counted.
      const left = end - i;
      clA = zero;
      clB = zero;
      for (let r = 0; r < left; r++) {
        const v = <f32>load<f64>(closest + oi + ((<usize>r) << 3));
        if (r == 0) clA = f32x4.replace_lane(clA, 0, v);
        else if (r == 1) clA = f32x4.replace_lane(clA, 1, v);
        else if (r == 2) clA = f32x4.replace_lane(clA, 2, v);
        else if (r == 3) clA = f32x4.replace_lane(clA, 3, v);
        else if (r == 4) clB = f32x4.replace_lane(clB, 0, v);
        else if (r == 5) clB = f32x4.replace_lane(clB, 1, v);
        else clB = f32x4.replace_lane(clB, 2, v);
      }
      validA = i32x4.lt_s(lanes, i32x4.splat(left));
      validB = i32x4.lt_s(lanes, i32x4.splat(left - 4));
    }
    const mp = masks + g;
    // Trial 0 (the others below are the same lines for their own sums).
    let av = v128.load32_splat(tailAt, 16);
    let cc = v128.load32_splat(tailAt, 32);
    let bvA = f32x4.add(ra, f32x4.add(f32x4.mul(xa, av), cc));
    let bvB = f32x4.add(rb, f32x4.add(f32x4.mul(xb, av), cc));
    let skipA = v128.and(f32x4.gt(a0, f32x4.add(clA, bvA)), validA);
    let skipB = v128.and(f32x4.gt(c0, f32x4.add(clB, bvB)), validB);
    e0 = f32x4.add(e0, f32x4.add(v128.and(f32x4.pmin(zero, f32x4.sub(a0, clA)), validA), v128.and(f32x4.pmin(zero, f32x4.sub(c0, clB)), validB)));
    b0 = f32x4.add(b0, f32x4.add(v128.andnot(v128.and(bvA, validA), skipA), v128.andnot(v128.and(bvB, validB), skipB)));
    store<u8>(mp, <u8>(i32x4.bitmask(skipA) | (~i32x4.bitmask(validA) & 15)));
    store<u8>(mp, <u8>(i32x4.bitmask(skipB) | (~i32x4.bitmask(validB) & 15)), 1);
    if (m > 1) {
      av = v128.load32_splat(tailAt, 20);
      cc = v128.load32_splat(tailAt, 36);
      bvA = f32x4.add(ra, f32x4.add(f32x4.mul(xa, av), cc));
      bvB = f32x4.add(rb, f32x4.add(f32x4.mul(xb, av), cc));
      skipA = v128.and(f32x4.gt(a1, f32x4.add(clA, bvA)), validA);
      skipB = v128.and(f32x4.gt(c1, f32x4.add(clB, bvB)), validB);
      e1 = f32x4.add(e1, f32x4.add(v128.and(f32x4.pmin(zero, f32x4.sub(a1, clA)), validA), v128.and(f32x4.pmin(zero, f32x4.sub(c1, clB)), validB)));
      b1 = f32x4.add(b1, f32x4.add(v128.andnot(v128.and(bvA, validA), skipA), v128.andnot(v128.and(bvB, validB), skipB)));
      store<u8>(mp + groups, <u8>(i32x4.bitmask(skipA) | (~i32x4.bitmask(validA) & 15)));
      store<u8>(mp + groups, <u8>(i32x4.bitmask(skipB) | (~i32x4.bitmask(validB) & 15)), 1);
    }
    if (m > 2) {
      av = v128.load32_splat(tailAt, 24);
      cc = v128.load32_splat(tailAt, 40);
      bvA = f32x4.add(ra, f32x4.add(f32x4.mul(xa, av), cc));
      bvB = f32x4.add(rb, f32x4.add(f32x4.mul(xb, av), cc));
      skipA = v128.and(f32x4.gt(a2, f32x4.add(clA, bvA)), validA);
      skipB = v128.and(f32x4.gt(c2, f32x4.add(clB, bvB)), validB);
      e2 = f32x4.add(e2, f32x4.add(v128.and(f32x4.pmin(zero, f32x4.sub(a2, clA)), validA), v128.and(f32x4.pmin(zero, f32x4.sub(c2, clB)), validB)));
      b2 = f32x4.add(b2, f32x4.add(v128.andnot(v128.and(bvA, validA), skipA), v128.andnot(v128.and(bvB, validB), skipB)));
      store<u8>(mp + 2 * groups, <u8>(i32x4.bitmask(skipA) | (~i32x4.bitmask(validA) & 15)));
      store<u8>(mp + 2 * groups, <u8>(i32x4.bitmask(skipB) | (~i32x4.bitmask(validB) & 15)), 1);
    }
    if (m > 3) {
      av = v128.load32_splat(tailAt, 28);
      cc = v128.load32_splat(tailAt, 44);
      bvA = f32x4.add(ra, f32x4.add(f32x4.mul(xa, av), cc));
      bvB = f32x4.add(rb, f32x4.add(f32x4.mul(xb, av), cc));
      skipA = v128.and(f32x4.gt(a3, f32x4.add(clA, bvA)), validA);
      skipB = v128.and(f32x4.gt(c3, f32x4.add(clB, bvB)), validB);
      e3 = f32x4.add(e3, f32x4.add(v128.and(f32x4.pmin(zero, f32x4.sub(a3, clA)), validA), v128.and(f32x4.pmin(zero, f32x4.sub(c3, clB)), validB)));
      b3 = f32x4.add(b3, f32x4.add(v128.andnot(v128.and(bvA, validA), skipA), v128.andnot(v128.and(bvB, validB), skipB)));
      store<u8>(mp + 3 * groups, <u8>(i32x4.bitmask(skipA) | (~i32x4.bitmask(validA) & 15)));
      store<u8>(mp + 3 * groups, <u8>(i32x4.bitmask(skipB) | (~i32x4.bitmask(validB) & 15)), 1);
    }
  }
  const tb = (<usize>t) << 3;
  const sp = slot + ((<usize>c) << 3);
  store<f64>(sp, lanesSum(e0));
  store<f64>(sp + tb, lanesSum(b0));
  if (m > 1) {
    store<f64>(sp, lanesSum(e1), 8);
    store<f64>(sp + tb, lanesSum(b1), 8);
  }
  if (m > 2) {
    store<f64>(sp, lanesSum(e2), 16);
    store<f64>(sp + tb, lanesSum(b2), 16);
  }
  if (m > 3) {
    store<f64>(sp, lanesSum(e3), 24);
    store<f64>(sp + tb, lanesSum(b3), 24);
  }
}

/** The four float32 lanes added in float64. */
// @ts-ignore: decorator
@inline
function lanesSum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/**
 * The winning trial (candidate row cand; masks: its row of seedTrialsSingle's bytes) made current
 * in place: closest[i] = min(closest[i], ‖X[i] − X[cand]‖²) with the distance formed exactly as
 * seedPotentialChunk forms it, on the rows whose bit is clear (on the others the min is closest[i]
 * already), and pots[chunk] = the chunk's sum of the new closest, in row order. These are the bits
 * of that trial's seedPotentialChunk array and potential. The number of distances formed goes to
 * exact[chunk].
 */
export function seedAdoptSingle(
  x: usize, n: i32, d: i32, cand: i32, closest: usize, masks: usize, pots: usize, exact: usize, chunkRows: i32, chunk: i32,
): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const xc = x + <usize>cand * ((<usize>d) << 3);
  let s: f64 = 0;
  let nExact = 0;
  let i = start;
  // Eight groups (32 rows) whose bytes are all 15 change nothing: one test for them all.
  for (; i + 31 < end; i += 32) {
    const p = closest + ((<usize>i) << 3);
    let open = ~load<u64>(masks + <usize>(i >> 2)) & 0x0f0f0f0f0f0f0f0f;
    while (open != 0) {
      const bit = <i32>ctz(open);
      const row = i + ((bit >> 3) << 2) + (bit & 7);
      const pr = closest + ((<usize>row) << 3);
      store<f64>(pr, pminScalar(load<f64>(pr), trialDistance(x, row, start, end, d, xc)));
      nExact++;
      open &= open - 1;
    }
    for (let r = 0; r < 32; r += 4) {
      const o = (<usize>r) << 3;
      s += load<f64>(p + o);
      s += load<f64>(p + o, 8);
      s += load<f64>(p + o, 16);
      s += load<f64>(p + o, 24);
    }
  }
  for (; i < end; i++) {
    const pr = closest + ((<usize>i) << 3);
    let v = load<f64>(pr);
    if (!((<i32>load<u8>(masks + <usize>(i >> 2)) >> (i & 3)) & 1)) {
      v = pminScalar(v, trialDistance(x, i, start, end, d, xc));
      store<f64>(pr, v);
      nExact++;
    }
    s += v;
  }
  store<f64>(pots + ((<usize>chunk) << 3), s);
  store<i32>(exact + ((<usize>chunk) << 2), nExact);
}

/** A trial's exact distance for row i, formed as seedPotentialChunk forms it (a pair's row, or a chunk's unpaired last row). */
// @ts-ignore: decorator
@inline
function trialDistance(x: usize, i: i32, start: i32, end: i32, d: i32, xc: usize): f64 {
  const rowBytes = (<usize>d) << 3;
  const xi = x + <usize>i * rowBytes;
  if (((end - start) & 1) != 0 && i == end - 1) return sqDist(xi, xc, d);
  if (ASC_FEATURE_SIMD) {
    // As seedPotentialFour: one f64x2 sum over the coordinate pairs, its lanes added, the odd
    // coordinate last.
    let p = f64x2.splat(0);
    let j = 0;
    for (; j + 1 < d; j += 2) {
      const o = (<usize>j) << 3;
      const tv = f64x2.sub(v128.load(xi + o), v128.load(xc + o));
      p = f64x2.add(p, f64x2.mul(tv, tv));
    }
    let v = f64x2.extract_lane(p, 0) + f64x2.extract_lane(p, 1);
    if (j < d) {
      const o = (<usize>j) << 3;
      const tl = load<f64>(xi + o) - load<f64>(xc + o);
      v += tl * tl;
    }
    return v;
  }
  return sqDist(xi, xc, d);
}

/** min(closest, dist) as f64x2.pmin forms it in seedPotentialChunk. */
// @ts-ignore: decorator
@inline
function pminScalar(cl: f64, dist: f64): f64 {
  return dist < cl ? dist : cl;
}
