// Building blocks for the drift tests: a trained run directory, features tables on disk, a row-wise
// edit of a features table, transactions with every price multiplied.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeVector, Table, tableFromIPC, tableToIPC, type Vector } from "apache-arrow";
import type { Engine } from "../../src/engine/engine.js";
import type { Matrix } from "../../src/engine/matrix.js";
import { generateFile } from "../../src/io/generate/generate.js";
import { runFeaturesJob } from "../../src/pipeline/jobs/features.js";
import { FEATURE_NAMES } from "../../src/pipeline/steps/features.js";
import { featureMatrix, runPipeline } from "../../src/pipeline/jobs/run.js";
import { RUN_DEFAULTS } from "../../src/pipeline/options.js";


/** Trains on `input` into `dir`; returns the path of its model.json. */
export async function trainRun(engine: Engine, input: string, dir: string): Promise<string> {
  await runPipeline(engine, { ...RUN_DEFAULTS, cacheDir: false, input, out: dir });
  return join(dir, "model.json");
}

/** Generated transactions with `rows` lines and `customers` customers, as .arrow in `dir`. */
export async function generated(dir: string, seed: number, rows: number, customers: number): Promise<string> {
  const path = join(dir, `generated-${seed}.arrow`);
  await generateFile(path, { rows, customers, seed });
  return path;
}

/** The 15 features of a transactions file's customers. */
export async function featuresOf(transactions: string): Promise<Matrix> {
  const job = await runFeaturesJob({ input: transactions, cacheDir: false });
  return featureMatrix(job.features).matrix;
}

/** A features table as CSV (header = the 15 feature names), for --input or --reference. */
export async function writeFeaturesCsv(path: string, x: Matrix, rows?: ArrayLike<number>): Promise<string> {
  const pick = rows ?? Array.from({ length: x.rows }, (_, i) => i);
  const lines = [FEATURE_NAMES.join(",")];
  for (let r = 0; r < pick.length; r++) {
    const i = pick[r]!;
    lines.push(Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols), (v) => String(v)).join(","));
  }
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

/** A copy of x with one feature multiplied. */
export function scaleFeature(x: Matrix, feature: string, factor: number): Matrix {
  const j = FEATURE_NAMES.indexOf(feature as (typeof FEATURE_NAMES)[number]);
  const data = Float64Array.from(x.data);
  for (let i = 0; i < x.rows; i++) data[i * x.cols + j]! *= factor;
  return { data, rows: x.rows, cols: x.cols };
}

/** A copy of an Arrow transactions file with every UnitPrice multiplied (prices moved, or another currency). */
export async function scalePrices(src: string, dst: string, factor: number): Promise<string> {
  const table = tableFromIPC(await readFile(src));
  const columns: Record<string, Vector> = {};
  for (const field of table.schema.fields) columns[field.name] = table.getChild(field.name)!;
  columns.UnitPrice = makeVector(Float64Array.from(table.getChild("UnitPrice")!.toArray() as Float64Array, (p) => p * factor));
  await writeFile(dst, tableToIPC(new Table(columns), "file"));
  return dst;
}
