// The evaluate job: a numeric matrix and a labels file → silhouette, Davies–Bouldin, Calinski–Harabasz.
import type { ResidentMatrix } from "../../engine/index.js";
import { type Note, UserError } from "../../errors.js";
import { readLabels } from "../../io/labels.js";
import { readMatrix } from "../../io/matrix.js";
import { engineFor, engineInputError } from "./engine-input.js";

export interface EvaluateJobOptions {
  input: string;
  columns?: string[];
  /** Refuse a matrix of more columns than this (io/limits.ts has the default). */
  maxColumns?: number;
  /** CSV with a header row and one integer column: the cluster of each input row, in order. */
  labels: string;
  threads?: number;
  /** Notes for the user (e.g. a capped --threads); the CLI sends them to stderr. */
  note?: (msg: Note) => void;
  /** Stops the computation at its next step once aborted (the CLI aborts it on SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export interface EvaluateSummary {
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
}

export async function runEvaluateJob(opts: EvaluateJobOptions): Promise<EvaluateSummary> {
  const { matrix } = await readMatrix(opts.input, { columns: opts.columns, signal: opts.signal, maxColumns: opts.maxColumns });
  const labels = await readLabels(opts.labels);
  if (labels.length !== matrix.rows) {
    throw new UserError(`${opts.labels}: ${labels.length} labels for the ${matrix.rows} rows of ${opts.input}`);
  }
  const engine = await engineFor(opts.threads, opts.note, opts.signal);
  let x: ResidentMatrix;
  try {
    x = engine.upload(matrix);
  } catch (err) {
    engineInputError(err, opts.input);
  }
  try {
    return {
      silhouette: (await engine.silhouetteInterruptible(x, labels, {}, opts.signal)).score,
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
