// Whole k-means runs for inputs too small to share a pass out: one call seeds a run (k-means++
// from draws the caller made, or centres it wrote) and takes it to convergence, with nothing in
// JavaScript between iterations. A batch of runs goes to the pool one run per chunk, each run in its
// own slot, so a run's result never depends on the thread that ran it.
//
// The bits are lloydRun's: a row's label is its nearest centre by util/rows sqDist (ties to the
// lowest index; util/short-rows writes it out for d ≤ 8, the same bits), which is what lloydChunk's
// scores settle on; the centre sums are added row by row within chunks of chunkRows rows and the
// chunks merged in chunk order; the steps between passes are util/lloyd-steps'. Only the way a
// label is found differs: exact distances, and per-centre distance bounds (Elkan's) kept relative
// to each centre's accumulated drift, so a row whose bounds settle its label costs a few loads and
// compares, and nothing is written for it. (Hamerly's single lower bound was measured slower even
// at k = 8, d = 6: it settles about as many rows, but each row it leaves costs every centre's
// distance where Elkan's leave one or two. A pass without bounds, two centres to a vector, was
// slower still: 1.2× the time at k = 3, 1.45× at k = 8.)
import { inertiaChunk, mergeChunks, searchCumsumChunks, seedPotentialChunk, seedUpdateChunk } from "./kmeans";
import { updateCentres } from "./util/lloyd-steps";
import { zeroF64 } from "./util/rows";
import { shortAddRow as addRow, shortSqDist as sqDist } from "./util/short-rows";

// @ts-ignore: decorator
@inline
function align16(bytes: usize): usize {
  return (bytes + 15) & ~(<usize>15);
}

/**
 * Lower bounds a row keeps: k rounded up to 4 or 8 up to 8 centres (the passes then test a row's
 * bounds in a fixed number of vectors, with the drifts held in registers), to even beyond (read two
 * by two). The padding's bounds are +∞.
 */
// @ts-ignore: decorator
@inline
function boundStride(k: i32): i32 {
  return k <= 4 ? 4 : k <= 8 ? 8 : (k + 1) & ~1;
}

/** Bytes of the slot's part the caller reads or writes: centres (two buffers), info, labels, draws. */
// @ts-ignore: decorator
@inline
function publicBytes(n: i32, d: i32, k: i32, trials: i32): usize {
  const kd = (<usize>(k * d)) << 3;
  return align16(kd) * 2 + 32 + align16((<usize>n) << 2) + align16((<usize>(1 + (k - 1) * trials)) << 3);
}

/**
 * Bytes of one run's slot for wholeRunChunk. A slot starts with what the caller reads or writes:
 * the two centre buffers (k×d f64 each, the first holding the initial centres unless the run seeds
 * itself), info (inertia, iterations, 0 or 1 for the buffer holding the final centres; 32 bytes),
 * the labels (n i32) and the k-means++ draws (1 + (k − 1)·trials f64: the first centre's row, then
 * each later centre's trials' uniform draws); the run's own buffers follow.
 */
export function wholeRunSlotBytes(n: i32, d: i32, k: i32, trials: i32, chunkRows: i32): f64 {
  const kp = boundStride(k);
  const chunks = (n + chunkRows - 1) / chunkRows;
  let bytes = publicBytes(n, d, k, trials);
  bytes += align16((<usize>chunks * <usize>(k * d)) << 3); // each chunk's sums
  bytes += align16((<usize>k) << 3) * 2; // counts, weights
  bytes += align16((<usize>kp) << 3); // drift
  bytes += align16((<usize>(2 * k + 1)) << 3); // shifts, separations
  bytes += align16((<usize>n) << 3); // upper bounds
  bytes += align16((<usize>min(n, chunkRows)) << 5); // one chunk's unsettled rows
  // The seeding's buffers and the Lloyd loop's lower bounds and relocation scratch share the rest.
  const lloyd = align16((<usize>n * <usize>kp) << 3) + align16((<usize>n) << 3);
  const seeding = seedingBytes(n, trials, chunks);
  // Whole cache lines: runs on different threads never write to one line.
  return <f64>((bytes + max(lloyd, seeding) + 63) & ~(<usize>63));
}

// @ts-ignore: decorator
@inline
function seedingBytes(n: i32, trials: i32, chunks: i32): usize {
  const t = <usize>trials;
  return align16((t + 1) * ((<usize>n) << 3)) + align16((<usize>chunks * t) << 3) + 4 * align16(t << 3);
}

/**
 * Run `chunk` of a batch of independent runs, in its slot at runs + chunk·slotBytes (see
 * wholeRunSlotBytes): with plusPlus ≠ 0, k-means++ from the slot's draws first (the steps of
 * src/engine/kmeans.ts seedPlusPlus, with `trials` local trials), else from the centres in the
 * slot's first buffer; then Lloyd's loop (lloydRun's stopping rules: unchanged labels, or a total
 * squared centre shift ≤ tolerance, then one more assignment unless the labels were final).
 */
export function wholeRunChunk(
  x: usize, n: i32, d: i32, k: i32, runs: usize, slotBytes: i32, plusPlus: i32, trials: i32, maxIter: i32, tolerance: f64,
  chunkRows: i32, chunk: i32,
): void {
  const kd = (<usize>(k * d)) << 3;
  const slot = runs + <usize>chunk * <usize>slotBytes;
  const a = slot;
  const b = a + align16(kd);
  const info = b + align16(kd);
  const labels = info + 32;
  const draws = labels + align16((<usize>n) << 2);
  const chunks = (n + chunkRows - 1) / chunkRows;
  let p = slot + publicBytes(n, d, k, trials);
  const partial = p;
  p += align16(<usize>chunks * kd);
  const counts = p;
  p += align16((<usize>k) << 3);
  const weights = p;
  p += align16((<usize>k) << 3);
  const drift = p;
  p += align16((<usize>boundStride(k)) << 3);
  const shifts = p;
  p += align16((<usize>(2 * k + 1)) << 3);
  const upper = p;
  p += align16((<usize>n) << 3);
  const open = p;
  p += align16((<usize>min(n, chunkRows)) << 5);
  const shared = p;
  if (plusPlus) seedPlusPlus(x, n, d, k, trials, draws, a, shared, chunkRows);
  const final = lloydWholeRun(x, n, d, k, a, b, labels, partial, counts, weights, drift, shifts, upper, open, shared, maxIter, tolerance, chunkRows, info);
  store<f64>(info, final == a ? 0.0 : 1.0, 16);
}

/**
 * k-means++ (scikit-learn's greedy variant) into `out`, the steps of seedPlusPlus in
 * src/engine/kmeans.ts with the same kernels: the first centre is row draws[0]; centre c's trials
 * draw draws[1 + (c − 1)·trials + t] × the current potential, the rows those land on are scored
 * (seedPotentialChunk) and the trial of lowest potential (the first of equals) wins.
 */
function seedPlusPlus(x: usize, n: i32, d: i32, k: i32, trials: i32, draws: usize, out: usize, area: usize, chunkRows: i32): void {
  const rowBytes = (<usize>d) << 3;
  const arrayBytes = (<usize>n) << 3;
  const chunks = (n + chunkRows - 1) / chunkRows;
  const t = <usize>trials;
  const pots = area + align16((t + 1) * arrayBytes);
  const merged = pots + align16((<usize>chunks * t) << 3);
  const targets = merged + align16(t << 3);
  const cands = targets + align16(t << 3);
  const outs = cands + align16(t << 3);
  const first = <i32>load<f64>(draws);
  memory.copy(out, x + <usize>first * rowBytes, rowBytes);
  // trials + 1 arrays of closest distances: the current one and one per trial; the winner's becomes current.
  let current = 0;
  let closest = area;
  for (let i = 0; i < n; i++) store<f64>(closest + ((<usize>i) << 3), Infinity);
  for (let c = 0; c < chunks; c++) seedUpdateChunk(x, n, d, first, closest, pots, chunkRows, c);
  mergeChunks(pots, chunks, 1, merged);
  let potential = load<f64>(merged);
  let sums = pots;
  let stride = 1;
  for (let c = 1; c < k; c++) {
    const row = draws + ((<usize>(1 + (c - 1) * trials)) << 3);
    for (let j = 0; j < trials; j++) store<f64>(targets + ((<usize>j) << 3), load<f64>(row + ((<usize>j) << 3)) * potential);
    searchCumsumChunks(closest, n, sums, stride, chunkRows, potential, targets, trials, cands);
    // Trial j writes the j-th array other than the current one.
    for (let j = 0, arr = 0; j < trials; j++, arr++) {
      if (arr == current) arr++;
      store<i32>(outs + ((<usize>j) << 2), <i32>(area + <usize>arr * arrayBytes));
    }
    for (let ch = 0; ch < chunks; ch++) seedPotentialChunk(x, n, d, cands, trials, closest, outs, pots, chunkRows, ch);
    mergeChunks(pots, chunks, trials, merged);
    let best = 0;
    for (let j = 1; j < trials; j++) if (load<f64>(merged + ((<usize>j) << 3)) < load<f64>(merged + ((<usize>best) << 3))) best = j;
    potential = load<f64>(merged + ((<usize>best) << 3));
    sums = pots + ((<usize>best) << 3);
    stride = trials;
    closest = <usize>load<i32>(outs + ((<usize>best) << 2));
    current = <i32>((closest - area) / arrayBytes);
    const chosen = load<i32>(cands + ((<usize>best) << 2));
    memory.copy(out + <usize>c * rowBytes, x + <usize>chosen * rowBytes, rowBytes);
  }
}

/**
 * A Lloyd run from the centres at `a` (`b`: the second buffer); labels are reset here. Bounds, per
 * row: upper[i] + drift[label] ≥ ‖X[i] − c_label‖, and for every other centre c,
 * lower[i·kp + c] − drift[c] ≤ ‖X[i] − c‖ (+∞ at the label's own place and in the padding, see boundStride),
 * where drift[c] only grows, by each pass's shift of centre c (rounded up). A row is settled (its
 * label cannot change) when twice its upper bound is below its centre's separation from the others,
 * or its upper bound below every lower bound; else its own distance is measured again, and if that
 * does not settle it either, the distances to the centres whose lower bounds it does not clear. The
 * first pass measures every distance. Returns the buffer holding the final centres; writes the
 * inertia and the iteration count to info[0], info[1].
 */
function lloydWholeRun(
  x: usize, n: i32, d: i32, k: i32, a: usize, b: usize, labels: usize, partial: usize, counts: usize, weights: usize,
  drift: usize, shifts: usize, upper: usize, open: usize, area: usize, maxIter: i32, tolerance: f64, chunkRows: i32, info: usize,
): usize {
  const kp = boundStride(k);
  const lower = area;
  const scratch = area + align16((<usize>n * <usize>kp) << 3);
  const sep = shifts + ((<usize>(k + 1)) << 3);
  // Rounding allowance: far above the relative error of sqDist, a square root and a few additions.
  const allow = max(1e-12, 16.0 * <f64>(d + 4) * f64.EPSILON);
  memory.fill(labels, 0xff, (<usize>n) << 2);
  zeroF64(drift, kp);
  zeroF64(counts, k);
  const chunks = (n + chunkRows - 1) / chunkRows;
  const kd = k * d;
  let slack: f64 = 0;
  let cur = a;
  let next = b;
  let strict = false;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    const nChanged = assignPass(x, n, d, k, cur, labels, partial, counts, drift, sep, upper, lower, open, iter > 0, true, allow, slack, chunkRows);
    // The chunks' sums merged in chunk order, as mergeChunks does; relocation then edits the merge.
    mergeChunks(partial, chunks, kd, next);
    memory.copy(weights, counts, (<usize>k) << 3);
    const shift = updateCentres(x, n, d, k, cur, labels, next, weights, scratch, shifts);
    let maxDrift: f64 = 0;
    for (let c = 0; c < k; c++) {
      const p = drift + ((<usize>c) << 3);
      const v = (load<f64>(p) + load<f64>(shifts + ((<usize>c) << 3)) * (1.0 + allow)) * (1.0 + allow);
      store<f64>(p, v);
      maxDrift = max(maxDrift, v);
    }
    // Bounds are sums and differences of values up to maxDrift: their rounding, absolutely.
    slack = maxDrift * allow;
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
  if (!strict) assignPass(x, n, d, k, cur, labels, partial, counts, drift, sep, upper, lower, open, true, false, allow, slack, chunkRows);
  // The inertia as lloydRun forms it; the chunks' sums are done with, so their room takes the chunks' inertias.
  for (let c = 0; c < chunks; c++) inertiaChunk(x, n, d, cur, labels, partial, chunkRows, c);
  mergeChunks(partial, chunks, 1, info);
  store<f64>(info, <f64>nIter, 8);
  return cur;
}

/**
 * One assignment pass from the centres at `centers`. With update, counts (k) follow the labels, and
 * each chunk's sums (partial: chunk·k·d) are those of its rows by label, added in row order from
 * zero, as lloydChunk forms them: a chunk in which no label changed keeps last pass's, which are
 * the same bits. `open`: room for min(n, chunkRows) × 32 bytes. Returns the number of labels that changed.
 * SIMD builds compile the pass for each d from 2 to 8 and k up to 4 or 8 (4 or 8 lower bounds a
 * row), with d and the bounds' stride constants: the row helpers' branches on d then go, and the
 * registers they held, and a row's bounds are found by a shift. (About a fifth of a pass's
 * instructions at d = 6, k = 8.)
 */
function assignPass(
  x: usize, n: i32, d: i32, k: i32, centers: usize, labels: usize, partial: usize, counts: usize,
  drift: usize, sep: usize, upper: usize, lower: usize, open: usize, valid: bool, update: bool, allow: f64, slack: f64,
  chunkRows: i32,
): i32 {
  if (ASC_FEATURE_SIMD && d >= 2 && d <= 8 && k <= 8) {
    if (d == 6) return assignPass6(x, n, d, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows);
    if (d == 2) return assignPass2(x, n, d, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows);
    if (d == 3) return assignPass3(x, n, d, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows);
    if (d == 4) return assignPass4(x, n, d, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows);
    if (d == 5) return assignPass5(x, n, d, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows);
    if (d == 7) return assignPass7(x, n, d, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows);
    return assignPass8(x, n, d, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows);
  }
  return passOf(x, n, d, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, boundStride(k));
}
function assignPass2(
  x: usize, n: i32, d: i32, k: i32, centers: usize, labels: usize, partial: usize, counts: usize,
  drift: usize, sep: usize, upper: usize, lower: usize, open: usize, valid: bool, update: bool, allow: f64, slack: f64,
  chunkRows: i32,
): i32 {
  return k <= 4
    ? passOf(x, n, 2, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 4)
    : passOf(x, n, 2, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 8);
}
function assignPass3(
  x: usize, n: i32, d: i32, k: i32, centers: usize, labels: usize, partial: usize, counts: usize,
  drift: usize, sep: usize, upper: usize, lower: usize, open: usize, valid: bool, update: bool, allow: f64, slack: f64,
  chunkRows: i32,
): i32 {
  return k <= 4
    ? passOf(x, n, 3, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 4)
    : passOf(x, n, 3, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 8);
}
function assignPass4(
  x: usize, n: i32, d: i32, k: i32, centers: usize, labels: usize, partial: usize, counts: usize,
  drift: usize, sep: usize, upper: usize, lower: usize, open: usize, valid: bool, update: bool, allow: f64, slack: f64,
  chunkRows: i32,
): i32 {
  return k <= 4
    ? passOf(x, n, 4, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 4)
    : passOf(x, n, 4, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 8);
}
function assignPass5(
  x: usize, n: i32, d: i32, k: i32, centers: usize, labels: usize, partial: usize, counts: usize,
  drift: usize, sep: usize, upper: usize, lower: usize, open: usize, valid: bool, update: bool, allow: f64, slack: f64,
  chunkRows: i32,
): i32 {
  return k <= 4
    ? passOf(x, n, 5, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 4)
    : passOf(x, n, 5, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 8);
}
function assignPass6(
  x: usize, n: i32, d: i32, k: i32, centers: usize, labels: usize, partial: usize, counts: usize,
  drift: usize, sep: usize, upper: usize, lower: usize, open: usize, valid: bool, update: bool, allow: f64, slack: f64,
  chunkRows: i32,
): i32 {
  return k <= 4
    ? passOf(x, n, 6, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 4)
    : passOf(x, n, 6, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 8);
}
function assignPass7(
  x: usize, n: i32, d: i32, k: i32, centers: usize, labels: usize, partial: usize, counts: usize,
  drift: usize, sep: usize, upper: usize, lower: usize, open: usize, valid: bool, update: bool, allow: f64, slack: f64,
  chunkRows: i32,
): i32 {
  return k <= 4
    ? passOf(x, n, 7, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 4)
    : passOf(x, n, 7, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 8);
}
function assignPass8(
  x: usize, n: i32, d: i32, k: i32, centers: usize, labels: usize, partial: usize, counts: usize,
  drift: usize, sep: usize, upper: usize, lower: usize, open: usize, valid: bool, update: bool, allow: f64, slack: f64,
  chunkRows: i32,
): i32 {
  return k <= 4
    ? passOf(x, n, 8, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 4)
    : passOf(x, n, 8, k, centers, labels, partial, counts, drift, sep, upper, lower, open, valid, update, allow, slack, chunkRows, 8);
}

/** assignPass's body, inlined where d and kp are constants. */
// @ts-ignore: decorator
@inline
function passOf(
  x: usize, n: i32, d: i32, k: i32, centers: usize, labels: usize, partial: usize, counts: usize,
  drift: usize, sep: usize, upper: usize, lower: usize, open: usize, valid: bool, update: bool, allow: f64, slack: f64,
  chunkRows: i32, kp: i32,
): i32 {
  const rowBytes = (<usize>d) << 3;
  const grow = 1.0 + allow;
  const shrink = 1.0 - allow;
  const kd = k * d;
  let nChanged = 0;
  for (let start = 0, chunk = 0; start < n; start += chunkRows, chunk++) {
    const end = min(start + chunkRows, n);
    let changed = 0;
    if (valid) {
      // The rows the bounds do not settle, listed without a branch per row: whether a row is
      // settled is as good as random, and a mispredicted branch costs more than the test.
      const count = ASC_FEATURE_SIMD && kp <= 8
        ? listUnsettledFew(labels, drift, sep, upper, lower, open, kp, start, end, grow, shrink, slack)
        : listUnsettled(labels, drift, sep, upper, lower, open, kp, start, end, grow, shrink, slack);
      // Their own distances, and the rows some other centre may still be nearer to, listed the
      // same way with their candidate masks (k ≤ 64; beyond, the masks are formed below).
      const masksAt = open + ((<usize>min(n, chunkRows)) << 2);
      const distsAt = masksAt + ((<usize>min(n, chunkRows)) << 3);
      const boundsAt = distsAt + ((<usize>min(n, chunkRows)) << 3);
      // The own distances first, then their square roots two at a time (one instruction for two),
      // kept at boundsAt[j] until the loop below, which writes bounds only at or before j, reads them.
      for (let j = 0; j < count; j++) {
        const i = load<i32>(open + ((<usize>j) << 2));
        const label = load<i32>(labels + ((<usize>i) << 2));
        store<f64>(distsAt + ((<usize>j) << 3), sqDist(x + <usize>i * rowBytes, centers + <usize>label * rowBytes, d));
      }
      let rooted = 0;
      if (ASC_FEATURE_SIMD) {
        for (; rooted + 1 < count; rooted += 2) {
          const q = (<usize>rooted) << 3;
          v128.store(boundsAt + q, f64x2.sqrt(v128.load(distsAt + q)));
        }
      }
      for (; rooted < count; rooted++) {
        const q = (<usize>rooted) << 3;
        store<f64>(boundsAt + q, Math.sqrt(load<f64>(distsAt + q)));
      }
      let near = 0;
      for (let j = 0; j < count; j++) {
        const i = load<i32>(open + ((<usize>j) << 2));
        const ui = upper + ((<usize>i) << 3);
        const label = load<i32>(labels + ((<usize>i) << 2));
        const own = load<f64>(drift + ((<usize>label) << 3));
        const ownDist = load<f64>(distsAt + ((<usize>j) << 3));
        const dist = load<f64>(boundsAt + ((<usize>j) << 3)) * grow;
        store<f64>(ui, dist - own);
        const u = dist * grow + slack;
        const li = lower + ((<usize>(i * kp)) << 3);
        const mask = ASC_FEATURE_SIMD && kp <= 8 ? candidatesFew(li, drift, kp, u) : kp <= 64 ? candidates(li, drift, 0, kp, u) : 1;
        const q = (<usize>near) << 3;
        store<i32>(open + ((<usize>near) << 2), i);
        store<u64>(masksAt + q, mask);
        store<f64>(distsAt + q, ownDist);
        store<f64>(boundsAt + q, u);
        near += <i32>!(2.0 * u < load<f64>(sep + ((<usize>label) << 3)) * shrink) & <i32>(mask != 0);
      }
      for (let j = 0; j < near; j++) {
        const i = load<i32>(open + ((<usize>j) << 2));
        const q = (<usize>j) << 3;
        const ownDist = load<f64>(distsAt + q);
        const u = load<f64>(boundsAt + q);
        const xi = x + <usize>i * rowBytes;
        const ui = upper + ((<usize>i) << 3);
        const li = lower + ((<usize>(i * kp)) << 3);
        const label = load<i32>(labels + ((<usize>i) << 2));
        // Only the centres whose lower bound does not clear u can be nearer (Elkan's filter); the
        // others are farther by more than any rounding, so the lowest index among the nearest is
        // the one nearestCentre would find.
        let best = label;
        let bestDist = ownDist;
        for (let base = 0; base < kp; base += 64) {
          let mask = kp <= 64 ? load<u64>(masksAt + q) : candidates(li, drift, base, min(kp, base + 64), u);
          while (mask) {
            const c = base + <i32>ctz(mask);
            mask &= mask - 1;
            const s = sqDist(xi, centers + <usize>c * rowBytes, d);
            store<f64>(li + ((<usize>c) << 3), Math.sqrt(s) * shrink + load<f64>(drift + ((<usize>c) << 3)));
            if (s < bestDist || (s == bestDist && c < best)) {
              bestDist = s;
              best = c;
            }
          }
        }
        if (best == label) continue;
        store<f64>(li + ((<usize>label) << 3), Math.sqrt(ownDist) * shrink + load<f64>(drift + ((<usize>label) << 3)));
        store<f64>(li + ((<usize>best) << 3), Infinity);
        store<f64>(ui, Math.sqrt(bestDist) * grow - load<f64>(drift + ((<usize>best) << 3)));
        relabel(labels, counts, i, label, best, update);
        changed++;
      }
    } else {
      for (let i = start; i < end; i++) {
        const xi = x + <usize>i * rowBytes;
        const li = lower + ((<usize>(i * kp)) << 3);
        let best = 0;
        let bestDist: f64 = Infinity;
        for (let c = 0; c < k; c++) {
          const s = sqDist(xi, centers + <usize>c * rowBytes, d);
          store<f64>(li + ((<usize>c) << 3), Math.sqrt(s) * shrink + load<f64>(drift + ((<usize>c) << 3)));
          if (s < bestDist) {
            bestDist = s;
            best = c;
          }
        }
        store<f64>(li + ((<usize>best) << 3), Infinity);
        for (let c = k; c < kp; c++) store<f64>(li + ((<usize>c) << 3), Infinity);
        store<f64>(upper + ((<usize>i) << 3), Math.sqrt(bestDist) * grow - load<f64>(drift + ((<usize>best) << 3)));
        const label = load<i32>(labels + ((<usize>i) << 2));
        if (best == label) continue;
        relabel(labels, counts, i, label, best, update);
        changed++;
      }
    }
    nChanged += changed;
    if (update && changed > 0) {
      const sums = partial + ((<usize>chunk * <usize>kd) << 3);
      zeroF64(sums, kd);
      for (let i = start; i < end; i++) {
        addRow(sums + <usize>load<i32>(labels + ((<usize>i) << 2)) * rowBytes, x + <usize>i * rowBytes, d);
      }
    }
  }
  return nChanged;
}

/**
 * The rows of [start, end) that their bounds do not settle, listed at `open` without a branch per
 * row (whether a row is settled is as good as random, and a mispredicted branch costs more than the
 * test); returns how many. A row is settled when twice its upper bound is below its centre's
 * separation, or its upper bound below every lower bound.
 */
// @ts-ignore: decorator
@inline
function listUnsettled(
  labels: usize, drift: usize, sep: usize, upper: usize, lower: usize, open: usize, kp: i32, start: i32, end: i32,
  grow: f64, shrink: f64, slack: f64,
): i32 {
  let count = 0;
  for (let i = start; i < end; i++) {
    const label = load<i32>(labels + ((<usize>i) << 2));
    const half = load<f64>(sep + ((<usize>label) << 3)) * shrink;
    const u = (load<f64>(upper + ((<usize>i) << 3)) + load<f64>(drift + ((<usize>label) << 3))) * grow + slack;
    store<i32>(open + ((<usize>count) << 2), i);
    count += <i32>!(2.0 * u < half) & <i32>nearerThan(lower + ((<usize>(i * kp)) << 3), drift, kp, u);
  }
  return count;
}

/** listUnsettled for 4 or 8 bounds a row (SIMD): the drifts stay in registers, each row's test is a fixed run of vector ops. */
// @ts-ignore: decorator
@inline
function listUnsettledFew(
  labels: usize, drift: usize, sep: usize, upper: usize, lower: usize, open: usize, kp: i32, start: i32, end: i32,
  grow: f64, shrink: f64, slack: f64,
): i32 {
  let count = 0;
  const d0 = v128.load(drift);
  const d1 = v128.load(drift, 16);
  const d2 = kp == 8 ? v128.load(drift, 32) : d0;
  const d3 = kp == 8 ? v128.load(drift, 48) : d1;
  for (let i = start; i < end; i++) {
    const label = load<i32>(labels + ((<usize>i) << 2));
    const half = load<f64>(sep + ((<usize>label) << 3)) * shrink;
    const u = (load<f64>(upper + ((<usize>i) << 3)) + load<f64>(drift + ((<usize>label) << 3))) * grow + slack;
    const uv = f64x2.splat(u);
    const li = lower + ((<usize>(i * kp)) << 3);
    let hit = v128.or(f64x2.le(f64x2.sub(v128.load(li), d0), uv), f64x2.le(f64x2.sub(v128.load(li, 16), d1), uv));
    if (kp == 8) hit = v128.or(hit, v128.or(f64x2.le(f64x2.sub(v128.load(li, 32), d2), uv), f64x2.le(f64x2.sub(v128.load(li, 48), d3), uv)));
    store<i32>(open + ((<usize>count) << 2), i);
    count += <i32>!(2.0 * u < half) & <i32>v128.any_true(hit);
  }
  return count;
}

/** candidates(li, drift, 0, kp, u) for 4 or 8 bounds a row (SIMD), in a fixed run of vector ops. */
// @ts-ignore: decorator
@inline
function candidatesFew(li: usize, drift: usize, kp: i32, u: f64): u64 {
  const uv = f64x2.splat(u);
  let mask = i64x2.bitmask(f64x2.le(f64x2.sub(v128.load(li), v128.load(drift)), uv));
  mask |= i64x2.bitmask(f64x2.le(f64x2.sub(v128.load(li, 16), v128.load(drift, 16)), uv)) << 2;
  if (kp == 8) {
    mask |= i64x2.bitmask(f64x2.le(f64x2.sub(v128.load(li, 32), v128.load(drift, 32)), uv)) << 4;
    mask |= i64x2.bitmask(f64x2.le(f64x2.sub(v128.load(li, 48), v128.load(drift, 48)), uv)) << 6;
  }
  return <u64>mask;
}

/** Row i moves from centre `from` (−1: none yet) to `to`; with update, the counts follow. */
// @ts-ignore: decorator
@inline
function relabel(labels: usize, counts: usize, i: i32, from: i32, to: i32, update: bool): void {
  store<i32>(labels + ((<usize>i) << 2), to);
  if (!update) return;
  if (from >= 0) {
    const p = counts + ((<usize>from) << 3);
    store<f64>(p, load<f64>(p) - 1.0);
  }
  const q = counts + ((<usize>to) << 3);
  store<f64>(q, load<f64>(q) + 1.0);
}

/** True when some lower bound of the row (lower[c] − drift[c], c < kp) is not above u. */
// @ts-ignore: decorator
@inline
function nearerThan(li: usize, drift: usize, kp: i32, u: f64): bool {
  if (ASC_FEATURE_SIMD) {
    const uv = f64x2.splat(u);
    let hit = v128.splat<i64>(0);
    let c = 0;
    // Four centres a step: half the loop's own work for k = 8.
    for (; c + 3 < kp; c += 4) {
      const o = (<usize>c) << 3;
      const a = f64x2.le(f64x2.sub(v128.load(li + o), v128.load(drift + o)), uv);
      const b = f64x2.le(f64x2.sub(v128.load(li + o, 16), v128.load(drift + o, 16)), uv);
      hit = v128.or(hit, v128.or(a, b));
    }
    if (c < kp) {
      const o = (<usize>c) << 3;
      hit = v128.or(hit, f64x2.le(f64x2.sub(v128.load(li + o), v128.load(drift + o)), uv));
    }
    return v128.any_true(hit);
  }
  for (let c = 0; c < kp; c++) {
    const o = (<usize>c) << 3;
    if (!(load<f64>(li + o) - load<f64>(drift + o) > u)) return true;
  }
  return false;
}

/**
 * Bit c − from set for each centre c in [from, to) (at most 64 of them, from even) whose lower
 * bound is not above u: the centres that may be nearer than u.
 */
// @ts-ignore: decorator
@inline
function candidates(li: usize, drift: usize, from: i32, to: i32, u: f64): u64 {
  let mask: u64 = 0;
  if (ASC_FEATURE_SIMD) {
    const uv = f64x2.splat(u);
    for (let c = from; c < to; c += 2) {
      const o = (<usize>c) << 3;
      const hit = f64x2.le(f64x2.sub(v128.load(li + o), v128.load(drift + o)), uv);
      mask |= (<u64>i64x2.bitmask(hit)) << (<u64>(c - from));
    }
    return mask;
  }
  for (let c = from; c < to; c++) {
    const o = (<usize>c) << 3;
    if (!(load<f64>(li + o) - load<f64>(drift + o) > u)) mask |= (<u64>1) << (<u64>(c - from));
  }
  return mask;
}
