// Options, defaults and result types of the pipeline, in one place: the steps, the jobs, the CLI,
// the tests and the benchmarks all read their defaults from here.
import type { InputLimits } from "../io/load.js";
import type { Matrix } from "../engine/matrix.js";
import type { ColumnMap } from "../io/columns.js";
import type { TextFormat } from "../io/text-format.js";
import type { GeneratedMark } from "../io/generated-mark.js";
import type { StepReporter } from "./progress.js";

export { KMEANS_DEFAULTS } from "../engine/kmeans-options.js";
export { MINIBATCH_DEFAULTS, MINIBATCH_LIMITS } from "../engine/minibatch-options.js";
/** The source cache: default directory, its environment variable, and the smallest source cached. */
export { CACHE_DIR_ENV, CACHE_MIN_SOURCE_BYTES, DEFAULT_CACHE_DIR } from "../io/cache-defaults.js";
/** How text sources write dates and numbers: "auto" detects the date format, "." is the decimal mark. */
export { DATE_FORMAT_CHOICES, TEXT_FORMAT_DEFAULTS, type TextFormat } from "../io/text-format.js";

/**
 * The artefact store (every step's output, by key) is this folder of the cache directory, so one
 * root holds the parsed sources and the step outputs; custseg.lock sits in the working directory.
 */
/** The steps of the run's graph, in order (src/pipeline/jobs/graph/steps.ts declares them). */
export const PIPELINE_STEPS = ["load", "clean", "features", "outliers", "scale", "pca", "kmeans", "evaluate", "profiles", "recommend", "report"] as const;

export const ARTIFACTS_SUBDIR = "artifacts";
export const DEFAULT_LOCK_FILE = "custseg.lock";

/** "seed": the original pipeline's semantics, quirks included; "none": the same features with its bugs fixed. */
export type Compat = "seed" | "none";
export const COMPAT_MODES: readonly Compat[] = ["none", "seed"];

/** scikit-learn's IsolationForest defaults, as the original pipeline used them. */
export const ISOLATION_FOREST_DEFAULTS = { seed: 0, nTrees: 100, maxSamples: 256, contamination: 0.05 } as const;

/**
 * Defaults of `run`. maxIter is 100, not the engine's 300: the original pipeline passed
 * max_iter=100, and the run reproduces it.
 */
export const RUN_DEFAULTS = {
  compat: "none" as Compat,
  k: 3,
  seed: 0,
  nInit: 10,
  maxIter: 100,
  tol: 1e-4,
  init: "k-means++",
  variance: 0.8,
  runsDir: "runs",
  /** Where the UCI data is looked for and downloaded to when no input is given. */
  dataDir: "data",
} as const;

/** k-means algorithms: Lloyd (every row every iteration), mini-batch, or chosen by the customer count. */
export type ClusterAlgorithm = "lloyd" | "minibatch" | "auto";
export const CLUSTER_ALGORITHMS: readonly ClusterAlgorithm[] = ["auto", "lloyd", "minibatch"];

/**
 * How `run` and `kmeans` scale. `auto` fits Lloyd up to minibatchAbove rows and mini-batch k-means
 * past it (a Lloyd pass touches every row; at a million rows ten inits of up to a hundred passes
 * take minutes, mini-batch seconds, within 1 % of Lloyd's inertia on the benchmarks' blobs).
 * The silhouette is exact up to silhouetteSample rows (it is quadratic in them) and beyond that
 * computed on a seeded sample of that many rows, as scikit-learn's silhouette_score(sample_size).
 */
export const SCALE_DEFAULTS = {
  algorithm: "auto" as ClusterAlgorithm,
  minibatchAbove: 100_000,
  batchSize: 1024,
  silhouetteSample: 20_000,
} as const;

/** The largest silhouette sample: n² distance terms, about a minute of work at this size. */
export const SILHOUETTE_SAMPLE_MAX = 200_000;

/** Defaults of `tune` beyond the run's: the original's random_state, its metric, and the k analysis. */
export const TUNE_DEFAULTS = {
  seed: 42,
  metric: "silhouette",
  kRange: "2..10",
  experiment: "tune",
} as const;

/**
 * Defaults of `retrain`. Evaluation scores every held-out customer up to maxEvalCustomers (the
 * silhouette is quadratic in them); beyond it, a seeded sample of that many.
 */
export const RETRAIN_DEFAULTS = {
  model: "models:/segments/production",
  policy: "default",
  splitSeed: 0,
  maxEvalCustomers: 20_000,
  experiment: "retrain",
} as const;

export interface RunOptions {
  /** The transactions file. */
  input: string;
  /** How the input is named in the summary and model.json (e.g. "synthetic (seed 0)"). */
  inputLabel?: string;
  /** The caller knows the input is generated (an unmarked file it generated); a marked file says so itself. */
  synthetic?: boolean;
  compat: Compat;
  encoding?: string;
  map?: ColumnMap;
  /** Date format, decimal mark and CSV delimiter of the source. */
  textFormat?: TextFormat;
  cacheDir?: string | false;
  /** Resource bounds on reading the source (zip, workbook). */
  limits?: InputLimits;
  /** Threads decoding a Parquet source's row groups (default: the cores); the kernels' come with the engine. */
  threads?: number;
  /** Day number (days since 1970-01-01) recency counts from; default the input's last purchase day. */
  asOf?: number;
  /** A CSV of CustomerIDs to treat as outliers instead of running IsolationForest. */
  outliersFrom?: string;
  k: number;
  seed: number;
  nInit: number;
  maxIter: number;
  tol: number;
  /** "k-means++", "random", or a file of initial centres (one row per cluster, one column per component). */
  init: string;
  /** Cumulative explained-variance ratio the PCA component count aims for. */
  variance: number;
  /** k-means algorithm (default SCALE_DEFAULTS.algorithm: by the customer count). */
  algorithm?: ClusterAlgorithm;
  /** Rows per mini-batch step (default SCALE_DEFAULTS.batchSize). */
  batchSize?: number;
  /** Exact silhouette up to this many customers, a seeded sample of this many beyond (default SCALE_DEFAULTS.silhouetteSample). */
  silhouetteSample?: number;
  /** A JSON file of segment names by cluster number (`{"0": "name", …}`) replacing the derived names. */
  names?: string;
  /** ISO 4217 code the prices are in (shown with its symbol); none by default. */
  currency?: string;
  /** The run directory; default runs/<runId>, or runs/<UTC timestamp>-<short hash> without a runId. */
  out?: string;
  /** The run's id in the run store, when it is recorded there. */
  runId?: string;
  runsDir?: string;
  reporter?: StepReporter;
  /** Stops the long computations (IsolationForest, PCA, k-means, silhouette) at their next step once aborted. */
  signal?: AbortSignal;
  /** The run's clock, for the directory name and the report (tests pin it). */
  now?: Date;
}

export interface RunSummary {
  mode: "default" | "seed";
  input: string;
  /** True when the input was generated (`custseg generate`, or the offline fallback): the segments describe no real customers. */
  synthetic: boolean;
  /** The generator's parameters, where the input carries them. */
  generator?: GeneratedMark;
  rows: Record<string, number>;
  customers: number;
  customersBeforeOutliers: number;
  outliers: number;
  nComponents: number;
  explainedVarianceRatio: number[];
  k: number;
  /** The k-means algorithm that ran ("lloyd" or "minibatch"). */
  algorithm?: "lloyd" | "minibatch";
  /** Mini-batch steps (with "minibatch"; nIter then counts passes' worth of rows). */
  nSteps?: number;
  inertia: number;
  nIter: number;
  silhouette: number;
  /** Where the silhouette is a sample's: its size, the customers it was drawn from, and a 95 % interval. */
  silhouetteSample?: SilhouetteSampleInfo;
  daviesBouldin: number;
  calinskiHarabasz: number;
  clusterSizes: number[];
  clusterNames: string[];
  /** Share of all customers' revenue per cluster, then the outliers' (where there are any). */
  revenueShares: number[];
  clusterDescriptions: string[];
  timingsMs: Record<string, number>;
  runDir: string;
  /** The run's id in the run store, when it is recorded there. */
  runId?: string;
}

/** The silhouette of a seeded sample, as reported beside the score. */
export interface SilhouetteSampleInfo {
  size: number;
  /** The customers the sample was drawn from. */
  population: number;
  seed: number;
  /** 95 % normal interval of the mean (see engine/silhouette.ts). */
  ci95: [number, number];
}

/** Customers as IDs and a row-major feature matrix, row i being customer ids[i]. */
export interface CustomerMatrix {
  ids: Int32Array;
  matrix: Matrix;
}
