// The best trial of a tune as `custseg run` with its settings would produce it, and its run
// directory: loaded only when a tune writes best/ (asked for, or to register it), so a tune without
// it loads none of the profiling, recommending and run-directory modules.
import type { Engine } from "../../engine/engine.js";
import { orderBySize } from "../steps/cluster.js";
import { evaluateClusters } from "../steps/evaluate.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { clusterProfiles } from "../steps/profiles.js";
import { formatDay, lastPurchaseDay } from "../steps/as-of.js";
import { recommend } from "../steps/recommend.js";
import { type RunOptions, type RunSummary, SCALE_DEFAULTS } from "../options.js";
import type { TuneOutcome } from "../steps/tune-analysis.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { businessFigures, summarize } from "./run-summary.js";
import { writeRunDirectory } from "./run-output.js";
import type { PrepareOptions, Prepared } from "./prepare-job.js";

/** The tune's options a run of the best trial takes over. */
export type BestRunOptions = PrepareOptions & { inputLabel?: string; synthetic?: boolean; tol: number; silhouetteSample?: number };

/** The best trial as `custseg run` with its parameters would produce it, for its run directory. */
export async function bestRunArtifacts(engine: Engine, opts: BestRunOptions, prepared: Prepared, outcome: TuneOutcome, runDir: string, now: Date): Promise<RunArtifacts> {
  const t = outcome.trials[0]!;
  const { job, all, flagged, kept, scaled, reduced } = prepared;
  const clusters = orderBySize({ k: t.k, ...outcome.bestFit }, reduced.fit.nComponents);
  const scores = engine.upload(reduced.scores);
  // The silhouette sample of the grid (same size, seed and customers), as `custseg run` draws it.
  const sampling = { size: opts.silhouetteSample ?? SCALE_DEFAULTS.silhouetteSample, seed: opts.seed };
  const quality = await evaluateClusters(engine, scores, clusters.labels, t.k, opts.signal, sampling).finally(() => scores.free());
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
    ...(opts.silhouetteSample !== undefined ? { silhouetteSample: opts.silhouetteSample } : {}),
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

/** The best trial's run directory, exactly as `custseg run` writes one. */
export const writeBestRun = (dir: string, best: RunArtifacts): Promise<void> => writeRunDirectory(dir, best);
