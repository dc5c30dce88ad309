// Parquet → transactions, via parquet-wasm (Parquet → Arrow IPC stream in WASM) and apache-arrow.
import { type Table, tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm";
import { UserError } from "../errors.js";
import type { ColumnMap } from "./columns.js";
import { normalizeTransactions } from "./normalize.js";
import type { TextFormat } from "./text-format.js";

/** A Parquet file's rows as an Arrow table, in one record batch. */
export function parquetToArrow(bytes: Uint8Array, file: string): Table {
  let ipc: Uint8Array;
  try {
    // One batch as large as the file: the reader then yields a single chunk per column.
    ipc = readParquet(bytes, { batchSize: 2 ** 31 - 1 }).intoIPCStream();
  } catch (err) {
    throw new UserError(`${file}: not a readable Parquet file (${errorText(err)})`);
  }
  return tableFromIPC(ipc);
}

export function readParquetTransactions(bytes: Uint8Array, file: string, map: ColumnMap = {}, format: TextFormat = {}): Table {
  return normalizeTransactions(parquetToArrow(bytes, file), map, file, format);
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
