// The front half of `custseg run`, for commands that cluster many times on the same customers:
// the step graph run `--to pca` (load, clean, features, outliers, scaling and PCA), reusing and
// filling the same artefact store as `custseg run` when one is given. Stored outputs are read only
// as they are asked for: the PCA scores first (the grid needs nothing else to start), the counts
// and the generated mark without the transactions, and everything else only for a run directory.
import type { Engine } from "../../engine/engine.js";
import type { GeneratedMark } from "../../io/generated-mark.js";
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
  "input" | "compat" | "encoding" | "map" | "textFormat" | "cacheDir" | "limits" | "outliersFrom" | "seed" | "variance" | "reporter" | "signal"
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

/** What a summary says of the prepared customers, read without the transactions. */
export interface PreparedFacts {
  /** Customers before outlier removal. */
  customers: number;
  /** sha256 of the transactions file. */
  sha256: string;
  generated?: GeneratedMark;
}

export interface PreparedRun {
  /** The PCA scores, one row per customer kept. */
  reduced: Reduced;
  /** Each step's time in this run; reads made later through `facts` and `prepared` add to it. */
  timingsMs: Record<string, number>;
  facts(): Promise<PreparedFacts>;
  /** Every output up to PCA, the cleaned transactions included (for a run directory). */
  prepared(): Promise<Prepared>;
}

export async function prepareRun(engine: Engine, opts: PrepareOptions): Promise<PreparedRun> {
  // Only the options the steps up to PCA read enter their keys; the rest are run defaults.
  const runOpts = { ...RUN_DEFAULTS, ...opts };
  const graph = await runGraph({ opts: runOpts, engine: async () => engine, reporter: opts.reporter ?? silentReporter, store: opts.artifacts, to: "pca" });
  const reduced = await graph.value("pca");
  const sha256 = async () => graph.keys?.load.files.input?.sha256 ?? (await fileSha256(opts.input)) ?? "";
  return {
    reduced,
    timingsMs: graph.timingsMs,
    facts: async () => {
      const { features } = await graph.value("features");
      // The mark is one of clean's small fields: its table of transactions is not read for it.
      const { generated } = await graph.fields("clean");
      return { customers: features.numRows, sha256: await sha256(), generated };
    },
    prepared: async () => {
      // One at a time: a stored output found damaged is recomputed from the ones before it.
      const clean = await graph.value("clean");
      const { features } = await graph.value("features");
      const { flagged, forest } = await graph.value("outliers");
      const scaled = await graph.value("scale");
      const all = featureMatrix(features);
      const job: FeaturesJobResult = { rows: clean.rows, customers: features.numRows, timingsMs: graph.timingsMs, features, cleaned: clean.table, sha256: await sha256(), generated: clean.generated };
      return { job, all, flagged, forest, kept: keepRows(all, flagged), scaled, reduced, timingsMs: graph.timingsMs };
    },
  };
}

/** Every output up to PCA at once. */
export async function prepareCustomers(engine: Engine, opts: PrepareOptions): Promise<Prepared> {
  return (await prepareRun(engine, opts)).prepared();
}
