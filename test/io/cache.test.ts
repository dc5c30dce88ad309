import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Table, Vector } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadTransactions } from "../../src/io/load.js";
import { sharedFile, skipped } from "../helpers/shared.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-cache-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const CSV =
  "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
  "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n" +
  "C536379,D,,-1,2010-12-01 09:41:00,27.5,,France\n";

/** Same schema (types, nullability, dictionaries) and the same buffers, column by column. */
function identical(a: Table, b: Table) {
  assert.is(String(b.schema), String(a.schema));
  assert.equal(
    b.schema.fields.map((f) => [f.name, f.nullable]),
    a.schema.fields.map((f) => [f.name, f.nullable]),
  );
  assert.is(b.batches.length, 1);
  for (const f of a.schema.fields) {
    const da = (a.getChild(f.name) as Vector).data[0];
    const db = (b.getChild(f.name) as Vector).data[0];
    assert.is(db.nullCount, da.nullCount, `${f.name} nulls`);
    assert.is(db.values.length, a.numRows, `${f.name} values length`);
    assert.equal(Array.from(db.values as ArrayLike<unknown>), Array.from(da.values as ArrayLike<unknown>), `${f.name} values`);
    if (da.dictionary) assert.equal(db.dictionary?.toArray(), da.dictionary.toArray(), `${f.name} dictionary`);
    for (let i = 0; i < da.length; i++) assert.is(db.getValid(i), da.getValid(i), `${f.name} validity row ${i}`);
  }
}

test("a parsed source is cached under <sha256>.arrow and reused on the next load", async () => {
  const src = join(dir, "small.csv");
  writeFileSync(src, CSV);
  const cacheDir = join(dir, "cache");
  const notes: string[] = [];
  const first = await loadTransactions(src, { cacheDir, log: (m) => notes.push(m) });
  assert.is(first.fromCache, false);
  assert.equal(readdirSync(cacheDir), [`${first.sha256}.arrow`]);

  const second = await loadTransactions(src, { cacheDir, log: (m) => notes.push(m) });
  assert.is(second.fromCache, true);
  assert.is(second.sha256, first.sha256);
  assert.is(notes.at(-1), `using cached Arrow table ${join(cacheDir, `${first.sha256}.arrow`)}`);
  identical(first.table, second.table);
});

test("read options that change the result get their own cache entry", async () => {
  const src = join(dir, "mapped.csv");
  writeFileSync(src, CSV.replace("InvoiceNo", "Bon"));
  const cacheDir = join(dir, "cache-map");
  const a = await loadTransactions(src, { cacheDir, map: { Bon: "InvoiceNo" } });
  const b = await loadTransactions(src, { cacheDir, map: { Bon: "InvoiceNo" }, encoding: "latin1" });
  assert.is(a.fromCache, false);
  assert.is(b.fromCache, false);
  assert.is(readdirSync(cacheDir).length, 2);
  assert.ok(readdirSync(cacheDir).every((f) => f.startsWith(`${a.sha256}-`)));
  assert.is((await loadTransactions(src, { cacheDir, map: { Bon: "InvoiceNo" } })).fromCache, true);
});

test("an unreadable cache entry is replaced; cacheDir false writes nothing", async () => {
  const src = join(dir, "again.csv");
  writeFileSync(src, CSV.replace("HEART", "HEARTS"));
  const cacheDir = join(dir, "cache-bad");
  const { sha256 } = await loadTransactions(src, { cacheDir: false });
  assert.not.ok(existsSync(cacheDir));
  const entry = join(cacheDir, `${sha256}.arrow`);
  await loadTransactions(src, { cacheDir });
  writeFileSync(entry, "garbage");
  const r = await loadTransactions(src, { cacheDir });
  assert.is(r.fromCache, false);
  assert.is(r.table.numRows, 2);
  assert.is((await loadTransactions(src, { cacheDir })).fromCache, true);
});

const parquet = sharedFile("data/online_retail.parquet", "cache round trip of the real data");

test("the real data comes back from the cache identical", async () => {
  if (!parquet) return skipped();
  const cacheDir = join(dir, "cache-real");
  const fresh = await loadTransactions(parquet, { cacheDir });
  const cached = await loadTransactions(parquet, { cacheDir });
  assert.is(cached.fromCache, true);
  identical(fresh.table, cached.table);
});

test.run();
