import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Data, Table, Vector } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CACHE_MIN_SOURCE_BYTES, clearCache, listCache, readCached, writeCached } from "../../src/io/cache.js";
import { type LoadOptions, loadTransactions } from "../../src/io/load.js";
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

// The sources here are tiny; the size floor is lifted so they are cached.
const load = (path: string, opts: LoadOptions) => loadTransactions(path, { cacheMinBytes: 0, ...opts });

test("a parsed source is cached under <sha256>.arrow and reused on the next load", async () => {
  const src = join(dir, "small.csv");
  writeFileSync(src, CSV);
  const cacheDir = join(dir, "cache");
  const notes: string[] = [];
  const first = await load(src, { cacheDir, log: (m) => notes.push(m) });
  assert.is(first.fromCache, false);
  assert.equal(readdirSync(cacheDir).sort(), [`${first.sha256}.arrow`, `${first.sha256}.arrow.sha256`]);

  const second = await load(src, { cacheDir, log: (m) => notes.push(m) });
  assert.is(second.fromCache, true);
  assert.is(second.sha256, first.sha256);
  assert.is(notes.at(-1), `using cached Arrow table ${join(cacheDir, `${first.sha256}.arrow`)}`);
  identical(first.table, second.table);
});

test("a known sha256 (the run's keys) finds its entry without reading the source; a source read all the same must still match it", async () => {
  const src = join(dir, "known.csv");
  writeFileSync(src, CSV);
  const cacheDir = join(dir, "cache-known");
  const first = await load(src, { cacheDir });
  // The source changes after the caller hashed it: the entry of the hash it was given serves the
  // table, so the source was not read (its bytes would not match).
  writeFileSync(src, CSV.replace("HEART", "STAR"));
  const hit = await load(src, { cacheDir, sha256: first.sha256 });
  assert.is(hit.fromCache, true);
  assert.is(hit.sha256, first.sha256);
  identical(first.table, hit.table);
  // No entry under the given hash: the source is read, and its bytes are not the ones hashed.
  rmSync(cacheDir, { recursive: true, force: true });
  try {
    await load(src, { cacheDir, sha256: first.sha256 });
    assert.unreachable("a source changed since it was hashed was loaded");
  } catch (err) {
    assert.match((err as Error).message, /known\.csv changed while the command was starting; run it again/);
  }
  assert.not.ok(existsSync(cacheDir) && readdirSync(cacheDir).length > 0, "nothing cached under either hash");
  // Not a sha256 (an unreadable marker, say): ignored, the source is read and hashed as usual.
  const plain = await load(src, { cacheDir, sha256: "unreadable" });
  assert.is(plain.fromCache, false);
  assert.is.not(plain.sha256, first.sha256);
});

test("bytes given with their sha256 (a run's keys read them) are parsed as they are: the file is not read again", async () => {
  const src = join(dir, "given.csv");
  writeFileSync(src, CSV);
  const cacheDir = join(dir, "cache-given");
  const bytes = new TextEncoder().encode(CSV);
  const sha256 = (await load(src, { cacheDir: false })).sha256;
  // The file changes after the caller read it: the table is the bytes the caller hashed.
  writeFileSync(src, CSV.replace("HEART", "STAR"));
  const loaded = await load(src, { cacheDir, sha256, bytes });
  assert.is(loaded.fromCache, false);
  assert.is(loaded.sha256, sha256);
  assert.equal(loaded.table.getChild("Description")?.toArray().slice(0, 1), ["HEART"]);
  // Cached under that hash, and served from there the next time, bytes or no bytes.
  assert.equal(readdirSync(cacheDir).sort(), [`${sha256}.arrow`, `${sha256}.arrow.sha256`]);
  const again = await load(src, { cacheDir, sha256, bytes });
  assert.is(again.fromCache, true);
  identical(loaded.table, again.table);
  // Bytes without a sha256 are not taken on trust: the file is read and hashed.
  const plain = await load(src, { cacheDir: false, bytes });
  assert.is.not(plain.sha256, sha256);
  assert.equal(plain.table.getChild("Description")?.toArray().slice(0, 1), ["STAR"]);
});

test("read options that change the result get their own cache entry", async () => {
  const src = join(dir, "mapped.csv");
  writeFileSync(src, CSV.replace("InvoiceNo", "Bon"));
  const cacheDir = join(dir, "cache-map");
  const a = await load(src, { cacheDir, map: { Bon: "InvoiceNo" } });
  const b = await load(src, { cacheDir, map: { Bon: "InvoiceNo" }, encoding: "latin1" });
  assert.is(a.fromCache, false);
  assert.is(b.fromCache, false);
  assert.is(readdirSync(cacheDir).filter((f) => f.endsWith(".arrow")).length, 2);
  assert.ok(readdirSync(cacheDir).every((f) => f.startsWith(`${a.sha256}-`)));
  assert.is((await load(src, { cacheDir, map: { Bon: "InvoiceNo" } })).fromCache, true);
});

test("an unreadable cache entry is replaced, with one note; cacheDir false writes nothing", async () => {
  const src = join(dir, "again.csv");
  writeFileSync(src, CSV.replace("HEART", "HEARTS"));
  const cacheDir = join(dir, "cache-bad");
  const { sha256 } = await load(src, { cacheDir: false });
  assert.not.ok(existsSync(cacheDir));
  const entry = join(cacheDir, `${sha256}.arrow`);
  await load(src, { cacheDir });
  writeFileSync(entry, "garbage");
  const notes: string[] = [];
  const r = await load(src, { cacheDir, log: (m) => notes.push(m) });
  assert.is(r.fromCache, false);
  assert.is(notes.length, 2);
  assert.match(notes[0]!, /does not match its checksum .*re-parsing/);
  assert.is(r.table.numRows, 2);
  assert.is((await load(src, { cacheDir })).fromCache, true);
});

const parquet = sharedFile("data/online_retail.parquet", "cache round trip of the real data");

test("the real data comes back from the cache identical", async () => {
  if (!parquet) return skipped();
  const cacheDir = join(dir, "cache-real");
  const fresh = await load(parquet, { cacheDir });
  const cached = await load(parquet, { cacheDir });
  assert.is(cached.fromCache, true);
  identical(fresh.table, cached.table);
});

test("sources under the size floor are not cached", async () => {
  const src = join(dir, "below.csv");
  writeFileSync(src, CSV);
  assert.ok(CACHE_MIN_SOURCE_BYTES >= 1024 * 1024);
  const cacheDir = join(dir, "cache-floor");
  const r = await loadTransactions(src, { cacheDir });
  assert.is(r.fromCache, false);
  assert.not.ok(existsSync(cacheDir));
});

/** The byte offset of `value` as a little-endian float64 in `bytes` (the only one). */
function float64At(bytes: Uint8Array, value: number): number {
  const needle = new Uint8Array(new Float64Array([value]).buffer);
  let found = -1;
  for (let i = 0; i + 8 <= bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) {
      assert.is(found, -1, `${value} occurs once`);
      found = i;
    }
  }
  assert.ok(found >= 0, `${value} occurs in the entry`);
  return found;
}

test("a value changed in place is detected: the entry is removed, the source re-parsed, the result equal to an uncached load", async () => {
  const src = join(dir, "poison.csv");
  writeFileSync(src, CSV.replace("2.55", "3.25"));
  const cacheDir = join(dir, "cache-poison");
  const uncached = await load(src, { cacheDir: false });
  const { sha256 } = await load(src, { cacheDir });
  const entry = join(cacheDir, `${sha256}.arrow`);
  const bytes = readFileSync(entry);
  const at = float64At(bytes, 3.25);
  bytes.set(new Uint8Array(new Float64Array([32.5]).buffer), at);
  writeFileSync(entry, bytes);

  const notes: string[] = [];
  const r = await load(src, { cacheDir, log: (m) => notes.push(m) });
  assert.is(r.fromCache, false);
  assert.is(notes[0], `cached table ${entry} does not match its checksum (changed or truncated); removed it and re-parsing ${src}`);
  identical(uncached.table, r.table);
  assert.equal(Array.from((r.table.getChild("UnitPrice") as Vector).toArray() as Float64Array), [3.25, 27.5]);
  // rebuilt and trusted again
  const again = await load(src, { cacheDir });
  assert.is(again.fromCache, true);
  identical(uncached.table, again.table);
});

test("a truncated entry and an entry without its checksum are rebuilt", async () => {
  const src = join(dir, "trunc.csv");
  writeFileSync(src, CSV.replace("HEART", "HEARTH"));
  const cacheDir = join(dir, "cache-trunc");
  const { sha256, table } = await load(src, { cacheDir });
  const entry = join(cacheDir, `${sha256}.arrow`);
  truncateSync(entry, 100);
  assert.equal(await readCached(entry), { problem: "checksum" });
  assert.not.ok(existsSync(entry));
  assert.not.ok(existsSync(`${entry}.sha256`));

  await load(src, { cacheDir });
  rmSync(`${entry}.sha256`);
  const notes: string[] = [];
  const r = await load(src, { cacheDir, log: (m) => notes.push(m) });
  assert.is(r.fromCache, false);
  assert.match(notes[0]!, /has no checksum; removed it and re-parsing/);
  identical(table, r.table);
});

test("dictionary indices out of range are refused even under a matching checksum", async () => {
  const src = join(dir, "dict.csv");
  writeFileSync(src, CSV.replace("France", "Spain"));
  const { table } = await load(src, { cacheDir: false });
  const entry = join(dir, "cache-dict", "entry.arrow");
  const country = (table.getChild("Country") as Vector).data[0] as Data;
  (country.values as Int32Array)[1] = 1000;
  await writeCached(entry, table);
  assert.equal(await readCached(entry), { problem: "dictionary" });
  assert.not.ok(existsSync(entry));
});

test("listCache sizes each entry with its checksum; clearCache removes all or the older ones and counts the bytes", async () => {
  const cacheDir = join(dir, "cache-list");
  assert.equal(await listCache(cacheDir), []);
  const a = join(dir, "list-a.csv");
  const b = join(dir, "list-b.csv");
  writeFileSync(a, CSV.replace("HEART", "HEART A"));
  writeFileSync(b, CSV.replace("HEART", "HEART B"));
  const la = await load(a, { cacheDir });
  const lb = await load(b, { cacheDir, map: { Country: "Country" } });
  const entries = await listCache(cacheDir);
  assert.is(entries.length, 2);
  for (const e of entries) {
    const size = readFileSync(e.path).length + readFileSync(`${e.path}.sha256`).length;
    assert.is(e.bytes, size);
    assert.ok(e.verified);
  }
  const byHash = new Map(entries.map((e) => [e.sourceSha256, e]));
  assert.is(byHash.get(la.sha256)?.variant, undefined);
  assert.match(byHash.get(lb.sha256)?.variant ?? "", /^[0-9a-f]{12}$/);

  // a's entry last written 30 days before b's
  const old = byHash.get(la.sha256)!;
  const then = new Date(byHash.get(lb.sha256)!.modified.getTime() - 30 * 86_400_000);
  utimesSync(old.path, then, then);
  const some = await clearCache(cacheDir, new Date(then.getTime() + 86_400_000));
  assert.equal(some, { removed: 1, bytesFreed: old.bytes, kept: 1 });
  assert.equal(readdirSync(cacheDir).sort(), [byHash.get(lb.sha256)!.file, `${byHash.get(lb.sha256)!.file}.sha256`]);

  writeFileSync(join(cacheDir, "notes.txt"), "kept");
  const all = await clearCache(cacheDir);
  assert.equal(all, { removed: 1, bytesFreed: byHash.get(lb.sha256)!.bytes, kept: 0 });
  assert.equal(readdirSync(cacheDir), ["notes.txt"]);
});

test.run();
