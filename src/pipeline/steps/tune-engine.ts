// The tune backend on one engine in this thread: what each worker thread of the pool runs, and the
// whole backend with one thread (and in tests).
import type { ResidentMatrix } from "../../engine/context.js";
import type { Engine } from "../../engine/engine.js";
import type { SampledSilhouette, SilhouetteResult } from "../../engine/silhouette.js";
import { sampledRowValues, type SilhouetteSampling } from "./evaluate.js";
import type { FitRequest, LabelMetrics, RunFit, TuneBackend } from "./tune.js";

/** Each run fitted alone (nInit 1, firstRun r): exactly run r of a longer fit. */
export function fitRunsNow(engine: Engine, x: ResidentMatrix, req: FitRequest): RunFit[] {
  return req.runs.map((r) => {
    const fit = engine.kmeans(x, { k: req.k, init: req.init, nInit: 1, firstRun: r, maxIter: req.maxIter, tol: req.tol, seed: req.seed });
    return { labels: fit.labels, centers: fit.centers, inertia: fit.inertia, nIter: fit.nIter };
  });
}

/**
 * Exact up to `sampling.size` rows, past it the silhouette of the seeded sample: the rule of
 * `custseg run`'s metrics step. The sample depends on the seed and the row count alone, so every
 * labelling of one matrix is scored on the same rows.
 */
const sampled = (x: ResidentMatrix, sampling?: SilhouetteSampling): sampling is SilhouetteSampling => sampling !== undefined && x.rows > sampling.size;

export function metricsNow(engine: Engine, x: ResidentMatrix, labels: Int32Array, sampling?: SilhouetteSampling): LabelMetrics {
  const silhouette = sampled(x, sampling) ? engine.silhouetteSample(x, labels, sampling) : engine.silhouette(x, labels, { samples: true });
  return withLinearMetrics(engine, x, labels, silhouette);
}

/**
 * The backend on this thread: fits and silhouettes yield to the event loop as they go and stop
 * once `signal` is aborted; each run is still fitted alone, so the results are those of fitRunsNow.
 */
export function engineBackend(engine: Engine, x: ResidentMatrix, signal?: AbortSignal, sampling?: SilhouetteSampling): TuneBackend {
  return {
    fitRuns: async (req) => {
      const fits: RunFit[] = [];
      for (const r of req.runs) {
        const fit = await engine.kmeansInterruptible(x, { k: req.k, init: req.init, nInit: 1, firstRun: r, maxIter: req.maxIter, tol: req.tol, seed: req.seed }, signal);
        fits.push({ labels: fit.labels, centers: fit.centers, inertia: fit.inertia, nIter: fit.nIter });
      }
      return fits;
    },
    metrics: async (labels) => {
      const silhouette = sampled(x, sampling)
        ? await engine.silhouetteSampleInterruptible(x, labels, sampling, signal)
        : await engine.silhouetteInterruptible(x, labels, { samples: true }, signal);
      return withLinearMetrics(engine, x, labels, silhouette);
    },
  };
}

/** Davies–Bouldin and Calinski–Harabasz are linear in the rows: always over every customer. */
function withLinearMetrics(engine: Engine, x: ResidentMatrix, labels: Int32Array, s: SilhouetteResult | SampledSilhouette): LabelMetrics {
  const linear = { daviesBouldin: engine.daviesBouldin(x, labels), calinskiHarabasz: engine.calinskiHarabasz(x, labels) };
  if ("rows" in s) return { silhouette: s.score, ...linear, samples: sampledRowValues(s), ci95: [s.ci95[0], s.ci95[1]] };
  return { silhouette: s.score, ...linear, samples: s.samples! };
}
