// `custseg run` end to end on small generated data: the --json summary, the run directory and its
// files, the plain summary table, determinism, and every failure path (one line, non-zero exit,
// nothing half-written, earlier runs untouched).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parquetToArrow } from "../../../src/io/parquet.js";
import { FEATURE_NAMES } from "../../../src/pipeline/steps/features.js";
import { assertFailure, runCli, signalWhen, startCli } from "../../helpers/cli.js";
import { repoRoot } from "../../helpers/shared.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-run-cli-"));
const runs = join(tmp, "runs");
const small = join(tmp, "small.parquet");
const RUN_FILES = ["customers.parquet", "metrics.json", "model.json", "profiles.json", "recommendations.csv", "report.html", "summary.json", "top_products.csv"];
const SUMMARY_KEYS = ["mode", "synthetic", "input", "rows", "customers", "customersBeforeOutliers", "outliers", "nComponents", "explainedVarianceRatio", "k", "inertia", "silhouette", "daviesBouldin", "calinskiHarabasz", "clusterSizes", "clusterNames", "timingsMs", "runDir"];

/** Runs the CLI in the temp directory, so its Arrow cache and default runs/ stay there. */
const custseg = (...args: string[]) => runCli(args, { cwd: tmp });

const run = (...args: string[]) => custseg("run", "--threads", "1", ...args);

/** sha256 of every file in a directory, by name. */
function digest(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, createHash("sha256").update(readFileSync(join(dir, f))).digest("hex")]));
}

const temps = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".tmp")) : []);

function writeCsv(name: string, lines: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n${lines.join("\n")}\n`);
  return path;
}

/** Two invoices per customer; quantity(c) decides how the customers differ. */
function customersCsv(name: string, customers: number, quantity: (c: number) => number): string {
  const lines: string[] = [];
  let invoice = 536000;
  for (let c = 0; c < customers; c++) {
    for (const date of ["2010-12-01 08:26:00", "2011-03-05 10:00:00"]) {
      lines.push(`${++invoice},85123A,WHITE HANGING HEART T-LIGHT HOLDER,${quantity(c)},${date},2.55,${17000 + c},United Kingdom`);
    }
  }
  return writeCsv(name, lines);
}

let first: { summary: Record<string, unknown>; dir: string; digest: Record<string, string> } | undefined;

test.before(() => {
  const gen = custseg("generate", "--rows", "20000", "--customers", "300", "--seed", "1", "--out", small);
  if (gen.code !== 0) throw new Error(`generate failed: ${gen.stderr}`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test("--json: one JSON summary on stdout, every required field, consistent counts", () => {
  const dir = join(runs, "first");
  const res = run("--input", small, "--out", dir, "--json");
  assert.is(res.code, 0, res.stderr);
  assert.is(res.stdout.trimEnd().split("\n").length, 1);
  const s = JSON.parse(res.stdout);
  for (const key of SUMMARY_KEYS) assert.ok(key in s, `summary lacks ${key}`);
  assert.is(s.mode, "default");
  assert.is(s.input, small);
  assert.is(s.runDir, dir);
  assert.is(s.rows.loaded, 20000);
  assert.is(s.customersBeforeOutliers, 300);
  assert.is(s.customers, s.customersBeforeOutliers - s.outliers);
  assert.ok(s.outliers > 0 && s.outliers <= Math.ceil(0.05 * 300), `outliers ${s.outliers}`);
  assert.is(s.k, 3);
  assert.is(s.clusterSizes.length, 3);
  assert.is(s.clusterSizes.reduce((a: number, b: number) => a + b, 0), s.customers);
  assert.equal(s.clusterSizes, [...s.clusterSizes].sort((a: number, b: number) => b - a), "clusters numbered by size");
  assert.is(s.explainedVarianceRatio.length, s.nComponents);
  assert.ok(s.explainedVarianceRatio.reduce((a: number, b: number) => a + b, 0) >= 0.8);
  for (const m of [s.inertia, s.silhouette, s.daviesBouldin, s.calinskiHarabasz]) assert.ok(Number.isFinite(m));
  for (const step of ["load", "clean", "features", "outliers", "scale", "pca", "kmeans", "metrics", "recommendations", "write"]) {
    assert.type(s.timingsMs[step], "number", `timing of ${step}`);
  }
  assert.match(res.stderr, /✓ kmeans/, "progress goes to stderr");
  first = { summary: s, dir, digest: digest(dir) };
});

test("run directory: every file is there and parses; customers.parquet has the features, PCs and clusters", () => {
  assert.ok(first, "needs the first run");
  const { dir, summary: s } = first!;
  const p = s.nComponents as number;
  assert.equal(readdirSync(dir).sort(), RUN_FILES);
  assert.equal(temps(runs), []);

  const table = parquetToArrow(readFileSync(join(dir, "customers.parquet")), "customers.parquet");
  const pcs = Array.from({ length: p }, (_, c) => `PC${c + 1}`);
  assert.equal(table.schema.fields.map((f) => f.name), ["CustomerID", ...FEATURE_NAMES, "Outlier", ...pcs, "Cluster", "Silhouette"]);
  assert.is(table.numRows, s.customersBeforeOutliers);
  const outlier = table.getChild("Outlier")!;
  let clustered = 0;
  const sizes = [0, 0, 0];
  for (let i = 0; i < table.numRows; i++) {
    const c = table.getChild("Cluster")!.get(i) as number | null;
    assert.is(c === null, outlier.get(i) === true, `row ${i}: a cluster exactly when not an outlier`);
    if (c !== null) {
      clustered++;
      sizes[c]!++;
      assert.ok(Number.isFinite(table.getChild("PC1")!.get(i)));
    }
  }
  assert.is(clustered, s.customers);
  assert.equal(sizes, s.clusterSizes);

  const model = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
  assert.equal(model.features, [...FEATURE_NAMES]);
  assert.is(model.mode, "default");
  assert.is(model.tool.name, "custseg");
  assert.match(model.tool.version, /^\d+\.\d+\.\d+/);
  assert.match(model.data.sha256, /^[0-9a-f]{64}$/);
  assert.is(model.data.input, small);
  assert.is(model.scaling.standardized.mean.length, FEATURE_NAMES.length);
  assert.is(model.scaling.standardized.scale.length, FEATURE_NAMES.length);
  assert.is(model.pca.mean.length, FEATURE_NAMES.length);
  assert.is(model.pca.components.length, p);
  assert.ok(model.pca.components.every((row: number[]) => row.length === FEATURE_NAMES.length));
  assert.is(model.kmeans.centroids.length, 3);
  assert.ok(model.kmeans.centroids.every((row: number[]) => row.length === p));
  assert.equal([model.kmeans.k, model.kmeans.seed, model.kmeans.nInit, model.kmeans.maxIter, model.kmeans.init], [3, 0, 10, 100, "k-means++"]);
  assert.is(model.metrics.inertia, s.inertia);

  const metrics = JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8"));
  assert.equal([metrics.silhouette, metrics.daviesBouldin, metrics.calinskiHarabasz], [s.silhouette, s.daviesBouldin, s.calinskiHarabasz]);
  const profiles = JSON.parse(readFileSync(join(dir, "profiles.json"), "utf8"));
  assert.equal(profiles.features, [...FEATURE_NAMES]);
  assert.is(profiles.clusters.length, 3);
  const recs = readFileSync(join(dir, "recommendations.csv"), "utf8").trimEnd().split("\n");
  assert.match(recs[0]!, /^CustomerID,cluster,Rec1_StockCode/);
  assert.is(recs.length - 1, s.customers);
  const html = readFileSync(join(dir, "report.html"), "utf8");
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<\/html>\s*$/);
});

test("generated input: synthetic in --json and model.json, a banner atop report.html, a line in the terminal summary", () => {
  assert.ok(first, "needs the first run");
  const { dir, summary: s } = first!;
  const generator = { rows: 20000, customers: 300, seed: 1, version: JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version };
  assert.is(s.synthetic, true);
  assert.equal(s.generator, generator);
  const model = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
  assert.is(model.data.synthetic, true);
  assert.equal(model.data.generator, generator);
  const html = readFileSync(join(dir, "report.html"), "utf8");
  const body = html.slice(html.indexOf("<body>") + "<body>".length).trimStart();
  assert.match(body, /^<div class="synthetic-banner" role="alert"[^>]*><strong>Synthetic data<\/strong> — these segments describe generated customers, not real ones\./, "the banner comes first");
  assert.match(body, /custseg generate: seed 1, 20,000 lines, 300 customers/);
  const recorded = custseg("runs", "show", String(s.runId), "--json");
  assert.is(recorded.code, 0, recorded.stderr);
  assert.is(JSON.parse(recorded.stdout).tags["custseg.synthetic"], "true");
  const plain = run("--input", small, "--out", join(runs, "plain-synthetic"), "--n-init", "1");
  assert.is(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /\n {2}SYNTHETIC {3}generated data: the segments describe generated customers, not real ones \(custseg generate: seed 1/);
});

test("segment names: derived by default, --names replaces them in profiles.json, model.json, the report and the summary", () => {
  assert.ok(first, "needs the first run");
  const derived = first!.summary.clusterNames as string[];
  assert.is(derived.length, 3);
  assert.is(new Set(derived).size, 3, "distinct");
  const names = join(tmp, "names.json");
  writeFileSync(names, '{"1": "Weekend crafters"}');
  const dir = join(runs, "named");
  const res = run("--input", small, "--out", dir, "--names", names, "--currency", "gbp", "--json");
  assert.is(res.code, 0, res.stderr);
  const s = JSON.parse(res.stdout);
  assert.equal(s.clusterNames, [derived[0], "Weekend crafters", derived[2]]);
  const profiles = JSON.parse(readFileSync(join(dir, "profiles.json"), "utf8"));
  assert.equal(profiles.clusters.map((c: { name: string }) => c.name), s.clusterNames);
  const model = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
  assert.equal(model.clusters.map((c: { name: string }) => c.name), s.clusterNames);
  const report = readFileSync(join(dir, "report.html"), "utf8");
  assert.ok(report.includes("Weekend crafters"));
  // Business figures: one row per cluster and one for the outliers, shares of every customer.
  assert.is(profiles.currency, "GBP");
  assert.equal(profiles.segments.map((r: { name: string }) => r.name), [...s.clusterNames, "Outliers"]);
  const sum = (key: string) => profiles.segments.reduce((a: number, r: Record<string, number>) => a + r[key]!, 0);
  assert.is(sum("customers"), s.customersBeforeOutliers);
  assert.ok(Math.abs(sum("revenueShare") - 1) < 1e-12, `revenue shares sum to ${sum("revenueShare")}`);
  assert.equal(s.revenueShares, profiles.segments.map((r: { revenueShare: number }) => r.revenueShare));
  for (const r of profiles.segments) {
    assert.ok(r.topProducts.length > 0 && r.topProducts.length <= 10, r.name);
    for (const key of ["revenue", "averageOrderValue", "purchaseFrequency", "recencyDays", "cancellationRate"]) assert.ok(Number.isFinite(r[key]), `${r.name} ${key}`);
  }
  assert.match(report, /data-table="business"/);
  assert.match(report, /£[0-9]/);
});

test("without --json: a summary table on stdout (one row per cluster), timed steps on stderr, default runs/<runId>", () => {
  const res = run("--input", small);
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /customers\s+300 with features/);
  assert.match(res.stdout, /silhouette [\d.]+, Davies–Bouldin [\d.]+, Calinski–Harabasz [\d.]+/);
  const rows = res.stdout.split("\n").filter((l) => /^\s+\d+\s+\d+\s+[\d.]+%\s+\S/.test(l));
  assert.is(rows.length, 3, res.stdout);
  for (const step of ["load", "clean", "features", "outliers", "scale", "pca", "kmeans", "metrics", "recommendations", "write"]) {
    assert.match(res.stderr, new RegExp(`✓ ${step}\\s+[\\d.]+ m?s`), `progress of ${step}`);
  }
  const made = readdirSync(join(tmp, "runs")).filter((d) => /^\d{8}T\d{6}Z-[0-9a-f]{8}$/.test(d));
  assert.is(made.length, 1, readdirSync(join(tmp, "runs")).join(", "));
  assert.match(res.stdout, new RegExp(`runs/${made[0]}/report\\.html`));
  assert.equal(readdirSync(join(tmp, "runs", made[0]!)).sort(), RUN_FILES);
});

test("determinism: same input and seed → same summary (but timings, runDir and runId) and same customers.parquet", () => {
  assert.ok(first, "needs the first run");
  const dir = join(tmp, "again");
  const res = run("--input", small, "--out", dir, "--json");
  assert.is(res.code, 0, res.stderr);
  const strip = (s: Record<string, unknown>) => ({ ...s, timingsMs: undefined, runDir: undefined, runId: undefined });
  assert.equal(strip(JSON.parse(res.stdout)), strip(first!.summary));
  assert.is(digest(dir)["customers.parquet"], first!.digest["customers.parquet"]);
  assert.is(digest(dir)["recommendations.csv"], first!.digest["recommendations.csv"]);
});

test("bad input: one clear line, exit 1, no stack, nothing half-written, the earlier run untouched", () => {
  assert.ok(first, "needs the first run");
  const ids = parquetToArrow(readFileSync(small), "small").getChild("CustomerID")!.toArray() as Int32Array;
  const everyone = join(tmp, "everyone.csv");
  writeFileSync(everyone, `CustomerID\n${[...new Set(ids)].filter((id) => id > 0).join("\n")}\n`);
  const nobody = join(tmp, "nobody.csv");
  writeFileSync(nobody, "CustomerID\n");
  const identical = customersCsv("identical.csv", 12, () => 6);
  const twoKinds = customersCsv("two-kinds.csv", 12, (c) => (c % 2 ? 6 : 12));
  const fewer = customersCsv("fewer.csv", 3, (c) => 6 * (c + 1));
  writeFileSync(join(tmp, "a-file"), "");
  const badNames = join(tmp, "bad-names.json");
  writeFileSync(badNames, '{"3": "Ghosts"}');
  mkdirSync(join(tmp, "occupied"), { recursive: true });
  writeFileSync(join(tmp, "occupied", "keep.txt"), "mine");

  const cases: [string[], RegExp][] = [
    [["--input", small, "--k", "400"], /--k 400 needs at least 401 customers, and 285 remain after outlier removal/],
    [["--input", fewer, "--outliers-from", nobody], /--k 3 needs at least 4 customers, and 3 remain after outlier removal/],
    [["--input", small, "--outliers-from", everyone], /--outliers-from .*everyone\.csv lists every one of the 300 customers; nothing is left to cluster/],
    [["--input", identical, "--outliers-from", nobody], /identical features \(no variance\)/],
    [["--input", twoKinds, "--outliers-from", nobody], /--k 3: k-means found only 2 distinct groups among the 12 customers/],
    [["--input", small, "--compat", "seed", "--variance", "0.9999999"], /--variance 0\.9999999 is out of reach in seed compatibility: no PCA component count from 2 to 7/],
    [["--input", small, "--variance", "1.5"], /--variance must be a ratio in \(0, 1\] \(got 1\.5\)/],
    [["--input", small, "--k", "1"], /--k must be a whole number ≥ 2, got 1/],
    [["--input", join(tmp, "absent.parquet")], /absent\.parquet/],
    [["--input", small, "--outliers-from", join(tmp, "absent.csv")], /absent\.csv.*--outliers-from/],
    [["--input", small, "--init", join(tmp, "absent-centres.csv")], /absent-centres\.csv/],
    [["--input", small, "--names", join(tmp, "absent-names.json")], /absent-names\.json.*--names/],
    [["--input", small, "--currency", "POUND"], /--currency must be an ISO 4217 code such as GBP, EUR or USD, got "POUND"/],
    [["--input", small, "--names", badNames], /bad-names\.json: key "3": not a cluster number \(0\.\.2\).*--names/],
  ];
  for (const [args, pattern] of cases) {
    const out = join(runs, "failed");
    const res = run(...args, "--out", out, "--json");
    assertFailure(res, pattern);
    assert.not.ok(existsSync(out), `${args.join(" ")}: left ${out}`);
    assert.equal(temps(runs), [], `${args.join(" ")}: temp left`);
  }
  assertFailure(run("--input", small, "--out", join(tmp, "a-file", "run"), "--json"), /--out .*a-file\/run: .*a-file is a file, not a directory/);
  assertFailure(run("--input", small, "--out", join(tmp, "occupied"), "--json"), /--out .*occupied already exists/);
  assert.equal(readdirSync(join(tmp, "occupied")), ["keep.txt"]);
  assertFailure(run("--input", small, "--out", first!.dir, "--json"), /already exists/);
  assert.equal(digest(first!.dir), first!.digest, "the earlier run is byte-identical");
});

/** Starts a run, sends SIGINT when stderr first matches `when`, and resolves with the exit and output. */
// --no-cache: with the steps stored by the earlier runs, nothing would be left to interrupt.
const interrupt = (args: string[], when: RegExp) => startCli(["run", "--threads", "1", "--no-cache", ...args], { cwd: tmp, onStderr: signalWhen(when, "SIGINT") });

test("SIGINT mid-run: exit 130, one line, no run directory and no temp left, the earlier run untouched", async () => {
  assert.ok(first, "needs the first run");
  const out = join(runs, "interrupted");
  const res = await interrupt(["--input", small, "--out", out, "--json"], /✓ load/);
  assert.is(res.code, 130, res.stderr);
  assert.is(res.stdout, "");
  assert.match(res.stderr, /custseg: interrupted \(SIGINT\); unfinished output removed\n$/);
  assert.not.match(res.stderr, /\n\s+at /);
  assert.not.ok(existsSync(out));
  assert.equal(temps(runs), []);
  assert.equal(digest(first!.dir), first!.digest);
});

test("SIGINT while the run directory is written: either no directory or a complete one, never a temp", async () => {
  const out = join(runs, "interrupted-late");
  const res = await interrupt(["--input", small, "--out", out, "--json"], /✓ recommendations/);
  assert.ok(res.code === 130 || res.code === 0, `exit ${res.code}: ${res.stderr}`);
  if (existsSync(out)) assert.equal(readdirSync(out).sort(), RUN_FILES);
  if (res.code === 130) assert.is(res.stdout, "");
  assert.equal(temps(runs), []);
});

test("--help names every flag", () => {
  const res = custseg("run", "--help");
  assert.is(res.code, 0);
  for (const flag of ["--input", "--compat", "--outliers-from", "--k", "--seed", "--n-init", "--max-iter", "--tol", "--init", "--variance", "--names", "--currency", "--out", "--data-dir", "--threads", "--encoding", "--map", "--store", "--experiment", "--json"]) {
    assert.ok(res.stdout.includes(flag), `--help lacks ${flag}`);
  }
});

test.run();
