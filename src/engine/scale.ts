// StandardScaler and row Normalizer on WASM memory, with scikit-learn 1.2's arithmetic (see
// scale-model.ts for the rules and assembly/scale.ts for the summation orders).
import type { EngineContext, ResidentMatrix } from "./context.js";
import type { Matrix } from "./matrix.js";
import { type StandardScaler, scaleFromVariance } from "./scale-model.js";
import { checkFiniteResident } from "./validate.js";

export type { StandardScaler } from "./scale-model.js";

export interface StandardScaled {
  readonly scaler: StandardScaler;
  readonly scaled: Matrix;
}

/** Fit the column means and population standard deviations of x. */
export function standardScalerFit(ctx: EngineContext, x: ResidentMatrix): StandardScaler {
  checkFiniteResident(ctx, x);
  const { arena, kernels } = ctx;
  const { rows: n, cols: d } = x;
  const mark = arena.mark();
  try {
    const sumPtr = arena.alloc(d * 8);
    kernels.columnSums(x.ptr, n, d, sumPtr);
    const mean = arena.f64(sumPtr, d).map((s) => s / n);
    const meanPtr = arena.putF64(mean);
    const corrPtr = arena.alloc(d * 8);
    const sqPtr = arena.alloc(d * 8);
    kernels.centredColumnMoments(x.ptr, n, d, meanPtr, corrPtr, sqPtr);
    const corr = arena.f64(corrPtr, d);
    const sq = arena.f64(sqPtr, d);
    const scale = new Float64Array(d);
    for (let j = 0; j < d; j++) scale[j] = scaleFromVariance((sq[j]! - (corr[j]! * corr[j]!) / n) / n, mean[j]!, n);
    return { mean, scale };
  } finally {
    arena.release(mark);
  }
}

/** (x − mean) / scale with the given scaler, or one fitted on x. */
export function standardScale(ctx: EngineContext, x: ResidentMatrix, fitted?: StandardScaler): StandardScaled {
  const scaler = fitted ?? standardScalerFit(ctx, x);
  const { rows: n, cols: d } = x;
  if (scaler.mean.length !== d || scaler.scale.length !== d) {
    throw new RangeError(`the scaler was fitted on ${scaler.mean.length} columns, X has ${d}`);
  }
  if (fitted) checkFiniteResident(ctx, x);
  const { arena, kernels } = ctx;
  const mark = arena.mark();
  try {
    const meanPtr = arena.putF64(scaler.mean);
    const scalePtr = arena.putF64(scaler.scale);
    const outPtr = arena.alloc(n * d * 8);
    kernels.standardize(x.ptr, n, d, meanPtr, scalePtr, outPtr);
    return { scaler, scaled: { data: arena.f64(outPtr, n * d).slice(), rows: n, cols: d } };
  } finally {
    arena.release(mark);
  }
}

/** Every row over its L2 norm; a zero row stays zero. */
export function normalizeRows(ctx: EngineContext, x: ResidentMatrix): Matrix {
  checkFiniteResident(ctx, x);
  const { arena, kernels } = ctx;
  const { rows: n, cols: d } = x;
  const mark = arena.mark();
  try {
    const outPtr = arena.alloc(n * d * 8);
    kernels.normalizeRows(x.ptr, n, d, outPtr);
    return { data: arena.f64(outPtr, n * d).slice(), rows: n, cols: d };
  } finally {
    arena.release(mark);
  }
}
