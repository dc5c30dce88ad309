// `custseg drift` end to end: spawns the compiled CLI against a run trained on generated data.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../../src/engine/engine.js";
import type { Matrix } from "../../../src/engine/matrix.js";
import { FEATURE_NAMES } from "../../../src/pipeline/steps/features.js";
import { assertFailure, runCli } from "../../helpers/cli.js";
import { featuresOf, generated, trainRun, writeFeaturesCsv } from "../../helpers/drift.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-drift-cli-"));
let model = "";
let fresh = "";
let fresh_: Matrix;
let mix = "";

const custseg = (args: string[]) => runCli(["drift", ...args], { cwd: dir });

test.before(async () => {
  const engine = await loadEngine();
  try {
    model = await trainRun(engine, await generated(dir, 0, 20_000, 400), join(dir, "run"));
  } finally {
    engine.close();
  }
  fresh = await generated(dir, 1, 20_000, 400);
  fresh_ = await featuresOf(fresh);
  // The most valuable third of the new customers: a different mix of archetypes.
  const bySpend = Array.from({ length: fresh_.rows }, (_, i) => i).sort((a, b) => fresh_.data[b * 15 + 3]! - fresh_.data[a * 15 + 3]!);
  mix = await writeFeaturesCsv(join(dir, "mix.csv"), fresh_, bySpend.slice(0, Math.floor(fresh_.rows / 3)));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("new transactions from the same distribution: exit 0, a table of tests, and a self-contained drift.html", () => {
  const out = join(dir, "same.html");
  const res = custseg(["--model", model, "--input", fresh, "--out", out]);
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /custseg drift — no drift/);
  for (const f of FEATURE_NAMES) assert.match(res.stdout, new RegExp(`\\n  ${f} `));
  const html = readFileSync(out, "utf8");
  assert.match(html, /data-chart="feature-histograms"/);
  assert.match(html, /data-chart="cluster-shares"/);
  assert.match(html, /<td>Total Spend<\/td>/);
  assert.not.match(html, /<script|https?:\/\/|<link /);
});

test("a changed mix: exit 3, and --json carries every figure", () => {
  // --model may name the run directory instead of its model.json.
  const res = custseg(["--model", join(dir, "run"), "--input", mix, "--json"]);
  assert.is(res.code, 3, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.is(r.verdict.drift, true);
  assert.is(r.features.length, 15);
  for (const f of r.features) {
    for (const key of ["psi", "wasserstein", "wassersteinStd", "drifted"]) assert.ok(key in f, key);
    assert.ok(f.ks.pvalue >= 0 && f.ks.pvalue <= 1);
  }
  assert.is(r.model.clusters.shifted, true);
  assert.ok(typeof r.model.meanDistance.current === "number" && typeof r.model.silhouette.current === "number");
  assert.ok(r.model.outlierShare.current >= 0);
  assert.equal(Object.keys(r.rules).sort(), ["clusterPValue", "clusterTvd", "ksPValue", "psi", "psiBins", "psiEpsilon", "wassersteinStd"]);
});

test("a prediction log (JSON lines, features as an object or an array) is read as new customers", () => {
  const lines: string[] = [];
  for (let i = 0; i < fresh_.rows; i++) {
    const row = Array.from(fresh_.data.subarray(i * 15, i * 15 + 15));
    const features = i % 2 ? row : Object.fromEntries(FEATURE_NAMES.map((f, j) => [f, row[j]]));
    lines.push(JSON.stringify({ customerId: i, cluster: 0, features }));
  }
  const log = join(dir, "predictions.jsonl");
  writeFileSync(log, `${lines.join("\n")}\n`);
  const res = custseg(["--model", model, "--input", log, "--json"]);
  assert.is(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.is(r.current.kind, "prediction log");
  assert.is(r.current.customers, fresh_.rows);
});

test("errors: one line naming the file or flag, exit 1, nothing written", () => {
  assertFailure(custseg(["--model", join(dir, "nope.json"), "--input", fresh]), /nope\.json: no such model file/);
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, `{"features": [1, 2]}\n`);
  assertFailure(custseg(["--model", model, "--input", bad]), /bad\.jsonl: line 1: "features" has 2 values, expected 15/);
  writeFileSync(bad, `{"features": {"Days_Since_Last_Purchase": 1}}\n`);
  assertFailure(custseg(["--model", model, "--input", bad]), /bad\.jsonl: line 1: features\.Total_Transactions: missing is not a finite number/);
  assertFailure(custseg(["--model", model, "--input", fresh, "--threshold", "0"]), /--threshold must be in \(0, 1\]/);
  assertFailure(custseg(["--model", model, "--input", fresh, "--out", fresh]), /--out .* is one of the inputs/);
  const lone = join(dir, "lone");
  mkdirSync(lone);
  copyFileSync(model, join(lone, "model.json"));
  assertFailure(custseg(["--model", join(lone, "model.json"), "--input", fresh]), /no customers\.parquet beside the model .*--reference/);
  assert.not.ok(existsSync(join(dir, "drift.html")));
});

test.run();
