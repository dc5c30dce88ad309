// `custseg tune` as numbers: the grid's trials ranked, and the k analysis, from one set of fits.
// The k analysis fits each k with k-means++, n_init 10 and the grid's largest max_iter, so for a k
// that is also in the grid it shares the grid's runs and labellings (no extra work).
import { orderBySize } from "./cluster.js";
import { DEFAULT_GRID, gridTrials, type TrialParams, type TuneGrid } from "./tune-grid.js";
import { fitSettings, type RunFit, type SettingResult, type TuneBackend, type TuneCounts } from "./tune.js";
import { intervalsOverlap, type KPoint, type KRecommendation, rankTrials, recommendK, type TuneMetric } from "./tune-rank.js";
import { groupDigits } from "../../digits.js";

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
  /** With a silhouette sample: the silhouette's 95 % interval. */
  silhouetteCi95?: [number, number];
  /**
   * Ranked by a sampled silhouette: whether this trial's interval overlaps the best trial's while its
   * labelling differs, so that its order against the best is not certain.
   */
  overlapsBest?: boolean;
}

/** The silhouette sample every labelling is scored on: `size` of `population` customers, drawn with `seed`. */
export interface TuneSilhouetteSample {
  size: number;
  population: number;
  seed: number;
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
  /** With a silhouette sample: what the ranking can claim, in one sentence. */
  rankingNote?: string;
}

export interface TuneAnalysisOptions {
  grid?: TuneGrid;
  metric?: TuneMetric;
  kRange: number[];
  seed: number;
  tol: number;
  /** Columns of the fitted matrix (for the centres' shape). */
  cols: number;
  /** Present when the backend scores silhouettes on a sample: the sample, for the ranking's note. */
  silhouetteSample?: TuneSilhouetteSample;
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
  const outcome: TuneOutcome = { metric, grid, trials: ranked, bestFit: best.fit, kAnalysis, recommendation: recommendK(kAnalysis), counts };
  if (opts.silhouetteSample) outcome.rankingNote = markOverlaps(ranked, metric, opts.silhouetteSample);
  return outcome;
}

/**
 * Sampled silhouettes carry an interval each; where the ranking is by silhouette, the trials whose
 * interval overlaps the best's (another labelling) are flagged and counted, not silently ranked below.
 * The intervals are each trial's own: on one shared sample the difference of two scores varies less
 * than either, so an overlap is a cautious reading.
 */
function markOverlaps(ranked: TrialResult[], metric: TuneMetric, sample: TuneSilhouetteSample): string {
  const on = `a seeded sample of ${groupDigits(sample.size)} of ${groupDigits(sample.population)} customers (seed ${sample.seed}), the same customers for every trial`;
  if (metric !== "silhouette") return `Silhouettes are computed on ${on}; the ranking's metric uses every customer.`;
  const best = ranked[0]!;
  let overlapping = 0;
  for (const t of ranked) {
    t.overlapsBest = t.labelling !== best.labelling && intervalsOverlap(t.silhouetteCi95!, best.silhouetteCi95!);
    if (t.overlapsBest) overlapping++;
  }
  const verdict =
    overlapping === 0
      ? "no trial of another labelling has a 95 % interval overlapping the best's"
      : overlapping === 1
        ? "1 trial of another labelling has a 95 % interval overlapping the best's: its order against the best is not certain"
        : `${groupDigits(overlapping)} trials of other labellings have 95 % intervals overlapping the best's: their order against the best is not certain`;
  return `Ranked by the silhouette of ${on}; ${verdict}.`;
}

const sameParams = (a: TrialParams, b: TrialParams) => a.k === b.k && a.init === b.init && a.nInit === b.nInit && a.maxIter === b.maxIter;

function toTrial(r: SettingResult): TrialResult {
  const { silhouette, daviesBouldin, calinskiHarabasz, ci95 } = r.metrics;
  return {
    rank: 0,
    ...r.params,
    silhouette,
    daviesBouldin,
    calinskiHarabasz,
    inertia: r.fit.inertia,
    nIter: r.fit.nIter,
    run: r.run,
    labelling: r.labelling,
    ...(ci95 ? { silhouetteCi95: ci95 } : {}),
  };
}

function toKPoint(r: SettingResult, cols: number): KAnalysisPoint {
  const { k } = r.params;
  const ordered = orderBySize({ k, ...r.fit }, cols);
  // With a sample, a cluster's mean is over its customers that have a value (NaN elsewhere).
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  r.metrics.samples.forEach((s, i) => {
    if (Number.isNaN(s)) return;
    sums[ordered.labels[i]!]! += s;
    counts[ordered.labels[i]!]!++;
  });
  return {
    k,
    inertia: r.fit.inertia,
    nIter: r.fit.nIter,
    silhouette: r.metrics.silhouette,
    daviesBouldin: r.metrics.daviesBouldin,
    calinskiHarabasz: r.metrics.calinskiHarabasz,
    sizes: ordered.sizes,
    clusterSilhouette: [...sums].map((s, c) => s / counts[c]!),
    samples: r.metrics.samples,
    labels: ordered.labels,
    ...(r.metrics.ci95 ? { silhouetteCi95: r.metrics.ci95 } : {}),
  };
}
