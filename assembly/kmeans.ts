// k-means kernels. Each does one pass over one chunk of rows (rows [chunk·chunkRows, …)) and
// writes that chunk's partial results into its own slot, so chunks can run on any thread in any
// order; the caller merges the slots in chunk order (mergeChunks), which keeps sums bit-identical
// for every thread count. Orchestration (tolerance, n_init, sharing passes out) lives in
// src/engine/kmeans.ts, as scikit-learn keeps it in _kmeans.py; the steps between two passes
// (merging, empty-cluster relocation, averaging: lloydUpdate) are here, so that a run on the pool
// and a run in one call (lloydRun) take the same ones.
import { dot, layoutCentres, scoreBestB, scoreFirst, scoreFirstB, scoreRow, scoreSecond, scoreSecondB, scoreTwoRows } from "./util/centre-scores";
import { addRow, sqDist, sqNorm, zeroF64 } from "./util/rows";
import { GROW, placeScored, rowNorm, settle, SHRINK } from "./util/place";
import { updateCentres } from "./util/lloyd-steps";
import { chunkEnd, chunkStart } from "./simd";

// Squared distances are computed two ways here, on purpose. The Lloyd assignment ranks centres by
// the expansion score ‖c‖² − 2x·c (fast: one dot product per centre, norms computed once), falling
// back to the direct Σ(x − c)² of util/rows.ts sqDist near ties; inertia, the reported distances and
// the k-means++ potentials use sqDist throughout, because their values (not only their order) are
// results. Which formula each pass should use is a performance question; changing one changes
// results in the last bits.

/** out[i] = ‖X[i]‖² for the chunk's rows. */
export function rowSqNormsChunk(x: usize, n: i32, d: i32, out: usize, chunkRows: i32, chunk: i32): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  for (let i = start; i < end; i++) {
    const xi = x + <usize>i * rowBytes;
    store<f64>(out + ((<usize>i) << 3), sqNorm(xi, d));
  }
}

/**
 * Assign each row of the chunk to its nearest centre and count the labels that changed. With
 * update ≠ 0 also accumulate the chunk's per-centre coordinate sums (sums slot: k×d) and row counts
 * (counts slot: k), as scikit-learn's lloyd_iter_chunked_dense.
 *
 * Centres are ranked by the score ‖c‖² − 2x·c (cNorms: ‖c‖², from rowSqNormsChunk; ct: the centres
 * two by two, from pairCentres, written once before the pass so that threads only read it), with
 * no branch on the ranking (scoreRow). Where the two best scores are closer than the score's
 * rounding error can reach, the row is decided on exact squared differences instead: the label is
 * always the nearest centre by ‖x − c‖² (ties to the lowest index), whatever the data's offset from
 * the origin. The margin needs ‖X[i]‖²: the first pass of a fit (normsKnown = 0) stores them at
 * xNorms, later passes read them back.
 */
export function lloydChunk(
  x: usize, n: i32, d: i32, centers: usize, cNorms: usize, k: i32, xNorms: usize, normsKnown: i32,
  labels: usize, sums: usize, counts: usize, changed: usize, update: i32, ct: usize, chunkRows: i32, chunk: i32,
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
  // |error| of one score ≤ (d + 2)·ε·(‖c‖² + 2‖x‖‖c‖) ≤ (d + 2)·ε·(2‖c‖² + ‖x‖²); twice that for a
  // difference of two scores, and twice again for safety.
  const errScale: f64 = 4.0 * <f64>(d + 2) * f64.EPSILON;
  let nChanged = 0;
  let i = start;
  if (ASC_FEATURE_SIMD) {
    for (; i + 1 < end; i += 2) {
      const xa = x + <usize>i * rowBytes;
      const xb = xa + rowBytes;
      const bestA = scoreTwoRows(xa, xb, d, k, ct);
      const bestB = scoreBestB;
      const marginA = errScale * (2.0 * cMax + rowNorm(xa, i, xNorms, normsKnown, d));
      const marginB = errScale * (2.0 * cMax + rowNorm(xb, i + 1, xNorms, normsKnown, d));
      nChanged += settle(xa, i, bestA, scoreFirst, scoreSecond, marginA, k, d, rowBytes, centers, labels, update, sumSlot, countSlot);
      nChanged += settle(xb, i + 1, bestB, scoreFirstB, scoreSecondB, marginB, k, d, rowBytes, centers, labels, update, sumSlot, countSlot);
    }
  }
  for (; i < end; i++) {
    const xi = x + <usize>i * rowBytes;
    const best = scoreRow(xi, d, k, ct, centers, cNorms);
    const margin = errScale * (2.0 * cMax + rowNorm(xi, i, xNorms, normsKnown, d));
    nChanged += settle(xi, i, best, scoreFirst, scoreSecond, margin, k, d, rowBytes, centers, labels, update, sumSlot, countSlot);
  }
  store<i32>(changed + ((<usize>chunk) << 2), nChanged);
}

/** partial[chunk] = Σ over the chunk's rows of ‖X[i] − centers[labels[i]]‖². */
export function inertiaChunk(
  x: usize, n: i32, d: i32, centers: usize, labels: usize, partial: usize, chunkRows: i32, chunk: i32,
): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  let s: f64 = 0;
  for (let i = start; i < end; i++) {
    const c = load<i32>(labels + ((<usize>i) << 2));
    s += sqDist(x + <usize>i * rowBytes, centers + <usize>c * rowBytes, d);
  }
  store<f64>(partial + ((<usize>chunk) << 3), s);
}

/**
 * k-means++ trials: for each of the t candidate rows (indices at cands), the trial's closest
 * distances min(closest[i], ‖X[i] − X[cand]‖²) into its own array (pointers at outs), and the
 * chunk's share of the trial's potential (their sum) into pots[chunk·t + c]. Keeping every trial's
 * distances lets the caller adopt the winner's array instead of recomputing it. Rows go in pairs
 * and candidates in fours, so each value loaded serves several distances and the chunk's rows are
 * read once per four trials.
 */
export function seedPotentialChunk(
  x: usize, n: i32, d: i32, cands: usize, t: i32, closest: usize, outs: usize, pots: usize, chunkRows: i32, chunk: i32,
): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const slot = pots + ((<usize>chunk * <usize>t) << 3);
  let c = 0;
  for (; c + 3 < t; c += 4) seedPotentialFour(x, start, end, d, cands, c, closest, outs, slot);
  for (; c < t; c++) seedPotentialOne(x, start, end, d, cands, c, closest, outs, slot);
}

/**
 * (hsum(a), hsum(b)): two rows' sums side by side, each added as hsum adds it, so that the min
 * with the rows' closest distances and the store take one instruction for both rows. A scalar min
 * compiles to a branch in V8, and which way it goes is as random as the data.
 */
// @ts-ignore: decorator
@inline
function hsumPair(a: v128, b: v128): v128 {
  return f64x2.add(i64x2.shuffle(a, b, 0, 2), i64x2.shuffle(a, b, 1, 3));
}

/** The last coordinate (at byte offset o) of the rows at xa and xb side by side, for odd d. */
// @ts-ignore: decorator
@inline
function lastPair(xa: usize, xb: usize, o: usize): v128 {
  return f64x2.replace_lane(v128.load64_splat(xa + o), 1, load<f64>(xb + o));
}

/** Candidate c of seedPotentialChunk on rows [start, end). */
// @ts-ignore: decorator
@inline
function seedPotentialOne(
  x: usize, start: i32, end: i32, d: i32, cands: usize, c: i32, closest: usize, outs: usize, slot: usize,
): void {
  const rowBytes = (<usize>d) << 3;
  const xc = x + <usize>load<i32>(cands + ((<usize>c) << 2)) * rowBytes;
  const out = <usize>load<i32>(outs + ((<usize>c) << 2));
  let s: f64 = 0;
  let i = start;
  for (; i + 1 < end; i += 2) {
    const xa = x + <usize>i * rowBytes;
    const xb = xa + rowBytes;
    const oi = (<usize>i) << 3;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      let pa = f64x2.splat(0);
      let pb = f64x2.splat(0);
      for (; j + 1 < d; j += 2) {
        const o = (<usize>j) << 3;
        const cv = v128.load(xc + o);
        const ta = f64x2.sub(v128.load(xa + o), cv);
        const tb = f64x2.sub(v128.load(xb + o), cv);
        pa = f64x2.add(pa, f64x2.mul(ta, ta));
        pb = f64x2.add(pb, f64x2.mul(tb, tb));
      }
      let v = hsumPair(pa, pb);
      if (j < d) {
        const o = (<usize>j) << 3;
        const t0 = f64x2.sub(lastPair(xa, xb, o), v128.load64_splat(xc + o));
        v = f64x2.add(v, f64x2.mul(t0, t0));
      }
      v = f64x2.pmin(v128.load(closest + oi), v);
      v128.store(out + oi, v);
      s += f64x2.extract_lane(v, 0);
      s += f64x2.extract_lane(v, 1);
    } else {
      let da: f64 = 0;
      let db: f64 = 0;
      for (; j < d; j++) {
        const o = (<usize>j) << 3;
        const cv = load<f64>(xc + o);
        const ta = load<f64>(xa + o) - cv;
        const tb = load<f64>(xb + o) - cv;
        da += ta * ta;
        db += tb * tb;
      }
      da = min(load<f64>(closest + oi), da);
      db = min(load<f64>(closest + oi, 8), db);
      store<f64>(out + oi, da);
      store<f64>(out + oi, db, 8);
      s += da;
      s += db;
    }
  }
  if (i < end) {
    const oi = (<usize>i) << 3;
    const di = min(load<f64>(closest + oi), sqDist(x + <usize>i * rowBytes, xc, d));
    store<f64>(out + oi, di);
    s += di;
  }
  store<f64>(slot + ((<usize>c) << 3), s);
}

/**
 * Candidates c … c + 3 of seedPotentialChunk on rows [start, end), in one pass: every distance is
 * formed exactly as seedPotentialOne forms it, so the results do not depend on the grouping.
 */
// @ts-ignore: decorator
@inline
function seedPotentialFour(
  x: usize, start: i32, end: i32, d: i32, cands: usize, c: i32, closest: usize, outs: usize, slot: usize,
): void {
  const rowBytes = (<usize>d) << 3;
  const cp = cands + ((<usize>c) << 2);
  const x0 = x + <usize>load<i32>(cp) * rowBytes;
  const x1 = x + <usize>load<i32>(cp, 4) * rowBytes;
  const x2 = x + <usize>load<i32>(cp, 8) * rowBytes;
  const x3 = x + <usize>load<i32>(cp, 12) * rowBytes;
  const op = outs + ((<usize>c) << 2);
  const out0 = <usize>load<i32>(op);
  const out1 = <usize>load<i32>(op, 4);
  const out2 = <usize>load<i32>(op, 8);
  const out3 = <usize>load<i32>(op, 12);
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = start;
  for (; i + 1 < end; i += 2) {
    const xa = x + <usize>i * rowBytes;
    const xb = xa + rowBytes;
    const oi = (<usize>i) << 3;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      let pa0 = f64x2.splat(0), pa1 = f64x2.splat(0), pa2 = f64x2.splat(0), pa3 = f64x2.splat(0);
      let pb0 = f64x2.splat(0), pb1 = f64x2.splat(0), pb2 = f64x2.splat(0), pb3 = f64x2.splat(0);
      for (; j + 1 < d; j += 2) {
        const o = (<usize>j) << 3;
        const va = v128.load(xa + o);
        const vb = v128.load(xb + o);
        let cv = v128.load(x0 + o);
        let ta = f64x2.sub(va, cv);
        let tb = f64x2.sub(vb, cv);
        pa0 = f64x2.add(pa0, f64x2.mul(ta, ta));
        pb0 = f64x2.add(pb0, f64x2.mul(tb, tb));
        cv = v128.load(x1 + o);
        ta = f64x2.sub(va, cv);
        tb = f64x2.sub(vb, cv);
        pa1 = f64x2.add(pa1, f64x2.mul(ta, ta));
        pb1 = f64x2.add(pb1, f64x2.mul(tb, tb));
        cv = v128.load(x2 + o);
        ta = f64x2.sub(va, cv);
        tb = f64x2.sub(vb, cv);
        pa2 = f64x2.add(pa2, f64x2.mul(ta, ta));
        pb2 = f64x2.add(pb2, f64x2.mul(tb, tb));
        cv = v128.load(x3 + o);
        ta = f64x2.sub(va, cv);
        tb = f64x2.sub(vb, cv);
        pa3 = f64x2.add(pa3, f64x2.mul(ta, ta));
        pb3 = f64x2.add(pb3, f64x2.mul(tb, tb));
      }
      let v0 = hsumPair(pa0, pb0);
      let v1 = hsumPair(pa1, pb1);
      let v2 = hsumPair(pa2, pb2);
      let v3 = hsumPair(pa3, pb3);
      if (j < d) {
        const o = (<usize>j) << 3;
        const last = lastPair(xa, xb, o);
        let t0 = f64x2.sub(last, v128.load64_splat(x0 + o));
        v0 = f64x2.add(v0, f64x2.mul(t0, t0));
        t0 = f64x2.sub(last, v128.load64_splat(x1 + o));
        v1 = f64x2.add(v1, f64x2.mul(t0, t0));
        t0 = f64x2.sub(last, v128.load64_splat(x2 + o));
        v2 = f64x2.add(v2, f64x2.mul(t0, t0));
        t0 = f64x2.sub(last, v128.load64_splat(x3 + o));
        v3 = f64x2.add(v3, f64x2.mul(t0, t0));
      }
      const cv = v128.load(closest + oi);
      v0 = f64x2.pmin(cv, v0);
      v1 = f64x2.pmin(cv, v1);
      v2 = f64x2.pmin(cv, v2);
      v3 = f64x2.pmin(cv, v3);
      v128.store(out0 + oi, v0);
      v128.store(out1 + oi, v1);
      v128.store(out2 + oi, v2);
      v128.store(out3 + oi, v3);
      s0 += f64x2.extract_lane(v0, 0);
      s0 += f64x2.extract_lane(v0, 1);
      s1 += f64x2.extract_lane(v1, 0);
      s1 += f64x2.extract_lane(v1, 1);
      s2 += f64x2.extract_lane(v2, 0);
      s2 += f64x2.extract_lane(v2, 1);
      s3 += f64x2.extract_lane(v3, 0);
      s3 += f64x2.extract_lane(v3, 1);
    } else {
      let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0;
      let b0: f64 = 0, b1: f64 = 0, b2: f64 = 0, b3: f64 = 0;
      for (; j < d; j++) {
        const o = (<usize>j) << 3;
        const va = load<f64>(xa + o);
        const vb = load<f64>(xb + o);
        let cv = load<f64>(x0 + o);
        let ta = va - cv;
        let tb = vb - cv;
        a0 += ta * ta;
        b0 += tb * tb;
        cv = load<f64>(x1 + o);
        ta = va - cv;
        tb = vb - cv;
        a1 += ta * ta;
        b1 += tb * tb;
        cv = load<f64>(x2 + o);
        ta = va - cv;
        tb = vb - cv;
        a2 += ta * ta;
        b2 += tb * tb;
        cv = load<f64>(x3 + o);
        ta = va - cv;
        tb = vb - cv;
        a3 += ta * ta;
        b3 += tb * tb;
      }
      const ca = load<f64>(closest + oi);
      const cb = load<f64>(closest + oi, 8);
      a0 = min(ca, a0);
      b0 = min(cb, b0);
      a1 = min(ca, a1);
      b1 = min(cb, b1);
      a2 = min(ca, a2);
      b2 = min(cb, b2);
      a3 = min(ca, a3);
      b3 = min(cb, b3);
      store<f64>(out0 + oi, a0);
      store<f64>(out0 + oi, b0, 8);
      store<f64>(out1 + oi, a1);
      store<f64>(out1 + oi, b1, 8);
      store<f64>(out2 + oi, a2);
      store<f64>(out2 + oi, b2, 8);
      store<f64>(out3 + oi, a3);
      store<f64>(out3 + oi, b3, 8);
      s0 += a0;
      s0 += b0;
      s1 += a1;
      s1 += b1;
      s2 += a2;
      s2 += b2;
      s3 += a3;
      s3 += b3;
    }
  }
  if (i < end) {
    const xi = x + <usize>i * rowBytes;
    const oi = (<usize>i) << 3;
    const ci = load<f64>(closest + oi);
    const d0 = min(ci, sqDist(xi, x0, d));
    const d1 = min(ci, sqDist(xi, x1, d));
    const d2 = min(ci, sqDist(xi, x2, d));
    const d3 = min(ci, sqDist(xi, x3, d));
    store<f64>(out0 + oi, d0);
    store<f64>(out1 + oi, d1);
    store<f64>(out2 + oi, d2);
    store<f64>(out3 + oi, d3);
    s0 += d0;
    s1 += d1;
    s2 += d2;
    s3 += d3;
  }
  const sp = slot + ((<usize>c) << 3);
  store<f64>(sp, s0);
  store<f64>(sp, s1, 8);
  store<f64>(sp, s2, 16);
  store<f64>(sp, s3, 24);
}

/**
 * k-means++ first centre (with closest = +∞) or any single update: closest[i] = min(closest[i],
 * ‖X[i] − X[cand]‖²), and pots[chunk] = the chunk's sum of the updated closest.
 */
export function seedUpdateChunk(
  x: usize, n: i32, d: i32, cand: i32, closest: usize, pots: usize, chunkRows: i32, chunk: i32,
): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  const xc = x + <usize>cand * rowBytes;
  let s: f64 = 0;
  let i = start;
  if (ASC_FEATURE_SIMD) {
    // Two rows at a time, each distance formed as sqDist forms it, the min and the store for both
    // rows in one vector each.
    for (; i + 1 < end; i += 2) {
      const xa = x + <usize>i * rowBytes;
      const xb = xa + rowBytes;
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
      let j = 0;
      for (; j + 3 < d; j += 4) {
        const o = (<usize>j) << 3;
        const c0 = v128.load(xc + o);
        const c1 = v128.load(xc + o, 16);
        const ta0 = f64x2.sub(v128.load(xa + o), c0);
        const ta1 = f64x2.sub(v128.load(xa + o, 16), c1);
        const tb0 = f64x2.sub(v128.load(xb + o), c0);
        const tb1 = f64x2.sub(v128.load(xb + o, 16), c1);
        a0 = f64x2.add(a0, f64x2.mul(ta0, ta0));
        a1 = f64x2.add(a1, f64x2.mul(ta1, ta1));
        b0 = f64x2.add(b0, f64x2.mul(tb0, tb0));
        b1 = f64x2.add(b1, f64x2.mul(tb1, tb1));
      }
      if (j + 1 < d) {
        const o = (<usize>j) << 3;
        const c0 = v128.load(xc + o);
        const ta0 = f64x2.sub(v128.load(xa + o), c0);
        const tb0 = f64x2.sub(v128.load(xb + o), c0);
        a0 = f64x2.add(a0, f64x2.mul(ta0, ta0));
        b0 = f64x2.add(b0, f64x2.mul(tb0, tb0));
        j += 2;
      }
      let v = hsumPair(f64x2.add(a0, a1), f64x2.add(b0, b1));
      if (j < d) {
        const o = (<usize>j) << 3;
        const t0 = f64x2.sub(lastPair(xa, xb, o), v128.load64_splat(xc + o));
        v = f64x2.add(v, f64x2.mul(t0, t0));
      }
      const p = closest + ((<usize>i) << 3);
      v = f64x2.pmin(v128.load(p), v);
      v128.store(p, v);
      s += f64x2.extract_lane(v, 0);
      s += f64x2.extract_lane(v, 1);
    }
  }
  for (; i < end; i++) {
    const p = closest + ((<usize>i) << 3);
    const dist = min(load<f64>(p), sqDist(x + <usize>i * rowBytes, xc, d));
    store<f64>(p, dist);
    s += dist;
  }
  store<f64>(pots + ((<usize>chunk) << 3), s);
}

/**
 * For ascending targets, out[j] = the first index i with cumsum(v)[i] ≥ targets[j] (numpy's
 * searchsorted, side 'left', over a sequential cumulative sum), clipped to n − 1. v ≥ 0.
 */
export function searchCumsum(v: usize, n: i32, targets: usize, t: i32, out: usize): void {
  let j = 0;
  let acc: f64 = 0;
  let i = 0;
  while (j < t && i < n) {
    const target = load<f64>(targets + ((<usize>j) << 3));
    // Whole blocks of four below the target: with v ≥ 0 the running sum never decreases, so a block
    // whose last sum is below the target holds no crossing. The same additions in the same order,
    // one comparison per block (k-means++ takes this walk only where searchCumsumChunks cannot decide).
    for (; i + 3 < n; i += 4) {
      const p = v + ((<usize>i) << 3);
      const s = acc + load<f64>(p) + load<f64>(p, 8) + load<f64>(p, 16) + load<f64>(p, 24);
      if (s >= target) break;
      acc = s;
    }
    for (; i < n; i++) {
      acc += load<f64>(v + ((<usize>i) << 3));
      if (acc >= target) break;
    }
    if (i == n) break;
    while (j < t && acc >= load<f64>(targets + ((<usize>j) << 3))) {
      store<i32>(out + ((<usize>j) << 2), i);
      j++;
    }
    i++;
  }
  for (; j < t; j++) store<i32>(out + ((<usize>j) << 2), n - 1);
}

/**
 * searchCumsum's answers without its serial walk over every row: v's sum within each chunk of
 * chunkRows rows is known from the pass that wrote v (sums[c·stride]), so a target's chunk is found
 * from the chunks' running sums and only that chunk's rows are walked. Those sums are added in
 * another order than the sequential cumulative sum, so they can differ from it — by at most
 * E = 4·(n + chunkRows)·2⁻⁵³·potential for non-negative v (each is within γ·Σv of the exact sum;
 * potential: Σv as merged). A row is accepted only when the running sum clears the target by E on
 * both sides of it, where the sequential sum must cross at the same row; otherwise (a target within
 * E of a partial sum: rarely) that target takes searchCumsum's walk.
 */
export function searchCumsumChunks(
  v: usize, n: i32, sums: usize, stride: i32, chunkRows: i32, potential: f64, targets: usize, t: i32, out: usize,
): void {
  const slack = 4.0 * <f64>(n + chunkRows) * reinterpret<f64>((<u64>(1023 - 53)) << 52) * potential + reinterpret<f64>((<u64>(1023 - 1000)) << 52);
  const chunks = (n + chunkRows - 1) / chunkRows;
  const sumStep = (<usize>stride) << 3;
  for (let j = 0; j < t; j++) {
    const target = load<f64>(targets + ((<usize>j) << 3));
    const at = out + ((<usize>j) << 2);
    // Skip the chunks whose end is surely below the target: then so is the sequential sum there.
    let c = 0;
    let base: f64 = 0;
    for (; c < chunks - 1; c++) {
      const next = base + load<f64>(sums + <usize>c * sumStep);
      if (!(next < target - slack)) break;
      base = next;
    }
    let i = c * chunkRows;
    let acc = base;
    let sure = slack < Infinity;
    for (; i < n; i++) {
      const prev = acc;
      acc += load<f64>(v + ((<usize>i) << 3));
      if (acc >= target + slack) {
        // The sequential sum is ≥ the target here; below it at the previous row unless prev is within slack.
        if (i > c * chunkRows && !(prev < target - slack)) sure = false;
        break;
      }
    }
    if (i == n && !(acc < target - slack)) sure = false;
    if (sure) store<i32>(at, min(i, n - 1));
    else searchCumsum(v, n, targets + ((<usize>j) << 3), 1, at);
  }
}

/** out[0..len) = Σ over chunks, in chunk order, of partials[chunk·len + 0..len). */
export function mergeChunks(partials: usize, nChunks: i32, len: i32, out: usize): void {
  const bytes = (<usize>len) << 3;
  memory.copy(out, partials, bytes);
  for (let c = 1; c < nChunks; c++) addRow(out, partials + <usize>c * bytes, len);
}

/**
 * Mean over the d columns of each column's population variance (two passes, as numpy's var):
 * scikit-learn's scale for the k-means tolerance. scratch: 2·d f64.
 */
export function meanColumnVariance(x: usize, n: i32, d: i32, scratch: usize): f64 {
  const mean = scratch;
  const sq = scratch + ((<usize>d) << 3);
  zeroF64(scratch, 2 * d);
  const rowBytes = (<usize>d) << 3;
  for (let i = 0; i < n; i++) addRow(mean, x + <usize>i * rowBytes, d);
  for (let f = 0; f < d; f++) {
    const p = mean + ((<usize>f) << 3);
    store<f64>(p, load<f64>(p) / <f64>n);
  }
  for (let i = 0; i < n; i++) {
    const xi = x + <usize>i * rowBytes;
    for (let f = 0; f < d; f++) {
      const o = (<usize>f) << 3;
      const t = load<f64>(xi + o) - load<f64>(mean + o);
      store<f64>(sq + o, load<f64>(sq + o) + t * t);
    }
  }
  let total: f64 = 0;
  for (let f = 0; f < d; f++) total += load<f64>(sq + ((<usize>f) << 3)) / <f64>n;
  return total / <f64>d;
}

/**
 * What a Lloyd run does between two assignment passes from the centres at `cur`: merge the chunks'
 * sums and counts in chunk order (into next and weights), relocate empty clusters, average, and
 * record each centre's shift and its distance to the nearest other centre for the next pass's
 * bounds (shifts: 2k + 1 f64). Writes the number of labels that changed to info[0] and returns the
 * total squared shift. Shared by lloydRun and the thread pool's loop in src/engine/kmeans.ts, so
 * both take the same steps.
 */
export function lloydUpdate(
  x: usize, n: i32, d: i32, k: i32, cur: usize, next: usize, labels: usize, sums: usize, counts: usize,
  changed: usize, weights: usize, scratch: usize, shifts: usize, chunks: i32, info: usize,
): f64 {
  mergeChunks(sums, chunks, k * d, next);
  mergeChunks(counts, chunks, k, weights);
  let nChanged = 0;
  for (let c = 0; c < chunks; c++) nChanged += load<i32>(changed + ((<usize>c) << 2));
  const shift = updateCentres(x, n, d, k, cur, labels, next, weights, scratch, shifts);
  store<f64>(info, <f64>nChanged);
  return shift;
}

/**
 * A whole Lloyd run on the calling thread, for inputs too small to share out: the same chunk-order
 * merges as the orchestrated loop in src/engine/kmeans.ts, so the same bits, with no call back to
 * JavaScript between iterations. Starts from the centres at `a` (labels are reset here); `b` is the
 * second centre buffer. Passes after the first skip the rows whose distance bounds settle their
 * label (lloydChunkBounded; bounds: 2·n f64, shifts: 2·k + 1 f64, ct: see pairCentres). Stops on
 * unchanged labels or a total squared centre shift ≤ tolerance, then assigns once more unless the
 * labels were already final. Writes the inertia and the iteration count to info[0], info[1] and
 * returns the buffer (a or b)
 * holding the final centres.
 */
export function lloydRun(
  x: usize, n: i32, d: i32, k: i32, a: usize, b: usize, cNorms: usize, xNorms: usize, normsKnown: i32,
  labels: usize, sums: usize, counts: usize, changed: usize, weights: usize, partial: usize, scratch: usize,
  bounds: usize, shifts: usize, ct: usize, maxIter: i32, tolerance: f64, chunkRows: i32, chunks: i32, info: usize,
): usize {
  const upper = bounds;
  const lower = bounds + ((<usize>n) << 3);
  let cur = a;
  let next = b;
  memory.fill(labels, 0xff, (<usize>n) << 2);
  let strict = false;
  let iter = 0;
  let known = normsKnown;
  for (; iter < maxIter; iter++) {
    rowSqNormsChunk(cur, k, d, cNorms, k, 0);
    pairCentres(cur, cNorms, k, d, ct);
    const valid = iter > 0 ? 1 : 0;
    for (let c = 0; c < chunks; c++) {
      lloydChunkBounded(x, n, d, cur, cNorms, k, xNorms, known, labels, sums, counts, changed, 1, upper, lower, shifts, valid, ct, chunkRows, c);
    }
    known = 1;
    const shift = lloydUpdate(x, n, d, k, cur, next, labels, sums, counts, changed, weights, scratch, shifts, chunks, info);
    const nChanged = load<f64>(info);
    const t = cur;
    cur = next;
    next = t;
    if (nChanged == 0) {
      strict = true;
      break;
    }
    if (shift <= tolerance) break;
  }
  const nIter = min(iter + 1, maxIter);
  if (!strict) {
    rowSqNormsChunk(cur, k, d, cNorms, k, 0);
    pairCentres(cur, cNorms, k, d, ct);
    for (let c = 0; c < chunks; c++) {
      lloydChunkBounded(x, n, d, cur, cNorms, k, xNorms, known, labels, sums, counts, changed, 0, upper, lower, shifts, 1, ct, chunkRows, c);
    }
  }
  for (let c = 0; c < chunks; c++) inertiaChunk(x, n, d, cur, labels, partial, chunkRows, c);
  mergeChunks(partial, chunks, 1, info);
  store<f64>(info, <f64>nIter, 8);
  return cur;
}

/**
 * lloydChunk with distance bounds (Hamerly's): upper[i] ≥ ‖X[i] − c_label‖ and lower[i] ≤ the
 * distance to every other centre, carried from pass to pass by the centres' shifts (shifts: k
 * distances, then their maximum, then each centre's distance to its nearest other centre). A row whose bounds are further apart than four times the score
 * margin keeps its label without any distance, which is the label the full scoring would give it
 * (it would decide on scores with the same winner); every other row is scored as in lloydChunk and
 * its bounds reset, to nothing usable where the exact fallback decided. Sums and counts are
 * accumulated row by row in row order, so they are the same bits as lloydChunk's. boundsValid = 0
 * scores every row, two at a time (the first pass of a run). ct: the centres as pairCentres lays them out.
 */
export function lloydChunkBounded(
  x: usize, n: i32, d: i32, centers: usize, cNorms: usize, k: i32, xNorms: usize, normsKnown: i32,
  labels: usize, sums: usize, counts: usize, changed: usize, update: i32,
  upper: usize, lower: usize, shifts: usize, boundsValid: i32, ct: usize, chunkRows: i32, chunk: i32,
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
  const maxShift = load<f64>(shifts + ((<usize>k) << 3));
  let nChanged = 0;
  let i = start;
  if (ASC_FEATURE_SIMD && !boundsValid) {
    // A run's first pass scores every row: two at a time, as lloydChunk does (the same scores).
    for (; i + 1 < end; i += 2) {
      const xa = x + <usize>i * rowBytes;
      const xb = xa + rowBytes;
      const bestA = scoreTwoRows(xa, xb, d, k, ct);
      const xnA = rowNorm(xa, i, xNorms, normsKnown, d);
      const xnB = rowNorm(xb, i + 1, xNorms, normsKnown, d);
      const marginA = errScale * (2.0 * cMax + xnA);
      const marginB = errScale * (2.0 * cMax + xnB);
      nChanged += placeScored(xa, i, bestA, scoreFirst, scoreSecond, xnA, marginA, k, d, centers, labels, upper, lower, update, sumSlot, countSlot);
      nChanged += placeScored(xb, i + 1, scoreBestB, scoreFirstB, scoreSecondB, xnB, marginB, k, d, centers, labels, upper, lower, update, sumSlot, countSlot);
    }
  }
  for (; i < end; i++) {
    const xi = x + <usize>i * rowBytes;
    const oi = (<usize>i) << 3;
    const xn = rowNorm(xi, i, xNorms, normsKnown, d);
    const margin = errScale * (2.0 * cMax + xn);
    if (boundsValid) {
      const label = load<i32>(labels + ((<usize>i) << 2));
      let u = (load<f64>(upper + oi) + load<f64>(shifts + ((<usize>label) << 3)) * GROW) * GROW;
      let l = max(0.0, (load<f64>(lower + oi) - maxShift * GROW) * SHRINK);
      // Every other centre is at least ‖c − c_label‖ − u away (triangle inequality).
      const sep = load<f64>(shifts + ((<usize>(k + 1 + label)) << 3));
      l = max(l, (sep - u) * SHRINK);
      let settled = (l * l) * SHRINK - (u * u) * GROW > 4.0 * margin;
      if (!settled) {
        // The upper bound has drifted with the shifts: measure the label's own centre again.
        const own = load<f64>(cNorms + ((<usize>label) << 3)) - 2.0 * dot(xi, centers + <usize>label * rowBytes, d);
        u = Math.sqrt(max(0.0, own + xn + margin)) * GROW;
        l = max(l, (sep - u) * SHRINK);
        settled = (l * l) * SHRINK - (u * u) * GROW > 4.0 * margin;
      }
      store<f64>(upper + oi, u);
      store<f64>(lower + oi, l);
      if (settled) {
        if (update) {
          addRow(sumSlot + <usize>label * rowBytes, xi, d);
          const cp = countSlot + ((<usize>label) << 3);
          store<f64>(cp, load<f64>(cp) + 1.0);
        }
        continue;
      }
    }
    const best = scoreRow(xi, d, k, ct, centers, cNorms);
    nChanged += placeScored(xi, i, best, scoreFirst, scoreSecond, xn, margin, k, d, centers, labels, upper, lower, update, sumSlot, countSlot);
  }
  store<i32>(changed + ((<usize>chunk) << 2), nChanged);
}

/**
 * The centres as the assignment's scoring reads them (util/centre-scores.ts layoutCentres: pairs of
 * centres as f64x2, times −2, in blocks of four pairs, then the pairs' ‖c‖²), written once before a
 * pass so that threads only read it. ct: (P·d + P) · 16 bytes, P = ⌈k/2⌉.
 */
export function pairCentres(centers: usize, cNorms: usize, k: i32, d: i32, ct: usize): void {
  layoutCentres(centers, cNorms, k, d, ct);
}
