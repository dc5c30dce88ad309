// The drift step: does a new set of customers still look like the ones the model was trained on?
// Pure: feature matrices and placements in, figures and a verdict out. The thresholds are fixed
// (not tuned to any data set); only the share of drifted features that makes a data set drift is
// an option.
import type { Matrix } from "../../engine/matrix.js";
import type { Steps } from "../../engine/steps.js";
import { chiSquareContingency, ks2samp, type KsResult, psi, totalVariation, wasserstein1 } from "../../stats/index.js";

export const DRIFT_RULES = {
  /** A feature drifts when its PSI reaches this … */
  psi: 0.2,
  /** … or when the KS p-value is below this and … */
  ksPValue: 0.01,
  /** … the Wasserstein distance is at least this many reference standard deviations. */
  wassersteinStd: 0.1,
  /** Cluster shares shift when the chi-square p-value is below this and … */
  clusterPValue: 0.01,
  /** … the total variation distance between the shares is at least this. */
  clusterTvd: 0.05,
} as const;

/** Share of drifted features that makes the data set drift (Evidently's default). */
export const DEFAULT_DRIFT_SHARE = 0.5;

/** A reference standard deviation below this is taken as this, so a constant feature cannot divide by 0. */
export const MIN_REFERENCE_STD = 1e-3;

export interface FeatureDrift {
  feature: string;
  psi: number;
  ks: KsResult;
  wasserstein: number;
  /** Wasserstein distance in reference standard deviations. */
  wassersteinStd: number;
  reference: { mean: number; std: number };
  current: { mean: number; std: number };
  drifted: boolean;
  /** Which rule fired: "psi", "ks+wasserstein". */
  reasons: string[];
}

export interface ClusterDrift {
  k: number;
  referenceCounts: number[];
  currentCounts: number[];
  referenceShares: number[];
  currentShares: number[];
  chi2: number;
  pvalue: number;
  dof: number;
  tvd: number;
  shifted: boolean;
}

export interface ModelDrift {
  clusters: ClusterDrift;
  /** Mean distance from each customer to its nearest centroid, in PCA space. */
  meanDistance: { reference: number; current: number; ratio: number };
  /** Mean silhouette of the model's assignment (null when it is undefined: fewer than two clusters used). */
  silhouette: { reference: number | null; current: number | null };
  /** Share of customers flagged as outliers by the training forest (null when the model took a list). */
  outlierShare: { reference: number | null; current: number | null };
}

export interface DriftVerdict {
  drift: boolean;
  driftedFeatures: string[];
  driftedShare: number;
  threshold: number;
  reasons: string[];
}

const meanStd = (x: Float64Array): { mean: number; std: number } => {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  // Population standard deviation, as Evidently normalises the Wasserstein distance.
  return { mean, std: Math.sqrt(ss / x.length) };
};

export function featureDrift(feature: string, reference: Float64Array, current: Float64Array): FeatureDrift {
  const ref = meanStd(reference);
  const w = wasserstein1(reference, current);
  const wStd = w / Math.max(ref.std, MIN_REFERENCE_STD);
  const ks = ks2samp(reference, current);
  const p = psi(reference, current).psi;
  const reasons: string[] = [];
  if (p >= DRIFT_RULES.psi) reasons.push("psi");
  if (ks.pvalue < DRIFT_RULES.ksPValue && wStd >= DRIFT_RULES.wassersteinStd) reasons.push("ks+wasserstein");
  return { feature, psi: p, ks, wasserstein: w, wassersteinStd: wStd, reference: ref, current: meanStd(current), drifted: reasons.length > 0, reasons };
}

/** Column j of a row-major matrix. */
export function column(x: Matrix, j: number): Float64Array {
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = x.data[i * x.cols + j]!;
  return out;
}

/** Every feature's tests, one feature per step: each sorts both columns (KS, Wasserstein), O(n log n) on large inputs. */
export function* featuresDriftSteps(names: readonly string[], reference: Matrix, current: Matrix): Steps<FeatureDrift[]> {
  const out: FeatureDrift[] = [];
  for (let j = 0; j < names.length; j++) {
    out.push(featureDrift(names[j]!, column(reference, j), column(current, j)));
    yield;
  }
  return out;
}

function counts(labels: Int32Array, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const l of labels) if (l >= 0) c[l]!++;
  return c;
}

/** Cluster shares of the current customers against the reference's: chi-square test and TVD. */
export function clusterDrift(referenceLabels: Int32Array, currentLabels: Int32Array, k: number): ClusterDrift {
  const referenceCounts = counts(referenceLabels, k);
  const currentCounts = counts(currentLabels, k);
  // A cluster empty on both sides carries no information and would make an expected count 0.
  const used = referenceCounts.map((c, i) => c + currentCounts[i]! > 0);
  const test = chiSquareContingency([referenceCounts.filter((_, i) => used[i]), currentCounts.filter((_, i) => used[i])]);
  const tvd = totalVariation(referenceCounts, currentCounts);
  const share = (c: number[]) => {
    const total = c.reduce((a, b) => a + b, 0);
    return c.map((v) => (total > 0 ? v / total : 0));
  };
  return {
    k,
    referenceCounts,
    currentCounts,
    referenceShares: share(referenceCounts),
    currentShares: share(currentCounts),
    ...test,
    tvd,
    shifted: test.pvalue < DRIFT_RULES.clusterPValue && tvd >= DRIFT_RULES.clusterTvd,
  };
}

export function driftVerdict(features: readonly FeatureDrift[], clusters: ClusterDrift | undefined, threshold = DEFAULT_DRIFT_SHARE): DriftVerdict {
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`the drift threshold must be in (0, 1], got ${threshold}`);
  const driftedFeatures = features.filter((f) => f.drifted).map((f) => f.feature);
  const driftedShare = features.length > 0 ? driftedFeatures.length / features.length : 0;
  const reasons: string[] = [];
  if (driftedShare >= threshold) reasons.push(`${driftedFeatures.length} of ${features.length} features drifted (threshold ${threshold})`);
  if (clusters?.shifted) reasons.push(`cluster shares shifted (chi-square p ${clusters.pvalue.toExponential(2)}, TVD ${clusters.tvd.toFixed(3)})`);
  return { drift: reasons.length > 0, driftedFeatures, driftedShare, threshold, reasons };
}
