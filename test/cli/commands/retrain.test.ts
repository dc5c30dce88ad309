// `custseg retrain` through the compiled CLI, on generated data: a candidate fitted on data whose
// prices moved tenfold is promoted by the default policy, one fitted on data from the production
// model's own distribution is not; a dry run writes and registers nothing; mistakes are one line.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { closeStore, getRun, listModels, modelHistory, openStore, searchRuns } from "../../../src/store/index.js";
import { generateFile } from "../../../src/io/generate/generate.js";
import { type CliResult, runCli } from "../../helpers/cli.js";
import { scalePrices } from "../../helpers/drift.js";
import { repoRoot } from "../../helpers/shared.js";
import { schemaErrors } from "../../model/json-schema.js";

// Small enough to keep the file quick; 250 customers per half still show the drift plainly.
const ROWS = 30_000;
const CUSTOMERS = 500;

const schema = JSON.parse(readFileSync(join(repoRoot, "schema", "custseg-model-1.schema.json"), "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "custseg-retrain-"));
const storeFile = join(tmp, "custseg.db");
const custseg = (...args: string[]) => runCli(args, { cwd: tmp, env: { CUSTSEG_STORE: storeFile } });
const same = join(tmp, "same.arrow");
const drifted = join(tmp, "drifted.arrow");
let productionRun = "";
let productionNames: string[] = [];

function assertFailure(res: CliResult, pattern: RegExp): void {
  assert.is(res.code, 1, res.stderr);
  assert.is(res.stdout, "");
  assert.is(res.stderr.trimEnd().split("\n").length, 1, res.stderr);
  assert.match(res.stderr.trimEnd(), pattern);
  assert.not.match(res.stderr, /\n\s+at |internal error/);
}

function withStore<T>(fn: (store: ReturnType<typeof openStore>) => T): T {
  const store = openStore(storeFile);
  try {
    return fn(store);
  } finally {
    closeStore(store);
  }
}

const stages = () => withStore((s) => listModels(s, "segments")[0]!.versions.map((v) => [v.version, v.stage]));
const runCount = () => withStore((s) => searchRuns(s, {}).length);

test.before(async () => {
  const old = join(tmp, "old.arrow");
  await generateFile(old, { rows: ROWS, customers: CUSTOMERS, seed: 0 });
  await generateFile(same, { rows: ROWS, customers: CUSTOMERS, seed: 1 });
  await scalePrices(same, drifted, 10);
  const run = custseg("run", "--input", old, "--json");
  assert.is(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  productionRun = summary.runId;
  productionNames = summary.clusterNames;
  assert.is(custseg("model", "register", productionRun, "--name", "segments").code, 0);
  assert.is(custseg("model", "promote", "segments", "1", "--stage", "production").code, 0);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test("mistakes are one line and leave the store and runs/ as they were", () => {
  const before = runCount();
  assertFailure(custseg("retrain", "--input", same, "--model", "models:/nosuch/production"), /^custseg: no registered model 'nosuch' in /);
  assertFailure(custseg("retrain", "--input", same, "--model", "models:/segments/staging"), /^custseg: model 'segments' has no version in staging$/);
  assertFailure(custseg("retrain", "--input", same, "--policy", "silhouette=>0.01"), /^custseg: --policy condition "silhouette=>0\.01" is not METRIC OP NUMBER/);
  assertFailure(custseg("retrain", "--input", same, "--policy", "inertia<=0"), /^custseg: --policy unknown metric "inertia"; use silhouette, davies_bouldin, calinski_harabasz$/);
  assertFailure(custseg("retrain", "--input", same, "--model", join(tmp, "runs", productionRun)), /^custseg: --model .* is not a registry reference; retrain takes models:\/NAME\/STAGE/);
  assertFailure(custseg("retrain", "--input", same, "--max-eval-customers", "5"), /^custseg: --max-eval-customers must be a whole number from 10 to 1,000,000 \(got 5\)$/);
  assertFailure(custseg("retrain", "--input", same, "--split-seed", "-1"), /^custseg: --split-seed must be a whole number/);
  for (const dry of [["--dry-run"], []]) {
    assertFailure(runCli(["retrain", "--input", same, ...dry, "--store", join(tmp, "none.db")], { cwd: tmp }), /^custseg: no run store at .*none\.db/);
  }
  assert.is(runCount(), before, "no run recorded");
  assert.not.ok(existsSync(join(tmp, "none.db")));
  // A failure once the work has started is recorded, as for `custseg run`: the candidate's run, failed, with the reason.
  assertFailure(custseg("retrain", "--input", join(tmp, "nothing.arrow")), /nothing\.arrow/);
  const failed = withStore((s) => searchRuns(s, { experiment: "retrain" }));
  assert.equal(failed.map((r) => [r.status, r.tags["custseg.retrain.role"]]), [["failed", "candidate"]]);
  assert.match(failed[0]!.error!, /nothing\.arrow/);
  assert.equal(stages(), [[1, "production"]]);
  assert.equal(readdirSync(join(tmp, "runs")), [productionRun]);
});

test("--dry-run decides and writes nothing: no run directory, no run, no version", () => {
  const before = runCount();
  const res = custseg("retrain", "--input", drifted, "--dry-run", "--json");
  assert.is(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.is(r.dryRun, true);
  assert.is(r.decision.promote, true, r.decision.reason);
  assert.is(r.candidate.version, undefined);
  assert.is(r.candidate.runDir, undefined);
  assert.is(runCount(), before);
  assert.equal(stages(), [[1, "production"]]);
  assert.equal(readdirSync(join(tmp, "runs")), [productionRun]);
  // The split and every figure are the same on a second run.
  const again = JSON.parse(custseg("retrain", "--input", drifted, "--dry-run", "--json").stdout);
  assert.equal({ ...again, timingsMs: {} }, { ...r, timingsMs: {} });
  // The bound on the customers scored: a seeded sample of the held-out half, fewer once outliers are left out.
  const capped = JSON.parse(custseg("retrain", "--input", drifted, "--dry-run", "--json", "--max-eval-customers", "60").stdout);
  assert.is(capped.split.holdout, CUSTOMERS / 2);
  assert.ok(capped.split.evaluated <= 60 && capped.split.evaluated + capped.split.outliersLeftOut === 60, JSON.stringify(capped.split));
  // The same bound holds for the candidate's own silhouette on the fitting half: a seeded sample of 60.
  assert.ok(capped.candidate.fit.customers > 60);
  const sample = capped.candidate.fit.silhouetteSample;
  assert.equal([sample.size, sample.population], [60, capped.candidate.fit.customers]);
  assert.ok(sample.ci95[0] <= capped.candidate.fit.silhouette && capped.candidate.fit.silhouette <= sample.ci95[1], JSON.stringify(sample));
  assert.is(r.candidate.fit.silhouetteSample, undefined);
});

test("same-distribution data: the candidate is registered, not promoted; exit 3; both evaluations recorded", () => {
  const res = custseg("retrain", "--input", same, "--json");
  assert.is(res.code, 3, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.is(r.decision.promote, false, r.decision.reason);
  assert.match(r.decision.reason, /^the candidate falls short of the policy: /);
  assert.is(r.candidate.version, 2);
  assert.is(r.candidate.stage, "none");
  assert.equal(stages(), [[2, "none"], [1, "production"]]);
  assert.is(r.split.fit + r.split.holdout, CUSTOMERS);
  assert.ok(r.adjustedRandIndex > -1 && r.adjustedRandIndex <= 1);
  withStore((s) => {
    const cand = getRun(s, r.candidate.runId);
    const prod = getRun(s, r.production.runId);
    assert.is(cand.status, "finished");
    assert.is(prod.status, "finished");
    assert.is(cand.tags["custseg.retrain.role"], "candidate");
    assert.is(prod.tags["custseg.retrain.role"], "production");
    assert.is(cand.tags["custseg.retrain.decision"], "kept production");
    assert.is(cand.tags["custseg.retrain.reason"], r.decision.reason);
    assert.is(cand.metrics.silhouette, r.candidate.silhouette);
    assert.is(prod.metrics.silhouette, r.production.silhouette);
    assert.is(prod.metrics.davies_bouldin, r.production.davies_bouldin);
    assert.is(cand.metrics.adjusted_rand_index, r.adjustedRandIndex);
    assert.is(cand.params.production_version, "1");
    assert.is(cand.params.policy, "default");
    assert.is(cand.experiment, "retrain");
  });
  assert.ok(existsSync(resolve(tmp, r.candidate.runDir, "model.json")), r.candidate.runDir);
});

test("drifted data (prices ×10): promoted, production archived, the segment names kept", () => {
  const res = custseg("retrain", "--input", drifted);
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /custseg retrain — segments: promoted version 3\n/);
  assert.match(res.stdout, /policy default: the candidate meets the policy: silhouette /);
  assert.equal(stages(), [[3, "production"], [2, "none"], [1, "archived"]]);
  const history = withStore((s) => modelHistory(s, "segments").filter((e) => e.kind === "stage").map((e) => [e.version, e.from, e.to, e.reason]));
  assert.equal(history.slice(1, 3).map((e) => e.slice(0, 3)), [[1, "production", "archived"], [3, "none", "production"]]);
  assert.match(String(history[2]![3]), /^retrained on .*drifted\.arrow: the candidate meets the policy: /);
  const resolved = custseg("model", "resolve", "models:/segments/production").stdout.trim();
  const model = JSON.parse(readFileSync(resolved, "utf8"));
  assert.equal(model.clusters.map((c: { name: string }) => c.name), productionNames);
  assert.is(model.kmeans.clusterOrder, "matched to segments version 1 by centroid");
  assert.equal(schemaErrors(schema, model), []);
  // What the registry now serves places new customers like any model.
  const predicted = custseg("predict", "--model", "models:/segments/production", "--transactions", drifted, "--json");
  assert.is(predicted.code, 0, predicted.stderr);
  assert.is(JSON.parse(predicted.stdout).customers, CUSTOMERS);
});

test("--policy never registers a promotable candidate without promoting it, into the --out directory", () => {
  const out = join(tmp, "candidate");
  const res = custseg("retrain", "--input", drifted, "--policy", "never", "--out", out);
  assert.is(res.code, 3, res.stderr);
  assert.match(res.stdout, /custseg retrain — segments: kept version 3 in production \(candidate registered as version 4\)\n/);
  assert.match(res.stdout, /policy never: the policy 'never' promotes no candidate\n/);
  assert.equal(stages(), [[4, "none"], [3, "production"], [2, "none"], [1, "archived"]]);
  assert.ok(existsSync(join(out, "model.json")));
  assert.is(custseg("model", "resolve", "models:/segments/4").stdout.trim(), join(out, "model.json"));
});

test.run();
