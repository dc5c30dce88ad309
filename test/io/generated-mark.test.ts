// The mark `custseg generate` leaves in its outputs, and the loader finding it: Parquet footer and
// Arrow schema metadata, CSV's leading comment line; a file without it (the real data) is not generated.
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { ParquetFile, readParquet } from "parquet-wasm";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateFile } from "../../src/io/generate/generate.js";
import { csvMark, describeMark, markFromMetadata, SYNTHETIC_KEY } from "../../src/io/generated-mark.js";
import { loadTransactions } from "../../src/io/load.js";
import { VERSION } from "../../src/version.js";
import { sharedFile, skipped } from "../helpers/shared.js";

const OPTIONS = { rows: 2_000, customers: 40, seed: 9 };
const MARK = { ...OPTIONS, version: VERSION };
const EXPECTED = new Map([[SYNTHETIC_KEY, JSON.stringify({ generator: "custseg generate", rows: 2000, customers: 40, seed: 9, version: VERSION })]]);

let dir = "";
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), "custseg-mark-"));
  for (const ext of ["parquet", "arrow", "csv"]) await generateFile(join(dir, `g.${ext}`), OPTIONS);
});
test.after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sorted = (m: Map<string, string>) => [...m].filter(([k]) => k.startsWith("custseg.")).sort();

test("metadata that does not parse still marks the data as generated", () => {
  assert.equal(markFromMetadata(new Map([[SYNTHETIC_KEY, "yes"]])), { rows: -1, customers: -1, seed: -1, version: "unknown" });
  assert.is(markFromMetadata(new Map([["pandas", "{}"]])), undefined);
});

test("Parquet: the mark is in the footer's key-value metadata, and in the Arrow schema read from it", async () => {
  const bytes = readFileSync(join(dir, "g.parquet"));
  const footer = (await ParquetFile.fromFile(new Blob([bytes]))).metadata().fileMetadata().keyValueMetadata() as Map<string, string>;
  assert.equal(sorted(footer), sorted(EXPECTED));
  assert.equal(sorted(tableFromIPC(readParquet(bytes).intoIPCStream()).schema.metadata), sorted(EXPECTED));
});

test("Arrow IPC: the mark is in the schema metadata", () => {
  assert.equal(sorted(tableFromIPC(readFileSync(join(dir, "g.arrow"))).schema.metadata), sorted(EXPECTED));
});

test("CSV: one leading comment line names the generator; the header follows", () => {
  const text = readFileSync(join(dir, "g.csv"), "utf8");
  const [comment, header] = text.split("\n", 2);
  assert.is(comment, `# custseg generate --rows 2000 --customers 40 --seed 9 (synthetic data, custseg ${VERSION})`);
  assert.is(header, "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country");
  assert.equal(csvMark(text)?.mark, MARK);
  assert.is(csvMark(`# a comment of someone else\n${header}\n`), undefined);
});

test("the loader finds the mark in every format, through the source cache too, and skips CSV's comment", async () => {
  for (const ext of ["parquet", "arrow", "csv"]) {
    const loaded = await loadTransactions(join(dir, `g.${ext}`), { cacheDir: false });
    assert.equal(loaded.generated, MARK, ext);
    assert.is(loaded.table.numRows, OPTIONS.rows, ext);
  }
  const cacheDir = join(dir, "cache");
  const first = await loadTransactions(join(dir, "g.csv"), { cacheDir, cacheMinBytes: 0 });
  const again = await loadTransactions(join(dir, "g.csv"), { cacheDir, cacheMinBytes: 0 });
  assert.equal([first.fromCache, again.fromCache], [false, true]);
  assert.equal(again.generated, MARK);
  assert.is(describeMark(MARK), `custseg generate: seed 9, 2,000 lines, 40 customers, custseg ${VERSION}`);
});

test("a CSV comment error keeps line numbers as the file shows them", async () => {
  const text = readFileSync(join(dir, "g.csv"), "utf8").split("\n");
  text[3] = text[3]!.replace(/,[^,]*,[^,]*,[^,]*$/, ",two,17850,United Kingdom");
  const bad = join(dir, "bad.csv");
  await writeFile(bad, text.join("\n"));
  const err = await loadTransactions(bad, { cacheDir: false }).catch((e: Error) => e);
  assert.match(String(err), /bad\.csv: line 4, column 6 \(UnitPrice\): cannot read "two" as a number/);
});

test("the real data carries no mark", async () => {
  const parquet = sharedFile("data/online_retail.parquet", "the real data is not marked as generated");
  if (!parquet) return skipped();
  assert.is((await loadTransactions(parquet, { cacheDir: false })).generated, undefined);
});

test.run();
