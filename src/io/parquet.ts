// Parquet → transactions, via parquet-wasm (Parquet → Arrow IPC stream in WASM) and apache-arrow.
import { createRequire } from "node:module";
import { type Table, tableFromIPC } from "apache-arrow";
import type * as ParquetWasm from "parquet-wasm";
import { UserError } from "../errors.js";
import type { ColumnMap } from "./columns.js";
import { normalizeTransactions } from "./normalize.js";
import type { TextFormat } from "./text-format.js";

let parquetWasm: typeof ParquetWasm | undefined;

/**
 * parquet-wasm, loaded (synchronously, its Node build is CommonJS) on the first Parquet read: it
 * compiles a large WASM module, which a command whose input comes from the cache never needs.
 */
function parquet(): typeof ParquetWasm {
  parquetWasm ??= createRequire(import.meta.url)("parquet-wasm") as typeof ParquetWasm;
  return parquetWasm;
}

/** A Parquet file's rows as an Arrow table, in one record batch. */
export function parquetToArrow(bytes: Uint8Array, file: string): Table {
  let ipc: Uint8Array;
  try {
    // One batch as large as the file: the reader then yields a single chunk per column.
    ipc = parquet().readParquet(bytes, { batchSize: 2 ** 31 - 1 }).intoIPCStream();
  } catch (err) {
    throw new UserError(`${file}: not a readable Parquet file (${errorText(err)})`);
  }
  return tableFromIPC(ipc);
}

export function readParquetTransactions(bytes: Uint8Array, file: string, map: ColumnMap = {}, format: TextFormat = {}): Table {
  return normalizeTransactions(parquetToArrow(bytes, file), map, file, format);
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
