// k-means step: fit on the PCA scores, then number the clusters by size, largest first (ties keep
// the fitted order), so that cluster 0 is always the biggest segment in both modes.
import type { ResidentMatrix } from "../../engine/context.js";
import type { Engine } from "../../engine/engine.js";
import type { KMeansInit, KMeansResult } from "../../engine/kmeans.js";
import type { Matrix } from "../../engine/matrix.js";

export interface ClusterOptions {
  k: number;
  init: KMeansInit;
  nInit: number;
  maxIter: number;
  tol: number;
  seed: number;
}

export interface Clustered extends KMeansResult {
  /** Customers per cluster, indexed by the size-ordered cluster number. */
  sizes: number[];
}

/** Interruptible: the fit yields to the event loop between iterations (see engine/steps.ts). */
export async function clusterCustomers(engine: Engine, x: Matrix | ResidentMatrix, opts: ClusterOptions, signal?: AbortSignal): Promise<Clustered> {
  return orderBySize(await engine.kmeansInterruptible(x, opts, signal), x.cols);
}

/** Renumber clusters by size, largest first; the centres move with their labels. */
export function orderBySize(fit: KMeansResult, d: number): Clustered {
  const { k } = fit;
  const counts = new Array<number>(k).fill(0);
  for (const l of fit.labels) counts[l]!++;
  const order = counts.map((_, c) => c).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const newOf = new Int32Array(k);
  order.forEach((old, rank) => {
    newOf[old] = rank;
  });
  const labels = fit.labels.map((l) => newOf[l]!);
  const centers = new Float64Array(k * d);
  order.forEach((old, rank) => {
    centers.set(fit.centers.subarray(old * d, old * d + d), rank * d);
  });
  return { ...fit, labels, centers, sizes: order.map((old) => counts[old]!) };
}
