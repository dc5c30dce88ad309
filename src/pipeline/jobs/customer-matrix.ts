// Customers as IDs and a row-major feature matrix: every customer with features, and the ones kept
// after outlier removal. Shared by run, tune, predict and drift.
import type { Table } from "apache-arrow";
import { FEATURE_NAMES } from "../steps/features.js";
import type { CustomerMatrix } from "../options.js";

/** The features table (CustomerID + FEATURE_NAMES) as IDs and a row-major matrix. */
export function featureMatrix(features: Table): CustomerMatrix {
  const n = features.numRows;
  const d = FEATURE_NAMES.length;
  const data = new Float64Array(n * d);
  FEATURE_NAMES.forEach((name, j) => {
    const values = features.getChild(name)!.toArray() as ArrayLike<number>;
    for (let i = 0; i < n; i++) data[i * d + j] = Number(values[i]);
  });
  return { ids: Int32Array.from(features.getChild("CustomerID")!.toArray() as ArrayLike<number>), matrix: { data, rows: n, cols: d } };
}

export function keepRows(all: CustomerMatrix, flagged: Uint8Array): CustomerMatrix {
  const d = all.matrix.cols;
  const from = all.matrix.data;
  let kept = 0;
  for (let i = 0; i < flagged.length; i++) if (!flagged[i]) kept++;
  // Plain copies, row by row: no per-row subarray or closure (every step after the outliers calls this).
  const data = new Float64Array(kept * d);
  const ids = new Int32Array(kept);
  for (let i = 0, k = 0; i < flagged.length; i++) {
    if (flagged[i]) continue;
    for (let j = 0; j < d; j++) data[k * d + j] = from[i * d + j]!;
    ids[k++] = all.ids[i]!;
  }
  return { ids, matrix: { data, rows: kept, cols: d } };
}
