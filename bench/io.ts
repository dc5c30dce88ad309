// Ingestion benchmark on the real data: Parquet, CSV, Arrow IPC (the cache format) and the UCI
// zip (xlsx in a worker) → transactions table. The CSV and Arrow inputs are written from the
// Parquet table to a temp directory first.
// Usage: node --import tsx bench/io.ts [--quick]   or   npm run build && node dist/bench/io.js
// Needs ../shared/data. Writes bench/results/io.json.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { readArrowTransactions } from "../src/io/arrow.js";
import { readCsvTransactions } from "../src/io/csv.js";
import { loadTransactions } from "../src/io/load.js";
import { readParquetTransactions } from "../src/io/parquet.js";
import { writeTable } from "../src/io/write.js";
import { repoRoot, sharedDir } from "../test/helpers/shared.js";
import { type BenchCase, formatTable, runCases, writeResults } from "./harness.js";

const quick = process.argv.includes("--quick");
const parquetPath = join(sharedDir, "data", "online_retail.parquet");
const zipPath = join(sharedDir, "data", "online_retail.zip");
const tmp = mkdtempSync(join(tmpdir(), "custseg-bench-io-"));

try {
  const parquetBytes = readFileSync(parquetPath);
  const table = await readParquetTransactions(parquetBytes, parquetPath);
  const size = `${table.numRows.toLocaleString("en-US")} rows`;
  const csvPath = join(tmp, "online_retail.csv");
  const arrowPath = join(tmp, "online_retail.arrow");
  await writeTable(csvPath, table);
  await writeTable(arrowPath, table);
  const csvBytes = readFileSync(csvPath);
  const arrowBytes = readFileSync(arrowPath);

  const cases: BenchCase[] = [
    { kernel: "read → table", size, impl: "parquet", fn: () => readParquetTransactions(parquetBytes, parquetPath) },
    { kernel: "read → table", size, impl: "csv", fn: () => readCsvTransactions(csvBytes, csvPath) },
    { kernel: "read → table", size, impl: "arrow", fn: () => readArrowTransactions(arrowBytes, arrowPath) },
    { kernel: "read → table", size, impl: "zip+xlsx", fn: () => loadTransactions(zipPath, { cacheDir: false }) },
    { kernel: "write table", size, impl: "csv", fn: () => writeTable(join(tmp, "out.csv"), table) },
    { kernel: "write table", size, impl: "parquet", fn: () => writeTable(join(tmp, "out.parquet"), table) },
    { kernel: "write table", size, impl: "arrow", fn: () => writeTable(join(tmp, "out.arrow"), table) },
  ];
  // The workbook takes seconds per read: its case gets the minimum number of samples.
  const slow = cases.filter((c) => c.impl === "zip+xlsx");
  const fast = cases.filter((c) => c.impl !== "zip+xlsx");
  const rows = [
    ...(await runCases(fast, { timeMs: quick ? 200 : 2000, iterations: quick ? 3 : 10 })),
    ...(await runCases(slow, { timeMs: 0, iterations: quick ? 1 : 3 })),
  ];
  console.log(formatTable(rows, "parquet"));
  const out = join(repoRoot, "bench", "results", "io.json");
  await writeResults(out, { suite: "io", cores: availableParallelism(), quick }, rows);
  console.error(`wrote ${out}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
