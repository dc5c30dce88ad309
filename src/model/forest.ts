// The IsolationForest between its in-memory form (flat typed arrays, +∞ for pass-through nodes)
// and model.json's (one object per tree, null for pass-through nodes: JSON has no infinity).
import type { Forest } from "../pipeline/outliers.js";
import type { ModelForest } from "./model.js";

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
