import { type Matrix, matrix } from "../../src/engine/matrix.js";
import { Rng } from "../../src/engine/rng.js";
import { FEATURE_NAMES } from "../../src/pipeline/steps/features.js";
import { clusterProfiles } from "../../src/pipeline/steps/profiles.js";
import { correlationMatrix } from "../../src/report/correlation.js";
import type { ReportData } from "../../src/report/types.js";

export const FEATURES: string[] = [...FEATURE_NAMES];

export const STEPS: ReportData["steps"] = [
  { step: "load", unit: "rows", count: 541909, ms: 2291.5 },
  { step: "missing", unit: "rows", count: 406829, ms: 32.25 },
  { step: "duplicates", unit: "rows", count: 401550, ms: 17 },
  { step: "features", unit: "customers", count: 4282, ms: 120.4 },
  { step: "outliers", unit: "customers", count: 4067 },
];

/**
 * p unit-length rows over f features: row c weighs feature c most (+), then feature c + 1 (−) and a
 * little of every other, so each component has a distinct strongest feature with a known sign.
 */
export function components(p: number, f: number): Matrix {
  const data = new Float64Array(p * f);
  for (let c = 0; c < p; c++) {
    const row = data.subarray(c * f, (c + 1) * f);
    for (let j = 0; j < f; j++) row[j] = 0.05 * (((j + c) % 3) - 1);
    row[c % f] = 0.8;
    row[(c + 1) % f] = -0.5;
    const norm = Math.hypot(...row);
    for (let j = 0; j < f; j++) row[j] /= norm;
  }
  return matrix(data, p, f);
}

/** A plausible run: k blobs in PC space, clusters labelled largest first, features that differ by cluster. */
export function sampleReport(k: number, n: number, overrides: Partial<ReportData> = {}, features = FEATURES): ReportData {
  const rng = new Rng(42);
  const gauss = () => {
    const u = 1 - rng.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
  };
  // Sizes shrink with the cluster index, so label 0 is the largest.
  const weights = Array.from({ length: k }, (_, c) => k + 1 - c);
  const total = weights.reduce((a, b) => a + b, 0);
  const labels = new Int32Array(n);
  let at = 0;
  weights.forEach((w, c) => {
    const size = c === k - 1 ? n - at : Math.round((n * w) / total);
    labels.fill(c, at, at + size);
    at += size;
  });
  const f = features.length;
  const x = new Float64Array(n * f);
  const pc1 = new Float64Array(n);
  const pc2 = new Float64Array(n);
  const pc3 = new Float64Array(n);
  const sil = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    pc1[i] = 3 * Math.cos((2 * Math.PI * c) / k) + gauss();
    pc2[i] = 3 * Math.sin((2 * Math.PI * c) / k) + gauss();
    pc3[i] = c - (k - 1) / 2 + 0.8 * gauss();
    sil[i] = Math.max(-0.3, Math.min(0.95, 0.35 + 0.2 * gauss()));
    for (let j = 0; j < f; j++) {
      const base = j === 9 ? (rng.nextFloat() < 0.9 - 0.1 * c ? 1 : 0) : Math.abs((1 + c) * (j + 1) * 10 + 8 * gauss());
      x[i * f + j] = j === 1 ? Math.round(base / 10) + 1 : base;
    }
  }
  const features_ = matrix(x, n, f);
  const col = (j: number) => Float64Array.from({ length: n }, (_, i) => x[i * f + j]);
  return {
    title: "Customer segments",
    runId: "run-0001",
    input: "online_retail.zip",
    mode: "default",
    generatedAt: "2026-01-02T03:04:05Z",
    steps: STEPS,
    features,
    profiles: clusterProfiles(features, features_, labels, sil),
    customers: { labels, pc1, pc2, pc3, recency: col(0), frequency: col(1), spend: col(3) },
    silhouette: { values: sil, labels },
    pca: { explainedVarianceRatio: [0.3, 0.2, 0.19, 0.1, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01], chosen: 6, threshold: 0.8, components: components(6, f) },
    correlation: correlationMatrix(features_),
    metrics: { silhouette: 0.2257, daviesBouldin: 1.5488, calinskiHarabasz: 1066.27, inertia: 42603.2757 },
    ...overrides,
  };
}
