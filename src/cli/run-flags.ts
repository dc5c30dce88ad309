// The flags `run` and `tune` share — where the transactions come from, how they are read, and the
// preparation both make of them — defined once, with their defaults from the pipeline's options.
// Each command lists them in its own order, so its --help reads as before.
import type { Options } from "yargs";
import { COMPAT_MODES, type Compat, RUN_DEFAULTS } from "../pipeline/options.js";
import { STORE_DESCRIPTION } from "./store-option.js";

export const RUN_FLAGS = {
  input: { type: "string", describe: "Transactions (.zip, .xlsx, .csv, .parquet, .arrow); default: the UCI data under --data-dir, downloaded if absent" },
  compat: { choices: COMPAT_MODES, default: RUN_DEFAULTS.compat, describe: "seed: the original pipeline's semantics, quirks included" },
  "outliers-from": { type: "string", describe: "CSV of CustomerIDs to treat as outliers instead of IsolationForest" },
  tol: { type: "number", default: RUN_DEFAULTS.tol, describe: "k-means centre-shift tolerance (relative to the mean variance)" },
  variance: { type: "number", default: RUN_DEFAULTS.variance, describe: "Cumulative explained variance the PCA component count must reach" },
  "data-dir": { type: "string", default: RUN_DEFAULTS.dataDir, describe: "Where the UCI data is looked for and downloaded to" },
  encoding: { type: "string", describe: "Text encoding of a CSV source (default: detected)" },
  map: { type: "string", describe: "Rename source columns: SOURCE=TARGET,..." },
  store: { type: "string", describe: STORE_DESCRIPTION },
} as const satisfies Record<string, Options>;

/** The parsed values of RUN_FLAGS. */
export interface RunFlagArgs {
  input?: string;
  compat: Compat;
  "outliers-from"?: string;
  tol: number;
  variance: number;
  "data-dir": string;
  encoding?: string;
  map?: string;
  store?: string;
}
