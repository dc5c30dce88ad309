// Parity over HTTP: the server given the model of the `--compat seed` parity run (the original's
// outliers and initial centres) places the original's pca_output.csv rows, posted in the original's
// request format, in the run's clusters, all 4,067; and the raw features of the run's
// customers.parquet, posted as named features, give the clusters written there.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parquetToArrow } from "../../src/io/parquet.js";
import type { RunArtifacts } from "../../src/pipeline/jobs/run-artifacts.js";
import type { RunningServer } from "../../src/serve/server.js";
import { post, seedParityRun, serve } from "../helpers/serve.js";

let tmp = "";
let parity: { path: string; run: RunArtifacts; seedDir: string } | undefined;
let server: RunningServer;

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-serve-parity-"));
  parity = await seedParityRun(tmp);
  if (parity) server = await serve(parity.path);
});

test.after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

async function predictAll(instances: object[], chunk = 1000): Promise<number[]> {
  const clusters: number[] = [];
  for (let i = 0; i < instances.length; i += chunk) {
    const r = await post(`${server.url}/predict`, { instances: instances.slice(i, i + chunk) });
    assert.is(r.status, 200, r.text.slice(0, 300));
    for (const p of r.body.predictions as { cluster: number }[]) clusters.push(p.cluster);
  }
  return clusters;
}

test("the original's pca_output.csv rows, in its own request format: 4,067 of 4,067 clusters equal the run's", async () => {
  if (!parity) return;
  const lines = readFileSync(join(parity.seedDir, "pca_output.csv"), "utf8").trimEnd().split("\n");
  const header = lines[0]!.split(",");
  assert.equal(header, ["CustomerID", "PC1", "PC2", "PC3", "PC4", "PC5", "PC6"]);
  const ids = lines.slice(1).map((l) => Number(l.split(",")[0]));
  const instances = lines.slice(1).map((l) => {
    const cells = l.split(",");
    return Object.fromEntries(header.slice(1).map((h, j) => [h, Number(cells[j + 1])]));
  });
  const { run } = parity;
  assert.equal(ids, [...run.kept.ids]);
  const clusters = await predictAll(instances);
  const equal = clusters.filter((c, i) => c === run.clusters.labels[i]).length;
  assert.is(clusters.length, 4067);
  assert.is(equal, 4067);
});

test("the run's customers.parquet features, as named-feature instances, give its clusters", async () => {
  if (!parity) return;
  const table = parquetToArrow(readFileSync(join(tmp, "seed-run", "customers.parquet")), "customers.parquet");
  const features = server.model().features;
  const cluster = table.getChild("Cluster")!;
  const cols = features.map((f) => table.getChild(f)!);
  const instances: object[] = [];
  const want: number[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const c = cluster.get(i);
    if (c === null) continue; // an outlier of the original's list: the run gave it no cluster
    instances.push(Object.fromEntries(features.map((f, j) => [f, Number(cols[j]!.get(i))])));
    want.push(c);
  }
  assert.is(instances.length, 4067);
  assert.equal(await predictAll(instances), want);
});

test.run();
