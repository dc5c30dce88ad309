// The library: `custseg` (the package's main export) loads a run's model and scores Arrow tables and
// typed arrays with the run's own answers; computeFeatures matches the run's features and moves
// recency with asOf; `custseg/engine` stays free of Arrow, Parquet and xlsx.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Table } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/engine.js";
import { generateFile } from "../../src/io/generate.js";
import { loadTransactions } from "../../src/io/load.js";
import { parquetToArrow } from "../../src/io/parquet.js";
import type * as Library from "../../src/index.js";
import { runPipeline } from "../../src/pipeline/run.js";
import type { RunArtifacts } from "../../src/pipeline/run-output.js";
import { repoRoot } from "../helpers/shared.js";

let tmp = "";
let run: RunArtifacts;
let input = "";
let lib: typeof Library;

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-lib-"));
  input = join(tmp, "small.parquet");
  await generateFile(input, { rows: 20_000, customers: 300, seed: 4 });
  run = await runPipeline(await loadEngine(), { input, compat: "none", cacheDir: false, k: 3, seed: 0, nInit: 4, maxIter: 100, tol: 1e-4, init: "k-means++", variance: 0.8, out: join(tmp, "run") });
  // Through the package's own name and its "." export, as a user imports it.
  const name = "custseg";
  lib = (await import(name)) as typeof Library;
});

test.after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const customers = (): Table => parquetToArrow(readFileSync(join(tmp, "run", "customers.parquet")), "customers.parquet");

test("loadModel(run directory): predict, transform and score over the run's customers table", async () => {
  const model = await lib.loadModel(join(tmp, "run"));
  const table = customers();
  const clusters = model.predict(table);
  const outlier = table.getChild("Outlier")!;
  const want = table.getChild("Cluster")!;
  let compared = 0;
  for (let i = 0; i < table.numRows; i++) {
    if (outlier.get(i)) continue;
    assert.is(clusters[i], want.get(i), `row ${i}`);
    compared++;
  }
  assert.is(compared, run.kept.ids.length);
  const pcs = model.transform(table);
  const p = model.nComponents;
  const firstKept = [...run.flagged].indexOf(0);
  assert.is(pcs[firstKept * p], table.getChild("PC1")!.get(firstKept));
  const scored = model.score(table);
  assert.equal([...scored.outlier], [...run.flagged]);
  // The same from typed arrays: the features matrix, and the PCs as a matrix of p columns.
  assert.equal([...model.predict(run.all.matrix.data)], [...clusters]);
  assert.equal([...model.predict({ data: run.reduced.scores.data, rows: run.reduced.scores.rows, cols: p })], [...run.clusters.labels]);
  const out = model.predictTable(table);
  assert.equal(out.schema.fields.slice(0, 7).map((f) => f.name), ["CustomerID", "Cluster", "ClusterName", "Distance", "SecondDistance", "OutlierScore", "Outlier"]);
  assert.is(out.getChild("CustomerID")!.get(0), table.getChild("CustomerID")!.get(0));
  assert.throws(() => model.predict(new Float64Array(16)), /16 values are not whole rows of the 15 features/);
});

test("computeFeatures: the run's features; asOf moves recency and nothing else", async () => {
  const transactions = (await loadTransactions(input, { cacheDir: false })).table;
  const features = lib.computeFeatures(transactions, { mode: "default" });
  assert.equal([...(features.getChild("CustomerID")!.toArray() as Int32Array)], [...run.all.ids]);
  const d = lib.FEATURE_NAMES.length;
  lib.FEATURE_NAMES.forEach((name, j) => {
    const col = features.getChild(name)!;
    for (let i = 0; i < features.numRows; i++) assert.is(Number(col.get(i)), run.all.matrix.data[i * d + j], `${name} row ${i}`);
  });
  const model = await lib.loadModel(join(tmp, "run"));
  const asOf = model.artefact.asOf;
  const later = new Date(Date.parse(`${asOf}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
  const moved = lib.computeFeatures(transactions, { mode: "default", asOf: later });
  const recency = moved.getChild("Days_Since_Last_Purchase")!;
  const spend = moved.getChild("Total_Spend")!;
  for (let i = 0; i < moved.numRows; i++) {
    assert.is(recency.get(i), features.getChild("Days_Since_Last_Purchase")!.get(i) + 10);
    assert.is(spend.get(i), features.getChild("Total_Spend")!.get(i));
  }
  assert.throws(() => lib.computeFeatures(transactions, { asOf: "2011-02-30" }), /asOf must be a date YYYY-MM-DD/);
});

test("custseg/engine imports no Arrow, Parquet or xlsx, directly or through another module", () => {
  const heavy = /^(apache-arrow|parquet-wasm|xlsx)(\/|$)/;
  const seen = new Set<string>();
  const pending = [join(repoRoot, "dist", "src", "engine", "index.js")];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1] ?? m[2]!;
      assert.not.match(spec, heavy, `${file} imports ${spec}`);
      if (spec.startsWith(".")) pending.push(resolve(dirname(file), spec));
    }
  }
  assert.ok(seen.size > 10, `walked ${seen.size} modules`);
});

test.run();
