// Cleaning and feature benchmark on the real data, and on the data repeated 10× (CustomerIDs shifted
// per copy, so every copy is new customers) to show how the cost grows; then `custseg features`
// end to end on both sizes as a child process (Arrow input, so the parse is not what is timed).
// Usage: npm run build && node dist/bench/features.js [--quick]
// Needs ../shared/data/online_retail.parquet. Writes bench/results/features.json.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Table } from "apache-arrow";
import { loadTransactions } from "../src/io/load.js";
import { type DictColumnData, transactionsTable } from "../src/io/schema.js";
import { writeTable } from "../src/io/write.js";
import { cleanTransactions } from "../src/pipeline/steps/clean.js";
import { dictCodes, dictValues, float64Column, int32Column, timestampMs, validity } from "../src/pipeline/steps/columns.js";
import { customerFeatures } from "../src/pipeline/steps/features.js";
import { type BenchRow, formatTable, runCases, writeResults } from "./harness.js";
import { median } from "./cases/median.js";

const quick = process.argv.includes("--quick");
const shared = (rel: string) => fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));
const cli = fileURLToPath(new URL("../cli/custseg.js", import.meta.url));

/** The transactions `copies` times over; copy k has CustomerID + k * 100000. */
function repeated(table: Table, copies: number): Table {
  const n = table.numRows;
  const total = n * copies;
  const dict = (name: string, nullable: boolean): DictColumnData => {
    const codes = dictCodes(table, name);
    const valid = validity(table, name);
    const indices = new Int32Array(total);
    for (let i = 0; i < total; i++) indices[i] = nullable && !valid[i % n] ? -1 : codes[i % n];
    return { indices, dictionary: dictValues(table, name) };
  };
  const tile = <A extends Int32Array | Float64Array | Uint8Array>(src: A, make: new (n: number) => A): A => {
    const out = new make(total);
    for (let k = 0; k < copies; k++) out.set(src, k * n);
    return out;
  };
  const customer = tile(int32Column(table, "CustomerID"), Int32Array);
  for (let k = 1; k < copies; k++) for (let i = k * n; i < (k + 1) * n; i++) customer[i] += k * 100_000;
  return transactionsTable({
    length: total,
    InvoiceNo: dict("InvoiceNo", false),
    StockCode: dict("StockCode", false),
    Description: dict("Description", true),
    Country: dict("Country", false),
    Quantity: tile(int32Column(table, "Quantity"), Int32Array),
    InvoiceDate: tile(timestampMs(table, "InvoiceDate"), Float64Array),
    UnitPrice: tile(float64Column(table, "UnitPrice"), Float64Array),
    CustomerID: customer,
    CustomerIDValid: tile(validity(table, "CustomerID"), Uint8Array),
  });
}

const { table: real } = await loadTransactions(shared("data/online_retail.parquet"), { cacheDir: false });
const sizes = [
  { label: "1× (541,909 lines)", table: real },
  { label: "10× (5,419,090 lines)", table: repeated(real, 10) },
];

const cases = sizes.flatMap(({ label, table }) => {
  const cleaned = cleanTransactions(table).table;
  return [
    { kernel: "clean", size: label, impl: "ts", fn: () => cleanTransactions(table) },
    { kernel: "features --compat none", size: label, impl: "ts", fn: () => customerFeatures(cleaned) },
    { kernel: "features --compat seed", size: label, impl: "ts", fn: () => customerFeatures(cleaned, { compat: "seed" }) },
  ];
});
const rows: BenchRow[] = await runCases(cases, { timeMs: quick ? 200 : 2000, iterations: quick ? 3 : 10 });

// The CLI end to end: process start, Arrow read, clean, features (no --out).
const dir = mkdtempSync(join(tmpdir(), "custseg-bench-"));
try {
  for (const { label, table } of sizes) {
    const input = join(dir, `${label.split(" ")[0]}.arrow`);
    await writeTable(input, table);
    const wall: number[] = [];
    const inner: number[] = [];
    for (let run = 0; run < (quick ? 2 : 5); run++) {
      const t0 = performance.now();
      const res = spawnSync(process.execPath, [cli, "features", "--input", input, "--json"], { cwd: dir, encoding: "utf8" });
      wall.push(performance.now() - t0);
      if (res.status !== 0) throw new Error(`custseg features failed: ${res.stderr}`);
      const { timingsMs } = JSON.parse(res.stdout) as { timingsMs: Record<string, number> };
      inner.push(timingsMs.load + timingsMs.clean + timingsMs.features);
    }
    rows.push({ kernel: "custseg features (process)", size: label, impl: "ts", medianMs: median(wall), samples: wall.length });
    rows.push({ kernel: "custseg features (load+clean+features)", size: label, impl: "ts", medianMs: median(inner), samples: inner.length });
    process.stderr.write(`  custseg features ${label}: wall ${median(wall).toFixed(0)} ms, load+clean+features ${median(inner).toFixed(0)} ms\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(formatTable(rows, "ts"));
const out = fileURLToPath(new URL("../../bench/results/features.json", import.meta.url));
await writeResults(out, { suite: "features", cores: availableParallelism(), quick }, rows);
console.error(`wrote ${out}`);
