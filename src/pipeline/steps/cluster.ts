// k-means step: fit on the PCA scores (Lloyd, or mini-batch past a size), then number the clusters
// by size, largest first (ties keep the fitted order), so that cluster 0 is always the biggest
// segment in both modes.
import type { ResidentMatrix } from "../../engine/context.js";
import type { Engine } from "../../engine/engine.js";
import type { KMeansInit, KMeansResult } from "../../engine/kmeans.js";
import type { Matrix } from "../../engine/matrix.js";
import type { ClusterAlgorithm } from "../options.js";

export interface ClusterOptions {
  k: number;
  init: KMeansInit;
  nInit: number;
  maxIter: number;
  tol: number;
  seed: number;
  /** Default "lloyd". */
  algorithm?: ClusterAlgorithm;
  /** "auto" fits mini-batch k-means past this many rows. */
  minibatchAbove?: number;
  /** Rows per mini-batch step. */
  batchSize?: number;
}

export interface Clustered extends KMeansResult {
  /** Customers per cluster, indexed by the size-ordered cluster number. */
  sizes: number[];
  /** The algorithm that ran (absent in outputs stored before there was a choice: Lloyd). */
  algorithm?: "lloyd" | "minibatch";
  /** Mini-batch steps taken (mini-batch only; nIter counts passes' worth of rows). */
  nSteps?: number;
}

/** The algorithm "auto" stands for at this many rows. */
export function resolveAlgorithm(algorithm: ClusterAlgorithm, rows: number, minibatchAbove: number): "lloyd" | "minibatch" {
  if (algorithm !== "auto") return algorithm;
  return rows > minibatchAbove ? "minibatch" : "lloyd";
}

/**
 * Interruptible: the fit yields to the event loop between iterations or groups of mini-batch
 * steps (see engine/steps.ts). Mini-batch takes the same k, init, runs, passes, tolerance and seed.
 */
export async function clusterCustomers(engine: Engine, x: Matrix | ResidentMatrix, opts: ClusterOptions, signal?: AbortSignal): Promise<Clustered> {
  const algorithm = resolveAlgorithm(opts.algorithm ?? "lloyd", x.rows, opts.minibatchAbove ?? Number.POSITIVE_INFINITY);
  const { k, init, nInit, maxIter, tol, seed } = opts;
  const fit =
    algorithm === "minibatch"
      ? await engine.minibatchKMeansInterruptible(x, { k, init, nInit, maxIter, tol, seed, batchSize: opts.batchSize }, signal)
      : await engine.kmeansInterruptible(x, { k, init, nInit, maxIter, tol, seed }, signal);
  return { ...orderBySize(fit, x.cols), algorithm };
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
