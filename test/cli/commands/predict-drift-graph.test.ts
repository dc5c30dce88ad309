// `predict --transactions` and `drift --input` go through the same step graph and artefact store
// as `custseg run`: on a file a run processed they reuse its load, clean and features (progress
// lines end in "cached") with the same results as computing them; a later --as-of computes the
// features for that day, stored under a key of its own.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateFile } from "../../../src/io/generate/generate.js";
import { runCli } from "../../helpers/cli.js";
import { stepsOf } from "../../helpers/progress.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-predict-graph-"));
const input = join(dir, "shop.parquet");
const runDir = join(dir, "run");
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI in the scratch directory, whose data/cache/artifacts is the store. */
const custseg = (...args: string[]) => runCli(args, { cwd: dir, env: { CUSTSEG_CACHE_DIR: "" } });

/** Runs a command that must succeed; its JSON and the steps it reported, by whether each was stored. */
function json(...args: string[]) {
  const res = custseg(...args, "--threads", "1", "--json");
  assert.ok(res.code === 0 || (args[0] === "drift" && res.code === 3), res.stderr);
  return { out: JSON.parse(res.stdout), steps: Object.fromEntries(stepsOf(res.stderr)) };
}

const predict = (...args: string[]) => json("predict", "--model", runDir, "--transactions", input, ...args);
const stored = { load: true, clean: true, features: true };
const computed = { load: false, clean: false, features: false };

let modelAsOf = "";
let plain: ReturnType<typeof predict>;

test.before(async () => {
  await generateFile(input, { rows: 20_000, customers: 300, seed: 8 });
  json("run", "--input", input, "--out", runDir);
  modelAsOf = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8")).asOf;
});

test("predict after run: load, clean and features come from the store, with the predictions computing them gives", () => {
  plain = predict();
  assert.equal(plain.steps, stored);
  assert.is(plain.out.asOf, modelAsOf);
  const uncached = predict("--no-cache");
  assert.equal(uncached.steps, computed);
  assert.equal(plain.out.predictions, uncached.out.predictions);
  assert.is(plain.out.predictions.length, 300);
});

test("--as-of the input's last day is the same computation: stored; a later day computes its features, then is stored too", () => {
  const same = predict("--as-of", modelAsOf);
  assert.equal(same.steps, stored);
  assert.equal(same.out.predictions, plain.out.predictions);

  const later = new Date(Date.parse(`${modelAsOf}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
  const first = predict("--as-of", later);
  assert.equal(first.steps, { load: true, clean: true, features: false });
  assert.is(first.out.asOf, later);
  const distance = (p: { predictions: { distance: number }[] }) => p.predictions.map((r) => r.distance);
  assert.not.equal(distance(first.out), distance(plain.out), "recency counts from the later day");
  const again = predict("--as-of", later);
  assert.equal(again.steps, stored);
  assert.equal(again.out.predictions, first.out.predictions);
  assert.equal(predict("--as-of", later, "--no-cache").out.predictions, first.out.predictions);
});

test("drift on the run's own transactions: load, clean and features come from the store, with the same figures", () => {
  const drift = json("drift", "--model", runDir, "--input", input);
  assert.equal(drift.steps, stored);
  const uncached = json("drift", "--model", runDir, "--input", input, "--no-cache");
  assert.equal(uncached.steps, computed);
  assert.equal(drift.out.features, uncached.out.features);
  assert.equal(drift.out.model.clusters, uncached.out.model.clusters);
});

test.run();
