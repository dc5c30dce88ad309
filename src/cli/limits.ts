// The resource bounds a user can raise, as flags: one definition shared by every command that
// reads transactions, and the flag each LimitError is worded with.
import type { Argv } from "yargs";
import type { Limit } from "../errors.js";
import type { InputLimits } from "../io/load.js";
import { DEFAULT_MAX_INFLATED_BYTES, DEFAULT_MAX_MATRIX_COLUMNS, DEFAULT_MAX_ROWS, XLSX_DEFAULT_MEMORY_MB, XLSX_DEFAULT_TIMEOUT_MS } from "../io/limits.js";

const MB = 2 ** 20;

/** The flag that raises each limit (named in the one-line error). */
export const LIMIT_FLAGS: Record<Limit, string> = {
  inflatedSize: "--max-inflated-mb",
  xlsxMemory: "--xlsx-max-memory-mb",
  xlsxTime: "--xlsx-timeout-s",
  downloadSize: "--max-download-mb",
  downloadTime: "--deadline-s",
  matrixColumns: "--max-columns",
  rows: "--max-rows",
};

export interface InputLimitArgs {
  "max-inflated-mb": number;
  "xlsx-max-memory-mb": number;
  "xlsx-timeout-s": number;
  "max-rows": number;
}

export function inputLimitOptions<T>(y: Argv<T>): Argv<T & InputLimitArgs> {
  return y
    .option("max-inflated-mb", {
      type: "number",
      default: DEFAULT_MAX_INFLATED_BYTES / MB,
      describe: "Refuse a .zip source whose workbook inflates to more than this",
    })
    .option("xlsx-max-memory-mb", {
      type: "number",
      default: XLSX_DEFAULT_MEMORY_MB,
      describe: "Memory the workbook reader may use (heap and buffers)",
    })
    .option("xlsx-timeout-s", { type: "number", default: XLSX_DEFAULT_TIMEOUT_MS / 1000, describe: "Time the workbook reader may take" })
    .option("max-rows", {
      type: "number",
      default: DEFAULT_MAX_ROWS,
      describe: "Refuse a Parquet or Arrow source of more lines than this (read before any is decoded)",
    }) as Argv<
    T & InputLimitArgs
  >;
}

export function inputLimits(args: InputLimitArgs): InputLimits {
  return {
    maxInflatedBytes: Math.floor(args["max-inflated-mb"] * MB),
    xlsxMaxMemoryMb: args["xlsx-max-memory-mb"],
    xlsxTimeoutMs: args["xlsx-timeout-s"] * 1000,
    maxRows: args["max-rows"],
  };
}

export interface MatrixLimitArgs {
  "max-columns": number;
}

/** The bound of the commands that read a numeric matrix (pca, kmeans, evaluate). */
export function matrixLimitOptions<T>(y: Argv<T>): Argv<T & MatrixLimitArgs> {
  return y.option("max-columns", {
    type: "number",
    default: DEFAULT_MAX_MATRIX_COLUMNS,
    describe: "Refuse a matrix of more columns than this (PCA's cost grows with columns²)",
  }) as Argv<T & MatrixLimitArgs>;
}
