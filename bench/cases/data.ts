// Synthetic matrices shared by the benchmarks and the engine tests. It lives in bench/, not test/,
// so that benchmarks never import test code (tests may import benchmark data, not the reverse).
import type { Matrix } from "../../src/engine/matrix.js";
import { Rng } from "../../src/engine/rng.js";

export interface BlobShape {
  /** Centres are drawn uniformly in [-box, box)^d. */
  box: number;
  /** One coordinate's offset from its centre. */
  noise: (rng: Rng) => number;
}

/** ±1.5 around centres in [-10, 10): the benchmarks' blobs. */
export const WIDE_BLOBS: BlobShape = { box: 10, noise: (rng) => 3 * (rng.nextFloat() - 0.5) };

/**
 * n rows around k random centres, deterministic per seed. Each shape keeps its own sequence of
 * draws, so a test or benchmark sees the same matrix for a seed as it always has.
 */
export function blobs(seed: number, n: number, d: number, k: number, shape: BlobShape = WIDE_BLOBS): Matrix {
  const rng = new Rng(seed);
  const centres = Array.from({ length: k * d }, () => rng.nextFloat() * (2 * shape.box) - shape.box);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(k);
    for (let f = 0; f < d; f++) data[i * d + f] = centres[c * d + f]! + shape.noise(rng);
  }
  return { data, rows: n, cols: d };
}
