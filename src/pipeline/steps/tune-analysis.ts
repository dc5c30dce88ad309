// `custseg tune` as numbers: the grid's trials ranked, and the k analysis, from one set of fits.
// The k analysis fits each k with k-means++, n_init 10 and the grid's largest max_iter, so for a k
// that is also in the grid it shares the grid's runs and labellings (no extra work).
import { orderBySize } from "./cluster.js";
import { DEFAULT_GRID, gridTrials, type TrialParams, type TuneGrid } from "./tune-grid.js";
import { fitSettings, type RunFit, type SettingResult, type TuneBackend, type TuneCounts } from "./tune.js";
import { type KPoint, type KRecommendation, rankTrials, recommendK, type TuneMetric } from "./tune-rank.js";

export const K_ANALYSIS_N_INIT = 10;

export interface TrialResult extends TrialParams {
  /** 1 = best under the chosen metric and the tie rules. */
  rank: number;
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  inertia: number;
  /** Lloyd iterations of the kept run, and which run (0-based) it was. */
  nIter: number;
  run: number;
  /** Trials with the same number produced the same labels. */
  labelling: number;
  /** The trial's run in the run store, once recorded. */
  runId?: string;
}

export interface KAnalysisPoint extends KPoint {
  nIter: number;
  /** Customers per cluster, largest first; clusters are numbered in this order below. */
  sizes: number[];
  clusterSilhouette: number[];
  /** Per-customer silhouettes and size-ordered labels, for the per-k silhouette plot. */
  samples: Float64Array;
  labels: Int32Array;
}

export interface TuneOutcome {
  metric: TuneMetric;
  grid: TuneGrid;
  /** Best first. */
  trials: TrialResult[];
  /** The best trial's fit (labels in the engine's numbering). */
  bestFit: RunFit;
  kAnalysis: KAnalysisPoint[];
  recommendation: KRecommendation;
  counts: TuneCounts;
}

export interface TuneAnalysisOptions {
  grid?: TuneGrid;
  metric?: TuneMetric;
  kRange: number[];
  seed: number;
  tol: number;
  /** Columns of the fitted matrix (for the centres' shape). */
  cols: number;
}

export async function tuneAnalysis(backend: TuneBackend, opts: TuneAnalysisOptions): Promise<TuneOutcome> {
  const grid = opts.grid ?? DEFAULT_GRID;
  const metric = opts.metric ?? "silhouette";
  const gridSettings = gridTrials(grid);
  const maxIter = Math.max(...grid.maxIter);
  const kSettings: TrialParams[] = opts.kRange.map((k) => ({ k, init: "k-means++", nInit: K_ANALYSIS_N_INIT, maxIter }));
  const { results, counts } = await fitSettings(backend, [...gridSettings, ...kSettings], { seed: opts.seed, tol: opts.tol });
  const gridResults = results.slice(0, gridSettings.length);
  const ranked = rankTrials(gridResults.map(toTrial), metric).map((t, i) => ({ ...t, rank: i + 1 }));
  const best = gridResults.find((r) => sameParams(r.params, ranked[0]!))!;
  const kAnalysis = results.slice(gridSettings.length).map((r) => toKPoint(r, opts.cols));
  return { metric, grid, trials: ranked, bestFit: best.fit, kAnalysis, recommendation: recommendK(kAnalysis), counts };
}

const sameParams = (a: TrialParams, b: TrialParams) => a.k === b.k && a.init === b.init && a.nInit === b.nInit && a.maxIter === b.maxIter;

function toTrial(r: SettingResult): TrialResult {
  const { silhouette, daviesBouldin, calinskiHarabasz } = r.metrics;
  return { rank: 0, ...r.params, silhouette, daviesBouldin, calinskiHarabasz, inertia: r.fit.inertia, nIter: r.fit.nIter, run: r.run, labelling: r.labelling };
}

function toKPoint(r: SettingResult, cols: number): KAnalysisPoint {
  const { k } = r.params;
  const ordered = orderBySize({ k, ...r.fit }, cols);
  const sums = new Float64Array(k);
  r.metrics.samples.forEach((s, i) => {
    sums[ordered.labels[i]!]! += s;
  });
  return {
    k,
    inertia: r.fit.inertia,
    nIter: r.fit.nIter,
    silhouette: r.metrics.silhouette,
    daviesBouldin: r.metrics.daviesBouldin,
    calinskiHarabasz: r.metrics.calinskiHarabasz,
    sizes: ordered.sizes,
    clusterSilhouette: [...sums].map((s, c) => s / ordered.sizes[c]!),
    samples: r.metrics.samples,
    labels: ordered.labels,
  };
}
