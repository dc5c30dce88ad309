// The log's byte queue: bytes written into reserved room come back in order, across chunk
// boundaries, with multi-byte characters whole, a text larger than a chunk in one piece, and an
// empty queue after take.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TextChunks } from "../../src/serve/text-chunks.js";

const joined = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8");

/** Queue a text as its UTF-8 bytes the way a writer does: reserve room for it, write, commit. */
function push(q: TextChunks, text: string): void {
  const chunk = q.reserve(Buffer.byteLength(text));
  q.commit(chunk.write(text, q.offset));
}

test("texts come back in order as UTF-8, across chunks, and the queue is empty after take", () => {
  const q = new TextChunks();
  const texts: string[] = [];
  // About 1.5 MB in lines of varied length, some with 2-, 3- and 4-byte characters.
  for (let i = 0; i < 20_000; i++) texts.push(`{"i":${i},"name":"${i % 7 === 0 ? "Café ☕ 🙂" : "x".repeat(i % 120)}"}\n`);
  for (const t of texts) push(q, t);
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
  push(q, "a");
  push(q, big);
  push(q, "b");
  const chunks = q.take();
  assert.is(joined(chunks), `a${big}b`);
  assert.ok(chunks.some((c) => c.length === Buffer.byteLength(big)));
});

test("chunks handed out are not written over by later texts", () => {
  const q = new TextChunks();
  push(q, "first\n");
  const first = q.take();
  push(q, "second\n");
  assert.is(joined(first), "first\n");
  assert.is(joined(q.take()), "second\n");
});

test("a reservation with nothing written queues nothing, before or after a take", () => {
  const q = new TextChunks();
  push(q, "");
  assert.is(q.bytes, 0);
  assert.equal(q.take(), []);
  push(q, "x");
  q.take();
  push(q, "");
  push(q, "y");
  assert.is(joined(q.take()), "y");
});

test("a recycled chunk takes later texts, ASCII or multi-byte", () => {
  const q = new TextChunks();
  const ascii = `${"a".repeat(1000)}\n`;
  push(q, ascii);
  const first = q.take();
  assert.is(joined(first), ascii);
  q.recycle(first);
  const mixed = "Café ☕ 🙂\n";
  push(q, ascii);
  push(q, mixed);
  push(q, "z\n");
  const second = q.take();
  assert.is(second[0]!.buffer, first[0]!.buffer, "the recycled chunk's memory");
  assert.is(joined(second), `${ascii}${mixed}z\n`);
  // A chunk of its own size (a text past a chunk) is not kept for reuse.
  const big = "b".repeat(300_000);
  push(q, big);
  const large = q.take();
  q.recycle(large);
  push(q, "c");
  assert.is.not(q.take()[0]!.buffer, large[0]!.buffer);
});

test("bytes written in place into a reserved chunk come back in order, a new chunk taken when the room is short", () => {
  const q = new TextChunks();
  push(q, "head\n");
  const lines: string[] = [];
  // 8,000 lines of up to 100 bytes, each written byte by byte within a reservation of 100: about 420 KB.
  for (let i = 0; i < 8000; i++) {
    const line = `${i}:${"y".repeat(i % 90)}\n`;
    const chunk = q.reserve(100);
    const at = q.offset;
    assert.ok(chunk.length - at >= 100, "the reserved room");
    for (let k = 0; k < line.length; k++) chunk[at + k] = line.charCodeAt(k);
    q.commit(line.length);
    lines.push(line);
  }
  push(q, "tail\n");
  const want = `head\n${lines.join("")}tail\n`;
  assert.is(q.bytes, want.length);
  const chunks = q.take();
  assert.ok(chunks.length > 1, "more than one chunk");
  assert.is(joined(chunks), want);
  // A reservation larger than a chunk gets a chunk of its own.
  assert.ok(q.reserve(300_000).length >= 300_000);
  q.commit(0);
  assert.equal(q.take(), []);
});

test.run();
