// Fuzz: 10,000+ requests from a seeded mutator over valid bodies (wrong types, "NaN"/"Infinity"
// strings, 1e400, missing and extra fields, deep nesting, huge arrays, invalid UTF-8, truncated
// JSON, flipped bytes, wrong methods and content types) against `custseg serve` as a real process.
// No answer may be a 5xx, the server must still answer correctly at the end, and its resident
// memory may grow by at most 50 MB. Also: slow clients cannot hold it, and connections are capped.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/engine/rng.js";
import { FEATURE_NAMES } from "../../src/pipeline/steps/features.js";
import { get, post, type ServeProcess, smallModel, spawnServe } from "../helpers/serve.js";

const REQUESTS = 10_000;
// V8's heap grows to its working size over the first ~3,000 requests of this mix (resident memory
// then stays flat within a few MB for 30,000 more), so growth is measured from after a warm-up of
// the same mix: that separates a leak from the heap settling.
const WARMUP = 3_000;
const CONCURRENCY = 8;
const BODY_LIMIT = 256 * 1024;

let tmp = "";
let server: ServeProcess;
let p = 0;

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-serve-fuzz-"));
  const model = (await smallModel(tmp)).path;
  server = await spawnServe([
    "--model", model, "--log", join(tmp, "fuzz.jsonl"), "--body-limit", String(BODY_LIMIT), "--max-instances", "1000",
    "--headers-timeout", "500", "--request-timeout", "1000", "--max-connections", "64",
  ]);
  p = (await get(`${server.url}/metadata`)).body.inputs.components.length;
});

test.after(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
  await rm(tmp, { recursive: true, force: true });
});

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

/** One seeded mutation of a valid request: method, path, content type and body bytes. */
class Mutator {
  constructor(private readonly rng: Rng) {}
  private pick<T>(xs: readonly T[]): T {
    return xs[this.rng.nextInt(xs.length)]!;
  }
  private value(): number {
    return (this.rng.nextFloat() - 0.5) * 10 ** this.rng.nextInt(6);
  }
  private instance(): unknown {
    switch (this.rng.nextInt(4)) {
      case 0:
        return Object.fromEntries(Array.from({ length: p }, (_, j) => [`PC${j + 1}`, this.value()]));
      case 1:
        return Object.fromEntries(FEATURE_NAMES.map((f) => [f, Math.abs(this.value())]));
      case 2:
        return Array.from({ length: p }, () => this.value());
      default:
        return FEATURE_NAMES.map(() => Math.abs(this.value()));
    }
  }
  private valid(): { path: string; body: Record<string, unknown> } {
    const instances = Array.from({ length: 1 + this.rng.nextInt(5) }, () => this.instance());
    if (this.rng.nextInt(3) > 0) return { path: "/predict", body: { instances } };
    const rows = Array.from({ length: 1 + this.rng.nextInt(5) }, () => Array.from({ length: p }, () => this.value()));
    const columns = Array.from({ length: p }, (_, j) => `PC${j + 1}`);
    return { path: "/invocations", body: this.pick([{ dataframe_split: { columns, data: rows } }, { inputs: rows }, { instances }, { dataframe_records: instances.filter((x) => !Array.isArray(x)) }]) };
  }
  private bad(): unknown {
    return this.pick<unknown>(["NaN", "Infinity", "-Infinity", "1", "", null, true, {}, [], [1, [2]], { a: 1 }, "🙂", -0]);
  }
  /** A random spot in the JSON tree gets replaced, deleted, or gets a sibling. */
  private mutateTree(node: unknown, depth = 0): unknown {
    if (node === null || typeof node !== "object" || depth > 6) return this.rng.nextInt(4) === 0 ? this.bad() : node;
    if (Array.isArray(node)) {
      const out = node.map((x) => (this.rng.nextInt(3) === 0 ? this.mutateTree(x, depth + 1) : x));
      if (this.rng.nextInt(5) === 0) out.splice(this.rng.nextInt(out.length + 1), 0, this.bad());
      if (this.rng.nextInt(5) === 0 && out.length > 0) out.splice(this.rng.nextInt(out.length), 1);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const r = this.rng.nextInt(8);
      if (r === 0) continue; // missing field
      out[r === 1 ? `${k}_x` : k] = this.rng.nextInt(3) === 0 ? this.mutateTree(v, depth + 1) : v;
    }
    if (this.rng.nextInt(4) === 0) out[this.pick(["extra", "PC99", "__proto__x", "Total_Spend", "constructor"])] = this.bad();
    return out;
  }

  next(): { method: string; path: string; type: string | null; body: Uint8Array | string | null } {
    const { path, body } = this.valid();
    const json = "application/json";
    const text = () => JSON.stringify(body);
    const enc = (s: string) => new TextEncoder().encode(s);
    switch (this.rng.nextInt(16)) {
      case 0:
        return { method: "POST", path, type: json, body: text() };
      case 1:
      case 2:
      case 3:
      case 4:
        return { method: "POST", path, type: json, body: JSON.stringify(this.mutateTree(body)) };
      case 5: {
        // Numbers out of the double range, or written as strings.
        const t = text().replace(/-?\d+\.\d+(e[+-]?\d+)?/, this.pick(["1e400", "-1e400", '"NaN"', '"Infinity"', "1e-400", "0x10", "01", "NaN", "Infinity"]));
        return { method: "POST", path, type: json, body: t };
      }
      case 6: {
        // Deep enough to break a recursive parser, shallow enough to keep the run short.
        const depth = 1 + this.rng.nextInt(20_000);
        const open = this.pick(["[", '{"a":']);
        return { method: "POST", path, type: json, body: `{"instances":${open.repeat(depth)}1${(open === "[" ? "]" : "}").repeat(this.rng.nextInt(2) ? depth : 0)}}` };
      }
      case 7: {
        const n = this.pick([1001, 5000, 50_000]);
        const huge = this.rng.nextInt(2) ? `{"instances":[${"[1,2,3,4,5,6],".repeat(n)}[1]]}` : `{"instances":[[${"1,".repeat(n)}1]]}`;
        return { method: "POST", path, type: json, body: huge };
      }
      case 8: {
        const bytes = enc(text());
        for (let k = 0; k < 1 + this.rng.nextInt(4); k++) bytes[this.rng.nextInt(bytes.length)] = this.pick([0xff, 0xfe, 0xc0, 0x80, 0xed, 0x00]);
        return { method: "POST", path, type: json, body: bytes };
      }
      case 9:
        return { method: "POST", path, type: json, body: text().slice(0, this.rng.nextInt(text().length)) };
      case 10: {
        const bytes = enc(text());
        for (let k = 0; k < 1 + this.rng.nextInt(8); k++) bytes[this.rng.nextInt(bytes.length)] = this.rng.nextInt(128);
        return { method: "POST", path, type: json, body: bytes };
      }
      case 11:
        return { method: this.pick(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]), path: this.pick([path, "/health", "/metrics", "/x"]), type: json, body: null };
      case 12:
        return { method: "POST", path, type: this.pick(["text/plain", "text/csv", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=latin1", "", "application/x-ndjson"]), body: text() };
      case 13: {
        const cols = Array.from({ length: p }, (_, j) => `PC${j + 1}`);
        const rows = Array.from({ length: 3 }, () => Array.from({ length: p }, () => this.pick(["1", "x", "", "NaN", "1e400", '"2"', "3,4"])).join(","));
        return { method: "POST", path: "/invocations", type: "text/csv", body: `${cols.join(",")}\n${rows.join("\n")}` };
      }
      case 14:
        return { method: "POST", path, type: json, body: "x".repeat(BODY_LIMIT + 1 + this.rng.nextInt(1000)) };
      default:
        return { method: "POST", path, type: json, body: this.pick(["", "null", "[]", '"instances"', "{}", '{"instances":{}}', '{"instances":[]}', '{"__proto__":{"x":1}}', '{"instances":[1],"instances":[2]}']) };
    }
  }
}

test(`${WARMUP} + ${REQUESTS} mutated requests: no 5xx, the server still answers, RSS grows ≤ 50 MB over the last ${REQUESTS}`, async () => {
  const mutator = new Mutator(new Rng(20261130));
  const statuses = new Map<number, number>();
  const fiveXX: string[] = [];
  let sent = 0;
  let rssBefore = 0;
  const worker = async () => {
    while (sent < WARMUP + REQUESTS) {
      const i = sent++;
      if (i === WARMUP) rssBefore = rssMb(server.child.pid!);
      const req = mutator.next();
      const headers: Record<string, string> = {};
      if (req.type !== null) headers["content-type"] = req.type;
      const status = await fetch(`${server.url}${req.path}`, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : (req.body as BodyInit | null) })
        .then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        })
        .catch(() => -1);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // A body over the limit may be answered 413 and the connection closed while the client is still
      // sending it; the client then sees a reset instead of the status. Anything else must answer.
      const oversize = typeof req.body === "string" && Buffer.byteLength(req.body) > BODY_LIMIT;
      if (status >= 500 || (status === -1 && !oversize)) fiveXX.push(`${status} ${req.method} ${req.path} ${req.type} ${String(req.body).slice(0, 120)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const rssAfter = rssMb(server.child.pid!);
  const summary = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(", ");
  console.log(`fuzz: ${WARMUP} + ${REQUESTS} requests; status counts ${summary}; RSS ${rssBefore.toFixed(1)} → ${rssAfter.toFixed(1)} MB`);
  assert.equal(fiveXX, [], summary);
  assert.ok((statuses.get(200) ?? 0) > 500, `too few valid requests got through: ${summary}`);
  assert.ok((statuses.get(400) ?? 0) > 2000, summary);
  assert.ok(rssAfter - rssBefore <= 50, `RSS grew from ${rssBefore.toFixed(1)} MB to ${rssAfter.toFixed(1)} MB`);
  const ok = await post(`${server.url}/predict`, { instances: [Array(p).fill(0)] });
  assert.is(ok.status, 200);
  const metrics = (await get(`${server.url}/metrics`)).text;
  assert.not.match(metrics, /custseg_http_requests_total\{[^}]*status="5\d\d"\}/);
});

test("a client that sends its headers slowly is cut off at --headers-timeout", async () => {
  const { hostname, port } = new URL(server.url);
  const closed = await new Promise<string>((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write("POST /predict HTTP/1.1\r\nHost: x\r\n"));
    let reply = "";
    socket.on("data", (d) => (reply += d.toString()));
    socket.on("close", () => resolve(reply));
    socket.on("error", () => undefined);
  });
  assert.match(closed, /^HTTP\/1\.1 408/);
  assert.is((await get(`${server.url}/health`)).status, 200);
});

test("connections beyond --max-connections are refused; the server keeps serving", async () => {
  const { hostname, port } = new URL(server.url);
  const open = (): Promise<{ socket: ReturnType<typeof connect>; closed: Promise<void> }> =>
    new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => resolve({ socket, closed }));
      const closed = new Promise<void>((r) => socket.on("close", () => r()));
      socket.on("error", () => undefined);
    });
  const sockets = await Promise.all(Array.from({ length: 70 }, open));
  // Closed by the server at once, not after a timeout: at least the 6 past the cap.
  const states = await Promise.all(sockets.map(({ closed }) => Promise.race([closed.then(() => "closed"), new Promise((r) => setTimeout(() => r("open"), 300))])));
  assert.ok(states.filter((s) => s === "closed").length >= 6, String(states));
  for (const { socket } of sockets) socket.destroy();
  assert.is((await get(`${server.url}/health`)).status, 200);
});

test.run();
