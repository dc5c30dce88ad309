// The run's option checks and its small side inputs (segment names, initial centres), read so that a
// bad one fails in a second, before any work, with the option it came from.
import type { KMeansInit } from "../../engine/kmeans.js";
import { blameOption, OptionError, UserError } from "../../errors.js";
import { readInputFile } from "../../io/files.js";
import { currencyOf } from "../steps/business.js";
import { parseSegmentNames } from "../steps/names.js";
import { CLUSTER_ALGORITHMS, MINIBATCH_LIMITS, type RunOptions, SILHOUETTE_SAMPLE_MAX } from "../options.js";
import { groupDigits } from "../../digits.js";

export function checkOptions(opts: RunOptions): void {
  const whole = (name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min) throw new OptionError(name, `must be a whole number ≥ ${min}, got ${v}`);
    if (v > max) throw new OptionError(name, `must be at most ${groupDigits(max)}, got ${v}`);
  };
  whole("k", opts.k, 2);
  whole("nInit", opts.nInit, 1);
  whole("maxIter", opts.maxIter, 1);
  whole("seed", opts.seed, 0);
  if (opts.currency !== undefined && !currencyOf(opts.currency)) {
    throw new OptionError("currency", `must be an ISO 4217 code such as GBP, EUR or USD, got ${JSON.stringify(opts.currency)}`);
  }
  if (!(opts.tol >= 0)) throw new OptionError("tol", `must be ≥ 0, got ${opts.tol}`);
  if (opts.algorithm !== undefined && !CLUSTER_ALGORITHMS.includes(opts.algorithm)) {
    throw new OptionError("algorithm", `must be one of ${CLUSTER_ALGORITHMS.join(", ")}, got ${JSON.stringify(opts.algorithm)}`);
  }
  if (opts.algorithm === "minibatch" && opts.compat === "seed") {
    throw new OptionError("algorithm", (n) => `minibatch is not available with ${n("compat")} seed: the original pipeline's numbers come from Lloyd`);
  }
  if (opts.batchSize !== undefined) whole("batchSize", opts.batchSize, 1, MINIBATCH_LIMITS.batchSize);
  if (opts.silhouetteSample !== undefined) whole("silhouetteSample", opts.silhouetteSample, 3, SILHOUETTE_SAMPLE_MAX);
}

export async function readNamesFile(file: string, k: number): Promise<Map<number, string>> {
  const bytes = await readInputFile(file).catch((err: unknown) => blameOption("names", () => {
    throw err;
  }));
  return blameOption("names", () => parseSegmentNames(new TextDecoder().decode(bytes), k, file));
}

/** Whether --init names a file of centres rather than a seeding method. */
export const initIsFile = (init: string) => init !== "k-means++" && init !== "random";

export async function initialCentres(opts: Pick<RunOptions, "init" | "k">, p: number): Promise<KMeansInit> {
  if (!initIsFile(opts.init)) return opts.init as KMeansInit;
  // Loaded only for a file of centres: the matrix readers bring Arrow and Parquet with them.
  const { readMatrix } = await import("../../io/matrix.js");
  // Its shape is checked below against k × components: the matrix column bound is not this file's.
  const { matrix } = await readMatrix(opts.init, { maxColumns: Number.POSITIVE_INFINITY });
  if (matrix.rows !== opts.k || matrix.cols !== p) {
    throw new UserError(`${opts.init}: initial centres are ${matrix.rows}×${matrix.cols}, expected ${opts.k}×${p} (k × principal components)`, 1, { input: opts.init, option: "init" });
  }
  return matrix;
}
