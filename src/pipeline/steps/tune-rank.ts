// Ranking the trials and recommending k. Both rules are stated in the README; ties are exact
// equalities, which are common here: settings that keep the same labelling share their metrics.
import type { TrialParams } from "./tune-grid.js";

export type TuneMetric = "silhouette" | "davies-bouldin" | "calinski-harabasz";
export const TUNE_METRICS: readonly TuneMetric[] = ["silhouette", "davies-bouldin", "calinski-harabasz"];

export interface Scores {
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
}

const FIELD = { silhouette: "silhouette", "davies-bouldin": "daviesBouldin", "calinski-harabasz": "calinskiHarabasz" } as const;
/** +1 where higher is better. */
const SIGN = { silhouette: 1, "davies-bouldin": -1, "calinski-harabasz": 1 } as const;

/** Negative when a scores better than b on `metric`. */
export function compareOn(metric: TuneMetric, a: Scores, b: Scores): number {
  const f = FIELD[metric];
  return SIGN[metric] * (b[f] - a[f]);
}

/**
 * Best first: the chosen metric; ties by the other two (in the order silhouette, Davies–Bouldin,
 * Calinski–Harabasz); then smaller k, fewer n_init, smaller max_iter; then the grid's order.
 */
export function rankTrials<T extends TrialParams & Scores>(trials: readonly T[], metric: TuneMetric): T[] {
  const order = [metric, ...TUNE_METRICS.filter((m) => m !== metric)];
  return trials
    .map((t, i) => ({ t, i }))
    .sort((a, b) => {
      for (const m of order) {
        const c = compareOn(m, a.t, b.t);
        if (c !== 0) return c;
      }
      return a.t.k - b.t.k || a.t.nInit - b.t.nInit || a.t.maxIter - b.t.maxIter || a.i - b.i;
    })
    .map(({ t }) => t);
}

export interface KPoint extends Scores {
  k: number;
  inertia: number;
  /** The silhouette's 95 % interval, where it is a sample's. */
  silhouetteCi95?: [number, number];
}

/** Whether two sampled silhouettes' 95 % intervals overlap: their order is then not certain. */
export const intervalsOverlap = (a: readonly [number, number], b: readonly [number, number]) => a[0] <= b[1] && b[0] <= a[1];

export interface KRecommendation {
  k: number;
  /** One line: the rule's outcome and what the other criteria say. */
  line: string;
  /** k with the lowest Davies–Bouldin, the highest Calinski–Harabasz, and the inertia's elbow. */
  bestDaviesBouldin: number;
  bestCalinskiHarabasz: number;
  elbow: number;
  /** With sampled silhouettes: whether the next best k's interval overlaps the recommended k's. */
  overlapsNext?: boolean;
}

/**
 * The rule: the k with the highest mean silhouette (ties: lower Davies–Bouldin, then smaller k).
 * The silhouette is the one criterion here that compares k fairly on its own: inertia always falls
 * as k grows, and Calinski–Harabasz favours few large clusters on data without clear groups.
 */
export function recommendK(points: readonly KPoint[]): KRecommendation {
  if (points.length === 0) throw new RangeError("recommendK needs at least one k");
  const bySil = [...points].sort((a, b) => b.silhouette - a.silhouette || a.daviesBouldin - b.daviesBouldin || a.k - b.k);
  const best = bySil[0]!;
  const runnerUp = bySil[1];
  const bestDaviesBouldin = [...points].sort((a, b) => a.daviesBouldin - b.daviesBouldin || a.k - b.k)[0]!.k;
  const bestCalinskiHarabasz = [...points].sort((a, b) => b.calinskiHarabasz - a.calinskiHarabasz || a.k - b.k)[0]!.k;
  const elbow = elbowK(points);
  const range = `${points[0]!.k}..${points[points.length - 1]!.k}`;
  const next = runnerUp ? `; next best k = ${runnerUp.k} at ${runnerUp.silhouette.toFixed(3)}` : "";
  const line =
    `k = ${best.k}: the highest mean silhouette over k = ${range} (${best.silhouette.toFixed(3)}${next}); ` +
    `Davies–Bouldin is lowest at k = ${bestDaviesBouldin}, Calinski–Harabasz highest at k = ${bestCalinskiHarabasz}, the inertia's elbow is at k = ${elbow}.`;
  if (!best.silhouetteCi95 || !runnerUp?.silhouetteCi95) return { k: best.k, line, bestDaviesBouldin, bestCalinskiHarabasz, elbow };
  const overlapsNext = intervalsOverlap(best.silhouetteCi95, runnerUp.silhouetteCi95);
  const ci = (p: KPoint) => `${p.silhouetteCi95![0].toFixed(3)} … ${p.silhouetteCi95![1].toFixed(3)}`;
  const sampled = overlapsNext
    ? ` The silhouettes are a sample's, and the 95 % intervals of k = ${best.k} (${ci(best)}) and k = ${runnerUp.k} (${ci(runnerUp)}) overlap: their order is not certain.`
    : ` The silhouettes are a sample's; the 95 % intervals of k = ${best.k} (${ci(best)}) and k = ${runnerUp.k} (${ci(runnerUp)}) do not overlap.`;
  return { k: best.k, line: line + sampled, bestDaviesBouldin, bestCalinskiHarabasz, elbow, overlapsNext };
}

/**
 * The elbow of inertia against k: the point farthest below the chord from the first k to the last,
 * both axes scaled to [0, 1] (the "kneedle" construction). With fewer than 3 points, the first k.
 */
export function elbowK(points: readonly KPoint[]): number {
  if (points.length < 3) return points[0]!.k;
  const k0 = points[0]!.k;
  const k1 = points[points.length - 1]!.k;
  const hi = Math.max(...points.map((p) => p.inertia));
  const lo = Math.min(...points.map((p) => p.inertia));
  const span = hi - lo || 1;
  const y0 = (points[0]!.inertia - lo) / span;
  const y1 = (points[points.length - 1]!.inertia - lo) / span;
  let best = points[0]!;
  let bestGap = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    const x = (p.k - k0) / (k1 - k0);
    const gap = y0 + (y1 - y0) * x - (p.inertia - lo) / span;
    if (gap > bestGap) {
      bestGap = gap;
      best = p;
    }
  }
  return best.k;
}
