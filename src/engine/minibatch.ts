/**
 * Mini-batch k-means with scikit-learn 1.2's MiniBatchKMeans semantics (sklearn/cluster/_kmeans.py):
 * n_init candidate initialisations (k-means++ on init_size rows drawn with replacement), each scored
 * by its inertia on one held-out draw of init_size rows, the best refined by steps on batches drawn
 * with replacement (per-centre counts, learning rate 1/count), low-count centres moved to random
 * batch rows, early stopping on the smoothed batch inertia or the centre shift (minibatch-options.ts),
 * and the labels and inertia from one full assignment pass.
 * Random streams: the batches, held-out rows and init rows come from Rng.derive(seed, −1); init r's
 * k-means++ draws from Rng.derive(seed, r), as kmeans() does. The numeric loops are WASM kernels
 * (assembly/minibatch.ts); this file holds the orchestration.
 */
import { CHUNK_ROWS, chunkCount, type EngineContext, forEachChunkSteps, type ResidentMatrix } from "./context.js";
import { kmeansPlusPlus, type KMeansResult, randomRows } from "./kmeans.js";
import {
  centresToReassign,
  MINIBATCH_DEFAULTS,
  MINIBATCH_LIMITS,
  MiniBatchConvergence,
  type MiniBatchOptions,
  ReassignClock,
  resolveMiniBatch,
  SAMPLING_STREAM,
  smallestUnmovedCount,
} from "./minibatch-options.js";
import { Rng } from "./rng.js";
import { drain, STEP_WORK, type Steps } from "./steps.js";
import { ArgumentError, checkFinite, checkFiniteResident, checkK, checkPositiveInt } from "./validate.js";

export interface MiniBatchResult extends KMeansResult {
  /** Passes over the data the steps amount to, ⌈nSteps·batch / n⌉ (scikit-learn's n_iter_), not Lloyd iterations. */
  nIter: number;
  /** Mini-batch steps taken. */
  nSteps: number;
}

export function minibatchKMeans(ctx: EngineContext, x: ResidentMatrix, options: MiniBatchOptions): MiniBatchResult {
  return drain(minibatchKMeansSteps(ctx, x, options));
}

/** The fit, yielding between groups of steps and parts of the final pass (see steps.ts). */
export function* minibatchKMeansSteps(ctx: EngineContext, x: ResidentMatrix, options: MiniBatchOptions): Steps<MiniBatchResult> {
  const { rows: n, cols: d } = x;
  checkMiniBatchOptions(options, n, d);
  const o = resolveMiniBatch(options, n);
  if (typeof o.init === "object") checkFinite(o.init.data, d, "initial centres", "init");
  checkFiniteResident(ctx, x);
  const { k, batch } = o;
  const { arena, kernels } = ctx;
  const mark = arena.mark();
  try {
    const rng = Rng.derive(o.seed, SAMPLING_STREAM);
    const tolerance = o.tol > 0 ? o.tol * kernels.meanColumnVariance(x.ptr, n, d, arena.alloc(2 * d * 8)) : 0;
    const chunks = chunkCount(n);
    const partial = arena.alloc(Math.max(chunks, chunkCount(o.initSize)) * 8);
    const merged = arena.alloc(8);
    const idx = arena.alloc(Math.max(batch, o.initSize) * 4);
    const labels = arena.alloc(Math.max(n, o.initSize) * 4);
    const valid = arena.alloc(o.initSize * d * 8);
    const sample = arena.alloc(o.initSize * d * 8);
    let centers = arena.alloc(k * d * 8);
    let next = arena.alloc(k * d * 8);
    const best = arena.alloc(k * d * 8);
    const counts = arena.alloc(k * 8);
    const batchCounts = arena.alloc(k * 8);

    const gather = (out: number, rows: number): void => {
      const draw = arena.i32(idx, rows);
      for (let i = 0; i < rows; i++) draw[i] = rng.nextInt(n);
      kernels.gatherRows(x.ptr, d, idx, rows, out);
    };
    /** Inertia of the centres at `c` on the rows at `m` (rows × d). */
    const inertiaOn = (m: number, rows: number, c: number): number => {
      const parts = chunkCount(rows);
      for (let chunk = 0; chunk < parts; chunk++) kernels.nearestCentreChunk(m, rows, d, c, k, labels, partial, CHUNK_ROWS, chunk);
      kernels.mergeChunks(partial, parts, 1, merged);
      return arena.f64(merged, 1)[0]!;
    };

    // Candidate initialisations, scored on one held-out draw.
    gather(valid, o.initSize);
    let bestInertia = Number.POSITIVE_INFINITY;
    for (let r = 0; r < o.nInit; r++) {
      if (typeof o.init === "object") arena.f64(centers, k * d).set(o.init.data);
      else {
        gather(sample, o.initSize);
        const resident: ResidentMatrix = { ptr: sample, rows: o.initSize, cols: d, free: () => {} };
        if (o.init === "random") {
          const xs = arena.f64(sample, o.initSize * d);
          const c = arena.f64(centers, k * d);
          randomRows(Rng.derive(o.seed, r), o.initSize, k).forEach((row, j) => {
            c.set(xs.subarray(row * d, row * d + d), j * d);
          });
        } else {
          // Drawn before the view is taken: k-means++ may grow the memory, which detaches views.
          const drawn = kmeansPlusPlus(ctx, resident, k, o.seed, r);
          arena.f64(centers, k * d).set(drawn);
        }
      }
      const inertia = inertiaOn(valid, o.initSize, centers);
      if (r === 0 || inertia < bestInertia) {
        bestInertia = inertia;
        arena.f64(best, k * d).set(arena.f64(centers, k * d));
      }
      yield;
    }
    arena.f64(centers, k * d).set(arena.f64(best, k * d));
    arena.f64(counts, k).fill(0);

    const convergence = new MiniBatchConvergence(n, batch, tolerance, o.maxNoImprovement);
    const clock = new ReassignClock(batch, k);
    const stepWork = batch * k * d;
    let work = 0;
    let step = 0;
    for (; step < o.steps; step++) {
      const draw = arena.i32(idx, batch);
      for (let i = 0; i < batch; i++) draw[i] = rng.nextInt(n);
      const reassign = clock.due(arena.f64(counts, k)) && o.reassignmentRatio > 0;
      const batchInertia = kernels.minibatchStep(x.ptr, d, idx, batch, centers, k, next, counts, batchCounts, labels);
      if (reassign) reassignCentres(ctx, x, idx, batch, next, counts, k, o.reassignmentRatio, rng);
      const shift = tolerance > 0 ? squaredShift(arena.f64(next, k * d), arena.f64(centers, k * d)) : 0;
      [centers, next] = [next, centers];
      if (convergence.converged(step, batchInertia, shift)) break;
      work += stepWork;
      if (work >= STEP_WORK) {
        work = 0;
        yield;
      }
    }
    const nSteps = Math.min(step + 1, o.steps);

    // Labels and inertia from one full pass, chunked over the pool.
    yield* forEachChunkSteps(ctx, "nearestCentreChunk", [x.ptr, n, d, centers, k, labels, partial, CHUNK_ROWS], chunks, k * d, Math.min(options.threads ?? ctx.threads, ctx.threads));
    kernels.mergeChunks(partial, chunks, 1, merged);
    return {
      k,
      labels: arena.i32(labels, n).slice(),
      centers: arena.f64(centers, k * d).slice(),
      inertia: arena.f64(merged, 1)[0]!,
      nIter: Math.ceil((nSteps * batch) / n),
      nSteps,
    };
  } finally {
    arena.release(mark);
  }
}

/** Throw a RangeError naming the first option out of its range for an n × d input. */
export function checkMiniBatchOptions(options: MiniBatchOptions, n: number, d: number): void {
  const { k } = options;
  checkK(k, n);
  const init = options.init ?? MINIBATCH_DEFAULTS.init;
  if (typeof init === "string" && init !== "k-means++" && init !== "random") {
    throw new RangeError(`init must be 'k-means++', 'random' or a k×d matrix of centres, got '${init}'`);
  }
  if (typeof init === "object" && (init.rows !== k || init.cols !== d)) {
    throw new ArgumentError(`the initial centres are ${init.rows} × ${init.cols}, expected k × d = ${k} × ${d}`, "init");
  }
  const positive = (v: number | undefined, name: string, max: number) => {
    if (v !== undefined) checkPositiveInt(v, name, max);
  };
  positive(options.nInit, "nInit", MINIBATCH_LIMITS.nInit);
  positive(options.maxIter, "maxIter", MINIBATCH_LIMITS.maxIter);
  positive(options.batchSize, "batchSize", MINIBATCH_LIMITS.batchSize);
  positive(options.initSize, "initSize", MINIBATCH_LIMITS.initSize);
  positive(options.maxNoImprovement ?? undefined, "maxNoImprovement", MINIBATCH_LIMITS.maxNoImprovement);
  const tol = options.tol ?? MINIBATCH_DEFAULTS.tol;
  if (!(tol >= 0)) throw new RangeError(`tol must be ≥ 0, got ${tol}`);
  const ratio = options.reassignmentRatio ?? MINIBATCH_DEFAULTS.reassignmentRatio;
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`reassignmentRatio must be in [0, 1], got ${ratio}`);
}

/** Move the low-count centres to distinct random rows of the batch (see centresToReassign). */
function reassignCentres(ctx: EngineContext, x: ResidentMatrix, idx: number, batch: number, centers: number, countsPtr: number, k: number, ratio: number, rng: Rng): void {
  const { arena } = ctx;
  const counts = arena.f64(countsPtr, k);
  const moved = centresToReassign(counts, k, ratio, batch);
  if (moved.length === 0) return;
  const d = x.cols;
  const rows = randomRows(rng, batch, moved.length);
  const draw = arena.i32(idx, batch);
  const xs = arena.f64(x.ptr, x.rows * d);
  const c = arena.f64(centers, k * d);
  moved.forEach((centre, j) => {
    const row = draw[rows[j]!]!;
    c.set(xs.subarray(row * d, row * d + d), centre * d);
  });
  // scikit-learn's guard against instant reassignment: the moved centres start from the smallest kept count.
  const floor = smallestUnmovedCount(counts, k, moved);
  for (const centre of moved) counts[centre] = floor;
}

/** Σ ‖new − old‖² over all centres. */
function squaredShift(next: Float64Array, old: Float64Array): number {
  let s = 0;
  for (let i = 0; i < next.length; i++) {
    const t = next[i]! - old[i]!;
    s += t * t;
  }
  return s;
}
