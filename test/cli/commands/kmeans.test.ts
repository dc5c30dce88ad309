import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { blobs } from "../../../bench/cases/data.js";
import { minibatchKMeansReference } from "../../../src/engine/reference/index.js";
import { KMEANS_DEFAULTS } from "../../../src/pipeline/options.js";
import { sharedFile, skipped } from "../../helpers/shared.js";
import { runCli } from "../../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-kmeans-"));

function custseg(...args: string[]) {
  return runCli(["kmeans", ...args]);
}

/** A user error: exit 1, one line on stderr naming the problem, nothing on stdout, no stack. */
function assertUserError(res: ReturnType<typeof custseg>, pattern: RegExp): void {
  assert.is(res.code, 1, res.stderr);
  assert.is(res.stdout, "");
  assert.match(res.stderr, pattern);
  assert.is(res.stderr.trim().split("\n").length, 1, res.stderr);
  assert.not.match(res.stderr, /\n\s+at /);
}

const K = "reference/kernels/";

test("--json with given centres reproduces scikit-learn; --labels-out writes one label per row", () => {
  const input = sharedFile(`${K}kmeans_blobs_2000x5.csv`, "k-means CLI fixture");
  const init = sharedFile(`${K}kmeans_blobs_2000x5_init_centers_far.csv`, "k-means CLI fixture");
  const expectedFile = sharedFile(`${K}kmeans_blobs_2000x5_far_expected.json`, "k-means CLI fixture");
  const labelsFile = sharedFile(`${K}kmeans_blobs_2000x5_far_expected_labels.csv`, "k-means CLI fixture");
  if (!input || !init || !expectedFile || !labelsFile) return skipped();
  const labelsOut = join(tmp, "labels.csv");
  const res = custseg("--input", input, "--k", "4", "--init", init, "--labels-out", labelsOut, "--json", "--threads", "1");
  assert.is(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(Object.keys(out), ["k", "algorithm", "inertia", "nIter", "sizes", "centers"]);
  assert.is(out.algorithm, "lloyd");
  const expected = JSON.parse(readFileSync(expectedFile, "utf8"));
  assert.is(out.k, 4);
  assert.is(out.nIter, expected.n_iter);
  assert.equal(out.sizes, expected.sizes);
  assert.ok(Math.abs(out.inertia - expected.inertia) <= 1e-9 * expected.inertia);
  assert.is(readFileSync(labelsOut, "utf8"), readFileSync(labelsFile, "utf8").replace(/\r\n/g, "\n"));
});

test("the same result from CSV and Arrow input, with selected columns and any thread count", () => {
  const rows = 300;
  const a = Float64Array.from({ length: rows }, (_, i) => Math.sin(i) * 10 + (i % 3) * 20);
  const b = Float64Array.from({ length: rows }, (_, i) => Math.cos(i * 0.7) * 5);
  const c = Float64Array.from({ length: rows }, (_, i) => i);
  const csv = join(tmp, "m.csv");
  writeFileSync(csv, `a,b,c\n${Array.from(a, (v, i) => `${v},${b[i]},${c[i]}`).join("\n")}\n`);
  const arrow = join(tmp, "m.arrow");
  writeFileSync(arrow, tableToIPC(tableFromArrays({ a, b, c }), "file"));
  const runs = [
    custseg("--input", csv, "--columns", "a,b", "--k", "3", "--seed", "4", "--json", "--threads", "1"),
    custseg("--input", arrow, "--columns", "a,b", "--k", "3", "--seed", "4", "--json", "--threads", "2"),
  ];
  for (const r of runs) assert.is(r.code, 0, r.stderr);
  assert.is(runs[0]!.stdout, runs[1]!.stdout);
  const out = JSON.parse(runs[0]!.stdout);
  assert.is(out.centers[0].length, 2);
  assert.is(out.sizes.reduce((s: number, n: number) => s + n, 0), rows);
});

test("--algorithm minibatch: the reference implementation's fit, from the file, with --batch-size", () => {
  const x = blobs(2, 3000, 3, 4);
  const csv = join(tmp, "blobs.csv");
  writeFileSync(csv, `a,b,c\n${Array.from({ length: x.rows }, (_, i) => Array.from(x.data.subarray(i * 3, i * 3 + 3)).join(",")).join("\n")}\n`);
  const res = custseg("--input", csv, "--k", "4", "--algorithm", "minibatch", "--batch-size", "200", "--seed", "3", "--json", "--threads", "1");
  assert.is(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  // The CSV holds the values to 17 significant digits: they read back as the same doubles.
  const want = minibatchKMeansReference(x, { k: 4, batchSize: 200, seed: 3, nInit: KMEANS_DEFAULTS.nInit, maxIter: KMEANS_DEFAULTS.maxIter, tol: KMEANS_DEFAULTS.tol });
  assert.is(out.algorithm, "minibatch");
  assert.is(out.nIter, want.nIter);
  assert.ok(Math.abs(out.inertia - want.inertia) <= 1e-12 * want.inertia, `${out.inertia} vs ${want.inertia}`);
  const sizes = new Array<number>(4).fill(0);
  for (const l of want.labels) sizes[l]!++;
  assert.equal(out.sizes, sizes);
  const plain = custseg("--input", csv, "--k", "4", "--algorithm", "minibatch", "--threads", "1");
  assert.match(plain.stdout, /^k-means \(mini-batch\): k = 4/);
  assertUserError(custseg("--input", csv, "--k", "4", "--batch-size", "0"), /^custseg: --batch-size must be a whole number from 1 to 1,048,576 \(got 0\)$/m);
});

test("plain output and --help", () => {
  const csv = join(tmp, "small.csv");
  writeFileSync(csv, "x,y\n0,0\n0,1\n10,10\n10,11\n");
  const res = custseg("--input", csv, "--k", "2");
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /k = 2, inertia 1,/);
  const help = custseg("--help");
  assert.is(help.code, 0);
  assert.match(help.stdout, /--labels-out/);
  assert.match(help.stdout, /--algorithm/);
  assert.match(help.stdout, /--batch-size/);
});

test("bad input: one-line errors, exit 1", () => {
  const csv = join(tmp, "bad.csv");
  writeFileSync(csv, "x,y\n1,2\n3,abc\n");
  assertUserError(custseg("--input", csv, "--k", "1"), /bad\.csv: line 3, column 2 \(y\): "abc" is not a finite number/);
  const good = join(tmp, "good.csv");
  writeFileSync(good, "x,y\n1,2\n3,4\n5,6\n");
  assertUserError(custseg("--input", good, "--k", "0"), /^custseg: --k must be a whole number from 1 to 1,000,000 \(got 0\)$/m);
  assertUserError(custseg("--input", good, "--k", "4"), /good\.csv: k = 4 exceeds the number of rows \(3\)/);
  assertUserError(custseg("--input", join(tmp, "missing.csv"), "--k", "2"), /missing\.csv: no such file/);
  const empty = join(tmp, "header-only.csv");
  writeFileSync(empty, "x,y\n");
  assertUserError(custseg("--input", empty, "--k", "1"), /header-only\.csv: .*no rows/);
  const centres = join(tmp, "centres.csv");
  writeFileSync(centres, "x,y,z\n1,2,3\n");
  assertUserError(custseg("--input", good, "--k", "1", "--init", centres), /centres\.csv: the initial centres are 1 × 3, expected k × d = 1 × 2/);
  assertUserError(custseg("--input", good, "--k", "1", "--threads", "0"), /--threads must be a whole number from 1/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
