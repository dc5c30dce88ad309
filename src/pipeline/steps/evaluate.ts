// Metrics step: silhouette (overall, per sample and per cluster), Davies–Bouldin, Calinski–Harabasz.
// Past `sample.size` customers the silhouette (quadratic in them) is a seeded sample's; the other
// two are linear and always use every customer.
import type { ResidentMatrix } from "../../engine/context.js";
import type { Engine } from "../../engine/engine.js";
import type { SampledSilhouette } from "../../engine/silhouette.js";
import type { Matrix } from "../../engine/matrix.js";
import { ArgumentError } from "../../engine/validate.js";
import { OptionError } from "../../errors.js";
import type { SilhouetteSampleInfo } from "../options.js";

export interface ClusterQuality {
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  /** Mean silhouette of each cluster's customers (of its sampled customers, with a sample). */
  clusterSilhouette: number[];
  /**
   * Per-customer silhouette, in row order; NaN for a customer outside the sample, except those of a
   * cluster the sample missed (scored against the sample, outside the score).
   */
  samples: Float64Array;
  /** Present when the silhouette is a sample's. */
  silhouetteSample?: SilhouetteSampleInfo;
}

/** Exact silhouette up to `size` customers, a sample of `size` drawn with `seed` beyond. */
export interface SilhouetteSampling {
  size: number;
  seed: number;
}

/** A sample too small for the labels (one cluster drawn) is the sample size option's error. */
export function sampleSizeError(err: unknown, size: number): never {
  if (err instanceof ArgumentError && err.argument === "size") throw new OptionError("silhouetteSample", `${size}: ${err.message}; raise it`);
  throw err;
}

/**
 * A sampled silhouette's values in row order: NaN outside the sample, except the customers of a
 * cluster the sample missed (scored against the sample), so that every cluster's mean exists.
 */
export function sampledRowValues(s: SampledSilhouette): Float64Array {
  const values = new Float64Array(s.population).fill(Number.NaN);
  s.rows.forEach((row, i) => {
    values[row] = s.samples[i]!;
  });
  s.missed?.rows.forEach((row, i) => {
    values[row] = s.missed!.samples[i]!;
  });
  return values;
}

/** Interruptible: the O(n²) silhouette yields to the event loop as it goes (see engine/steps.ts). */
export async function evaluateClusters(
  engine: Engine,
  x: Matrix | ResidentMatrix,
  labels: Int32Array,
  k: number,
  signal?: AbortSignal,
  sampling?: SilhouetteSampling,
): Promise<ClusterQuality> {
  const n = labels.length;
  let score: number;
  let samples: Float64Array;
  let silhouetteSample: SilhouetteSampleInfo | undefined;
  if (sampling && n > sampling.size) {
    const s = await engine.silhouetteSampleInterruptible(x, labels, sampling, signal).catch((err: unknown) => sampleSizeError(err, sampling.size));
    score = s.score;
    samples = sampledRowValues(s);
    silhouetteSample = { size: s.rows.length, population: n, seed: sampling.seed, ci95: [s.ci95[0], s.ci95[1]] };
  } else {
    const exact = await engine.silhouetteInterruptible(x, labels, { samples: true }, signal);
    score = exact.score;
    samples = exact.samples!;
  }
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  samples.forEach((s, i) => {
    if (Number.isNaN(s)) return;
    sums[labels[i]!]! += s;
    counts[labels[i]!]!++;
  });
  return {
    silhouette: score,
    daviesBouldin: engine.daviesBouldin(x, labels),
    calinskiHarabasz: engine.calinskiHarabasz(x, labels),
    clusterSilhouette: [...sums].map((s, c) => s / counts[c]!),
    samples,
    ...(silhouetteSample ? { silhouetteSample } : {}),
  };
}
