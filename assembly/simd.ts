// Small helpers the kernels share; @inline, so each call compiles to the code it replaces.

/** lane 0 + lane 1 of an f64x2, in that order (the order every reduction's result depends on). */
// @ts-ignore: decorator
@inline
export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** First row of chunk `chunk` when chunks are `chunkRows` rows long. */
// @ts-ignore: decorator
@inline
export function chunkStart(chunk: i32, chunkRows: i32): i32 {
  return chunk * chunkRows;
}

/** One past the last row of chunk `chunk` of n rows: the last chunk may be short. */
// @ts-ignore: decorator
@inline
export function chunkEnd(chunk: i32, chunkRows: i32, n: i32): i32 {
  return min(chunk * chunkRows + chunkRows, n);
}
