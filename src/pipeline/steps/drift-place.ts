// Customers placed for drift as `predict` places them (the scoring step: scaling, projection,
// nearest centroid and the model's own IsolationForest). Pure: a model and matrices in.
import type { Engine } from "../../engine/engine.js";
import type { Matrix } from "../../engine/matrix.js";
import { UserError } from "../../errors.js";
import type { CustsegModel } from "../../model/index.js";
import { type Compat, FEATURE_NAMES } from "./features.js";
import { drainInterruptible } from "../../engine/steps.js";
import { ScoreInputError, scoreFeaturesSteps } from "./score.js";

export interface DriftModel {
  model: CustsegModel;
  compat: Compat;
  k: number;
  /** False when the model took its outliers from a list: new customers cannot be judged. */
  hasForest: boolean;
}

/** `source` names the model file in errors. */
export function driftModel(model: CustsegModel, source: string): DriftModel {
  if (model.features.join() !== FEATURE_NAMES.join()) {
    throw new UserError(`${source}: field "features" lists ${model.features.length} features that are not custseg's 15 customer features`);
  }
  return { model, compat: model.mode === "seed" ? "seed" : "none", k: model.kmeans.centroids.length, hasForest: model.outliers.forest !== null };
}

export interface Placement {
  /** n × p principal-component scores. */
  scores: Matrix;
  /** Nearest centroid of each row. */
  labels: Int32Array;
  /** Euclidean distance to it, in PC space (where k-means measured). */
  distance: Float64Array;
  /** 1 outlier, 0 not, −1 unknown (the model has no forest). */
  outlier: Int8Array;
}

/**
 * Every row of `x` (the 15 features) placed under the model; `source` names the file in errors.
 * Interruptible: it yields between batches (see engine/steps.ts) and stops once `signal` is aborted.
 */
export async function placeCustomers(engine: Engine, m: DriftModel, x: Matrix, source: string, signal?: AbortSignal): Promise<Placement> {
  try {
    const s = await drainInterruptible(scoreFeaturesSteps(engine, m.model, x.data, x.rows), signal);
    return { scores: { data: s.components, rows: x.rows, cols: s.nComponents }, labels: s.cluster, distance: s.distance, outlier: s.outlier };
  } catch (err) {
    if (err instanceof ScoreInputError) throw new UserError(`${source}: ${err.message}`);
    throw err;
  }
}

/** The rows of a placement whose flag is 0 (kept), as a placement of their own. */
export function keptRows(p: Placement, flagged: ArrayLike<number>): Placement {
  const rows: number[] = [];
  for (let i = 0; i < p.labels.length; i++) if (flagged[i] !== 1) rows.push(i);
  const c = p.scores.cols;
  const scores = new Float64Array(rows.length * c);
  rows.forEach((r, i) => {
    scores.set(p.scores.data.subarray(r * c, (r + 1) * c), i * c);
  });
  return {
    scores: { data: scores, rows: rows.length, cols: c },
    labels: Int32Array.from(rows, (r) => p.labels[r]!),
    distance: Float64Array.from(rows, (r) => p.distance[r]!),
    outlier: Int8Array.from(rows, (r) => p.outlier[r]!),
  };
}
