// Why a step is stale against custseg.lock, read from keys computed without running anything: the
// graph's order, its keys' sensitivity to parameters and files, and the reasons status words.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { canonical, graphKeys } from "../../../src/pipeline/jobs/graph/keys.js";
import { type LockedStep, lockReasons } from "../../../src/pipeline/jobs/graph/lock.js";
import { downstreamOf, GRAPH, upstreamOf } from "../../../src/pipeline/jobs/graph/steps.js";
import { PIPELINE_STEPS, RUN_DEFAULTS, type RunOptions } from "../../../src/pipeline/options.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-graph-keys-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const input = join(dir, "in.csv");
writeFileSync(input, "InvoiceNo,StockCode\n1,A\n");
const opts: RunOptions = { ...RUN_DEFAULTS, input };
const locked = (k: Awaited<ReturnType<typeof graphKeys>>[keyof Awaited<ReturnType<typeof graphKeys>>]): LockedStep => ({ ...k, outputs: {} });

test("the graph: declared in order, each step after the steps it reads", () => {
  assert.equal(GRAPH.map((s) => s.name), [...PIPELINE_STEPS]);
  GRAPH.forEach((s, i) => {
    for (const input of s.inputs) assert.ok(PIPELINE_STEPS.indexOf(input) < i, `${s.name} reads ${input}`);
  });
  assert.equal([...downstreamOf("kmeans")], ["kmeans", "evaluate", "profiles", "recommend", "report"]);
  assert.equal([...upstreamOf("pca")].sort(), ["clean", "features", "load", "outliers", "pca", "scale"]);
});

test("keys: a batch size enters the kmeans key only where mini-batch can run", async () => {
  const lloyd = { ...opts, algorithm: "lloyd" as const };
  assert.is((await graphKeys({ ...lloyd, batchSize: 4096 })).kmeans.key, (await graphKeys(lloyd)).kmeans.key);
  assert.is.not((await graphKeys({ ...opts, batchSize: 4096 })).kmeans.key, (await graphKeys(opts)).kmeans.key);
  const minibatch = { ...opts, algorithm: "minibatch" as const };
  assert.is.not((await graphKeys({ ...minibatch, batchSize: 4096 })).kmeans.key, (await graphKeys(minibatch)).kmeans.key);
});

test("keys: equal options, equal keys; k changes kmeans and what follows; a file's content, not its path", async () => {
  const a = await graphKeys(opts);
  assert.equal(await graphKeys({ ...opts }), a);
  const k4 = await graphKeys({ ...opts, k: 4 });
  const changed = PIPELINE_STEPS.filter((s) => a[s].key !== k4[s].key);
  assert.equal(changed, ["kmeans", "evaluate", "profiles", "recommend", "report"]);
  assert.equal(lockReasons(k4.kmeans, locked(a.kmeans)), ["parameter changed: k"]);
  assert.equal(lockReasons(k4.evaluate, locked(a.evaluate)), ["input changed: kmeans", "parameter changed: k"]);

  const copy = join(dir, "copy.csv");
  writeFileSync(copy, "InvoiceNo,StockCode\n1,A\n");
  const moved = await graphKeys({ ...opts, input: copy, inputLabel: input });
  assert.is(moved.load.key, a.load.key, "same bytes elsewhere: same load");
  writeFileSync(copy, "InvoiceNo,StockCode\n2,B\n");
  const edited = await graphKeys({ ...opts, input: copy, inputLabel: input });
  assert.is.not(edited.load.key, a.load.key);
  assert.equal(lockReasons(edited.load, locked(a.load)), [`input changed: input (${copy})`]);
  assert.equal(lockReasons(a.load, locked({ ...a.load, key: "1".repeat(64), code: "0".repeat(64) })), ["code changed"]);
  assert.equal(lockReasons(a.load, undefined), ["not in the lock"]);
  assert.equal(lockReasons(a.load, locked(a.load)), []);
});

test("canonical: members sorted, undefined dropped, Maps as objects", () => {
  assert.equal(JSON.stringify(canonical({ b: 1, a: { d: undefined, c: new Map([["x", 1]]) } })), '{"a":{"c":{"x":1}},"b":1}');
});

test.run();
