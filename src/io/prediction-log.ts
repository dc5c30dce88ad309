// The serving prediction log as a feature source: JSON lines, one scored customer per line, e.g.
//   {"customerId": 12347, "features": {"Days_Since_Last_Purchase": 2, "Total_Transactions": 7, ...}}
//   {"features": [2, 7, 2458, ...]}            (an array: the model's feature order)
// Other fields on a line are ignored; blank lines are skipped. A line that is not an object with
// every feature as a finite number is reported with its line number and field.
import type { Matrix } from "../engine/matrix.js";
import { UserError } from "../errors.js";
import { readInputFile } from "./files.js";

export async function readPredictionLog(path: string, features: readonly string[]): Promise<Matrix> {
  return parsePredictionLog(new TextDecoder().decode(await readInputFile(path)), path, features);
}

export function parsePredictionLog(text: string, file: string, features: readonly string[]): Matrix {
  const d = features.length;
  const rows: number[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    const at = `${file}: line ${index + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new UserError(`${at}: not a JSON object`);
    }
    const f = (record as { features?: unknown } | null)?.features;
    if (Array.isArray(f)) {
      if (f.length !== d) throw new UserError(`${at}: "features" has ${f.length} values, expected ${d}`);
      f.forEach((v, j) => {
        rows.push(finite(v, `${at}: features[${j}] (${features[j]})`));
      });
    } else if (f !== null && typeof f === "object") {
      for (const name of features) rows.push(finite((f as Record<string, unknown>)[name], `${at}: features.${name}`));
    } else {
      throw new UserError(`${at}: no "features" object or array`);
    }
  });
  const n = rows.length / d;
  if (n === 0) throw new UserError(`${file}: no predictions in the log`);
  return { data: Float64Array.from(rows), rows: n, cols: d };
}

function finite(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new UserError(`${where}: ${JSON.stringify(v) ?? "missing"} is not a finite number`);
  return v;
}
