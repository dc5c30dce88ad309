// MLflow's scoring protocol on POST /invocations, with the example bodies of MLflow's documentation
// ("Deploy MLflow models": dataframe_split, dataframe_records, instances, inputs, CSV) filled with
// this model's columns; every form gives the same clusters as the Vertex AI route.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunArtifacts } from "../../src/pipeline/jobs/run-artifacts.js";
import type { RunningServer } from "../../src/serve/server.js";
import { post, serve, smallModel } from "../helpers/serve.js";

let tmp = "";
let run: RunArtifacts;
let server: RunningServer;
let columns: string[] = [];
let rows: number[][] = [];
let want: number[] = [];

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-serve-mlflow-"));
  const m = await smallModel(tmp);
  run = m.run;
  server = await serve(m.path);
  const p = server.model().nComponents;
  columns = Array.from({ length: p }, (_, i) => `PC${i + 1}`);
  rows = [0, 1, 2].map((i) => Array.from(run.reduced.scores.data.subarray(i * p, (i + 1) * p)));
  want = [0, 1, 2].map((i) => run.clusters.labels[i]!);
});

test.after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

const invoke = (body: unknown, type?: string) => post(`${server.url}/invocations`, body, type);
const clusters = (body: { predictions: { cluster: number }[] }) => body.predictions.map((x) => x.cluster);
const records = () => rows.map((r) => Object.fromEntries(r.map((v, j) => [columns[j]!, v])));

test("dataframe_split (with and without index), dataframe_records", async () => {
  for (const body of [
    { dataframe_split: { columns, data: rows } },
    { dataframe_split: { index: [0, 1, 2], columns, data: rows } },
    { dataframe_records: records() },
  ]) {
    const r = await invoke(body);
    assert.is(r.status, 200, r.text);
    assert.equal(clusters(r.body), want);
  }
});

test("instances and inputs: rows, records, or a dictionary of columns; params accepted", async () => {
  const columnar = Object.fromEntries(columns.map((c, j) => [c, rows.map((r) => r[j]!)]));
  for (const body of [
    { instances: rows },
    { instances: records() },
    { inputs: rows },
    { inputs: columnar },
    { instances: columnar },
    { inputs: rows, params: {} },
  ]) {
    const r = await invoke(body);
    assert.is(r.status, 200, `${JSON.stringify(body).slice(0, 80)} → ${r.text}`);
    assert.equal(clusters(r.body), want);
  }
});

test("text/csv with a header row, pandas' index column and quoted names", async () => {
  const plain = `${columns.join(",")}\n${rows.map((r) => r.join(",")).join("\n")}\n`;
  const pandas = `,${columns.map((c) => `"${c}"`).join(",")}\r\n${rows.map((r, i) => `${i},${r.join(",")}`).join("\r\n")}\r\n`;
  for (const body of [plain, pandas]) {
    const r = await invoke(body, "text/csv");
    assert.is(r.status, 200, r.text);
    assert.equal(clusters(r.body), want);
  }
  const bad = await invoke(`${columns.join(",")}\n${rows[0]!.slice(1).join(",")},NaN\n`, "text/csv");
  assert.is(bad.status, 400);
  assert.match(bad.body.message, /csv\[0\]\.PC\d+: must be a finite number/);
});

test("errors in MLflow's shape {error_code, message}: no format key, two format keys, bad columns", async () => {
  const none = await invoke({ data: rows });
  assert.is(none.status, 400);
  assert.is(none.body.error_code, "BAD_REQUEST");
  const two = await invoke({ inputs: rows, instances: rows });
  assert.is(two.status, 400);
  assert.match(two.body.message, /exactly one of dataframe_split, dataframe_records, instances, inputs; got instances, inputs/);
  const missing = await invoke({ dataframe_split: { columns: columns.slice(1), data: rows.map((r) => r.slice(1)) } });
  assert.is(missing.status, 400);
  assert.match(missing.body.message, /dataframe_split\.data\.PC1: is missing/);
  const ragged = await invoke({ dataframe_split: { columns, data: [rows[0], rows[1]!.slice(1)] } });
  assert.is(ragged.status, 400);
  assert.match(ragged.body.message, /dataframe_split\.data\[1\]: has \d+ values for \d+ columns/);
  const type = await invoke("x", "application/xml");
  assert.is(type.status, 415);
  assert.is(type.body.error_code, "INVALID_REQUEST");
});

test.run();
