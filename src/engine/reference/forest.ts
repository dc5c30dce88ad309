// Plain-TypeScript isolation forest: the oracle of assembly/forest.ts (see ../forest.ts for the
// semantics and the layout). Same draws, same comparisons, same summation order.
import { averagePathLength, type Forest, type ForestOptions, forestShape } from "../forest-model.js";
import type { Matrix } from "../matrix.js";
import { Rng } from "../rng.js";

const CONSTANT_SPAN = 1e-7;

export function growForest(x: Matrix, o: ForestOptions): Forest {
  const { rows: n, cols } = x;
  const { seed, nTrees, maxSamples } = o;
  const { maxDepth, nodesPerTree } = forestShape(maxSamples);
  const x32 = Float32Array.from(x.data);
  const feature = new Int32Array(nTrees * nodesPerTree);
  const value = new Float64Array(nTrees * nodesPerTree);
  const pool = new Int32Array(n);
  const rows = new Int32Array(maxSamples);
  const features = new Int32Array(cols);
  const stack = new Int32Array(4 * (maxDepth + 2));
  for (let t = 0; t < nTrees; t++) {
    const rng = Rng.derive(seed, t);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let k = 0; k < maxSamples; k++) {
      const j = k + rng.nextInt(n - k);
      const r = pool[j]!;
      pool[j] = pool[k]!;
      pool[k] = r;
      rows[k] = r;
    }
    const base = t * nodesPerTree;
    // Pending nodes (heap index, first row, end row, depth), depth-first.
    stack.set([0, 0, maxSamples, 0], 0);
    let sp = 4;
    while (sp > 0) {
      const depth = stack[--sp]!;
      const end = stack[--sp]!;
      const start = stack[--sp]!;
      const k = stack[--sp]!;
      const size = end - start;
      let splitFeature = -1;
      let lo = 0;
      let hi = 0;
      if (size > 1 && depth < maxDepth) {
        for (let f = 0; f < cols; f++) features[f] = f;
        let remaining = cols;
        while (remaining > 0) {
          const j = rng.nextInt(remaining);
          const f = features[j]!;
          lo = Infinity;
          hi = -Infinity;
          for (let r = start; r < end; r++) {
            const v = x32[rows[r]! * cols + f]!;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
          if (hi > lo + CONSTANT_SPAN) {
            splitFeature = f;
            break;
          }
          features[j] = features[--remaining]!;
          features[remaining] = f;
        }
      }
      if (splitFeature < 0) {
        let slot = k;
        for (let d = depth; d < maxDepth; d++) {
          value[base + slot] = Infinity;
          slot = 2 * slot + 1;
        }
        value[base + slot] = depth + averagePathLength(size);
        continue;
      }
      let threshold = lo + rng.nextFloat() * (hi - lo);
      if (threshold === hi) threshold = lo;
      let mid = start;
      for (let r = start; r < end; r++) {
        const row = rows[r]!;
        if (x32[row * cols + splitFeature]! <= threshold) {
          rows[r] = rows[mid]!;
          rows[mid++] = row;
        }
      }
      feature[base + k] = splitFeature;
      value[base + k] = threshold;
      stack.set([2 * k + 1, start, mid, depth + 1, 2 * k + 2, mid, end, depth + 1], sp);
      sp += 8;
    }
  }
  return { nTrees, nodesPerTree, maxDepth, maxSamples, feature, value };
}

/** Each row's path lengths summed over the trees, in tree order. */
export function forestPathSums(forest: Forest, x: Matrix): Float64Array {
  const { nTrees, nodesPerTree, maxDepth, feature, value } = forest;
  const { rows: n, cols } = x;
  const x32 = Float32Array.from(x.data);
  const sums = new Float64Array(n);
  for (let t = 0; t < nTrees; t++) {
    const base = t * nodesPerTree;
    for (let i = 0; i < n; i++) {
      let k = 0;
      for (let d = 0; d < maxDepth; d++) k = x32[i * cols + feature[base + k]!]! <= value[base + k]! ? 2 * k + 1 : 2 * k + 2;
      sums[i] += value[base + k]!;
    }
  }
  return sums;
}
