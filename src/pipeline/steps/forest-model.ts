// The IsolationForest between its in-memory form (flat typed arrays, +∞ for pass-through nodes)
// and model.json's (one object per tree, null for pass-through nodes: JSON has no infinity).
import type { ModelForest } from "../../model/index.js";
import type { Forest } from "../../engine/forest-model.js";

export function forestToModel(forest: Forest, meta: { contamination: number; seed: number; threshold: number }): ModelForest {
  const { nTrees, nodesPerTree, maxDepth, maxSamples, feature, value } = forest;
  const trees: ModelForest["trees"] = [];
  for (let t = 0; t < nTrees; t++) {
    const base = t * nodesPerTree;
    // Plain loops: Array.from with a mapping function is several times slower on 100 × 511 nodes.
    const f: number[] = new Array(nodesPerTree);
    const v: (number | null)[] = new Array(nodesPerTree);
    for (let k = 0; k < nodesPerTree; k++) {
      f[k] = feature[base + k]!;
      const x = value[base + k]!;
      v[k] = x === Number.POSITIVE_INFINITY ? null : x;
    }
    trees.push({ feature: f, value: v });
  }
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
