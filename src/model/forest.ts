// The IsolationForest between its in-memory form (flat typed arrays, +∞ for pass-through nodes)
// and model.json's (one object per tree, null for pass-through nodes: JSON has no infinity).
import type { ModelForest } from "./model.js";

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

export function forestToModel(forest: Forest, meta: { contamination: number; seed: number; threshold: number }): ModelForest {
  const { nTrees, nodesPerTree, maxDepth, maxSamples, feature, value } = forest;
  const trees = Array.from({ length: nTrees }, (_, t) => {
    const base = t * nodesPerTree;
    return {
      feature: Array.from(feature.subarray(base, base + nodesPerTree)),
      value: Array.from(value.subarray(base, base + nodesPerTree), (v) => (v === Number.POSITIVE_INFINITY ? null : v)),
    };
  });
  return { nTrees, maxSamples, maxDepth, contamination: meta.contamination, seed: meta.seed, threshold: meta.threshold, trees };
}

export function forestFromModel(m: ModelForest): Forest {
  const nodesPerTree = 2 ** (m.maxDepth + 1) - 1;
  const feature = new Int32Array(m.nTrees * nodesPerTree);
  const value = new Float64Array(m.nTrees * nodesPerTree);
  m.trees.forEach((tree, t) => {
    const base = t * nodesPerTree;
    for (let k = 0; k < nodesPerTree; k++) {
      const v = tree.value[k];
      feature[base + k] = tree.feature[k]!;
      value[base + k] = v === null || v === undefined ? Number.POSITIVE_INFINITY : v;
    }
  });
  return { nTrees: m.nTrees, nodesPerTree, maxDepth: m.maxDepth, maxSamples: m.maxSamples, feature, value };
}
