// Kernels for the Davies–Bouldin and Calinski–Harabasz scores: per-cluster sums, and per-cluster
// sums of (squared) distances to the centroids. One chunk of rows per call, one slot per chunk;
// the caller merges slots in chunk order (mergeChunks), as for k-means.
import { addRow, sqDist, zeroF64 } from "./util/rows";
import { chunkEnd, chunkStart } from "./simd";

/** slot (k·d + k f64) = [Σ rows of each cluster (k×d), row count of each cluster (k)]. */
export function clusterSumsChunk(x: usize, n: i32, d: i32, labels: usize, k: i32, partials: usize, chunkRows: i32, chunk: i32): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  const slot = partials + ((<usize>chunk * <usize>(k * d + k)) << 3);
  const counts = slot + <usize>k * rowBytes;
  zeroF64(slot, k * d + k);
  for (let i = start; i < end; i++) {
    const c = load<i32>(labels + ((<usize>i) << 2));
    addRow(slot + <usize>c * rowBytes, x + <usize>i * rowBytes, d);
    const p = counts + ((<usize>c) << 3);
    store<f64>(p, load<f64>(p) + 1.0);
  }
}

/**
 * slot (k f64): per cluster, Σ over the chunk's rows of ‖X[i] − centroid‖ (squared ≠ 0: ‖·‖²).
 */
export function centroidDistChunk(
  x: usize, n: i32, d: i32, labels: usize, centroids: usize, k: i32, squared: i32, partials: usize, chunkRows: i32, chunk: i32,
): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  const slot = partials + ((<usize>chunk * <usize>k) << 3);
  zeroF64(slot, k);
  for (let i = start; i < end; i++) {
    const c = load<i32>(labels + ((<usize>i) << 2));
    const s = sqDist(x + <usize>i * rowBytes, centroids + <usize>c * rowBytes, d);
    const p = slot + ((<usize>c) << 3);
    store<f64>(p, load<f64>(p) + (squared ? s : sqrt<f64>(s)));
  }
}
