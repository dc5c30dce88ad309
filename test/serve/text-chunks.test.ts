// The log's byte queue: texts come back as their UTF-8 bytes in order, across chunk boundaries, with
// multi-byte characters whole, a text larger than a chunk in one piece, and an empty queue after take.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TextChunks } from "../../src/serve/text-chunks.js";

const joined = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8");

test("texts come back in order as UTF-8, across chunks, and the queue is empty after take", () => {
  const q = new TextChunks();
  const texts: string[] = [];
  // About 1.5 MB in lines of varied length, some with 2-, 3- and 4-byte characters.
  for (let i = 0; i < 20_000; i++) texts.push(`{"i":${i},"name":"${i % 7 === 0 ? "Café ☕ 🙂" : "x".repeat(i % 120)}"}\n`);
  for (const t of texts) q.push(t);
  const want = texts.join("");
  assert.is(q.bytes, Buffer.byteLength(want));
  const chunks = q.take();
  assert.ok(chunks.length > 1, "more than one chunk");
  assert.is(joined(chunks), want);
  assert.is(q.bytes, 0);
  assert.equal(q.take(), []);
});

test("a text larger than a chunk is kept whole; later texts follow it", () => {
  const q = new TextChunks();
  const big = "é".repeat(300_000);
  q.push("a");
  q.push(big);
  q.push("b");
  const chunks = q.take();
  assert.is(joined(chunks), `a${big}b`);
  assert.ok(chunks.some((c) => c.length === Buffer.byteLength(big)));
});

test("chunks handed out are not written over by later texts", () => {
  const q = new TextChunks();
  q.push("first\n");
  const first = q.take();
  q.push("second\n");
  assert.is(joined(first), "first\n");
  assert.is(joined(q.take()), "second\n");
});

test("an empty text queues nothing, before or after a take", () => {
  const q = new TextChunks();
  q.push("");
  assert.is(q.bytes, 0);
  assert.equal(q.take(), []);
  q.push("x");
  q.take();
  q.push("");
  q.push("y");
  assert.is(joined(q.take()), "y");
});

test("a recycled chunk takes later texts; texts with their byte count given come back the same", () => {
  const q = new TextChunks();
  const ascii = `${"a".repeat(1000)}\n`;
  q.push(ascii, ascii.length);
  const first = q.take();
  assert.is(joined(first), ascii);
  q.recycle(first);
  // Known lengths: ASCII (as many bytes as code units) and multi-byte text.
  const mixed = "Café ☕ 🙂\n";
  q.push(ascii, ascii.length);
  q.push(mixed, Buffer.byteLength(mixed));
  q.push("z\n");
  const second = q.take();
  assert.is(second[0]!.buffer, first[0]!.buffer, "the recycled chunk's memory");
  assert.is(joined(second), `${ascii}${mixed}z\n`);
  // A chunk of its own size (a text past a chunk) is not kept for reuse.
  const big = "b".repeat(300_000);
  q.push(big, big.length);
  const large = q.take();
  q.recycle(large);
  q.push("c");
  assert.is.not(q.take()[0]!.buffer, large[0]!.buffer);
});

test.run();
