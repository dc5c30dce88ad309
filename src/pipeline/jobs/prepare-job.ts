// The front half of `custseg run`, for commands that cluster many times on the same customers:
// the step graph run `--to pca` (load, clean, features, outliers, scaling and PCA), reusing and
// filling the same artefact store as `custseg run` when one is given.
import type { Engine } from "../../engine/engine.js";
import type { FeaturesJobResult } from "./features.js";
import { type CustomerMatrix, RUN_DEFAULTS, type RunOptions } from "../options.js";
import type { OutlierResult } from "../steps/outliers.js";
import type { Reduced } from "../steps/reduce.js";
import { featureMatrix, keepRows } from "./customer-matrix.js";
import type { Scaled } from "../steps/scale.js";
import { silentReporter } from "../progress.js";
import { runGraph } from "./graph/runner.js";
import { fileSha256 } from "../../io/artifacts.js";

/** The run options the steps up to PCA read, and the artefact store. */
export type PrepareOptions = Pick<
  RunOptions,
  "input" | "compat" | "encoding" | "map" | "textFormat" | "cacheDir" | "outliersFrom" | "seed" | "variance" | "reporter" | "signal"
> & {
  /** The artefact store `custseg run` uses; without one every step computes. */
  artifacts?: string;
};

export interface Prepared {
  job: FeaturesJobResult;
  all: CustomerMatrix;
  flagged: Uint8Array;
  /** The IsolationForest that flagged the outliers (none with a given outlier list). */
  forest?: OutlierResult;
  kept: CustomerMatrix;
  scaled: Scaled;
  reduced: Reduced;
  timingsMs: Record<string, number>;
}

export async function prepareCustomers(engine: Engine, opts: PrepareOptions): Promise<Prepared> {
  // Only the options the steps up to PCA read enter their keys; the rest are run defaults.
  const runOpts = { ...RUN_DEFAULTS, ...opts };
  const graph = await runGraph({ opts: runOpts, engine: async () => engine, reporter: opts.reporter ?? silentReporter, store: opts.artifacts, to: "pca" });
  // One at a time: a stored output found damaged is recomputed from the ones before it.
  const clean = await graph.value("clean");
  const { features } = await graph.value("features");
  const { flagged, forest } = await graph.value("outliers");
  const scaled = await graph.value("scale");
  const reduced = await graph.value("pca");
  const all = featureMatrix(features);
  const sha256 = graph.keys?.load.files.input?.sha256 ?? (await fileSha256(opts.input)) ?? "";
  const job: FeaturesJobResult = { rows: clean.rows, customers: features.numRows, timingsMs: graph.timingsMs, features, cleaned: clean.table, sha256, generated: clean.generated };
  return { job, all, flagged, forest, kept: keepRows(all, flagged), scaled, reduced, timingsMs: graph.timingsMs };
}
