// custseg export: a run directory → one file a CRM or e-mail tool imports as is. Reads
// customers.parquet (every customer, outliers flagged), model.json (segment names, best sellers,
// the model to place outliers) and recommendations.csv (the clustered customers' three items).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../../engine/engine.js";
import { OptionError, OutputError, UserError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { CsvRecords } from "../../io/csv.js";
import { readInputFile } from "../../io/files.js";
import { parquetToArrow } from "../../io/parquet.js";
import { tableToParquet } from "../../io/write.js";
import { readModel } from "../../model/index.js";
import { delimitedText, type ExportRow, exportTable, RECOMMENDATIONS } from "../steps/export-table.js";
import { recommendFor, scoreFeatures } from "../steps/score.js";

export type ExportFormat = "csv" | "parquet";

export interface ExportOptions {
  run: string;
  format: ExportFormat;
  /** default <run>/export.<format>; never the run's own files */
  out?: string;
  delimiter?: string;
  decimal?: string;
  bom?: boolean;
  force?: boolean;
}

export interface ExportResult {
  out: string;
  customers: number;
  outliers: number;
}

export async function runExportJob(engine: Engine, opts: ExportOptions): Promise<ExportResult> {
  const out = opts.out ?? join(opts.run, `export.${opts.format}`);
  if (!opts.force && existsSync(out)) throw new OutputError("out", out, { kind: "exists" });
  if (opts.format === "parquet" && (opts.delimiter || opts.decimal || opts.bom)) {
    throw new OptionError("format", (n) => `parquet takes no ${n("delimiter")}, ${n("decimal")} or ${n("bom")} (they shape CSV text)`);
  }
  if (opts.delimiter !== undefined && opts.delimiter.length !== 1) throw new OptionError("delimiter", `must be one character, got ${JSON.stringify(opts.delimiter)}`);
  if (opts.decimal !== undefined && opts.decimal !== "." && opts.decimal !== ",") throw new OptionError("decimal", `must be "." or ",", got ${JSON.stringify(opts.decimal)}`);
  // A decimal comma takes the semicolon as separator unless told otherwise, as spreadsheets do.
  const delimiter = opts.delimiter ?? (opts.decimal === "," ? ";" : ",");
  if (delimiter === opts.decimal) throw new OptionError("delimiter", `and the decimal mark are both "${delimiter}"; use ";" with a decimal comma`);

  const customersPath = join(opts.run, "customers.parquet");
  const model = await readModel(join(opts.run, "model.json"));
  const customers = parquetToArrow(await readInputFile(customersPath), customersPath);
  const recs = recommendationsByCustomer(new TextDecoder().decode(await readInputFile(join(opts.run, "recommendations.csv"))), join(opts.run, "recommendations.csv"));

  const column = (name: string) => {
    const c = customers.getChild(name);
    if (!c) throw new UserError(`${customersPath}: no column ${name}; is ${opts.run} a custseg run directory?`);
    return c;
  };
  const n = customers.numRows;
  const ids = column("CustomerID").toArray() as Int32Array;
  const outlier = column("Outlier");
  const cluster = column("Cluster");
  const recency = column("Days_Since_Last_Purchase");
  const frequency = column("Total_Transactions");
  const monetary = column("Total_Spend");

  // Outliers have no cluster in the run; the model places them at their nearest centroid, with the
  // same scaling and projection as the clustered customers.
  const outlierRows: number[] = [];
  for (let i = 0; i < n; i++) if (outlier.get(i)) outlierRows.push(i);
  const d = model.features.length;
  const featureCols = model.features.map((f) => column(f));
  const x = new Float64Array(outlierRows.length * d);
  outlierRows.forEach((i, r) => {
    for (let j = 0; j < d; j++) x[r * d + j] = Number(featureCols[j]!.get(i));
  });
  const nearest = outlierRows.length > 0 ? scoreFeatures(engine, model, x, outlierRows.length, { outliers: false }).cluster : new Int32Array(0);
  const nearestOf = new Map(outlierRows.map((i, r) => [i, nearest[r]!]));

  const rows: ExportRow[] = [];
  for (let i = 0; i < n; i++) {
    const isOutlier = Boolean(outlier.get(i));
    const segment = isOutlier ? nearestOf.get(i)! : (cluster.get(i) as number);
    // Outliers' purchase histories are not in the run directory: they get their segment's first
    // best sellers, where clustered customers get the ones they have not bought yet.
    const items = isOutlier ? recommendFor(model, segment, undefined, RECOMMENDATIONS) : (recs.get(ids[i]!) ?? []);
    rows.push({
      customerId: ids[i]!,
      segment,
      outlier: isOutlier,
      recency: Number(recency.get(i)),
      frequency: Number(frequency.get(i)),
      monetary: Number(monetary.get(i)),
      recommendations: items,
    });
  }
  const table = exportTable(rows, model.clusters.map((c) => c.name));
  const bytes = opts.format === "parquet" ? tableToParquet(table) : delimitedText(table, { delimiter, decimal: opts.decimal, bom: opts.bom });
  await writeFileAtomic(out, bytes);
  return { out, customers: n, outliers: outlierRows.length };
}

/** recommendations.csv (CustomerID, cluster, RecN_StockCode, RecN_Description …) by CustomerID. */
function recommendationsByCustomer(text: string, file: string): Map<number, { stockCode: string; description: string }[]> {
  const records = new CsvRecords(text, ",", file);
  const fields: string[] = [];
  const byId = new Map<number, { stockCode: string; description: string }[]>();
  if (records.next(fields) < 2 || fields[0] !== "CustomerID") throw new UserError(`${file}: line 1: expected a CustomerID,cluster,… header`);
  for (let count = records.next(fields); count >= 0; count = records.next(fields)) {
    const id = Number(fields[0]);
    if (!Number.isInteger(id)) throw new UserError(`${file}: line ${records.recordLine}: CustomerID ${JSON.stringify(fields[0])} is not a whole number`);
    const items: { stockCode: string; description: string }[] = [];
    for (let k = 2; k + 1 < count; k += 2) if (fields[k]) items.push({ stockCode: fields[k]!, description: fields[k + 1] ?? "" });
    byId.set(id, items);
  }
  return byId;
}
