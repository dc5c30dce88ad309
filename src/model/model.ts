// The scoring model (model.json): everything `predict`, `serve` and the library need to place a new
// customer, and the provenance of the run that fitted it. Format `custseg-model/1`: within a major
// version fields are only ever added, never changed, so readers ignore fields they do not know.
// The published JSON Schema is schema/custseg-model-1.schema.json.

export const MODEL_FORMAT = "custseg-model/1";
export const MODEL_MAJOR = 1;

export interface ModelTopProduct {
  stockCode: string;
  description: string;
}

export interface ModelCluster {
  /** The cluster number used in every output (clusters are numbered by size, largest first). */
  id: number;
  /** "Cluster N" unless the segment was named. */
  name: string;
  /** One line describing how the cluster differs from the others. */
  description: string;
  /** Customers of the training data in the cluster. */
  size: number;
  /** The cluster's best sellers, best first: recommendations come from the head of this list. */
  topProducts: ModelTopProduct[];
}

/**
 * The IsolationForest, as complete binary trees in heap order (children of node i at 2i + 1 and
 * 2i + 2), each of `2^(maxDepth+1) − 1` nodes. An inner node sends x[feature] ≤ value left; value
 * null marks a pass-through node (always left), the chain below a leaf that stopped early. A
 * bottom node's value is the path length credited to rows that reach it.
 */
export interface ModelForest {
  nTrees: number;
  maxSamples: number;
  maxDepth: number;
  contamination: number;
  seed: number;
  /** A row is an outlier when its score (scikit-learn's score_samples) is below this. */
  threshold: number;
  trees: { feature: number[]; value: (number | null)[] }[];
}

export interface ModelOutliers {
  /** "isolation-forest": flagged by the forest below; "list": given as a list of CustomerIDs. */
  method: "isolation-forest" | "list";
  /** Training customers flagged. */
  flagged: number;
  /** The list's file, for method "list". */
  file?: string;
  /** Null for method "list": there is nothing to score a new customer with. */
  forest: ModelForest | null;
}

export interface CustsegModel {
  format: string;
  tool: { name: string; version: string };
  createdAt: string;
  /** The run that produced the model, where a run store recorded it. */
  runId?: string;
  mode: "default" | "seed";
  /** Feature names in the order every matrix of this model uses. */
  features: string[];
  /** YYYY-MM-DD: the day recency was counted from when the training features were computed. */
  asOf: string;
  data: {
    input: string;
    sha256: string;
    /** True when the training data was generated (absent in models written before the field existed). */
    synthetic?: boolean;
    /** The generator's parameters, where the training data carried them. */
    generator?: { rows: number; customers: number; seed: number; version: string };
  };
  /** The options of the run that shaped the model. */
  parameters: {
    k: number;
    seed: number;
    nInit: number;
    maxIter: number;
    tol: number;
    init: string;
    variance: number;
    outliersFrom: string | null;
  };
  scaling: {
    standardized: { features: string[]; mean: number[]; scale: number[] };
    normalized: string[];
    raw: string[];
  };
  pca: {
    varianceThreshold: number;
    nComponents: number;
    mean: number[];
    /** nComponents rows of features.length values. */
    components: number[][];
    explainedVariance: number[];
    explainedVarianceRatio: number[];
  };
  kmeans: {
    k: number;
    init: string;
    nInit: number;
    maxIter: number;
    tol: number;
    seed: number;
    nIter: number;
    inertia: number;
    clusterOrder: string;
    /** k rows of nComponents values, row i the centre of cluster i. */
    centroids: number[][];
  };
  clusters: ModelCluster[];
  outliers: ModelOutliers;
  metrics: {
    silhouette: number;
    daviesBouldin: number;
    calinskiHarabasz: number;
    inertia: number;
    clusterSizes: number[];
    clusterSilhouette: number[];
  };
}
