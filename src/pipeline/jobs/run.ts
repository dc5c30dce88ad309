// The run job: transactions → features → outliers → scaling → PCA → k-means → metrics →
// profiles → recommendations, then one run directory written atomically. Each step lives in its
// own module; this file only sequences them, times them and assembles the outputs.
import { createHash } from "node:crypto";
import type { Table } from "apache-arrow";
import type { Engine } from "../../engine/engine.js";
import type { KMeansInit } from "../../engine/kmeans.js";
import { blameOption, OptionError, UserError } from "../../errors.js";
import { readOutlierIds } from "../../io/ids.js";
import { readMatrix } from "../../io/matrix.js";
import { formatDay, lastPurchaseDay } from "../steps/as-of.js";
import { clusterCustomers } from "../steps/cluster.js";
import { evaluateClusters } from "../steps/evaluate.js";
import { type FeaturesJobResult, runFeaturesJob } from "./features.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { isolationForestInterruptible, type OutlierResult, outlierMask } from "../steps/outliers.js";
import { clusterProfilesSteps, renameClusters } from "../steps/profiles.js";
import { applyNames, parseSegmentNames } from "../steps/names.js";
import { readInputFile } from "../../io/files.js";
import { currencyOf, type SegmentFigures, segmentFigures } from "../steps/business.js";
import { type Recommendations, recommendSteps } from "../steps/recommend.js";
import { drain, drainInterruptible, type Steps } from "../../engine/steps.js";
import { reduceDimensions } from "../steps/reduce.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { checkRunDirectory, writeRunDirectory } from "./run-output.js";
import { scaleFeatures } from "../steps/scale.js";
import { StepTimer } from "../progress.js";
import { type CustomerMatrix, RUN_DEFAULTS, type RunOptions, type RunSummary } from "../options.js";

/** Runs every step and writes the run directory; returns the summary and every intermediate result. */
export async function runPipeline(engine: Engine, opts: RunOptions): Promise<RunArtifacts> {
  checkOptions(opts);
  if (opts.out) checkRunDirectory(opts.out, true, "out");
  else checkRunDirectory(opts.runsDir ?? RUN_DEFAULTS.runsDir, false, "runsDir");
  // Read before any work, so a bad names file fails in a second, not after the clustering.
  const givenNames = opts.names ? await readNamesFile(opts.names, opts.k) : undefined;
  const now = opts.now ?? new Date();
  const timer = new StepTimer(opts.reporter);
  const job = await runFeaturesJob({ input: opts.input, compat: opts.compat, encoding: opts.encoding, map: opts.map, cacheDir: opts.cacheDir, limits: opts.limits, reporter: opts.reporter, signal: opts.signal });
  Object.assign(timer.timingsMs, job.timingsMs);

  const all = featureMatrix(job.features);
  let forest: OutlierResult | undefined;
  const flagged = await timer.step("outliers", async () => {
    if (opts.outliersFrom) return outlierMask(all.ids, blameOption("outliersFrom", () => readOutlierIds(opts.outliersFrom!)));
    forest = await isolationForestInterruptible(all.matrix, { seed: opts.seed }, opts.signal);
    return forest.isOutlier;
  }, (f) => `${count(f)} flagged`);
  const kept = keepRows(all, flagged);
  if (kept.ids.length === 0) {
    if (opts.outliersFrom) {
      throw new OptionError("outliersFrom", `${opts.outliersFrom} lists every one of the ${all.ids.length} customers; nothing is left to cluster`);
    }
    throw new UserError(`every one of the ${all.ids.length} customers was flagged as an outlier; nothing is left to cluster`);
  }
  // The silhouette needs at least one cluster with two customers: n must exceed k.
  if (kept.ids.length <= opts.k) {
    throw new OptionError("k", `${opts.k} needs at least ${opts.k + 1} customers, and ${kept.ids.length} remain after outlier removal; lower it or use a larger input`);
  }

  const scaled = await timer.step("scale", () => scaleFeatures(engine, kept.matrix, FEATURE_NAMES, opts.compat));
  const reduced = await timer.step("pca", () => reduceDimensions(engine, scaled.matrix, opts.variance, opts.compat, opts.signal), (r) => `${r.fit.nComponents} components`);
  const init = await initialCentres(opts, reduced.fit.nComponents);
  const scores = engine.upload(reduced.scores);
  try {
    const clusters = await timer.step("kmeans", () => clusterCustomers(engine, scores, { k: opts.k, init, nInit: opts.nInit, maxIter: opts.maxIter, tol: opts.tol, seed: opts.seed }, opts.signal), (c) => `inertia ${c.inertia.toFixed(2)}, ${c.nIter} iterations`);
    const empty = clusters.sizes.filter((size) => size === 0).length;
    if (empty > 0) {
      throw new OptionError("k", `${opts.k}: k-means found only ${opts.k - empty} distinct groups among the ${kept.ids.length} customers (too few distinct customers); lower it`);
    }
    const quality = await timer.step("metrics", () => evaluateClusters(engine, scores, clusters.labels, opts.k, opts.signal), (q) => `silhouette ${q.silhouette.toFixed(4)}`);
    const profiles = await timer.step("profiles", async () => {
      const derived = await drainInterruptible(clusterProfilesSteps(FEATURE_NAMES, kept.matrix, clusters.labels, quality.samples, opts.k), opts.signal);
      if (!givenNames) return derived;
      const names = blameOption("names", () => applyNames(derived.clusters.map((c) => c.name), givenNames, opts.names!));
      return renameClusters(derived, names);
    });
    const clusterOf = new Map<number, number>();
    kept.ids.forEach((id, i) => {
      clusterOf.set(id, clusters.labels[i]!);
    });
    const recommendations = await timer.step("recommendations", () => drainInterruptible(recommendSteps(job.cleaned, clusterOf, { compat: opts.compat }), opts.signal));
    const segments = await timer.step("segments", () =>
      drainInterruptible(businessFiguresSteps(job.cleaned, all, flagged, clusterOf, profiles.clusters.map((c) => c.name), recommendations, opts), opts.signal),
    );

    const inputLabel = opts.inputLabel ?? opts.input;
    const runDir = opts.out ?? `${opts.runsDir ?? RUN_DEFAULTS.runsDir}/${opts.runId ?? `${runStamp(now)}-${shortHash(job.sha256, opts)}-${runTag()}`}`;
    const summary: RunSummary = {
      ...summarize({ job, all, kept, reduced, clusters, quality, profiles, segments }, opts.compat, opts.k),
      input: inputLabel,
      timingsMs: timer.timingsMs,
      runDir,
      ...(opts.runId ? { runId: opts.runId } : {}),
    };
    const asOf = formatDay(lastPurchaseDay(job.cleaned)!);
    const artifacts: RunArtifacts = { opts, now, sha256: job.sha256, asOf, forest, all, flagged, kept, scaled, reduced, clusters, quality, profiles, recommendations, segments, currency: opts.currency ? currencyOf(opts.currency) : undefined, summary };
    await timer.step("write", () => writeRunDirectory(runDir, artifacts), () => runDir);
    return artifacts;
  } finally {
    scores.free();
  }
}

/** The features table (CustomerID + FEATURE_NAMES) as IDs and a row-major matrix. */
export function featureMatrix(features: Table): CustomerMatrix {
  const n = features.numRows;
  const d = FEATURE_NAMES.length;
  const data = new Float64Array(n * d);
  FEATURE_NAMES.forEach((name, j) => {
    const values = features.getChild(name)!.toArray() as ArrayLike<number>;
    for (let i = 0; i < n; i++) data[i * d + j] = Number(values[i]);
  });
  return { ids: Int32Array.from(features.getChild("CustomerID")!.toArray() as ArrayLike<number>), matrix: { data, rows: n, cols: d } };
}

export function keepRows(all: CustomerMatrix, flagged: Uint8Array): CustomerMatrix {
  const d = all.matrix.cols;
  const rows: number[] = [];
  for (let i = 0; i < flagged.length; i++) if (!flagged[i]) rows.push(i);
  const data = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    data.set(all.matrix.data.subarray(r * d, r * d + d), i * d);
  });
  return { ids: Int32Array.from(rows, (r) => all.ids[r]!), matrix: { data, rows: rows.length, cols: d } };
}

async function initialCentres(opts: RunOptions, p: number): Promise<KMeansInit> {
  if (opts.init === "k-means++" || opts.init === "random") return opts.init;
  const { matrix } = await readMatrix(opts.init);
  if (matrix.rows !== opts.k || matrix.cols !== p) {
    throw new UserError(`${opts.init}: initial centres are ${matrix.rows}×${matrix.cols}, expected ${opts.k}×${p} (k × principal components)`, 1, { input: opts.init, option: "init" });
  }
  return matrix;
}

/** Business figures per cluster and for the outliers, whose best sellers are ranked as a group of their own. */
export function businessFigures(
  cleaned: Table,
  all: CustomerMatrix,
  flagged: Uint8Array,
  clusterOf: ReadonlyMap<number, number>,
  names: string[],
  recommendations: Recommendations,
  opts: RunOptions,
): SegmentFigures[] {
  return drain(businessFiguresSteps(cleaned, all, flagged, clusterOf, names, recommendations, opts));
}

/** businessFigures as steps: the outliers' best sellers take a pass over the lines. */
function* businessFiguresSteps(
  cleaned: Table,
  all: CustomerMatrix,
  flagged: Uint8Array,
  clusterOf: ReadonlyMap<number, number>,
  names: string[],
  recommendations: Recommendations,
  opts: RunOptions,
): Steps<SegmentFigures[]> {
  const column = (name: string) => {
    const j = FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number]);
    return Float64Array.from({ length: all.ids.length }, (_, i) => all.matrix.data[i * all.matrix.cols + j]!);
  };
  const segment = Int32Array.from(all.ids, (id, i) => (flagged[i] ? -1 : clusterOf.get(id)!));
  const outliers = new Map<number, number>();
  all.ids.forEach((id, i) => {
    if (flagged[i]) outliers.set(id, -1);
  });
  const outlierTop = outliers.size > 0 ? (yield* recommendSteps(cleaned, outliers, { compat: opts.compat })).top : [];
  const top = (cluster: number) => (cluster < 0 ? outlierTop : recommendations.top.filter((t) => t.cluster === cluster))
    .map(({ stockCode, description, quantity, revenue }) => ({ stockCode, description, quantity, revenue }));
  const customers = {
    revenue: column("Total_Spend"),
    invoices: column("Total_Transactions"),
    cancelledInvoices: column("Cancellation_Frequency"),
    recencyDays: column("Days_Since_Last_Purchase"),
    segment,
  };
  return segmentFigures(customers, names, top);
}

async function readNamesFile(file: string, k: number): Promise<Map<number, string>> {
  const bytes = await readInputFile(file).catch((err: unknown) => blameOption("names", () => {
    throw err;
  }));
  return blameOption("names", () => parseSegmentNames(new TextDecoder().decode(bytes), k, file));
}

function checkOptions(opts: RunOptions): void {
  const whole = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new OptionError(name, `must be a whole number ≥ ${min}, got ${v}`);
  };
  whole("k", opts.k, 2);
  whole("nInit", opts.nInit, 1);
  whole("maxIter", opts.maxIter, 1);
  whole("seed", opts.seed, 0);
  if (opts.currency !== undefined && !currencyOf(opts.currency)) {
    throw new OptionError("currency", `must be an ISO 4217 code such as GBP, EUR or USD, got ${JSON.stringify(opts.currency)}`);
  }
  if (!(opts.tol >= 0)) throw new OptionError("tol", `must be ≥ 0, got ${opts.tol}`);
}

const count = (flags: Uint8Array) => flags.reduce((s, f) => s + f, 0);

let runsInProcess = 0;

/**
 * The process id, and a sequence number after the first run of a process: two runs started in
 * the same second with the same options (by two processes, or twice by one) get different names.
 */
function runTag(): string {
  runsInProcess++;
  return runsInProcess === 1 ? `p${process.pid}` : `p${process.pid}.${runsInProcess}`;
}

/** 20261126T103200Z: sortable, and safe in file names everywhere. */
function runStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** Short hash of the data and the options that shape the result: equal runs get equal suffixes. */
function shortHash(sha256: string, opts: RunOptions): string {
  const { compat, k, seed, nInit, maxIter, tol, init, variance, outliersFrom } = opts;
  return createHash("sha256").update(JSON.stringify({ sha256, compat, k, seed, nInit, maxIter, tol, init, variance, outliersFrom })).digest("hex").slice(0, 8);
}

/** The summary figures of a clustered run, shared by `custseg run` and the best trial of `custseg tune`. */
export function summarize(
  a: Pick<RunArtifacts, "all" | "kept" | "reduced" | "clusters" | "quality" | "profiles" | "segments"> & { job: Pick<FeaturesJobResult, "rows"> },
  compat: RunOptions["compat"],
  k: number,
): Omit<RunSummary, "input" | "timingsMs" | "runDir" | "runId"> {
  const { job, all, kept, reduced, clusters, quality, profiles, segments } = a;
  return {
    mode: compat === "seed" ? "seed" : "default",
    rows: { ...job.rows },
    customers: kept.ids.length,
    customersBeforeOutliers: all.ids.length,
    outliers: all.ids.length - kept.ids.length,
    nComponents: reduced.fit.nComponents,
    explainedVarianceRatio: [...reduced.fit.explainedVarianceRatio],
    k,
    inertia: clusters.inertia,
    nIter: clusters.nIter,
    silhouette: quality.silhouette,
    daviesBouldin: quality.daviesBouldin,
    calinskiHarabasz: quality.calinskiHarabasz,
    clusterSizes: clusters.sizes,
    clusterNames: profiles.clusters.map((c) => c.name),
    revenueShares: segments.map((s) => s.revenueShare),
    clusterDescriptions: profiles.clusters.map((c) => c.description),
  };
}
