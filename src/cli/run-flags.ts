// The flags that decide what `custseg run` computes, shared by `run` (with their defaults) and
// `status` (without: a flag not given takes its value from custseg.lock).
import type { Argv } from "yargs";
import { COMPAT_MODES, type Compat, DEFAULT_LOCK_FILE, RUN_DEFAULTS, type RunOptions } from "../pipeline/options.js";
import { type CacheArgs, cacheFrom, cacheOptions } from "./cache-options.js";
import { type InputLimitArgs, inputLimitOptions, inputLimits } from "./limits.js";
import { type TextFormatArgs, textFormatFrom, textFormatOptions } from "./text-format-options.js";

export interface RunFlagArgs extends InputLimitArgs, CacheArgs, TextFormatArgs {
  input?: string;
  compat: Compat;
  "outliers-from"?: string;
  k: number;
  seed: number;
  "n-init": number;
  "max-iter": number;
  tol: number;
  init: string;
  variance: number;
  names?: string;
  currency?: string;
  encoding?: string;
  map?: string;
  lock?: string;
}

export function runFlags<T>(y: Argv<T>, withDefaults: boolean): Argv<T & RunFlagArgs> {
  const d = <V>(v: V) => (withDefaults ? { default: v } : {});
  return textFormatOptions(cacheOptions(inputLimitOptions(y)))
    .option("input", { type: "string", describe: "Transactions (.zip, .xlsx, .csv, .parquet, .arrow); default: the UCI data under --data-dir, downloaded if absent" })
    .option("compat", { choices: COMPAT_MODES, ...d(RUN_DEFAULTS.compat), describe: "seed: the original pipeline's semantics, quirks included" })
    .option("outliers-from", { type: "string", describe: "CSV of CustomerIDs to treat as outliers instead of IsolationForest" })
    .option("k", { type: "number", ...d(RUN_DEFAULTS.k), describe: "Number of clusters" })
    .option("seed", { type: "number", ...d(RUN_DEFAULTS.seed), describe: "Seed of IsolationForest and k-means" })
    .option("n-init", { type: "number", ...d(RUN_DEFAULTS.nInit), describe: "k-means runs; the lowest inertia is kept" })
    .option("max-iter", { type: "number", ...d(RUN_DEFAULTS.maxIter), describe: "Lloyd iterations per run at most" })
    .option("tol", { type: "number", ...d(RUN_DEFAULTS.tol), describe: "k-means centre-shift tolerance (relative to the mean variance)" })
    .option("init", { type: "string", ...d(RUN_DEFAULTS.init), describe: "k-means++, random, or a CSV of initial centres (k rows × components)" })
    .option("variance", { type: "number", ...d(RUN_DEFAULTS.variance), describe: "Cumulative explained variance the PCA component count must reach" })
    .option("names", { type: "string", describe: 'Segment names by cluster number, a JSON file: {"0": "Loyal regulars", …} (default: derived from the profiles)' })
    .option("currency", { type: "string", describe: "ISO 4217 code of the prices (GBP, EUR, …), shown with its symbol in the report; none by default" })
    .option("encoding", { type: "string", describe: "Text encoding of a CSV source (default: detected)" })
    .option("map", { type: "string", describe: "Rename source columns: SOURCE=TARGET,..." })
    .option("lock", { type: "string", default: DEFAULT_LOCK_FILE, describe: "The lock file: each step's parameters and input and output hashes of the last complete run" }) as Argv<
    T & RunFlagArgs
  >;
}

/** The run options these flags give (input aside: `run` may default it). */
export async function runOptionsFrom(args: RunFlagArgs): Promise<Omit<RunOptions, "input">> {
  return {
    compat: args.compat,
    encoding: args.encoding,
    // The column map's parser loads Arrow: only when a map is given.
    map: args.map === undefined ? undefined : (await import("../io/columns.js")).parseColumnMap(args.map),
    textFormat: textFormatFrom(args),
    cacheDir: cacheFrom(args),
    limits: inputLimits(args),
    outliersFrom: args["outliers-from"],
    k: args.k,
    seed: args.seed,
    nInit: args["n-init"],
    maxIter: args["max-iter"],
    tol: args.tol,
    init: args.init,
    variance: args.variance,
    names: args.names,
    currency: args.currency,
  };
}
