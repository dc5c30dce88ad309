// `custseg evaluate` end to end: spawns the compiled CLI (run `npx tsc -p .` first).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sharedFile, skipped } from "../../helpers/shared.js";
import { assertClose } from "../../helpers/assert.js";
import { assertFailure, runCli } from "../../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-evaluate-"));

function custseg(args: string[]) {
  return runCli(["evaluate", ...args], { cwd: dir });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test("--json prints one object matching scikit-learn's three scores", () => {
  const input = sharedFile("reference/kernels/metrics_1200x6.csv", "metrics fixture");
  const labels = sharedFile("reference/kernels/metrics_1200x6_labels.csv", "metrics fixture");
  const json = sharedFile("reference/kernels/metrics_1200x6_expected.json", "metrics fixture");
  if (!input || !labels || !json) return skipped();
  const expected = JSON.parse(readFileSync(json, "utf8"));
  const res = custseg(["--input", input, "--labels", labels, "--json"]);
  assert.is(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(Object.keys(out), ["silhouette", "daviesBouldin", "calinskiHarabasz"]);
  assertClose(out.silhouette, expected.silhouette, 1e-9, "silhouette", "relative");
  assertClose(out.daviesBouldin, expected.davies_bouldin, 1e-9, "daviesBouldin", "relative");
  assertClose(out.calinskiHarabasz, expected.calinski_harabasz, 1e-9, "calinskiHarabasz", "relative");
});

const x = () => file("x.csv", "a,b\n0,0\n0,1\n1,0\n5,5\n5,6\n6,5\n");

test("without --json: one line per score", () => {
  const res = custseg(["--input", x(), "--labels", file("l.csv", "label\n0\n0\n0\n1\n1\n1\n")]);
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /^silhouette\s+0\.\d+\ndavies-bouldin\s+0\.\d+\ncalinski-harabasz\s+\d+/);
});

test("bad labels or input: one line on stderr naming the file, exit 1", () => {
  assertFailure(custseg(["--input", x(), "--labels", file("one.csv", "label\n0\n0\n0\n0\n0\n0\n")]), /one\.csv: the silhouette needs between 2 and n − 1 = 5 distinct labels, got 1/);
  assertFailure(custseg(["--input", x(), "--labels", file("all.csv", "label\n0\n1\n2\n3\n4\n5\n")]), /all\.csv: .*got 6/);
  assertFailure(custseg(["--input", x(), "--labels", file("neg.csv", "label\n0\n0\n-1\n1\n1\n1\n")]), /neg\.csv: line 4: label -1 is not a non-negative integer/);
  assertFailure(custseg(["--input", x(), "--labels", file("frac.csv", "label\n0\n0\n0.5\n1\n1\n1\n")]), /frac\.csv: line 4: label 0\.5/);
  assertFailure(custseg(["--input", x(), "--labels", file("short.csv", "label\n0\n1\n")]), /short\.csv: 2 labels for the 6 rows of/);
  assertFailure(custseg(["--input", x(), "--labels", file("two.csv", "a,b\n0,1\n")]), /two\.csv: expected one column of cluster labels, found 2/);
  assertFailure(custseg(["--input", x(), "--labels", file("txt.csv", "label\n0\nzero\n")]), /txt\.csv: line 3, column 1 \(label\): "zero" is not a finite number/);
  assertFailure(custseg(["--input", file("nan.csv", "a,b\n1,2\n1,NaN\n"), "--labels", file("l2.csv", "label\n0\n1\n")]), /nan\.csv: line 3, column 2 \(b\)/);
  assertFailure(custseg(["--input", join(dir, "absent.csv"), "--labels", x()]), /absent\.csv: no such file/);
  assertFailure(custseg(["--input", file("none.csv", "a,b\n"), "--labels", file("l0.csv", "label\n")]), /none\.csv: X has no rows/);
});

test("--help describes the command", () => {
  const res = custseg(["--help"]);
  assert.is(res.code, 0);
  assert.match(res.stdout, /--labels/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
