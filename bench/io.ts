// Ingestion benchmark on the real data: Parquet, CSV, Arrow IPC (the cache format) and the UCI
// zip (xlsx in a worker) → transactions table. The CSV and Arrow inputs are written from the
// Parquet table to a temp directory first.
// Usage: node --import tsx bench/io.ts [--quick]   or   npm run build && node dist/bench/io.js
// Needs ../shared/data. Writes bench/results/io.json.
// With `--parquet F` (a large file, e.g. `custseg generate --rows 5000000 --customers 40000 --seed 7`):
// only F read as transactions, one decoding worker against one per core, interleaved, with the
// process CPU of each read beside its wall time (the machine is shared: compare the columns).
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
const large = process.argv.indexOf("--parquet");
if (large >= 0) {
  await readLargeParquet(process.argv[large + 1] ?? "", quick ? 1 : 3);
  process.exit(0);
}
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

/**
 * Reads of one large Parquet file, `rounds` per thread count, interleaved. Every read starts its
 * workers afresh, but parquet-wasm's compiled code stays in the process after the first read: only
 * the first is as cold as a CLI run's, so each read is printed as well as the medians.
 */
async function readLargeParquet(file: string, rounds: number): Promise<void> {
  if (!file) throw new Error("--parquet needs a file");
  const bytes = readFileSync(file);
  const counts = [...new Set([1, availableParallelism()])];
  const times = new Map<number, { wall: number; cpu: number }[]>(counts.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    for (const threads of counts) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const table = await readParquetTransactions(bytes, file, { threads });
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      times.get(threads)!.push({ wall, cpu: (cpu.user + cpu.system) / 1000 });
      console.log(`round ${round + 1}, ${threads} worker(s): ${table.numRows.toLocaleString("en-US")} lines, wall ${wall.toFixed(0)} ms, process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  for (const [threads, t] of times) {
    console.log(`${threads} worker(s), median of ${t.length}: wall ${median(t.map((x) => x.wall)).toFixed(0)} ms, process CPU ${median(t.map((x) => x.cpu)).toFixed(0)} ms`);
  }
}
