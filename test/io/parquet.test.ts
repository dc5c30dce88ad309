import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Data, Field, Float64, Int32, Interval, IntervalUnit, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, TimestampMillisecond, Utf8, type Vector, vectorFromArray } from "apache-arrow";
import { createRequire } from "node:module";
import type * as ParquetWasm from "parquet-wasm";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sharedFile, skipped } from "../helpers/shared.js";
import { assertFailure, runCli } from "../helpers/cli.js";
import { loadTransactions } from "../../src/io/load.js";
import { parquetToArrow, readParquetTransactions } from "../../src/io/parquet.js";
import { type Decoders, type PoolOptions, startDecoders } from "../../src/io/parquet-pool.js";
import { normalizeTransactions, TransactionsNormalizer } from "../../src/io/normalize.js";
import { LimitError, UserError } from "../../src/errors.js";
import { writeTable } from "../../src/io/write.js";

const path = sharedFile("data/online_retail.parquet", "parquet reader on the real data");
let table: Table | undefined;
let loaded: Awaited<ReturnType<typeof loadTransactions>> | undefined;

test.before(async () => {
  if (path) loaded = await loadTransactions(path, { cacheDir: false });
  table = loaded?.table;
});

const chunk = (name: string) => (table as Table).getChild(name)?.data[0] as Data;

test("real parquet: one batch, transactions schema", () => {
  if (!table) return skipped();
  assert.is(table.numRows, 541_909);
  assert.is(table.batches.length, 1);
  assert.equal(
    table.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`),
    [
      "InvoiceNo:Dictionary<Int32, Utf8>:false",
      "StockCode:Dictionary<Int32, Utf8>:false",
      "Description:Dictionary<Int32, Utf8>:true",
      "Quantity:Int32:false",
      "InvoiceDate:Timestamp<MILLISECOND>:false",
      "UnitPrice:Float64:false",
      "CustomerID:Int32:true",
      "Country:Dictionary<Int32, Utf8>:false",
    ],
  );
});

test("real parquet: the known figures of the data set", () => {
  if (!table) return skipped();
  const invoices = chunk("InvoiceNo");
  assert.is(invoices.dictionary?.length, 25_900);
  const invoiceText = invoices.dictionary?.toArray() as string[];
  const idx = invoices.values as Int32Array;
  let cancellations = 0;
  for (let i = 0; i < idx.length; i++) if (invoiceText[idx[i]].startsWith("C")) cancellations++;
  assert.is(cancellations, 9_288);

  const cust = chunk("CustomerID");
  assert.is(cust.nullCount, 135_080);
  const ids = new Set<number>();
  const custVec = table.getChild("CustomerID") as Vector;
  for (let i = 0; i < custVec.length; i++) {
    const v = custVec.get(i);
    if (v != null) ids.add(v);
  }
  assert.is(ids.size, 4_372);
  assert.is(chunk("Description").nullCount, 1_454);

  let qty = 0;
  for (const q of chunk("Quantity").values as Int32Array) qty += q;
  assert.is(qty, 5_176_450);

  const ms = chunk("InvoiceDate").values as BigInt64Array;
  let lo = ms[0];
  let hi = ms[0];
  for (const t of ms) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  assert.is(new Date(Number(lo)).toISOString(), "2010-12-01T08:26:00.000Z");
  assert.is(new Date(Number(hi)).toISOString(), "2011-12-09T12:50:00.000Z");
});

test("a file that is not Parquet is a UserError naming it", async () => {
  try {
    await readParquetTransactions(new TextEncoder().encode("not parquet at all"), "bad.parquet");
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /^bad\.parquet: not a readable Parquet file/);
  }
});

test("loadTransactions reports the source's sha256, format and path", () => {
  if (!path || !loaded) return skipped();
  assert.is(loaded.sha256, createHash("sha256").update(readFileSync(path)).digest("hex"));
  assert.is(loaded.format, "parquet");
  assert.is(loaded.path, path);
  assert.is(loaded.fromCache, false);
});

/** Every column's values, row by row, and each dictionary's entries. */
/** Decoders started and given the file at once. */
function opened(file: Blob, name: string, opts: PoolOptions): Decoders {
  const decoders = startDecoders(name, opts);
  decoders.open(file);
  return decoders;
}

function contents(t: Table) {
  return t.schema.fields.map((f) => {
    const col = t.getChild(f.name) as Vector;
    const d = col.data[0] as Data;
    return { name: f.name, values: [...col], nulls: d.nullCount, dictionary: d.dictionary?.toArray() };
  });
}

test("real parquet read in batches across row groups equals the file decoded at once", async () => {
  if (!path) return skipped();
  const bytes = readFileSync(path);
  // 100,000-line batches cut the file's row groups (about 122,880 lines each) in the middle.
  const streamed = await readParquetTransactions(bytes, path, { batchRows: 100_000 });
  const whole = normalizeTransactions(parquetToArrow(bytes, path), {}, path);
  assert.is(streamed.batches.length, 1);
  assert.equal(contents(streamed), contents(whole));
});

test("row groups decoded on one worker thread or three give the same table, batch for batch in file order", async () => {
  if (!path) return skipped();
  const bytes = readFileSync(path);
  // 50,000-line batches: each row group (about 122,880 lines) comes in three, handed over one at a time.
  const here = await readParquetTransactions(bytes, path, { batchRows: 50_000, threads: 1 });
  assert.equal(contents(here), contents(normalizeTransactions(parquetToArrow(bytes, path), {}, path)));
  // Three workers over five row groups: groups finish out of order and are still yielded in order.
  const wasm = createRequire(import.meta.url)("parquet-wasm") as typeof ParquetWasm;
  const groups = (await wasm.ParquetFile.fromFile(new Blob([bytes]))).metadata().numRowGroups();
  assert.is(groups, 5);
  const lines: number[] = [];
  let normalizer: TransactionsNormalizer | undefined;
  for await (const batch of opened(new Blob([bytes]), path, { workers: 3, unreadable: (m) => new UserError(m) }).batches(groups, { batchRows: 50_000 })) {
    normalizer ??= new TransactionsNormalizer(batch.schema, here.numRows, {}, path);
    normalizer.append(batch);
    lines.push(batch.numRows);
  }
  assert.ok(lines.every((n) => n <= 50_000), "no batch over the bound");
  assert.equal(contents((normalizer as TransactionsNormalizer).finish()), contents(here));
});

test("a bad value in a later row group decoded on a worker thread is named by its row in the file", async () => {
  const bytes = await tenLines((i) => (i === 7 ? 2.5 : i + 1), { groupRows: 3 });
  try {
    await readParquetTransactions(bytes, "bad.parquet", { threads: 2 });
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /^bad\.parquet: row 8, column Quantity: 2\.5 is not a whole number/);
  }
});

test("a row group the decoder cannot read is a UserError naming the file, not a crash", async () => {
  const good = await tenLines((i) => i + 1, { groupRows: 3 });
  assert.is((await readParquetTransactions(good, "groups.parquet", { threads: 2 })).numRows, 10);
  // The first row group's pages, overwritten: the footer still reads, the pages do not.
  const bytes = Buffer.from(good);
  bytes.fill(0xff, 4, 200);
  for (const threads of [1, 2]) {
    try {
      await readParquetTransactions(bytes, "broken.parquet", { threads });
      assert.unreachable("should have thrown");
    } catch (err) {
      assert.instance(err, UserError);
      assert.match((err as Error).message, /^broken\.parquet: not a readable Parquet file \(/, (err as Error).message);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "custseg-broken-"));
  try {
    const file = join(dir, "broken.parquet");
    writeFileSync(file, bytes);
    const res = runCli(["features", "--input", file, "--out", join(dir, "f.csv"), "--no-cache"]);
    assertFailure(res, /broken\.parquet: not a readable Parquet file \(/);
    assert.not.ok(existsSync(join(dir, "f.csv")), "nothing written");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("columns no transactions column comes from are never decoded", async () => {
  const notes = vectorFromArray(Array.from({ length: 10 }, (_, i) => `note ${i} `.repeat(40)), new Utf8());
  const bytes = await tenLines((i) => i + 1, { groupRows: 5, extra: { Notes: notes } });
  const clean = await readParquetTransactions(bytes, "notes.parquet", { threads: 1 });
  // Notes is the file's first column: its pages start after the 4-byte magic.
  const wasm = createRequire(import.meta.url)("parquet-wasm") as typeof ParquetWasm;
  const meta = (await wasm.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]))).metadata();
  const first = meta.rowGroup(0).column(0);
  assert.equal(first.columnPath(), ["Notes"]);
  const damaged = Buffer.from(bytes);
  damaged.fill(0xff, 4, 4 + first.compressedSize());
  for (const threads of [1, 2]) {
    assert.equal(contents(await readParquetTransactions(damaged, "notes.parquet", { threads })), contents(clean), `${threads} thread(s)`);
  }
  // The damage is real: read as the descriptions, the column fails.
  try {
    await readParquetTransactions(damaged, "notes.parquet", { threads: 1, map: { Notes: "Description" } });
    assert.unreachable("the damaged column was read");
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /^notes\.parquet: not a readable Parquet file \(/);
  }
});

test("workers beyond one per row group are ended once the footer is read, not taken for a failed decoder", async () => {
  const bytes = await tenLines((i) => i + 1, { groupRows: 10 });
  const decoders = opened(new Blob([bytes as Uint8Array<ArrayBuffer>]), "one.parquet", { workers: 3, unreadable: (m) => new UserError(m) });
  const { groups, rows } = await decoders.footer;
  assert.equal([groups, rows], [1, 10]);
  let lines = 0;
  for await (const batch of decoders.batches(groups, { batchRows: 4 })) lines += batch.numRows;
  assert.is(lines, 10);
});

test("decoders started for a source that is then not read, or not read whole, keep no process alive", () => {
  // loadTransactions starts them before reading the file when no cache entry can serve it.
  const dir = mkdtempSync(join(tmpdir(), "custseg-boot-"));
  try {
    const garbage = join(dir, "garbage.parquet");
    writeFileSync(garbage, "not parquet at all");
    const url = new URL("../../src/io/load.js", import.meta.url).href;
    const script = `const { loadTransactions } = await import(${JSON.stringify(url)});
for (const file of [${JSON.stringify(join(dir, "missing.parquet"))}, ${JSON.stringify(garbage)}]) {
  await loadTransactions(file, { cacheDir: false }).then(() => console.log("read"), (err) => console.log(err.message));
}`;
    const res = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    assert.is(res.signal, null, "ended by itself, not by the timeout");
    assert.is(res.status, 0, res.stderr);
    const lines = res.stdout.trim().split("\n");
    assert.match(lines[0]!, /missing\.parquet: .*(no such file|not found)/i);
    assert.match(lines[1]!, /garbage\.parquet: not a readable Parquet file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a column of a type the C Data reader does not know is read all the same (through Arrow IPC)", async () => {
  // arrow-js-ffi copies no interval column; read as the descriptions, one is text all the same.
  const span = vectorFromArray(Array.from({ length: 10 }, (_, i) => new Int32Array([i, 0])), new Interval(IntervalUnit.DAY_TIME));
  const bytes = await tenLines((i) => i + 1, { groupRows: 4, extra: { Span: span } });
  const clean = await readParquetTransactions(bytes, "span.parquet", { threads: 2 });
  const read = await readParquetTransactions(bytes, "span.parquet", { threads: 2, map: { Span: "Description" } });
  assert.equal(read.getChild("Description")!.toArray(), Array.from({ length: 10 }, (_, i) => `${i},0`));
  assert.equal(read.getChild("Quantity")!.toArray(), clean.getChild("Quantity")!.toArray());
});

test("an aborted read stops its workers and throws the signal's reason", async () => {
  if (!path) return skipped();
  const bytes = readFileSync(path);
  const stop = new AbortController();
  const reason = new Error("stopped");
  let batches = 0;
  try {
    for await (const _ of opened(new Blob([bytes]), path, { workers: 2, signal: stop.signal, unreadable: (m) => new UserError(m) }).batches(5, { batchRows: 10_000 })) {
      if (++batches === 2) stop.abort(reason);
    }
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.is(err, reason);
  }
  assert.is(batches, 2, "no batch after the abort");
  const aborted = AbortSignal.abort(reason);
  try {
    await readParquetTransactions(bytes, path, { threads: 1, signal: aborted });
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.is(err, reason, "aborted before the read");
  }
});

/**
 * A ten-line transactions file written as Parquet; `quantity` gives each line's Quantity. Options:
 * row groups of `groupRows` lines, and `extra` columns before the transactions columns.
 */
async function tenLines(quantity: (i: number) => number, { groupRows, extra = {} }: { groupRows?: number; extra?: Record<string, Vector> } = {}): Promise<Buffer> {
  const n = 10;
  const repeat = <T>(f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
  const columns: Record<string, Vector> = {
    ...extra,
    InvoiceNo: vectorFromArray(repeat((i) => `5363${i}`), new Utf8()),
    StockCode: vectorFromArray(repeat(() => "85123A"), new Utf8()),
    Description: vectorFromArray(repeat(() => "HEART"), new Utf8()),
    Quantity: vectorFromArray(repeat(quantity), new Float64()),
    InvoiceDate: vectorFromArray(repeat((i) => 1_291_191_960_000 + i), new TimestampMillisecond()),
    UnitPrice: vectorFromArray(repeat(() => 2.55), new Float64()),
    CustomerID: vectorFromArray(repeat(() => 17850), new Int32()),
    Country: vectorFromArray(repeat(() => "United Kingdom"), new Utf8()),
  };
  const fields = Object.entries(columns).map(([name, v]) => new Field(name, v.type, true));
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children: Object.values(columns).map((v) => v.data[0]) });
  const table = new Table([new RecordBatch(new Schema(fields), struct)]);
  if (groupRows || Object.keys(extra).length) {
    const { Table: WasmTable, WriterPropertiesBuilder, writeParquet } = createRequire(import.meta.url)("parquet-wasm") as typeof ParquetWasm;
    return Buffer.from(writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), new WriterPropertiesBuilder().setMaxRowGroupSize(groupRows ?? n).build()));
  }
  const dir = mkdtempSync(join(tmpdir(), "custseg-parquet-"));
  try {
    const file = join(dir, "ten.parquet");
    await writeTable(file, table);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a bad value in a later batch is named by its row in the file", async () => {
  const bytes = await tenLines((i) => (i === 7 ? 2.5 : i + 1));
  try {
    // Batches of 3 lines: line 8 is the second of the third batch.
    await readParquetTransactions(bytes, "bad.parquet", { batchRows: 3 });
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /^bad\.parquet: row 8, column Quantity: 2\.5 is not a whole number/);
  }
});

/** Thrift compact varint of a zigzag-encoded i64. */
const zigzagVarint = (v: bigint) => {
  const out: number[] = [];
  for (let z = v * 2n; ; z >>= 7n) {
    if (z < 128n) return [...out, Number(z)];
    out.push(Number(z & 127n) | 128);
  }
};

/**
 * The file with its footer's row count replaced: FileMetaData.num_rows is the footer's first i64
 * field (compact type 6 after field 2, header byte 0x16); the schema before it has no i64.
 */
function declaring(bytes: Buffer, rows: bigint, actual: number): Buffer {
  const length = bytes.readUInt32LE(bytes.length - 8);
  const footer = bytes.subarray(bytes.length - 8 - length, bytes.length - 8);
  const old = Buffer.from([0x16, ...zigzagVarint(BigInt(actual))]);
  const at = footer.indexOf(old);
  assert.ok(at >= 0, "the footer's row count");
  const patched = Buffer.concat([footer.subarray(0, at), Buffer.from([0x16, ...zigzagVarint(rows)]), footer.subarray(at + old.length)]);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(patched.length, 0);
  tail.write("PAR1", 4, "latin1");
  return Buffer.concat([bytes.subarray(0, bytes.length - 8 - length), patched, tail]);
}

test("a footer whose row count the row groups do not hold is refused before any buffer is sized by it", async () => {
  const bytes = await tenLines((i) => i + 1);
  assert.is((await readParquetTransactions(declaring(bytes, 10n, 10), "same.parquet")).numRows, 10, "the patch alone changes nothing");
  for (const [rows, shown] of [
    [2n ** 40n, "1,099,511,627,776"],
    [1_000n, "1,000"],
  ] as const) {
    try {
      await readParquetTransactions(declaring(bytes, rows, 10), "forged.parquet");
      assert.unreachable(`declared ${rows}`);
    } catch (err) {
      assert.instance(err, UserError);
      assert.is((err as Error).message, `forged.parquet: the footer declares ${shown} rows, its row groups hold 10`);
    }
  }
});

test("more lines than --max-rows are refused before any is decoded, by the flag that raises the bound", async () => {
  const bytes = await tenLines((i) => i + 1);
  assert.is((await readParquetTransactions(bytes, "ten.parquet", { maxRows: 10 })).numRows, 10, "at the bound");
  try {
    await readParquetTransactions(bytes, "ten.parquet", { maxRows: 9 });
    assert.unreachable("9 lines allowed");
  } catch (err) {
    assert.instance(err, LimitError);
    assert.is((err as LimitError).limit, "rows");
    assert.is((err as Error).message, "ten.parquet: holds 10 lines, more than the limit of 9");
  }
  const dir = mkdtempSync(join(tmpdir(), "custseg-max-rows-"));
  try {
    const file = join(dir, "ten.parquet");
    writeFileSync(file, bytes);
    const res = runCli(["features", "--input", file, "--out", join(dir, "f.csv"), "--max-rows", "9", "--no-cache"]);
    assertFailure(res, /ten\.parquet: holds 10 lines, more than the limit of 9 \(--max-rows raises the limit\)$/);
    assert.ok(res.stderr.includes(file), res.stderr);
    assert.not.ok(existsSync(join(dir, "f.csv")), "nothing written");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
