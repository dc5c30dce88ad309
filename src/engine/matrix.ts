/**
 * A dense f64 matrix in row-major order: element (i, j) is data[i * cols + j].
 * This is the engine's one input shape; Arrow columns convert to it with `matrixFromColumns`.
 */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Anything with a length and numeric element access: a typed array or an Arrow Vector. */
export interface NumericColumn {
  readonly length: number;
  get(i: number): number | bigint | null;
  toArray?(): ArrayLike<number | bigint | null>;
}

export function matrix(data: Float64Array, rows: number, cols: number): Matrix {
  if (data.length !== rows * cols) {
    throw new RangeError(`matrix data has ${data.length} values, expected ${rows} × ${cols} = ${rows * cols}`);
  }
  return { data, rows, cols };
}
