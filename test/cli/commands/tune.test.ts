// `custseg tune` end to end on small generated data: the --json summary and its trials, the tune
// directory (tune.html's plots, the ranked CSV, the best trial's run directory), the run store
// (a parent run with one child per trial, the registered best trial), the best trial equal to
// `custseg run` with its settings, and one-line failures for bad flags.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertClose } from "../../helpers/assert.js";
import { childRunIds, closeStore, getRun, getModelVersion, openStore } from "../../../src/store/index.js";
import type { RecordedTuneSummary } from "../../../src/pipeline/jobs/tune-record.js";
import { assertFailure, runCli } from "../../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-tune-cli-"));
const small = join(tmp, "small.parquet");
const store = join(tmp, "custseg.db");
const GRID = "k=3,4 init=k-means++,random n-init=1,3 max-iter=2,100";

const custseg = (...args: string[]) => runCli(args, { cwd: tmp });

let summary: RecordedTuneSummary | undefined;
const dir = join(tmp, "tunes", "first");

test.before(() => {
  const gen = custseg("generate", "--rows", "20000", "--customers", "300", "--seed", "1", "--out", small);
  if (gen.code !== 0) throw new Error(`generate failed: ${gen.stderr}`);
  const res = custseg("tune", "--input", small, "--grid", GRID, "--k-range", "2..5", "--seed", "7", "--out", dir, "--store", store, "--register", "segments", "--json");
  if (res.code !== 0) throw new Error(`tune failed: ${res.stderr}`);
  assert.is(res.stdout.trimEnd().split("\n").length, 1, "one JSON line");
  summary = JSON.parse(res.stdout);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test("--json: every trial ranked, the best first, the k analysis and the work counts", () => {
  const s = summary!;
  assert.is(s.trials.length, 16);
  assert.equal(s.trials.map((t) => t.rank), Array.from({ length: 16 }, (_, i) => i + 1));
  assert.equal(s.best, s.trials[0]);
  for (let i = 1; i < s.trials.length; i++) assert.ok(s.trials[i - 1].silhouette >= s.trials[i].silhouette, "ranked by silhouette");
  for (const t of s.trials) {
    for (const key of ["k", "init", "nInit", "maxIter", "silhouette", "daviesBouldin", "calinskiHarabasz", "inertia", "nIter", "runId"]) assert.ok(key in t, `trial lacks ${key}`);
  }
  assert.equal(s.kAnalysis.map((p) => p.k), [2, 3, 4, 5]);
  assert.ok([2, 3, 4, 5].includes(s.recommendation.k));
  assert.match(s.recommendation.line, new RegExp(`^k = ${s.recommendation.k}: the highest mean silhouette over k = 2\\.\\.5`));
  const best = s.kAnalysis.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  assert.is(s.recommendation.k, best.k);
  assert.is(s.counts.bruteForceFits, 4 * 2 * (1 + 3) + 4 * 10);
  assert.ok(s.counts.fits <= s.counts.bruteForceFits);
  assert.ok(s.counts.silhouettes <= s.counts.bruteForceSilhouettes);
  // Fewer customers than the default sample size: exact silhouettes, no interval, no note.
  assert.is(s.silhouetteSample, undefined);
  assert.is(s.rankingNote, undefined);
  for (const t of s.trials) assert.not.ok("silhouetteCi95" in t || "overlapsBest" in t, "exact trials carry no interval");
  assert.not.match(s.recommendation.line, /sample/);
});

test("tune directory: tune.html with one polyline per trial, criteria against k, a silhouette plot per k; ranked CSV; best/ run directory", () => {
  const html = readFileSync(join(dir, "tune.html"), "utf8");
  assert.not.match(html, /<script|https?:\/\/(?!www\.w3\.org)/, "self-contained");
  const parallel = /<svg data-chart="parallel".*?<\/svg>/s.exec(html)![0];
  assert.is((parallel.match(/class="pc-line"/g) ?? []).length + (parallel.match(/class="pc-best"/g) ?? []).length, 16);
  for (const axis of ["k", "init", "n_init", "max_iter", "silhouette", "Davies–Bouldin", "Calinski–Harabasz"]) assert.ok(parallel.includes(`>${axis}</text>`), `axis ${axis}`);
  assert.is((html.match(/data-chart="k-metrics"/g) ?? []).length, 1);
  assert.is((html.match(/data-chart="silhouette"/g) ?? []).length, 4);
  assert.is((html.match(/<tr( class="best")?><td>/g) ?? []).length, 16 + 2, "ranked table (and the work table)");
  const csv = readFileSync(join(dir, "trials.csv"), "utf8").trimEnd().split("\n");
  assert.is(csv.length, 17);
  assert.ok(csv[1]!.startsWith(`1,${summary!.best.k},${summary!.best.init},${summary!.best.nInit},${summary!.best.maxIter},`), csv[1]);
  const model = JSON.parse(readFileSync(join(dir, "best", "model.json"), "utf8"));
  assert.is(model.kmeans.k, summary!.best.k);
  assert.is(model.kmeans.init, summary!.best.init);
  assert.is(model.kmeans.nInit, summary!.best.nInit);
  assert.is(model.kmeans.maxIter, summary!.best.maxIter);
  assert.is(model.kmeans.seed, 7);
  assertClose(model.metrics.silhouette, summary!.best.silhouette, 1e-12, "the model's silhouette", "relative");
});

test("generated input: synthetic in --json, a banner atop tune.html and the best trial's report, the field in its model.json", () => {
  const s = summary!;
  assert.is(s.synthetic, true);
  assert.equal([s.generator?.seed, s.generator?.rows, s.generator?.customers], [1, 20000, 300]);
  for (const page of ["tune.html", join("best", "report.html")]) {
    const html = readFileSync(join(dir, page), "utf8");
    assert.match(html.slice(html.indexOf("<body>") + 6).trimStart(), /^<div class="synthetic-banner"/, `${page} opens with the banner`);
  }
  assert.is(JSON.parse(readFileSync(join(dir, "best", "model.json"), "utf8")).data.synthetic, true);
});

test("the best trial is what `custseg run` with its settings produces", () => {
  const b = summary!.best;
  const res = custseg("run", "--input", small, "--k", String(b.k), "--init", b.init, "--n-init", String(b.nInit), "--max-iter", String(b.maxIter), "--seed", "7", "--out", join(tmp, "run-best"), "--store", join(tmp, "other.db"), "--json");
  assert.is(res.code, 0, res.stderr);
  const run = JSON.parse(res.stdout);
  assert.is(run.inertia, b.inertia);
  assert.is(run.nIter, b.nIter);
  assertClose(run.silhouette, b.silhouette, 1e-12, "silhouette", "relative");
  assertClose(run.daviesBouldin, b.daviesBouldin, 1e-12, "Davies–Bouldin", "relative");
  assertClose(run.calinskiHarabasz, b.calinskiHarabasz, 1e-12, "Calinski–Harabasz", "relative");
});

test("run store: the tune is a finished parent run, each trial a finished child; the best trial is registered", () => {
  const s = openStore(store);
  try {
    const parent = getRun(s, summary!.runId);
    assert.is(parent.status, "finished");
    assert.is(parent.experiment, "tune");
    assert.is(parent.params.metric, "silhouette");
    const children = childRunIds(s, parent.id);
    assert.is(children.length, 16);
    const best = getRun(s, summary!.best.runId!);
    assert.is(best.parentId, parent.id);
    assert.is(best.status, "finished");
    assert.is(best.params.k, String(summary!.best.k));
    assert.is(best.params.n_init, String(summary!.best.nInit));
    assert.is(best.metrics.silhouette, summary!.best.silhouette);
    assert.is(best.metrics.rank, 1);
    assert.ok(best.runDir?.endsWith(join("first", "best")));
    const version = getModelVersion(s, "segments", 1);
    assert.is(version.runId, best.id);
    assert.equal(summary!.registered, { name: "segments", version: 1, runId: best.id });
  } finally {
    closeStore(s);
  }
});

test("--silhouette-sample below the customers: one sample for every trial, intervals in --json, trials.csv, tune.html and the store; the best trial equals `custseg run`", () => {
  const sampledDir = join(tmp, "tunes", "sampled");
  const sampledStore = join(tmp, "sampled.db");
  const res = custseg("tune", "--input", small, "--grid", GRID, "--k-range", "2..4", "--seed", "7", "--silhouette-sample", "100", "--out", sampledDir, "--store", sampledStore, "--json");
  assert.is(res.code, 0, res.stderr);
  const s: RecordedTuneSummary = JSON.parse(res.stdout);
  assert.equal(s.silhouetteSample, { size: 100, population: s.customers, seed: 7 });
  assert.ok(s.customers > 100, `customers ${s.customers}`);
  assert.match(s.rankingNote!, new RegExp(`^Ranked by the silhouette of a seeded sample of 100 of ${s.customers} customers \\(seed 7\\), the same customers for every trial; `));
  for (const t of s.trials) {
    const [lo, hi] = t.silhouetteCi95!;
    assert.ok(lo < t.silhouette && t.silhouette < hi, `rank ${t.rank}: ${lo} < ${t.silhouette} < ${hi}`);
    assert.type(t.overlapsBest, "boolean");
  }
  for (const p of s.kAnalysis) assert.ok(p.silhouetteCi95, `k = ${p.k} has its interval`);
  assert.match(s.recommendation.line, /The silhouettes are a sample's/);
  const csv = readFileSync(join(sampledDir, "trials.csv"), "utf8").split("\n");
  assert.ok(csv[0]!.endsWith(",silhouetteCi95Low,silhouetteCi95High,overlapsBest"), csv[0]);
  const html = readFileSync(join(sampledDir, "tune.html"), "utf8");
  assert.ok(html.includes(`a seeded sample of 100 of ${s.customers} customers`), "the sample named on the page");
  assert.ok(html.includes("<th>95 % interval</th>"), "an interval column in the ranked table");
  const db = openStore(sampledStore);
  try {
    const parent = getRun(db, s.runId);
    assert.is(parent.params.silhouette_sample, "100");
    assert.is(parent.metrics.silhouette_sample_size, 100);
    const best = getRun(db, s.best.runId!);
    assert.equal([best.metrics.silhouette_ci95_low, best.metrics.silhouette_ci95_high], s.best.silhouetteCi95);
  } finally {
    closeStore(db);
  }
  // run draws its sample with its --seed as tune does: the same customers, the same score.
  const b = s.best;
  const run = custseg("run", "--input", small, "--k", String(b.k), "--init", b.init, "--n-init", String(b.nInit), "--max-iter", String(b.maxIter), "--seed", "7", "--silhouette-sample", "100", "--out", join(tmp, "run-sampled"), "--store", join(tmp, "other.db"), "--json");
  assert.is(run.code, 0, run.stderr);
  const r = JSON.parse(run.stdout);
  assert.is(r.silhouetteSample.size, 100);
  assertClose(r.silhouette, b.silhouette, 1e-12, "sampled silhouette", "relative");
  assertClose(r.silhouetteSample.ci95[0], b.silhouetteCi95![0], 1e-12, "interval, low", "relative");
  assertClose(r.silhouetteSample.ci95[1], b.silhouetteCi95![1], 1e-12, "interval, high", "relative");
});

test("--silhouette-sample: run's bound, refused in one line naming the flag", () => {
  assertFailure(custseg("tune", "--input", small, "--silhouette-sample", "2", "--store", store), /--silhouette-sample must be a whole number from 3 to 200,000 \(got 2\)/);
  assertFailure(custseg("tune", "--input", small, "--silhouette-sample", "200001", "--store", store), /--silhouette-sample must be a whole number from 3 to 200,000 \(got 200001\)/);
  assertFailure(custseg("tune", "--input", small, "--silhouette-sample", "1.5", "--store", store), /--silhouette-sample must be a whole number/);
});

test("failures: one line, non-zero exit, nothing written", () => {
  assertFailure(custseg("tune", "--input", small, "--grid", "k=1", "--store", store), /--grid k value '1' must be a whole number from 2/);
  assertFailure(custseg("tune", "--input", small, "--grid", "n-init=1,2,3,4,5,6,7,8,9", "--max-trials", "50", "--store", store), /--max-trials is 50, and the grid has 216 trials/);
  assertFailure(custseg("tune", "--input", small, "--k-range", "5..2", "--store", store), /--k-range 5\.\.2/);
  assertFailure(custseg("tune", "--input", small, "--metric", "inertia", "--store", store), /Invalid values|metric/, { code: 2 });
  const taken = join(tmp, "taken");
  mkdirSync(taken);
  writeFileSync(join(taken, "keep.txt"), "x");
  assertFailure(custseg("tune", "--input", small, "--out", taken, "--store", store), /--out .*taken already exists/);
  assert.equal(readFileSync(join(taken, "keep.txt"), "utf8"), "x");
  assert.not.ok(existsSync(join(tmp, "runs")), "no default tune directory was created");
});

test.run();
