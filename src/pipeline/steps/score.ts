/**
 * The scoring step: place customers under a fitted model (model.json). Pure: typed arrays and a
 * model in, typed arrays out; no files, no flags. `custseg predict`, `custseg serve` and the
 * library's `loadModel` all call it, so a customer gets the same answer from each.
 *
 *   scoreFeatures(engine, model, features, rows, { outliers = true }) → Scored
 *     features: row-major Float64Array, rows × model.features.length, columns in model.features order.
 *     Scaling, PCA projection and the nearest centroid run in the engine (one fused WASM pass per
 *     batch of BATCH_ROWS rows); the outlier score walks the model's IsolationForest in the engine too.
 *   scoreFeatureColumns(engine, model, columns, rows, { outliers = true }) → Scored
 *     the same from one array per feature (model.features order), e.g. an Arrow table's column
 *     values: copied into WASM memory as they are and read column-major there, never transposed in
 *     JavaScript — the fast path for tables.
 *   scoreComponents(engine, model, components, rows) → Scored
 *     components: row-major rows × model.pca.nComponents (PC1..PCp); only the nearest centroid runs,
 *     and there is no outlier score (the forest needs the features).
 *   recommendFor(model, cluster, bought?, count = 3) → ModelTopProduct[]
 *     the first `count` of the cluster's top products whose StockCode is not in `bought`.
 *   scoringModel(model) → ScoringModel: the model's arrays in the engine's layout, built once per
 *     model object (cached), so per-request calls pay nothing for it.
 *
 * Scored (one entry per row, in input order):
 *   cluster: Int32Array           nearest centroid; outliers get one too, with the flag set
 *   distance, secondDistance      Euclidean distances in PC space to the nearest and second nearest centroid
 *   outlierScore: Float64Array    scikit-learn's score_samples (lower = more anomalous); NaN when unavailable
 *   outlier: Int8Array            1 outlier, 0 not, −1 unknown (components input, or a model built from a list)
 *   components: Float64Array      rows × nComponents scores (PC1..PCp)
 *
 * Bad input throws ScoreInputError naming the 0-based row and the feature or component; callers
 * word it for their user (file and line, or instance index).
 */
import type { Engine } from "../../engine/engine.js";
import type { PlacementModel } from "../../engine/score.js";
import type { CustsegModel, ModelTopProduct } from "../../model/index.js";
import { forestFromModel } from "./forest-model.js";
import { drain, type Steps } from "../../engine/steps.js";
import type { Forest } from "../../engine/forest-model.js";
import { forestScores, forestScoresSteps } from "./outliers.js";

/** Rows placed per engine call: large enough to amortise the call, small enough to stay in cache-friendly memory. */
export const BATCH_ROWS = 1 << 15;

/** Largest finite float32: the forest compares features as float32, as scikit-learn's trees do. */
const F32_MAX = 3.4028234663852886e38;

export interface Scored {
  rows: number;
  nComponents: number;
  cluster: Int32Array;
  distance: Float64Array;
  secondDistance: Float64Array;
  outlierScore: Float64Array;
  outlier: Int8Array;
  components: Float64Array;
}

export interface ScoreOptions {
  /** Score outliers with the model's IsolationForest where it has one (default true). */
  outliers?: boolean;
}

export interface ScoringModel {
  readonly model: CustsegModel;
  readonly features: readonly string[];
  readonly nComponents: number;
  /** PC1..PCp, named once per model rather than per call (a served request scores one row). */
  readonly componentNames: readonly string[];
  readonly placeFeatures: PlacementModel;
  readonly placeComponents: PlacementModel;
  readonly forest: Forest | null;
  readonly threshold: number;
}

/** A value the model cannot score: `row` is 0-based, `field` a feature or component name. */
export class ScoreInputError extends RangeError {
  override name = "ScoreInputError";
  constructor(
    readonly row: number,
    readonly field: string,
    readonly value: number,
    detail = "is not a finite number",
  ) {
    super(`row ${row + 1}, ${field}: ${value} ${detail}`);
  }
}

const prepared = new WeakMap<CustsegModel, ScoringModel>();

export function scoringModel(model: CustsegModel): ScoringModel {
  let s = prepared.get(model);
  if (!s) {
    s = prepare(model);
    prepared.set(model, s);
  }
  return s;
}

function prepare(model: CustsegModel): ScoringModel {
  const { features, scaling, pca, kmeans } = model;
  const d = features.length;
  const p = pca.nComponents;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  scaling.standardized.features.forEach((f, i) => {
    const j = features.indexOf(f);
    mean[j] = scaling.standardized.mean[i]!;
    scale[j] = scaling.standardized.scale[i]!;
  });
  const normalized = Int32Array.from(scaling.normalized, (f) => features.indexOf(f));
  const centers = { data: Float64Array.from(kmeans.centroids.flat()), rows: kmeans.centroids.length, cols: p };
  const components = { data: Float64Array.from(pca.components.flat()), rows: p, cols: d };
  const forest = model.outliers.forest;
  return {
    model,
    features,
    nComponents: p,
    componentNames: Array.from({ length: p }, (_, c) => `PC${c + 1}`),
    placeFeatures: { scaler: { mean, scale }, normalized, pca: { mean: Float64Array.from(pca.mean), components }, centers },
    placeComponents: { centers },
    forest: forest ? forestFromModel(forest) : null,
    threshold: forest ? forest.threshold : Number.NaN,
  };
}

function allocate(rows: number, p: number): Scored {
  return {
    rows,
    nComponents: p,
    cluster: new Int32Array(rows),
    distance: new Float64Array(rows),
    secondDistance: new Float64Array(rows),
    outlierScore: new Float64Array(rows).fill(Number.NaN),
    outlier: new Int8Array(rows).fill(-1),
    components: new Float64Array(rows * p),
  };
}

function checkValues(values: Float64Array, rows: number, names: readonly string[], limit: number): void {
  const d = names.length;
  if (values.length !== rows * d) throw new RangeError(`${values.length} values for ${rows} rows of ${d} columns`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v - v === 0 && Math.abs(v) <= limit)) {
      const detail = v - v === 0 ? "is beyond the float32 range the outlier trees compare in" : "is not a finite number";
      throw new ScoreInputError(Math.floor(i / d), names[i % d]!, v, detail);
    }
  }
}

/** Index of the first value that is NaN, ±∞ or beyond ±limit, or −1 (one monomorphic loop). */
function firstOutOfRange(values: Float64Array, limit: number): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v - v === 0 && Math.abs(v) <= limit)) return i;
  }
  return -1;
}

/**
 * Place every row. Up to one batch, the engine's own result arrays become the output (a served
 * request is one row: copying into a second set of arrays would double its allocations).
 */
function* placeRows(engine: Engine, s: ScoringModel, how: PlacementModel, x: Float64Array, rows: number, d: number): Steps<Scored> {
  const p = s.nComponents;
  if (rows === 0 || rows > BATCH_ROWS) {
    const out = allocate(rows, p);
    if (rows > 0) yield* place(engine, s, how, x, rows, d, out);
    return out;
  }
  const batch = engine.place({ data: x, rows, cols: d }, how);
  yield;
  return {
    rows,
    nComponents: p,
    cluster: batch.labels,
    distance: batch.distance,
    secondDistance: batch.secondDistance,
    outlierScore: new Float64Array(rows).fill(Number.NaN),
    outlier: new Int8Array(rows).fill(-1),
    components: batch.scores.data,
  };
}

function* place(engine: Engine, s: ScoringModel, how: PlacementModel, x: Float64Array, rows: number, d: number, out: Scored): Steps<void> {
  const p = s.nComponents;
  for (let start = 0; start < rows; start += BATCH_ROWS) {
    const n = Math.min(BATCH_ROWS, rows - start);
    const batch = engine.place({ data: x.subarray(start * d, (start + n) * d), rows: n, cols: d }, how);
    out.cluster.set(batch.labels, start);
    out.distance.set(batch.distance, start);
    out.secondDistance.set(batch.secondDistance, start);
    out.components.set(batch.scores.data, start * p);
    yield;
  }
}

export function scoreFeatures(engine: Engine, model: CustsegModel, features: Float64Array, rows: number, options: ScoreOptions = {}): Scored {
  return drain(scoreFeaturesSteps(engine, model, features, rows, options));
}

/** scoreFeatures as steps (see engine/steps.ts): one batch of placed rows, or one block of forest scores, per step. */
export function* scoreFeaturesSteps(engine: Engine, model: CustsegModel, features: Float64Array, rows: number, options: ScoreOptions = {}): Steps<Scored> {
  const s = scoringModel(model);
  const d = s.features.length;
  const withForest = (options.outliers ?? true) && s.forest !== null;
  checkValues(features, rows, s.features, withForest ? F32_MAX : Number.POSITIVE_INFINITY);
  const out = yield* placeRows(engine, s, s.placeFeatures, features, rows, d);
  if (rows > 0 && withForest) {
    const scores = yield* forestScoresSteps(engine, s.forest!, { data: features, rows, cols: d });
    out.outlierScore.set(scores);
    for (let i = 0; i < rows; i++) out.outlier[i] = scores[i]! < s.threshold ? 1 : 0;
  }
  return out;
}

export function scoreFeatureColumns(
  engine: Engine,
  model: CustsegModel,
  columns: readonly ArrayLike<number>[],
  rows: number,
  options: ScoreOptions = {},
): Scored {
  const s = scoringModel(model);
  const d = s.features.length;
  if (columns.length !== d) throw new RangeError(`${columns.length} columns for the model's ${d} features`);
  const withForest = (options.outliers ?? true) && s.forest !== null;
  const limit = withForest ? F32_MAX : Number.POSITIVE_INFINITY;
  columns.forEach((column, j) => {
    if (column.length !== rows) throw new RangeError(`column ${s.features[j]} has ${column.length} values for ${rows} rows`);
    // Integer columns are finite and within float32's range by construction.
    if (column instanceof Int32Array || column instanceof Uint32Array || column instanceof Int16Array || column instanceof Uint16Array || column instanceof Int8Array || column instanceof Uint8Array) return;
    const i = column instanceof Float64Array ? firstOutOfRange(column, limit) : firstOutOfRange(Float64Array.from(column), limit);
    if (i >= 0) {
      const v = column[i]!;
      throw new ScoreInputError(i, s.features[j]!, v, v - v === 0 ? "is beyond the float32 range the outlier trees compare in" : "is not a finite number");
    }
  });
  const out = allocate(rows, s.nComponents);
  if (rows === 0) return out;
  const p = s.nComponents;
  for (let start = 0; start < rows; start += BATCH_ROWS) {
    const n = Math.min(BATCH_ROWS, rows - start);
    const part = columns.map((c) => (ArrayBuffer.isView(c) ? (c as unknown as Float64Array).subarray(start, start + n) : Array.prototype.slice.call(c, start, start + n)));
    const batch = engine.placeColumns(part, n, s.placeFeatures);
    out.cluster.set(batch.labels, start);
    out.distance.set(batch.distance, start);
    out.secondDistance.set(batch.secondDistance, start);
    out.components.set(batch.scores.data, start * p);
  }
  if (withForest) {
    // The trees walk rows: only this slower path builds the row-major matrix.
    const x = new Float64Array(rows * d);
    columns.forEach((column, j) => {
      for (let i = 0; i < rows; i++) x[i * d + j] = column[i]!;
    });
    const scores = forestScores(engine, s.forest!, { data: x, rows, cols: d });
    out.outlierScore.set(scores);
    for (let i = 0; i < rows; i++) out.outlier[i] = scores[i]! < s.threshold ? 1 : 0;
  }
  return out;
}

export function scoreComponents(engine: Engine, model: CustsegModel, components: Float64Array, rows: number): Scored {
  return drain(scoreComponentsSteps(engine, model, components, rows));
}

/** scoreComponents as steps, one batch of placed rows per step. */
export function* scoreComponentsSteps(engine: Engine, model: CustsegModel, components: Float64Array, rows: number): Steps<Scored> {
  const s = scoringModel(model);
  const p = s.nComponents;
  checkValues(components, rows, s.componentNames, Number.POSITIVE_INFINITY);
  return yield* placeRows(engine, s, s.placeComponents, components, rows, p);
}

/** The first `count` of the cluster's top products whose StockCode the customer has not bought. */
export function recommendFor(model: CustsegModel, cluster: number, bought?: ReadonlySet<string>, count = 3): ModelTopProduct[] {
  const top = model.clusters[cluster]?.topProducts ?? [];
  const out: ModelTopProduct[] = [];
  for (const item of top) {
    if (out.length === count) break;
    if (!bought?.has(item.stockCode)) out.push(item);
  }
  return out;
}
