// A feature source for drift: a prediction log (.jsonl), a table that already holds the 15
// features (.parquet, .arrow, .csv — a run's customers.parquet is one), or transactions, which are
// cleaned and turned into features in the model's mode (recency counted from their last date)
// through the step graph, so transactions a run already processed are not processed again.
import { extname } from "node:path";
import type { Table } from "apache-arrow";
import type { Matrix } from "../../engine/matrix.js";
import { ipcToArrow } from "../../io/arrow.js";
import { readInputFile } from "../../io/files.js";
import { drainInterruptible } from "../../engine/steps.js";
import { csvMatrixSteps, tableMatrixSteps } from "../../io/matrix.js";
import { parquetToArrow } from "../../io/parquet.js";
import { readPredictionLog } from "../../io/prediction-log.js";
import type { TextFormat } from "../../io/text-format.js";
import type { InputLimits } from "../../io/load.js";
import { storedFeatures } from "./stored-features.js";
import { type Compat, FEATURE_NAMES } from "../steps/features.js";
import { featureMatrix } from "./customer-matrix.js";
import type { StepReporter } from "../progress.js";
import type { FeatureSourceKind } from "../steps/drift-report.js";

export interface FeatureSource {
  kind: FeatureSourceKind;
  matrix: Matrix;
  /** The run's Outlier column, where the source is a run's customers table. */
  outlier?: Uint8Array;
}

export interface FeatureSourceOptions {
  compat: Compat;
  /** Date format, decimal mark and CSV delimiter of a transactions source. */
  textFormat?: TextFormat;
  cacheDir?: string | false;
  /** Bounds of a transactions source (io/limits.ts has the defaults). */
  limits?: InputLimits;
  /** The artefact store `custseg run` uses: transactions reuse and fill its load, clean and features. */
  artifacts?: string;
  reporter?: StepReporter;
  /** Stops the long computations (cleaning, features, silhouettes) at their next step once aborted. */
  signal?: AbortSignal;
}

const LOG_EXTENSIONS = new Set([".jsonl", ".ndjson", ".log"]);

export async function readFeatureSource(path: string, opts: FeatureSourceOptions): Promise<FeatureSource> {
  const ext = extname(path).toLowerCase();
  if (LOG_EXTENSIONS.has(ext)) return { kind: "prediction log", matrix: await readPredictionLog(path, FEATURE_NAMES) };
  if (ext === ".parquet" || ext === ".arrow") {
    const bytes = await readInputFile(path);
    const table = ext === ".parquet" ? parquetToArrow(bytes, path) : ipcToArrow(bytes, path);
    if (hasFeatures(table.schema.fields.map((f) => f.name))) return fromTable(table, path, opts.signal);
  } else if (ext === ".csv") {
    const bytes = await readInputFile(path);
    const text = new TextDecoder().decode(bytes);
    const header = text.slice(0, text.indexOf("\n") >>> 0).replace(/^\ufeff/, "");
    if (hasFeatures(header.split(",").map((h) => h.trim().replace(/^"|"$/g, "")))) {
      return { kind: "features table", matrix: (await drainInterruptible(csvMatrixSteps(text, path, { columns: FEATURE_NAMES }), opts.signal)).matrix };
    }
  }
  const { features } = await storedFeatures({ input: path, compat: opts.compat, textFormat: opts.textFormat, cacheDir: opts.cacheDir, limits: opts.limits, artifacts: opts.artifacts, reporter: opts.reporter, signal: opts.signal });
  return { kind: "transactions", matrix: featureMatrix(features).matrix };
}

const hasFeatures = (names: readonly string[]) => FEATURE_NAMES.every((f) => names.includes(f));

async function fromTable(table: Table, path: string, signal?: AbortSignal): Promise<FeatureSource> {
  const { matrix } = await drainInterruptible(tableMatrixSteps(table, path, { columns: FEATURE_NAMES }), signal);
  const column = table.getChild("Outlier");
  const outlier = column ? Uint8Array.from(column as Iterable<unknown>, (v) => (v ? 1 : 0)) : undefined;
  return { kind: "features table", matrix, outlier };
}
