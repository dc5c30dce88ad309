// Reference k-means: the algorithm of src/engine/kmeans.ts written out directly over Float64Array,
// with the same random draws (so the same seed picks the same initial centres), sequential sums and
// no chunking. See kmeans.ts for the scikit-learn semantics followed.
import type { Matrix } from "../matrix.js";
import { Rng } from "../rng.js";
import { sqDist } from "./distance.js";

export interface ReferenceKMeansOptions {
  k: number;
  init?: "k-means++" | "random" | Matrix;
  nInit?: number;
  maxIter?: number;
  tol?: number;
  seed?: number;
}

export interface ReferenceKMeansResult {
  k: number;
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
  nIter: number;
}

/** The centre nearest to row i (ties to the lowest index) and its squared distance. */
export function nearestCentre(x: Float64Array, i: number, centers: Float64Array, k: number, d: number): { c: number; dist: number } {
  let c = 0;
  let dist = sqDist(x, i, centers, 0, d);
  for (let j = 1; j < k; j++) {
    const t = sqDist(x, i, centers, j, d);
    if (t < dist) {
      dist = t;
      c = j;
    }
  }
  return { c, dist };
}

export function predictReference(x: Matrix, centers: Matrix): Int32Array {
  const labels = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) labels[i] = nearestCentre(x.data, i, centers.data, centers.rows, x.cols).c;
  return labels;
}

/** One Lloyd iteration: assign every row, then average each cluster (an empty one keeps its centre). */
export function lloydIterationReference(x: Matrix, centers: Matrix): Float64Array {
  const { data, rows: n, cols: d } = x;
  const k = centers.rows;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = nearestCentre(data, i, centers.data, k, d).c;
    counts[c]! += 1;
    for (let f = 0; f < d; f++) sums[c * d + f]! += data[i * d + f]!;
  }
  for (let j = 0; j < k; j++) {
    for (let f = 0; f < d; f++) sums[j * d + f] = counts[j]! > 0 ? sums[j * d + f]! * (1 / counts[j]!) : centers.data[j * d + f]!;
  }
  return sums;
}

function inertiaOf(x: Matrix, centers: Float64Array, labels: Int32Array): number {
  let s = 0;
  for (let i = 0; i < x.rows; i++) s += sqDist(x.data, i, centers, labels[i]!, x.cols);
  return s;
}

/** k-means++ centres (k×d) drawn from `rng`, as the engine's kmeansPlusPlus draws them. */
export function kmeansPlusPlusReference(x: Matrix, k: number, rng: Rng): Float64Array {
  const { data, rows: n, cols: d } = x;
  const trials = 2 + Math.floor(Math.log(k));
  const centers = new Float64Array(k * d);
  const first = rng.nextInt(n);
  centers.set(data.subarray(first * d, first * d + d), 0);
  let closest: Float64Array = new Float64Array(n);
  let potential = 0;
  for (let i = 0; i < n; i++) potential += closest[i] = sqDist(data, i, data, first, d);
  for (let c = 1; c < k; c++) {
    const cands: number[] = [];
    for (let t = 0; t < trials; t++) {
      const target = rng.nextFloat() * potential;
      // First index whose cumulative sum reaches the target (numpy searchsorted, left), clipped.
      let acc = 0;
      let idx = n - 1;
      for (let i = 0; i < n; i++) {
        acc += closest[i]!;
        if (acc >= target) {
          idx = i;
          break;
        }
      }
      cands.push(idx);
    }
    let best: { pot: number; cand: number; dist: Float64Array } | undefined;
    for (const cand of cands) {
      const dist = new Float64Array(n);
      let pot = 0;
      for (let i = 0; i < n; i++) pot += dist[i] = Math.min(closest[i]!, sqDist(data, i, data, cand, d));
      if (!best || pot < best.pot) best = { pot, cand, dist };
    }
    potential = best!.pot;
    closest = best!.dist;
    centers.set(data.subarray(best!.cand * d, best!.cand * d + d), c * d);
  }
  return centers;
}

function randomCenters(x: Matrix, k: number, rng: Rng): Float64Array {
  // The first k entries of a random permutation, drawn as a Fisher–Yates shuffle would.
  const perm = Array.from({ length: x.rows }, (_, i) => i);
  const centers = new Float64Array(k * x.cols);
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextInt(x.rows - i);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    centers.set(x.data.subarray(perm[i]! * x.cols, perm[i]! * x.cols + x.cols), i * x.cols);
  }
  return centers;
}

function lloydReference(x: Matrix, init: Float64Array, k: number, maxIter: number, tolerance: number) {
  const { data, rows: n, cols: d } = x;
  let centers = init.slice();
  const labels = new Int32Array(n).fill(-1);
  let strict = false;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = nearestCentre(data, i, centers, k, d).c;
      if (labels[i] !== c) changed++;
      labels[i] = c;
      counts[c]! += 1;
      for (let f = 0; f < d; f++) sums[c * d + f]! += data[i * d + f]!;
    }
    // Empty clusters take the rows farthest from their centres.
    const empty = [...counts.keys()].filter((j) => counts[j] === 0);
    if (empty.length > 0) {
      const dist = Array.from({ length: n }, (_, i) => sqDist(data, i, centers, labels[i]!, d));
      const order = [...dist.keys()].sort((a, b) => dist[b]! - dist[a]! || a - b);
      if (dist[order[0]!]! > 0) {
        empty.forEach((target, idx) => {
          const row = order[idx]!;
          const from = labels[row]!;
          for (let f = 0; f < d; f++) {
            sums[from * d + f]! -= data[row * d + f]!;
            sums[target * d + f] = data[row * d + f]!;
          }
          counts[target] = 1;
          counts[from]! -= 1;
        });
      }
    }
    let shift = 0;
    for (let j = 0; j < k; j++) {
      if (counts[j]! > 0) for (let f = 0; f < d; f++) sums[j * d + f]! *= 1 / counts[j]!;
      shift += sqDist(sums, j, centers, j, d);
    }
    centers = sums;
    if (changed === 0) {
      strict = true;
      break;
    }
    if (shift <= tolerance) break;
  }
  if (!strict) for (let i = 0; i < n; i++) labels[i] = nearestCentre(data, i, centers, k, d).c;
  return { labels, centers, inertia: inertiaOf(x, centers, labels), nIter: Math.min(iter + 1, maxIter) };
}

export function kmeansReference(x: Matrix, options: ReferenceKMeansOptions): ReferenceKMeansResult {
  const { k } = options;
  const init = options.init ?? "k-means++";
  const nInit = typeof init === "object" ? 1 : (options.nInit ?? 10);
  const seed = options.seed ?? 0;
  const { rows: n, cols: d } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) mean[f]! += x.data[i * d + f]! / n;
  let variance = 0;
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) variance += (x.data[i * d + f]! - mean[f]!) ** 2 / n;
  const tolerance = (options.tol ?? 1e-4) * (variance / d);
  let best: ReferenceKMeansResult | undefined;
  for (let r = 0; r < nInit; r++) {
    const rng = Rng.derive(seed, r);
    const start =
      typeof init === "object" ? init.data : init === "random" ? randomCenters(x, k, rng) : kmeansPlusPlusReference(x, k, rng);
    const result = lloydReference(x, start, k, options.maxIter ?? 300, tolerance);
    if (!best || (result.inertia < best.inertia && !sameLabels(result.labels, best.labels, k))) best = { k, ...result };
  }
  return best!;
}

function sameLabels(a: Int32Array, b: Int32Array, k: number): boolean {
  const map = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const m = map.get(a[i]!);
    if (m === undefined) map.set(a[i]!, b[i]!);
    else if (m !== b[i]) return false;
  }
  return k > 0;
}
