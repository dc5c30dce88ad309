// What drift needs from a model.json: the feature mode, how features were scaled and projected,
// the centroids, and how outliers were found. Reading it lives here, in one small function, so
// the model module can take it over without the drift step changing.
import { readFileSync } from "node:fs";
import type { Matrix } from "../engine/matrix.js";
import { UserError } from "../errors.js";
import { type Compat, FEATURE_NAMES } from "./features.js";
import type { ScalingModel } from "./scale.js";

export interface PlacementModel {
  compat: Compat;
  features: string[];
  scaling: ScalingModel;
  pcaMean: number[];
  /** p × d, one principal axis per row. */
  components: number[][];
  /** k × p, in PCA space, numbered by size as in the run. */
  centroids: number[][];
  /** IsolationForest parameters, or undefined when the run took its outliers from a list. */
  isolationForest?: { seed: number; nTrees: number; maxSamples: number; contamination: number };
}

export function readPlacementModel(path: string): PlacementModel {
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked field by field below
  let m: any;
  try {
    m = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UserError(`${path}: cannot read the model (${(err as Error).message})`);
  }
  const need = (ok: boolean, field: string) => {
    if (!ok) throw new UserError(`${path}: field "${field}" is missing or malformed; expected a model.json written by custseg run`);
  };
  need(Array.isArray(m?.features) && m.features.join() === FEATURE_NAMES.join(), "features");
  need(Array.isArray(m.scaling?.standardized?.features) && Array.isArray(m.scaling?.standardized?.mean), "scaling");
  need(Array.isArray(m.pca?.mean) && Array.isArray(m.pca?.components), "pca");
  need(Array.isArray(m.kmeans?.centroids) && m.kmeans.centroids.length >= 2, "kmeans.centroids");
  const o = m.outliers;
  return {
    compat: m.mode === "seed" ? "seed" : "none",
    features: m.features,
    scaling: m.scaling,
    pcaMean: m.pca.mean,
    components: m.pca.components,
    centroids: m.kmeans.centroids,
    isolationForest:
      o?.method === "isolation-forest" ? { seed: o.seed ?? 0, nTrees: o.nTrees ?? 100, maxSamples: o.maxSamples ?? 256, contamination: o.contamination ?? 0.05 } : undefined,
  };
}

export interface Placement {
  /** n × p PCA scores. */
  scores: Matrix;
  /** Nearest centroid of each row. */
  labels: Int32Array;
  /** Euclidean distance to it, in PCA space (where k-means measured). */
  distance: Float64Array;
}

/** Scale, project and assign rows of the 15 features exactly as the run placed its customers. */
export function placeCustomers(model: PlacementModel, x: Matrix): Placement {
  const d = x.cols;
  const names = model.features;
  const scaled = new Float64Array(x.data);
  const { standardized, normalized } = model.scaling;
  standardized.features.forEach((f, j) => {
    const c = names.indexOf(f);
    for (let i = 0; i < x.rows; i++) scaled[i * d + c] = (scaled[i * d + c]! - standardized.mean[j]!) / standardized.scale[j]!;
  });
  if (normalized.length > 0) {
    const cols = normalized.map((f) => names.indexOf(f));
    for (let i = 0; i < x.rows; i++) {
      let sq = 0;
      for (const c of cols) sq += scaled[i * d + c]! ** 2;
      // As scikit-learn's Normalizer: an all-zero row stays zero.
      const norm = sq > 0 ? Math.sqrt(sq) : 1;
      for (const c of cols) scaled[i * d + c]! /= norm;
    }
  }
  const p = model.components.length;
  const scores = new Float64Array(x.rows * p);
  for (let i = 0; i < x.rows; i++) {
    for (let a = 0; a < p; a++) {
      const axis = model.components[a]!;
      let s = 0;
      for (let c = 0; c < d; c++) s += (scaled[i * d + c]! - model.pcaMean[c]!) * axis[c]!;
      scores[i * p + a] = s;
    }
  }
  const labels = new Int32Array(x.rows);
  const distance = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let best = Number.POSITIVE_INFINITY;
    model.centroids.forEach((centre, k) => {
      let sq = 0;
      for (let a = 0; a < p; a++) sq += (scores[i * p + a]! - centre[a]!) ** 2;
      if (sq < best) {
        best = sq;
        labels[i] = k;
      }
    });
    distance[i] = Math.sqrt(best);
  }
  return { scores: { data: scores, rows: x.rows, cols: p }, labels, distance };
}
