// Options of mini-batch k-means and how they resolve for an input, shared by the engine
// (minibatch.ts) and the reference implementation, so that both read the same sizes and switches.
import type { Matrix } from "./matrix.js";

/** 'k-means++', 'random' (k distinct rows), or the k×d initial centres. */
export type MiniBatchInit = "k-means++" | "random" | Matrix;

export interface MiniBatchOptions {
  k: number;
  /** 'k-means++' (default), 'random', or the k×d initial centres (then one init). */
  init?: MiniBatchInit;
  /** Candidate initialisations, each scored on a held-out sample; the best one is refined. */
  nInit?: number;
  /** Passes over the data at most: the steps are ⌊maxIter·n / batchSize⌋. */
  maxIter?: number;
  /** Rows per step, drawn with replacement. */
  batchSize?: number;
  /** Rows the initialisation sees (default 3·batchSize; below k it is raised to 3k; at most n). */
  initSize?: number;
  /** Stop once a step moves the centres by at most tol × the mean column variance (0: never). */
  tol?: number;
  /** Stop after this many steps without a new low of the smoothed batch inertia (null: never). */
  maxNoImprovement?: number | null;
  /** Centres whose count falls below this fraction of the largest are moved to a random row of the batch. */
  reassignmentRatio?: number;
  seed?: number;
  /** Cap on the threads of the final assignment pass (default: all of the engine's). */
  threads?: number;
}

/** The sub-stream (Rng.derive(seed, ·)) of batches and samples, apart from every init's k-means++ stream (0, 1, …). */
export const SAMPLING_STREAM = -1;

/** scikit-learn 1.2's MiniBatchKMeans defaults (n_init 3: its default before 'auto'). */
export const MINIBATCH_DEFAULTS = {
  init: "k-means++",
  nInit: 3,
  maxIter: 100,
  batchSize: 1024,
  tol: 0,
  maxNoImprovement: 10,
  reassignmentRatio: 0.01,
  seed: 0,
} as const;

/** Upper bounds: a larger batch is a Lloyd pass in disguise, and the rest would run for hours. */
export const MINIBATCH_LIMITS = { batchSize: 1 << 20, initSize: 1 << 22, nInit: 1000, maxIter: 10_000, maxNoImprovement: 1_000_000 } as const;

/** The options with every default filled in and checked against an n-row input. */
export interface ResolvedMiniBatch {
  k: number;
  init: MiniBatchInit;
  nInit: number;
  maxIter: number;
  /** min(batchSize, n), as scikit-learn uses it. */
  batch: number;
  initSize: number;
  tol: number;
  maxNoImprovement: number | null;
  reassignmentRatio: number;
  seed: number;
  /** ⌊maxIter·n / batch⌋. */
  steps: number;
}

/** The options with their defaults, sized for an n-row input (checked by the engine, see minibatch.ts). */
export function resolveMiniBatch(options: MiniBatchOptions, n: number): ResolvedMiniBatch {
  const { k } = options;
  const init = options.init ?? MINIBATCH_DEFAULTS.init;
  const maxIter = options.maxIter ?? MINIBATCH_DEFAULTS.maxIter;
  const batch = Math.min(options.batchSize ?? MINIBATCH_DEFAULTS.batchSize, n);
  // scikit-learn: 3·batch_size by default; fewer rows than k are raised to 3k; never more than n.
  let initSize = options.initSize ?? 3 * batch;
  if (initSize < k) initSize = 3 * k;
  initSize = Math.min(initSize, n);
  return {
    k,
    init,
    nInit: typeof init === "object" ? 1 : (options.nInit ?? MINIBATCH_DEFAULTS.nInit),
    maxIter,
    batch,
    initSize,
    tol: options.tol ?? MINIBATCH_DEFAULTS.tol,
    maxNoImprovement: options.maxNoImprovement === undefined ? MINIBATCH_DEFAULTS.maxNoImprovement : options.maxNoImprovement,
    reassignmentRatio: options.reassignmentRatio ?? MINIBATCH_DEFAULTS.reassignmentRatio,
    seed: options.seed ?? MINIBATCH_DEFAULTS.seed,
    steps: Math.floor((maxIter * n) / batch),
  };
}

/**
 * scikit-learn's _mini_batch_convergence: the batch inertia per row is smoothed by an exponentially
 * weighted average (weight 2·batch/(n + 1)); the first step is ignored (its inertia is the
 * initialisation's); stop on a centre shift ≤ tolerance, or after maxNoImprovement steps without
 * a new low of the average.
 */
export class MiniBatchConvergence {
  private ewa: number | undefined;
  private ewaMin: number | undefined;
  private noImprovement = 0;

  constructor(
    private readonly n: number,
    private readonly batch: number,
    private readonly tolerance: number,
    private readonly maxNoImprovement: number | null,
  ) {}

  /** After step `step` (0-based) with the batch's inertia and the squared centre shift: stop? */
  converged(step: number, batchInertia: number, shift: number): boolean {
    const perRow = batchInertia / this.batch;
    if (step === 0) return false;
    if (this.ewa === undefined) this.ewa = perRow;
    else {
      const alpha = Math.min((this.batch * 2) / (this.n + 1), 1);
      this.ewa = this.ewa * (1 - alpha) + perRow * alpha;
    }
    if (this.tolerance > 0 && shift <= this.tolerance) return true;
    if (this.ewaMin === undefined || this.ewa < this.ewaMin) {
      this.noImprovement = 0;
      this.ewaMin = this.ewa;
    } else this.noImprovement++;
    return this.maxNoImprovement !== null && this.noImprovement >= this.maxNoImprovement;
  }
}

/**
 * scikit-learn's _random_reassign bookkeeping: reassignment is considered once 10·k rows have been
 * seen since the last time, or whenever a centre has no count yet.
 */
export class ReassignClock {
  private since = 0;

  constructor(
    private readonly batch: number,
    private readonly k: number,
  ) {}

  due(counts: ArrayLike<number>): boolean {
    this.since += this.batch;
    let empty = false;
    for (let c = 0; c < this.k; c++) if (counts[c] === 0) empty = true;
    if (empty || this.since >= 10 * this.k) {
      this.since = 0;
      return true;
    }
    return false;
  }
}

/**
 * The centres to move (scikit-learn's to_reassign): counts below ratio × the largest count, at most
 * ⌊batch/2⌋ of them (the ones with the smallest counts are kept, ties to the lower index). Returns
 * them in ascending order; the caller moves them to distinct random rows of the batch and then
 * raises their counts to the smallest count left unmoved.
 */
export function centresToReassign(counts: ArrayLike<number>, k: number, ratio: number, batch: number): number[] {
  let max = 0;
  for (let c = 0; c < k; c++) max = Math.max(max, counts[c]!);
  let moved: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c]! < ratio * max) moved.push(c);
  const cap = Math.floor(0.5 * batch);
  if (moved.length > 0.5 * batch) {
    const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => counts[a]! - counts[b]! || a - b);
    const keep = new Set(order.slice(0, cap));
    moved = moved.filter((c) => keep.has(c));
  }
  return moved;
}

/** The smallest count of a centre not in `moved` (scikit-learn's np.min(weight_sums[~to_reassign])). */
export function smallestUnmovedCount(counts: ArrayLike<number>, k: number, moved: readonly number[]): number {
  const set = new Set(moved);
  let min = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) if (!set.has(c)) min = Math.min(min, counts[c]!);
  return min;
}
