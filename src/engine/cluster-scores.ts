// The last steps of the Davies–Bouldin and Calinski–Harabasz scores, from per-cluster parts: one
// definition, used by the engine (parts from the kernels) and by its reference implementation.

/** The final step of Davies–Bouldin from intra-cluster spreads and the k×k centroid distances. */
export function daviesBouldinFromParts(intra: Float64Array, between: Float64Array, k: number): number {
  if (allClose0(intra) || allClose0(between)) return 0;
  let total = 0;
  for (let p = 0; p < k; p++) {
    let worst = Number.NEGATIVE_INFINITY;
    for (let q = 0; q < k; q++) {
      if (q === p) continue;
      const m = between[p * k + q]!;
      worst = Math.max(worst, m === 0 ? 0 : (intra[p]! + intra[q]!) / m);
    }
    total += worst;
  }
  return total / k;
}

/** numpy.allclose(v, 0): |v| ≤ atol = 1e-8 everywhere. */
function allClose0(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (Math.abs(v[i]!) > 1e-8) return false;
  return true;
}

/** Between-cluster over within-cluster dispersion, times (n − k) / (k − 1); 1 when within is 0. */
export function calinskiHarabaszFromParts(extra: number, intra: number, n: number, k: number): number {
  return intra === 0 ? 1 : (extra * (n - k)) / (intra * (k - 1));
}
