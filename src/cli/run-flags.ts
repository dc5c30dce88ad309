// The flags of `custseg run`, defined once: `SOURCE_FLAGS` (where the transactions come from, how
// they are read, the preparation) are shared with `tune`; `runFlags` adds the clustering flags and
// serves `run` (with their defaults) and `status` (without: a flag not given takes its value from
// custseg.lock). Defaults come from the pipeline's options.
import type { Argv, Options } from "yargs";
import { CLUSTER_ALGORITHMS, type ClusterAlgorithm, COMPAT_MODES, type Compat, DEFAULT_LOCK_FILE, RUN_DEFAULTS, type RunOptions, SCALE_DEFAULTS } from "../pipeline/options.js";
import { type CacheArgs, cacheFrom, cacheOptions } from "./cache-options.js";
import { type InputLimitArgs, inputLimitOptions, inputLimits } from "./limits.js";
import { STORE_DESCRIPTION } from "./store-option.js";
import { type TextFormatArgs, textFormatFrom, textFormatOptions } from "./text-format-options.js";
import { groupDigits } from "../digits.js";

export const SOURCE_FLAGS = {
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

/** The silhouette sample of `run` and `tune`: one rule, one default, one bound (src/cli/flags.ts). */
export const SILHOUETTE_SAMPLE_FLAG = {
  type: "number",
  default: SCALE_DEFAULTS.silhouetteSample,
  describe: "Exact silhouette up to this many customers; beyond, the silhouette of a seeded sample of this many (with a 95 % interval)",
} as const satisfies Options;

/** The parsed values of SOURCE_FLAGS. */
export interface SourceFlagArgs {
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

export interface RunFlagArgs extends Omit<SourceFlagArgs, "data-dir" | "store">, InputLimitArgs, CacheArgs, TextFormatArgs {
  k: number;
  seed: number;
  "n-init": number;
  "max-iter": number;
  init: string;
  algorithm: ClusterAlgorithm;
  "batch-size": number;
  "silhouette-sample": number;
  names?: string;
  currency?: string;
  lock?: string;
}

export function runFlags<T>(y: Argv<T>, withDefaults: boolean): Argv<T & RunFlagArgs> {
  const d = <V>(v: V) => (withDefaults ? { default: v } : {});
  // A shared flag without its default, for `status`.
  const shared = <O extends Options>(o: O): Options => {
    if (withDefaults) return o;
    const { default: _, ...rest } = o as Options;
    return rest;
  };
  return textFormatOptions(cacheOptions(inputLimitOptions(y)))
    .option("input", SOURCE_FLAGS.input)
    .option("compat", shared(SOURCE_FLAGS.compat))
    .option("outliers-from", SOURCE_FLAGS["outliers-from"])
    .option("k", { type: "number", ...d(RUN_DEFAULTS.k), describe: "Number of clusters" })
    .option("seed", { type: "number", ...d(RUN_DEFAULTS.seed), describe: "Seed of IsolationForest and k-means" })
    .option("n-init", { type: "number", ...d(RUN_DEFAULTS.nInit), describe: "k-means runs; the lowest inertia is kept" })
    .option("max-iter", { type: "number", ...d(RUN_DEFAULTS.maxIter), describe: "Lloyd iterations per run at most" })
    .option("tol", shared(SOURCE_FLAGS.tol))
    .option("init", { type: "string", ...d(RUN_DEFAULTS.init), describe: "k-means++, random, or a CSV of initial centres (k rows × components)" })
    .option("algorithm", {
      choices: CLUSTER_ALGORITHMS,
      ...d(SCALE_DEFAULTS.algorithm),
      describe: `k-means algorithm: auto is Lloyd up to ${groupDigits(SCALE_DEFAULTS.minibatchAbove)} customers, mini-batch beyond (always Lloyd with --compat seed)`,
    })
    .option("batch-size", { type: "number", ...d(SCALE_DEFAULTS.batchSize), describe: "Customers per mini-batch step" })
    .option("silhouette-sample", shared(SILHOUETTE_SAMPLE_FLAG))
    .option("variance", shared(SOURCE_FLAGS.variance))
    .option("names", { type: "string", describe: 'Segment names by cluster number, a JSON file: {"0": "Loyal regulars", …} (default: derived from the profiles)' })
    .option("currency", { type: "string", describe: "ISO 4217 code of the prices (GBP, EUR, …), shown with its symbol in the report; none by default" })
    .option("encoding", SOURCE_FLAGS.encoding)
    .option("map", SOURCE_FLAGS.map)
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
    algorithm: args.algorithm,
    batchSize: args["batch-size"],
    silhouetteSample: args["silhouette-sample"],
    variance: args.variance,
    names: args.names,
    currency: args.currency,
  };
}
