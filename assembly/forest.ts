// Isolation forest: growing trees and walking rows down them, one tree or one chunk of rows per
// call (so the engine's threads share the work), mirroring the TypeScript reference
// (src/engine/reference/forest.ts) operation for operation, so the trees and the summed path
// lengths are the same bits for any thread count. Rows are float32 (as scikit-learn's trees see
// them), compared and split in f64 as the reference does.
import { rngNextFloat, rngNextInt, rngSeed } from "./rng";
import { chunkEnd, chunkStart } from "./simd";
import { zeroF64 } from "./util/rows";

/** scikit-learn's FEATURE_THRESHOLD: a feature spanning no more than this on a node is constant there. */
const CONSTANT_SPAN: f64 = 1e-7;

/**
 * dst[i] = src[i] rounded to float32 (to nearest, ties to even: Math.fround's rounding) for len
 * values: X as the trees see it, from a block of f64 values the caller copied in.
 */
export function roundToF32(src: usize, dst: usize, len: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 3 < len; i += 4) {
      const lo = f32x4.demote_f64x2_zero(v128.load(src + ((<usize>i) << 3)));
      const hi = f32x4.demote_f64x2_zero(v128.load(src + ((<usize>i) << 3), 16));
      v128.store(dst + ((<usize>i) << 2), i64x2.shuffle(lo, hi, 0, 2));
    }
  }
  for (; i < len; i++) store<f32>(dst + ((<usize>i) << 2), <f32>load<f64>(src + ((<usize>i) << 3)));
}

/**
 * Bytes of one tree's scratch space for forestGrowChunk: the drawn rows, the swap table of the
 * draw, the features left to try and the stack of pending nodes.
 */
export function forestScratchBytes(maxSamples: i32, cols: i32, maxDepth: i32): i32 {
  return (maxSamples + 2 * swapTableSize(maxSamples) + cols + 4 * (maxDepth + 2)) << 2;
}

/**
 * Grows tree `chunk` (complete, heap order; see src/engine/forest-model.ts) into its slots of
 * `feature` (i32) and `value` (f64), which it zeroes first. `seeds[chunk]` seeds the generator
 * (the tree's derived stream); `pathLength[s]` is c(s) for s in 0..maxSamples; the tree's scratch
 * is at scratch + chunk · forestScratchBytes(…). Trees share nothing else, so any thread may grow any.
 */
export function forestGrowChunk(
  x: usize, n: i32, cols: i32, maxSamples: i32, maxDepth: i32, nodesPerTree: i32, seeds: usize,
  feature: usize, value: usize, pathLength: usize, scratch: usize, chunk: i32,
): void {
  rngSeed(load<u32>(seeds + ((<usize>chunk) << 2)));
  feature += (<usize>chunk * <usize>nodesPerTree) << 2;
  value += (<usize>chunk * <usize>nodesPerTree) << 3;
  memory.fill(feature, 0, (<usize>nodesPerTree) << 2);
  zeroF64(value, nodesPerTree);
  const tableSize = swapTableSize(maxSamples);
  const rows = scratch + <usize>chunk * <usize>forestScratchBytes(maxSamples, cols, maxDepth);
  const keys = rows + ((<usize>maxSamples) << 2);
  const vals = keys + ((<usize>tableSize) << 2);
  const features = vals + ((<usize>tableSize) << 2);
  const stack = features + ((<usize>cols) << 2);
  drawRows(n, maxSamples, rows, keys, vals, tableSize);
  let sp = 0;
  push(stack, sp++, 0);
  push(stack, sp++, 0);
  push(stack, sp++, maxSamples);
  push(stack, sp++, 0);
  while (sp > 0) {
    const depth = pop(stack, --sp);
    const end = pop(stack, --sp);
    const start = pop(stack, --sp);
    const k = pop(stack, --sp);
    const size = end - start;
    let splitFeature = -1;
    let lo: f64 = 0;
    let hi: f64 = 0;
    if (size > 1 && depth < maxDepth) {
      // Draw features without replacement until one varies on this node, as the random splitter does.
      for (let f = 0; f < cols; f++) store<i32>(features + ((<usize>f) << 2), f);
      let remaining = cols;
      while (remaining > 0) {
        const j = <i32>rngNextInt(<u32>remaining);
        const f = load<i32>(features + ((<usize>j) << 2));
        lo = Infinity;
        hi = -Infinity;
        for (let r = start; r < end; r++) {
          const v = <f64>cell(x, cols, load<i32>(rows + ((<usize>r) << 2)), f);
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (hi > lo + CONSTANT_SPAN) {
          splitFeature = f;
          break;
        }
        remaining--;
        store<i32>(features + ((<usize>j) << 2), load<i32>(features + ((<usize>remaining) << 2)));
        store<i32>(features + ((<usize>remaining) << 2), f);
      }
    }
    if (splitFeature < 0) {
      let slot = k;
      for (let d = depth; d < maxDepth; d++) {
        store<f64>(value + ((<usize>slot) << 3), Infinity); // feature stays 0; every value is <= +∞
        slot = 2 * slot + 1;
      }
      store<f64>(value + ((<usize>slot) << 3), <f64>depth + load<f64>(pathLength + ((<usize>size) << 3)));
      continue;
    }
    let threshold = lo + rngNextFloat() * (hi - lo);
    if (threshold == hi) threshold = lo;
    // Partition rows[start:end) so that x <= threshold comes first.
    let mid = start;
    for (let r = start; r < end; r++) {
      const row = load<i32>(rows + ((<usize>r) << 2));
      if (<f64>cell(x, cols, row, splitFeature) <= threshold) {
        store<i32>(rows + ((<usize>r) << 2), load<i32>(rows + ((<usize>mid) << 2)));
        store<i32>(rows + ((<usize>mid) << 2), row);
        mid++;
      }
    }
    store<i32>(feature + ((<usize>k) << 2), splitFeature);
    store<f64>(value + ((<usize>k) << 3), threshold);
    push(stack, sp++, 2 * k + 1);
    push(stack, sp++, start);
    push(stack, sp++, mid);
    push(stack, sp++, depth + 1);
    push(stack, sp++, 2 * k + 2);
    push(stack, sp++, mid);
    push(stack, sp++, end);
    push(stack, sp++, depth + 1);
  }
}

/** A power of two at least twice the draw's size: the swap table stays at most half full. */
function swapTableSize(maxSamples: i32): i32 {
  let size = 2;
  while (size < 2 * maxSamples) size <<= 1;
  return size;
}

/**
 * The reference's partial Fisher–Yates over the pool 0 … n − 1 (the same draws, the same rows),
 * with the pool kept sparse: a table of the positions swapped so far, so a tree costs O(maxSamples)
 * rather than O(n). Position k is not read again after draw k, so only position j is written.
 */
function drawRows(n: i32, maxSamples: i32, rows: usize, keys: usize, vals: usize, tableSize: i32): void {
  memory.fill(keys, 0xff, (<usize>tableSize) << 2);
  const mask = tableSize - 1;
  for (let k = 0; k < maxSamples; k++) {
    const j = k + <i32>rngNextInt(<u32>(n - k));
    const sj = slotOf(keys, mask, j);
    const r = load<i32>(keys + sj) == j ? load<i32>(vals + sj) : j;
    const sk = slotOf(keys, mask, k);
    const atK = load<i32>(keys + sk) == k ? load<i32>(vals + sk) : k;
    store<i32>(keys + sj, j);
    store<i32>(vals + sj, atK);
    store<i32>(rows + ((<usize>k) << 2), r);
  }
}

/** Byte offset of `key`'s slot in the table (open addressing, linear probing), or of the empty slot where it goes. */
function slotOf(keys: usize, mask: i32, key: i32): usize {
  let s = <i32>((<u32>key * 0x9e3779b1) >>> 7) & mask;
  let at = load<i32>(keys + ((<usize>s) << 2));
  while (at != key && at != -1) {
    s = (s + 1) & mask;
    at = load<i32>(keys + ((<usize>s) << 2));
  }
  return (<usize>s) << 2;
}

/**
 * For rows chunk · chunkRows … (chunk + 1) · chunkRows − 1 of x (n rows in all), their path lengths
 * in trees 0 … nTrees − 1, added tree after tree (as the reference does) into `sums` (f64), which
 * it sets first. Every walk is `maxDepth` steps; the left/right choice is arithmetic (a coin flip to
 * a branch predictor), and four rows walk side by side so that their load chains overlap.
 */
export function forestPathSumsChunk(
  x: usize, n: i32, cols: i32, feature: usize, value: usize, nTrees: i32, nodesPerTree: i32, maxDepth: i32, sums: usize, chunkRows: i32, chunk: i32,
): void {
  const first = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  if (first >= end) return;
  zeroF64(sums + ((<usize>first) << 3), end - first);
  const end4 = first + ((end - first) & ~3);
  for (let t = 0; t < nTrees; t++) {
    const fb = feature + ((<usize>(t * nodesPerTree)) << 2);
    const vb = value + ((<usize>(t * nodesPerTree)) << 3);
    for (let i = first; i < end4; i += 4) {
      let k0 = 0;
      let k1 = 0;
      let k2 = 0;
      let k3 = 0;
      for (let d = 0; d < maxDepth; d++) {
        k0 = step(x, cols, i, fb, vb, k0);
        k1 = step(x, cols, i + 1, fb, vb, k1);
        k2 = step(x, cols, i + 2, fb, vb, k2);
        k3 = step(x, cols, i + 3, fb, vb, k3);
      }
      addLeaf(sums, i, vb, k0);
      addLeaf(sums, i + 1, vb, k1);
      addLeaf(sums, i + 2, vb, k2);
      addLeaf(sums, i + 3, vb, k3);
    }
    for (let i = end4; i < end; i++) {
      let k = 0;
      for (let d = 0; d < maxDepth; d++) k = step(x, cols, i, fb, vb, k);
      addLeaf(sums, i, vb, k);
    }
  }
}

// @ts-ignore: decorator
@inline
function step(x: usize, cols: i32, row: i32, fb: usize, vb: usize, k: i32): i32 {
  const v = <f64>cell(x, cols, row, load<i32>(fb + ((<usize>k) << 2)));
  return 2 * k + 2 - <i32>(v <= load<f64>(vb + ((<usize>k) << 3)));
}

// @ts-ignore: decorator
@inline
function addLeaf(sums: usize, row: i32, vb: usize, k: i32): void {
  const at = sums + ((<usize>row) << 3);
  store<f64>(at, load<f64>(at) + load<f64>(vb + ((<usize>k) << 3)));
}

// @ts-ignore: decorator
@inline
function cell(x: usize, cols: i32, row: i32, f: i32): f32 {
  return load<f32>(x + ((<usize>(row * cols + f)) << 2));
}

// @ts-ignore: decorator
@inline
function push(stack: usize, at: i32, v: i32): void {
  store<i32>(stack + ((<usize>at) << 2), v);
}

// @ts-ignore: decorator
@inline
function pop(stack: usize, at: i32): i32 {
  return load<i32>(stack + ((<usize>at) << 2));
}
