// Drift on the UCI data: the first half year (December 2010 – May 2011) trains the model and is
// the reference; June – December 2011 is the new data. And a random halving of the reference's
// own customers, which must not be flagged.
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableToIPC } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Engine, loadEngine } from "../../src/engine/engine.js";
import { Rng } from "../../src/engine/rng.js";
import { loadTransactions } from "../../src/io/load.js";
import { readFeatureSource } from "../../src/pipeline/jobs/drift-input.js";
import { runDriftJob } from "../../src/pipeline/jobs/drift.js";
import { trainRun, writeFeaturesCsv } from "../helpers/drift.js";
import { sharedFile } from "../helpers/shared.js";

const parquet = sharedFile("data/online_retail.parquet", "drift on the real data");

let engine: Engine;
let tmp = "";
let model = "";
let later = "";

test.before(async () => {
  if (!parquet) return;
  engine = await loadEngine();
  tmp = await mkdtemp(join(tmpdir(), "custseg-drift-real-"));
  const { table } = await loadTransactions(parquet, { cacheDir: false });
  // The UCI rows are in time order, so the split is one cut.
  const dates = table.getChild("InvoiceDate")!.toArray() as BigInt64Array;
  const cut = dates.findIndex((d) => d >= BigInt(Date.UTC(2011, 5, 1)));
  const first = join(tmp, "2010-12_2011-05.arrow");
  later = join(tmp, "2011-06_2011-12.arrow");
  writeFileSync(first, tableToIPC(table.slice(0, cut), "file"));
  writeFileSync(later, tableToIPC(table.slice(cut), "file"));
  model = await trainRun(engine, first, join(tmp, "run"));
});

test.after(async () => {
  engine?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test("December–May vs June–December: the new season's customers are flagged by their cluster shares", async () => {
  if (!parquet) return;
  const out = join(tmp, "drift.html");
  const { report } = await runDriftJob(engine, { model, input: later, out });
  assert.is(report.current.kind, "transactions");
  assert.is(report.features.length, 15);
  // Recency, product range and purchase gaps move (a longer, later window); spend and country do not.
  assert.equal(report.verdict.driftedFeatures, ["Days_Since_Last_Purchase", "Unique_Products_Purchased", "Average_Days_Between_Purchases"]);
  const c = report.model.clusters;
  assert.is(c.shifted, true);
  assert.ok(c.pvalue < 1e-6 && c.tvd >= 0.05, JSON.stringify(c));
  assert.is(report.verdict.drift, true);
});

test("the reference's own customers split at random into halves are not flagged", async () => {
  if (!parquet) return;
  const all = (await readFeatureSource(join(tmp, "run", "customers.parquet"), { compat: "none" })).matrix;
  const rng = new Rng(7);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < all.rows; i++) (rng.nextFloat() < 0.5 ? a : b).push(i);
  const reference = await writeFeaturesCsv(join(tmp, "half-a.csv"), all, a);
  const input = await writeFeaturesCsv(join(tmp, "half-b.csv"), all, b);
  const { report } = await runDriftJob(engine, { model, reference, input });
  assert.is(report.verdict.drift, false, report.verdict.reasons.join("; "));
  assert.equal(report.verdict.driftedFeatures, []);
  assert.is(report.model.clusters.shifted, false);
});

test.run();
