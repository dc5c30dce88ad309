// The library's feature computation: transactions (an Arrow table) → one row of features per
// customer, cleaned exactly as `custseg run` cleans them.
import type { Table } from "apache-arrow";
import { normalizeTransactions } from "../io/normalize.js";
import { parseDay } from "../pipeline/as-of.js";
import { cleanTransactions } from "../pipeline/clean.js";
import { customerFeatures } from "../pipeline/features.js";

export interface ComputeFeaturesOptions {
  /** "default" (corrected semantics) or "seed" (the original pipeline's numbers); a model's `mode`. */
  mode?: "default" | "seed";
  /** The day recency counts from: "YYYY-MM-DD" or a Date (its UTC day); default the last purchase day. */
  asOf?: string | Date;
}

/**
 * Features of the customers in `transactions` (any Arrow table with the transactions columns under
 * a known name): CustomerID and the 15 features, one row per customer, by CustomerID.
 */
export function computeFeatures(transactions: Table, options: ComputeFeaturesOptions = {}): Table {
  const cleaned = cleanTransactions(normalizeTransactions(transactions, {}, "transactions")).table;
  let asOf: number | undefined;
  if (options.asOf instanceof Date) asOf = Math.floor(options.asOf.getTime() / 86_400_000);
  else if (options.asOf !== undefined) {
    asOf = parseDay(options.asOf);
    if (asOf === undefined) throw new RangeError(`asOf must be a date YYYY-MM-DD, got "${options.asOf}"`);
  }
  return customerFeatures(cleaned, { compat: options.mode === "seed" ? "seed" : "none", asOf });
}
