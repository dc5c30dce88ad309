// `custseg pca` end to end: spawns the compiled CLI (run `npx tsc -p .` first).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertClose } from "../../helpers/assert.js";
import { readMatrix } from "../../../src/io/matrix.js";
import { sharedFile, skipped } from "../../helpers/shared.js";
import { assertFailure, runCli } from "../../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-pca-"));

function custseg(args: string[]) {
  return runCli(["pca", ...args], { cwd: dir });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test("--json prints one object matching scikit-learn (sign rule included)", () => {
  const input = sharedFile("reference/kernels/pca_1500x8.csv", "PCA fixture");
  const json = sharedFile("reference/kernels/pca_1500x8_expected.json", "PCA fixture");
  if (!input || !json) return skipped();
  const expected = JSON.parse(readFileSync(json, "utf8"))["3"];
  const res = custseg(["--input", input, "--components", "3", "--json", "--threads", "1"]);
  assert.is(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(Object.keys(out), ["nComponents", "explainedVariance", "explainedVarianceRatio", "components", "mean"]);
  assert.is(out.nComponents, 3);
  assertClose(out.components.flat(), expected.components.flat(), 1e-9, "components");
  assertClose(out.explainedVarianceRatio, expected.explained_variance_ratio, 1e-9, "ratio");
  assertClose(out.mean, expected.mean, 1e-12, "mean");
});

test("--variance picks the smallest count reaching it; --out writes the scores (CSV and Parquet)", async () => {
  const input = sharedFile("reference/kernels/pca_1500x8.csv", "PCA fixture");
  const json = sharedFile("reference/kernels/pca_1500x8_expected.json", "PCA fixture");
  if (!input || !json) return skipped();
  const expected = JSON.parse(readFileSync(json, "utf8"));
  for (const name of ["scores.csv", "scores.parquet"]) {
    const out = join(dir, name);
    const res = custseg(["--input", input, "--variance", "0.8", "--out", out]);
    assert.is(res.code, 0, res.stderr);
    assert.match(res.stdout, /PCA: 4 components of 8 columns/);
    const { matrix, columnNames } = await readMatrix(out);
    assert.equal(columnNames, ["PC1", "PC2", "PC3", "PC4"]);
    assert.is(matrix.rows, 1500);
    assertClose(Array.from(matrix.data.subarray(0, 4)), expected["8"].transform_first5[0].slice(0, 4), 1e-9, `${name} row 1`);
  }
  assert.is(expected["variance_0.8_smallest_n"], 4);
});

test("--columns selects the input columns", () => {
  const input = file("xyz.csv", "x,y,z\n1,2,0\n2,4.5,0\n3,5.5,1\n4,8,0\n");
  const res = custseg(["--input", input, "--columns", "y,x", "--components", "1", "--json"]);
  assert.is(res.code, 0, res.stderr);
  assert.is(JSON.parse(res.stdout).components[0].length, 2);
});

test("bad input is one line on stderr and a non-zero exit", () => {
  assertFailure(custseg(["--input", join(dir, "absent.csv"), "--components", "2"]), /absent\.csv: no such file/);
  const bad = file("bad.csv", "a,b\n1,2\n3,oops\n");
  assertFailure(custseg(["--input", bad, "--components", "1"]), /bad\.csv: line 3, column 2 \(b\): "oops" is not a finite number/);
  const nan = file("nan.csv", "a,b\n1,2\nNaN,3\n");
  assertFailure(custseg(["--input", nan, "--components", "1"]), /nan\.csv: line 3, column 1 \(a\)/);
  const ok = file("ok.csv", "a,b,c\n1,2,3\n4,5,7\n7,8,8\n");
  assertFailure(custseg(["--input", ok, "--components", "4"]), /ok\.csv: components must be an integer from 1 to min\(n, d\) = 3, got 4/);
  assertFailure(custseg(["--input", ok, "--variance", "2"]), /variance must be a ratio in \(0, 1\]/);
  assertFailure(custseg(["--input", ok, "--columns", "a,q", "--components", "1"]), /no column "q"; the columns are "a", "b", "c"/);
  assertFailure(custseg(["--input", file("empty.csv", "a,b\n"), "--components", "1"]), /empty\.csv: X has no rows/);
  assertFailure(custseg(["--input", file("one.csv", "a,b\n1,2\n"), "--components", "1"]), /one\.csv: PCA needs at least 2 samples, got 1/);
  assertFailure(custseg(["--input", ok]), /give --components P or --variance V/);
  assertFailure(custseg(["--input", ok, "--components", "1", "--variance", "0.5"]), /mutually exclusive/, { code: 2 });
});

test("--help describes the command", () => {
  const res = custseg(["--help"]);
  assert.is(res.code, 0);
  assert.match(res.stdout, /--components/);
  assert.match(res.stdout, /--variance/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
