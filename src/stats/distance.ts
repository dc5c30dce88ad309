// Distances between two samples, or two distributions over the same categories.

const ascending = (x: ArrayLike<number>): Float64Array => Float64Array.from(x).sort();

/**
 * Wasserstein-1 (earth mover's) distance between the empirical distributions of a and b: the area
 * between their ECDFs, ∫|F_a − F_b|, summed over the gaps between pooled values (SciPy's
 * wasserstein_distance with unit weights).
 */
export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const u = ascending(a);
  const v = ascending(b);
  const nu = u.length;
  const nv = v.length;
  if (nu === 0 || nv === 0) throw new RangeError("wasserstein1 needs two non-empty samples");
  const all = new Float64Array(nu + nv);
  all.set(u);
  all.set(v, nu);
  all.sort();
  let i = 0;
  let j = 0;
  let sum = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k];
    while (i < nu && u[i] <= x) i++;
    while (j < nv && v[j] <= x) j++;
    sum += Math.abs(i / nu - j / nv) * (all[k + 1] - x);
  }
  return sum;
}

/** Quantile of sorted data at q ∈ [0, 1], linear between order statistics (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Proportion given to an empty bin in PSI, so ln(q/p) stays finite; about one customer in 10,000. */
export const PSI_EPSILON = 1e-4;

export interface PsiResult {
  psi: number;
  /** Interior bin edges: bin i holds values in [edges[i-1], edges[i]), the first and last are open. */
  edges: number[];
  reference: number[];
  current: number[];
}

/**
 * Population stability index of `current` against `reference` over ten quantile bins of the
 * reference. Tied deciles (a 0/1 flag, a day of the week) are merged into one edge; bins are closed
 * on the left so a value equal to an edge falls with the values above it, which keeps the two
 * sides of a flag apart. Empty proportions become PSI_EPSILON.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): PsiResult {
  const ref = ascending(reference);
  if (ref.length === 0 || current.length === 0) throw new RangeError("psi needs two non-empty samples");
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = quantileSorted(ref, i / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const refShare = binShares(ref, edges);
  const curShare = binShares(current, edges);
  let total = 0;
  for (let i = 0; i < refShare.length; i++) {
    const p = Math.max(refShare[i], PSI_EPSILON);
    const q = Math.max(curShare[i], PSI_EPSILON);
    total += (q - p) * Math.log(q / p);
  }
  return { psi: total, edges, reference: refShare, current: curShare };
}

function binShares(x: ArrayLike<number>, edges: number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let k = 0; k < x.length; k++) {
    const v = x[k];
    // Upper bound: the number of edges ≤ v is the bin index.
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]++;
  }
  return counts.map((c) => c / x.length);
}

/** Total variation distance ½ Σ |p_i − q_i| between two count (or share) vectors, normalised here. */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError("totalVariation needs vectors of one length");
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i];
    sq += q[i];
  }
  let d = 0;
  for (let i = 0; i < p.length; i++) d += Math.abs(p[i] / sp - q[i] / sq);
  return d / 2;
}
