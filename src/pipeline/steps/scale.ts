// Scaling the customer features before PCA. Default: StandardScaler on every feature.
// Compat ("seed"): the original pipeline's split — StandardScaler on nine features, one row-wise
// L2 Normalizer across three count/gap features, and Day_Of_Week, Hour and Is_UK left raw.
import type { Engine } from "../../engine/engine.js";
import type { Matrix } from "../../engine/matrix.js";
import type { Compat } from "../options.js";

const SEED_STANDARDIZED = [
  "Days_Since_Last_Purchase",
  "Total_Transactions",
  "Total_Spend",
  "Average_Transaction_Value",
  "Unique_Products_Purchased",
  "Cancellation_Rate",
  "Monthly_Spending_Mean",
  "Monthly_Spending_Std",
  "Spending_Trend",
];
const SEED_NORMALIZED = ["Total_Products_Purchased", "Average_Days_Between_Purchases", "Cancellation_Frequency"];

export interface ScalingModel {
  /** Features standardised as (x − mean) / scale (population std; a constant feature gets scale 1). */
  standardized: { features: string[]; mean: number[]; scale: number[] };
  /** Features divided, row by row, by the L2 norm of the row over these features together. */
  normalized: string[];
  /** Features passed through unchanged. */
  raw: string[];
}

export interface Scaled {
  matrix: Matrix;
  model: ScalingModel;
}

/** Stops at the engine's next chunk of rows once `signal` is aborted. */
export async function scaleFeatures(engine: Engine, x: Matrix, features: readonly string[], compat: Compat, signal?: AbortSignal): Promise<Scaled> {
  if (features.length !== x.cols) throw new RangeError(`${features.length} feature names for ${x.cols} columns`);
  const standardized = compat === "seed" ? SEED_STANDARDIZED : [...features];
  const normalized = compat === "seed" ? SEED_NORMALIZED : [];
  const raw = features.filter((f) => !standardized.includes(f) && !normalized.includes(f));
  const out = new Float64Array(x.data);

  const std = columnsOf(x, features, standardized);
  const { scaler, scaled } = await engine.standardScaleInterruptible(std.matrix, undefined, signal);
  putColumns(out, x, std.indices, scaled);

  if (normalized.length > 0) {
    const norm = columnsOf(x, features, normalized);
    putColumns(out, x, norm.indices, await engine.normalizeRowsInterruptible(norm.matrix, signal));
  }
  return {
    matrix: { data: out, rows: x.rows, cols: x.cols },
    model: { standardized: { features: standardized, mean: [...scaler.mean], scale: [...scaler.scale] }, normalized, raw },
  };
}

/** The named columns of x as their own row-major matrix, with their indices in x. */
function columnsOf(x: Matrix, features: readonly string[], names: readonly string[]): { matrix: Matrix; indices: number[] } {
  const indices = names.map((name) => {
    const j = features.indexOf(name);
    if (j < 0) throw new RangeError(`feature ${name} is missing (have ${features.join(", ")})`);
    return j;
  });
  const c = indices.length;
  const data = new Float64Array(x.rows * c);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < c; j++) data[i * c + j] = x.data[i * x.cols + indices[j]!]!;
  return { matrix: { data, rows: x.rows, cols: c }, indices };
}

function putColumns(out: Float64Array, x: Matrix, indices: readonly number[], part: Matrix): void {
  const c = indices.length;
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < c; j++) out[i * x.cols + indices[j]!] = part.data[i * c + j]!;
}
