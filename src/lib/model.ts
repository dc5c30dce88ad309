// The library's scoring model: `loadModel(path)` → a model with predict / transform / score /
// predictTable over Arrow tables or typed arrays, the way a scikit-learn user would call a fitted
// pipeline. A thin adapter over the scoring step; no scoring logic of its own.
import type { Table } from "apache-arrow";
import { type Engine, type LoadOptions, loadEngine } from "../engine/engine.js";
import type { Matrix } from "../engine/matrix.js";
import { type CustsegModel, readModel, resolveModel } from "../model/index.js";
import { type ScoreOptions, type Scored, scoreComponents, scoreFeatureColumns, scoreFeatures } from "../pipeline/steps/score.js";
import { customerIds, predictionTable, tableColumns, tableRows } from "../pipeline/steps/score-table.js";

/**
 * What the model scores: an Arrow table with the model's feature columns (or PC1..PCp), a row-major
 * Float64Array of features (model.features order), or a Matrix whose column count says which.
 */
export type ModelInput = Table | Float64Array | Matrix;

export interface LoadModelOptions extends LoadOptions {
  /** An engine to share; one is loaded (and cached per options) otherwise. */
  engine?: Engine;
  /** The run store that resolves models:/ addresses (default: CUSTSEG_STORE, then custseg.db). */
  store?: string;
}

export class SegmentationModel {
  constructor(
    /** The model.json contents, checked. */
    readonly artefact: CustsegModel,
    readonly engine: Engine,
  ) {}

  /** Feature names, in the order a Float64Array input uses. */
  get features(): readonly string[] {
    return this.artefact.features;
  }

  get nComponents(): number {
    return this.artefact.pca.nComponents;
  }

  /** Every output of the scoring step: clusters, distances, outlier scores and flags, PCs. */
  score(x: ModelInput, options?: ScoreOptions): Scored {
    if (isTable(x) && this.features.every((f) => x.getChild(f) !== null)) {
      return scoreFeatureColumns(this.engine, this.artefact, tableColumns(x, this.features), x.numRows, options);
    }
    const { kind, data, rows } = this.rows(x);
    return kind === "features" ? scoreFeatures(this.engine, this.artefact, data, rows, options) : scoreComponents(this.engine, this.artefact, data, rows);
  }

  /** The cluster of each row. */
  predict(x: ModelInput): Int32Array {
    return this.score(x, { outliers: false }).cluster;
  }

  /** The principal components of each row: rows × nComponents, row-major. */
  transform(x: ModelInput): Float64Array {
    return this.score(x, { outliers: false }).components;
  }

  /**
   * The predictions table `custseg predict` writes (CustomerID from the input table when present);
   * `history` maps a CustomerID to the StockCodes it bought, for recommendations.
   */
  predictTable(x: ModelInput, history?: ReadonlyMap<number, ReadonlySet<string>>): Table {
    const ids = isTable(x) ? customerIds(x) : undefined;
    return predictionTable(this.artefact, ids, this.score(x), history);
  }

  private rows(x: ModelInput): { kind: "features" | "components"; data: Float64Array; rows: number } {
    const d = this.features.length;
    const p = this.nComponents;
    if (x instanceof Float64Array) {
      if (x.length % d !== 0) throw new RangeError(`${x.length} values are not whole rows of the ${d} features`);
      return { kind: "features", data: x, rows: x.length / d };
    }
    if (isTable(x)) {
      const hasFeatures = this.features.every((f) => x.getChild(f) !== null);
      const names = hasFeatures ? this.features : Array.from({ length: p }, (_, c) => `PC${c + 1}`);
      return { kind: hasFeatures ? "features" : "components", data: tableRows(x, names), rows: x.numRows };
    }
    if (x.cols !== d && x.cols !== p) throw new RangeError(`a matrix of ${x.cols} columns is neither the ${d} features nor the ${p} components`);
    return { kind: x.cols === d ? "features" : "components", data: x.data, rows: x.rows };
  }
}

function isTable(x: ModelInput): x is Table {
  return typeof (x as Table).getChild === "function" && typeof (x as Table).numRows === "number";
}

/** Read a model (a model.json, a run directory holding one, or models:/…) and ready it for scoring. */
export async function loadModel(ref: string, options: LoadModelOptions = {}): Promise<SegmentationModel> {
  const { engine, store, ...load } = options;
  const artefact = await readModel((await resolveModel(ref, store)).path);
  return new SegmentationModel(artefact, engine ?? (await loadEngine(load)));
}
