// What the server needs from a model: its identity, its input schema (feature names, number of
// components), what to say about each cluster, and one call that scores a batch. The scoring is
// the pipeline's scoring step (the same `custseg predict` calls); this module only binds a model
// file and the engine to it.
import type { Engine } from "../engine/engine.js";
import type { CustsegModel } from "../model/index.js";
import { recommendFor, type Scored, scoreComponents, scoreFeatures } from "../pipeline/steps/score.js";

export type { Scored } from "../pipeline/steps/score.js";
export type InputKind = "features" | "components";

/** Row-major instances of one kind: rows × (features.length | nComponents). */
export interface Batch {
  kind: InputKind;
  rows: number;
  data: Float64Array;
  /** Where in the request the instances were (instances, dataframe_split.data, csv…), for error messages. */
  where: string;
}

export interface Recommendation {
  stockCode: string;
  description: string;
}

export interface ClusterInfo {
  name: string;
  description: string;
  /** The cluster's top three products: a request carries no purchase history to filter them by. */
  recommendations: Recommendation[];
}

export interface ServedModel {
  /** Absolute path of the model file. */
  path: string;
  sha256: string;
  /** NAME/VERSION for a registered model, else the first 12 hex digits of the file's sha256. */
  id: string;
  model: CustsegModel;
  features: readonly string[];
  nComponents: number;
  clusters: ClusterInfo[];
  score(batch: Batch): Scored;
}

/** `registered` (NAME/VERSION) names a registry version; otherwise the id is the file's sha256 prefix. */
export function servedModel(engine: Engine, model: CustsegModel, path: string, sha256: string, registered?: string): ServedModel {
  const id = registered ?? sha256.slice(0, 12);
  return {
    path,
    sha256,
    id,
    model,
    features: model.features,
    nComponents: model.pca.nComponents,
    clusters: model.clusters.map((c) => ({ name: c.name, description: c.description, recommendations: recommendFor(model, c.id) })),
    score: (batch) =>
      batch.kind === "features" ? scoreFeatures(engine, model, batch.data, batch.rows) : scoreComponents(engine, model, batch.data, batch.rows),
  };
}
