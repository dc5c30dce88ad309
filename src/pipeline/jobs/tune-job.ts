// `custseg tune`: prepare the customers once (load → PCA), fit and score the whole grid and the k
// analysis on worker threads, rank, then write the tune directory atomically: tune.html, the
// summary, the ranked trials, and the best trial's run directory (as `custseg run` writes it).
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Engine } from "../../engine/engine.js";
import { OptionError, UserError } from "../../errors.js";
import { renderTuneReport } from "../../report/tune.js";
import { writeDirAtomic } from "../../io/atomic.js";
import { orderBySize } from "../steps/cluster.js";
import { engineInputError } from "./engine-input.js";
import { evaluateClusters } from "../steps/evaluate.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { clusterProfiles } from "../steps/profiles.js";
import { formatDay, lastPurchaseDay } from "../steps/as-of.js";
import { recommend } from "../steps/recommend.js";
import type { RunOptions, RunSummary } from "../options.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { businessFigures, summarize } from "./run-summary.js";
import { writeRunDirectory } from "./run-output.js";
import { checkRunDirectory } from "./run-files.js";
import { engineBackend } from "../steps/tune-engine.js";
import { formatGrid, type TuneGrid } from "../steps/tune-grid.js";
import { type TrialResult, type TuneOutcome, tuneAnalysis } from "../steps/tune-analysis.js";
import type { TuneMetric } from "../steps/tune-rank.js";
import { StepTimer } from "../progress.js";
import type { TuneSummary } from "../steps/tune-summary.js";
import { type PrepareOptions, type Prepared, type PreparedFacts, prepareRun } from "./prepare-job.js";
import { TunePool } from "./tune-pool.js";

export interface TuneOptions extends PrepareOptions {
  /** How the input is named in the summary and the page. */
  inputLabel?: string;
  /** The caller knows the input is generated (an unmarked file it generated); a marked file says so itself. */
  synthetic?: boolean;
  grid: TuneGrid;
  metric: TuneMetric;
  kRange: number[];
  tol: number;
  /** Threads for the grid: 1 runs it on this thread, more start that many worker threads. */
  threads: number;
  /** The tune directory; default runs/tune-<UTC timestamp>-<short hash>. */
  out?: string;
  runsDir?: string;
  now?: Date;
  /**
   * Also write the best trial's run directory (model.json, customers, profiles, recommendations,
   * report.html) as `custseg run` with its settings would. Off by default: it costs as much as the
   * grid; registering the best trial needs it.
   */
  bestRun?: boolean;
  /** Called with the summary before the directory is written (the run store adds its run ids here). */
  beforeWrite?: (summary: TuneSummary) => void;
}


export interface TuneArtifacts {
  facts: PreparedFacts;
  outcome: TuneOutcome;
  /** Every output up to PCA: read only for the best trial's run directory. */
  prepared?: Prepared;
  best?: RunArtifacts;
  summary: TuneSummary;
}

export async function runTuneJob(engine: Engine, opts: TuneOptions): Promise<TuneArtifacts> {
  if (opts.out) checkRunDirectory(opts.out, true, "out");
  else checkRunDirectory(opts.runsDir ?? "runs", false, "runsDir");
  const now = opts.now ?? new Date();
  // Started first: the workers compile their engines while this thread loads and cleans.
  const pool = opts.threads > 1 ? TunePool.start(opts.threads) : undefined;
  // Interrupted, the grid's workers stop at once; the process does not wait for their trials.
  if (pool) opts.signal?.addEventListener("abort", () => void pool.close(), { once: true });
  let scores: ReturnType<Engine["upload"]> | undefined;
  try {
    const run = await prepareRun(engine, opts);
    const timer = new StepTimer(opts.reporter);
    Object.assign(timer.timingsMs, run.timingsMs);
    const { reduced } = run;
    const n = reduced.scores.rows;
    const kMax = Math.max(...opts.grid.k, ...opts.kRange);
    if (n <= kMax) throw new OptionError(opts.grid.k.includes(kMax) ? "grid" : "kRange", `reaches k = ${kMax}, which needs at least ${kMax + 1} customers; ${n} remain after outlier removal`);
    // Read while the workers fit: the summary needs them only once the grid is done.
    const facts = run.facts();
    facts.catch(() => {});

    const resident = () => (scores ??= engine.upload(reduced.scores));
    const outcome = await timer.step(
      "grid",
      async () => {
        if (pool) await pool.setData(reduced.scores);
        const backend = pool ?? engineBackend(engine, resident(), opts.signal);
        // The engine's RangeErrors here are about the data against the grid (e.g. a k beyond the distinct customers).
        return tuneAnalysis(backend, { grid: opts.grid, metric: opts.metric, kRange: opts.kRange, seed: opts.seed, tol: opts.tol, cols: reduced.fit.nComponents }).catch((err) =>
          engineInputError(err, `the grid ${formatGrid(opts.grid)}`),
        );
      },
      (o) => `${o.trials.length} trials: ${o.counts.fits} of ${o.counts.bruteForceFits} runs fitted, ${o.counts.silhouettes} silhouettes`,
    );
    const { customers, sha256, generated } = await facts;
    const tuneDir = opts.out ?? `${opts.runsDir ?? "runs"}/tune-${runStamp(now)}-${shortHash(sha256, opts)}`;
    const bestRunDir = opts.bestRun ? join(tuneDir, "best") : undefined;
    const prepared = bestRunDir ? await run.prepared() : undefined;
    const best = prepared && bestRunDir ? await timer.step("best trial", () => bestRunArtifacts(engine, opts, prepared, outcome, resident(), bestRunDir, now)) : undefined;
    // Outputs read since the first copy (the features for the counts, the rest for best/) add their time.
    Object.assign(timer.timingsMs, run.timingsMs);
    const summary: TuneSummary = {
      mode: opts.compat === "seed" ? "seed" : "default",
      input: opts.inputLabel ?? opts.input,
      synthetic: Boolean(opts.synthetic) || generated !== undefined,
      ...(generated ? { generator: generated } : {}),
      customers: n,
      customersBeforeOutliers: customers,
      outliers: customers - n,
      nComponents: reduced.fit.nComponents,
      grid: formatGrid(opts.grid),
      metric: opts.metric,
      seed: opts.seed,
      threads: pool?.threads ?? 1,
      best: outcome.trials[0]!,
      recommendation: outcome.recommendation,
      kAnalysis: outcome.kAnalysis.map(({ samples: _s, labels: _l, ...p }) => p),
      counts: outcome.counts,
      timingsMs: timer.timingsMs,
      tuneDir,
      bestRunDir,
      trials: outcome.trials,
    };
    opts.beforeWrite?.(summary);
    const artifacts: TuneArtifacts = { facts: { customers, sha256, generated }, outcome, prepared, best, summary };
    await timer.step("write", () => writeTuneDirectory(tuneDir, artifacts, now), () => tuneDir);
    return artifacts;
  } finally {
    scores?.free();
    await pool?.close();
  }
}

/** The best trial as `custseg run` with its parameters would produce it, for its run directory. */
async function bestRunArtifacts(
  engine: Engine,
  opts: TuneOptions,
  prepared: Prepared,
  outcome: TuneOutcome,
  scores: Parameters<Engine["silhouette"]>[0],
  runDir: string,
  now: Date,
): Promise<RunArtifacts> {
  const t = outcome.trials[0]!;
  const { job, all, flagged, kept, scaled, reduced } = prepared;
  const clusters = orderBySize({ k: t.k, ...outcome.bestFit }, reduced.fit.nComponents);
  const quality = await evaluateClusters(engine, scores, clusters.labels, t.k, opts.signal);
  const profiles = clusterProfiles(FEATURE_NAMES, kept.matrix, clusters.labels, quality.samples, t.k);
  const clusterOf = new Map<number, number>();
  kept.ids.forEach((id, i) => {
    clusterOf.set(id, clusters.labels[i]!);
  });
  const recommendations = recommend(job.cleaned, clusterOf, { compat: opts.compat });
  const runOpts: RunOptions = {
    input: opts.input,
    inputLabel: opts.inputLabel,
    synthetic: opts.synthetic,
    compat: opts.compat,
    outliersFrom: opts.outliersFrom,
    k: t.k,
    seed: opts.seed,
    nInit: t.nInit,
    maxIter: t.maxIter,
    tol: opts.tol,
    init: t.init,
    variance: opts.variance,
    out: runDir,
  };
  const segments = businessFigures(job.cleaned, all, flagged, clusterOf, profiles.clusters.map((c) => c.name), recommendations, runOpts);
  const summary: RunSummary = {
    ...summarize({ job, all, kept, reduced, clusters, quality, profiles, segments }, opts.compat, t.k),
    ...(opts.synthetic ? { synthetic: true } : {}),
    input: opts.inputLabel ?? opts.input,
    timingsMs: { ...prepared.timingsMs },
    runDir,
  };
  return { opts: runOpts, now, sha256: job.sha256, asOf: formatDay(lastPurchaseDay(job.cleaned)!), forest: prepared.forest, all, flagged, kept, scaled, reduced, clusters, quality, profiles, recommendations, segments, summary };
}

async function writeTuneDirectory(dir: string, a: TuneArtifacts, now: Date): Promise<void> {
  try {
    await writeDirAtomic(dir, async (tmp) => {
      if (a.best) await writeRunDirectory(join(tmp, "best"), a.best);
      await writeFile(join(tmp, "trials.csv"), trialsCsv(a.summary.trials));
      await writeFile(join(tmp, "summary.json"), `${JSON.stringify(a.summary, null, 1)}\n`);
      await writeFile(join(tmp, "tune.html"), renderTuneReport({ summary: a.summary, grid: a.outcome.grid, kAnalysis: a.outcome.kAnalysis, generatedAt: now.toISOString() }));
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw new UserError(`cannot write the tune directory ${dir}: ${(err as Error).message}`);
    throw err;
  }
}

const TRIAL_COLUMNS = ["rank", "k", "init", "nInit", "maxIter", "silhouette", "daviesBouldin", "calinskiHarabasz", "inertia", "nIter", "run", "labelling"] as const;

export function trialsCsv(trials: readonly TrialResult[]): string {
  const rows = trials.map((t) => TRIAL_COLUMNS.map((c) => String(t[c])).join(","));
  return `${[TRIAL_COLUMNS.join(","), ...rows].join("\n")}\n`;
}

function runStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

function shortHash(sha256: string, opts: TuneOptions): string {
  const { compat, seed, tol, variance, outliersFrom, grid, metric, kRange } = opts;
  return createHash("sha256").update(JSON.stringify({ sha256, compat, seed, tol, variance, outliersFrom, grid, metric, kRange })).digest("hex").slice(0, 8);
}

export type { TuneSummary } from "../steps/tune-summary.js";
