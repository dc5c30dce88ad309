// Pairwise squared distances on the engine.
import type { EngineContext, ResidentMatrix } from "./context.js";
import type { Matrix } from "./matrix.js";
import { checkFiniteResident } from "./validate.js";

/** out[i, j] = ‖X[i] − Y[j]‖² for X (n×d) and Y (m×d) in WASM memory. */
export function distances(ctx: EngineContext, x: ResidentMatrix, y: ResidentMatrix): Matrix {
  if (x.cols !== y.cols) throw new RangeError(`X has ${x.cols} columns but Y has ${y.cols}`);
  checkFiniteResident(ctx, x, "X");
  checkFiniteResident(ctx, y, "Y");
  const { arena } = ctx;
  const mark = arena.mark();
  try {
    const out = arena.alloc(x.rows * y.rows * 8);
    ctx.kernels.sqDistances(x.ptr, x.rows, y.ptr, y.rows, x.cols, out);
    return { data: arena.f64(out, x.rows * y.rows).slice(), rows: x.rows, cols: y.rows };
  } finally {
    arena.release(mark);
  }
}
