// `custseg evaluate`: a numeric matrix and a labels file → silhouette, Davies–Bouldin, Calinski–Harabasz.
import type { ResidentMatrix } from "../engine/index.js";
import { UserError } from "../errors.js";
import { readMatrix } from "../io/matrix.js";
import { engineFor, engineInputError } from "./engine-input.js";

export interface EvaluateJobOptions {
  input: string;
  columns?: string[];
  /** CSV with a header row and one integer column: the cluster of each input row, in order. */
  labels: string;
  threads?: number;
  /** Notes for the user (e.g. a capped --threads); the CLI sends them to stderr. */
  note?: (msg: string) => void;
}

export interface EvaluateSummary {
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
}

/** The labels file's single column, checked to be non-negative integers (errors name the line). */
export async function readLabels(path: string): Promise<Int32Array> {
  const { matrix, columnNames } = await readMatrix(path);
  if (matrix.cols !== 1) {
    throw new UserError(`${path}: expected one column of cluster labels, found ${matrix.cols} (${columnNames.join(", ")})`);
  }
  const labels = new Int32Array(matrix.rows);
  matrix.data.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new UserError(`${path}: line ${i + 2}: label ${v} is not a non-negative integer`);
    }
    labels[i] = v;
  });
  return labels;
}

export async function runEvaluateJob(opts: EvaluateJobOptions): Promise<EvaluateSummary> {
  const { matrix } = await readMatrix(opts.input, { columns: opts.columns });
  const labels = await readLabels(opts.labels);
  if (labels.length !== matrix.rows) {
    throw new UserError(`${opts.labels}: ${labels.length} labels for the ${matrix.rows} rows of ${opts.input}`);
  }
  const engine = await engineFor(opts.threads, opts.note);
  let x: ResidentMatrix;
  try {
    x = engine.upload(matrix);
  } catch (err) {
    engineInputError(err, opts.input);
  }
  try {
    return {
      silhouette: engine.silhouette(x, labels).score,
      daviesBouldin: engine.daviesBouldin(x, labels),
      calinskiHarabasz: engine.calinskiHarabasz(x, labels),
    };
  } catch (err) {
    // The matrix and the labels' format are checked by now: what is left is the number of clusters.
    engineInputError(err, opts.labels);
  } finally {
    x.free();
  }
}
