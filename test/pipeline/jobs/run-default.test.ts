// `custseg run` in the default mode: sanity on the real data (k-means++ with n_init 10 and our own
// IsolationForest), and the offline path of `npm start`: no input, no UCI data, download refused →
// generated data of the real size, named as such in the summary and in model.json.
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Engine, loadEngine } from "../../../src/engine/engine.js";
import { GENERATE_DEFAULTS } from "../../../src/io/generate/generate.js";
import { runPipeline } from "../../../src/pipeline/jobs/run.js";
import { RUN_DEFAULTS, type RunOptions } from "../../../src/pipeline/options.js";
import { defaultSource } from "../../../src/pipeline/jobs/source.js";
import { sharedFile, skipped } from "../../helpers/shared.js";

const parquet = sharedFile("data/online_retail.parquet", "default-mode run on the real data");
const DEFAULTS = { ...RUN_DEFAULTS, cacheDir: false } as const;

let engine: Engine;
let tmp = "";

test.before(async () => {
  engine = await loadEngine();
  tmp = await mkdtemp(join(tmpdir(), "custseg-run-default-"));
});

test.after(async () => {
  engine.close();
  await rm(tmp, { recursive: true, force: true });
});

test("real data, default mode: 4,362 customers, ~5% outliers, 3 clusters numbered by size, finite metrics", async () => {
  if (!parquet) return skipped();
  const opts: RunOptions = { ...DEFAULTS, input: parquet, out: join(tmp, "real") };
  const { summary: s } = await runPipeline(engine, opts);
  assert.is(s.mode, "default");
  assert.is(s.rows.loaded, 541_909);
  assert.is(s.customersBeforeOutliers, 4362);
  // contamination 0.05: the flagged share is 5% up to ties at the score threshold
  assert.ok(Math.abs(s.outliers / s.customersBeforeOutliers - 0.05) < 0.005, `${s.outliers} outliers`);
  assert.is(s.customers, s.customersBeforeOutliers - s.outliers);
  assert.is(s.k, 3);
  assert.is(s.clusterSizes.length, 3);
  assert.ok(s.clusterSizes.every((size, c) => size > 0 && (c === 0 || size <= s.clusterSizes[c - 1]!)), `sizes ${s.clusterSizes}`);
  assert.is(s.clusterSizes.reduce((a, b) => a + b, 0), s.customers);
  assert.ok(s.explainedVarianceRatio.reduce((a, b) => a + b, 0) >= 0.8);
  assert.ok(s.inertia > 0 && Number.isFinite(s.inertia));
  assert.ok(s.silhouette > -1 && s.silhouette < 1);
  assert.ok(s.daviesBouldin > 0 && Number.isFinite(s.daviesBouldin));
  assert.ok(s.calinskiHarabasz > 0 && Number.isFinite(s.calinskiHarabasz));
  assert.is(s.clusterDescriptions.length, 3);
});

/** A local port that refuses connections: bound, then closed again. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("no input, UCI download refused: one note, generated data of the real size, named in the summary and model.json", async () => {
  const dataDir = join(tmp, "data");
  const url = `http://127.0.0.1:${await refusedPort()}/online+retail.zip`;
  const notes: string[] = [];
  const reporter = { start() {}, done() {}, note: (m: string) => notes.push(m) };
  const source = await defaultSource(dataDir, 0, reporter, { url, timeoutMs: 5000 });
  assert.ok(source.synthetic);
  assert.is(notes.length, 1, notes.join("\n"));
  assert.match(notes[0]!, /^UCI data unavailable \(cannot download http:\/\/127\.0\.0\.1:\d+\/online\+retail\.zip: connection refused\); using generated data: /);
  assert.not.match(notes[0]!, /\n/);
  assert.equal(readdirSync(dataDir), ["synthetic-online-retail-seed0.parquet"], "no partial download left");
  assert.match(source.label, /^synthetic: .*generated, 541909 lines, seed 0/);

  const out = join(tmp, "offline");
  const { summary } = await runPipeline(engine, { ...DEFAULTS, input: source.path, inputLabel: source.label, out });
  assert.is(summary.rows.loaded, GENERATE_DEFAULTS.rows);
  assert.is(summary.input, source.label);
  const model = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
  assert.is(model.data.input, source.label);
  assert.ok(summary.customersBeforeOutliers > 0.9 * GENERATE_DEFAULTS.customers);

  // A second run finds the generated file and reuses it rather than generating again.
  const again = await defaultSource(dataDir, 0, reporter, { url, timeoutMs: 5000 });
  assert.is(again.path, source.path);
});

test.run();
