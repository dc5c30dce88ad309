// The real-data inputs of the kernel benchmark, read from ../shared beside the clone: the UCI
// customers' principal components (what k-means clusters), their 15 scaled features (what PCA
// reduces) and their 15 features before outlier removal (what the isolation forest scores), all as
// the original pipeline computed them.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Matrix } from "../../src/engine/index.js";

const seedDir = "../../../../shared/reference/seed-pipeline/";
/** CustomerID, PC1 … PC6 for 4,067 customers. */
export const REAL_PCS = fileURLToPath(new URL(`${seedDir}pca_output.csv`, import.meta.url));
/** CustomerID and the 15 features of 4,282 customers before outlier removal: the isolation forest's input. */
export const REAL_RAW_FEATURES = fileURLToPath(new URL(`${seedDir}customer_features_pre_outlier.csv`, import.meta.url));
/** CustomerID and the 15 features after outlier removal and scaling: the PCA's input. */
export const REAL_FEATURES = fileURLToPath(new URL(`${seedDir}scaled.csv`, import.meta.url));

/** A numeric CSV with a header and an ID first column, as a row-major matrix of the other columns. */
export function readIdCsv(file: string): Matrix {
  const lines = readFileSync(file, "utf8").trim().split(/\r?\n/).slice(1);
  const cols = lines[0]!.split(",").length - 1;
  const data = new Float64Array(lines.length * cols);
  lines.forEach((line, i) => {
    data.set(line.split(",").slice(1).map(Number), i * cols);
  });
  return { data, rows: lines.length, cols };
}
