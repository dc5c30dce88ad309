import type { Matrix } from "../../engine/matrix.js";
import { Rng } from "../../engine/rng.js";
import { drain, drainInterruptible, type Steps } from "../../engine/steps.js";
import { ISOLATION_FOREST_DEFAULTS } from "../options.js";

/**
 * Isolation forest with scikit-learn 1.2 semantics (IsolationForest + ExtraTreeRegressor):
 * each tree grows on `maxSamples` rows drawn without replacement; a node picks a feature uniformly
 * among those not constant on its rows and a threshold uniformly in [min, max); rows with
 * x <= threshold go left. Growth stops at depth ceil(log2(maxSamples)) or at a single row.
 * Features are rounded to float32 first, as scikit-learn's trees see them.
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

/** scikit-learn's FEATURE_THRESHOLD: a feature spanning no more than this on a node is constant there. */
const CONSTANT_SPAN = 1e-7;
const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n keys: c(n) of Liu et al. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

export function isolationForest(x: Matrix, options: IsolationForestOptions = {}): OutlierResult {
  return drain(isolationForestSteps(x, options));
}

/** isolationForest() that yields to the event loop as it goes and stops once `signal` is aborted. */
export function isolationForestInterruptible(x: Matrix, options: IsolationForestOptions = {}, signal?: AbortSignal): Promise<OutlierResult> {
  return drainInterruptible(isolationForestSteps(x, options), signal);
}

/** The fit and scoring as steps (see engine/steps.ts): one tree, or one block of rows, per step. */
export function* isolationForestSteps(x: Matrix, options: IsolationForestOptions = {}): Steps<OutlierResult> {
  const { seed, nTrees, contamination } = { ...ISOLATION_FOREST_DEFAULTS, ...options };
  if (!(contamination > 0 && contamination <= 0.5)) {
    throw new RangeError(`contamination must be in (0, 0.5], got ${contamination}`);
  }
  if (!(Number.isInteger(nTrees) && nTrees >= 1)) throw new RangeError(`nTrees must be a positive integer, got ${nTrees}`);
  const n = x.rows;
  if (n === 0) {
    const forest = { nTrees: 0, nodesPerTree: 1, maxDepth: 0, maxSamples: 0, feature: new Int32Array(0), value: new Float64Array(0) };
    return { scores: new Float64Array(0), isOutlier: new Uint8Array(0), threshold: Number.NaN, forest };
  }
  const requested = options.maxSamples ?? ISOLATION_FOREST_DEFAULTS.maxSamples;
  if (!(Number.isInteger(requested) && requested >= 1 && requested <= 4096)) {
    throw new RangeError(`maxSamples must be an integer in 1..4096, got ${requested}`);
  }
  const maxSamples = Math.min(requested, n);
  const x32 = Float32Array.from(x.data);
  const bad = x32.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    // As scikit-learn's input check: no NaN, and nothing beyond float32's range.
    throw new RangeError(`isolationForest: row ${Math.floor(bad / x.cols) + 1}, column ${(bad % x.cols) + 1} is ${x.data[bad]}, not a finite float32`);
  }
  const forest = yield* growForest(x32, n, x.cols, maxSamples, nTrees, seed);
  const scores = yield* scoreBlocks(forest, x32, n, x.cols);
  const threshold = percentileLinear(scores, 100 * contamination);
  const isOutlier = new Uint8Array(n);
  for (let i = 0; i < n; i++) isOutlier[i] = scores[i] < threshold ? 1 : 0;
  return { scores, isOutlier, threshold, forest };
}

/**
 * All trees in flat arrays, each a complete binary tree of depth `maxDepth` in heap order (children
 * of node k at 2k + 1 and 2k + 2; node k of tree t at slot `t * nodesPerTree + k`), so every walk
 * takes exactly `maxDepth` steps and needs no child pointers or leaf tests. An internal node holds
 * its feature and threshold in `value`. A leaf above the bottom becomes a chain of pass-through
 * nodes (threshold +∞: always left) down to the bottom level. Bottom slots hold the leaf's depth
 * + c(rows in it).
 */
export interface Forest {
  nTrees: number;
  nodesPerTree: number;
  maxDepth: number;
  maxSamples: number;
  feature: Int32Array;
  value: Float64Array;
}

function* growForest(x: Float32Array, n: number, cols: number, maxSamples: number, nTrees: number, seed: number): Steps<Forest> {
  const maxDepth = Math.ceil(Math.log2(Math.max(maxSamples, 2)));
  const nodesPerTree = 2 ** (maxDepth + 1) - 1;
  const g: Growth = {
    x,
    n,
    cols,
    maxSamples,
    maxDepth,
    nodesPerTree,
    feature: new Int32Array(nTrees * nodesPerTree),
    value: new Float64Array(nTrees * nodesPerTree),
    pool: new Int32Array(n),
    rows: new Int32Array(maxSamples),
    features: new Int32Array(cols),
    // Pending nodes (heap index, first row, end row, depth); depth-first, so at most maxDepth + 1 wait.
    stack: new Int32Array(4 * (maxDepth + 2)),
  };
  for (let t = 0; t < nTrees; t++) {
    growTree(g, t, Rng.derive(seed, t));
    // A tree costs O(n) for its draw: on millions of rows, milliseconds.
    yield;
  }
  return { nTrees, nodesPerTree, maxDepth, maxSamples, feature: g.feature, value: g.value };
}

/** The inputs, the forest being grown and the scratch space its trees share. */
interface Growth {
  x: Float32Array;
  n: number;
  cols: number;
  maxSamples: number;
  maxDepth: number;
  nodesPerTree: number;
  feature: Int32Array;
  value: Float64Array;
  pool: Int32Array;
  rows: Int32Array;
  features: Int32Array;
  stack: Int32Array;
}

/**
 * Tree t, drawn with its own generator. A plain function called per tree, not the generator's
 * body: V8 optimises it after the first trees, where a loop in a generator stays unoptimised.
 */
function growTree(g: Growth, t: number, rng: Rng): void {
  const { x, n, cols, maxSamples, maxDepth, nodesPerTree, feature, value, pool, rows, features, stack } = g;
  // Partial Fisher–Yates: the first maxSamples entries are a uniform draw without replacement.
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let k = 0; k < maxSamples; k++) {
    const j = k + rng.nextInt(n - k);
    const r = pool[j];
    pool[j] = pool[k];
    pool[k] = r;
    rows[k] = r;
  }
  const base = t * nodesPerTree;
  let sp = 0;
  stack[sp++] = 0;
  stack[sp++] = 0;
  stack[sp++] = maxSamples;
  stack[sp++] = 0;
  while (sp > 0) {
    const depth = stack[--sp];
    const end = stack[--sp];
    const start = stack[--sp];
    const k = stack[--sp];
    const size = end - start;
    let splitFeature = -1;
    let lo = 0;
    let hi = 0;
    if (size > 1 && depth < maxDepth) {
      // Draw features without replacement until one varies on this node, as the random splitter does.
      for (let f = 0; f < cols; f++) features[f] = f;
      let remaining = cols;
      while (remaining > 0) {
        const j = rng.nextInt(remaining);
        const f = features[j];
        lo = Infinity;
        hi = -Infinity;
        for (let r = start; r < end; r++) {
          const v = x[rows[r] * cols + f];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (hi > lo + CONSTANT_SPAN) {
          splitFeature = f;
          break;
        }
        features[j] = features[--remaining];
        features[remaining] = f;
      }
    }
    if (splitFeature < 0) {
      let slot = k;
      for (let d = depth; d < maxDepth; d++) {
        value[base + slot] = Infinity; // feature stays 0; every value is <= +∞
        slot = 2 * slot + 1;
      }
      value[base + slot] = depth + averagePathLength(size);
      continue;
    }
    let threshold = lo + rng.nextFloat() * (hi - lo);
    if (threshold === hi) threshold = lo;
    // Partition rows[start:end) so that x <= threshold comes first.
    let mid = start;
    for (let r = start; r < end; r++) {
      const row = rows[r];
      if (x[row * cols + splitFeature] <= threshold) {
        rows[r] = rows[mid];
        rows[mid++] = row;
      }
    }
    feature[base + k] = splitFeature;
    value[base + k] = threshold;
    stack[sp++] = 2 * k + 1;
    stack[sp++] = start;
    stack[sp++] = mid;
    stack[sp++] = depth + 1;
    stack[sp++] = 2 * k + 2;
    stack[sp++] = mid;
    stack[sp++] = end;
    stack[sp++] = depth + 1;
  }
}

/**
 * Sum over trees of each row's path length, then scikit-learn's score. Tree-major, so one tree
 * stays in cache while all rows walk it (each row still adds its lengths in tree order). The left/
 * right choice is arithmetic, not a branch (it is a coin flip to the CPU), and four rows walk side by
 * side so their independent load chains overlap.
 */
function scoreSamples(forest: Forest, x: Float32Array, n: number, cols: number): Float64Array {
  const { nTrees, nodesPerTree, maxDepth, feature, value } = forest;
  const depths = new Float64Array(n);
  const n4 = n - (n % 4);
  for (let t = 0; t < nTrees; t++) {
    const base = t * nodesPerTree;
    for (let i = 0; i < n4; i += 4) {
      const r0 = i * cols;
      const r1 = r0 + cols;
      const r2 = r1 + cols;
      const r3 = r2 + cols;
      let k0 = 0;
      let k1 = 0;
      let k2 = 0;
      let k3 = 0;
      for (let d = 0; d < maxDepth; d++) {
        k0 = 2 * k0 + 2 - bit(x[r0 + feature[base + k0]] <= value[base + k0]);
        k1 = 2 * k1 + 2 - bit(x[r1 + feature[base + k1]] <= value[base + k1]);
        k2 = 2 * k2 + 2 - bit(x[r2 + feature[base + k2]] <= value[base + k2]);
        k3 = 2 * k3 + 2 - bit(x[r3 + feature[base + k3]] <= value[base + k3]);
      }
      depths[i] += value[base + k0];
      depths[i + 1] += value[base + k1];
      depths[i + 2] += value[base + k2];
      depths[i + 3] += value[base + k3];
    }
    for (let i = n4; i < n; i++) {
      const row = i * cols;
      let k = 0;
      for (let d = 0; d < maxDepth; d++) k = 2 * k + 2 - bit(x[row + feature[base + k]] <= value[base + k]);
      depths[i] += value[base + k];
    }
  }
  const denominator = nTrees * averagePathLength(forest.maxSamples);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // scikit-learn takes the ratio as 1 when c(maxSamples) = 0 (a single row per tree).
    const ratio = denominator !== 0 ? depths[i] / denominator : 1;
    scores[i] = -(2 ** -ratio);
  }
  return scores;
}

/**
 * scikit-learn's `score_samples` of new rows under a grown forest (rows rounded to float32, as the
 * trees saw their training rows). Throws RangeError naming the first row and column that is not a
 * finite float32.
 */
export function forestScores(forest: Forest, x: Matrix): Float64Array {
  return drain(forestScoresSteps(forest, x));
}

/** forestScores() as steps, one block of rows per step. */
export function* forestScoresSteps(forest: Forest, x: Matrix): Steps<Float64Array> {
  if (x.rows === 0) return new Float64Array(0);
  const x32 = Float32Array.from(x.data);
  const bad = x32.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`row ${Math.floor(bad / x.cols) + 1}, column ${(bad % x.cols) + 1} is ${x.data[bad]}, not a finite float32`);
  return yield* scoreBlocks(forest, x32, x.rows, x.cols);
}

/**
 * scoreSamples over blocks of rows small enough to stay in cache while all the trees walk them,
 * yielding after each block. Each row still adds its path lengths in tree order, so the scores
 * are the same bits as in one pass.
 */
function* scoreBlocks(forest: Forest, x32: Float32Array, rows: number, cols: number): Steps<Float64Array> {
  const scores = new Float64Array(rows);
  for (let start = 0; start < rows; start += FOREST_BLOCK_ROWS) {
    const n = Math.min(FOREST_BLOCK_ROWS, rows - start);
    scores.set(scoreSamples(forest, x32.subarray(start * cols, (start + n) * cols), n, cols), start);
    yield;
  }
  return scores;
}

const FOREST_BLOCK_ROWS = 2048;

/** 1 for true, 0 for false, without a branch (V8 keeps the comparison's flag as an integer). */
const bit = (b: boolean): number => (b as unknown as number) | 0;

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
