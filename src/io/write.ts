// writeTable: an Arrow table → .arrow (IPC file), .parquet (zstd; dictionary pages only for columns
// whose values repeat) or .csv, chosen by extension.
// Every write is atomic (temp sibling + rename), so a failure never leaves half a file.
import { createRequire } from "node:module";
import { extname } from "node:path";
import { Bool, type Data, type DataType, Float64, Int32, makeData, makeVector, Table, Type, tableToIPC, type Vector } from "apache-arrow";
import type * as ParquetWasm from "parquet-wasm";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "./atomic.js";
import { formatWallClock } from "./datetime.js";
import { parquetFromIPCStream } from "./parquet-encode.js";
import { parquetOffThread, warmParquetWriter } from "./parquet-writer.js";

const WRITERS: Record<string, (table: Table) => Uint8Array | string> = {
  ".arrow": (table) => tableToIPC(table, "file"),
  ".parquet": tableToParquet,
  ".csv": tableToCsv,
};

/** The writer for a path's extension; an unknown one is a UserError (checked before any work starts). */
export function tableWriter(path: string): (table: Table) => Uint8Array | string {
  const write = WRITERS[extname(path).toLowerCase()];
  if (!write) {
    throw new UserError(`${path}: cannot write a table to "${extname(path) || "(no extension)"}"; use ${Object.keys(WRITERS).join(", ")}`);
  }
  return write;
}

export async function writeTable(path: string, table: Table): Promise<void> {
  await writeFileAtomic(path, tableWriter(path)(table));
}

let parquetWasm: typeof ParquetWasm | undefined;

/** parquet-wasm, loaded (synchronously, its Node build is CommonJS) on the first Parquet write only. */
function parquet(): typeof ParquetWasm {
  parquetWasm ??= createRequire(import.meta.url)("parquet-wasm") as typeof ParquetWasm;
  return parquetWasm;
}

export function tableToParquet(table: Table): Uint8Array {
  return parquetFromIPCStream(parquet(), tableToIPC(table, "stream"), mostlyDistinctColumns(table));
}

/** The bytes tableToParquet gives, encoded on the Parquet writer thread (parquet-writer.ts). */
export function tableToParquetOffThread(table: Table): Promise<Uint8Array> {
  return parquetOffThread(tableToIPC(table, "stream"), mostlyDistinctColumns(table));
}

/** Rows of the table the Parquet writer thread is warmed up with. */
const WARM_UP_ROWS = 1024;

/**
 * Starts the Parquet writer thread and warms it up with a small table of the column types a run's
 * tables hold (whole numbers and floats, repeated and distinct, flags, nulls), so that the run's own
 * write, later, finds parquet-wasm compiled and its paths already run once. The table is built
 * straight into its buffers: Arrow's builders, cold, would cost this thread more than the write.
 */
export function prepareParquetWrites(): void {
  const n = WARM_UP_ROWS;
  const ids = new Int32Array(n);
  const counts = new Float64Array(n);
  const scores = new Float64Array(n);
  const flags = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    ids[i] = i;
    counts[i] = i % 17;
    scores[i] = Math.sin(i);
    if (i % 5 === 0) flags[i >> 3]! |= 1 << (i & 7);
  }
  // Every fifth row null where the flag is set, as the outliers are in a run's tables.
  const valid = flags.map((b) => ~b & 0xff);
  const nulls = Math.ceil(n / 5);
  const table = new Table({
    id: makeVector(ids),
    count: makeVector(counts),
    score: makeVector(scores),
    flag: makeVector(makeData({ type: new Bool(), length: n, nullCount: 0, data: flags })),
    group: makeVector(makeData({ type: new Int32(), length: n, nullCount: nulls, nullBitmap: valid, data: ids.map((i) => i % 3) })),
    value: makeVector(makeData({ type: new Float64(), length: n, nullCount: nulls, nullBitmap: valid, data: scores.map(Math.cos) })),
  });
  warmParquetWriter(tableToIPC(table, "stream"), mostlyDistinctColumns(table));
}

/** Values of a column looked at to judge whether they repeat. */
const DISTINCT_SAMPLE = 8192;

/**
 * Numeric columns whose values mostly differ (more distinct values than half of the first
 * DISTINCT_SAMPLE): IDs, amounts, scores. A dictionary page is worth it only for values that repeat
 * (counts, days, flags, clusters); for the others the writer builds a dictionary of every value, finds
 * it too large and writes the values plainly after all, which costs time and bytes. Text and
 * dictionary columns keep dictionary pages.
 */
export function mostlyDistinctColumns(table: Table): string[] {
  const names: string[] = [];
  for (const field of table.schema.fields) {
    const typeId = (field.type as DataType).typeId;
    if (typeId !== Type.Int && typeId !== Type.Float && typeId !== Type.Timestamp && typeId !== Type.Date) continue;
    const first = table.getChild(field.name)?.data[0] as Data | undefined;
    if (!first?.values) continue;
    const n = Math.min(first.length, DISTINCT_SAMPLE);
    const sample = (first.values as Int32Array | Float64Array | BigInt64Array).subarray(first.offset, first.offset + n);
    if (moreDistinctThan(sample, n / 2)) names.push(field.name);
  }
  return names;
}

/**
 * Whether `values` holds more than `limit` distinct values, as a Set counts them (NaN is one value,
 * 0 and −0 are one): their bit patterns in an open-addressing table of words, which stops as soon as
 * the count passes the limit. A Set, or a sorted copy, costs several times more per value.
 */
function moreDistinctThan(values: Int32Array | Float64Array | BigInt64Array, limit: number): boolean {
  const n = values.length;
  const wide = values.BYTES_PER_ELEMENT === 8;
  const words = new Uint32Array(values.buffer, values.byteOffset, wide ? 2 * n : n);
  const floats = values instanceof Float64Array ? values : undefined;
  // At most half full, so probe runs stay short; slot s holds a value's words at 2s, 2s + 1.
  const bits = Math.ceil(Math.log2(2 * n + 2));
  const mask = 2 ** bits - 1;
  const table = new Uint32Array(2 * (mask + 1));
  const used = new Uint8Array(mask + 1);
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    let lo = wide ? words[2 * i]! : words[i]!;
    let hi = wide ? words[2 * i + 1]! : 0;
    if (floats) {
      const v = floats[i]!;
      if (v === 0) lo = hi = 0;
      else if (Number.isNaN(v)) {
        lo = 0;
        hi = 0x7ff80000;
      }
    }
    // The product's top bits: whole numbers as floats have all-zero low words and low bits.
    let s = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> (32 - bits);
    while (used[s] && (table[2 * s] !== lo || table[2 * s + 1] !== hi)) s = (s + 1) & mask;
    if (used[s]) continue;
    used[s] = 1;
    table[2 * s] = lo;
    table[2 * s + 1] = hi;
    if (++distinct > limit) return true;
  }
  return false;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 quoting: only fields holding a comma, quote or line break are quoted. */
export const csvField = (s: string) => (NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** One column's cells as CSV text; nulls become empty fields, timestamps "YYYY-MM-DD HH:MM:SS". */
function columnCells(vector: Vector): string[] {
  const out: string[] = new Array(vector.length);
  let row = 0;
  for (const d of vector.data as Data[]) {
    const typeId = (d.type as DataType).typeId;
    let cell: (i: number) => string;
    if (typeId === Type.Dictionary && d.dictionary) {
      const words = (d.dictionary.toArray() as (string | null)[]).map((w) => (w == null ? "" : csvField(String(w))));
      const keys = d.values as ArrayLike<number>;
      cell = (i) => words[Number(keys[i])];
    } else if (typeId === Type.Timestamp || typeId === Type.Date) {
      let lastMs = Number.NaN;
      let lastText = "";
      cell = (i) => {
        const ms = Number(vector.get(row + i));
        if (ms !== lastMs) [lastMs, lastText] = [ms, formatWallClock(ms)];
        return lastText;
      };
    } else {
      cell = (i) => {
        const v = vector.get(row + i);
        return typeof v === "string" ? csvField(v) : csvField(String(v));
      };
    }
    for (let i = 0; i < d.length; i++) out[row + i] = d.getValid(i) ? cell(i) : "";
    row += d.length;
  }
  return out;
}

export function tableToCsv(table: Table): string {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((_, c) => columnCells(table.getChildAt(c) as Vector));
  const lines: string[] = [names.map(csvField).join(",")];
  const fields: string[] = new Array(names.length);
  for (let r = 0; r < table.numRows; r++) {
    for (let c = 0; c < columns.length; c++) fields[c] = columns[c][r];
    lines.push(fields.join(","));
  }
  return `${lines.join("\n")}\n`;
}
