// What a PCA fit returns, and the two rules shared by the WASM and the reference fits: how many
// components to keep and which way each one points.
import type { Matrix } from "./matrix.js";

/** Exactly one of the two: a component count, or a cumulative explained-variance ratio in (0, 1]. */
export interface PcaOptions {
  components?: number;
  variance?: number;
  /** Return the scores of the fitted rows (default true); the sign rule is applied either way. */
  scores?: boolean;
}

export interface PcaModel {
  readonly nComponents: number;
  /** Column means of the fitted data (length d). */
  readonly mean: Float64Array;
  /** p×d, one unit-length principal axis per row, in decreasing order of variance. */
  readonly components: Matrix;
  /** Variance along each axis (ddof = 1). */
  readonly explainedVariance: Float64Array;
  /** explainedVariance over the total variance of the data (the trace of the covariance). */
  readonly explainedVarianceRatio: Float64Array;
}

export interface PcaFit extends PcaModel {
  /** n×p scores of the fitted samples: (X − mean) · componentsᵀ; absent with `scores: false`. */
  readonly scores?: Matrix;
}

/** Check the options against a d-column, n-row input; returns the count, or undefined for a threshold. */
export function requestedComponents(opts: PcaOptions, n: number, d: number): number | undefined {
  const { components, variance } = opts;
  if ((components === undefined) === (variance === undefined)) {
    throw new TypeError("PCA needs exactly one of components (a count) or variance (a ratio in (0, 1])");
  }
  if (n < 2) throw new RangeError(`PCA needs at least 2 samples, got ${n}`);
  if (d < 1) throw new RangeError("PCA needs at least 1 column, got 0");
  if (components !== undefined) {
    const max = Math.min(n, d);
    if (!Number.isInteger(components) || components < 1 || components > max) {
      throw new RangeError(`components must be an integer from 1 to min(n, d) = ${max}, got ${components}`);
    }
    return components;
  }
  if (!(variance! > 0 && variance! <= 1)) {
    throw new RangeError(`variance must be a ratio in (0, 1], got ${variance}`);
  }
  return undefined;
}

/** The smallest p whose cumulative explained-variance ratio (summed in order) reaches `variance`. */
export function componentsForVariance(ratios: Float64Array, variance: number): number {
  let cumulative = 0;
  for (let p = 0; p < ratios.length; p++) {
    cumulative += ratios[p]!;
    if (cumulative >= variance) return p + 1;
  }
  return ratios.length;
}

/**
 * scikit-learn 1.2's sign rule (svd_flip with the u-based decision): flip each component, and its
 * scores, so that the score of largest magnitude over the fitted samples (the first such sample
 * on a tie) is positive. Works in place on the p×d components and the n×p scores.
 */
export function orientComponents(components: Matrix, scores: Matrix): void {
  const { rows: n, cols: p } = scores;
  const d = components.cols;
  for (let c = 0; c < p; c++) {
    let best = 0;
    let bestAbs = -1;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(scores.data[i * p + c]!);
      if (a > bestAbs) {
        bestAbs = a;
        best = i;
      }
    }
    if (scores.data[best * p + c]! < 0) {
      for (let j = 0; j < d; j++) components.data[c * d + j] = -components.data[c * d + j]!;
      for (let i = 0; i < n; i++) scores.data[i * p + c] = -scores.data[i * p + c]!;
    }
  }
}
