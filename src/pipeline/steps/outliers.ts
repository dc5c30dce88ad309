import type { Engine } from "../../engine/engine.js";
import { type Forest, type ForestOptions, MAX_FOREST_SAMPLES, averagePathLength, checkTreeCount } from "../../engine/forest-model.js";
import type { Matrix } from "../../engine/matrix.js";
import type { Steps } from "../../engine/steps.js";
import { ISOLATION_FOREST_DEFAULTS } from "../options.js";

/**
 * Isolation forest with scikit-learn 1.2 semantics (IsolationForest + ExtraTreeRegressor): the
 * trees grow and walk in the engine (engine/forest.ts); this step draws the threshold at the
 * `contamination` percentile and flags the rows below it.
 */
export interface IsolationForestOptions {
  /** Seed of the forest; tree t draws from `Rng.derive(seed, t)`. Default 0. */
  seed?: number;
  /** Number of trees. Default 100. */
  nTrees?: number;
  /** Rows per tree, capped at the row count; at most 4096 (trees are stored complete). Default 256. */
  maxSamples?: number;
  /** Share of rows flagged, in (0, 0.5]. Default 0.05. */
  contamination?: number;
}

export interface OutlierResult {
  /** scikit-learn's `score_samples`: −2^(−E[h]/c(maxSamples)); lower is more anomalous. */
  scores: Float64Array;
  /** 1 where score < threshold. */
  isOutlier: Uint8Array;
  /** The `contamination` percentile of the scores (linear interpolation, as numpy). */
  threshold: number;
  /** The trees, to score rows the forest was not grown on (forestScores). */
  forest: Forest;
}

export function isolationForest(engine: Engine, x: Matrix, options: IsolationForestOptions = {}): OutlierResult {
  const o = checkOptions(options);
  if (x.rows === 0) return emptyResult();
  const forest = engine.growForest(x, forestOptions(o, x.rows));
  return flagged(forest, engine.forestPathSums(forest, x), o.contamination);
}

/** isolationForest() that yields to the event loop as it goes and stops once `signal` is aborted. */
export async function isolationForestInterruptible(engine: Engine, x: Matrix, options: IsolationForestOptions = {}, signal?: AbortSignal): Promise<OutlierResult> {
  const o = checkOptions(options);
  if (x.rows === 0) return emptyResult();
  const forest = await engine.growForestInterruptible(x, forestOptions(o, x.rows), signal);
  return flagged(forest, await engine.forestPathSumsInterruptible(forest, x, signal), o.contamination);
}

function checkOptions(options: IsolationForestOptions): Required<IsolationForestOptions> {
  const o = { ...ISOLATION_FOREST_DEFAULTS, ...options };
  if (!(o.contamination > 0 && o.contamination <= 0.5)) {
    throw new RangeError(`contamination must be in (0, 0.5], got ${o.contamination}`);
  }
  checkTreeCount(o.nTrees);
  if (!(Number.isInteger(o.maxSamples) && o.maxSamples >= 1 && o.maxSamples <= MAX_FOREST_SAMPLES)) {
    throw new RangeError(`maxSamples must be an integer in 1..${MAX_FOREST_SAMPLES}, got ${o.maxSamples}`);
  }
  return o;
}

/** The engine's forest options: a tree draws at most the rows there are. */
function forestOptions(o: Required<IsolationForestOptions>, rows: number): ForestOptions {
  return { seed: o.seed, nTrees: o.nTrees, maxSamples: Math.min(o.maxSamples, rows) };
}

function emptyResult(): OutlierResult {
  const forest = { nTrees: 0, nodesPerTree: 1, maxDepth: 0, maxSamples: 0, feature: new Int32Array(0), value: new Float64Array(0) };
  return { scores: new Float64Array(0), isOutlier: new Uint8Array(0), threshold: Number.NaN, forest };
}

function flagged(forest: Forest, pathSums: Float64Array, contamination: number): OutlierResult {
  const scores = scoresOf(forest, pathSums);
  const threshold = percentileLinear(scores, 100 * contamination);
  const isOutlier = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) isOutlier[i] = scores[i]! < threshold ? 1 : 0;
  return { scores, isOutlier, threshold, forest };
}

/** scikit-learn's score_samples from the summed path lengths. */
function scoresOf(forest: Forest, pathSums: Float64Array): Float64Array {
  const denominator = forest.nTrees * averagePathLength(forest.maxSamples);
  const scores = new Float64Array(pathSums.length);
  for (let i = 0; i < pathSums.length; i++) {
    // scikit-learn takes the ratio as 1 when c(maxSamples) = 0 (a single row per tree).
    const ratio = denominator !== 0 ? pathSums[i]! / denominator : 1;
    scores[i] = -(2 ** -ratio);
  }
  return scores;
}

/**
 * scikit-learn's `score_samples` of new rows under a grown forest (rows rounded to float32, as the
 * trees saw their training rows). Throws RangeError naming the first row and column that is not a
 * finite float32.
 */
export function forestScores(engine: Engine, forest: Forest, x: Matrix): Float64Array {
  return scoresOf(forest, engine.forestPathSums(forest, x));
}

/** forestScores() as steps, one block of FOREST_STEP_ROWS rows per step (each a whole engine call). */
export function* forestScoresSteps(engine: Engine, forest: Forest, x: Matrix): Steps<Float64Array> {
  const { rows, cols } = x;
  const scores = new Float64Array(rows);
  for (let start = 0; start < rows; start += FOREST_STEP_ROWS) {
    const n = Math.min(FOREST_STEP_ROWS, rows - start);
    scores.set(forestScores(engine, forest, { data: x.data.subarray(start * cols, (start + n) * cols), rows: n, cols }), start);
    yield;
  }
  return scores;
}

/** About 10 ms of walking with 100 trees of depth 8. */
const FOREST_STEP_ROWS = 8192;

/** numpy.percentile(values, q) with the default linear method, including numpy's two-sided lerp. */
export function percentileLinear(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (q / 100) * (n - 1);
  const below = Math.min(Math.floor(position), n - 1);
  const above = Math.min(below + 1, n - 1);
  const t = position - below;
  const a = sorted[below];
  const b = sorted[above];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** 1 for each customer whose ID is in `ids`: the outliers named by an ID list, in row order. */
export function outlierMask(customerIds: ArrayLike<number>, ids: ReadonlySet<number>): Uint8Array {
  const mask = new Uint8Array(customerIds.length);
  for (let i = 0; i < customerIds.length; i++) mask[i] = ids.has(customerIds[i]) ? 1 : 0;
  return mask;
}
