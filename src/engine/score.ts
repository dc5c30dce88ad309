// Placing new rows under a fitted model: per-column standardisation (plus one group of columns
// scaled to unit L2 norm together), PCA projection and the nearest of k centres, fused in one
// chunked kernel pass (assembly/score.ts). The arithmetic is that of the kernels that fitted the
// model, so the fitted rows get back exactly their scores and labels.
import { CHUNK_ROWS, chunkCount, type EngineContext, forEachChunk, type ResidentMatrix } from "./context.js";
import type { Matrix } from "./matrix.js";
import { checkFinite, checkPositiveInt, checkShape } from "./validate.js";

export interface PlacementModel {
  /** Per input column: (x − mean) / scale. Absent: the rows are used as given. */
  readonly scaler?: { readonly mean: ArrayLike<number>; readonly scale: ArrayLike<number> };
  /** Input columns divided, row by row, by their joint L2 norm (after the scaler, replacing it there). */
  readonly normalized?: ArrayLike<number>;
  /** PCA applied after scaling. Absent: the scaled rows themselves are compared with the centres. */
  readonly pca?: { readonly mean: ArrayLike<number>; readonly components: Matrix };
  /** k×p centres in the projected (or scaled) space. */
  readonly centers: Matrix;
}

export interface Placement {
  /** n×p projected rows (or the scaled rows, without PCA). */
  readonly scores: Matrix;
  /** Index of the nearest centre (ties to the lowest). */
  readonly labels: Int32Array;
  /** Euclidean distance to the nearest centre. */
  readonly distance: Float64Array;
  /** Euclidean distance to the second nearest centre (+∞ with one centre). */
  readonly secondDistance: Float64Array;
}

/** Scale, project and assign every row of x; the caller has checked x is finite. */
export function place(ctx: EngineContext, x: ResidentMatrix, model: PlacementModel): Placement {
  return placeAt(ctx, x.ptr, x.rows, x.cols, false, model);
}

/**
 * place() over columns (one array of n values per input column, e.g. Arrow vectors' values): each
 * is copied into WASM memory as it is, and the kernel reads them column-major.
 */
export function placeColumns(ctx: EngineContext, columns: readonly ArrayLike<number>[], n: number, model: PlacementModel): Placement {
  const d = columns.length;
  checkShape(n, d);
  columns.forEach((c, j) => {
    if (c.length !== n) throw new RangeError(`column ${j + 1} has ${c.length} values, expected ${n}`);
  });
  const { arena } = ctx;
  const mark = arena.mark();
  try {
    const ptr = arena.alloc(n * d * 8);
    columns.forEach((c, j) => {
      arena.f64(ptr + j * n * 8, n).set(c);
    });
    return placeAt(ctx, ptr, n, d, true, model);
  } finally {
    arena.release(mark);
  }
}

function placeAt(ctx: EngineContext, xPtr: number, n: number, d: number, colMajor: boolean, model: PlacementModel): Placement {
  const { scaler, pca, centers } = model;
  const normalized = model.normalized ?? [];
  if (scaler && (scaler.mean.length !== d || scaler.scale.length !== d)) {
    throw new RangeError(`the scaler has ${scaler.mean.length} columns, X has ${d}`);
  }
  if (!scaler && normalized.length > 0) throw new RangeError("normalized columns need a scaler");
  for (let t = 0; t < normalized.length; t++) {
    const j = normalized[t]!;
    if (!Number.isInteger(j) || j < 0 || j >= d) throw new RangeError(`normalized column ${j} is outside 0..${d - 1}`);
  }
  if (pca && (pca.components.cols !== d || pca.mean.length !== d)) {
    throw new RangeError(`the PCA was fitted on ${pca.components.cols} columns, X has ${d}`);
  }
  const p = pca ? pca.components.rows : d;
  if (centers.cols !== p) throw new RangeError(`the centres have ${centers.cols} columns, the scores ${p}`);
  checkPositiveInt(centers.rows, "the number of centres");
  checkFinite(centers.data, centers.cols, "centres");
  const k = centers.rows;
  const { arena } = ctx;
  const chunks = chunkCount(n);
  const mark = arena.mark();
  try {
    const meanPtr = scaler ? arena.putF64(scaler.mean) : 0;
    const scalePtr = scaler ? arena.putF64(scaler.scale) : 0;
    const normPtr = normalized.length > 0 ? arena.putI32(normalized) : 0;
    const pcaMeanPtr = pca ? arena.putF64(pca.mean) : 0;
    const wPtr = pca ? arena.putF64(pca.components.data) : 0;
    const centersPtr = arena.putF64(centers.data);
    const scratch = arena.alloc(chunks * (2 * d + normalized.length) * 8);
    const outPc = arena.alloc(n * p * 8);
    const labels = arena.alloc(n * 4);
    const dist1 = arena.alloc(n * 8);
    const dist2 = arena.alloc(n * 8);
    forEachChunk(
      ctx,
      "scoreChunk",
      [xPtr, n, d, colMajor ? 1 : 0, scaler ? 1 : 0, meanPtr, scalePtr, normPtr, normalized.length, pca ? p : 0, pcaMeanPtr, wPtr, centersPtr, k, scratch, outPc, labels, dist1, dist2, CHUNK_ROWS],
      chunks,
    );
    return {
      scores: { data: arena.f64(outPc, n * p).slice(), rows: n, cols: p },
      labels: arena.i32(labels, n).slice(),
      distance: arena.f64(dist1, n).slice(),
      secondDistance: arena.f64(dist2, n).slice(),
    };
  } finally {
    arena.release(mark);
  }
}
