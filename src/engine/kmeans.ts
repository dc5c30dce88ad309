/**
 * k-means with scikit-learn 1.2's Lloyd semantics (sklearn/cluster/_kmeans.py): tolerance
 * tol × mean per-column variance; stop on unchanged labels (strict convergence) or on a total
 * squared centre shift ≤ tolerance, then one more assignment so labels match the final centres;
 * empty clusters take the points farthest from their centres; k-means++ with 2 + ⌊ln k⌋ local
 * trials; n_init runs keep the lowest inertia (an equal clustering does not replace an earlier one).
 * Differences: the random stream is custseg's Rng (run r uses Rng.derive(seed, r)), and X is not
 * centred first — distances come from coordinate differences, which need no centring for precision.
 * The WASM kernels do the passes over X; this file holds the orchestration.
 */
import { CHUNK_ROWS, chunkCount, type EngineContext, forEachChunk, type ResidentMatrix } from "./context.js";
import type { Matrix } from "./matrix.js";
import { Rng } from "./rng.js";
import { drain, type Steps } from "./steps.js";
import type { ChunkArgs, ChunkedKernel, RowChunkArgs } from "./kernels.js";
import { ArgumentError, checkFinite, checkFiniteResident, checkK, checkPositiveInt } from "./validate.js";
import { KMEANS_DEFAULTS, KMEANS_LIMITS } from "./kmeans-options.js";

export { KMEANS_DEFAULTS, KMEANS_LIMITS };

export type KMeansInit = "k-means++" | "random" | Matrix;

export interface KMeansOptions {
  k: number;
  /** 'k-means++' (default), 'random' (k distinct rows), or the k×d initial centres (one run). */
  init?: KMeansInit;
  /** Runs with different seeds (default 10); forced to 1 with given centres, as scikit-learn does. */
  nInit?: number;
  maxIter?: number;
  tol?: number;
  seed?: number;
  /**
   * Index of the first run (default 0): run r draws from Rng.derive(seed, firstRun + r), so one run
   * of a larger nInit can be fitted alone, bit-identical to its place in the loop (tune reuses it).
   */
  firstRun?: number;
  /** Cap on the threads this call uses (default: all of the engine's). */
  threads?: number;
}

export interface KMeansResult {
  k: number;
  /** Cluster index of every row. */
  labels: Int32Array;
  /** k×d row-major centres. */
  centers: Float64Array;
  /** Sum of squared distances of the rows to their centres. */
  inertia: number;
  /** Lloyd iterations of the kept run. */
  nIter: number;
}

/** Buffers of one fit, allocated once in the arena and reused by every run. */
interface Work {
  ctx: EngineContext;
  threads: number;
  x: number;
  n: number;
  d: number;
  k: number;
  chunks: number;
  centers: number;
  next: number;
  labels: number;
  /** ‖c‖² per centre, for the assignment's ranking (see lloydChunk). */
  cNorms: number;
  /** ‖X[i]‖² per row, for the assignment's rounding margin; stored by the first assignment. */
  xNorms: number;
  xNormsKnown: boolean;
  sums: number;
  counts: number;
  changed: number;
  weights: number;
  partial: number;
  merged: number;
  /** k-means++: trials + 1 arrays of n closest distances (the current one and one per trial). */
  closest: number;
  /** k-means++: the trials' output arrays, as i32 pointers. */
  outs: number;
  cands: number;
  targets: number;
  scratch: number;
  /** lloydRun's results (inertia, iterations); lloydUpdate's count of changed labels. */
  info: number;
  /** A Lloyd run's distance bounds (upper, lower: n each), centre shifts and separations (2k + 1). */
  bounds: number;
  shifts: number;
  /** The centres two by two for the assignment's scoring (see pairCentres). */
  pairs: number;
  /** X in float32 for the pre-filter of the assignment, when the caller has one. */
  single?: SingleCopy;
  /** The centres as the float32 ranking reads them (layoutSingleCentres). */
  singleCentres: number;
  /** Per chunk: the rows the float32 ranking left to float64. */
  fallbacks: number;
}

/**
 * X in float32 for the assignment's pre-filter (assembly/kmeans-single.ts): four rows to a vector,
 * the rows padded to a multiple of 8, and each row's ‖x‖. Made once (a pass of its own over X) by a
 * caller that assigns the same X many times, as a fit would; the counters say how many rows the
 * float32 ranking left to the exact float64 code.
 */
export interface SingleCopy {
  readonly ptr: number;
  readonly norms: number;
  readonly rows: number;
  readonly cols: number;
  /** Rows ranked by the assignment, and how many of them the float64 code decided. */
  rowsRanked: number;
  fallbacks: number;
  /** Give the copy's memory back. */
  free(): void;
}

/**
 * The float32 copy of x, or undefined where the build has no SIMD (the float64 kernels then do
 * everything). Kept until freed, like an uploaded matrix (no scratch memory may be in use).
 */
export function singleCopy(ctx: EngineContext, x: ResidentMatrix): SingleCopy | undefined {
  if (!ctx.kernels.singleFilterAvailable()) return undefined;
  return fillSingleCopy(ctx, x, ctx.arena.allocResident(singleCopyBytes(x)));
}

/** singleCopy in scratch memory, released with the caller's arena mark (a fit's own copy). */
function scratchSingleCopy(ctx: EngineContext, x: ResidentMatrix): SingleCopy | undefined {
  if (!ctx.kernels.singleFilterAvailable()) return undefined;
  return fillSingleCopy(ctx, x, { ptr: ctx.arena.alloc(singleCopyBytes(x)), free: () => {} });
}

function singleCopyBytes(x: ResidentMatrix): number {
  const padded = Math.ceil(x.rows / 8) * 8;
  return padded * x.cols * 4 + padded * 4;
}

function fillSingleCopy(ctx: EngineContext, x: ResidentMatrix, block: { ptr: number; free: () => void }): SingleCopy {
  const padded = Math.ceil(x.rows / 8) * 8;
  const norms = block.ptr + padded * x.cols * 4;
  forEachChunk(ctx, "singleCopyChunk", [x.ptr, x.rows, x.cols, block.ptr, norms, CHUNK_ROWS], chunkCount(x.rows));
  return { ptr: block.ptr, norms, rows: x.rows, cols: x.cols, rowsRanked: 0, fallbacks: 0, free: block.free };
}

/** The sum of the per-chunk counts at w.fallbacks. */
function fallbackTotal(w: Work): number {
  let total = 0;
  for (const v of w.ctx.arena.i32(w.fallbacks, w.chunks)) total += v;
  return total;
}

/**
 * Below this many multiply-adds per pass (n·k·d), waking the workers costs more than it saves, so
 * the pass runs on the calling thread. Speed only: results do not depend on the thread count.
 */
const PARALLEL_MIN_WORK = 1 << 19;

function allocWork(ctx: EngineContext, x: ResidentMatrix, k: number, threads: number, single?: SingleCopy): Work {
  const { arena } = ctx;
  const n = x.rows;
  const d = x.cols;
  if (n * k * d < PARALLEL_MIN_WORK) threads = 1;
  const chunks = chunkCount(n);
  const trials = localTrials(k);
  return {
    ctx,
    threads,
    x: x.ptr,
    n,
    d,
    k,
    chunks,
    centers: arena.alloc(k * d * 8),
    next: arena.alloc(k * d * 8),
    labels: arena.alloc(n * 4),
    cNorms: arena.alloc(k * 8),
    xNorms: arena.alloc(n * 8),
    xNormsKnown: false,
    sums: arena.alloc(chunks * k * d * 8),
    counts: arena.alloc(chunks * k * 8),
    changed: arena.alloc(chunks * 4),
    weights: arena.alloc(k * 8),
    partial: arena.alloc(chunks * trials * 8),
    merged: arena.alloc(trials * 8),
    closest: arena.alloc((trials + 1) * n * 8),
    outs: arena.alloc(trials * 4),
    cands: arena.alloc(trials * 4),
    targets: arena.alloc(trials * 8),
    scratch: arena.alloc(n * 8),
    info: arena.alloc(2 * 8),
    bounds: arena.alloc(2 * n * 8),
    shifts: arena.alloc((2 * k + 1) * 8),
    pairs: arena.alloc(((k + 1) >> 1) * (d + 1) * 16),
    single,
    singleCentres: arena.alloc((Math.ceil(k / 4) * (d + 1) + 1) * 16),
    fallbacks: arena.alloc(chunks * 4),
  };
}

/** scikit-learn's number of local k-means++ trials. */
export function localTrials(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

function run<K extends ChunkedKernel>(w: Work, kernel: K, args: RowChunkArgs<K>): void {
  forEachChunk(w.ctx, kernel, [...args, CHUNK_ROWS] as ChunkArgs<K>, w.chunks, w.threads);
}

/** One assignment pass over X with the centres at `centers` (and, with update, the chunk sums). */
function assign(w: Work, centers: number, update: boolean): void {
  const { x, n, d, k, xNorms } = w;
  w.ctx.kernels.rowSqNormsChunk(centers, k, d, w.cNorms, k, 0);
  // Once per pass, not per chunk: the threads then only read the paired centres.
  w.ctx.kernels.pairCentres(centers, w.cNorms, k, d, w.pairs);
  const normsKnown = w.xNormsKnown ? 1 : 0;
  const { single } = w;
  if (single) {
    // Rows the float32 ranking decides never read ‖X[i]‖², so the pass leaves some unstored.
    w.ctx.kernels.layoutSingleCentres(centers, w.cNorms, k, d, w.singleCentres);
    const args = [x, n, d, centers, w.cNorms, k, xNorms, normsKnown, w.labels, w.sums, w.counts, w.changed, update ? 1 : 0, w.pairs] as const;
    run(w, "lloydChunkSingle", [...args, single.ptr, single.norms, w.singleCentres, w.fallbacks]);
    single.rowsRanked += n;
    single.fallbacks += fallbackTotal(w);
    return;
  }
  run(w, "lloydChunk", [x, n, d, centers, w.cNorms, k, xNorms, normsKnown, w.labels, w.sums, w.counts, w.changed, update ? 1 : 0, w.pairs]);
  w.xNormsKnown = true;
}

export function kmeans(ctx: EngineContext, x: ResidentMatrix, options: KMeansOptions): KMeansResult {
  return drain(kmeansSteps(ctx, x, options));
}

/** The k-means fit, yielding between Lloyd iterations and k-means++ centres (see steps.ts). */
export function* kmeansSteps(ctx: EngineContext, x: ResidentMatrix, options: KMeansOptions): Steps<KMeansResult> {
  const { k } = options;
  const init = options.init ?? KMEANS_DEFAULTS.init;
  const maxIter = options.maxIter ?? KMEANS_DEFAULTS.maxIter;
  const tol = options.tol ?? KMEANS_DEFAULTS.tol;
  const seed = options.seed ?? KMEANS_DEFAULTS.seed;
  const given = typeof init === "object";
  const nInit = given ? 1 : (options.nInit ?? KMEANS_DEFAULTS.nInit);
  const firstRun = options.firstRun ?? 0;
  checkK(k, x.rows);
  checkPositiveInt(maxIter, "maxIter", KMEANS_LIMITS.maxIter);
  checkPositiveInt(nInit, "nInit", KMEANS_LIMITS.nInit);
  if (!Number.isInteger(firstRun) || firstRun < 0) throw new RangeError(`firstRun must be a whole number ≥ 0, got ${firstRun}`);
  if (!(tol >= 0)) throw new RangeError(`tol must be ≥ 0, got ${tol}`);
  if (typeof init === "string" && init !== "k-means++" && init !== "random") {
    throw new RangeError(`init must be 'k-means++', 'random' or a k×d matrix of centres, got '${init}'`);
  }
  if (given) {
    if (init.rows !== k || init.cols !== x.cols) {
      throw new ArgumentError(`the initial centres are ${init.rows} × ${init.cols}, expected k × d = ${k} × ${x.cols}`, "init");
    }
    checkFinite(init.data, init.cols, "initial centres", "init");
  }
  checkFiniteResident(ctx, x);

  const { arena } = ctx;
  const mark = arena.mark();
  try {
    const threads = Math.min(options.threads ?? ctx.threads, ctx.threads);
    const tolerance = tol * ctx.kernels.meanColumnVariance(x.ptr, x.rows, x.cols, arena.alloc(2 * x.cols * 8));
    const bestLabels = arena.alloc(x.rows * 4);
    const bestCenters = arena.alloc(k * x.cols * 8);
    let best: { inertia: number; nIter: number } | undefined;
    /** Keep run r's result if it is the best so far (runs are offered in run order). */
    const offer = (result: { inertia: number; nIter: number }, labelsPtr: number, centersPtr: number) => {
      const labels = arena.i32(labelsPtr, x.rows);
      if (!best || (result.inertia < best.inertia && !sameClustering(labels, arena.i32(bestLabels, x.rows), k))) {
        best = { inertia: result.inertia, nIter: result.nIter };
        arena.i32(bestLabels, x.rows).set(labels);
        arena.f64(bestCenters, k * x.cols).set(arena.f64(centersPtr, k * x.cols));
      }
    };
    const rngOf = (r: number) => Rng.derive(seed, firstRun + r);
    if (x.rows * k * x.cols < PARALLEL_MIN_WORK) {
      // Too small to share a pass out: whole runs, each in one WASM call, the threads taking runs.
      const start: RunStart = given ? { kind: "given", centers: init.data } : init === "random" ? { kind: "random", rngOf } : { kind: "k-means++", rngOf };
      yield* wholeRuns(ctx, x, k, nInit, threads, maxIter, tolerance, start, offer);
    } else {
      const w = allocWork(ctx, x, k, threads);
      // Runs shared out over the pool rank their first pass in float32 (lloydChunkBoundedSingle):
      // the copy takes about half a pass and each run's first pass saves about that.
      if (w.threads > 1 && ctx.pool && nInit > 1) w.single = scratchSingleCopy(ctx, x);
      const initCenters = arena.alloc(k * x.cols * 8);
      for (let r = 0; r < nInit; r++) {
        if (given) arena.f64(initCenters, k * x.cols).set(init.data);
        else if (init === "random") seedRandom(w, rngOf(r), initCenters);
        else yield* seedPlusPlus(w, rngOf(r), initCenters);
        const result = yield* lloyd(w, initCenters, maxIter, tolerance);
        offer(result, w.labels, result.centers);
      }
    }
    return {
      k,
      labels: arena.i32(bestLabels, x.rows).slice(),
      centers: arena.f64(bestCenters, k * x.cols).slice(),
      inertia: best!.inertia,
      nIter: best!.nIter,
    };
  } finally {
    arena.release(mark);
  }
}

/** Where the runs of wholeRuns start: given centres, k random rows, or k-means++ (each run's stream from rngOf). */
type RunStart = { kind: "given"; centers: Float64Array } | { kind: "random" | "k-means++"; rngOf: (r: number) => Rng };

/**
 * The runs of a fit on an input too small to share a pass out, in batches: the calling thread writes
 * each run's start into its slot (the centres, or the k-means++ draws from the run's stream, in the
 * order seedPlusPlus takes them), then the batch's runs go to the pool as whole runs
 * (wholeRunChunk: seeding and Lloyd's loop in one call), and are offered in run order. A run's
 * result does not depend on the thread that ran it, so the fit is the one the runs give one after
 * another.
 */
function* wholeRuns(
  ctx: EngineContext,
  x: ResidentMatrix,
  k: number,
  nInit: number,
  threads: number,
  maxIter: number,
  tolerance: number,
  start: RunStart,
  offer: (result: { inertia: number; nIter: number }, labels: number, centers: number) => void,
): Steps<void> {
  const { arena, kernels } = ctx;
  const { rows: n, cols: d } = x;
  const trials = localTrials(k);
  const slotBytes = kernels.wholeRunSlotBytes(n, d, k, trials, CHUNK_ROWS);
  // Batches of about equal size: each batch keeps every thread busy while its slower runs finish,
  // ends a step (see steps.ts), and its slots stay within a bound on memory.
  const most = Math.max(1, Math.min(nInit, RUNS_PER_THREAD * threads, Math.floor(RUN_BATCH_BYTES / slotBytes)));
  const batch = Math.ceil(nInit / Math.ceil(nInit / most));
  const slots = arena.alloc(batch * slotBytes, 64);
  const xs = arena.f64(x.ptr, n * d);
  const aligned = (bytes: number) => Math.ceil(bytes / 16) * 16;
  const centresBytes = aligned(k * d * 8);
  const infoAt = 2 * centresBytes;
  const labelsAt = infoAt + 32;
  const drawsAt = labelsAt + aligned(n * 4);
  for (let first = 0; first < nInit; first += batch) {
    const count = Math.min(batch, nInit - first);
    for (let r = 0; r < count; r++) {
      const slot = slots + r * slotBytes;
      if (start.kind === "given") arena.f64(slot, k * d).set(start.centers);
      else if (start.kind === "random") {
        const centers = arena.f64(slot, k * d);
        randomRows(start.rngOf(first + r), n, k).forEach((row, c) => {
          centers.set(xs.subarray(row * d, row * d + d), c * d);
        });
      } else {
        const rng = start.rngOf(first + r);
        const draws = arena.f64(slot + drawsAt, 1 + (k - 1) * trials);
        draws[0] = rng.nextInt(n);
        for (let i = 1; i < draws.length; i++) draws[i] = rng.nextFloat();
      }
    }
    const plusPlus = start.kind === "k-means++" ? 1 : 0;
    forEachChunk(ctx, "wholeRunChunk", [x.ptr, n, d, k, slots, slotBytes, plusPlus, trials, maxIter, tolerance, CHUNK_ROWS], count, threads);
    for (let r = 0; r < count; r++) {
      const slot = slots + r * slotBytes;
      const info = arena.f64(slot + infoAt, 3);
      offer({ inertia: info[0]!, nIter: info[1]! }, slot + labelsAt, slot + (info[2] === 0 ? 0 : centresBytes));
    }
    yield;
  }
}

/**
 * Runs per thread in one batch of wholeRuns, and the most memory a batch's slots may take. A batch
 * ends in a join where a thread may wait out another's last run (runs differ in length several
 * times over), so batches are large: the usual nInit (up to 64 on two threads) is one batch.
 */
const RUNS_PER_THREAD = 32;
const RUN_BATCH_BYTES = 64 * 1024 * 1024;

/**
 * The nearest of `centers` for every row of x (ties to the lowest index). With `single` (x's
 * float32 copy, where the caller has one) the float32 ranking decides first: the same labels.
 */
export function predict(ctx: EngineContext, x: ResidentMatrix, centers: Matrix, single?: SingleCopy): Int32Array {
  if (centers.cols !== x.cols) throw new RangeError(`the centres have ${centers.cols} columns but X has ${x.cols}`);
  checkPositiveInt(centers.rows, "the number of centres");
  checkFinite(centers.data, centers.cols, "centres");
  checkFiniteResident(ctx, x);
  const { arena } = ctx;
  const mark = arena.mark();
  try {
    const w = allocWork(ctx, x, centers.rows, ctx.threads, checkSingle(single, x));
    arena.f64(w.centers, centers.data.length).set(centers.data);
    assign(w, w.centers, false);
    return arena.i32(w.labels, x.rows).slice();
  } finally {
    arena.release(mark);
  }
}

/** `single` if it is a copy of x's shape (a mismatched one would be read out of bounds). */
function checkSingle(single: SingleCopy | undefined, x: ResidentMatrix): SingleCopy | undefined {
  if (single && (single.rows !== x.rows || single.cols !== x.cols)) {
    throw new RangeError(`the float32 copy is ${single.rows} × ${single.cols}, X is ${x.rows} × ${x.cols}`);
  }
  return single;
}

/**
 * One Lloyd iteration from `centers` (k×d): assign every row, then average the rows of each cluster
 * (an empty cluster keeps its old centre here; no relocation). The benchmarks' unit of work. With
 * `single` (x's float32 copy, made once as a fit makes it) the assignment ranks in float32 first:
 * the same labels and centres.
 */
export function lloydIteration(ctx: EngineContext, x: ResidentMatrix, centers: Matrix, single?: SingleCopy): Float64Array {
  const k = centers.rows;
  const { arena } = ctx;
  const mark = arena.mark();
  try {
    const w = allocWork(ctx, x, k, ctx.threads, checkSingle(single, x));
    arena.f64(w.centers, k * x.cols).set(centers.data);
    assign(w, w.centers, true);
    ctx.kernels.mergeChunks(w.sums, w.chunks, k * w.d, w.next);
    ctx.kernels.mergeChunks(w.counts, w.chunks, k, w.weights);
    const next = arena.f64(w.next, k * w.d);
    const weights = arena.f64(w.weights, k);
    for (let j = 0; j < k; j++) {
      if (weights[j] === 0) next.set(centers.data.subarray(j * w.d, (j + 1) * w.d), j * w.d);
    }
    averageAndShift(next, arena.f64(w.centers, k * w.d), weights, w.d);
    return next.slice();
  } finally {
    arena.release(mark);
  }
}

/** k-means++ initial centres (k×d) for run `run` of `seed`, as kmeans() draws them. */
export function kmeansPlusPlus(ctx: EngineContext, x: ResidentMatrix, k: number, seed = 0, runIndex = 0): Float64Array {
  checkK(k, x.rows);
  const { arena } = ctx;
  const mark = arena.mark();
  try {
    const w = allocWork(ctx, x, k, ctx.threads);
    const out = arena.alloc(k * x.cols * 8);
    drain(seedPlusPlus(w, Rng.derive(seed, runIndex), out));
    return arena.f64(out, k * x.cols).slice();
  } finally {
    arena.release(mark);
  }
}

/** One Lloyd run from the centres at `init`; labels end in w.labels, centres at the returned offset. */
function* lloyd(w: Work, init: number, maxIter: number, tolerance: number): Steps<{ inertia: number; nIter: number; centers: number }> {
  const { ctx, n, d, k } = w;
  const { arena, kernels } = ctx;
  let cur = w.centers;
  let next = w.next;
  arena.f64(cur, k * d).set(arena.f64(init, k * d));
  if (w.threads === 1 || !ctx.pool) {
    // One thread: the whole run in one WASM call, the same passes and merges as the loop below.
    const known = w.xNormsKnown ? 1 : 0;
    const { labels, sums, counts, changed, weights, partial, scratch, bounds, shifts, pairs, chunks, info } = w;
    const centers = kernels.lloydRun(w.x, n, d, k, cur, next, w.cNorms, w.xNorms, known, labels, sums, counts, changed, weights, partial, scratch, bounds, shifts, pairs, maxIter, tolerance, CHUNK_ROWS, chunks, info);
    w.xNormsKnown = true;
    const out = arena.f64(info, 2);
    return { inertia: out[0]!, nIter: out[1]!, centers };
  }
  // Several threads: the same run, with the passes shared out and the steps between them in WASM.
  arena.i32(w.labels, n).fill(-1);
  let strict = false;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    assignBounded(w, cur, true, iter > 0);
    const shift = kernels.lloydUpdate(w.x, n, d, k, cur, next, w.labels, w.sums, w.counts, w.changed, w.weights, w.scratch, w.shifts, w.chunks, w.info);
    const changed = arena.f64(w.info, 1)[0]!;
    [cur, next] = [next, cur];
    if (changed === 0) {
      strict = true;
      break;
    }
    if (shift <= tolerance) break;
    yield;
  }
  const nIter = Math.min(iter + 1, maxIter);
  // Stopped on the shift tolerance (or maxIter): assign once more so labels match the final centres.
  if (!strict) assignBounded(w, cur, false, true);
  run(w, "inertiaChunk", [w.x, n, d, cur, w.labels, w.partial]);
  kernels.mergeChunks(w.partial, w.chunks, 1, w.merged);
  return { inertia: arena.f64(w.merged, 1)[0]!, nIter, centers: cur };
}

/**
 * One pass of a Lloyd run with distance bounds (lloydChunkBounded) from the centres at `centers`;
 * `valid`: the bounds were carried from the previous pass (every pass but the first). A first pass
 * ranks in float32 where the fit made X's float32 copy (the same labels and sums).
 */
function assignBounded(w: Work, centers: number, update: boolean, valid: boolean): void {
  const { ctx, x, n, d, k } = w;
  ctx.kernels.rowSqNormsChunk(centers, k, d, w.cNorms, k, 0);
  ctx.kernels.pairCentres(centers, w.cNorms, k, d, w.pairs);
  const known = w.xNormsKnown ? 1 : 0;
  const upper = w.bounds;
  const lower = w.bounds + n * 8;
  const { single } = w;
  if (single && !valid) {
    ctx.kernels.layoutSingleCentres(centers, w.cNorms, k, d, w.singleCentres);
    const args = [x, n, d, centers, w.cNorms, k, w.xNorms, known, w.labels, w.sums, w.counts, w.changed, update ? 1 : 0, upper, lower, w.pairs] as const;
    run(w, "lloydChunkBoundedSingle", [...args, single.ptr, single.norms, w.singleCentres, w.fallbacks]);
    single.rowsRanked += n;
    single.fallbacks += fallbackTotal(w);
    w.xNormsKnown = true;
    return;
  }
  run(w, "lloydChunkBounded", [x, n, d, centers, w.cNorms, k, w.xNorms, known, w.labels, w.sums, w.counts, w.changed, update ? 1 : 0, upper, lower, w.shifts, valid ? 1 : 0, w.pairs]);
  w.xNormsKnown = true;
}

/**
 * Turn the summed centres into means (scikit-learn multiplies by 1/weight; an empty cluster keeps
 * its zero sum) and return Σ_j ‖new_j − old_j‖², formed as scikit-learn does (sqrt, then squared).
 */
function averageAndShift(next: Float64Array, old: Float64Array, weights: Float64Array, d: number): number {
  let total = 0;
  for (let j = 0; j < weights.length; j++) {
    const w = weights[j]!;
    if (w > 0) {
      const alpha = 1 / w;
      for (let f = 0; f < d; f++) next[j * d + f]! *= alpha;
    }
    let sq = 0;
    for (let f = 0; f < d; f++) {
      const t = next[j * d + f]! - old[j * d + f]!;
      sq += t * t;
    }
    const shift = Math.sqrt(sq);
    total += shift * shift;
  }
  return total;
}

/** k-means++ (scikit-learn's greedy variant) into `out` (k×d). */
function* seedPlusPlus(w: Work, rng: Rng, out: number): Steps<void> {
  const { ctx, x, n, d, k } = w;
  const { arena, kernels } = ctx;
  const trials = localTrials(k);
  const xs = () => arena.f64(x, n * d);
  const centers = () => arena.f64(out, k * d);
  const first = rng.nextInt(n);
  centers().set(xs().subarray(first * d, first * d + d), 0);
  // Distance arrays: the current closest one and, for each trial, one to fill; the winner's becomes current.
  const arrays = Array.from({ length: trials + 1 }, (_, a) => w.closest + a * n * 8);
  let closest = arrays[0]!;
  arena.f64(closest, n).fill(Number.POSITIVE_INFINITY);
  run(w, "seedUpdateChunk", [x, n, d, first, closest, w.partial]);
  kernels.mergeChunks(w.partial, w.chunks, 1, w.merged);
  let potential = arena.f64(w.merged, 1)[0]!;
  // Each chunk's sum of the closest distances, as the last pass left them: stride apart from `sums`.
  let sums = w.partial;
  let stride = 1;
  for (let c = 1; c < k; c++) {
    const targets = arena.f64(w.targets, trials);
    for (let t = 0; t < trials; t++) targets[t] = rng.nextFloat() * potential;
    kernels.searchCumsumChunks(closest, n, sums, stride, CHUNK_ROWS, potential, w.targets, trials, w.cands);
    const outs = arrays.filter((a) => a !== closest);
    arena.i32(w.outs, trials).set(outs);
    run(w, "seedPotentialChunk", [x, n, d, w.cands, trials, closest, w.outs, w.partial]);
    kernels.mergeChunks(w.partial, w.chunks, trials, w.merged);
    const pots = arena.f64(w.merged, trials);
    let bestTrial = 0;
    for (let t = 1; t < trials; t++) if (pots[t]! < pots[bestTrial]!) bestTrial = t;
    potential = pots[bestTrial]!;
    sums = w.partial + bestTrial * 8;
    stride = trials;
    closest = outs[bestTrial]!;
    const chosen = arena.i32(w.cands, trials)[bestTrial]!;
    centers().set(xs().subarray(chosen * d, chosen * d + d), c * d);
    yield;
  }
}

/** k distinct rows, as the first k of a random permutation (partial Fisher–Yates). */
export function randomRows(rng: Rng, n: number, k: number): number[] {
  const swapped = new Map<number, number>();
  const rows: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextInt(n - i);
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    rows.push(atJ);
  }
  return rows;
}

function seedRandom(w: Work, rng: Rng, out: number): void {
  const xs = w.ctx.arena.f64(w.x, w.n * w.d);
  const centers = w.ctx.arena.f64(out, w.k * w.d);
  randomRows(rng, w.n, w.k).forEach((row, c) => {
    centers.set(xs.subarray(row * w.d, row * w.d + w.d), c * w.d);
  });
}

/** True when two labelings are the same partition up to renaming (scikit-learn's _is_same_clustering). */
export function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const mapping = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; i++) {
    const m = mapping[a[i]!]!;
    if (m === -1) mapping[a[i]!] = b[i]!;
    else if (m !== b[i]) return false;
  }
  return true;
}
