// The isolation forest's shape and options (see forest.ts), apart from the WASM side so that the
// TypeScript reference and the pipeline can use them without loading the engine.

/**
 * All trees in flat arrays, each a complete binary tree of depth `maxDepth` in heap order (children
 * of node k at 2k + 1 and 2k + 2; node k of tree t at slot `t * nodesPerTree + k`), so every walk
 * takes exactly `maxDepth` steps and needs no child pointers or leaf tests. An internal node holds
 * its feature and threshold in `value`. A leaf above the bottom becomes a chain of pass-through
 * nodes (threshold +∞: always left) down to the bottom level. Bottom slots hold the leaf's depth
 * + c(rows in it); slots under no node stay 0.
 */
export interface Forest {
  nTrees: number;
  nodesPerTree: number;
  maxDepth: number;
  maxSamples: number;
  feature: Int32Array;
  value: Float64Array;
}

export interface ForestOptions {
  /** Tree t draws from `Rng.derive(seed, t)`. */
  seed: number;
  nTrees: number;
  /** Rows per tree: 1 … min(rows, MAX_FOREST_SAMPLES). */
  maxSamples: number;
}

/** Trees are stored complete: 2^13 − 1 nodes each at this size. */
export const MAX_FOREST_SAMPLES = 4096;

/** Trees in a forest at most: 10,000 trees of 4,096 rows take about 1 GB of nodes (scikit-learn's default is 100). */
export const MAX_FOREST_TREES = 10_000;

/** Throws unless nTrees is a whole number in 1..MAX_FOREST_TREES. */
export function checkTreeCount(nTrees: number): void {
  if (!(Number.isInteger(nTrees) && nTrees >= 1 && nTrees <= MAX_FOREST_TREES)) throw new RangeError(`nTrees must be an integer in 1..${MAX_FOREST_TREES}, got ${nTrees}`);
}

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n keys: c(n) of Liu et al. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** Depth and nodes per tree of a forest grown on `maxSamples` rows per tree. */
export function forestShape(maxSamples: number): { maxDepth: number; nodesPerTree: number } {
  const maxDepth = Math.ceil(Math.log2(Math.max(maxSamples, 2)));
  return { maxDepth, nodesPerTree: 2 ** (maxDepth + 1) - 1 };
}
