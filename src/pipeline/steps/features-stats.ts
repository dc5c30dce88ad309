// Reductions over a customer's monthly spend, with the arithmetic of the pandas/SciPy functions the
// original used, so that compat results are bit-identical (the trend to ~1e-13).

/**
 * Kahan-compensated running sum, as pandas' groupby sum and mean accumulate (group_add, group_mean):
 * y = v - c; t = s + y; c = (t - s) - y; s = t.
 */
export function kahanSum(values: Float64Array, n: number): number {
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const y = values[i] - comp;
    const t = sum + y;
    comp = t - sum - y;
    sum = t;
  }
  return sum;
}

/** Sample standard deviation (ddof 1) by Welford's update, as pandas' group_var; 0 for one value. */
export function welfordStd(values: Float64Array, n: number): number {
  if (n < 2) return 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const old = mean;
    mean += (values[i] - old) / (i + 1);
    m2 += (values[i] - mean) * (values[i] - old);
  }
  return Math.sqrt(m2 / (n - 1));
}

/**
 * Least-squares slope of values[i] against i (centred sums, as scipy.stats.linregress via np.cov);
 * 0 for fewer than two values.
 */
export function slopeOverIndex(values: Float64Array, n: number): number {
  if (n < 2) return 0;
  let ySum = 0;
  for (let i = 0; i < n; i++) ySum += values[i];
  const xMean = (n - 1) / 2;
  const yMean = ySum / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = i - xMean;
    sxy += dx * (values[i] - yMean);
    sxx += dx * dx;
  }
  return sxy / sxx;
}
