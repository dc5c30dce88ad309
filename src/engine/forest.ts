// Isolation forest on WASM memory (assembly/forest.ts) with scikit-learn 1.2's IsolationForest and
// ExtraTreeRegressor semantics: each tree grows on `maxSamples` rows drawn without replacement; a
// node picks a feature uniformly among those not constant on its rows and a threshold uniformly in
// [min, max); rows with x <= threshold go left; growth stops at depth ceil(log2(maxSamples)) or at
// a single row. Rows are rounded to float32 first, as scikit-learn's trees see them. The kernels
// mirror the TypeScript reference (reference/forest.ts) operation for operation: same trees, same
// path sums, bit for bit.
import { CHUNK_ROWS, chunkCount, type EngineContext, forChunkRange, forEachChunkSteps } from "./context.js";
import { averagePathLength, checkTreeCount, type Forest, type ForestOptions, forestShape, MAX_FOREST_SAMPLES } from "./forest-model.js";
import type { Matrix } from "./matrix.js";
import { deriveSeed } from "./rng.js";
import type { Steps } from "./steps.js";

/**
 * Values rounded per call of roundToF32. X goes in as f64 a block at a time, each rounded while it
 * is in cache: a Float32Array's set() from f64 values copies one value at a time into the threads'
 * shared memory, twice as slow as the f64 copy and the rounding together.
 */
const ROUND_BLOCK = 1 << 15;

/** x rounded to float32 in scratch memory; throws naming the first value that is not a finite float32. */
function putRows(ctx: EngineContext, x: Matrix): number {
  const { data, rows, cols } = x;
  if (data.length !== rows * cols) throw new RangeError(`matrix data has ${data.length} values, expected ${rows} × ${cols}`);
  const { arena, kernels } = ctx;
  const ptr = arena.alloc(data.length * 4);
  const mark = arena.mark();
  const block = arena.alloc(Math.min(data.length, ROUND_BLOCK) * 8);
  for (let at = 0; at < data.length; at += ROUND_BLOCK) {
    const len = Math.min(ROUND_BLOCK, data.length - at);
    arena.f64(block, len).set(data.subarray(at, at + len));
    kernels.roundToF32(block, ptr + at * 4, len);
  }
  arena.release(mark);
  // As scikit-learn's input check: no NaN, and nothing beyond float32's range.
  const i = kernels.firstNonFiniteF32(ptr, data.length);
  if (i >= 0) throw new RangeError(`X row ${Math.floor(i / cols) + 1}, column ${(i % cols) + 1} is ${data[i]}, not a finite float32`);
  return ptr;
}

/** Trees grown per step: a tree costs O(maxSamples · depth), microseconds. */
const TREES_PER_STEP = 64;

/** Grow the forest on x's rows, the trees shared among the engine's threads, TREES_PER_STEP per step. */
export function* growForestSteps(ctx: EngineContext, x: Matrix, o: ForestOptions): Steps<Forest> {
  const { rows: n, cols } = x;
  const { seed, nTrees, maxSamples } = o;
  checkTreeCount(nTrees);
  if (!(Number.isInteger(maxSamples) && maxSamples >= 1 && maxSamples <= Math.min(n, MAX_FOREST_SAMPLES))) {
    throw new RangeError(`maxSamples must be an integer in 1..${Math.min(n, MAX_FOREST_SAMPLES)}, got ${maxSamples}`);
  }
  const { maxDepth, nodesPerTree } = forestShape(maxSamples);
  const { arena, kernels } = ctx;
  const mark = arena.mark();
  try {
    const xPtr = putRows(ctx, x);
    const slots = nTrees * nodesPerTree;
    const featurePtr = arena.alloc(slots * 4);
    const valuePtr = arena.alloc(slots * 8);
    const pathPtr = arena.putF64(Float64Array.from({ length: maxSamples + 1 }, (_, s) => averagePathLength(s)));
    const seedsPtr = arena.putI32(Int32Array.from({ length: nTrees }, (_, t) => deriveSeed(seed, t) | 0));
    const scratchPtr = arena.alloc(nTrees * kernels.forestScratchBytes(maxSamples, cols, maxDepth));
    const args = [xPtr, n, cols, maxSamples, maxDepth, nodesPerTree, seedsPtr, featurePtr, valuePtr, pathPtr, scratchPtr] as const;
    for (let first = 0; first < nTrees; first += TREES_PER_STEP) {
      forChunkRange(ctx, "forestGrowChunk", [...args], first, Math.min(nTrees, first + TREES_PER_STEP));
      yield;
    }
    return { nTrees, nodesPerTree, maxDepth, maxSamples, feature: arena.i32(featurePtr, slots).slice(), value: arena.f64(valuePtr, slots).slice() };
  } finally {
    arena.release(mark);
  }
}

/**
 * Each row's path lengths summed over the trees, in tree order: scikit-learn's score_samples is
 * −2^(−sum / (nTrees · c(maxSamples))). Chunks of rows shared among the engine's threads, a group
 * of chunks per step.
 */
export function* forestPathSumsSteps(ctx: EngineContext, forest: Forest, x: Matrix): Steps<Float64Array> {
  const { rows: n, cols } = x;
  const { nTrees, nodesPerTree, maxDepth, feature, value } = forest;
  if (feature.length !== nTrees * nodesPerTree || value.length !== feature.length) {
    throw new RangeError(`the forest's arrays hold ${feature.length} and ${value.length} nodes, not ${nTrees} × ${nodesPerTree}`);
  }
  for (let i = 0; i < feature.length; i++) {
    const f = feature[i]!;
    if (f < 0 || f >= cols) throw new RangeError(`the forest splits on column ${f + 1}, X has ${cols}`);
  }
  const { arena } = ctx;
  const mark = arena.mark();
  try {
    const xPtr = putRows(ctx, x);
    const featurePtr = arena.putI32(feature);
    const valuePtr = arena.putF64(value);
    const sumsPtr = arena.alloc(n * 8);
    yield* forEachChunkSteps(ctx, "forestPathSumsChunk", [xPtr, n, cols, featurePtr, valuePtr, nTrees, nodesPerTree, maxDepth, sumsPtr, CHUNK_ROWS], chunkCount(n), nTrees * maxDepth);
    return arena.f64(sumsPtr, n).slice();
  } finally {
    arena.release(mark);
  }
}
