// writeTable: an Arrow table → .arrow (IPC file), .parquet (zstd) or .csv, chosen by extension.
// Every write is atomic (temp sibling + rename), so a failure never leaves half a file.
import { createRequire } from "node:module";
import { extname } from "node:path";
import { type Data, type DataType, type Table, Type, tableToIPC, type Vector } from "apache-arrow";
import type * as ParquetWasm from "parquet-wasm";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "./atomic.js";
import { formatWallClock } from "./datetime.js";

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
  const { Compression, Table: WasmTable, WriterPropertiesBuilder, writeParquet } = parquet();
  const props = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build();
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), props);
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
