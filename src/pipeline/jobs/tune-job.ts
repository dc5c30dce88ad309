// `custseg tune`: prepare the customers once (load → PCA), fit and score the whole grid and the k
// analysis on worker threads, rank, then write the tune directory atomically: tune.html, the
// summary, the ranked trials, and the best trial's run directory (as `custseg run` writes it).
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Engine } from "../../engine/engine.js";
import { ArgumentError } from "../../engine/validate.js";
import { OptionError, UserError } from "../../errors.js";
import type { TuneReportData } from "../../report/tune.js";
import { writeDirAtomic } from "../../io/atomic.js";
import { engineInputError } from "./engine-input.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { checkRunDirectory } from "./run-files.js";
import { engineBackend } from "../steps/tune-engine.js";
import { sampleSizeError, type SilhouetteSampling } from "../steps/evaluate.js";
import { SCALE_DEFAULTS, SILHOUETTE_SAMPLE_MAX } from "../options.js";
import { groupDigits } from "../../digits.js";
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
  /**
   * Exact silhouettes up to this many customers, past it every labelling's silhouette on one seeded
   * sample of this many (drawn with `seed`), as `custseg run` (default SCALE_DEFAULTS.silhouetteSample).
   */
  silhouetteSample?: number;
  /** Threads for the grid: 1 runs it on this thread, more start that many worker threads. */
  threads: number;
  /**
   * Worker threads the caller started early (TunePool.start), so that they boot while it loads the
   * rest; used instead of starting `threads` of them, and closed like them when the job ends.
   */
  pool?: TunePool;
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
  try {
    checkSilhouetteSample(opts.silhouetteSample);
    if (opts.out) checkRunDirectory(opts.out, true, "out");
    else checkRunDirectory(opts.runsDir ?? "runs", false, "runsDir");
  } catch (err) {
    // A pool the caller started is this job's to close, however early the job ends.
    await opts.pool?.close();
    throw err;
  }
  const now = opts.now ?? new Date();
  // Started first: the workers compile their engines while this thread loads and cleans.
  const pool = opts.pool ?? (opts.threads > 1 ? TunePool.start(opts.threads) : undefined);
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
    const sampling: SilhouetteSampling = { size: opts.silhouetteSample ?? SCALE_DEFAULTS.silhouetteSample, seed: opts.seed };
    const silhouetteSample = n > sampling.size ? { size: sampling.size, population: n, seed: sampling.seed } : undefined;
    if (n <= kMax) throw new OptionError(opts.grid.k.includes(kMax) ? "grid" : "kRange", `reaches k = ${kMax}, which needs at least ${kMax + 1} customers; ${n} remain after outlier removal`);
    // Read while the workers fit: the summary needs them only once the grid is done.
    const facts = run.facts();
    facts.catch(() => {});

    // The page's modules load while the workers fit, rather than before the grid or after it.
    const report = import("../../report/tune.js");
    report.catch(() => {});
    const outcome = await timer.step(
      "grid",
      async () => {
        if (pool) await pool.setData(reduced.scores, sampling);
        const backend = pool ?? engineBackend(engine, (scores = engine.upload(reduced.scores)), opts.signal, sampling);
        const analysis = { grid: opts.grid, metric: opts.metric, kRange: opts.kRange, seed: opts.seed, tol: opts.tol, cols: reduced.fit.nComponents, silhouetteSample };
        // A sample drawing one cluster only is the sample size's fault; the engine's other RangeErrors
        // here are about the data against the grid (e.g. a k beyond the distinct customers).
        return tuneAnalysis(backend, analysis).catch((err) =>
          err instanceof ArgumentError && err.argument === "size" ? sampleSizeError(err, sampling.size) : engineInputError(err, `the grid ${formatGrid(opts.grid)}`),
        );
      },
      (o) =>
        `${o.trials.length} trials: ${o.counts.fits} of ${o.counts.bruteForceFits} runs fitted, ${o.counts.silhouettes} silhouettes` +
        (silhouetteSample ? ` (each on the same sample of ${groupDigits(silhouetteSample.size)})` : ""),
    );
    const { customers, sha256, generated } = await facts;
    const tuneDir = opts.out ?? `${opts.runsDir ?? "runs"}/tune-${runStamp(now)}-${shortHash(sha256, opts)}`;
    const bestRunDir = opts.bestRun ? join(tuneDir, "best") : undefined;
    const prepared = bestRunDir ? await run.prepared() : undefined;
    const best =
      prepared && bestRunDir ? await timer.step("best trial", async () => (await import("./tune-best.js")).bestRunArtifacts(engine, opts, prepared, outcome, bestRunDir, now)) : undefined;
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
      ...(silhouetteSample ? { silhouetteSample, rankingNote: outcome.rankingNote } : {}),
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
    const { renderTuneReport } = await report;
    await timer.step("write", () => writeTuneDirectory(tuneDir, artifacts, renderTuneReport, now), () => tuneDir);
    return artifacts;
  } finally {
    scores?.free();
    await pool?.close();
  }
}

async function writeTuneDirectory(dir: string, a: TuneArtifacts, renderTuneReport: (data: TuneReportData) => string, now: Date): Promise<void> {
  try {
    await writeDirAtomic(dir, async (tmp) => {
      if (a.best) await (await import("./tune-best.js")).writeBestRun(join(tmp, "best"), a.best);
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
/** Added after the others when the silhouettes are a sample's (the exact file keeps its columns). */
const SAMPLED_COLUMNS = ["silhouetteCi95Low", "silhouetteCi95High", "overlapsBest"] as const;

export function trialsCsv(trials: readonly TrialResult[]): string {
  const sampled = trials[0]?.silhouetteCi95 !== undefined;
  const rows = trials.map((t) => {
    const cells = TRIAL_COLUMNS.map((c) => String(t[c]));
    if (sampled) cells.push(String(t.silhouetteCi95![0]), String(t.silhouetteCi95![1]), t.overlapsBest === undefined ? "" : String(t.overlapsBest));
    return cells.join(",");
  });
  const head = sampled ? [...TRIAL_COLUMNS, ...SAMPLED_COLUMNS] : TRIAL_COLUMNS;
  return `${[head.join(","), ...rows].join("\n")}\n`;
}

/** The sample size bound of `custseg run`, for callers that reach the job without the CLI's check. */
function checkSilhouetteSample(size: number | undefined): void {
  if (size === undefined) return;
  if (!Number.isInteger(size) || size < 3 || size > SILHOUETTE_SAMPLE_MAX) {
    throw new OptionError("silhouetteSample", `must be a whole number from 3 to ${groupDigits(SILHOUETTE_SAMPLE_MAX)}, got ${size}`);
  }
}

function runStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

function shortHash(sha256: string, opts: TuneOptions): string {
  const { compat, seed, tol, variance, outliersFrom, grid, metric, kRange, silhouetteSample } = opts;
  return createHash("sha256").update(JSON.stringify({ sha256, compat, seed, tol, variance, outliersFrom, grid, metric, kRange, silhouetteSample })).digest("hex").slice(0, 8);
}

export type { TuneSummary } from "../steps/tune-summary.js";
