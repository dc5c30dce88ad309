// Arrow IPC (file or stream format; .arrow, .feather v2, .ipc) → transactions.
import { type Table, tableFromIPC } from "apache-arrow";
import { UserError } from "../errors.js";
import type { ColumnMap } from "./columns.js";
import { checkLineCount, normalizeTransactions } from "./normalize.js";
import type { TextFormat } from "./text-format.js";

/** An Arrow IPC file or stream as a Table (tableFromIPC recognises both formats). */
export function ipcToArrow(bytes: Uint8Array, file: string): Table {
  try {
    return tableFromIPC(bytes);
  } catch (err) {
    throw new UserError(`${file}: not a readable Arrow IPC file (${err instanceof Error ? err.message : String(err)})`);
  }
}

export function readArrowTransactions(bytes: Uint8Array, file: string, map: ColumnMap = {}, format: TextFormat = {}, maxRows?: number): Table {
  const table = ipcToArrow(bytes, file);
  checkLineCount(table.numRows, file, maxRows);
  return normalizeTransactions(table, map, file, format);
}
