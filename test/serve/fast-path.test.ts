// The /predict fast path (src/serve/fast-path.ts) against fastify's route on the same bodies: a body
// sent with its length declared goes to the fast path; the same bytes sent chunked (no declared
// length) go to fastify's route. Status, content type, content length and body must be the same
// bytes, for valid bodies and invalid ones (which the fast path hands to fastify after reading
// them). Then the listener on its own: which requests it takes, and that a request it hands over
// reaches fastify's side with the bytes it read.
import { readFile, writeFile, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunArtifacts } from "../../src/pipeline/jobs/run-artifacts.js";
import { type FastPathOptions, fastPathListener } from "../../src/serve/fast-path.js";
import type { ReplayBodies } from "../../src/serve/replay.js";
import type { RunningServer } from "../../src/serve/server.js";
import { get, serve, smallModel } from "../helpers/serve.js";

let tmp = "";
let run: RunArtifacts;
let server: RunningServer;
/** The same model with its own (ASCII) names: its answers are sent as Latin-1. */
let ascii: RunningServer;
let p = 0;
let features: string[] = [];

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-serve-fast-path-"));
  const small = await smallModel(tmp);
  run = small.run;
  // Cluster names and a product description beyond ASCII: the fast path counts the reply's bytes
  // from its pieces, so multi-byte text must come out with the same content-length.
  const model = JSON.parse(await readFile(small.path, "utf8"));
  model.clusters.forEach((c: { name: string }, i: number) => {
    c.name = i === 0 ? "Café ☕ 🙂 buyers" : `${c.name} — ü`;
  });
  const renamed = join(tmp, "model-utf8.json");
  await writeFile(renamed, JSON.stringify(model));
  server = await serve(renamed, { maxInstances: 50, bodyLimit: 64 * 1024, deployedModelId: "déploiement-7" });
  ascii = await serve(small.path, { maxInstances: 50, bodyLimit: 64 * 1024 });
  p = server.model().nComponents;
  features = [...server.model().features];
});

test.after(async () => {
  await server?.close();
  await ascii?.close();
  await rm(tmp, { recursive: true, force: true });
});

interface Raw {
  status: number;
  type: string | undefined;
  length: string | undefined;
  body: Buffer;
}

/** POST `body` with content-length (the fast path's requests) or chunked (fastify's). */
function postRaw(url: string, body: string | Buffer, chunked: boolean, type = "application/json"): Promise<Raw> {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const headers: Record<string, string | number> = { "content-type": type };
  if (chunked) headers["transfer-encoding"] = "chunked";
  else headers["content-length"] = bytes.length;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, type: res.headers["content-type"], length: res.headers["content-length"], body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    // Chunked: two chunks, so fastify's reader also joins pieces.
    if (chunked && bytes.length > 1) {
      req.write(bytes.subarray(0, bytes.length >> 1));
      req.end(bytes.subarray(bytes.length >> 1));
    } else {
      req.end(bytes);
    }
  });
}

const pcs = (i: number) => Object.fromEntries(Array.from({ length: p }, (_, j) => [`PC${j + 1}`, run.reduced.scores.data[i * p + j]!]));
const featureRow = (i: number) => Array.from(run.kept.matrix.data.subarray(i * features.length, (i + 1) * features.length));
const named = (i: number) => Object.fromEntries(featureRow(i).map((v, j) => [features[j]!, v]));

const valid = (): unknown[] => [
  { instances: [pcs(0)] },
  { instances: [0, 1, 2, 3, 4].map(pcs) },
  { instances: Array.from({ length: 40 }, (_, i) => named(i)) },
  { instances: Array.from({ length: 7 }, (_, i) => featureRow(i)) },
  { instances: [Array(p).fill(0)], parameters: { anything: [1, "two"] } },
  { instances: [featureRow(3).map((v) => -v)] },
];

const zeros = () => JSON.stringify(Array(p).fill(0));
const invalid = (): string[] => [
  JSON.stringify({ instances: [pcs(0), { ...pcs(1), PC2: "12" }] }),
  JSON.stringify({ instances: [named(0), { ...named(1), Hour: undefined }] }),
  JSON.stringify({ instances: [{ ...named(0), Colour: 1 }] }),
  JSON.stringify({ instances: [[1, 2, 3]] }),
  JSON.stringify({ instances: [pcs(0), named(1)] }),
  JSON.stringify({ instances: [] }),
  JSON.stringify({ instances: Array.from({ length: 51 }, () => pcs(0)) }),
  JSON.stringify({ instance: [pcs(0)] }),
  JSON.stringify({ instances: [pcs(0)], extra: 1 }),
  JSON.stringify({ instances: [null] }),
  '{"instances":[{"PC1":1e400}]}',
  '{"instances":[{"PC1":1,',
  "null",
  "[]",
  // Valid for the instance readers; fastify's parser refuses the keys.
  `{"instances":[${zeros()}],"parameters":{"__proto__":{"x":1}}}`,
  `{"instances":[${zeros()}],"parameters":{"constructor":{"prototype":{}}}}`,
  `{"instances":[${zeros()}],"\\u005f_proto__":1}`,
  "{}",
];

async function same(body: string | Buffer, what: string, on = server): Promise<Raw> {
  const fast = await postRaw(`${on.url}/predict`, body, false);
  const route = await postRaw(`${on.url}/predict`, body, true);
  assert.is(fast.status, route.status, `${what}: status`);
  assert.is(fast.type, route.type, `${what}: content-type`);
  assert.is(fast.length, route.length, `${what}: content-length`);
  assert.is(fast.body.toString("utf8"), route.body.toString("utf8"), `${what}: body`);
  assert.is(Number(fast.length), fast.body.length, `${what}: content-length is the body's length`);
  return fast;
}

test("valid bodies: the fast path's reply is byte for byte the route's, multi-byte names included", async () => {
  for (const body of valid()) {
    const r = await same(JSON.stringify(body), JSON.stringify(body).slice(0, 80));
    assert.is(r.status, 200);
    const parsed = JSON.parse(r.body.toString("utf8"));
    assert.is(parsed.deployedModelId, "déploiement-7");
    assert.is(parsed.predictions.length, (body as { instances: unknown[] }).instances.length);
  }
  for (const body of valid()) assert.is((await same(JSON.stringify(body), `ASCII model: ${JSON.stringify(body).slice(0, 60)}`, ascii)).status, 200);
  const names = JSON.parse((await same(JSON.stringify({ instances: [0, 1, 2, 3, 4, 5, 6, 7].map(pcs) }), "names")).body.toString("utf8"));
  assert.ok(names.predictions.some((x: { name: string }) => x.name.includes("🙂") || x.name.includes("—")));
});

test("invalid bodies: the same status and error, worded by the route", async () => {
  for (const body of invalid()) {
    const r = await same(body, body.slice(0, 80));
    assert.ok(r.status === 400, `${body.slice(0, 80)} → ${r.status} ${r.body}`);
    assert.match(JSON.parse(r.body.toString("utf8")).error, /\S/);
  }
  // Bytes that are not UTF-8, in a body that is otherwise valid JSON.
  const bytes = Buffer.from(JSON.stringify({ instances: [pcs(0)], parameters: { note: "xx" } }));
  bytes[bytes.indexOf("xx")] = 0xff;
  assert.is((await same(bytes, "invalid UTF-8 in a string")).status, 200);
  // A byte-order mark: JSON.parse refuses it, fastify's parser skips it; the route answers.
  assert.is((await same(`\ufeff${JSON.stringify({ instances: [pcs(0)] })}`, "a byte-order mark")).status, 200);
});

test("metrics count the fast path's answers by route and status, and its predictions by cluster", async () => {
  const before = await get(`${server.url}/metrics`);
  const count = (text: string, re: RegExp) => [...text.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
  const ok = /^custseg_http_requests_total\{route="\/predict",status="200"\} (\d+)$/gm;
  const predicted = /^custseg_predictions_total\{cluster="\d+"\} (\d+)$/gm;
  const latency = /^custseg_http_request_duration_seconds_count\{route="\/predict"\} (\d+)$/gm;
  for (let i = 0; i < 5; i++) assert.is((await postRaw(`${server.url}/predict`, JSON.stringify({ instances: [pcs(i), pcs(i + 1)] }), false)).status, 200);
  const after = await get(`${server.url}/metrics`);
  assert.is(count(after.text, ok) - count(before.text, ok), 5);
  assert.is(count(after.text, predicted) - count(before.text, predicted), 10);
  assert.is(count(after.text, latency) - count(before.text, latency), 5);
});

test("a client gone before its body arrived whole: nothing answered or counted, the server keeps serving", async () => {
  const ok = /^custseg_http_requests_total\{route="\/predict",status="\d+"\} (\d+)$/gm;
  const count = (text: string) => [...text.matchAll(ok)].reduce((s, m) => s + Number(m[1]), 0);
  const before = count((await get(`${server.url}/metrics`)).text);
  const { hostname, port } = new URL(server.url);
  await new Promise<void>((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"instances":`);
      setTimeout(() => socket.destroy(), 100);
    });
    socket.on("close", () => resolve());
    socket.on("error", () => undefined);
  });
  const r = await postRaw(`${server.url}/predict`, JSON.stringify({ instances: [pcs(0)] }), false);
  assert.is(r.status, 200);
  assert.is(count((await get(`${server.url}/metrics`)).text), before + 1);
});

/** The listener alone: `handle` answers {"ok":true} bodies; the fallback says what it got. */
async function listener(over: Partial<FastPathOptions> = {}): Promise<{ url: string; server: Server; handled: unknown[]; recorded: number[] }> {
  const handled: unknown[] = [];
  const recorded: number[] = [];
  const bodies: ReplayBodies = new WeakMap();
  const fallback = (req: IncomingMessage, res: ServerResponse) => {
    const replayed = bodies.get(req);
    const chunks: Buffer[] = [];
    const answer = (how: string, body: Buffer) => res.writeHead(299, { "content-type": "text/plain" }).end(`${how}:${body.toString("utf8")}`);
    if (replayed !== undefined) return answer("replayed", replayed);
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => answer("unread", Buffer.concat(chunks)));
  };
  const opts: FastPathOptions = {
    route: "/p",
    bodyLimit: 100,
    handle: (body) => {
      handled.push(body);
      if ((body as { ok?: unknown }).ok === "throw") throw new Error("refused");
      return (body as { ok?: unknown }).ok === true ? { text: "yes ☕", bytes: Buffer.byteLength("yes ☕") } : null;
    },
    record: (s) => recorded.push(s),
    closing: () => false,
    ...over,
  };
  const server = createServer(fastPathListener(opts, bodies, fallback));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, handled, recorded };
}

test("the listener: what it answers, what it hands over unread, what it hands over read", async () => {
  const l = await listener();
  try {
    const ok = await postRaw(`${l.url}/p`, '{"ok":true}', false);
    assert.is(ok.status, 200);
    assert.is(ok.body.toString("utf8"), "yes ☕");
    assert.is(ok.type, "application/json; charset=utf-8");
    assert.is(l.recorded.length, 1);
    // Decided by the headers: handed over with the body unread.
    const unread: [string, Promise<Raw>][] = [
      ["another route", postRaw(`${l.url}/q`, '{"ok":true}', false)],
      ["a query string", postRaw(`${l.url}/p?x=1`, '{"ok":true}', false)],
      ["another type", postRaw(`${l.url}/p`, '{"ok":true}', false, "text/plain")],
      ["a json variant", postRaw(`${l.url}/p`, '{"ok":true}', false, "application/x-ndjson")],
      ["chunked", postRaw(`${l.url}/p`, '{"ok":true}', true)],
      ["over the limit", postRaw(`${l.url}/p`, `{"ok":true,"pad":"${"x".repeat(100)}"}`, false)],
      ["empty", postRaw(`${l.url}/p`, "", false)],
    ];
    for (const [what, reply] of unread) {
      const r = await reply;
      assert.is(r.status, 299, what);
      assert.match(r.body.toString("utf8"), /^unread:/, what);
    }
    // Read, then handed over with the same bytes: not JSON, a possible __proto__ key, refused or throwing.
    for (const body of ['{"ok":tru', '{"ok":true,"__proto__":{}}', '{"ok":true,"k":"\\u0041"}', '{"ok":false}', '{"ok":"throw"}']) {
      const r = await postRaw(`${l.url}/p`, body, false);
      assert.is(r.status, 299, body);
      assert.is(r.body.toString("utf8"), `replayed:${body}`);
    }
    assert.is(l.recorded.length, 1, "only answered requests are recorded");
    assert.equal(l.handled, [{ ok: true }, { ok: false }, { ok: "throw" }]);
  } finally {
    l.server.close();
  }
});

test("the listener hands everything over while the server is closing", async () => {
  const l = await listener({ closing: () => true });
  try {
    const r = await postRaw(`${l.url}/p`, '{"ok":true}', false);
    assert.is(r.body.toString("utf8"), 'unread:{"ok":true}');
    assert.equal(l.handled, []);
  } finally {
    l.server.close();
  }
});

test.run();
