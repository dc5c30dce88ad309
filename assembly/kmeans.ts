// k-means kernels. Each does one pass over one chunk of rows (rows [chunk·chunkRows, …)) and
// writes that chunk's partial results into its own slot, so chunks can run on any thread in any
// order; the caller merges the slots in chunk order (mergeChunks), which keeps sums bit-identical
// for every thread count. Orchestration (tolerance, n_init, sharing passes out) lives in
// src/engine/kmeans.ts, as scikit-learn keeps it in _kmeans.py; the steps between two passes
// (merging, empty-cluster relocation, averaging: lloydUpdate) are here, so that a run on the pool
// and a run in one call (lloydRun) take the same ones.
import { addRow, nearestCentre, sqDist, zeroF64 } from "./util/rows";
import { averageAndShift, centreSeparation, relocateEmpty } from "./util/lloyd-steps";
import { chunkEnd, chunkStart, hsum } from "./simd";

// Squared distances are computed two ways here, on purpose. The Lloyd assignment ranks centres by
// the expansion score ‖c‖² − 2x·c (fast: one dot product per centre, norms computed once), falling
// back to the direct Σ(x − c)² of util/rows.ts sqDist near ties; inertia, the reported distances and
// the k-means++ potentials use sqDist throughout, because their values (not only their order) are
// results. Which formula each pass should use is a performance question; changing one changes
// results in the last bits.

// @ts-ignore: decorator
@inline
function dot(x: usize, c: usize, d: i32): f64 {
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

/** out[i] = ‖X[i]‖² for the chunk's rows. */
export function rowSqNormsChunk(x: usize, n: i32, d: i32, out: usize, chunkRows: i32, chunk: i32): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  for (let i = start; i < end; i++) {
    const xi = x + <usize>i * rowBytes;
    store<f64>(out + ((<usize>i) << 3), dot(xi, xi, d));
  }
}

/** ‖X[i]‖² (the row at xi): read from xNorms when known, else computed and stored there. */
// @ts-ignore: decorator
@inline
function rowNorm(xi: usize, i: i32, xNorms: usize, known: i32, d: i32): f64 {
  const p = xNorms + ((<usize>i) << 3);
  if (known) return load<f64>(p);
  const v = dot(xi, xi, d);
  store<f64>(p, v);
  return v;
}

/**
 * Finish row i: confirm its label (exactly, when the two best scores are within rounding of each
 * other), store it, and add the row to its centre's sums. Returns 1 if the label changed.
 */
// @ts-ignore: decorator
@inline
function settle(
  xi: usize, i: i32, best: i32, b1: f64, b2: f64, margin: f64, k: i32, d: i32, rowBytes: usize,
  centers: usize, labels: usize, update: i32, sumSlot: usize, countSlot: usize,
): i32 {
  if (k > 1 && !(b2 - b1 > margin)) best = nearestCentre(xi, centers, k, d, rowBytes);
  const li = labels + ((<usize>i) << 2);
  let changed = 0;
  if (load<i32>(li) != best) {
    changed = 1;
    store<i32>(li, best);
  }
  if (update) {
    addRow(sumSlot + <usize>best * rowBytes, xi, d);
    const cp = countSlot + ((<usize>best) << 3);
    store<f64>(cp, load<f64>(cp) + 1.0);
  }
  return changed;
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
      const bestB = scoreBest;
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

/** scoreTwoRows' results for its second row: the best centre, and its best two scores. */
let scoreBest: i32 = 0;
let scoreFirstB: f64 = 0;
let scoreSecondB: f64 = 0;

/** Merge scoreRow-style lanes (first, second, index) into the row's best centre, its score and the next. */
// @ts-ignore: decorator
@inline
function mergeLanes(first: v128, second: v128, index: v128): i32 {
  const e1 = f64x2.extract_lane(first, 0);
  const o1 = f64x2.extract_lane(first, 1);
  const e2 = f64x2.extract_lane(second, 0);
  const o2 = f64x2.extract_lane(second, 1);
  const ei = <i32>f64x2.extract_lane(index, 0);
  const oi = <i32>f64x2.extract_lane(index, 1);
  const odd = o1 < e1 || (o1 == e1 && oi < ei);
  mergedFirst = odd ? o1 : e1;
  mergedSecond = odd ? min(o2, e1) : min(e2, o1);
  return odd ? oi : ei;
}
let mergedFirst: f64 = 0;
let mergedSecond: f64 = 0;

/**
 * scoreRow for the rows at xa and xb at once (SIMD only): each centre pair's coordinates are loaded
 * once for both rows, and four pairs go together, so eight independent sums hide the add latency.
 * Row a's results as scoreRow's (returned, scoreFirst, scoreSecond), row b's in scoreBest,
 * scoreFirstB, scoreSecondB.
 */
// @ts-ignore: decorator
@inline
function scoreTwoRows(xa: usize, xb: usize, d: i32, k: i32, ct: usize): i32 {
  const pairs = (k + 1) >> 1;
  const pairBytes = (<usize>d) << 4;
  const norms = ct + <usize>pairs * pairBytes;
  let firstA = f64x2.splat(Infinity), secondA = f64x2.splat(Infinity), indexA = f64x2(0, 1);
  let firstB = f64x2.splat(Infinity), secondB = f64x2.splat(Infinity), indexB = f64x2(0, 1);
  let lane = f64x2(0, 1);
  const two = f64x2.splat(2);
  let sc = f64x2.splat(0);
  let lt = f64x2.splat(0);
  let p = 0;
  for (; p + 3 < pairs; p += 4) {
    const c0 = ct + <usize>p * pairBytes;
    const c1 = c0 + pairBytes;
    const c2 = c1 + pairBytes;
    const c3 = c2 + pairBytes;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
    for (let j = 0; j < d; j++) {
      const o = (<usize>j) << 3;
      const va = v128.load64_splat(xa + o);
      const vb = v128.load64_splat(xb + o);
      const oc = o << 1;
      let cv = v128.load(c0 + oc);
      a0 = f64x2.add(a0, f64x2.mul(va, cv));
      b0 = f64x2.add(b0, f64x2.mul(vb, cv));
      cv = v128.load(c1 + oc);
      a1 = f64x2.add(a1, f64x2.mul(va, cv));
      b1 = f64x2.add(b1, f64x2.mul(vb, cv));
      cv = v128.load(c2 + oc);
      a2 = f64x2.add(a2, f64x2.mul(va, cv));
      b2 = f64x2.add(b2, f64x2.mul(vb, cv));
      cv = v128.load(c3 + oc);
      a3 = f64x2.add(a3, f64x2.mul(va, cv));
      b3 = f64x2.add(b3, f64x2.mul(vb, cv));
    }
    const np = norms + ((<usize>p) << 4);
    let nv = v128.load(np);
    sc = f64x2.sub(nv, f64x2.add(a0, a0));
    lt = f64x2.lt(sc, firstA);
    secondA = v128.bitselect(firstA, f64x2.min(secondA, sc), lt);
    firstA = v128.bitselect(sc, firstA, lt);
    indexA = v128.bitselect(lane, indexA, lt);
    sc = f64x2.sub(nv, f64x2.add(b0, b0));
    lt = f64x2.lt(sc, firstB);
    secondB = v128.bitselect(firstB, f64x2.min(secondB, sc), lt);
    firstB = v128.bitselect(sc, firstB, lt);
    indexB = v128.bitselect(lane, indexB, lt);
    lane = f64x2.add(lane, two);
    nv = v128.load(np, 16);
    sc = f64x2.sub(nv, f64x2.add(a1, a1));
    lt = f64x2.lt(sc, firstA);
    secondA = v128.bitselect(firstA, f64x2.min(secondA, sc), lt);
    firstA = v128.bitselect(sc, firstA, lt);
    indexA = v128.bitselect(lane, indexA, lt);
    sc = f64x2.sub(nv, f64x2.add(b1, b1));
    lt = f64x2.lt(sc, firstB);
    secondB = v128.bitselect(firstB, f64x2.min(secondB, sc), lt);
    firstB = v128.bitselect(sc, firstB, lt);
    indexB = v128.bitselect(lane, indexB, lt);
    lane = f64x2.add(lane, two);
    nv = v128.load(np, 32);
    sc = f64x2.sub(nv, f64x2.add(a2, a2));
    lt = f64x2.lt(sc, firstA);
    secondA = v128.bitselect(firstA, f64x2.min(secondA, sc), lt);
    firstA = v128.bitselect(sc, firstA, lt);
    indexA = v128.bitselect(lane, indexA, lt);
    sc = f64x2.sub(nv, f64x2.add(b2, b2));
    lt = f64x2.lt(sc, firstB);
    secondB = v128.bitselect(firstB, f64x2.min(secondB, sc), lt);
    firstB = v128.bitselect(sc, firstB, lt);
    indexB = v128.bitselect(lane, indexB, lt);
    lane = f64x2.add(lane, two);
    nv = v128.load(np, 48);
    sc = f64x2.sub(nv, f64x2.add(a3, a3));
    lt = f64x2.lt(sc, firstA);
    secondA = v128.bitselect(firstA, f64x2.min(secondA, sc), lt);
    firstA = v128.bitselect(sc, firstA, lt);
    indexA = v128.bitselect(lane, indexA, lt);
    sc = f64x2.sub(nv, f64x2.add(b3, b3));
    lt = f64x2.lt(sc, firstB);
    secondB = v128.bitselect(firstB, f64x2.min(secondB, sc), lt);
    firstB = v128.bitselect(sc, firstB, lt);
    indexB = v128.bitselect(lane, indexB, lt);
    lane = f64x2.add(lane, two);
  }
  for (; p < pairs; p++) {
    const c0 = ct + <usize>p * pairBytes;
    // Even and odd columns apart: four independent sums for the two rows.
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
    let j = 0;
    for (; j + 1 < d; j += 2) {
      const o = (<usize>j) << 3;
      const oc = o << 1;
      const cv0 = v128.load(c0 + oc);
      const cv1 = v128.load(c0 + oc, 16);
      a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(xa + o), cv0));
      b0 = f64x2.add(b0, f64x2.mul(v128.load64_splat(xb + o), cv0));
      a1 = f64x2.add(a1, f64x2.mul(v128.load64_splat(xa + o, 8), cv1));
      b1 = f64x2.add(b1, f64x2.mul(v128.load64_splat(xb + o, 8), cv1));
    }
    if (j < d) {
      const o = (<usize>j) << 3;
      const cv0 = v128.load(c0 + (o << 1));
      a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(xa + o), cv0));
      b0 = f64x2.add(b0, f64x2.mul(v128.load64_splat(xb + o), cv0));
    }
    const nv = v128.load(norms + ((<usize>p) << 4));
    const accA = f64x2.add(a0, a1);
    const accB = f64x2.add(b0, b1);
    sc = f64x2.sub(nv, f64x2.add(accA, accA));
    lt = f64x2.lt(sc, firstA);
    secondA = v128.bitselect(firstA, f64x2.min(secondA, sc), lt);
    firstA = v128.bitselect(sc, firstA, lt);
    indexA = v128.bitselect(lane, indexA, lt);
    sc = f64x2.sub(nv, f64x2.add(accB, accB));
    lt = f64x2.lt(sc, firstB);
    secondB = v128.bitselect(firstB, f64x2.min(secondB, sc), lt);
    firstB = v128.bitselect(sc, firstB, lt);
    indexB = v128.bitselect(lane, indexB, lt);
    lane = f64x2.add(lane, two);
  }
  scoreBest = mergeLanes(firstB, secondB, indexB);
  scoreFirstB = mergedFirst;
  scoreSecondB = mergedSecond;
  const best = mergeLanes(firstA, secondA, indexA);
  scoreFirst = mergedFirst;
  scoreSecond = mergedSecond;
  return best;
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
    let j = 0;
    let da: f64 = 0;
    let db: f64 = 0;
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
      da = hsum(pa);
      db = hsum(pb);
    }
    for (; j < d; j++) {
      const o = (<usize>j) << 3;
      const cv = load<f64>(xc + o);
      const ta = load<f64>(xa + o) - cv;
      const tb = load<f64>(xb + o) - cv;
      da += ta * ta;
      db += tb * tb;
    }
    const oi = (<usize>i) << 3;
    da = min(load<f64>(closest + oi), da);
    db = min(load<f64>(closest + oi, 8), db);
    store<f64>(out + oi, da);
    store<f64>(out + oi, db, 8);
    s += da;
    s += db;
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
    let j = 0;
    let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0;
    let b0: f64 = 0, b1: f64 = 0, b2: f64 = 0, b3: f64 = 0;
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
      a0 = hsum(pa0);
      a1 = hsum(pa1);
      a2 = hsum(pa2);
      a3 = hsum(pa3);
      b0 = hsum(pb0);
      b1 = hsum(pb1);
      b2 = hsum(pb2);
      b3 = hsum(pb3);
    }
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
    const oi = (<usize>i) << 3;
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
  for (let i = start; i < end; i++) {
    const p = closest + ((<usize>i) << 3);
    const dist = min(load<f64>(p), sqDist(x + <usize>i * rowBytes, xc, d));
    store<f64>(p, dist);
    s += dist;
  }
  store<f64>(pots + ((<usize>chunk) << 3), s);
}

/**
 * For ascending targets, out[j] = the first index i with cumsum(v)[i] ≥ targets[j] (numpy's
 * searchsorted, side 'left', over a sequential cumulative sum), clipped to n − 1.
 */
export function searchCumsum(v: usize, n: i32, targets: usize, t: i32, out: usize): void {
  let j = 0;
  let acc: f64 = 0;
  for (let i = 0; i < n && j < t; i++) {
    acc += load<f64>(v + ((<usize>i) << 3));
    while (j < t && acc >= load<f64>(targets + ((<usize>j) << 3))) {
      store<i32>(out + ((<usize>j) << 2), i);
      j++;
    }
  }
  for (; j < t; j++) store<i32>(out + ((<usize>j) << 2), n - 1);
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
  relocateEmpty(x, n, d, k, cur, labels, next, weights, scratch);
  const shift = averageAndShift(next, cur, weights, k, d, shifts);
  centreSeparation(next, k, d, shifts + ((<usize>(k + 1)) << 3));
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

// Rounding allowance of the distance bounds below: far above the few ulps each update can lose.
const GROW: f64 = 1.0 + 1e-12;
const SHRINK: f64 = 1.0 - 1e-12;

/**
 * lloydChunk with distance bounds (Hamerly's): upper[i] ≥ ‖X[i] − c_label‖ and lower[i] ≤ the
 * distance to every other centre, carried from pass to pass by the centres' shifts (shifts: k
 * distances, then their maximum, then each centre's distance to its nearest other centre). A row whose bounds are further apart than four times the score
 * margin keeps its label without any distance, which is the label the full scoring would give it
 * (it would decide on scores with the same winner); every other row is scored as in lloydChunk and
 * its bounds reset, to nothing usable where the exact fallback decided. Sums and counts are
 * accumulated row by row in row order, so they are the same bits as lloydChunk's. boundsValid = 0
 * scores every row (the first pass of a run). ct: the centres as pairCentres lays them out.
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
  for (let i = start; i < end; i++) {
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
    let best = scoreRow(xi, d, k, ct, centers, cNorms);
    const b1 = scoreFirst;
    const b2 = scoreSecond;
    if (k > 1 && !(b2 - b1 > margin)) {
      best = nearestCentre(xi, centers, k, d, rowBytes);
      store<f64>(upper + oi, Infinity);
      store<f64>(lower + oi, 0.0);
    } else {
      // Scores are within margin / 4 of ‖x − c‖² − ‖x‖²: widen by a whole margin either way.
      store<f64>(upper + oi, Math.sqrt(max(0.0, b1 + xn + margin)) * GROW);
      store<f64>(lower + oi, k > 1 ? Math.sqrt(max(0.0, b2 + xn - margin)) * SHRINK : Infinity);
    }
    const li = labels + ((<usize>i) << 2);
    if (load<i32>(li) != best) {
      nChanged++;
      store<i32>(li, best);
    }
    if (update) {
      addRow(sumSlot + <usize>best * rowBytes, xi, d);
      const cp = countSlot + ((<usize>best) << 3);
      store<f64>(cp, load<f64>(cp) + 1.0);
    }
  }
  store<i32>(changed + ((<usize>chunk) << 2), nChanged);
}

/**
 * The centres two by two for scoreRow: pair p's coordinate j as one f64x2 (centres 2p, 2p + 1) at
 * ct + (p·d + j)·16, then the pairs' ‖c‖² as f64x2 from ct + P·d·16 (P = ⌈k/2⌉). An odd k's last
 * lane is a centre of zeros with ‖c‖² = +∞, which never ranks. ct: (P·d + P) · 16 bytes.
 */
export function pairCentres(centers: usize, cNorms: usize, k: i32, d: i32, ct: usize): void {
  const pairs = (k + 1) >> 1;
  const rowBytes = (<usize>d) << 3;
  const norms = ct + ((<usize>(pairs * d)) << 4);
  for (let p = 0; p < pairs; p++) {
    const c0 = centers + <usize>(2 * p) * rowBytes;
    const odd = 2 * p + 1 < k;
    const dst = ct + ((<usize>(p * d)) << 4);
    for (let j = 0; j < d; j++) {
      const o = (<usize>j) << 3;
      store<f64>(dst + (o << 1), load<f64>(c0 + o));
      store<f64>(dst + (o << 1), odd ? load<f64>(c0 + rowBytes + o) : 0.0, 8);
    }
    const np = norms + ((<usize>p) << 4);
    store<f64>(np, load<f64>(cNorms + ((<usize>(2 * p)) << 3)));
    store<f64>(np, odd ? load<f64>(cNorms + ((<usize>(2 * p + 1)) << 3)) : Infinity, 8);
  }
}

/** scoreRow's best and second-best scores. */
let scoreFirst: f64 = 0;
let scoreSecond: f64 = 0;

/**
 * The centre with the lowest score ‖c‖² − 2x·c for the row at xi (ties: the lowest index), its score
 * in scoreFirst and the next lowest in scoreSecond. With SIMD the two lanes score two centres at once
 * from pairCentres' layout and keep their own best two without branches; the lanes are merged at
 * the end. The scores differ from lloydChunk's only by rounding, within the margin that decides
 * when the exact differences take over.
 */
// @ts-ignore: decorator
@inline
function scoreRow(xi: usize, d: i32, k: i32, ct: usize, centers: usize, cNorms: usize): i32 {
  const rowBytes = (<usize>d) << 3;
  if (ASC_FEATURE_SIMD) {
    const pairs = (k + 1) >> 1;
    const norms = ct + ((<usize>(pairs * d)) << 4);
    let first = f64x2.splat(Infinity);
    let second = f64x2.splat(Infinity);
    let index = f64x2(0, 1);
    let lane = f64x2(0, 1);
    const two = f64x2.splat(2);
    let cp = ct;
    for (let p = 0; p < pairs; p++) {
      let acc0 = f64x2.splat(0);
      let acc1 = f64x2.splat(0);
      let j = 0;
      for (; j + 1 < d; j += 2) {
        const o = (<usize>j) << 3;
        acc0 = f64x2.add(acc0, f64x2.mul(v128.load64_splat(xi + o), v128.load(cp)));
        acc1 = f64x2.add(acc1, f64x2.mul(v128.load64_splat(xi + o, 8), v128.load(cp, 16)));
        cp += 32;
      }
      if (j < d) {
        acc0 = f64x2.add(acc0, f64x2.mul(v128.load64_splat(xi + ((<usize>j) << 3)), v128.load(cp)));
        cp += 16;
      }
      const acc = f64x2.add(acc0, acc1);
      const sc = f64x2.sub(v128.load(norms + ((<usize>p) << 4)), f64x2.add(acc, acc));
      const lt = f64x2.lt(sc, first);
      second = v128.bitselect(first, f64x2.min(second, sc), lt);
      first = v128.bitselect(sc, first, lt);
      index = v128.bitselect(lane, index, lt);
      lane = f64x2.add(lane, two);
    }
    const best = mergeLanes(first, second, index);
    scoreFirst = mergedFirst;
    scoreSecond = mergedSecond;
    return best;
  }
  let best = 0;
  let b1: f64 = Infinity;
  let b2: f64 = Infinity;
  for (let c = 0; c < k; c++) {
    const v = load<f64>(cNorms + ((<usize>c) << 3)) - 2.0 * dot(xi, centers + <usize>c * rowBytes, d);
    if (v < b1) { b2 = b1; b1 = v; best = c; } else if (v < b2) b2 = v;
  }
  scoreFirst = b1;
  scoreSecond = b2;
  return best;
}
