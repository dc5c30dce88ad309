// A numeric matrix from a file, for the engine commands: CSV with a header row, Arrow IPC or
// Parquet, all columns or the ones named. Every cell must be a finite number; the first one that
// is not is reported with its file, line (or row) and column.
import { extname } from "node:path";
import { DataType, type Table } from "apache-arrow";
import type { Matrix } from "../engine/matrix.js";
import { drainInterruptible, type Steps } from "../engine/steps.js";
import { LimitError, UserError } from "../errors.js";
import { readInputFile } from "./files.js";
import { ipcToArrow } from "./arrow.js";
import { CsvRecords } from "./csv.js";
import { parseDecimal } from "./numbers.js";
import { parquetToArrow } from "./parquet.js";
import { excerpt, quote, quoteList } from "./excerpt.js";
import { DEFAULT_MAX_MATRIX_COLUMNS } from "./limits.js";
import { groupDigits } from "../digits.js";

export interface MatrixOptions {
  /** Columns to read, in this order; all columns when absent. */
  columns?: readonly string[];
  /** Stops the parse (it yields to the event loop every CELLS_PER_STEP cells) once aborted. */
  signal?: AbortSignal;
  /** Refuse a matrix of more columns than this (after the selection); DEFAULT_MAX_MATRIX_COLUMNS when absent. */
  maxColumns?: number;
}

/** Cells parsed between yields: a few milliseconds of work. */
const CELLS_PER_STEP = 1 << 16;

export interface LoadedMatrix {
  matrix: Matrix;
  columnNames: string[];
}

export async function readMatrix(path: string, opts: MatrixOptions = {}): Promise<LoadedMatrix> {
  const ext = extname(path).toLowerCase();
  const bytes = await readInputFile(path);
  switch (ext) {
    case ".csv":
      return drainInterruptible(csvMatrixSteps(new TextDecoder().decode(bytes), path, opts), opts.signal);
    case ".arrow":
    case ".feather":
    case ".ipc":
      return drainInterruptible(tableMatrixSteps(ipcToArrow(bytes, path), path, opts), opts.signal);
    case ".parquet":
      return drainInterruptible(tableMatrixSteps(parquetToArrow(bytes, path), path, opts), opts.signal);
    default:
      throw new UserError(`${path}: unsupported matrix file type "${ext || "(none)"}"; expected .csv, .arrow or .parquet`);
  }
}

/** Indices of the requested columns in `names`, or all of them, at most `maxColumns`. */
function selectColumns(names: readonly string[], wanted: readonly string[] | undefined, file: string, maxColumns = DEFAULT_MAX_MATRIX_COLUMNS): number[] {
  const count = wanted ? wanted.length : names.length;
  if (count > maxColumns) {
    throw new LimitError(`${file}: ${groupDigits(count)} columns, more than the limit of ${groupDigits(maxColumns)}`, "matrixColumns");
  }
  if (!wanted) return names.map((_, i) => i);
  if (wanted.length === 0) throw new UserError(`${file}: the column selection names no column`, 1, { input: file, option: "columns" });
  return wanted.map((w) => {
    const i = names.indexOf(w);
    if (i < 0) throw new UserError(`${file}: no column ${quote(w)}; the columns are ${quoteList(names)}`);
    return i;
  });
}

/** CSV with a header row and numbers below it, read with the CSV tokenizer the transactions use; yields every CELLS_PER_STEP cells. */
export function* csvMatrixSteps(text: string, file: string, opts: MatrixOptions = {}): Steps<LoadedMatrix> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = new CsvRecords(text, ",", file);
  const cells: string[] = [];
  const width = records.next(cells);
  if (width < 0) throw new UserError(`${file}: empty file, expected a header row`, 1, { input: file });
  const names = cells.slice(0, width).map((name) => name.trim());
  const pick = selectColumns(names, opts.columns, file, opts.maxColumns);
  const cols = pick.length;
  // Grown by doubling: the row count is known only at the end.
  let data = new Float64Array(1024);
  let size = 0;
  for (let n = records.next(cells); n >= 0; n = records.next(cells)) {
    const line = records.recordLine;
    if (n !== width) {
      throw new UserError(`${file}: line ${line} has ${n} fields, the header has ${width}`, 1, { input: file, row: line });
    }
    for (let c = 0; c < cols; c++) {
      const cell = cells[pick[c]!]!;
      const v = parseDecimal(cell);
      if (Number.isNaN(v)) {
        throw new UserError(`${file}: line ${line}, column ${pick[c]! + 1} (${excerpt(names[pick[c]!])}): ${quote(cell.trim())} is not a finite number`, 1, {
          input: file,
          row: line,
          column: pick[c]! + 1,
        });
      }
      if (size === data.length) {
        const grown = new Float64Array(data.length * 2);
        grown.set(data);
        data = grown;
      }
      data[size++] = v;
    }
    if (size % CELLS_PER_STEP < cols) yield;
  }
  return { matrix: { data: data.slice(0, size), rows: size / cols, cols }, columnNames: pick.map((i) => names[i]!) };
}

/** Numeric Arrow columns (integers or floats, no nulls) → row-major f64, yielding every CELLS_PER_STEP cells. */
export function* tableMatrixSteps(table: Table, file: string, opts: MatrixOptions = {}): Steps<LoadedMatrix> {
  const names = table.schema.fields.map((f) => f.name);
  const pick = selectColumns(names, opts.columns, file, opts.maxColumns);
  const rows = table.numRows;
  const cols = pick.length;
  const data = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    const ci = pick[c]!;
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
      if (r % CELLS_PER_STEP === 0) yield;
    }
  }
  return { matrix: { data, rows, cols }, columnNames: pick.map((i) => names[i]!) };
}
