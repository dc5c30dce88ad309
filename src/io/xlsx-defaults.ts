// The workbook reader's default bounds, apart from the reader so that the CLI's flag definitions
// read them without loading Arrow at start-up.
export const XLSX_DEFAULT_TIMEOUT_MS = 180_000;
export const XLSX_DEFAULT_MEMORY_MB = 1500;
