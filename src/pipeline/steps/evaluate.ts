// Metrics step: silhouette (overall, per sample and per cluster), Davies–Bouldin, Calinski–Harabasz.
import type { ResidentMatrix } from "../../engine/context.js";
import type { Engine } from "../../engine/engine.js";
import type { Matrix } from "../../engine/matrix.js";

export interface ClusterQuality {
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  /** Mean silhouette of each cluster's customers. */
  clusterSilhouette: number[];
  /** Per-customer silhouette, in row order. */
  samples: Float64Array;
}

/** Interruptible: the O(n²) silhouette yields to the event loop as it goes (see engine/steps.ts). */
export async function evaluateClusters(engine: Engine, x: Matrix | ResidentMatrix, labels: Int32Array, k: number, signal?: AbortSignal): Promise<ClusterQuality> {
  const { score, samples } = await engine.silhouetteInterruptible(x, labels, { samples: true }, signal);
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  samples!.forEach((s, i) => {
    sums[labels[i]!]! += s;
    counts[labels[i]!]!++;
  });
  return {
    silhouette: score,
    daviesBouldin: engine.daviesBouldin(x, labels),
    calinskiHarabasz: engine.calinskiHarabasz(x, labels),
    clusterSilhouette: [...sums].map((s, c) => s / counts[c]!),
    samples: samples!,
  };
}
