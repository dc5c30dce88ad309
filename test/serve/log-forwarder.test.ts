// A worker's hand-off of its log lines (serve --workers N): one message per interval holding every
// line queued, the bytes the log itself would write; what the channel has not taken is bounded
// (lines past it dropped and counted); close hands over the rest and waits for the channel.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type LogBatch, LogForwarder } from "../../src/serve/log-forwarder.js";
import { LineFormat } from "../../src/serve/log-lines.js";

const rows = 3;
const batch = { kind: "components" as const, rows, data: Float64Array.from({ length: rows * 2 }, (_, i) => i / 7), where: "instances" };
const scored = {
  rows,
  nComponents: 2,
  cluster: Int32Array.of(0, 1, 2),
  distance: new Float64Array(rows),
  secondDistance: new Float64Array(rows),
  outlierScore: new Float64Array(rows),
  outlier: Int8Array.of(-1, 0, 1),
  components: new Float64Array(rows * 2),
};
const time = Date.UTC(2026, 0, 2, 3, 4, 5, 6);

/** A forwarder whose sends are kept, acknowledged only when the test says so. */
function forwarder(over: { maxUnsent?: number; maxPending?: number } = {}) {
  const sent: { batch: LogBatch; text: string; ack: (failed: boolean) => void }[] = [];
  const f = new LogForwarder({
    // The text is read at send time: the chunks are reused once acknowledged.
    send: (b, ack) => sent.push({ batch: b, text: Buffer.concat(b.chunks).toString("utf8"), ack }),
    interval: 1,
    maxPending: over.maxPending ?? 1000,
    maxUnsent: over.maxUnsent ?? 1 << 20,
  });
  return { f, sent };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

test("the requests of one interval go in one message: their lines, as the log formats them", async () => {
  const { f, sent } = forwarder();
  for (let i = 0; i < 4; i++) f.append(time, 0.5, "m1", batch, scored);
  await tick();
  assert.is(sent.length, 1);
  assert.is(sent[0]!.batch.lines, 4 * rows);
  assert.is(sent[0]!.text, new LineFormat().format(time, 0.5, "m1", batch, scored).repeat(4));
  sent[0]!.ack(false);
  f.append(time, 0.5, "m1", batch, scored);
  await tick();
  assert.is(sent.length, 2);
  assert.is(sent[1]!.batch.lines, rows);
  assert.is(f.linesDropped, 0);
});

test("lines past what the channel has not taken are dropped and counted, and accepted again once it has", async () => {
  const { f, sent } = forwarder({ maxUnsent: 1 });
  f.append(time, 1, "m", batch, scored);
  await tick();
  assert.is(sent.length, 1);
  // Unacknowledged: over the bound.
  f.append(time, 1, "m", batch, scored);
  f.append(time, 1, "m", batch, scored);
  await tick();
  assert.is(sent.length, 1);
  assert.is(f.linesDropped, 2 * rows);
  sent[0]!.ack(false);
  f.append(time, 1, "m", batch, scored);
  await tick();
  assert.is(sent.length, 2);
  // A send that fails loses its lines: counted too.
  sent[1]!.ack(true);
  assert.is(f.linesDropped, 3 * rows);
});

test("lines queued past the pending bound are dropped and counted", () => {
  const { f } = forwarder({ maxPending: 2 * rows });
  for (let i = 0; i < 5; i++) f.append(time, 1, "m", batch, scored);
  assert.is(f.linesDropped, 3 * rows);
});

test("close hands over what is queued, waits for the channel to take it, and drops later lines", async () => {
  const { f, sent } = forwarder();
  f.append(time, 1, "m", batch, scored);
  let closed = false;
  const closing = f.close().then(() => (closed = true));
  assert.is(sent.length, 1);
  await tick();
  assert.is(closed, false);
  sent[0]!.ack(false);
  await closing;
  f.append(time, 1, "m", batch, scored);
  assert.is(f.linesDropped, rows);
  assert.is(f.status().ok, true);
  f.setStatus({ ok: false, reason: "prediction log p.jsonl: the disk is full" });
  assert.equal(f.status(), { ok: false, reason: "prediction log p.jsonl: the disk is full" });
});

test.run();
