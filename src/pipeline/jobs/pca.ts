// The PCA job: a numeric matrix from a file → PCA on the engine → summary (+ scores file).
import { Float64, makeData, makeVector, Table } from "apache-arrow";
import type { PcaFit } from "../../engine/pca-model.js";
import { readMatrix } from "../../io/matrix.js";
import { checkOutputFile } from "../../io/output.js";
import { writeTable } from "../../io/write.js";
import type { Note } from "../../errors.js";
import { engineFor, engineInputError } from "./engine-input.js";

export interface PcaJobOptions {
  input: string;
  columns?: string[];
  /** Refuse a matrix of more columns than this (io/limits.ts has the default). */
  maxColumns?: number;
  /** Exactly one of components and variance. */
  components?: number;
  variance?: number;
  threads?: number;
  /** Notes for the user (e.g. a capped --threads); the CLI sends them to stderr. */
  note?: (msg: Note) => void;
  /** Where to write the scores (PC1 … PCp): .csv, .arrow or .parquet. */
  out?: string;
  /** Replace an existing --out file. */
  force?: boolean;
  /** Stops the computation at its next step once aborted (the CLI aborts it on SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export interface PcaSummary {
  nComponents: number;
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  /** p rows of d weights, one per input column. */
  components: number[][];
  mean: number[];
  columnNames: string[];
}

export async function runPcaJob(opts: PcaJobOptions): Promise<PcaSummary> {
  if (opts.out) checkOutputFile(opts.out, { option: "out", inputs: [opts.input], force: opts.force });
  const { matrix, columnNames } = await readMatrix(opts.input, { columns: opts.columns, signal: opts.signal, maxColumns: opts.maxColumns });
  const engine = await engineFor(opts.threads, opts.note, opts.signal);
  let fit: PcaFit;
  try {
    fit = await engine.pcaInterruptible(matrix, { components: opts.components, variance: opts.variance, scores: opts.out !== undefined }, opts.signal);
  } catch (err) {
    engineInputError(err, opts.input);
  }
  if (opts.out) await writeTable(opts.out, scoresTable(fit));
  const d = matrix.cols;
  const p = fit.nComponents;
  return {
    nComponents: p,
    explainedVariance: Array.from(fit.explainedVariance),
    explainedVarianceRatio: Array.from(fit.explainedVarianceRatio),
    components: Array.from({ length: p }, (_, c) => Array.from(fit.components.data.subarray(c * d, c * d + d))),
    mean: Array.from(fit.mean),
    columnNames,
  };
}

/** The scores as a table with Float64 columns PC1 … PCp. */
function scoresTable(fit: PcaFit): Table {
  const { data, rows, cols } = fit.scores!;
  const columns: Record<string, ReturnType<typeof makeVector>> = {};
  for (let c = 0; c < cols; c++) {
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) values[i] = data[i * cols + c]!;
    columns[`PC${c + 1}`] = makeVector(makeData({ type: new Float64(), length: rows, data: values }));
  }
  return new Table(columns);
}
