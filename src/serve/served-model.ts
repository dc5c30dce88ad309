// What the server needs from a model: its identity, its input schema (feature names, number of
// components), what to say about each cluster, and one call that scores a batch. The scoring
// itself is the pipeline's scoring step; this interface only adapts it to row-major batches.

export type InputKind = "features" | "components";

/** Row-major instances of one kind: rows × (features.length | nComponents). */
export interface Batch {
  kind: InputKind;
  rows: number;
  data: Float64Array;
}

export interface Scored {
  cluster: Int32Array;
  distance: Float64Array;
  secondDistance: Float64Array;
  /** 1 = outlier, 0 = not; null where no outlier score can be computed (components in, or no trees). */
  outlier: Uint8Array | null;
  outlierScore: Float64Array | null;
}

export interface Recommendation {
  stockCode: string;
  description: string;
}

export interface ClusterInfo {
  name: string;
  description: string;
  recommendations: Recommendation[];
}

export interface ServedModel {
  /** Absolute path of the model file. */
  path: string;
  sha256: string;
  /** NAME/VERSION for a registered model, else the first 12 hex digits of the file's sha256. */
  id: string;
  format: string;
  mode: string;
  features: readonly string[];
  nComponents: number;
  clusters: ClusterInfo[];
  /** Free-form description for GET /metadata (parameters, metrics, provenance). */
  metadata: Record<string, unknown>;
  score(batch: Batch): Scored;
}
