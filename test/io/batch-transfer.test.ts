import { MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import { Dictionary, Field, Float64, Int32, LargeUtf8, List, makeData, RecordBatch, TimestampMillisecond, Utf8, vectorFromArray } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type BatchParts, batchFromParts, batchParts } from "../../src/io/batch-transfer.js";

/** The parts posted through a real message port, as a worker hands them over. */
function posted(batch: RecordBatch): RecordBatch {
  const { port1, port2 } = new MessageChannel();
  try {
    const { parts, transfer } = batchParts(batch);
    port1.postMessage(parts, transfer);
    return batchFromParts(receiveMessageOnPort(port2)!.message as BatchParts);
  } finally {
    port1.close();
    port2.close();
  }
}

const rows = (b: RecordBatch) => b.toArray().map((r) => JSON.stringify(r, (_, v) => (typeof v === "bigint" ? `${v}n` : v)));

test("a batch of every kind of column arrives with its types and values, its buffers moved, not copied", () => {
  const n = 6;
  const text = ["a", null, "bb", "a", "ccc", null];
  const batch = new RecordBatch({
    dict: vectorFromArray(text, new Dictionary(new Utf8(), new Int32())).data[0]!,
    large: vectorFromArray(text, new LargeUtf8()).data[0]!,
    ints: vectorFromArray([1, null, 3, 4, 5, 6], new Int32()).data[0]!,
    // An array starting at an offset into its buffers.
    sliced: vectorFromArray([9, 8, 7, 6, 5, 4, 3, 2], new Float64()).slice(2).data[0]!,
    when: vectorFromArray([0, 1, 2, 3, 4, 5].map((i) => 1_291_191_960_000 + i), new TimestampMillisecond()).data[0]!,
    lists: vectorFromArray([[1], [], null, [2, 3], [4], [5, 6, 7]], new List(new Field("item", new Float64(), true))).data[0]!,
  });
  assert.is(batch.numRows, n);
  const expected = rows(batch);
  const types = batch.schema.fields.map(String);
  const values = batch.getChild("ints")!.data[0]!.values;
  const got = posted(batch);
  assert.equal(got.schema.fields.map(String), types);
  assert.equal(rows(got), expected);
  assert.is(values.byteLength, 0, "the sender's buffer was moved");
  assert.equal(got.getChild("dict")!.data[0]!.dictionary!.toArray(), ["a", "bb", "ccc"]);
});

test("buffers shared by several columns are moved once", () => {
  // As in a batch read from one Arrow IPC message: two columns' values are views into one ArrayBuffer.
  const shared = new Int32Array([1, 2, 3, 4, 5, 6]);
  const one = new RecordBatch({
    a: makeData({ type: new Int32(), length: 3, data: shared.subarray(0, 3) }),
    b: makeData({ type: new Int32(), length: 3, data: shared.subarray(3) }),
  });
  // postMessage refuses a buffer listed twice.
  assert.is(batchParts(one).transfer.filter((b) => b === shared.buffer).length, 1);
  assert.equal(rows(posted(one)), ['{"a":1,"b":4}', '{"a":2,"b":5}', '{"a":3,"b":6}']);
});

test.run();
