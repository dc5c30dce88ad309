// Adapts a model file to the ServedModel interface: parses model.json, checks the fields scoring
// reads, and binds the nearest-centroid scoring of its scaler, PCA and centroids.
import { UserError } from "../errors.js";
import type { Batch, ClusterInfo, Scored, ServedModel } from "./served-model.js";

type Json = Record<string, unknown>;

function field<T>(obj: Json, path: string, check: (v: unknown) => boolean, file: string, kind: string): T {
  let v: unknown = obj;
  for (const key of path.split(".")) v = v !== null && typeof v === "object" ? (v as Json)[key] : undefined;
  if (!check(v)) throw new UserError(`model ${file}: field ${path} is ${v === undefined ? "missing" : "not " + kind}`);
  return v as T;
}

const isNumbers = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));
const isMatrix = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(isNumbers);
const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");

export function servedModelFrom(path: string, text: string, sha256: string): ServedModel {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (err) {
    throw new UserError(`model ${path}: not valid JSON (${(err as Error).message}); is the file truncated?`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new UserError(`model ${path}: not a JSON object`);
  const features = field<string[]>(doc, "features", isStrings, path, "a list of names");
  const stdNames = field<string[]>(doc, "scaling.standardized.features", isStrings, path, "a list of names");
  const stdMean = field<number[]>(doc, "scaling.standardized.mean", isNumbers, path, "a list of numbers");
  const stdScale = field<number[]>(doc, "scaling.standardized.scale", isNumbers, path, "a list of numbers");
  const normNames = field<string[]>(doc, "scaling.normalized", isStrings, path, "a list of names");
  const pcaMean = field<number[]>(doc, "pca.mean", isNumbers, path, "a list of numbers");
  const components = field<number[][]>(doc, "pca.components", isMatrix, path, "a matrix of numbers");
  const centroids = field<number[][]>(doc, "kmeans.centroids", isMatrix, path, "a matrix of numbers");
  const d = features.length;
  const p = components.length;
  const k = centroids.length;
  const index = (name: string, what: string) => {
    const j = features.indexOf(name);
    if (j < 0) throw new UserError(`model ${path}: field ${what} names ${name}, which is not among the features`);
    return j;
  };
  const stdIdx = Int32Array.from(stdNames, (n) => index(n, "scaling.standardized.features"));
  const normIdx = Int32Array.from(normNames, (n) => index(n, "scaling.normalized"));
  if (stdMean.length !== stdIdx.length || stdScale.length !== stdIdx.length) {
    throw new UserError(`model ${path}: field scaling.standardized has ${stdIdx.length} features but ${stdMean.length} means and ${stdScale.length} scales`);
  }
  if (pcaMean.length !== d || components.some((r) => r.length !== d)) throw new UserError(`model ${path}: field pca does not match the ${d} features`);
  if (centroids.some((r) => r.length !== p)) throw new UserError(`model ${path}: field kmeans.centroids does not match the ${p} components`);
  const comp = Float64Array.from(components.flat());
  const cent = Float64Array.from(centroids.flat());

  const scaled = new Float64Array(d);
  const project = (x: Float64Array, off: number, out: Float64Array) => {
    scaled.set(x.subarray(off, off + d));
    for (let j = 0; j < stdIdx.length; j++) scaled[stdIdx[j]!] = (scaled[stdIdx[j]!]! - stdMean[j]!) / stdScale[j]!;
    if (normIdx.length > 0) {
      let s = 0;
      for (let j = 0; j < normIdx.length; j++) s += scaled[normIdx[j]!]! * scaled[normIdx[j]!]!;
      // A zero row stays zero, as scikit-learn's Normalizer leaves it.
      const norm = s > 0 ? Math.sqrt(s) : 1;
      for (let j = 0; j < normIdx.length; j++) scaled[normIdx[j]!] = scaled[normIdx[j]!]! / norm;
    }
    for (let c = 0; c < p; c++) {
      let acc = 0;
      for (let j = 0; j < d; j++) acc += (scaled[j]! - pcaMean[j]!) * comp[c * d + j]!;
      out[c] = acc;
    }
  };

  const pcs = new Float64Array(p);
  const score = (batch: Batch): Scored => {
    const n = batch.rows;
    const cluster = new Int32Array(n);
    const distance = new Float64Array(n);
    const secondDistance = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z: Float64Array;
      let off: number;
      if (batch.kind === "features") {
        project(batch.data, i * d, pcs);
        z = pcs;
        off = 0;
      } else {
        z = batch.data;
        off = i * p;
      }
      let best = Infinity;
      let second = Infinity;
      let arg = 0;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < p; j++) {
          const t = z[off + j]! - cent[c * p + j]!;
          s += t * t;
        }
        if (s < best) {
          second = best;
          best = s;
          arg = c;
        } else if (s < second) second = s;
      }
      cluster[i] = arg;
      distance[i] = Math.sqrt(best);
      secondDistance[i] = Math.sqrt(second);
    }
    return { cluster, distance, secondDistance, outlier: null, outlierScore: null };
  };

  const clusters: ClusterInfo[] = Array.from({ length: k }, (_, c) => ({ name: `Cluster ${c}`, description: "", recommendations: [] }));
  return {
    path,
    sha256,
    id: sha256.slice(0, 12),
    format: typeof doc.format === "string" ? doc.format : "custseg-model/0",
    mode: typeof doc.mode === "string" ? doc.mode : "none",
    features,
    nComponents: p,
    clusters,
    metadata: { tool: doc.tool, createdAt: doc.createdAt, data: doc.data, kmeans: { k }, metrics: doc.metrics },
    score,
  };
}
