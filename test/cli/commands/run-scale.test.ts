// `custseg run` at scale, on small generated data (a few hundred customers, below both thresholds, so
// both are asked for): mini-batch k-means (--algorithm, --batch-size) and the sampled silhouette
// (--silhouette-sample) reported in the summary, summary.json, metrics.json, customers.parquet and
// the report; their bad values.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parquetToArrow } from "../../../src/io/parquet.js";
import { SCALE_DEFAULTS } from "../../../src/pipeline/options.js";
import { assertFailure, runCli } from "../../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-run-scale-"));
const small = join(tmp, "small.parquet");
const custseg = (...args: string[]) => runCli(args, { cwd: tmp });
const run = (...args: string[]) => custseg("run", "--threads", "1", "--input", small, ...args);

test.before(() => {
  const gen = custseg("generate", "--rows", "20000", "--customers", "300", "--seed", "1", "--out", small);
  if (gen.code !== 0) throw new Error(`generate failed: ${gen.stderr}`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test("--algorithm minibatch and --silhouette-sample: reported in the summary, metrics.json, customers.parquet and the report", () => {
  const dir = join(tmp, "runs", "scaled");
  const res = run("--algorithm", "minibatch", "--batch-size", "64", "--silhouette-sample", "100", "--out", dir, "--json");
  assert.is(res.code, 0, res.stderr);
  const s = JSON.parse(res.stdout);
  assert.is(s.algorithm, "minibatch");
  assert.ok(Number.isInteger(s.nSteps) && s.nSteps >= 1, `nSteps ${s.nSteps}`);
  const sample = s.silhouetteSample;
  assert.equal([sample.size, sample.population, sample.seed], [100, s.customers, 0]);
  assert.ok(sample.ci95[0] < s.silhouette && s.silhouette < sample.ci95[1], JSON.stringify(sample));
  assert.equal(JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).silhouetteSample, sample);
  const metrics = JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8"));
  assert.equal(metrics.silhouetteSample, sample);
  assert.is(metrics.algorithm, "minibatch");
  const customers = parquetToArrow(readFileSync(join(dir, "customers.parquet")), "customers");
  const silhouettes = customers.getChild("Silhouette")!;
  assert.is(silhouettes.length - silhouettes.nullCount, 100, "one value per sampled customer");
  const report = readFileSync(join(dir, "report.html"), "utf8");
  assert.match(report, /a seeded sample of 100 of [\d,]+ customers; 95 % interval/);
});

test("the plain summary names mini-batch and the sample beside the silhouette; the same seed gives the same numbers", () => {
  const a = run("--algorithm", "minibatch", "--silhouette-sample", "150", "--out", join(tmp, "runs", "a"));
  assert.is(a.code, 0, a.stderr);
  assert.match(a.stdout, /k-means {5}k = 3, mini-batch, inertia \d+\.\d\d, [\d,]+ steps \(\d+ pass(es)? over the customers\)/);
  assert.match(a.stdout, /silhouette -?\d\.\d{4} \(sample of 150 of [\d,]+ customers, 95 % CI -?\d\.\d{4}–-?\d\.\d{4}\)/);
  const b = run("--algorithm", "minibatch", "--silhouette-sample", "150", "--out", join(tmp, "runs", "b"));
  const line = (out: string) => out.split("\n").filter((l) => /k-means|metrics/.test(l));
  assert.equal(line(b.stdout), line(a.stdout));
});

test("--help names the three flags with their defaults", () => {
  const help = custseg("run", "--help");
  assert.is(help.code, 0);
  // Each flag's lines: from its name to the next flag's.
  const blocks = help.stdout.split(/\n(?=\s+-)/).map((b) => b.trim());
  const defaults: [string, string][] = [
    ["--algorithm", JSON.stringify(SCALE_DEFAULTS.algorithm)],
    ["--batch-size", String(SCALE_DEFAULTS.batchSize)],
    ["--silhouette-sample", String(SCALE_DEFAULTS.silhouetteSample)],
  ];
  for (const [flag, value] of defaults) {
    const block = blocks.find((b) => b.startsWith(`${flag} `));
    assert.ok(block, `--help lacks ${flag}`);
    assert.ok(block.includes(`[default: ${value}]`), `${flag}: ${block}`);
  }
  assert.match(help.stdout, /Lloyd up to 100,000 customers/);
});

test("auto below the threshold uses Lloyd; the exact silhouette has no sample", () => {
  const res = run("--out", join(tmp, "runs", "auto"), "--json");
  assert.is(res.code, 0, res.stderr);
  const s = JSON.parse(res.stdout);
  assert.is(s.algorithm, "lloyd");
  assert.not.ok("silhouetteSample" in s);
});

test("bad values: one line naming the flag, exit 1, no run directory", () => {
  const cases: [string[], RegExp][] = [
    [["--algorithm", "minibatch", "--compat", "seed"], /--algorithm minibatch is not available with --compat seed/],
    [["--batch-size", "0"], /--batch-size must be a whole number from 1 to 1,048,576 \(got 0\)/],
    [["--silhouette-sample", "2"], /--silhouette-sample must be a whole number from 3 to 200,000 \(got 2\)/],
    [["--silhouette-sample", "2.5"], /--silhouette-sample must be a whole number/],
  ];
  for (const [args, pattern] of cases) {
    const out = join(tmp, "runs", "failed");
    assertFailure(run(...args, "--out", out, "--json"), pattern);
    assert.not.ok(existsSync(out), `${args.join(" ")} left ${out}`);
  }
  const unknown = run("--algorithm", "fast", "--json");
  assert.is(unknown.code, 2, "a usage error");
  assert.match(unknown.stderr, /algorithm, Given: "fast", Choices: "auto", "lloyd", "minibatch"/);
});

test.run();
