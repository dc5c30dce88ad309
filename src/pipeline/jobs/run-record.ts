// `custseg run`, recorded in the run store: the run is started there before any work (so a crash
// or kill is visible), its directory defaults to runs/<runId>, and it ends finished with its
// metrics and input hash, or failed with the reason.
import { failRun, finishRun, logParams, type ParamValue, type Store, setRunDir, setTags, startRun } from "../../store/index.js";
import { RUN_DEFAULTS, type RunOptions, type RunSummary } from "../options.js";
import { checkLockedRun, type EngineSource, type GraphFlags, type RunJobResult, runJob } from "./run-job.js";

export interface RecordOptions {
  experiment?: string;
  tags?: Record<string, string>;
}

/** A complete run (through the report), recorded; a partial one (`--to`) is not a run of the store. */
export async function runRecorded(engine: EngineSource, store: Store, opts: RunOptions, rec: RecordOptions = {}, flags: GraphFlags = {}): Promise<RunJobResult> {
  if (flags.to !== undefined && flags.to !== "report") return runJob(engine, opts, flags);
  // A refused run is no run: checked before the store records one.
  if (flags.locked) await checkLockedRun(opts, flags);
  const run = startRun(store, { experiment: rec.experiment, params: runParams(opts), tags: { "custseg.command": "run", ...rec.tags }, now: opts.now });
  try {
    const runDir = opts.out ?? `${opts.runsDir ?? RUN_DEFAULTS.runsDir}/${run.id}`;
    setRunDir(store, run.id, runDir);
    const result = await runJob(engine, { ...opts, out: runDir, runId: run.id }, flags);
    const summary = result.summary!;
    logParams(store, run.id, { n_components: summary.nComponents });
    // Known only once the input is read; `runs list --where "tags.\"custseg.synthetic\" = 'true'"` finds them.
    if (summary.synthetic) setTags(store, run.id, { "custseg.synthetic": "true" });
    finishRun(store, run.id, { metrics: runMetrics(summary), inputHash: result.sha256 });
    return result;
  } catch (err) {
    failRun(store, run.id, err);
    throw err;
  }
}

/** The options that shape the result, named as the flags are, in snake_case (see src/store/index.ts). */
export function runParams(opts: RunOptions): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {
    input: opts.inputLabel ?? opts.input,
    compat: opts.compat,
    k: opts.k,
    seed: opts.seed,
    n_init: opts.nInit,
    max_iter: opts.maxIter,
    tol: opts.tol,
    init: opts.init,
    variance: opts.variance,
  };
  if (opts.outliersFrom) params.outliers_from = opts.outliersFrom;
  return params;
}

export function runMetrics(s: RunSummary): Record<string, number> {
  return {
    silhouette: s.silhouette,
    davies_bouldin: s.daviesBouldin,
    calinski_harabasz: s.calinskiHarabasz,
    inertia: s.inertia,
    n_iter: s.nIter,
    customers: s.customers,
    outliers: s.outliers,
  };
}
