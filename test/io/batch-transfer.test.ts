import { MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import { Dictionary, Field, Float64, Int32, LargeUtf8, List, makeData, RecordBatch, TimestampMillisecond, Utf8, vectorFromArray } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type BatchParts, batchFromParts, batchParts } from "../../src/io/batch-transfer.js";

/** The parts posted through a real message port, as a worker hands them over; `slots` gets each shared buffer used. */
function posted(batch: RecordBatch, slots: SharedArrayBuffer[] = []): RecordBatch {
  const { port1, port2 } = new MessageChannel();
  try {
    const parts = batchParts(batch, (bytes) => {
      const buffer = new SharedArrayBuffer(bytes);
      slots.push(buffer);
      return buffer;
    });
    port1.postMessage(parts);
    return batchFromParts(receiveMessageOnPort(port2)!.message as BatchParts);
  } finally {
    port1.close();
    port2.close();
  }
}

const rows = (b: RecordBatch) => b.toArray().map((r) => JSON.stringify(r, (_, v) => (typeof v === "bigint" ? `${v}n` : v)));

test("a batch of every kind of column arrives with its types and values, copied into one shared buffer", () => {
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
  const slots: SharedArrayBuffer[] = [];
  const got = posted(batch, slots);
  assert.equal(got.schema.fields.map(String), types);
  assert.equal(rows(got), expected);
  assert.is(slots.length, 1);
  assert.instance(got.getChild("when")!.data[0]!.values.buffer, SharedArrayBuffer, "the received columns are views on the shared buffer");
  assert.equal(got.getChild("dict")!.data[0]!.dictionary!.toArray(), ["a", "bb", "ccc"]);
  // The sender's batch is untouched: it can be freed, or its memory reused, at once.
  assert.equal(rows(batch), expected);
});

test("the received batch reads the shared buffer: a sender reusing it changes what it shows", () => {
  const batch = new RecordBatch({ a: makeData({ type: new Int32(), length: 3, data: new Int32Array([1, 2, 3]) }) });
  const slots: SharedArrayBuffer[] = [];
  const got = posted(batch, slots);
  assert.equal(rows(got), ['{"a":1}', '{"a":2}', '{"a":3}']);
  new Int32Array(slots[0]!, 0, 3).set([7, 8, 9]);
  assert.equal(rows(got), ['{"a":7}', '{"a":8}', '{"a":9}']);
});

test.run();
