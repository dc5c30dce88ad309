import { readFileSync } from "node:fs";
import type { Table } from "apache-arrow";
import { readMatrix } from "../../src/io/matrix.js";
import { sharedFile } from "./shared.js";

/** The scikit-learn metrics fixture (1,200×6 with fixed labels, one singleton cluster), or undefined where ../shared is absent. */
export async function metricsFixture() {
  const csv = sharedFile("reference/kernels/metrics_1200x6.csv", "metrics fixture");
  const labels = sharedFile("reference/kernels/metrics_1200x6_labels.csv", "metrics fixture");
  const json = sharedFile("reference/kernels/metrics_1200x6_expected.json", "metrics fixture");
  if (!csv || !labels || !json) return undefined;
  return {
    x: (await readMatrix(csv)).matrix,
    labels: (await readMatrix(labels)).matrix.data,
    expected: JSON.parse(readFileSync(json, "utf8")),
  };
}

/** Relative error of a against the expected b. */
export const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** A loaded transactions table as plain rows. */
export const rowsOf = (t: Table) => t.toArray().map((r) => r.toJSON());

/** The UCI data's first line as every reader loads it, but for its Description (each fixture writes its own). */
export const FIRST_UCI_ROW = {
  InvoiceNo: "536365",
  StockCode: "85123A",
  Quantity: 6,
  InvoiceDate: Date.UTC(2010, 11, 1, 8, 26),
  UnitPrice: 2.55,
  CustomerID: 17850,
  Country: "United Kingdom",
};
