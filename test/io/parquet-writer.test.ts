// The Parquet writer thread: the same bytes as the writer on the calling thread, warmed up or not;
// a refused encoding rejects with parquet-wasm's message; an idle thread keeps no process alive.
import { spawnSync } from "node:child_process";
import { Bool, Float64, Int32, makeVector, Table, vectorFromArray } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { availableParallelism } from "node:os";
import { parquetOffThread, parquetThreadWanted } from "../../src/io/parquet-writer.js";
import { prepareParquetWrites, tableToParquet, tableToParquetOffThread } from "../../src/io/write.js";

function customersLike(n: number): Table {
  const every = <T>(f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
  return new Table({
    CustomerID: makeVector(Int32Array.from(every((i) => 12346 + i * 3))),
    Total_Transactions: makeVector(Float64Array.from(every((i) => 1 + (i % 40)))),
    Total_Spend: makeVector(Float64Array.from(every((i) => Math.round(Math.exp((i % 97) / 9) * 100) / 100))),
    Outlier: vectorFromArray(every((i) => i % 50 === 0), new Bool()),
    PC1: vectorFromArray(every((i) => (i % 50 === 0 ? null : Math.sin(i) * 3)), new Float64()),
    Cluster: vectorFromArray(every((i) => (i % 50 === 0 ? null : i % 4)), new Int32()),
  });
}

test("the writer thread encodes a table to the bytes of tableToParquet, cold and after its warm-up", async () => {
  const table = customersLike(3000);
  const here = tableToParquet(table);
  const cold = await tableToParquetOffThread(table);
  assert.ok(cold.length > 1000);
  assert.equal(Buffer.from(cold).equals(Buffer.from(here)), true, "cold thread: same bytes");
  prepareParquetWrites();
  const warm = await tableToParquetOffThread(table);
  assert.equal(Buffer.from(warm).equals(Buffer.from(here)), true, "warmed-up thread: same bytes");
  // Two writes in flight on one thread: each answered with its own table's bytes.
  const small = customersLike(10);
  const [a, b] = await Promise.all([tableToParquetOffThread(small), tableToParquetOffThread(table)]);
  assert.equal(Buffer.from(a).equals(Buffer.from(tableToParquet(small))), true);
  assert.equal(Buffer.from(b).equals(Buffer.from(here)), true);
});

test("a stream the thread cannot encode rejects with the encoder's message; the next write still works", async () => {
  const err = await parquetOffThread(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), []).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, Error);
  assert.ok((err as Error).message.length > 0, "a message to word");
  const table = customersLike(50);
  assert.equal(Buffer.from(await tableToParquetOffThread(table)).equals(Buffer.from(tableToParquet(table))), true);
});

test("a started, warmed-up writer thread with nothing to write keeps no process alive", () => {
  const url = new URL("../../src/io/write.js", import.meta.url).href;
  const res = spawnSync(process.execPath, ["--input-type=module", "-e", `import(${JSON.stringify(url)}).then((m) => { m.prepareParquetWrites(); console.log("started"); });`], {
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.is(res.signal, null, "ended by itself, not by the timeout");
  assert.is(res.status, 0, res.stderr);
  assert.is(res.stdout.trim(), "started");
});

test("the writer thread is wanted only with a second thread to give it", () => {
  assert.is(parquetThreadWanted(1), false);
  assert.is(parquetThreadWanted(2), true);
  assert.is(parquetThreadWanted(undefined), availableParallelism() > 1);
});

test.run();
