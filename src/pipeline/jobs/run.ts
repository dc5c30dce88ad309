// The run job in one process, for the library, the tests and the benchmarks: the step graph run
// without an artefact store (every step computes), the run directory written, and every
// intermediate result returned. `custseg run` goes through run-job.ts with the store.
import type { Engine } from "../../engine/engine.js";
import { currencyOf } from "../steps/business.js";
import type { RunOptions } from "../options.js";
import { featureMatrix, keepRows } from "./customer-matrix.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { runJob } from "./run-job.js";

export { featureMatrix, keepRows } from "./customer-matrix.js";
export { businessFigures, summarize } from "./run-summary.js";

/** Runs every step and writes the run directory; returns the summary and every intermediate result. */
export async function runPipeline(engine: Engine, opts: RunOptions): Promise<RunArtifacts> {
  const now = opts.now ?? new Date();
  const { summary, sha256, graph } = await runJob(engine, { ...opts, now });
  const v = graph.values;
  const all = featureMatrix(v.features!.features);
  const { flagged, forest } = v.outliers!;
  return {
    opts,
    now,
    sha256,
    asOf: v.recommend!.lines.asOf,
    forest,
    all,
    flagged,
    kept: keepRows(all, flagged),
    scaled: v.scale!,
    reduced: v.pca!,
    clusters: v.kmeans!,
    quality: v.evaluate!,
    profiles: v.profiles!,
    recommendations: v.recommend!.recommendations,
    segments: v.recommend!.segments,
    currency: opts.currency ? currencyOf(opts.currency) : undefined,
    summary: summary!,
  };
}
