// What the peer-library cases share: custseg's one-thread engine (the column every ratio and check
// is against), the matrices as arrays of rows (the JavaScript libraries' input, converted once,
// outside the timing) and the k-means inertia computed the same way for every implementation.
import { type Engine, loadEngine, type Matrix } from "../../src/engine/index.js";
import { lloydIteration } from "../../src/engine/kmeans.js";

let engine: Promise<Engine> | undefined;
/** custseg's wasm-simd engine on one thread, loaded once for every check. */
export function custseg(): Promise<Engine> {
  engine ??= loadEngine({ threads: 1 });
  return engine;
}

const rowArrays = new WeakMap<Matrix, number[][]>();
/** The matrix as an array of row arrays, as ml-kmeans, skmeans and ml-pca take it (cached). */
export function rowsOf(m: Matrix): number[][] {
  let rows = rowArrays.get(m);
  if (!rows) {
    rows = Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
    rowArrays.set(m, rows);
  }
  return rows;
}

/** k×d row-major centres as k row arrays: a fresh copy on every call (skmeans writes into its start). */
export function centreRows(centres: ArrayLike<number>, d: number): number[][] {
  return Array.from({ length: centres.length / d }, (_, c) => Array.from({ length: d }, (_, j) => centres[c * d + j]!));
}

/** k row arrays back to one k×d row-major array. */
export function flatten(rows: readonly (readonly number[])[]): Float64Array {
  const d = rows[0]?.length ?? 0;
  const out = new Float64Array(rows.length * d);
  for (const [c, r] of rows.entries()) out.set(r, c * d);
  return out;
}

/** Σ over rows of the squared distance to the nearest centre: the inertia of the final centres. */
export function inertiaOf(rows: readonly (readonly number[])[], centres: readonly (readonly number[])[]): number {
  let total = 0;
  for (const x of rows) {
    let best = Number.POSITIVE_INFINITY;
    for (const c of centres) {
      let s = 0;
      for (let j = 0; j < x.length; j++) s += (x[j]! - c[j]!) ** 2;
      if (s < best) best = s;
    }
    total += best;
  }
  return total;
}

/** The first k rows, row-major: the start of the single Lloyd iteration every implementation runs. */
export function firstRows(m: Matrix, k: number): Float64Array {
  return m.data.slice(0, k * m.cols);
}

/** custseg's centres after one Lloyd iteration from the first k rows. */
export async function oursLloyd(m: Matrix, k: number): Promise<Float64Array> {
  const e = await custseg();
  const x = e.upload(m);
  try {
    return lloydIteration(e.context, x, { data: firstRows(m, k), rows: k, cols: m.cols });
  } finally {
    x.free();
  }
}
