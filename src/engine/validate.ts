// Input checks shared by the engine's functions. The engine knows no files, so it throws
// RangeError/TypeError naming the row and column (1-based); callers that read files add the file.
import type { EngineContext, ResidentMatrix } from "./context.js";

/**
 * A RangeError that says which argument of the engine call is at fault ("x", "init", "labels"), so
 * that a caller which read that argument from a file can name the file without parsing the message.
 */
export class ArgumentError extends RangeError {
  constructor(
    message: string,
    readonly argument: string,
  ) {
    super(message);
  }
}

/** A matrix needs at least one row and one column. */
export function checkShape(rows: number, cols: number, what = "X"): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`${what}: invalid shape ${rows} × ${cols}`);
  }
  if (rows === 0) throw new RangeError(`${what} has no rows`);
  if (cols === 0) throw new RangeError(`${what} has no columns`);
}

function describe(v: number): string {
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

export function nonFiniteError(what: string, index: number, cols: number, v: number, argument: string): RangeError {
  const row = Math.floor(index / cols) + 1;
  const col = (index % cols) + 1;
  return new ArgumentError(`${what} row ${row}, column ${col} is ${describe(v)}; every value must be finite`, argument);
}

/** Throw on the first NaN or ±Infinity of a row-major array, naming its row and column. */
export function checkFinite(data: Float64Array, cols: number, what = "X", argument = "x"): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) throw nonFiniteError(what, i, cols, v, argument);
  }
}

/** checkFinite for a matrix already in WASM memory, scanned by the kernel. */
export function checkFiniteResident(ctx: EngineContext, x: ResidentMatrix, what = "X"): void {
  const at = ctx.kernels.firstNonFinite(x.ptr, x.rows * x.cols);
  if (at >= 0) throw nonFiniteError(what, at, x.cols, ctx.arena.f64(x.ptr + at * 8, 1)[0]!, "x");
}

/** 1 ≤ k ≤ n, an integer. */
export function checkK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (k > n) throw new RangeError(`k = ${k} exceeds the number of rows (${n})`);
}

/** A positive integer option, at most `max`. */
export function checkPositiveInt(value: number, name: string, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  if (value > max) throw new RangeError(`${name} must be at most ${max}, got ${value}`);
}
