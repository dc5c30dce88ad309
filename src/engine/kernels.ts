// Every export of the WASM module, declared once. Pointers are byte offsets into linear memory,
// i32/u32/f64 all arrive as numbers; a kernel returns a number or nothing. A renamed or re-shaped
// kernel fails to compile here and in the test that compares this list with the built module,
// not at run time.

export interface Kernels {
  // assembly/distance.ts
  sqDistances(x: number, n: number, y: number, m: number, d: number, out: number): void;
  firstNonFinite(ptr: number, len: number): number;
  firstNonFiniteF32(ptr: number, len: number): number;
  // assembly/kmeans.ts
  rowSqNormsChunk(x: number, n: number, d: number, out: number, chunkRows: number, chunk: number): void;
  lloydChunk(x: number, n: number, d: number, centers: number, cNorms: number, k: number, xNorms: number, normsKnown: number, labels: number, sums: number, counts: number, changed: number, update: number, ct: number, chunkRows: number, chunk: number): void;
  inertiaChunk(x: number, n: number, d: number, centers: number, labels: number, partial: number, chunkRows: number, chunk: number): void;
  seedPotentialChunk(x: number, n: number, d: number, cands: number, t: number, closest: number, outs: number, pots: number, chunkRows: number, chunk: number): void;
  seedUpdateChunk(x: number, n: number, d: number, cand: number, closest: number, pots: number, chunkRows: number, chunk: number): void;
  searchCumsum(v: number, n: number, targets: number, t: number, out: number): void;
  searchCumsumChunks(v: number, n: number, sums: number, stride: number, chunkRows: number, potential: number, targets: number, t: number, out: number): void;
  mergeChunks(partials: number, nChunks: number, len: number, out: number): void;
  meanColumnVariance(x: number, n: number, d: number, scratch: number): number;
  lloydChunkBounded(x: number, n: number, d: number, centers: number, cNorms: number, k: number, xNorms: number, normsKnown: number, labels: number, sums: number, counts: number, changed: number, update: number, upper: number, lower: number, shifts: number, boundsValid: number, ct: number, chunkRows: number, chunk: number): void;
  pairCentres(centers: number, cNorms: number, k: number, d: number, ct: number): void;
  /** Writes the labels changed to info[0]; returns the total squared centre shift. */
  lloydUpdate(x: number, n: number, d: number, k: number, cur: number, next: number, labels: number, sums: number, counts: number, changed: number, weights: number, scratch: number, shifts: number, chunks: number, info: number): number;
  /** Returns the pointer of the buffer holding the final centres. */
  lloydRun(x: number, n: number, d: number, k: number, a: number, b: number, cNorms: number, xNorms: number, normsKnown: number, labels: number, sums: number, counts: number, changed: number, weights: number, partial: number, scratch: number, bounds: number, shifts: number, ct: number, maxIter: number, tolerance: number, chunkRows: number, chunks: number, info: number): number;
  // assembly/kmeans-single.ts
  singleFilterAvailable(): number;
  singleCopyChunk(x: number, n: number, d: number, xs: number, xn: number, chunkRows: number, chunk: number): void;
  layoutSingleCentres(centers: number, cNorms: number, k: number, d: number, out: number): void;
  lloydChunkSingle(x: number, n: number, d: number, centers: number, cNorms: number, k: number, xNorms: number, normsKnown: number, labels: number, sums: number, counts: number, changed: number, update: number, ct: number, xs: number, xn: number, cs: number, fallbacks: number, chunkRows: number, chunk: number): void;
  lloydChunkBoundedSingle(x: number, n: number, d: number, centers: number, cNorms: number, k: number, xNorms: number, normsKnown: number, labels: number, sums: number, counts: number, changed: number, update: number, upper: number, lower: number, ct: number, xs: number, xn: number, cs: number, fallbacks: number, chunkRows: number, chunk: number): void;
  // assembly/lloyd-run.ts
  wholeRunSlotBytes(n: number, d: number, k: number, trials: number, chunkRows: number): number;
  wholeRunChunk(x: number, n: number, d: number, k: number, runs: number, slotBytes: number, plusPlus: number, trials: number, maxIter: number, tolerance: number, chunkRows: number, chunk: number): void;
  // assembly/rng.ts
  rngSeed(seed: number): void;
  rngNextU32(): number;
  rngNextFloat(): number;
  rngFillFloat(ptr: number, len: number): void;
  rngNextInt(n: number): number;
  // assembly/pca.ts
  covarianceChunk(x: number, n: number, d: number, partials: number, chunkRows: number, chunk: number): void;
  covarianceMerge(partials: number, nChunks: number, n: number, d: number, chunkRows: number, mean: number, cov: number): void;
  projectChunk(x: number, n: number, d: number, mean: number, w: number, p: number, out: number, best: number, chunkRows: number, chunk: number): void;
  scaleColumns(m: number, n: number, p: number, signs: number): void;
  // assembly/scale.ts
  columnSums(x: number, n: number, d: number, out: number): void;
  centredColumnMoments(x: number, n: number, d: number, center: number, sum: number, sumSq: number): void;
  standardize(x: number, n: number, d: number, mean: number, scale: number, out: number): void;
  normalizeRows(x: number, n: number, d: number, out: number): void;
  // assembly/silhouette.ts
  silhouetteSlotsLength(n: number, k: number, bandRows: number): number;
  silhouetteBand(x: number, n: number, d: number, labels: number, starts: number, k: number, slots: number, bandRows: number, step: number, steps: number, band: number): void;
  silhouetteMerge(n: number, labels: number, starts: number, k: number, slots: number, bandRows: number, sums: number, out: number): void;
  gatherRows(x: number, d: number, perm: number, n: number, out: number): void;
  // assembly/metrics.ts
  clusterSumsChunk(x: number, n: number, d: number, labels: number, k: number, partials: number, chunkRows: number, chunk: number): void;
  centroidDistChunk(x: number, n: number, d: number, labels: number, centroids: number, k: number, squared: number, partials: number, chunkRows: number, chunk: number): void;
  // assembly/score.ts
  scoreChunk(
    x: number, n: number, d: number, colMajor: number, scaleOn: number, mean: number, scale: number, normIdx: number, nNorm: number,
    p: number, pcaMean: number, w: number, centers: number, k: number, scratch: number,
    outPc: number, labels: number, dist1: number, dist2: number, chunkRows: number, chunk: number,
  ): void;
  // assembly/minibatch.ts
  /** Returns the batch's inertia against the old centres. */
  minibatchStep(x: number, d: number, idx: number, b: number, centers: number, k: number, next: number, counts: number, batchCounts: number, labels: number): number;
  nearestCentreChunk(x: number, n: number, d: number, centers: number, k: number, labels: number, partial: number, chunkRows: number, chunk: number): void;
  // assembly/forest.ts
  roundToF32(src: number, dst: number, len: number): void;
  forestScratchBytes(maxSamples: number, cols: number, maxDepth: number): number;
  forestGrowChunk(x: number, n: number, cols: number, maxSamples: number, maxDepth: number, nodesPerTree: number, seeds: number, feature: number, value: number, pathLength: number, scratch: number, chunk: number): void;
  forestPathSumsChunk(x: number, n: number, cols: number, feature: number, value: number, nTrees: number, nodesPerTree: number, maxDepth: number, sums: number, chunkRows: number, chunk: number): void;
}

/** Each export's parameter count: the list the built module is checked against. */
export const KERNEL_ARITY: { readonly [K in keyof Kernels]: number } = {
  sqDistances: 6,
  firstNonFinite: 2,
  firstNonFiniteF32: 2,
  rowSqNormsChunk: 6,
  lloydChunk: 16,
  inertiaChunk: 8,
  seedPotentialChunk: 10,
  seedUpdateChunk: 8,
  searchCumsum: 5,
  searchCumsumChunks: 9,
  mergeChunks: 4,
  meanColumnVariance: 4,
  lloydChunkBounded: 20,
  pairCentres: 5,
  lloydUpdate: 15,
  lloydRun: 24,
  singleFilterAvailable: 0,
  singleCopyChunk: 7,
  layoutSingleCentres: 5,
  lloydChunkSingle: 20,
  lloydChunkBoundedSingle: 22,
  wholeRunSlotBytes: 5,
  wholeRunChunk: 12,
  rngSeed: 1,
  rngNextU32: 0,
  rngNextFloat: 0,
  rngFillFloat: 2,
  rngNextInt: 1,
  covarianceChunk: 6,
  covarianceMerge: 7,
  projectChunk: 10,
  scaleColumns: 4,
  columnSums: 4,
  centredColumnMoments: 6,
  standardize: 6,
  normalizeRows: 4,
  silhouetteSlotsLength: 3,
  silhouetteBand: 11,
  silhouetteMerge: 8,
  gatherRows: 5,
  clusterSumsChunk: 8,
  centroidDistChunk: 10,
  scoreChunk: 21,
  minibatchStep: 10,
  nearestCentreChunk: 9,
  roundToF32: 3,
  forestScratchBytes: 3,
  forestGrowChunk: 12,
  forestPathSumsChunk: 11,
};

/** Every kernel name, in declaration order (the thread pool's table of kernels). */
export const KERNEL_NAMES = Object.keys(KERNEL_ARITY) as (keyof Kernels)[];

/** Kernels that process one chunk (or band) of rows per call, its index being the last argument. */
export const CHUNKED_KERNELS = ["rowSqNormsChunk", "lloydChunk", "lloydChunkBounded", "wholeRunChunk", "inertiaChunk", "seedPotentialChunk", "seedUpdateChunk", "singleCopyChunk", "lloydChunkSingle", "lloydChunkBoundedSingle", "covarianceChunk", "projectChunk", "silhouetteBand", "clusterSumsChunk", "centroidDistChunk", "scoreChunk", "nearestCentreChunk", "forestGrowChunk", "forestPathSumsChunk"] as const;

export type ChunkedKernel = (typeof CHUNKED_KERNELS)[number];

/** A chunked kernel's arguments before the chunk index. */
export type ChunkArgs<K extends ChunkedKernel> = Kernels[K] extends (...args: [...infer A extends number[], number]) => void ? A : never;

/** The arguments before `chunkRows` and the chunk index, for kernels whose chunks are CHUNK_ROWS rows. */
export type RowChunkArgs<K extends ChunkedKernel> = ChunkArgs<K> extends [...infer A extends number[], number] ? A : never;
