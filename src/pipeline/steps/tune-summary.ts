// The tune's summary: what the JSON output prints and summary.json holds. Its own module so that the page
// renderer (src/report/tune.ts) can take it without importing the job that calls the renderer.
import type { GeneratedMark } from "../../io/generated-mark.js";
import type { TrialResult, TuneSilhouetteSample } from "./tune-analysis.js";
import type { TuneCounts } from "./tune.js";
import type { KRecommendation, TuneMetric } from "./tune-rank.js";

export interface TuneSummary {
  mode: "default" | "seed";
  input: string;
  /** True when the input was generated: the trials describe no real customers. */
  synthetic: boolean;
  /** The generator's parameters, where the input carries them. */
  generator?: GeneratedMark;
  customers: number;
  customersBeforeOutliers: number;
  outliers: number;
  nComponents: number;
  grid: string;
  metric: TuneMetric;
  seed: number;
  threads: number;
  /**
   * Present when there are more customers than the silhouette sample size: every silhouette (trials
   * and k analysis) is that of this one sample, each with its 95 % interval.
   */
  silhouetteSample?: TuneSilhouetteSample;
  /** With a silhouette sample: what the ranking can claim (intervals overlapping the best's). */
  rankingNote?: string;
  best: TrialResult;
  recommendation: KRecommendation;
  kAnalysis: {
    k: number;
    inertia: number;
    nIter: number;
    silhouette: number;
    silhouetteCi95?: [number, number];
    daviesBouldin: number;
    calinskiHarabasz: number;
    sizes: number[];
    clusterSilhouette: number[];
  }[];
  counts: TuneCounts;
  timingsMs: Record<string, number>;
  tuneDir: string;
  /** The best trial's run directory (model.json, metrics, report), inside the tune directory, when written. */
  bestRunDir?: string;
  /** Every trial, best first. */
  trials: TrialResult[];
}
