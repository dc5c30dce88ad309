// Silhouette on WASM memory. The rows are gathered into cluster order once, so each row's sum of
// distances to a cluster is a running sum over a contiguous run; bands of rows take every pair
// once (symmetry) and the band slots are merged in band order (see assembly/silhouette.ts).
import type { EngineContext, ResidentMatrix } from "./context.js";
import { forEachChunk } from "./context.js";
import { randomRows } from "./kmeans.js";
import { checkClusterCount, encodeLabels } from "./labels.js";
import { Rng } from "./rng.js";
import { drain, STEP_WORK, type Steps } from "./steps.js";
import { ArgumentError, checkFiniteResident } from "./validate.js";

/**
 * Bands per call: fixed, so results do not depend on the thread count. 16 bands keep the slots at
 * about 8.5·n·k values and give two to eight threads enough pieces to balance the triangle.
 */
const BANDS = 16;
const MIN_BAND_ROWS = 64;
/** Columns per block of the band kernel (assembly/silhouette.ts's J_BLOCK): a band's finest part. */
const BAND_BLOCK = 256;

export interface SilhouetteOptions {
  /** Also return every sample's silhouette (default false). */
  samples?: boolean;
}

export interface SilhouetteResult {
  /** Mean silhouette over all samples. */
  readonly score: number;
  /** Per-sample silhouettes in input order, when asked for. */
  readonly samples?: Float64Array;
}

export function silhouette(
  ctx: EngineContext,
  x: ResidentMatrix,
  labels: ArrayLike<number>,
  opts: SilhouetteOptions = {},
): SilhouetteResult {
  return drain(silhouetteSteps(ctx, x, labels, opts));
}

/**
 * The silhouette, yielding between parts of the O(n²) pass (see steps.ts). Every step runs one
 * part of every band, about STEP_WORK distance terms in all, so the pool stays as busy as with
 * whole bands; the parts of a band run in order, which keeps the sums bit-identical.
 */
export function* silhouetteSteps(
  ctx: EngineContext,
  x: ResidentMatrix,
  labels: ArrayLike<number>,
  opts: SilhouetteOptions = {},
): Steps<SilhouetteResult> {
  const { rows: n, cols: d } = x;
  const { codes, k, counts } = encodeLabels(labels, n);
  checkClusterCount(k, n, "the silhouette");
  checkFiniteResident(ctx, x);
  // Stable counting sort by cluster: perm[r] is the input row at sorted position r.
  const starts = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) starts[c + 1] = starts[c]! + counts[c]!;
  const next = starts.slice(0, k);
  const perm = new Int32Array(n);
  const sortedLabels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = next[codes[i]!]!++;
    perm[r] = i;
    sortedLabels[r] = codes[i]!;
  }
  const bandRows = Math.max(MIN_BAND_ROWS, Math.ceil(n / BANDS));
  const bands = Math.ceil(n / bandRows);
  const { arena, kernels } = ctx;
  const mark = arena.mark();
  try {
    const permPtr = arena.putI32(perm);
    const xs = arena.alloc(n * d * 8);
    kernels.gatherRows(x.ptr, d, permPtr, n, xs);
    const labelsPtr = arena.putI32(sortedLabels);
    const startsPtr = arena.putI32(starts);
    const slots = arena.alloc(kernels.silhouetteSlotsLength(n, k, bandRows) * 8);
    const pairWork = ((n * (n + 1)) / 2) * (d + 2);
    const steps = Math.max(1, Math.min(Math.ceil(n / BAND_BLOCK), Math.ceil(pairWork / STEP_WORK)));
    for (let step = 0; step < steps; step++) {
      forEachChunk(ctx, "silhouetteBand", [xs, n, d, labelsPtr, startsPtr, k, slots, bandRows, step, steps], bands);
      yield;
    }
    const sumsPtr = arena.alloc(k * 8);
    const outPtr = arena.alloc(n * 8);
    kernels.silhouetteMerge(n, labelsPtr, startsPtr, k, slots, bandRows, sumsPtr, outPtr);
    const sorted = arena.f64(outPtr, n);
    const samples = new Float64Array(n);
    for (let r = 0; r < n; r++) samples[perm[r]!] = sorted[r]!;
    let total = 0;
    for (let i = 0; i < n; i++) total += samples[i]!;
    return opts.samples ? { score: total / n, samples } : { score: total / n };
  } finally {
    arena.release(mark);
  }
}

export interface SilhouetteSampleOptions {
  /** Rows in the sample; all rows (the exact score) when n is no larger. */
  size: number;
  seed?: number;
}

export interface SampledSilhouette {
  /** Mean silhouette of the sample. */
  readonly score: number;
  /** The sample's silhouettes, computed against the sample alone, in draw order. */
  readonly samples: Float64Array;
  /** The input row of each sample value. */
  readonly rows: Int32Array;
  /** Rows the sample was drawn from. */
  readonly population: number;
  /** 95 % interval of the score (equal to it when every row is in the sample). */
  readonly ci95: readonly [number, number];
  /**
   * The rows of the clusters the sample missed, each scored against the sample and its own
   * cluster (so every cluster has values); not part of the score. Absent when none was missed.
   */
  readonly missed?: { readonly rows: Int32Array; readonly samples: Float64Array };
}

/** The standard normal's 97.5 % quantile. */
const Z_975 = 1.959963984540054;

/**
 * scikit-learn's silhouette_score(sample_size=size, random_state=seed): the first `size` rows of a
 * seeded permutation (drawn with the engine's Rng, not NumPy's), scored on their own. The interval
 * is the normal one over the sample's values: mean ± 1.96·s/√m, with the finite-population factor
 * √((n − m)/(n − 1)) since the rows are drawn without replacement. It treats the m values as
 * independent draws, which they nearly are for m ≪ n (each is computed against the same sample).
 */
export function* silhouetteSampleSteps(ctx: EngineContext, x: ResidentMatrix, labels: ArrayLike<number>, opts: SilhouetteSampleOptions): Steps<SampledSilhouette> {
  const n = x.rows;
  // Three rows at least: the silhouette needs 2 to m − 1 clusters among the m rows.
  if (!Number.isInteger(opts.size) || opts.size < 3) throw new ArgumentError(`the silhouette sample size must be a whole number ≥ 3, got ${opts.size}`, "size");
  // Every row's label is checked, not only the sampled ones: the rows outside the sample decide
  // which clusters it missed. The codes (0 … k − 1) stand for the labels from here on.
  const { codes } = encodeLabels(labels, n);
  const m = Math.min(opts.size, n);
  const rng = new Rng(opts.seed ?? 0);
  const rows = Int32Array.from(m === n ? Array.from({ length: n }, (_, i) => i) : randomRows(rng, n, m));
  const { arena, kernels } = ctx;
  const mark = arena.mark();
  try {
    const gathered = (these: Int32Array): ResidentMatrix => {
      const ptr = arena.alloc(these.length * x.cols * 8);
      kernels.gatherRows(x.ptr, x.cols, arena.putI32(these), these.length, ptr);
      return { ptr, rows: these.length, cols: x.cols, free: () => {} };
    };
    const labelsOf = (these: Int32Array) => Int32Array.from(these, (r) => codes[r]!);
    const drawn = new Set(labelsOf(rows)).size;
    if (m < n && (drawn < 2 || drawn > m - 1)) {
      throw new ArgumentError(`the silhouette sample of ${m} rows holds ${drawn} distinct label${drawn === 1 ? "" : "s"}; the silhouette needs 2 to ${m - 1}`, "size");
    }
    const { score, samples } = yield* silhouetteSteps(ctx, m < n ? gathered(rows) : x, labelsOf(rows), { samples: true });
    if (m === n) return { score, samples: samples!, rows, population: n, ci95: [score, score] };
    let ss = 0;
    for (const v of samples!) ss += (v - score) ** 2;
    const se = Math.sqrt(ss / (m - 1) / m) * Math.sqrt((n - m) / (n - 1));
    const ci95: [number, number] = [score - Z_975 * se, score + Z_975 * se];
    // A small cluster can be missed by the sample; its rows are scored against the sample, so that
    // per-cluster figures exist for every cluster. Such rows are few, or the miss is improbable.
    const inSample = new Set(labelsOf(rows));
    let missedRows: number[] = [];
    for (let i = 0; i < n; i++) if (!inSample.has(codes[i]!)) missedRows.push(i);
    // Bounded by the sample size, so the extra pass costs at most four times the sample's.
    if (missedRows.length > m) missedRows = randomRows(rng, missedRows.length, m).map((j) => missedRows[j]!).sort((a, b) => a - b);
    if (missedRows.length === 0) return { score, samples: samples!, rows, population: n, ci95 };
    const union = Int32Array.from([...rows, ...missedRows]);
    const all = yield* silhouetteSteps(ctx, gathered(union), labelsOf(union), { samples: true });
    const missed = { rows: Int32Array.from(missedRows), samples: all.samples!.slice(m) };
    return { score, samples: samples!, rows, population: n, ci95, missed };
  } finally {
    arena.release(mark);
  }
}
