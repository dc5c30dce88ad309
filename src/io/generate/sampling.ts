// Draws from seeded Rng streams shared by the catalogue, the customers and the simulation. The
// order of calls on a stream is part of the output: a seed fixes every byte only while it holds.
import type { Rng } from "../../engine/rng.js";

/** A standard normal deviate (Box–Muller, two uniform draws: the count a seed's sequence depends on). */
export function normal(rng: Rng): number {
  const u = 1 - rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

export const logNormal = (rng: Rng, median: number, sigma: number) => median * Math.exp(sigma * normal(rng));
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.nextInt(xs.length)];

/** Relative weights as a normalised cumulative distribution, for searchCdf. */
export function cumulative(weights: number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  return Float64Array.from(weights, (w) => (acc += w) / total);
}

/** Index of the first entry of a cumulative distribution at or above u. */
export function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
