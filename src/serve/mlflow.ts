// MLflow's scoring protocol (POST /invocations, MLflow 2.x): a JSON object with exactly one of
// dataframe_split, dataframe_records, instances or inputs (plus optional params), or a CSV table
// with a header row (pandas' to_csv). Each becomes a Batch through the same instance readers.
import { type InputSchema, InputError, batchFromColumnar, batchFromInstances, batchFromSplit } from "./instances.js";
import type { Batch } from "./served-model.js";

const FORMATS = ["dataframe_split", "dataframe_records", "instances", "inputs"] as const;

export function batchFromMlflowJson(body: Record<string, unknown>, schema: InputSchema, maxInstances: number): Batch {
  const present = FORMATS.filter((f) => f in body);
  if (present.length !== 1) {
    throw new InputError(null, null, `must hold exactly one of ${FORMATS.join(", ")}; got ${present.length === 0 ? "none" : present.join(", ")}`, "body");
  }
  const format = present[0]!;
  const value = body[format];
  const batch = parse(format, value, schema);
  if (batch.rows > maxInstances) throw new InputError(null, null, `holds ${batch.rows} rows; at most ${maxInstances} are accepted per request`, format);
  return batch;
}

function parse(format: (typeof FORMATS)[number], value: unknown, schema: InputSchema): Batch {
  switch (format) {
    case "dataframe_split": {
      const split = value as { columns?: unknown; data?: unknown };
      if (!Array.isArray(split.columns)) throw new InputError(null, "columns", "must be an array of column names", format);
      if (!Array.isArray(split.data)) throw new InputError(null, "data", "must be an array of rows", format);
      return batchFromSplit(split.columns, split.data, schema, `${format}.data`);
    }
    case "dataframe_records":
      return batchFromInstances(value as unknown[], schema, format);
    default:
      // TF-serving style: a list of rows, or a dictionary of columns.
      if (Array.isArray(value)) return batchFromInstances(value, schema, format);
      return batchFromColumnar(value as Record<string, unknown>, schema, format);
  }
}

/** A CSV table with a header row; a leading unnamed column (pandas' index) is ignored. */
export function batchFromCsv(text: string, schema: InputSchema, maxInstances: number): Batch {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length < 2) throw new InputError(null, null, "needs a header row and at least one data row", "csv");
  if (lines.length - 1 > maxInstances) throw new InputError(null, null, `holds ${lines.length - 1} rows; at most ${maxInstances} are accepted per request`, "csv");
  const unquote = (s: string) => s.trim().replace(/^"(.*)"$/, "$1");
  let header = lines[0]!.split(",").map(unquote);
  const skip = header[0] === "" ? 1 : 0;
  header = header.slice(skip);
  const rows: number[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(",").slice(skip);
    rows.push(
      cells.map((cell, j) => {
        const t = unquote(cell);
        const v = t === "" ? Number.NaN : Number(t);
        if (!Number.isFinite(v)) throw new InputError(i - 1, header[j] ?? `column ${j + 1}`, `must be a finite number, got ${JSON.stringify(t.slice(0, 20))}`, "csv");
        return v;
      }),
    );
  }
  return batchFromSplit(header, rows, schema, "csv");
}
