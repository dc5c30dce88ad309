// StandardScaler and row Normalizer on WASM memory, with scikit-learn 1.2's arithmetic (see
// scale-model.ts for the rules and assembly/scale.ts for the summation orders). Each pass runs in
// chunks of rows, one chunk per step (see steps.ts): the column sums add chunk after chunk in row
// order, so the result is the same bits as one pass.
import type { EngineContext, ResidentMatrix } from "./context.js";
import type { Matrix } from "./matrix.js";
import { type StandardScaler, scaleFromVariance } from "./scale-model.js";
import { drain, STEP_WORK, type Steps } from "./steps.js";
import { nonFiniteError } from "./validate.js";

export type { StandardScaler } from "./scale-model.js";

export interface StandardScaled {
  readonly scaler: StandardScaler;
  readonly scaled: Matrix;
}

/** Row ranges [start, start + count) of about `cells` cells each. */
function* rowChunks(n: number, d: number, cells: number): Generator<[start: number, count: number]> {
  const per = Math.max(1, Math.floor(cells / Math.max(1, d)));
  for (let start = 0; start < n; start += per) yield [start, Math.min(per, n - start)];
}

/** The first non-finite value of x is the caller's error, one chunk of rows per step. */
function* checkFiniteSteps(ctx: EngineContext, x: ResidentMatrix, cells: number): Steps<void> {
  const { rows: n, cols: d } = x;
  for (const [start, count] of rowChunks(n, d, cells)) {
    const at = ctx.kernels.firstNonFinite(x.ptr + start * d * 8, count * d);
    if (at >= 0) throw nonFiniteError("X", start * d + at, d, ctx.arena.f64(x.ptr + (start * d + at) * 8, 1)[0]!, "x");
    yield;
  }
}

/** Fit the column means and population standard deviations of x. */
export function standardScalerFit(ctx: EngineContext, x: ResidentMatrix): StandardScaler {
  return drain(standardScalerFitSteps(ctx, x));
}

/** `cells`: cells per step (a parameter so that tests can cross chunk boundaries on small matrices). */
export function* standardScalerFitSteps(ctx: EngineContext, x: ResidentMatrix, cells = STEP_WORK): Steps<StandardScaler> {
  yield* checkFiniteSteps(ctx, x, cells);
  const { arena, kernels } = ctx;
  const { rows: n, cols: d } = x;
  const mark = arena.mark();
  try {
    const sumPtr = arena.putF64(new Float64Array(d));
    for (const [start, count] of rowChunks(n, d, cells)) {
      kernels.columnSums(x.ptr + start * d * 8, count, d, sumPtr);
      yield;
    }
    const mean = arena.f64(sumPtr, d).map((s) => s / n);
    const meanPtr = arena.putF64(mean);
    const corrPtr = arena.putF64(new Float64Array(d));
    const sqPtr = arena.putF64(new Float64Array(d));
    for (const [start, count] of rowChunks(n, d, cells)) {
      kernels.centredColumnMoments(x.ptr + start * d * 8, count, d, meanPtr, corrPtr, sqPtr);
      yield;
    }
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
  return drain(standardScaleSteps(ctx, x, fitted));
}

export function* standardScaleSteps(ctx: EngineContext, x: ResidentMatrix, fitted?: StandardScaler, cells = STEP_WORK): Steps<StandardScaled> {
  const scaler = fitted ?? (yield* standardScalerFitSteps(ctx, x, cells));
  const { rows: n, cols: d } = x;
  if (scaler.mean.length !== d || scaler.scale.length !== d) {
    throw new RangeError(`the scaler was fitted on ${scaler.mean.length} columns, X has ${d}`);
  }
  if (fitted) yield* checkFiniteSteps(ctx, x, cells);
  const { arena, kernels } = ctx;
  const mark = arena.mark();
  try {
    const meanPtr = arena.putF64(scaler.mean);
    const scalePtr = arena.putF64(scaler.scale);
    const outPtr = arena.alloc(n * d * 8);
    for (const [start, count] of rowChunks(n, d, cells)) {
      kernels.standardize(x.ptr + start * d * 8, count, d, meanPtr, scalePtr, outPtr + start * d * 8);
      yield;
    }
    return { scaler, scaled: { data: arena.f64(outPtr, n * d).slice(), rows: n, cols: d } };
  } finally {
    arena.release(mark);
  }
}

/** Every row over its L2 norm; a zero row stays zero. */
export function normalizeRows(ctx: EngineContext, x: ResidentMatrix): Matrix {
  return drain(normalizeRowsSteps(ctx, x));
}

export function* normalizeRowsSteps(ctx: EngineContext, x: ResidentMatrix, cells = STEP_WORK): Steps<Matrix> {
  yield* checkFiniteSteps(ctx, x, cells);
  const { arena, kernels } = ctx;
  const { rows: n, cols: d } = x;
  const mark = arena.mark();
  try {
    const outPtr = arena.alloc(n * d * 8);
    for (const [start, count] of rowChunks(n, d, cells)) {
      kernels.normalizeRows(x.ptr + start * d * 8, count, d, outPtr + start * d * 8);
      yield;
    }
    return { data: arena.f64(outPtr, n * d).slice(), rows: n, cols: d };
  } finally {
    arena.release(mark);
  }
}
