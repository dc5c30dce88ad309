// Default bounds on what an input can make large, in a module of constants only: the CLI shows
// them in --help without loading the readers (and their Arrow and WASM dependencies).

/** Default bound on the inflated workbook: ten times the UCI workbook (23 MB), far below memory. */
export const DEFAULT_MAX_INFLATED_BYTES = 512 * 1024 * 1024;

/** The workbook reader's time bound: the real workbook takes about 15 s of CPU, and a busy machine stretches it. */
export const XLSX_DEFAULT_TIMEOUT_MS = 180_000;

/** Memory the workbook-parsing worker may add to the process, heap and buffers, in MB. */
export const XLSX_DEFAULT_MEMORY_MB = 1500;
