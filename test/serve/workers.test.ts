// `custseg serve --workers N` as real processes: the guarantees of one server process hold for the
// whole server. One prediction log written by the primary, holding a line for every prediction any
// worker answered; /metrics counting every worker's requests; /ready reporting the primary's log in
// every worker; SIGTERM draining every worker; SIGHUP checking a model once and reloading every
// worker without a failed request; a worker that dies replaced, and the server stopped after a few
// rapid deaths; the same model identity whichever worker answers; an address in use worded once;
// with --port 0, workers that replace them all still on the first workers' port.
// (--workers's bound: test/cli/flags.test.ts.)
import { copyFile, mkdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertFailure, runCli } from "../helpers/cli.js";
import { childPids, get, hammer, once, reloadUnderLoad, type ServeProcess, spawnServe, twoModels, waitFor } from "../helpers/serve.js";

let tmp = "";
let modelA = "";
let modelB = "";

test.before(async () => {
  ({ tmp, modelA, modelB } = await twoModels("workers"));
});

test.after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const lineCount = async (path: string) => (await readFile(path, "utf8")).split("\n").filter((l) => l !== "").length;
/** The sum of a metric's samples whose labels include `labels` (text such as `route="/predict"`). */
const metric = (text: string, name: string, labels = "") =>
  [...text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, "gm"))].filter((m) => (m[1] ?? "").includes(labels)).reduce((sum, m) => sum + Number(m[2]), 0);

test("startup: one listening line once every worker listens, on the real port of port 0; the same identity from every worker", async () => {
  const s = await spawnServe(["--model", modelA, "--log", "off", "--workers", "3"]);
  try {
    assert.is(s.stderr().match(/ on http:/g)?.length, 1);
    assert.match(s.stderr(), /; 3 workers\n/);
    assert.not.match(s.url, /:0$/);
    await waitFor("three workers", () => childPids(s.child.pid!).length === 3);
    // Each request on a connection of its own: the primary hands connections to the workers in turn.
    for (const route of ["/metadata", "/health", "/version", "/ready"]) {
      const replies = await Promise.all(Array.from({ length: 6 }, () => once(`${s.url}${route}`)));
      assert.equal(new Set(replies.map((r) => r.text)).size, 1, route);
      assert.is(replies[0]!.status, 200, route);
    }
    const p = (await get(`${s.url}/metadata`)).body.inputs.components.length;
    const answers = await Promise.all(Array.from({ length: 6 }, () => once(`${s.url}/predict`, "POST", { instances: [Array(p).fill(0.25)] })));
    assert.equal(new Set(answers.map((r) => r.text)).size, 1);
    assert.is(answers[0]!.body.deployedModelId, (await get(`${s.url}/metadata`)).body.deployedModelId);
  } finally {
    s.child.kill("SIGTERM");
    await s.exited;
  }
});

test("load on two workers, then SIGTERM: every worker drains, the log holds a line for every prediction answered, /metrics counted them all, exit 0", async () => {
  const log = join(tmp, "drain.jsonl");
  const s = await spawnServe(["--model", modelA, "--log", log, "--workers", "2"]);
  try {
    await drainedUnderLoad(s, log);
  } finally {
    s.child.kill("SIGKILL");
  }
});

async function drainedUnderLoad(s: ServeProcess, log: string) {
  const p = (await get(`${s.url}/metadata`)).body.inputs.components.length;
  // Requests on connections of their own alternate between the workers: counted by one, /metrics would say half.
  const single = 20;
  for (let i = 0; i < single; i++) assert.is((await once(`${s.url}/predict`, "POST", { instances: [Array(p).fill(i / 10)] })).status, 200);
  const metrics = (await get(`${s.url}/metrics`)).text;
  assert.is(metric(metrics, "custseg_predictions_total"), single);
  assert.is(metric(metrics, "custseg_http_requests_total", 'route="/predict",status="200"'), single);
  assert.is(metric(metrics, "custseg_http_request_duration_seconds_count", 'route="/predict"'), single);
  assert.is(metric(metrics, "custseg_model_info"), 1);
  assert.is(metric(metrics, "custseg_prediction_log_ok"), 1);

  let stopLoad!: () => void;
  const load = hammer(s.url, p, 8, new Promise<void>((r) => (stopLoad = r)));
  await waitFor("some traffic", async () => metric((await get(`${s.url}/metrics`)).text, "custseg_predictions_total") > single + 500);
  s.child.kill("SIGTERM");
  const code = await s.exited;
  stopLoad();
  const statuses = await load;
  assert.is(code, 0);
  assert.is(s.stderr().match(/SIGTERM: draining/g)?.length, 1);
  const ok = statuses.filter((x) => x === 200).length;
  assert.ok(statuses.every((x) => x === 200 || x === -1 || x === 503), String([...new Set(statuses)]));
  assert.is(await lineCount(log), single + ok * 10);
}

test("an unwritable log: every worker's /ready answers 503 with the primary's reason, and 200 once it is fixed", async () => {
  const dir = join(tmp, "locked");
  await mkdir(dir);
  const path = join(dir, "p.jsonl");
  // A directory where the file should be: opening it for append fails, whatever the user's rights.
  await mkdir(path);
  const s = await spawnServe(["--model", modelA, "--log", path, "--log-flush-interval", "5", "--workers", "2"]);
  try {
    const p = (await get(`${s.url}/metadata`)).body.inputs.components.length;
    const predict = () => once(`${s.url}/predict`, "POST", { instances: [Array(p).fill(0.5)] });
    assert.is((await predict()).status, 200);
    await waitFor("503 from every worker", async () => (await Promise.all(Array.from({ length: 4 }, () => once(`${s.url}/ready`)))).every((r) => r.status === 503));
    const readies = await Promise.all(Array.from({ length: 6 }, () => once(`${s.url}/ready`)));
    for (const r of readies) {
      assert.is(r.status, 503);
      assert.match(r.body.reason, /prediction log .*p\.jsonl/);
    }
    assert.is((await predict()).status, 200);
    await rm(path, { recursive: true });
    await waitFor("recovery", async () => {
      await predict();
      return (await Promise.all(Array.from({ length: 4 }, () => once(`${s.url}/ready`)))).every((r) => r.status === 200);
    });
    assert.match((await get(`${s.url}/metrics`)).text, /custseg_prediction_log_ok 1/);
  } finally {
    s.child.kill("SIGTERM");
    await s.exited;
  }
});

test("SIGHUP: the model is checked once (a bad one refused, the old one kept); a good one reaches every worker; no request fails", async () => {
  const live = join(tmp, "live.json");
  await copyFile(modelA, live);
  const s = await spawnServe(["--model", live, "--log", "off", "--workers", "2"]);
  try {
    // Each read on a connection of its own: the workers take turns, so every worker is asked.
    await reloadUnderLoad(s, live, modelA, modelB, async () => (await Promise.all(Array.from({ length: 6 }, () => once(`${s.url}/metadata`)))).map((r) => r.body.id));
  } finally {
    s.child.kill("SIGTERM");
    await s.exited;
  }
});

test("a worker that dies is replaced and the server keeps answering; after 5 deaths within a minute it stops with one line, exit 1", async () => {
  const s = await spawnServe(["--model", modelA, "--log", "off", "--workers", "2"]);
  try {
    await replacedThenStopped(s);
  } finally {
    s.child.kill("SIGKILL");
  }
});

async function replacedThenStopped(s: ServeProcess) {
  const p = (await get(`${s.url}/metadata`)).body.inputs.components.length;
  await waitFor("two workers", () => childPids(s.child.pid!).length === 2);
  const [first] = childPids(s.child.pid!);
  process.kill(first!, "SIGKILL");
  await waitFor("a replacement", () => /exited \(signal SIGKILL\); starting another/.test(s.stderr()));
  await waitFor("two workers again", () => childPids(s.child.pid!).length === 2 && !childPids(s.child.pid!).includes(first!));
  for (let i = 0; i < 4; i++) assert.is((await once(`${s.url}/predict`, "POST", { instances: [Array(p).fill(0.5)] })).status, 200);

  for (let deaths = 1; deaths < 5; deaths++) {
    const [victim] = childPids(s.child.pid!);
    if (victim === undefined) break;
    process.kill(victim, "SIGKILL");
    await waitFor("the death noticed", () => s.child.exitCode !== null || !childPids(s.child.pid!).includes(victim));
  }
  const code = await s.exited;
  assert.is(code, 1);
  const lines = s.stderr().trimEnd().split("\n");
  assert.is(lines.filter((l) => l.startsWith("custseg:")).length, 1, s.stderr());
  assert.match(s.stderr(), /^custseg: the server's workers exited 5 times within 60 s \(the last: signal SIGKILL\); stopping$/m);
  assert.not.match(s.stderr(), /\n\s+at |internal error/);
}

test("--port 0: workers that replace every worker at once listen on the port the first ones got", async () => {
  const s = await spawnServe(["--model", modelA, "--log", "off", "--workers", "2"]);
  try {
    const p = (await get(`${s.url}/metadata`)).body.inputs.components.length;
    await waitFor("two workers", () => childPids(s.child.pid!).length === 2);
    const first = childPids(s.child.pid!);
    // Both at once: node:cluster closes the listening socket with its last worker.
    for (const pid of first) process.kill(pid, "SIGKILL");
    await waitFor("two replacements", () => {
      const now = childPids(s.child.pid!);
      return now.length === 2 && now.every((pid) => !first.includes(pid));
    });
    await waitFor("the replacements listening", async () => (await once(`${s.url}/health`).catch(() => undefined))?.status === 200);
    const answers = await Promise.all(Array.from({ length: 4 }, () => once(`${s.url}/predict`, "POST", { instances: [Array(p).fill(0.5)] })));
    assert.equal(
      answers.map((r) => r.status),
      [200, 200, 200, 200],
    );
  } finally {
    s.child.kill("SIGTERM");
    await s.exited;
  }
});

test("an address in use: one line naming it and --port, exit 1, for one process and for workers alike", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    for (const workers of ["1", "2"]) {
      const r = runCli(["serve", "--model", modelA, "--port", String(port), "--log", "off", "--workers", workers], { env: { AIP_HTTP_PORT: "" } });
      assertFailure(r, new RegExp(`^custseg: cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use \\(--port\\)$`), { alone: true });
    }
  } finally {
    taken.close();
  }
});

test.run();
