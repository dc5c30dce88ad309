// The tune backend on one engine in this thread: what each worker thread of the pool runs, and the
// whole backend with one thread (and in tests).
import type { ResidentMatrix } from "../../engine/context.js";
import type { Engine } from "../../engine/engine.js";
import type { FitRequest, LabelMetrics, RunFit, TuneBackend } from "./tune.js";

/** Each run fitted alone (nInit 1, firstRun r): exactly run r of a longer fit. */
export function fitRunsNow(engine: Engine, x: ResidentMatrix, req: FitRequest): RunFit[] {
  return req.runs.map((r) => {
    const fit = engine.kmeans(x, { k: req.k, init: req.init, nInit: 1, firstRun: r, maxIter: req.maxIter, tol: req.tol, seed: req.seed });
    return { labels: fit.labels, centers: fit.centers, inertia: fit.inertia, nIter: fit.nIter };
  });
}

export function metricsNow(engine: Engine, x: ResidentMatrix, labels: Int32Array): LabelMetrics {
  const { score, samples } = engine.silhouette(x, labels, { samples: true });
  return { silhouette: score, daviesBouldin: engine.daviesBouldin(x, labels), calinskiHarabasz: engine.calinskiHarabasz(x, labels), samples: samples! };
}

/**
 * The backend on this thread: fits and silhouettes yield to the event loop as they go and stop
 * once `signal` is aborted; each run is still fitted alone, so the results are those of fitRunsNow.
 */
export function engineBackend(engine: Engine, x: ResidentMatrix, signal?: AbortSignal): TuneBackend {
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
      const { score, samples } = await engine.silhouetteInterruptible(x, labels, { samples: true }, signal);
      return { silhouette: score, daviesBouldin: engine.daviesBouldin(x, labels), calinskiHarabasz: engine.calinskiHarabasz(x, labels), samples: samples! };
    },
  };
}
