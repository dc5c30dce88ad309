// Reference mini-batch k-means: src/engine/minibatch.ts written out directly over Float64Array,
// with the same random draws, sequential sums and no chunking. See minibatch.ts for the
// scikit-learn semantics followed.
import type { Matrix } from "../matrix.js";
import { centresToReassign, MiniBatchConvergence, type MiniBatchOptions, ReassignClock, resolveMiniBatch, SAMPLING_STREAM, smallestUnmovedCount } from "../minibatch-options.js";
import { Rng } from "../rng.js";
import { kmeansPlusPlusReference, nearestCentre } from "./kmeans.js";

export interface ReferenceMiniBatchResult {
  k: number;
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
  nIter: number;
  nSteps: number;
}

function rowsOf(x: Matrix, rows: ArrayLike<number>): Matrix {
  const d = x.cols;
  const data = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) data.set(x.data.subarray(rows[r]! * d, rows[r]! * d + d), r * d);
  return { data, rows: rows.length, cols: d };
}

function inertiaOn(x: Matrix, centers: Float64Array, k: number): number {
  let s = 0;
  for (let i = 0; i < x.rows; i++) s += nearestCentre(x.data, i, centers, k, x.cols).dist;
  return s;
}

/** The first `count` of a random permutation of 0 … n − 1 (Fisher–Yates). */
function firstOfPermutation(rng: Rng, n: number, count: number): number[] {
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(n - i);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return perm.slice(0, count);
}

export function minibatchKMeansReference(x: Matrix, options: MiniBatchOptions): ReferenceMiniBatchResult {
  const { rows: n, cols: d, data } = x;
  const o = resolveMiniBatch(options, n);
  const { k, batch } = o;
  const rng = Rng.derive(o.seed, SAMPLING_STREAM);
  const draw = (count: number) => Array.from({ length: count }, () => rng.nextInt(n));
  let tolerance = 0;
  if (o.tol > 0) {
    let variance = 0;
    for (let f = 0; f < d; f++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += data[i * d + f]!;
      mean /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (data[i * d + f]! - mean) ** 2;
      variance += v / n;
    }
    tolerance = o.tol * (variance / d);
  }

  const valid = rowsOf(x, draw(o.initSize));
  let best: Float64Array | undefined;
  let bestInertia = Number.POSITIVE_INFINITY;
  for (let r = 0; r < o.nInit; r++) {
    let centers: Float64Array;
    if (typeof o.init === "object") centers = o.init.data.slice();
    else {
      const sample = rowsOf(x, draw(o.initSize));
      centers = o.init === "random" ? rowsOf(sample, firstOfPermutation(Rng.derive(o.seed, r), o.initSize, k)).data : kmeansPlusPlusReference(sample, k, Rng.derive(o.seed, r));
    }
    const inertia = inertiaOn(valid, centers, k);
    if (!best || inertia < bestInertia) {
      best = centers;
      bestInertia = inertia;
    }
  }

  let centers = best!.slice();
  const counts = new Float64Array(k);
  const convergence = new MiniBatchConvergence(n, batch, tolerance, o.maxNoImprovement);
  const clock = new ReassignClock(batch, k);
  let step = 0;
  for (; step < o.steps; step++) {
    const idx = draw(batch);
    const reassign = clock.due(counts) && o.reassignmentRatio > 0;
    const labels = new Int32Array(batch);
    const batchCounts = new Float64Array(k);
    let batchInertia = 0;
    idx.forEach((row, r) => {
      const { c, dist } = nearestCentre(data, row, centers, k, d);
      labels[r] = c;
      batchCounts[c]! += 1;
      batchInertia += dist;
    });
    const next = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let f = 0; f < d; f++) next[c * d + f] = batchCounts[c]! > 0 ? centers[c * d + f]! * counts[c]! : centers[c * d + f]!;
    idx.forEach((row, r) => {
      for (let f = 0; f < d; f++) next[labels[r]! * d + f]! += data[row * d + f]!;
    });
    for (let c = 0; c < k; c++) {
      if (batchCounts[c]! === 0) continue;
      counts[c]! += batchCounts[c]!;
      const alpha = 1 / counts[c]!;
      for (let f = 0; f < d; f++) next[c * d + f]! *= alpha;
    }
    if (reassign) {
      const moved = centresToReassign(counts, k, o.reassignmentRatio, batch);
      if (moved.length > 0) {
        const picks = firstOfPermutation(rng, batch, moved.length);
        moved.forEach((c, j) => {
          const row = idx[picks[j]!]!;
          next.set(data.subarray(row * d, row * d + d), c * d);
        });
        const floor = smallestUnmovedCount(counts, k, moved);
        for (const c of moved) counts[c] = floor;
      }
    }
    let shift = 0;
    if (tolerance > 0) for (let i = 0; i < k * d; i++) shift += (next[i]! - centers[i]!) ** 2;
    centers = next;
    if (convergence.converged(step, batchInertia, shift)) break;
  }
  const nSteps = Math.min(step + 1, o.steps);
  const labels = new Int32Array(n);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const { c, dist } = nearestCentre(data, i, centers, k, d);
    labels[i] = c;
    inertia += dist;
  }
  return { k, labels, centers, inertia, nIter: Math.ceil((nSteps * batch) / n), nSteps };
}
