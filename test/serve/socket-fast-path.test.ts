// The socket fast path (src/serve/socket-fast-path.ts) and its head reader (request-head.ts). The
// reader: which heads it takes and which it leaves to node:http. The server: a whole request
// written at once is answered at the socket with the bytes node:http sends for it (the same
// request sent in two writes is node:http's); requests it does not take hand the connection over
// mid-stream and are answered in order; an idle new connection gets fastify's 408, an idle one
// after an answer is closed; closing the server closes the connections it still reads.
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { JSON_TYPES } from "../../src/serve/fast-path.js";
import { MAX_HEAD_BYTES, RequestHeadReader } from "../../src/serve/request-head.js";
import type { RunningServer } from "../../src/serve/server.js";
import { get, serve, smallModel } from "../helpers/serve.js";

let tmp = "";
let model = "";
let server: RunningServer;
let p = 0;

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-serve-socket-"));
  model = (await smallModel(tmp)).path;
  server = await serve(model, { maxInstances: 50, bodyLimit: 64 * 1024, headersTimeout: 300, keepAliveTimeout: 400 });
  p = server.model().nComponents;
});

test.after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

const reader = new RequestHeadReader("/predict", 100, JSON_TYPES);
const BODY = '{"instances":[[1,2]]}';
const head = (lines: string[], first = "POST /predict HTTP/1.1") => `${first}\r\n${lines.map((l) => `${l}\r\n`).join("")}\r\n`;
const PLAIN = ["Host: x", "Content-Type: application/json", `Content-Length: ${BODY.length}`];
const read = (text: string) => reader.read(Buffer.from(text, "latin1"), 0);

test("the head reader takes plain whole requests, at any offset, names and types in any case", () => {
  const h = head(PLAIN);
  assert.equal(read(h + BODY), { bodyStart: h.length, length: BODY.length });
  const other = head(["HOST: x", "content-type: Application/JSON; Charset=UTF-8", `content-length:  ${BODY.length} `, "Connection: Keep-Alive", "X-Any: a\tb"]);
  assert.equal(read(other + BODY), { bodyStart: other.length, length: BODY.length });
  const two = Buffer.from(h + BODY + h + BODY, "latin1");
  assert.equal(reader.read(two, h.length + BODY.length), { bodyStart: 2 * h.length + BODY.length, length: BODY.length });
});

test("the head reader leaves everything else to node:http", () => {
  const cases: [string, string][] = [
    ["body still arriving", head(PLAIN) + BODY.slice(0, -1)],
    ["head still arriving", head(PLAIN).slice(0, -2)],
    ["GET", head(PLAIN, "GET /predict HTTP/1.1") + BODY],
    ["HTTP/1.0", head(PLAIN, "POST /predict HTTP/1.0") + BODY],
    ["a query string", head(PLAIN, "POST /predict?x=1 HTTP/1.1") + BODY],
    ["another route", head(PLAIN, "POST /predictions HTTP/1.1") + BODY],
    ["no host", head(PLAIN.slice(1)) + BODY],
    ["two hosts", head([...PLAIN, "Host: y"]) + BODY],
    ["no length", head(PLAIN.slice(0, 2)) + BODY],
    ["two lengths", head([...PLAIN, `Content-Length: ${BODY.length}`]) + BODY],
    ["a signed length", head([...PLAIN.slice(0, 2), `Content-Length: +${BODY.length}`]) + BODY],
    ["length 0", head([...PLAIN.slice(0, 2), "Content-Length: 0"])],
    ["over the body limit", head([...PLAIN.slice(0, 2), "Content-Length: 101"]) + "x".repeat(101)],
    ["no type", head([PLAIN[0]!, PLAIN[2]!]) + BODY],
    ["another type", head(["Host: x", "Content-Type: text/plain", PLAIN[2]!]) + BODY],
    ["two types", head([...PLAIN, "Content-Type: application/json"]) + BODY],
    ["chunked", head([...PLAIN, "Transfer-Encoding: chunked"]) + BODY],
    ["expect", head([...PLAIN, "Expect: 100-continue"]) + BODY],
    ["upgrade", head([...PLAIN, "Upgrade: websocket"]) + BODY],
    ["connection close", head([...PLAIN, "Connection: close"]) + BODY],
    ["a folded line", `${head([...PLAIN, "X-A: b"]).slice(0, -2)} c\r\n\r\n${BODY}`],
    ["a bare LF", head(PLAIN).replace("Host: x\r\n", "Host: x\n") + BODY],
    ["a space before the colon", head([...PLAIN, "X-A : b"]) + BODY],
    ["a control character", head([...PLAIN, "X-A: b\u0001"]) + BODY],
    ["a byte beyond ASCII", head([...PLAIN, "X-A: caf\u00e9"]) + BODY],
    ["an empty name", head([...PLAIN, ": b"]) + BODY],
    ["a head past the limit", head([...PLAIN, `X-Pad: ${"x".repeat(MAX_HEAD_BYTES)}`]) + BODY],
    ["too many headers", head([...PLAIN, ...Array.from({ length: 70 }, (_, i) => `X-${i}: 1`)]) + BODY],
  ];
  for (const [what, text] of cases) assert.is(read(text), null, what);
  assert.is(new RequestHeadReader("/prédire", 100, JSON_TYPES).read(Buffer.from(head(PLAIN, "POST /prédire HTTP/1.1") + BODY), 0), null, "a route beyond ASCII");
});

/** A raw connection to the server: write bytes, read whole responses (content-length framed) in order. */
class Conn {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  closed = false;
  readonly socket: Socket;
  readonly done: Promise<void>;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect(Number(port), hostname);
    this.socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiting?.();
    });
    this.socket.on("error", () => undefined);
    this.done = new Promise((resolve) =>
      this.socket.on("close", () => {
        this.closed = true;
        this.waiting?.();
        resolve();
      }),
    );
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** The next response: its status line and headers (Date left out) and its body. */
  async response(): Promise<{ head: string; body: string }> {
    for (;;) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end >= 0) {
        const text = this.buf.toString("latin1", 0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(text)?.[1]);
        if (this.buf.length >= end + 4 + length) {
          const body = this.buf.toString("utf8", end + 4, end + 4 + length);
          this.buf = this.buf.subarray(end + 4 + length);
          return { head: text.replace(/\r\nDate: [^\r]*/, ""), body };
        }
      }
      if (this.closed) throw new Error(`connection closed with ${this.buf.length} bytes unread`);
      await new Promise<void>((r) => (this.waiting = r));
    }
  }
}

const body = (i: number) => JSON.stringify({ instances: [Array.from({ length: p }, (_, j) => (i + 1) * 0.25 - j * 0.5)] });
const request = (text: string, lines: string[] = []) =>
  head(["Host: x", "Content-Type: application/json", `Content-Length: ${Buffer.byteLength(text)}`, ...lines]) + text;
const predictions = (text: string) => /^custseg_http_requests_total\{route="\/predict",status="200"\} (\d+)$/m.exec(text)?.[1];

test("a whole request is answered at the socket with the bytes node:http sends for the same request", async () => {
  const before = Number(predictions((await get(`${server.url}/metrics`)).text) ?? 0);
  const atSocket = new Conn(server.url);
  atSocket.write(request(body(0)));
  const fast = await atSocket.response();
  // Head and body in two writes a moment apart: the socket hands the connection to node:http.
  const split = new Conn(server.url);
  const whole = request(body(0));
  split.write(whole.slice(0, whole.indexOf("\r\n\r\n") + 4));
  await new Promise((r) => setTimeout(r, 50));
  split.write(body(0));
  const viaHttp = await split.response();
  assert.is(fast.head, viaHttp.head);
  assert.is(fast.body, viaHttp.body);
  assert.match(fast.head, /^HTTP\/1\.1 200 OK\r\ncontent-type: application\/json; charset=utf-8\r\ncontent-length: \d+\r\nConnection: keep-alive\r\nKeep-Alive: timeout=0$/);
  assert.is(JSON.parse(fast.body).predictions.length, 1);
  atSocket.socket.destroy();
  split.socket.destroy();
  assert.is(Number(predictions((await get(`${server.url}/metrics`)).text)), before + 2);
});

test("pipelined requests the socket does not take hand the connection over: every answer, in order", async () => {
  const c = new Conn(server.url);
  const invalid = JSON.stringify({ instances: [{ PC1: "x" }] });
  c.write(request(body(1)) + request(body(2)) + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + request(invalid) + request(body(3)));
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(await c.response());
  const status = answers.map((a) => Number(a.head.slice(9, 12)));
  assert.equal(status, [200, 200, 200, 400, 200]);
  assert.is(JSON.parse(answers[2]!.body).status, "healthy");
  assert.match(JSON.parse(answers[3]!.body).error, /instances\[0\]/);
  // The same instances answered at the socket and by node:http: the same predictions.
  const again = new Conn(server.url);
  again.write(request(body(3)));
  assert.is((await again.response()).body, answers[4]!.body);
  c.socket.destroy();
  again.socket.destroy();
});

test("a new connection that sends nothing gets the 408 node:http's would; an idle one after an answer is closed", async () => {
  const idle = new Conn(server.url);
  const timedOut = await idle.response();
  assert.match(timedOut.head, /^HTTP\/1\.1 408/);
  await idle.done;
  const kept = new Conn(server.url);
  kept.write(request(body(0)));
  assert.match((await kept.response()).head, /^HTTP\/1\.1 200/);
  // --keep-alive-timeout is 400 ms here: closed within seconds, with nothing more sent.
  await Promise.race([kept.done, new Promise((_, reject) => setTimeout(() => reject(new Error("not closed")), 5000))]);
});

test("closing the server closes the connections read at the socket and finishes", async () => {
  const own = await serve(model, { maxInstances: 50 });
  const c = new Conn(own.url);
  c.write(request(body(0)));
  assert.match((await c.response()).head, /^HTTP\/1\.1 200/);
  await Promise.race([own.close(), new Promise((_, reject) => setTimeout(() => reject(new Error("close hung")), 5000))]);
  await c.done;
  assert.ok(c.closed);
});

test.run();
