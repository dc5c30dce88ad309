import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Table, tableFromArrays } from "apache-arrow";
import { Encoding, ParquetFile } from "parquet-wasm";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UserError } from "../../src/errors.js";
import { loadTransactions } from "../../src/io/load.js";
import { transactionsFromArrays } from "../../src/io/schema.js";
import { parquetToArrow } from "../../src/io/parquet.js";
import { mostlyDistinctColumns, tableToParquet, writeTable } from "../../src/io/write.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-write-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const sample = transactionsFromArrays({
  InvoiceNo: ["536365", "536365", "C536379", "536380"],
  StockCode: ["85123A", "POST", "D", "22139"],
  Description: ['HEART, "WHITE"', null, "multi\nline", "CAFÉ £5"],
  Quantity: [6, 1, -1, 3],
  InvoiceDate: [Date.UTC(2010, 11, 1, 8, 26), Date.UTC(2010, 11, 1, 8, 26), Date.UTC(2010, 11, 1, 9, 41, 7), Date.UTC(2011, 0, 2, 10, 5)],
  UnitPrice: [2.55, 18, 27.5, 0.1 + 0.2],
  CustomerID: [17850, 17850, null, 12583],
  Country: ["United Kingdom", "United Kingdom", "United Kingdom", "France"],
});

function sameTable(a: Table, b: Table) {
  assert.is(String(b.schema), String(a.schema));
  assert.equal(
    b.schema.fields.map((f) => f.nullable),
    a.schema.fields.map((f) => f.nullable),
  );
  assert.equal(
    b.toArray().map((r) => r.toJSON()),
    a.toArray().map((r) => r.toJSON()),
  );
}

for (const ext of ["arrow", "parquet", "csv"]) {
  test(`write → read round trip through .${ext} keeps every value`, async () => {
    const path = join(dir, `sample.${ext}`);
    await writeTable(path, sample);
    const back = await loadTransactions(path, { cacheDir: false });
    assert.is(back.table.batches.length, 1);
    sameTable(sample, back.table);
  });
}

test("CSV output quotes only where needed and writes wall-clock timestamps", async () => {
  const path = join(dir, "look.csv");
  await writeTable(path, sample);
  const lines = readFileSync(path, "utf8").split("\n");
  assert.is(lines[0], "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country");
  assert.is(lines[1], '536365,85123A,"HEART, ""WHITE""",6,2010-12-01 08:26:00,2.55,17850,United Kingdom');
  assert.is(lines[2], "536365,POST,,1,2010-12-01 08:26:00,18,17850,United Kingdom");
  assert.is(lines[3], 'C536379,D,"multi');
  assert.is(lines[4], 'line",-1,2010-12-01 09:41:07,27.5,,United Kingdom');
  assert.is(lines[5], "536380,22139,CAFÉ £5,3,2011-01-02 10:05:00,0.30000000000000004,12583,France");
});

test("any table can be written, not only transactions", async () => {
  const features = tableFromArrays({ CustomerID: Int32Array.from([1, 2]), Recency: Float64Array.from([3.5, 0]) });
  const path = join(dir, "features.csv");
  await writeTable(path, features);
  assert.is(readFileSync(path, "utf8"), "CustomerID,Recency\n1,3.5\n2,0\n");
  await writeTable(join(dir, "features.parquet"), features);
  await writeTable(join(dir, "features.arrow"), features);
  assert.ok(existsSync(join(dir, "features.parquet")) && existsSync(join(dir, "features.arrow")));
});

test("Parquet: dictionary pages for columns whose values repeat, plain values for mostly distinct ones; every value kept", async () => {
  const n = 20_000;
  const customers = tableFromArrays({
    CustomerID: Int32Array.from({ length: n }, (_, i) => 10_000 + i),
    Spend: Float64Array.from({ length: n }, (_, i) => Math.sqrt(i) * 3.7),
    Days: Int32Array.from({ length: n }, (_, i) => i % 300),
    Cluster: Int32Array.from({ length: n }, (_, i) => i % 3),
    Label: Array.from({ length: n }, (_, i) => `c${i}`),
  });
  assert.equal(mostlyDistinctColumns(customers), ["CustomerID", "Spend"]);
  const bytes = tableToParquet(customers);
  const meta = (await ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]))).metadata().rowGroup(0);
  const dictionaryPages = customers.schema.fields.map((f, i) => [f.name, meta.column(i).encodings().includes(Encoding.RLE_DICTIONARY)]);
  assert.equal(Object.fromEntries(dictionaryPages), { CustomerID: false, Spend: false, Days: true, Cluster: true, Label: true });
  const back = parquetToArrow(bytes, "customers.parquet");
  for (const { name } of customers.schema.fields) assert.equal([...back.getChild(name)!.toArray()], [...customers.getChild(name as never)!.toArray()], name);
});

test("mostly distinct: NaN counts once and -0 as 0, as a Set counts them; exactly half distinct is not more than half", () => {
  const n = 1000;
  const table = tableFromArrays({
    NaNs: Float64Array.from({ length: n }, (_, i) => (i < 600 ? Number.NaN : i)),
    Zeros: Float64Array.from({ length: n }, (_, i) => (i < 501 ? (i % 2 ? 0 : -0) : i)),
    Half: Int32Array.from({ length: n }, (_, i) => i % 500),
    Over: Float64Array.from({ length: n }, (_, i) => i % 501),
    Stamps: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 3) * 86_400_000n),
  });
  // NaNs: 400 numbers and NaN; Zeros: 0 and 499 numbers; Half: 500; Over: 501; Stamps: 3.
  assert.equal(mostlyDistinctColumns(table), ["Over"]);
});

test("an unknown extension is a UserError and leaves no file behind", async () => {
  const sub = mkdtempSync(join(dir, "unknown-"));
  try {
    await writeTable(join(sub, "out.xlsx"), sample);
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /out\.xlsx: cannot write a table to "\.xlsx"; use \.arrow, \.parquet, \.csv/);
  }
  assert.equal(readdirSync(sub), []);
});

test.run();
