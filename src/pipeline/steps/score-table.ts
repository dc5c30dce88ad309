// Arrow in and out of the scoring step: named numeric columns → the row-major matrix the step
// takes, each customer's purchase history (for recommendations), and the predictions table.
import { Bool, DataType, Float64, Int32, makeVector, Table, Utf8, type Vector, vectorFromArray } from "apache-arrow";
import type { CustsegModel } from "../../model/index.js";
import { dictColumn, int32Column } from "./columns.js";
import { recommendFor, type Scored } from "./score.js";

/** A column the scoring step cannot read; `row` is 0-based where one row is at fault. */
export class ScoreTableError extends RangeError {
  override name = "ScoreTableError";
  constructor(
    message: string,
    readonly column: string,
    readonly row?: number,
  ) {
    super(message);
  }
}

/** Recommendations per customer in the predictions table. */
export const RECOMMENDATIONS = 3;

/** The column `name` of `table`, which must exist and be numeric. */
function numericColumn(table: Table, name: string): Vector {
  const column = table.getChild(name);
  if (!column) {
    const have = table.schema.fields.map((f) => f.name);
    throw new ScoreTableError(`no column "${name}" (the columns are ${have.join(", ")})`, name);
  }
  if (!DataType.isInt(column.type) && !DataType.isFloat(column.type)) {
    throw new ScoreTableError(`column "${name}" is ${column.type}, not numeric`, name);
  }
  return column;
}

/** The named numeric columns of `table` as a row-major matrix (nulls are an error naming the row). */
export function tableRows(table: Table, names: readonly string[]): Float64Array {
  const n = table.numRows;
  const d = names.length;
  const out = new Float64Array(n * d);
  names.forEach((name, j) => {
    const column = numericColumn(table, name);
    let row = 0;
    for (const data of column.data) {
      if (data.nullCount > 0) {
        for (let i = 0; i < data.length; i++) if (!data.getValid(i)) throw new ScoreTableError(`row ${row + i + 1}, column "${name}": missing value`, name, row + i);
      }
      const values = data.values as ArrayLike<number | bigint>;
      if (typeof values[0] === "bigint") {
        for (let i = 0; i < data.length; i++) out[(row + i) * d + j] = Number(values[i]);
      } else {
        const v = values as ArrayLike<number>;
        for (let i = 0; i < data.length; i++) out[(row + i) * d + j] = v[i]!;
      }
      row += data.length;
    }
  });
  return out;
}

/**
 * The named numeric columns of `table`, one array each, without copying a single-chunk Float64 or
 * Int32 column (nulls are an error naming the row).
 */
export function tableColumns(table: Table, names: readonly string[]): ArrayLike<number>[] {
  return names.map((name) => {
    const column = numericColumn(table, name);
    if (column.nullCount > 0) {
      for (let i = 0; i < column.length; i++) if (!column.isValid(i)) throw new ScoreTableError(`row ${i + 1}, column "${name}": missing value`, name, i);
    }
    const values = column.toArray() as ArrayLike<number | bigint>;
    if (values instanceof Float64Array || values instanceof Int32Array) return values;
    return Float64Array.from(values as ArrayLike<number>, Number);
  });
}

/** The CustomerID column as numbers (null entries as null), or undefined when there is none. */
export function customerIds(table: Table): (number | null)[] | Int32Array | undefined {
  const column = table.getChild("CustomerID");
  if (!column) return undefined;
  if (column.nullCount === 0 && column.type instanceof Int32) return column.toArray() as Int32Array;
  return Array.from({ length: table.numRows }, (_, i) => {
    const v = column.get(i);
    return v === null || v === undefined ? null : Number(v);
  });
}

/** The StockCodes each customer bought (any line, returns included), from cleaned transactions. */
export function purchaseHistory(transactions: Table): Map<number, Set<string>> {
  const stock = dictColumn(transactions, "StockCode");
  const customer = int32Column(transactions, "CustomerID");
  const bought = new Map<number, Set<string>>();
  for (let i = 0; i < transactions.numRows; i++) {
    let set = bought.get(customer[i]!);
    if (!set) {
      set = new Set();
      bought.set(customer[i]!, set);
    }
    set.add(stock.values[stock.codes[i]!]!);
  }
  return bought;
}

/**
 * The predictions table: CustomerID, Cluster, ClusterName, Distance, SecondDistance, OutlierScore
 * and Outlier (null where unavailable), PC1..PCp, then Rec1..Rec3 StockCode and Description (from
 * the customer's history when `history` has it, else the cluster's top products; null when fewer).
 */
export function predictionTable(
  model: CustsegModel,
  ids: ArrayLike<number | null> | undefined,
  scored: Scored,
  history?: ReadonlyMap<number, ReadonlySet<string>>,
): Table {
  const n = scored.rows;
  const p = scored.nComponents;
  const columns: Record<string, Vector> = {};
  columns.CustomerID = ids ? vectorFromArray(Array.from(ids), new Int32()) : vectorFromArray(new Array(n).fill(null), new Int32());
  columns.Cluster = makeVector(scored.cluster);
  const names = model.clusters.map((c) => c.name);
  columns.ClusterName = vectorFromArray(Array.from(scored.cluster, (c) => names[c] ?? null), new Utf8());
  columns.Distance = makeVector(scored.distance);
  columns.SecondDistance = makeVector(scored.secondDistance);
  columns.OutlierScore = vectorFromArray(Array.from(scored.outlierScore, (v) => (Number.isNaN(v) ? null : v)), new Float64());
  columns.Outlier = vectorFromArray(Array.from(scored.outlier, (f) => (f < 0 ? null : f === 1)), new Bool());
  for (let c = 0; c < p; c++) columns[`PC${c + 1}`] = makeVector(Float64Array.from({ length: n }, (_, i) => scored.components[i * p + c]!));
  const recs = Array.from({ length: n }, (_, i) => {
    const id = ids?.[i];
    return recommendFor(model, scored.cluster[i]!, id === null || id === undefined ? undefined : history?.get(id), RECOMMENDATIONS);
  });
  for (let r = 0; r < RECOMMENDATIONS; r++) {
    columns[`Rec${r + 1}_StockCode`] = vectorFromArray(recs.map((items) => items[r]?.stockCode ?? null), new Utf8());
    columns[`Rec${r + 1}_Description`] = vectorFromArray(recs.map((items) => items[r]?.description ?? null), new Utf8());
  }
  return new Table(columns);
}
