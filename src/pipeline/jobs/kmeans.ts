// The k-means job: a numeric matrix from a file → k-means on the engine → summary (+ labels file).
// Engine errors (RangeError/TypeError: bad k, non-finite values, wrong centre shape) become user
// errors naming the file they came from: the centres file where the engine blames `init`.
import type { KMeansInit, KMeansResult } from "../../engine/kmeans.js";
import { type ClusterAlgorithm, SCALE_DEFAULTS } from "../options.js";
import { resolveAlgorithm } from "../steps/cluster.js";
import { ArgumentError } from "../../engine/validate.js";
import { readMatrix } from "../../io/matrix.js";
import { checkOutputFile } from "../../io/output.js";
import { writeFileAtomic } from "../../io/atomic.js";
import type { Note } from "../../errors.js";
import { engineFor, engineInputError } from "./engine-input.js";

export interface KMeansJobOptions {
  input: string;
  columns?: string[];
  /** Refuse a matrix of more columns than this (io/limits.ts has the default). */
  maxColumns?: number;
  k: number;
  nInit?: number;
  maxIter?: number;
  tol?: number;
  /** 'k-means++', 'random', or a file of k initial centres (same columns as the input). */
  init?: string;
  seed?: number;
  /** Lloyd, mini-batch, or by the row count (default SCALE_DEFAULTS.algorithm). */
  algorithm?: ClusterAlgorithm;
  /** Rows per mini-batch step. */
  batchSize?: number;
  threads?: number;
  /** Notes for the user (e.g. a capped --threads); the CLI sends them to stderr. */
  note?: (msg: Note) => void;
  labelsOut?: string;
  /** Replace an existing --labels-out file. */
  force?: boolean;
  /** Stops the computation at its next step once aborted (the CLI aborts it on SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export interface KMeansSummary {
  k: number;
  algorithm: "lloyd" | "minibatch";
  inertia: number;
  nIter: number;
  /** Rows per cluster. */
  sizes: number[];
  /** k rows of d coordinates. */
  centers: number[][];
  columnNames: string[];
}

export async function runKMeansJob(opts: KMeansJobOptions): Promise<KMeansSummary> {
  if (opts.labelsOut) checkOutputFile(opts.labelsOut, { option: "labelsOut", inputs: [opts.input, opts.init], force: opts.force });
  const { matrix, columnNames } = await readMatrix(opts.input, { columns: opts.columns, signal: opts.signal, maxColumns: opts.maxColumns });
  let init: KMeansInit = "k-means++";
  if (opts.init === "random" || opts.init === "k-means++") init = opts.init;
  else if (opts.init !== undefined) init = (await readMatrix(opts.init, { maxColumns: opts.maxColumns })).matrix;
  const engine = await engineFor(opts.threads, opts.note, opts.signal);
  const algorithm = resolveAlgorithm(opts.algorithm ?? SCALE_DEFAULTS.algorithm, matrix.rows, SCALE_DEFAULTS.minibatchAbove);
  const fitOptions = { k: opts.k, init, nInit: opts.nInit, maxIter: opts.maxIter, tol: opts.tol, seed: opts.seed };
  let result: KMeansResult;
  try {
    result =
      algorithm === "minibatch"
        ? await engine.minibatchKMeansInterruptible(matrix, { ...fitOptions, batchSize: opts.batchSize }, opts.signal)
        : await engine.kmeansInterruptible(matrix, fitOptions, opts.signal);
  } catch (err) {
    engineInputError(err, err instanceof ArgumentError && err.argument === "init" ? opts.init! : opts.input);
  }
  const { k, labels, centers, inertia, nIter } = result;
  const d = matrix.cols;
  const sizes = new Array<number>(k).fill(0);
  for (const label of labels) sizes[label]!++;
  // As scikit-learn warns: with fewer distinct rows than k, some clusters stay empty.
  const empty = sizes.filter((s) => s === 0).length;
  if (empty > 0) {
    opts.note?.((n) => `warning: only ${k - empty} distinct clusters found for ${n("k")} ${k} (fewer distinct rows than k); ${empty} cluster${empty > 1 ? "s are" : " is"} empty`);
  }
  if (opts.labelsOut) await writeFileAtomic(opts.labelsOut, `label\n${labels.join("\n")}\n`);
  return {
    k,
    algorithm,
    inertia,
    nIter,
    sizes,
    centers: Array.from({ length: k }, (_, c) => Array.from(centers.subarray(c * d, c * d + d))),
    columnNames,
  };
}
