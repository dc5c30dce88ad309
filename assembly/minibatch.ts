// Mini-batch k-means kernels (scikit-learn's _mini_batch_update_dense and _labels_inertia).
// The batch step runs on the calling thread: a batch is small (about a thousand rows), so waking
// workers would cost more than the step. The full assignment pass is chunked like every other
// pass over X. Sampling, reassignment and early stopping live in src/engine/minibatch.ts.
import { addRow, nearestCentre, nearestDist } from "./util/rows";
import { chunkEnd, chunkStart } from "./simd";

/**
 * One mini-batch step on the rows X[idx[0..b)]: label each by the nearest of `centers`, then move
 * every centre that got rows to the mean of all rows it has taken so far, counts[c] being their
 * number (a learning rate of 1/count): next_c = (centers_c·counts_c + Σ its batch rows) / new count,
 * the rows added in batch order. A centre without rows is copied. `batchCounts` (k) is scratch,
 * `labels` (b) receives the batch's labels. Returns the batch's inertia against the old centres.
 */
export function minibatchStep(x: usize, d: i32, idx: usize, b: i32, centers: usize, k: i32, next: usize, counts: usize, batchCounts: usize, labels: usize): f64 {
  const rowBytes = (<usize>d) << 3;
  memory.fill(batchCounts, 0, (<usize>k) << 3);
  let inertia: f64 = 0;
  for (let r = 0; r < b; r++) {
    const xi = x + <usize>load<i32>(idx + ((<usize>r) << 2)) * rowBytes;
    const c = nearestCentre(xi, centers, k, d, rowBytes);
    inertia += nearestDist;
    store<i32>(labels + ((<usize>r) << 2), c);
    const p = batchCounts + ((<usize>c) << 3);
    store<f64>(p, load<f64>(p) + 1);
  }
  for (let c = 0; c < k; c++) {
    const o = <usize>c * rowBytes;
    const has = load<f64>(batchCounts + ((<usize>c) << 3)) > 0;
    const w = has ? load<f64>(counts + ((<usize>c) << 3)) : 1;
    for (let j = 0; j < d; j++) {
      const q = o + ((<usize>j) << 3);
      store<f64>(next + q, load<f64>(centers + q) * w);
    }
  }
  for (let r = 0; r < b; r++) {
    const xi = x + <usize>load<i32>(idx + ((<usize>r) << 2)) * rowBytes;
    addRow(next + <usize>load<i32>(labels + ((<usize>r) << 2)) * rowBytes, xi, d);
  }
  for (let c = 0; c < k; c++) {
    const bc = load<f64>(batchCounts + ((<usize>c) << 3));
    if (bc > 0) {
      const wp = counts + ((<usize>c) << 3);
      const w = load<f64>(wp) + bc;
      store<f64>(wp, w);
      const alpha = 1 / w;
      const o = next + <usize>c * rowBytes;
      for (let j = 0; j < d; j++) {
        const p = o + ((<usize>j) << 3);
        store<f64>(p, load<f64>(p) * alpha);
      }
    }
  }
  return inertia;
}

/**
 * The nearest centre of every row of the chunk into `labels`, and the chunk's inertia into
 * partial[chunk]; merged in chunk order, the total does not depend on the thread count.
 */
export function nearestCentreChunk(x: usize, n: i32, d: i32, centers: usize, k: i32, labels: usize, partial: usize, chunkRows: i32, chunk: i32): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  let s: f64 = 0;
  for (let i = start; i < end; i++) {
    const c = nearestCentre(x + <usize>i * rowBytes, centers, k, d, rowBytes);
    s += nearestDist;
    store<i32>(labels + ((<usize>i) << 2), c);
  }
  store<f64>(partial + ((<usize>chunk) << 3), s);
}
