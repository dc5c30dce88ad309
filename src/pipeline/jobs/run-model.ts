// The scoring model of a run: what `custseg run` fitted, in the custseg-model/1 layout.
import { type CustsegModel, MODEL_FORMAT } from "../../model/index.js";
import { forestToModel } from "../steps/forest-model.js";
import { VERSION } from "../../version.js";
import { ISOLATION_FOREST_DEFAULTS } from "../options.js";
import { FEATURE_NAMES } from "../steps/features.js";
import type { RunArtifacts } from "./run-artifacts.js";

/** Default name of cluster `id` until segments are named. */
export const defaultClusterName = (id: number) => `Cluster ${id}`;

export function runModel(a: RunArtifacts, createdAt = a.now.toISOString()): CustsegModel {
  const { opts, reduced, clusters, summary } = a;
  const fit = reduced.fit;
  const rows = (data: Float64Array, cols: number) => Array.from({ length: data.length / cols }, (_, i) => [...data.subarray(i * cols, i * cols + cols)]);
  return {
    format: MODEL_FORMAT,
    tool: { name: "custseg", version: VERSION },
    createdAt,
    mode: summary.mode,
    features: [...FEATURE_NAMES],
    asOf: a.asOf,
    data: { input: summary.input, sha256: a.sha256, synthetic: summary.synthetic, ...(summary.generator ? { generator: summary.generator } : {}) },
    parameters: {
      k: opts.k,
      seed: opts.seed,
      nInit: opts.nInit,
      maxIter: opts.maxIter,
      tol: opts.tol,
      init: opts.init,
      variance: opts.variance,
      outliersFrom: opts.outliersFrom ?? null,
    },
    scaling: a.scaled.model,
    pca: {
      varianceThreshold: opts.variance,
      nComponents: fit.nComponents,
      mean: [...fit.mean],
      components: rows(fit.components.data, fit.components.cols),
      explainedVariance: [...fit.explainedVariance],
      explainedVarianceRatio: [...fit.explainedVarianceRatio],
    },
    kmeans: {
      k: opts.k,
      init: opts.init,
      nInit: opts.nInit,
      maxIter: opts.maxIter,
      tol: opts.tol,
      seed: opts.seed,
      nIter: clusters.nIter,
      inertia: clusters.inertia,
      clusterOrder: a.clusterOrder ?? "by size, largest first",
      centroids: rows(clusters.centers, fit.nComponents),
    },
    clusters: clusters.sizes.map((size, id) => ({
      id,
      name: a.profiles.clusters[id]?.name ?? defaultClusterName(id),
      description: a.profiles.clusters[id]?.description ?? "",
      size,
      topProducts: a.recommendations.top.filter((t) => t.cluster === id).map((t) => ({ stockCode: t.stockCode, description: t.description })),
    })),
    outliers: a.forest
      ? {
          method: "isolation-forest",
          flagged: summary.outliers,
          forest: forestToModel(a.forest.forest, { contamination: ISOLATION_FOREST_DEFAULTS.contamination, seed: opts.seed, threshold: a.forest.threshold }),
        }
      : { method: "list", file: opts.outliersFrom, flagged: summary.outliers, forest: null },
    metrics: {
      silhouette: a.quality.silhouette,
      daviesBouldin: a.quality.daviesBouldin,
      calinskiHarabasz: a.quality.calinskiHarabasz,
      inertia: clusters.inertia,
      clusterSizes: clusters.sizes,
      clusterSilhouette: a.quality.clusterSilhouette,
    },
  };
}
