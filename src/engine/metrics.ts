// Davies–Bouldin and Calinski–Harabasz scores on WASM memory: chunked passes for the cluster sums
// and the distances to the centroids; the k-sized remainder is shared with the reference.
import { CHUNK_ROWS, chunkCount, type EngineContext, forEachChunk, type ResidentMatrix } from "./context.js";
import { checkClusterCount, type EncodedLabels, encodeLabels } from "./labels.js";
import { calinskiHarabaszFromParts, daviesBouldinFromParts } from "./cluster-scores.js";
import { checkFiniteResident } from "./validate.js";

interface ClusterPass {
  /** k×d centroids. */
  centroids: Float64Array;
  /** Per-cluster Σ‖x − centroid‖ (squared: Σ‖x − centroid‖²). */
  spread: Float64Array;
  /** Column sums of all of x. */
  total: Float64Array;
}

/** Centroids, then the per-cluster (squared) distance sums to them: two chunked passes. */
function clusterPass(ctx: EngineContext, x: ResidentMatrix, enc: EncodedLabels, squared: boolean): ClusterPass {
  const { arena, kernels } = ctx;
  const { rows: n, cols: d } = x;
  const { k, codes, counts } = enc;
  const chunks = chunkCount(n);
  const mark = arena.mark();
  try {
    const labelsPtr = arena.putI32(codes);
    const slot = k * d + k;
    const partials = arena.alloc(chunks * slot * 8);
    const merged = arena.alloc(slot * 8);
    forEachChunk(ctx, "clusterSumsChunk", [x.ptr, n, d, labelsPtr, k, partials, CHUNK_ROWS], chunks);
    kernels.mergeChunks(partials, chunks, slot, merged);
    const sums = arena.f64(merged, k * d);
    const centroids = new Float64Array(k * d);
    const total = new Float64Array(d);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        centroids[c * d + j] = sums[c * d + j]! / counts[c]!;
        total[j]! += sums[c * d + j]!;
      }
    }
    const centroidsPtr = arena.putF64(centroids);
    const distPartials = arena.alloc(chunks * k * 8);
    const distMerged = arena.alloc(k * 8);
    forEachChunk(
      ctx,
      "centroidDistChunk",
      [x.ptr, n, d, labelsPtr, centroidsPtr, k, squared ? 1 : 0, distPartials, CHUNK_ROWS],
      chunks,
    );
    kernels.mergeChunks(distPartials, chunks, k, distMerged);
    return { centroids, spread: arena.f64(distMerged, k).slice(), total };
  } finally {
    arena.release(mark);
  }
}

function prepare(ctx: EngineContext, x: ResidentMatrix, labels: ArrayLike<number>, what: string): EncodedLabels {
  const enc = encodeLabels(labels, x.rows);
  checkClusterCount(enc.k, x.rows, what);
  checkFiniteResident(ctx, x);
  return enc;
}

/** scikit-learn 1.2's davies_bouldin_score. */
export function daviesBouldin(ctx: EngineContext, x: ResidentMatrix, labels: ArrayLike<number>): number {
  const enc = prepare(ctx, x, labels, "the Davies–Bouldin score");
  const { k, counts } = enc;
  const d = x.cols;
  const { centroids, spread } = clusterPass(ctx, x, enc, false);
  const intra = spread.map((s, c) => s / counts[c]!);
  const between = new Float64Array(k * k);
  for (let p = 0; p < k; p++) {
    for (let q = 0; q < k; q++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (centroids[p * d + j]! - centroids[q * d + j]!) ** 2;
      between[p * k + q] = Math.sqrt(s);
    }
  }
  return daviesBouldinFromParts(intra, between, k);
}

/** scikit-learn 1.2's calinski_harabasz_score. */
export function calinskiHarabasz(ctx: EngineContext, x: ResidentMatrix, labels: ArrayLike<number>): number {
  const enc = prepare(ctx, x, labels, "the Calinski–Harabasz score");
  const { k, counts } = enc;
  const { rows: n, cols: d } = x;
  const { centroids, spread, total } = clusterPass(ctx, x, enc, true);
  let extra = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (centroids[c * d + j]! - total[j]! / n) ** 2;
    extra += counts[c]! * s;
  }
  let intra = 0;
  for (let c = 0; c < k; c++) intra += spread[c]!;
  return calinskiHarabaszFromParts(extra, intra, n, k);
}
