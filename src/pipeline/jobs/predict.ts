// The `predict` job: read a model and a batch of customers (transactions, features or principal
// components), score them with the scoring step, and write or return the predictions table.
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import type { Table } from "apache-arrow";
import type { Engine } from "../../engine/engine.js";
import { OptionError, OptionHintError, OutputError, UserError } from "../../errors.js";
import { ipcToArrow } from "../../io/arrow.js";
import type { ColumnMap } from "../../io/columns.js";
import type { InputLimits } from "../../io/load.js";
import { readInputFile } from "../../io/files.js";
import type { TextFormat } from "../../io/text-format.js";
import { csvMatrixSteps } from "../../io/matrix.js";
import { parquetToArrow } from "../../io/parquet.js";
import { tableWriter, writeTable } from "../../io/write.js";
import { type CustsegModel, readModel, resolveModel } from "../../model/index.js";
import { formatDay, parseDay } from "../steps/as-of.js";
import { drainInterruptible, type Steps } from "../../engine/steps.js";
import { featureMatrix } from "./customer-matrix.js";
import { storedFeatures } from "./stored-features.js";
import { ScoreInputError, type Scored, scoreComponentsSteps, scoreFeaturesSteps } from "../steps/score.js";
import { customerIds, predictionTable, purchaseHistory, ScoreTableError, tableRows } from "../steps/score-table.js";
import { type StepReporter, StepTimer } from "../progress.js";

export type PredictInputKind = "transactions" | "features" | "components";

export interface PredictJobOptions {
  /** The run store that resolves models:/ addresses. */
  store?: string;
  /** A model reference: a model.json, or a run directory or models:/… (see resolveModel). */
  model: string;
  input: { kind: PredictInputKind; path: string };
  /** YYYY-MM-DD recency counts from, for transactions; default the input's last purchase day. */
  asOf?: string;
  /** .parquet, .csv or .arrow; nothing is written without it. */
  out?: string;
  /** Replace an existing `out`. */
  force?: boolean;
  /** Score outliers where the model has its forest (default true). */
  outliers?: boolean;
  encoding?: string;
  map?: ColumnMap;
  /** Date format, decimal mark and CSV delimiter of a transactions input. */
  textFormat?: TextFormat;
  cacheDir?: string | false;
  /** Bounds of a transactions input (io/limits.ts has the defaults). */
  limits?: InputLimits;
  /** The artefact store `custseg run` uses: a transactions input reuses and fills its load, clean and features. */
  artifacts?: string;
  reporter?: StepReporter;
  /** Stops the long computations (cleaning, features) at their next step once aborted. */
  signal?: AbortSignal;
}

export interface PredictJobResult {
  model: CustsegModel;
  modelPath: string;
  /** The day recency was counted from (transactions input only). */
  asOf?: string;
  predictions: Table;
  scored: Scored;
  customers: number;
  /** Customers per cluster, by cluster number. */
  clusterSizes: number[];
  /** Customers flagged as outliers, or null where no outlier score could be computed. */
  outliers: number | null;
  timingsMs: Record<string, number>;
}

export async function runPredictJob(engine: Engine, opts: PredictJobOptions): Promise<PredictJobResult> {
  const { input } = opts;
  // The option that named the input (transactions, features or components), for its errors.
  const option = input.kind;
  if (opts.out) checkOut(opts.out, input.path, opts.force ?? false);
  const asOfDay = opts.asOf === undefined ? undefined : parseDay(opts.asOf);
  if (opts.asOf !== undefined) {
    if (asOfDay === undefined) throw new OptionError("asOf", `${opts.asOf}: expected a date YYYY-MM-DD`);
    if (input.kind !== "transactions") throw new OptionError("asOf", (n) => `applies to ${n("transactions")} only (features and components already carry recency)`);
  }
  const timer = new StepTimer(opts.reporter);
  const modelPath = (await resolveModel(opts.model, opts.store)).path;
  const model = await timer.step("model", () => readModel(modelPath), (m) => `${m.mode} mode, k = ${m.kmeans.k}, ${m.pca.nComponents} components`);

  let ids: ArrayLike<number | null> | undefined;
  let scored: Scored;
  let history: Map<number, Set<string>> | undefined;
  let asOf: string | undefined;
  const withOutliers = opts.outliers ?? true;
  if (input.kind === "transactions") {
    const compat = model.mode === "seed" ? "seed" : "none";
    const pickDay = (last: number) => {
      if (asOfDay !== undefined && asOfDay < last) {
        throw new OptionError("asOf", `${opts.asOf} is before the last purchase in ${input.path} (${formatDay(last)}); give a later date`);
      }
      return asOfDay ?? last;
    };
    const stored = await storedFeatures({ input: input.path, compat, encoding: opts.encoding, map: opts.map, textFormat: opts.textFormat, cacheDir: opts.cacheDir, limits: opts.limits, artifacts: opts.artifacts, asOf: pickDay, reporter: opts.reporter, signal: opts.signal });
    Object.assign(timer.timingsMs, stored.timingsMs);
    const { clean, features } = stored;
    asOf = formatDay(stored.asOf);
    const all = featureMatrix(features);
    ids = all.ids;
    history = purchaseHistory(clean.table);
    scored = await timer.step("score", () => scoreOrExplain(scoreFeaturesSteps(engine, model, all.matrix.data, all.ids.length, { outliers: withOutliers }), (row) => `${input.path}: customer ${all.ids[row]}`, opts.signal), (s) => `${s.rows} customers`);
  } else {
    const names = input.kind === "features" ? model.features : Array.from({ length: model.pca.nComponents }, (_, c) => `PC${c + 1}`);
    const table = await timer.step("load", () => readScoringTable(input.path, names, option, opts.signal), (t) => `${t.rows} rows`);
    ids = table.ids;
    const where = (row: number) => `${input.path}: ${table.csv ? `line ${row + 2}` : `row ${row + 1}`}`;
    scored = await timer.step(
      "score",
      () =>
        scoreOrExplain(
          input.kind === "features" ? scoreFeaturesSteps(engine, model, table.data, table.rows, { outliers: withOutliers }) : scoreComponentsSteps(engine, model, table.data, table.rows),
          where,
          opts.signal,
        ),
      (s) => `${s.rows} customers`,
    );
  }
  const predictions = await timer.step("predictions", () => predictionTable(model, ids, scored, history));
  const out = opts.out;
  if (out) await timer.step("write", () => writeTable(out, predictions), () => out);
  const clusterSizes = new Array<number>(model.kmeans.k).fill(0);
  let outliers = 0;
  let unknown = false;
  for (let i = 0; i < scored.rows; i++) {
    clusterSizes[scored.cluster[i]!]!++;
    if (scored.outlier[i] === 1) outliers++;
    if (scored.outlier[i]! < 0) unknown = true;
  }
  return { model, modelPath, asOf, predictions, scored, customers: scored.rows, clusterSizes, outliers: unknown ? null : outliers, timingsMs: timer.timingsMs };
}

/** Run the scoring steps; a value they cannot score becomes one line naming where it came from. */
async function scoreOrExplain(steps: Steps<Scored>, where: (row: number) => string, signal?: AbortSignal): Promise<Scored> {
  try {
    return await drainInterruptible(steps, signal);
  } catch (err) {
    if (err instanceof ScoreInputError) {
      const detail = err.message.replace(/^row \d+, /, "");
      throw new UserError(`${where(err.row)}, ${detail}`);
    }
    throw err;
  }
}

interface ScoringTable {
  ids?: ArrayLike<number | null>;
  data: Float64Array;
  rows: number;
  /** Rows are CSV lines (line = row + 2, after the header). */
  csv: boolean;
}

/** The named columns (and CustomerID where present) of a .parquet, .arrow or .csv table. */
async function readScoringTable(path: string, names: readonly string[], option: string, signal?: AbortSignal): Promise<ScoringTable> {
  const ext = extname(path).toLowerCase();
  const bytes = await readInputFile(path);
  if (ext === ".csv") {
    const text = new TextDecoder().decode(bytes);
    const header = (text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "").split(",").map((h) => h.trim().replace(/^"(.*)"$/, "$1"));
    const missing = names.filter((n) => !header.includes(n));
    if (missing.length > 0) throw new OptionHintError((n) => `${path}: no column "${missing[0]}" (${n(option)} needs ${names.join(", ")})`, { input: path, option });
    const { matrix } = await drainInterruptible(csvMatrixSteps(text, path, { columns: names }), signal);
    const ids = header.includes("CustomerID") ? Int32Array.from((await drainInterruptible(csvMatrixSteps(text, path, { columns: ["CustomerID"] }), signal)).matrix.data) : undefined;
    return { ids, data: matrix.data, rows: matrix.rows, csv: true };
  }
  let table: Table;
  if (ext === ".parquet") table = parquetToArrow(bytes, path);
  else if (ext === ".arrow" || ext === ".ipc" || ext === ".feather") table = ipcToArrow(bytes, path);
  else throw new OptionHintError((n) => `${path}: unsupported ${n(option)} file type "${ext || "(none)"}"; expected .parquet, .arrow or .csv`, { input: path, option });
  try {
    return { ids: customerIds(table), data: tableRows(table, names), rows: table.numRows, csv: false };
  } catch (err) {
    if (err instanceof ScoreTableError) throw new UserError(`${path}: ${err.message}`);
    throw err;
  }
}

/** The output must have a known extension, must not be the input, and must not exist unless `force`. */
function checkOut(out: string, input: string, force: boolean): void {
  tableWriter(out);
  if (resolve(out) === resolve(input)) throw new OptionError("out", `${out} is the input file; name another file`);
  if (existsSync(out) && !force) throw new OutputError("out", out, { kind: "exists" });
}
