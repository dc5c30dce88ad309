// The front half of `custseg run`, for commands that cluster many times on the same customers:
// load, clean, features, outliers, scaling and PCA, once. Same steps, same order, same results.
import type { Engine } from "../../engine/engine.js";
import { blameOption, UserError } from "../../errors.js";
import type { ColumnMap } from "../../io/columns.js";
import { type FeaturesJobResult, runFeaturesJob } from "./features.js";
import { FEATURE_NAMES } from "../steps/features.js";
import type { Compat, CustomerMatrix } from "../options.js";
import { readOutlierIds } from "../../io/ids.js";
import { isolationForestInterruptible, type OutlierResult, outlierMask } from "../steps/outliers.js";
import { formatDay, lastPurchaseDay } from "../steps/as-of.js";
import { type Reduced, reduceDimensions } from "../steps/reduce.js";
import { featureMatrix, keepRows } from "./run.js";
import { type Scaled, scaleFeatures } from "../steps/scale.js";
import { type StepReporter, StepTimer } from "../progress.js";

export interface PrepareOptions {
  input: string;
  compat: Compat;
  encoding?: string;
  map?: ColumnMap;
  cacheDir?: string | false;
  outliersFrom?: string;
  /** IsolationForest's seed (`custseg run` uses its --seed for both the forest and k-means). */
  seed: number;
  variance: number;
  reporter?: StepReporter;
  /** Stops the long computations (IsolationForest, PCA) at their next step once aborted. */
  signal?: AbortSignal;
}

export interface Prepared {
  job: FeaturesJobResult;
  all: CustomerMatrix;
  flagged: Uint8Array;
  /** The IsolationForest that flagged the outliers (none with a given outlier list). */
  forest?: OutlierResult;
  /** YYYY-MM-DD the features were computed as of. */
  asOf: string;
  kept: CustomerMatrix;
  scaled: Scaled;
  reduced: Reduced;
  timingsMs: Record<string, number>;
}

export async function prepareCustomers(engine: Engine, opts: PrepareOptions): Promise<Prepared> {
  const timer = new StepTimer(opts.reporter);
  const job = await runFeaturesJob({ input: opts.input, compat: opts.compat, encoding: opts.encoding, map: opts.map, cacheDir: opts.cacheDir, reporter: opts.reporter, signal: opts.signal });
  Object.assign(timer.timingsMs, job.timingsMs);
  const all = featureMatrix(job.features);
  let forest: OutlierResult | undefined;
  const flagged = await timer.step("outliers", async () => {
    if (opts.outliersFrom) return outlierMask(all.ids, blameOption("outliersFrom", () => readOutlierIds(opts.outliersFrom!)));
    forest = await isolationForestInterruptible(all.matrix, { seed: opts.seed }, opts.signal);
    return forest.isOutlier;
  }, (f) => `${f.reduce((s, v) => s + v, 0)} flagged`);
  const kept = keepRows(all, flagged);
  if (kept.ids.length === 0) throw new UserError(`every one of the ${all.ids.length} customers was flagged as an outlier; nothing is left to cluster`);
  const scaled = await timer.step("scale", () => scaleFeatures(engine, kept.matrix, FEATURE_NAMES, opts.compat));
  const reduced = await timer.step("pca", () => reduceDimensions(engine, scaled.matrix, opts.variance, opts.compat, opts.signal), (r) => `${r.fit.nComponents} components`);
  const asOf = formatDay(lastPurchaseDay(job.cleaned)!);
  return { job, all, flagged, forest, asOf, kept, scaled, reduced, timingsMs: timer.timingsMs };
}
