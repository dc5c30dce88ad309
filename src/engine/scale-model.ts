// The StandardScaler's fitted state and scikit-learn's rule for a constant column, shared by the
// engine and its reference implementation.

/** Machine epsilon of f64 (numpy.finfo(float64).eps). */
export const EPS = 2.220446049250313e-16;

export interface StandardScaler {
  /** Per-column mean. */
  readonly mean: Float64Array;
  /** Per-column population standard deviation, 1 for a constant column. */
  readonly scale: Float64Array;
}

/** sqrt(variance), or 1 where the column is constant up to rounding (scikit-learn's rule). */
export function scaleFromVariance(variance: number, mean: number, n: number): number {
  const bound = n * EPS * variance + (n * mean * EPS) ** 2;
  return variance <= bound ? 1 : Math.sqrt(variance);
}
