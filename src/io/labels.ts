// Cluster labels from a file: one integer column, read as a one-column matrix.
import { UserError } from "../errors.js";
import { readMatrix } from "./matrix.js";

/** The labels file's single column, checked to be non-negative integers (errors name the line). */
export async function readLabels(path: string): Promise<Int32Array> {
  // One column is required below: the matrix column bound (there for PCA's cost) is not this file's.
  const { matrix, columnNames } = await readMatrix(path, { maxColumns: Number.POSITIVE_INFINITY });
  if (matrix.cols !== 1) {
    throw new UserError(`${path}: expected one column of cluster labels, found ${matrix.cols} (${columnNames.join(", ")})`);
  }
  const labels = new Int32Array(matrix.rows);
  matrix.data.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new UserError(`${path}: line ${i + 2}: label ${v} is not a non-negative integer`);
    }
    labels[i] = v;
  });
  return labels;
}
