// Matching a retrained model's clusters to the production model's, so that cluster numbers (and
// with them segment names) stay put across a promotion. Each model's centroids are carried from
// its own PC space back to feature units (through its PCA and its scaler), then standardised with
// one scaler fitted on the new customers, where the two sets are comparable; the Hungarian method
// pairs them at the least total squared distance. Features a model row-normalised (seed compatibility)
// cannot be carried back and take no part.
import { UserError } from "../../errors.js";
import type { Clustered } from "./cluster.js";
import { hungarian } from "./hungarian.js";
import type { ScalingModel } from "./scale.js";
import { groupDigits } from "../../digits.js";

/** What locates a model's centroids: its scaler, its PCA, and k rows of p component scores. */
export interface CentroidGeometry {
  scaling: ScalingModel;
  /** PCA mean (d) and components (p rows of d), in the scaled feature space. */
  pca: { mean: ArrayLike<number>; components: ArrayLike<number>[] };
  centroids: ArrayLike<number>[];
}

/** k×d centroids in feature units, NaN in the row-normalised features. */
export function centroidsInFeatureUnits(features: readonly string[], g: CentroidGeometry): Float64Array {
  const d = features.length;
  const k = g.centroids.length;
  const out = new Float64Array(k * d);
  const std = g.scaling.standardized;
  for (let c = 0; c < k; c++) {
    const scores = g.centroids[c]!;
    features.forEach((name, j) => {
      let z = g.pca.mean[j]!;
      for (let q = 0; q < g.pca.components.length; q++) z += scores[q]! * g.pca.components[q]![j]!;
      const s = std.features.indexOf(name);
      out[c * d + j] = s >= 0 ? z * std.scale[s]! + std.mean[s]! : g.scaling.normalized.includes(name) ? Number.NaN : z;
    });
  }
  return out;
}

/** Most clusters matched: the Hungarian method is cubic in k (1,000 clusters: about a second). */
export const MAX_MATCHED_CLUSTERS = 1000;

export interface ClusterMatch {
  /** productionOf[c]: the production cluster candidate cluster c takes the number of. */
  productionOf: Int32Array;
  /** k×k squared distances (production row, candidate column) in the common standardised space. */
  cost: Float64Array;
  /** Total squared distance of the matched pairs. */
  total: number;
}

/**
 * Pairs each candidate cluster with a production cluster. `common` standardises feature units
 * (mean and scale per feature, in `features` order); both models must have k clusters.
 */
export function matchClusters(
  features: readonly string[],
  production: CentroidGeometry,
  candidate: CentroidGeometry,
  common: { mean: ArrayLike<number>; scale: ArrayLike<number> },
): ClusterMatch {
  const k = production.centroids.length;
  if (k > MAX_MATCHED_CLUSTERS) {
    throw new UserError(`the production model has ${groupDigits(k)} clusters; clusters are matched across a retraining for k up to ${groupDigits(MAX_MATCHED_CLUSTERS)}`);
  }
  if (candidate.centroids.length !== k) throw new RangeError(`the candidate has ${candidate.centroids.length} clusters, production ${k}`);
  const d = features.length;
  const p = centroidsInFeatureUnits(features, production);
  const c = centroidsInFeatureUnits(features, candidate);
  const cost = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let f = 0; f < d; f++) {
        const diff = (p[i * d + f]! - c[j * d + f]!) / common.scale[f]!;
        if (!Number.isNaN(diff)) s += diff * diff;
      }
      cost[i * k + j] = s;
    }
  }
  const { colOf, total } = hungarian(cost, k);
  const productionOf = new Int32Array(k);
  colOf.forEach((candidateCluster, productionCluster) => {
    productionOf[candidateCluster] = productionCluster;
  });
  return { productionOf, cost, total };
}

/** The clustering renumbered: cluster c becomes productionOf[c]; centres and sizes move with it. */
export function renumberClusters(fit: Clustered, productionOf: Int32Array, d: number): Clustered {
  const k = productionOf.length;
  const centers = new Float64Array(fit.centers.length);
  const sizes = new Array<number>(k).fill(0);
  for (let c = 0; c < k; c++) {
    const to = productionOf[c]!;
    centers.set(fit.centers.subarray(c * d, c * d + d), to * d);
    sizes[to] = fit.sizes[c]!;
  }
  return { ...fit, labels: fit.labels.map((l) => productionOf[l]!), centers, sizes };
}
