// `custseg tune`, recorded in the run store: the tune is a parent run started before any work (a
// crash or kill shows), each trial a finished child run with its parameters and metrics, recorded
// in one transaction once the grid is scored; the tune directory defaults to runs/<parent runId>.
// `register` makes the best trial a model version: its run directory (the tune's best/) holds
// the model.json that `custseg run` with the same settings would write.
import type { Engine } from "../../engine/engine.js";
import { failRun, finishRun, type ModelVersion, type ParamValue, recordChildRuns, registerModel, type Store, setRunDir, startRun } from "../../store/index.js";
import type { TrialResult } from "../steps/tune-analysis.js";
import { formatGrid } from "../steps/tune-grid.js";
import { SCALE_DEFAULTS } from "../options.js";
import { type TuneArtifacts, type TuneOptions, type TuneSummary, runTuneJob } from "./tune-job.js";

export interface TuneRecordOptions {
  experiment?: string;
  /** Register the best trial as a new version of this model. */
  register?: string;
}

export interface RecordedTuneSummary extends TuneSummary {
  runId: string;
  registered?: { name: string; version: number; runId: string };
}

export async function tuneRecorded(engine: Engine, store: Store, opts: TuneOptions, rec: TuneRecordOptions = {}): Promise<TuneArtifacts & { summary: RecordedTuneSummary }> {
  const experiment = rec.experiment ?? "tune";
  const parent = startRun(store, { experiment, params: tuneParams(opts), tags: { "custseg.command": "tune" }, now: opts.now });
  try {
    const tuneDir = opts.out ?? `${opts.runsDir ?? "runs"}/${parent.id}`;
    setRunDir(store, parent.id, tuneDir);
    let bestId = "";
    const artifacts = await runTuneJob(engine, {
      ...opts,
      out: tuneDir,
      bestRun: opts.bestRun || rec.register !== undefined,
      beforeWrite: (summary) => {
        const s = summary as RecordedTuneSummary;
        s.runId = parent.id;
        bestId = recordTrials(store, experiment, parent.id, opts, s);
      },
    });
    const summary = artifacts.summary as RecordedTuneSummary;
    const best = summary.best;
    finishRun(store, parent.id, {
      metrics: {
        ...trialMetrics(best),
        recommended_k: summary.recommendation.k,
        trials: summary.trials.length,
        fits: summary.counts.fits,
        silhouettes: summary.counts.silhouettes,
        ...(summary.silhouetteSample ? { silhouette_sample_size: summary.silhouetteSample.size, silhouette_population: summary.silhouetteSample.population } : {}),
      },
      inputHash: artifacts.facts.sha256,
    });
    if (rec.register !== undefined) {
      const version: ModelVersion = registerModel(store, bestId, rec.register, { reason: `best of tune ${parent.id} by ${opts.metric}` });
      summary.registered = { name: version.model, version: version.version, runId: bestId };
    }
    return { ...artifacts, summary };
  } catch (err) {
    failRun(store, parent.id, err);
    throw err;
  }
}

/** Every trial as a finished child run, in one transaction; returns the best trial's run id. */
function recordTrials(store: Store, experiment: string, parentId: string, opts: TuneOptions, summary: RecordedTuneSummary): string {
  const base = baseParams(opts);
  const ids = recordChildRuns(
    store,
    parentId,
    summary.trials.map((t) => ({
      params: { ...base, k: t.k, init: t.init, n_init: t.nInit, max_iter: t.maxIter },
      tags: { "custseg.command": "tune", "custseg.rank": String(t.rank) },
      metrics: trialMetrics(t),
      ...(t.rank === 1 && summary.bestRunDir ? { runDir: summary.bestRunDir } : {}),
    })),
    { experiment, now: opts.now },
  );
  let bestId = "";
  summary.trials.forEach((t, i) => {
    t.runId = ids[i]!;
    if (t.rank === 1) bestId = t.runId;
  });
  summary.best.runId = bestId;
  return bestId;
}

function baseParams(opts: TuneOptions): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {
    input: opts.inputLabel ?? opts.input,
    compat: opts.compat,
    seed: opts.seed,
    tol: opts.tol,
    variance: opts.variance,
    silhouette_sample: opts.silhouetteSample ?? SCALE_DEFAULTS.silhouetteSample,
  };
  if (opts.outliersFrom) params.outliers_from = opts.outliersFrom;
  return params;
}

function tuneParams(opts: TuneOptions): Record<string, ParamValue> {
  return {
    ...baseParams(opts),
    grid: formatGrid(opts.grid),
    metric: opts.metric,
    k_range: `${opts.kRange[0]}..${opts.kRange[opts.kRange.length - 1]}`,
  };
}

/** A sampled silhouette's interval beside it, as two metrics (the sample's size is the parent's). */
function trialMetrics(t: TrialResult): Record<string, number> {
  return {
    silhouette: t.silhouette,
    ...(t.silhouetteCi95 ? { silhouette_ci95_low: t.silhouetteCi95[0], silhouette_ci95_high: t.silhouetteCi95[1] } : {}),
    davies_bouldin: t.daviesBouldin,
    calinski_harabasz: t.calinskiHarabasz,
    inertia: t.inertia,
    n_iter: t.nIter,
    rank: t.rank,
  };
}
