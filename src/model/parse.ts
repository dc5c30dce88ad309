// Reading model.json: parse, check the format's major version, then check every field scoring
// needs, naming the first bad one (`pca.components[2][4] must be a number, got "x"`). Fields this
// version does not know are ignored, as `custseg-model/1` only ever adds fields.
import { MAX_FOREST_TREES } from "../engine/forest-model.js";
import { UserError } from "../errors.js";
import { type CustsegModel, MODEL_FORMAT, MODEL_MAJOR, type ModelForest } from "./model.js";

/** A model file that cannot be used; the message is one line naming the file and the field. */
export class ModelError extends UserError {
  override name = "ModelError";
}

type Json = unknown;

function describe(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "object") return "an object";
  return String(v);
}

class Reader {
  constructor(readonly source: string) {}

  fail(path: string, what: string, v: Json): never {
    throw new ModelError(`${this.source}: field ${path} must be ${what}, got ${describe(v)}`);
  }

  object(v: Json, path: string): Record<string, Json> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(path, "an object", v);
    return v as Record<string, Json>;
  }

  field(o: Record<string, Json>, key: string, path: string): Json {
    if (!(key in o)) throw new ModelError(`${this.source}: field ${path ? `${path}.` : ""}${key} is missing`);
    return o[key];
  }

  string(v: Json, path: string): string {
    if (typeof v !== "string") this.fail(path, "a string", v);
    return v;
  }

  number(v: Json, path: string): number {
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(path, "a number", v);
    return v;
  }

  integer(v: Json, path: string, min = 0): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) this.fail(path, `an integer ≥ ${min}`, v);
    return v;
  }

  array(v: Json, path: string, length?: number): Json[] {
    if (!Array.isArray(v)) this.fail(path, length === undefined ? "an array" : `an array of ${length}`, v);
    if (length !== undefined && v.length !== length) this.fail(path, `an array of ${length}`, `an array of ${v.length}`);
    return v;
  }

  numbers(v: Json, path: string, length?: number): number[] {
    return this.array(v, path, length).map((x, i) => this.number(x, `${path}[${i}]`));
  }

  strings(v: Json, path: string): string[] {
    return this.array(v, path).map((x, i) => this.string(x, `${path}[${i}]`));
  }

  matrix(v: Json, path: string, rows: number, cols: number): number[][] {
    return this.array(v, path, rows).map((row, i) => this.numbers(row, `${path}[${i}]`, cols));
  }
}

/** The model in `text` (the contents of `source`), checked; throws ModelError. */
export function parseModel(text: string, source = "model.json"): CustsegModel {
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelError(`${source}: not a complete JSON document, truncated or damaged (${(err as Error).message})`);
  }
  return checkModel(json, source);
}

/** Check a parsed model.json; returns it typed (unknown fields kept as they are). */
export function checkModel(json: Json, source = "model.json"): CustsegModel {
  const r: Reader = new Reader(source);
  const m = r.object(json, "(top level)");
  const format = r.string(r.field(m, "format", ""), "format");
  const major = /^custseg-model\/(\d+)$/.exec(format);
  if (!major) throw new ModelError(`${source}: field format must be "${MODEL_FORMAT}", got ${describe(format)}`);
  if (Number(major[1]) > MODEL_MAJOR) {
    throw new ModelError(`${source}: format ${format} is newer than this custseg reads (${MODEL_FORMAT}); upgrade custseg`);
  }
  if (Number(major[1]) < MODEL_MAJOR) r.fail("format", `"${MODEL_FORMAT}"`, format);

  const tool = r.object(r.field(m, "tool", ""), "tool");
  r.string(r.field(tool, "name", "tool"), "tool.name");
  r.string(r.field(tool, "version", "tool"), "tool.version");
  r.string(r.field(m, "createdAt", ""), "createdAt");
  if ("runId" in m && m.runId !== undefined) r.string(m.runId, "runId");
  const mode = r.string(r.field(m, "mode", ""), "mode");
  if (mode !== "default" && mode !== "seed") r.fail("mode", '"default" or "seed"', mode);
  const features = r.strings(r.field(m, "features", ""), "features");
  if (features.length === 0) r.fail("features", "a non-empty array", features);
  const d = features.length;
  const asOf = r.string(r.field(m, "asOf", ""), "asOf");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`))) r.fail("asOf", "a date YYYY-MM-DD", asOf);
  const data = r.object(r.field(m, "data", ""), "data");
  r.string(r.field(data, "input", "data"), "data.input");
  r.string(r.field(data, "sha256", "data"), "data.sha256");
  if (data.synthetic !== undefined && typeof data.synthetic !== "boolean") r.fail("data.synthetic", "true or false", data.synthetic);

  const params = r.object(r.field(m, "parameters", ""), "parameters");
  for (const key of ["k", "seed", "nInit", "maxIter"]) r.integer(r.field(params, key, "parameters"), `parameters.${key}`);
  for (const key of ["tol", "variance"]) r.number(r.field(params, key, "parameters"), `parameters.${key}`);
  r.string(r.field(params, "init", "parameters"), "parameters.init");
  const from = r.field(params, "outliersFrom", "parameters");
  if (from !== null) r.string(from, "parameters.outliersFrom");

  const scaling = r.object(r.field(m, "scaling", ""), "scaling");
  const std = r.object(r.field(scaling, "standardized", "scaling"), "scaling.standardized");
  const stdFeatures = r.strings(r.field(std, "features", "scaling.standardized"), "scaling.standardized.features");
  r.numbers(r.field(std, "mean", "scaling.standardized"), "scaling.standardized.mean", stdFeatures.length);
  const scale = r.numbers(r.field(std, "scale", "scaling.standardized"), "scaling.standardized.scale", stdFeatures.length);
  scale.forEach((s, i) => {
    if (!(s > 0)) r.fail(`scaling.standardized.scale[${i}]`, "a positive number", s);
  });
  const normalized = r.strings(r.field(scaling, "normalized", "scaling"), "scaling.normalized");
  const raw = r.strings(r.field(scaling, "raw", "scaling"), "scaling.raw");
  const named = [...stdFeatures.map((f) => ["standardized.features", f]), ...normalized.map((f) => ["normalized", f]), ...raw.map((f) => ["raw", f])];
  const seen = new Set<string>();
  for (const [where, f] of named) {
    if (!features.includes(f!) || seen.has(f!)) r.fail(`scaling.${where}`, "features named once each in features", f!);
    seen.add(f!);
  }
  if (seen.size !== d) throw new ModelError(`${source}: field scaling must place each of the ${d} features, places ${seen.size}`);

  const pca = r.object(r.field(m, "pca", ""), "pca");
  r.number(r.field(pca, "varianceThreshold", "pca"), "pca.varianceThreshold");
  const p = r.integer(r.field(pca, "nComponents", "pca"), "pca.nComponents", 1);
  r.numbers(r.field(pca, "mean", "pca"), "pca.mean", d);
  r.matrix(r.field(pca, "components", "pca"), "pca.components", p, d);
  r.numbers(r.field(pca, "explainedVariance", "pca"), "pca.explainedVariance", p);
  r.numbers(r.field(pca, "explainedVarianceRatio", "pca"), "pca.explainedVarianceRatio", p);

  const km = r.object(r.field(m, "kmeans", ""), "kmeans");
  const k = r.integer(r.field(km, "k", "kmeans"), "kmeans.k", 1);
  for (const key of ["nInit", "maxIter", "seed", "nIter"]) r.integer(r.field(km, key, "kmeans"), `kmeans.${key}`);
  for (const key of ["tol", "inertia"]) r.number(r.field(km, key, "kmeans"), `kmeans.${key}`);
  r.string(r.field(km, "init", "kmeans"), "kmeans.init");
  r.matrix(r.field(km, "centroids", "kmeans"), "kmeans.centroids", k, p);

  const clusters = r.array(r.field(m, "clusters", ""), "clusters", k);
  clusters.forEach((c, i) => {
    const path = `clusters[${i}]`;
    const o = r.object(c, path);
    const id = r.integer(r.field(o, "id", path), `${path}.id`);
    if (id !== i) r.fail(`${path}.id`, String(i), id);
    r.string(r.field(o, "name", path), `${path}.name`);
    r.string(r.field(o, "description", path), `${path}.description`);
    r.integer(r.field(o, "size", path), `${path}.size`);
    r.array(r.field(o, "topProducts", path), `${path}.topProducts`).forEach((t, j) => {
      const tp = `${path}.topProducts[${j}]`;
      const to = r.object(t, tp);
      r.string(r.field(to, "stockCode", tp), `${tp}.stockCode`);
      r.string(r.field(to, "description", tp), `${tp}.description`);
    });
  });

  const outliers = r.object(r.field(m, "outliers", ""), "outliers");
  const method = r.string(r.field(outliers, "method", "outliers"), "outliers.method");
  if (method !== "isolation-forest" && method !== "list") r.fail("outliers.method", '"isolation-forest" or "list"', method);
  r.integer(r.field(outliers, "flagged", "outliers"), "outliers.flagged");
  const forest = r.field(outliers, "forest", "outliers");
  if (method === "list" && forest !== null) r.fail("outliers.forest", "null for method \"list\"", forest);
  if (method === "isolation-forest") checkForest(r, forest, d);

  const metrics = r.object(r.field(m, "metrics", ""), "metrics");
  for (const key of ["silhouette", "daviesBouldin", "calinskiHarabasz", "inertia"]) r.number(r.field(metrics, key, "metrics"), `metrics.${key}`);
  r.numbers(r.field(metrics, "clusterSizes", "metrics"), "metrics.clusterSizes", k);
  r.numbers(r.field(metrics, "clusterSilhouette", "metrics"), "metrics.clusterSilhouette", k);
  return m as unknown as CustsegModel;
}

function checkForest(r: Reader, v: Json, d: number): ModelForest {
  const f = r.object(v, "outliers.forest");
  const at = (key: string) => r.field(f, key, "outliers.forest");
  const nTrees = r.integer(at("nTrees"), "outliers.forest.nTrees", 1);
  if (nTrees > MAX_FOREST_TREES) r.fail("outliers.forest.nTrees", `at most ${MAX_FOREST_TREES}`, nTrees);
  r.integer(at("maxSamples"), "outliers.forest.maxSamples", 1);
  const maxDepth = r.integer(at("maxDepth"), "outliers.forest.maxDepth");
  if (maxDepth > 12) r.fail("outliers.forest.maxDepth", "at most 12", maxDepth);
  r.number(at("contamination"), "outliers.forest.contamination");
  r.integer(at("seed"), "outliers.forest.seed");
  r.number(at("threshold"), "outliers.forest.threshold");
  const nodes = 2 ** (maxDepth + 1) - 1;
  const firstLeaf = 2 ** maxDepth - 1;
  r.array(at("trees"), "outliers.forest.trees", nTrees).forEach((t, i) => {
    const path = `outliers.forest.trees[${i}]`;
    const tree = r.object(t, path);
    r.array(r.field(tree, "feature", path), `${path}.feature`, nodes).forEach((x, j) => {
      const fj = r.integer(x, `${path}.feature[${j}]`);
      if (fj >= d) r.fail(`${path}.feature[${j}]`, `a feature index below ${d}`, fj);
    });
    r.array(r.field(tree, "value", path), `${path}.value`, nodes).forEach((x, j) => {
      if (x !== null || j >= firstLeaf) r.number(x, `${path}.value[${j}]`);
    });
  });
  return f as unknown as ModelForest;
}
