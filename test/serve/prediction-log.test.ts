// The prediction log: one line per prediction with the fields a drift check reads, rotation by
// size keeping N files, and an unwritable log reported on /ready and /metrics without stopping /predict.
import { mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunArtifacts } from "../../src/pipeline/jobs/run-artifacts.js";
import { PredictionLog } from "../../src/serve/prediction-log.js";
import { get, post, serve, smallModel } from "../helpers/serve.js";

let tmp = "";
let model = "";
let run: RunArtifacts;

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-serve-log-"));
  ({ path: model, run } = await smallModel(tmp));
});

test.after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const d = 15;
const featureRows = (n: number) => Array.from({ length: n }, (_, i) => Array.from(run.kept.matrix.data.subarray(i * d, (i + 1) * d)));
const lines = async (path: string) => (await readFile(path, "utf8")).split("\n").filter((l) => l !== "");

test("every prediction is one JSON line: time, model, latency, features (or components), cluster, outlier", async () => {
  const path = join(tmp, "log", "predictions.jsonl");
  await mkdir(join(tmp, "log"));
  const server = await serve(model, { logPath: path });
  const rows = featureRows(7);
  const r1 = await post(`${server.url}/predict`, { instances: rows });
  const p = server.model().nComponents;
  const r2 = await post(`${server.url}/predict`, { instances: [Array(p).fill(0.5)] });
  assert.is(r1.status, 200);
  assert.is(r2.status, 200);
  await server.close();
  const logged = (await lines(path)).map((l) => JSON.parse(l));
  assert.is(logged.length, 8);
  logged.slice(0, 7).forEach((entry, i) => {
    assert.equal(Object.keys(entry), ["time", "model", "latencyMs", "features", "cluster", "outlier"]);
    assert.ok(!Number.isNaN(Date.parse(entry.time)));
    assert.is(entry.model, server.model().id);
    assert.ok(entry.latencyMs >= 0);
    assert.equal(entry.features, rows[i]);
    assert.is(entry.cluster, r1.body.predictions[i].cluster);
    assert.is(entry.outlier, r1.body.predictions[i].outlier);
  });
  assert.equal(logged[7].components, Array(p).fill(0.5));
  assert.is(logged[7].outlier, null);
});

test("rotation by size keeps the live file and N rotated ones, and loses no line", async () => {
  const dir = join(tmp, "rotate");
  await mkdir(dir);
  const path = join(dir, "p.jsonl");
  const server = await serve(model, { logPath: path, logMaxBytes: 4096, logFiles: 2, logFlushInterval: 1 });
  let sent = 0;
  for (let i = 0; i < 12; i++) {
    const r = await post(`${server.url}/predict`, { instances: featureRows(5) });
    assert.is(r.status, 200);
    sent += 5;
    await server.log!.flush();
  }
  await server.close();
  const files = (await readdir(dir)).sort();
  assert.equal(files, ["p.jsonl", "p.jsonl.1", "p.jsonl.2"]);
  let kept = 0;
  for (const f of files) kept += (await lines(join(dir, f))).length;
  assert.ok(server.log!.rotations > 2);
  // Lines in files rotated out of the window are gone by design; the counter still has them.
  assert.is(server.log!.linesWritten, sent);
  assert.ok(kept > 0 && kept <= sent);
});

test("an unwritable log: /ready 503 with the reason, /metrics says so, /predict keeps answering", async () => {
  const dir = join(tmp, "locked");
  await mkdir(dir);
  const path = join(dir, "p.jsonl");
  // A directory where the file should be: opening it for append fails, whatever the user's rights.
  await mkdir(path);
  const server = await serve(model, { logPath: path, logFlushInterval: 1 });
  try {
    const r = await post(`${server.url}/predict`, { instances: featureRows(3) });
    assert.is(r.status, 200);
    await server.log!.flush();
    const ready = await get(`${server.url}/ready`);
    assert.is(ready.status, 503);
    assert.is(ready.body.ready, false);
    assert.match(ready.body.reason, /prediction log .*p\.jsonl/);
    const metrics = (await get(`${server.url}/metrics`)).text;
    assert.match(metrics, /custseg_prediction_log_ok 0/);
    assert.match(metrics, /custseg_prediction_log_lines_dropped_total 3/);
    assert.is((await post(`${server.url}/predict`, { instances: featureRows(2) })).status, 200);
    // Flushed while still broken, so these two are dropped whatever the timer did meanwhile.
    await server.log!.flush();
    // Fixed on disk: the next flush writes again and /ready recovers.
    await rm(path, { recursive: true });
    assert.is((await post(`${server.url}/predict`, { instances: featureRows(2) })).status, 200);
    await server.log!.flush();
    assert.is((await get(`${server.url}/ready`)).status, 200);
    assert.is((await lines(path)).length, 2);
  } finally {
    await server.close();
  }
});

test("a full disk (ENOSPC from /dev/full) is reported as such", async () => {
  const log = new PredictionLog({ path: "/dev/full", maxBytes: 1 << 30, files: 1, flushInterval: 1 });
  const scored = { rows: 1, nComponents: 1, cluster: Int32Array.of(0), distance: Float64Array.of(1), secondDistance: Float64Array.of(2), outlierScore: Float64Array.of(Number.NaN), outlier: Int8Array.of(-1), components: Float64Array.of(0) };
  log.append(Date.now(), 1, "m", { kind: "components", rows: 1, data: Float64Array.of(0), where: "instances" }, scored);
  await log.close();
  assert.equal(log.status(), { ok: false, reason: "prediction log /dev/full: the disk is full" });
  assert.is(log.linesDropped, 1);
});

test("the log's bytes are each line's JSON text exactly: any number's shortest text, a non-ASCII model name, across chunks", async () => {
  const dir = join(tmp, "exact");
  await mkdir(dir);
  const path = join(dir, "p.jsonl");
  const log = new PredictionLog({ path, maxBytes: 1 << 30, files: 1, flushInterval: 60_000 });
  // The longest shortest-round-trip texts (fixed and exponential forms), signs, integers past 2^53, subnormals.
  const extremes = [-0.0000012345678901234567, -1.2345678901234567e-308, 1.7976931348623157e308, 5e-324, -123456789012345680000, 1e21, 1e-7, -0, 0.1 + 0.2, 12, -2.5357450225545453];
  const cols = 15;
  // Past a 256 KB chunk in one request, so lines continue in a second chunk.
  const rows = 2000;
  const data = Float64Array.from({ length: rows * cols }, (_, i) => {
    const v = extremes[i % extremes.length]! * (i % 3 === 0 ? 1 : Math.PI);
    return Number.isFinite(v) ? v : extremes[i % extremes.length]!;
  });
  const cluster = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % 2_000_000_000);
  const outlier = Int8Array.from({ length: rows }, (_, i) => (i % 3) - 1);
  const scored = { rows, nComponents: 2, cluster, distance: new Float64Array(rows), secondDistance: new Float64Array(rows), outlierScore: new Float64Array(rows), outlier, components: new Float64Array(rows * 2) };
  const time = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  const model = "Kundensegmente/Größe ☕/3";
  log.append(time, 1.23456, model, { kind: "features", rows, data, where: "instances" }, scored);
  log.append(time + 1, 0.5, model, { kind: "components", rows: 1, data: Float64Array.of(-0, 1e21), where: "instances" }, { ...scored, rows: 1 });
  await log.close();
  const head = (t: number, ms: string, kind: string) => `{"time":"${new Date(t).toISOString()}","model":${JSON.stringify(model)},"latencyMs":${ms},"${kind}":[`;
  const flag = (f: number) => (f === 1 ? "true" : f === 0 ? "false" : "null");
  let want = "";
  for (let i = 0; i < rows; i++) {
    const values = Array.from(data.subarray(i * cols, (i + 1) * cols), (v) => String(v)).join(",");
    want += `${head(time, "1.235", "features")}${values}],"cluster":${cluster[i]},"outlier":${flag(outlier[i]!)}}\n`;
  }
  want += `${head(time + 1, "0.500", "components")}0,1e+21],"cluster":${cluster[0]},"outlier":${flag(outlier[0]!)}}\n`;
  const bytes = await readFile(path);
  assert.ok(bytes.length > 256 * 1024, "more than one chunk's worth");
  assert.is(bytes.toString("utf8"), want);
  assert.is(log.bytesWritten, Buffer.byteLength(want));
  assert.is(log.linesWritten, rows + 1);
  // Every line is JSON holding the same values.
  const first = JSON.parse(want.slice(0, want.indexOf("\n")));
  assert.equal(first.features, Array.from(data.subarray(0, cols), (v) => (Object.is(v, -0) ? 0 : v)));
});

test.run();
