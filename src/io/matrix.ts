// A numeric matrix from a file, for the engine commands: CSV with a header row, Arrow IPC or
// Parquet, all columns or the ones named. Every cell must be a finite number; the first one that
// is not is reported with its file, line (or row) and column.
import { extname } from "node:path";
import { DataType, type Table } from "apache-arrow";
import type { Matrix } from "../engine/matrix.js";
import { UserError } from "../errors.js";
import { readInputFile } from "./files.js";
import { ipcToArrow } from "./arrow.js";
import { parseDecimal } from "./numbers.js";
import { parquetToArrow } from "./parquet.js";
import { excerpt, quote, quoteList } from "./excerpt.js";

export interface MatrixOptions {
  /** Columns to read, in this order; all columns when absent. */
  columns?: readonly string[];
}

export interface LoadedMatrix {
  matrix: Matrix;
  columnNames: string[];
}

export async function readMatrix(path: string, opts: MatrixOptions = {}): Promise<LoadedMatrix> {
  const ext = extname(path).toLowerCase();
  const bytes = await readInputFile(path);
  switch (ext) {
    case ".csv":
      return csvMatrix(new TextDecoder().decode(bytes), path, opts);
    case ".arrow":
    case ".feather":
    case ".ipc":
      return tableMatrix(ipcToArrow(bytes, path), path, opts);
    case ".parquet":
      return tableMatrix(parquetToArrow(bytes, path), path, opts);
    default:
      throw new UserError(`${path}: unsupported matrix file type "${ext || "(none)"}"; expected .csv, .arrow or .parquet`);
  }
}

/** Indices of the requested columns in `names`, or all of them. */
function selectColumns(names: readonly string[], wanted: readonly string[] | undefined, file: string): number[] {
  if (!wanted) return names.map((_, i) => i);
  if (wanted.length === 0) throw new UserError(`${file}: --columns names no column`);
  return wanted.map((w) => {
    const i = names.indexOf(w);
    if (i < 0) throw new UserError(`${file}: no column ${quote(w)}; the columns are ${quoteList(names)}`);
    return i;
  });
}

/** CSV with a header row; plain comma-separated numbers (quoted header names allowed). */
export function csvMatrix(text: string, file: string, opts: MatrixOptions = {}): LoadedMatrix {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  if (lines.length === 0) throw new UserError(`${file}: empty file, expected a header row`);
  const names = lines[0]!.split(",").map(unquote);
  const pick = selectColumns(names, opts.columns, file);
  const rows = lines.length - 1;
  const cols = pick.length;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const line = r + 2;
    const cells = lines[r + 1]!.split(",");
    if (cells.length !== names.length) {
      throw new UserError(`${file}: line ${line} has ${cells.length} fields, the header has ${names.length}`);
    }
    for (let c = 0; c < cols; c++) {
      const cell = cells[pick[c]!]!;
      const v = parseDecimal(cell);
      if (Number.isNaN(v)) {
        throw new UserError(
          `${file}: line ${line}, column ${pick[c]! + 1} (${excerpt(names[pick[c]!])}): ${quote(cell.trim())} is not a finite number`,
        );
      }
      data[r * cols + c] = v;
    }
  }
  return { matrix: { data, rows, cols }, columnNames: pick.map((i) => names[i]!) };
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replaceAll('""', '"') : t;
}

/** Numeric Arrow columns (integers or floats, no nulls) → row-major f64. */
export function tableMatrix(table: Table, file: string, opts: MatrixOptions = {}): LoadedMatrix {
  const names = table.schema.fields.map((f) => f.name);
  const pick = selectColumns(names, opts.columns, file);
  const rows = table.numRows;
  const cols = pick.length;
  const data = new Float64Array(rows * cols);
  pick.forEach((ci, c) => {
    const field = table.schema.fields[ci]!;
    if (!DataType.isInt(field.type) && !DataType.isFloat(field.type)) {
      throw new UserError(`${file}: column ${quote(field.name)} is ${field.type}, not numeric`);
    }
    const vector = table.getChildAt(ci)!;
    let r = 0;
    for (const v of vector) {
      if (v === null || v === undefined) throw new UserError(`${file}: row ${r + 1}, column ${quote(field.name)}: missing value`);
      const x = Number(v);
      if (!Number.isFinite(x)) throw new UserError(`${file}: row ${r + 1}, column ${quote(field.name)}: ${x} is not a finite number`);
      data[r * cols + c] = x;
      r++;
    }
  });
  return { matrix: { data, rows, cols }, columnNames: pick.map((i) => names[i]!) };
}
