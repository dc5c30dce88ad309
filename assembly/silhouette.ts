// Silhouette kernels. The rows arrive sorted by cluster (clusters are contiguous runs, bounds in
// `starts`), so a row's distance sum to a cluster is a plain running sum over a run. Each pair
// (i, j) is computed once and credited to both rows. Work is cut into bands of rows: band b takes
// every pair (i, j) with i in the band and j > i, and writes its sums for rows [band start, n)
// into its own slot, k columns (one per cluster) of n − start rows, so that two consecutive rows'
// sums towards one cluster are one f64x2; silhouetteMerge adds the slots in band order. Memory is
// O(n·k·bands), never n×n, and the result does not depend on which thread ran which band.

import { zeroF64 } from "./util/rows";
import { hsum } from "./simd";

/** Rows of the other side taken per block, so they stay in L1/L2 while the band's rows pass. */
const J_BLOCK: i32 = 256;

/** Byte offset of band b's slot: bands hold (n − b·bandRows)·k f64 each, one after another. */
// @ts-ignore: decorator
@inline
function slotOffset(b: i32, n: i32, k: i32, bandRows: i32): usize {
  // Σ_{c<b} (n − c·bandRows) = b·n − bandRows·b(b−1)/2
  const rowsBefore = <i64>b * <i64>n - (<i64>bandRows * <i64>b * <i64>(b - 1)) / 2;
  return <usize>(rowsBefore * <i64>k) << 3;
}

/** Total f64 count of all band slots. */
export function silhouetteSlotsLength(n: i32, k: i32, bandRows: i32): f64 {
  const bands = (n + bandRows - 1) / bandRows;
  return <f64>(slotOffset(bands, n, k, bandRows) >> 3);
}

// @ts-ignore: decorator
@inline
function dist(a: usize, b: usize, d: i32): f64 {
  let j = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    for (; j + 1 < d; j += 2) {
      const o = (<usize>j) << 3;
      const t = f64x2.sub(v128.load(a + o), v128.load(b + o));
      acc = f64x2.add(acc, f64x2.mul(t, t));
    }
    s = hsum(acc);
  }
  for (; j < d; j++) {
    const o = (<usize>j) << 3;
    const t = load<f64>(a + o) - load<f64>(b + o);
    s += t * t;
  }
  return sqrt<f64>(s);
}

/**
 * Distances from row xi to rows j0 … j1−1 (all in one cluster): returns their sum and adds each
 * distance to the other row's sum towards xi's cluster, at ownCol + j·8.
 */
// @ts-ignore: decorator
@inline
function runSums(xi: usize, x: usize, d: i32, j0: i32, j1: i32, ownCol: usize): f64 {
  const rowBytes = (<usize>d) << 3;
  let sum: f64 = 0;
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    // Two rows at once: one f64x2 square root serves both.
    for (; j + 1 < j1; j += 2) {
      const xa = x + <usize>j * rowBytes;
      const xb = xa + rowBytes;
      let acc0 = f64x2.splat(0);
      let acc1 = f64x2.splat(0);
      let t = 0;
      for (; t + 1 < d; t += 2) {
        const o = (<usize>t) << 3;
        const v = v128.load(xi + o);
        const u0 = f64x2.sub(v, v128.load(xa + o));
        const u1 = f64x2.sub(v, v128.load(xb + o));
        acc0 = f64x2.add(acc0, f64x2.mul(u0, u0));
        acc1 = f64x2.add(acc1, f64x2.mul(u1, u1));
      }
      // Lane sums of both rows at once: [acc0.0 + acc0.1, acc1.0 + acc1.1].
      let s = f64x2.add(v128.shuffle<f64>(acc0, acc1, 0, 2), v128.shuffle<f64>(acc0, acc1, 1, 3));
      if (t < d) {
        const o = (<usize>t) << 3;
        const v = load<f64>(xi + o);
        const u0 = v - load<f64>(xa + o);
        const u1 = v - load<f64>(xb + o);
        s = f64x2.add(s, f64x2.replace_lane(f64x2.splat(u0 * u0), 1, u1 * u1));
      }
      s = f64x2.sqrt(s);
      // Each lane joins the running sum in turn, as in the scalar loop; hsum would add the two lanes
      // first and round differently.
      sum += f64x2.extract_lane(s, 0);
      sum += f64x2.extract_lane(s, 1);
      const c = ownCol + ((<usize>j) << 3);
      v128.store(c, f64x2.add(v128.load(c), s));
    }
  }
  for (; j < j1; j++) {
    const dj = dist(xi, x + <usize>j * rowBytes, d);
    sum += dj;
    const c = ownCol + ((<usize>j) << 3);
    store<f64>(c, load<f64>(c) + dj);
  }
  return sum;
}

/**
 * Two rows at once (a = row i, b = row i + 1) against rows j0 … j1−1 of one cluster `c`: a 2×2
 * register tile loads each coordinate once for four pairs, and one f64x2 square root serves two.
 * Distances come from coordinate differences, so close points keep full relative precision.
 * Adds the two row sums at cCol + i·8 (and the next row), and each distance to the other row's
 * sum at colA / colB + j·8 (the columns of a's and b's clusters).
 */
// @ts-ignore: decorator
@inline
function runSumsPair(x: usize, d: i32, i: i32, j0: i32, j1: i32, colA: usize, colB: usize, cCol: usize): void {
  const rowBytes = (<usize>d) << 3;
  const xa = x + <usize>i * rowBytes;
  const xb = xa + rowBytes;
  const zero = f64x2.splat(0);
  let sa = zero;
  let sb = zero;
  let j = j0;
  for (; j + 1 < j1; j += 2) {
    const xp = x + <usize>j * rowBytes;
    const xq = xp + rowBytes;
    let ap = zero;
    let aq = zero;
    let bp = zero;
    let bq = zero;
    let t = 0;
    // Four coordinates per step halves the loop overhead.
    for (; t + 3 < d; t += 4) {
      const o = (<usize>t) << 3;
      let va = v128.load(xa + o);
      let vb = v128.load(xb + o);
      let vp = v128.load(xp + o);
      let vq = v128.load(xq + o);
      let u = f64x2.sub(va, vp);
      ap = f64x2.add(ap, f64x2.mul(u, u));
      u = f64x2.sub(va, vq);
      aq = f64x2.add(aq, f64x2.mul(u, u));
      u = f64x2.sub(vb, vp);
      bp = f64x2.add(bp, f64x2.mul(u, u));
      u = f64x2.sub(vb, vq);
      bq = f64x2.add(bq, f64x2.mul(u, u));
      va = v128.load(xa + o, 16);
      vb = v128.load(xb + o, 16);
      vp = v128.load(xp + o, 16);
      vq = v128.load(xq + o, 16);
      u = f64x2.sub(va, vp);
      ap = f64x2.add(ap, f64x2.mul(u, u));
      u = f64x2.sub(va, vq);
      aq = f64x2.add(aq, f64x2.mul(u, u));
      u = f64x2.sub(vb, vp);
      bp = f64x2.add(bp, f64x2.mul(u, u));
      u = f64x2.sub(vb, vq);
      bq = f64x2.add(bq, f64x2.mul(u, u));
    }
    if (t + 1 < d) {
      const o = (<usize>t) << 3;
      const va = v128.load(xa + o);
      const vb = v128.load(xb + o);
      const vp = v128.load(xp + o);
      const vq = v128.load(xq + o);
      let u = f64x2.sub(va, vp);
      ap = f64x2.add(ap, f64x2.mul(u, u));
      u = f64x2.sub(va, vq);
      aq = f64x2.add(aq, f64x2.mul(u, u));
      u = f64x2.sub(vb, vp);
      bp = f64x2.add(bp, f64x2.mul(u, u));
      u = f64x2.sub(vb, vq);
      bq = f64x2.add(bq, f64x2.mul(u, u));
      t += 2;
    }
    // [‖a − p‖², ‖a − q‖²] and [‖b − p‖², ‖b − q‖²]
    let dA = f64x2.add(v128.shuffle<f64>(ap, aq, 0, 2), v128.shuffle<f64>(ap, aq, 1, 3));
    let dB = f64x2.add(v128.shuffle<f64>(bp, bq, 0, 2), v128.shuffle<f64>(bp, bq, 1, 3));
    if (t < d) {
      const o = (<usize>t) << 3;
      const pq = f64x2.replace_lane(v128.load64_splat(xp + o), 1, load<f64>(xq + o));
      const ua = f64x2.sub(v128.load64_splat(xa + o), pq);
      const ub = f64x2.sub(v128.load64_splat(xb + o), pq);
      dA = f64x2.add(dA, f64x2.mul(ua, ua));
      dB = f64x2.add(dB, f64x2.mul(ub, ub));
    }
    dA = f64x2.sqrt(dA);
    dB = f64x2.sqrt(dB);
    sa = f64x2.add(sa, dA);
    sb = f64x2.add(sb, dB);
    // p and q are consecutive rows: their sums towards one cluster are one f64x2.
    const o = (<usize>j) << 3;
    v128.store(colA + o, f64x2.add(v128.load(colA + o), dA));
    v128.store(colB + o, f64x2.add(v128.load(colB + o), dB));
  }
  let sumA = hsum(sa);
  let sumB = hsum(sb);
  if (j < j1) {
    const xp = x + <usize>j * rowBytes;
    const dA = dist(xa, xp, d);
    const dB = dist(xb, xp, d);
    sumA += dA;
    sumB += dB;
    const o = (<usize>j) << 3;
    store<f64>(colA + o, load<f64>(colA + o) + dA);
    store<f64>(colB + o, load<f64>(colB + o) + dB);
  }
  const p = cCol + ((<usize>i) << 3);
  store<f64>(p, load<f64>(p) + sumA);
  store<f64>(p, load<f64>(p, 8) + sumB, 8);
}

/**
 * Part `step` of `steps` of band `band` of the silhouette sums. x: n×d rows sorted by cluster;
 * labels: i32 cluster per (sorted) row; starts: k+1 i32 run bounds. The band's slot holds, for
 * every row r ≥ band start, k sums Σ_j dist(r, j) over this band's pairs. A band's blocks of
 * J_BLOCK columns are split into `steps` consecutive parts in proportion to its length, so every
 * part of every band is about 1/steps of its work; run in step order, the parts add the same
 * terms in the same order as the whole band in one call (steps = 1).
 */
export function silhouetteBand(
  x: usize, n: i32, d: i32, labels: usize, starts: usize, k: i32, slots: usize, bandRows: i32, step: i32, steps: i32, band: i32,
): void {
  const r0 = band * bandRows;
  const r1 = min(r0 + bandRows, n);
  const rowBytes = (<usize>d) << 3;
  const slot = slots + slotOffset(band, n, k, bandRows);
  const colBytes = (<usize>(n - r0)) << 3;
  if (step == 0) zeroF64(slot, (n - r0) * k);
  const blocks = <i64>((n - r0 + J_BLOCK - 1) / J_BLOCK);
  const firstBlock = <i32>((blocks * <i64>step) / <i64>steps);
  const endBlock = <i32>((blocks * <i64>(step + 1)) / <i64>steps);
  const jEnd = min(n, r0 + endBlock * J_BLOCK);
  // Column c holds every row's sum towards cluster c: row j at cols + c·colBytes + j·8.
  const cols = slot - ((<usize>r0) << 3);
  for (let jb = r0 + firstBlock * J_BLOCK; jb < jEnd; jb += J_BLOCK) {
    const je = min(jb + J_BLOCK, n);
    const ie = min(r1, je);
    let i = r0;
    if (ASC_FEATURE_SIMD) {
      // Rows in pairs: the pair (i, i+1) itself first, then both rows against j ≥ i + 2.
      for (; i + 1 < ie; i += 2) {
        const colA = cols + <usize>load<i32>(labels + ((<usize>i) << 2)) * colBytes;
        const colB = cols + <usize>load<i32>(labels + ((<usize>(i + 1)) << 2)) * colBytes;
        if (i + 1 >= jb) {
          const p = colB + ((<usize>i) << 3);
          store<f64>(p, load<f64>(p) + runSums(x + <usize>i * rowBytes, x, d, i + 1, i + 2, colA));
        }
        const jStart = max(jb, i + 2);
        if (jStart >= je) continue;
        let c = load<i32>(labels + ((<usize>jStart) << 2));
        let j = jStart;
        while (j < je) {
          const runEnd = min(je, load<i32>(starts + ((<usize>(c + 1)) << 2)));
          runSumsPair(x, d, i, j, runEnd, colA, colB, cols + <usize>c * colBytes);
          j = runEnd;
          c++;
        }
      }
    }
    for (; i < ie; i++) {
      const xi = x + <usize>i * rowBytes;
      const ownCol = cols + <usize>load<i32>(labels + ((<usize>i) << 2)) * colBytes;
      // Pairs (i, j) with j > i inside this block, cluster run by cluster run.
      const jStart = max(jb, i + 1);
      if (jStart >= je) continue;
      let c = load<i32>(labels + ((<usize>jStart) << 2));
      let j = jStart;
      while (j < je) {
        const runEnd = min(je, load<i32>(starts + ((<usize>(c + 1)) << 2)));
        const p = cols + <usize>c * colBytes + ((<usize>i) << 3);
        store<f64>(p, load<f64>(p) + runSums(xi, x, d, j, runEnd, ownCol));
        j = runEnd;
        c++;
      }
    }
  }
}

/**
 * Add the band slots in band order and turn each row's k sums into its silhouette (scikit-learn's
 * rule): a = own sum / (size − 1), b = min over other clusters of sum / size, s = (b − a) / max(a, b),
 * 0 for a cluster of one or a = b = 0. out[r] is the silhouette of sorted row r.
 */
export function silhouetteMerge(
  n: i32, labels: usize, starts: usize, k: i32, slots: usize, bandRows: i32, sums: usize, out: usize,
): void {
  for (let r = 0; r < n; r++) {
    const last = r / bandRows;
    const dst = sums;
    zeroF64(dst, k);
    for (let b = 0; b <= last; b++) {
      const colBytes = (<usize>(n - b * bandRows)) << 3;
      const src = slots + slotOffset(b, n, k, bandRows) + ((<usize>(r - b * bandRows)) << 3);
      for (let c = 0; c < k; c++) {
        const o = (<usize>c) << 3;
        store<f64>(dst + o, load<f64>(dst + o) + load<f64>(src + <usize>c * colBytes));
      }
    }
    const own = load<i32>(labels + ((<usize>r) << 2));
    const size = load<i32>(starts + ((<usize>(own + 1)) << 2)) - load<i32>(starts + ((<usize>own) << 2));
    let s: f64 = 0;
    if (size > 1) {
      const a = load<f64>(dst + ((<usize>own) << 3)) / <f64>(size - 1);
      let bmin = f64.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        if (c == own) continue;
        const sz = load<i32>(starts + ((<usize>(c + 1)) << 2)) - load<i32>(starts + ((<usize>c) << 2));
        bmin = min(bmin, load<f64>(dst + ((<usize>c) << 3)) / <f64>sz);
      }
      const den = max(a, bmin);
      s = den > 0 ? (bmin - a) / den : 0;
    }
    store<f64>(out + ((<usize>r) << 3), s);
  }
}

/** out[r] = X[perm[r]] for r < n: rows gathered into cluster order. */
export function gatherRows(x: usize, d: i32, perm: usize, n: i32, out: usize): void {
  const rowBytes = (<usize>d) << 3;
  for (let r = 0; r < n; r++) {
    const src = load<i32>(perm + ((<usize>r) << 2));
    memory.copy(out + <usize>r * rowBytes, x + <usize>src * rowBytes, rowBytes);
  }
}
