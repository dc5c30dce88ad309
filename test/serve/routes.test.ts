// The Vertex AI contract and the service routes of `custseg serve`, in-process on 127.0.0.1:0:
// instance formats, response fields, validation errors naming instance and field, the limits.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunArtifacts } from "../../src/pipeline/jobs/run-artifacts.js";
import { applyVertexEnvironment } from "../../src/serve/options.js";
import type { RunningServer } from "../../src/serve/server.js";
import { get, post, serve, serveOptions, smallModel } from "../helpers/serve.js";
import { startServer } from "../../src/serve/server.js";

let tmp = "";
let model = "";
let run: RunArtifacts;
let server: RunningServer;
let p = 0;
let features: string[] = [];

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-serve-routes-"));
  ({ path: model, run } = await smallModel(tmp));
  server = await serve(model, { maxInstances: 50, bodyLimit: 64 * 1024 });
  p = server.model().nComponents;
  features = [...server.model().features];
});

test.after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

const pcs = (values: number[]) => Object.fromEntries(values.map((v, j) => [`PC${j + 1}`, v]));
const featureRow = (i: number) => Array.from(run.kept.matrix.data.subarray(i * features.length, (i + 1) * features.length));
const named = (row: number[]) => Object.fromEntries(row.map((v, j) => [features[j]!, v]));

test("the original's format: PC objects in, {predictions:[{cluster,…}], deployedModelId} out", async () => {
  const scores = run.reduced.scores.data;
  const instances = [0, 1, 2].map((i) => pcs(Array.from(scores.subarray(i * p, (i + 1) * p))));
  const r = await post(`${server.url}/predict`, { instances });
  assert.is(r.status, 200);
  assert.is(r.body.predictions.length, 3);
  assert.is(r.body.deployedModelId, server.model().id);
  assert.match(r.body.deployedModelId, /^[0-9a-f]{12}$/);
  r.body.predictions.forEach((pred: Record<string, unknown>, i: number) => {
    assert.is(pred.cluster, run.clusters.labels[i]);
    assert.equal(Object.keys(pred), ["cluster", "name", "distance", "secondDistance", "outlier", "outlierScore", "recommendations"]);
    assert.type(pred.name, "string");
    assert.ok((pred.distance as number) <= (pred.secondDistance as number));
    assert.ok(Array.isArray(pred.recommendations));
  });
});

test("named features, plain arrays of 15 (features) and of p (components) give the same clusters", async () => {
  const n = 20;
  const rows = Array.from({ length: n }, (_, i) => featureRow(i));
  const comps = Array.from({ length: n }, (_, i) => Array.from(run.reduced.scores.data.subarray(i * p, (i + 1) * p)));
  const byName = await post(`${server.url}/predict`, { instances: rows.map(named) });
  const byArray = await post(`${server.url}/predict`, { instances: rows });
  const byComponents = await post(`${server.url}/predict`, { instances: comps });
  const want = Array.from(run.clusters.labels.subarray(0, n));
  for (const r of [byName, byArray, byComponents]) {
    assert.is(r.status, 200, r.text);
    assert.equal(r.body.predictions.map((x: { cluster: number }) => x.cluster), want);
  }
  // The outlier trees need the features: scored from them, null from components.
  for (const pred of byName.body.predictions) {
    assert.type(pred.outlier, "boolean");
    assert.type(pred.outlierScore, "number");
    assert.is(pred.recommendations.length, 3);
    assert.type(pred.recommendations[0].stockCode, "string");
  }
  for (const pred of byComponents.body.predictions) {
    assert.is(pred.outlier, null);
    assert.is(pred.outlierScore, null);
  }
});

test("400 names the instance index and the field", async () => {
  const good = named(featureRow(0));
  const cases: [unknown, RegExp][] = [
    [{ instances: [good, { ...good, Total_Spend: "12" }] }, /instances\[1\]\.Total_Spend: must be a finite number/],
    [{ instances: [good, good, { ...good, Hour: undefined }] }, /instances\[2\]\.Hour: is missing/],
    [{ instances: [{ ...good, Colour: 1 }] }, /instances\[0\]\.Colour: is not an input of this model/],
    [{ instances: [[1, 2, 3]] }, /instances\[0\]: has 3 values; expected 15/],
    [{ instances: [pcs(Array(p).fill(0)), good] }, /instances\[1\]: holds features but instance 0 holds components/],
    [{ instances: [] }, /instances: must NOT have fewer than 1 items/],
    [{ instance: [] }, /instance: is not accepted here|instances: is missing/],
    [{ instances: [null] }, /instances\[0\]: must be/],
    ['{"instances":[{"PC1":1e400}]}', /instances\[0\]\.PC1: must be a finite number/],
    // The schema's error comes first, as when it checked every body: instance 0's unknown name is
    // valid JSON Schema-wise, instance 1's string is not.
    [{ instances: [{ ...good, Colour: 1 }, { ...good, Total_Spend: "12" }] }, /^instances\[1\]\.Total_Spend: must be a finite number$/],
    [{ instances: [good], extra: 1 }, /^extra: is not accepted here$/],
  ];
  for (const [body, message] of cases) {
    const r = await post(`${server.url}/predict`, body);
    assert.is(r.status, 400, `${JSON.stringify(body)} → ${r.text}`);
    assert.match(r.body.error, message);
  }
});

test("limits: instances cap → 400, body limit → 413, wrong content type → 415, unknown route → 404", async () => {
  const over = await post(`${server.url}/predict`, { instances: Array.from({ length: 51 }, () => featureRow(0)) });
  assert.is(over.status, 400);
  assert.match(over.body.error, /instances: must NOT have more than 50 items/);
  const big = await post(`${server.url}/predict`, `{"instances":[${"[1,2,3,4,5,6],".repeat(5000)}[1]]}`);
  assert.is(big.status, 413);
  assert.match(big.body.error, /larger than the server's limit/);
  for (const type of ["text/csv", "text/plain", "application/x-www-form-urlencoded"]) {
    const r = await post(`${server.url}/predict`, "PC1\n1", type);
    assert.is(r.status, 415, type);
  }
  assert.is((await get(`${server.url}/nope`)).status, 404);
  assert.is((await fetch(`${server.url}/predict`)).status, 404);
});

test("/health, /ready, /metadata, /ping, /version", async () => {
  assert.equal((await get(`${server.url}/health`)).body, { status: "healthy" });
  assert.equal((await get(`${server.url}/ready`)).body, { ready: true, model: server.model().id });
  const meta = (await get(`${server.url}/metadata`)).body;
  assert.is(meta.id, server.model().id);
  assert.equal(meta.inputs.features, features);
  assert.equal(meta.inputs.components, Array.from({ length: p }, (_, i) => `PC${i + 1}`));
  assert.is(meta.clusters.length, 3);
  const ping = await get(`${server.url}/ping`);
  assert.is(ping.status, 200);
  assert.match((await get(`${server.url}/version`)).text, /^\d+\.\d+\.\d+/);
});

test("/metrics: requests by route and status, latency histogram, predictions per cluster", async () => {
  const text = (await get(`${server.url}/metrics`)).text;
  assert.match(text, /custseg_http_requests_total\{route="\/predict",status="200"\} \d+/);
  assert.match(text, /custseg_http_requests_total\{route="\/predict",status="400"\} \d+/);
  assert.match(text, /custseg_http_request_duration_seconds_bucket\{le="0.005",route="\/predict"\} \d+/);
  const perCluster = [...text.matchAll(/^custseg_predictions_total\{cluster="(\d)"\} (\d+)$/gm)].reduce((s, m) => s + Number(m[2]), 0);
  assert.is(perCluster, 3 + 3 * 20);
});

test("Vertex AI environment: port, routes and deployed model id", async () => {
  const opts = applyVertexEnvironment(serveOptions(model), {
    AIP_HTTP_PORT: "0",
    AIP_HEALTH_ROUTE: "/v1/health",
    AIP_PREDICT_ROUTE: "/v1/models/seg:predict",
    AIP_DEPLOYED_MODEL_ID: "1234567890",
  });
  const s = await startServer(opts);
  try {
    assert.equal((await get(`${s.url}/v1/health`)).body, { status: "healthy" });
    const r = await post(`${s.url}/v1/models/seg:predict`, { instances: [featureRow(0)] });
    assert.is(r.status, 200);
    assert.is(r.body.deployedModelId, "1234567890");
  } finally {
    await s.close();
  }
  assert.throws(() => applyVertexEnvironment(serveOptions(model), { AIP_HTTP_PORT: "eighty" }), /AIP_HTTP_PORT/);
});

test.run();
