// The column bound of the commands that read a numeric matrix: one line naming the file and the
// limit, the flag that raises it, and the same flag raising it on every such command.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertFailure, runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-matrix-columns-"));

/** A CSV matrix of `cols` columns and a few distinct rows, and labels for it. */
function matrixFile(cols: number): string {
  const header = Array.from({ length: cols }, (_, c) => `x${c}`).join(",");
  const rows = [0, 1, 2, 3].map((r) => Array.from({ length: cols }, (_, c) => ((r * 7 + c * 3) % 11) + r).join(","));
  const path = join(dir, `m${cols}.csv`);
  writeFileSync(path, `${header}\n${rows.join("\n")}\n`);
  return path;
}
const labels = join(dir, "labels.csv");
writeFileSync(labels, "label\n0\n0\n1\n1\n");

const commands = (input: string): string[][] => [
  ["pca", "--input", input, "--components", "2", "--threads", "1"],
  ["kmeans", "--input", input, "--k", "2", "--n-init", "1", "--threads", "1"],
  ["evaluate", "--input", input, "--labels", labels, "--threads", "1"],
];

test("a matrix wider than the default limit is refused by pca, kmeans and evaluate, naming the file, the limit and the flag", () => {
  const wide = matrixFile(1001);
  for (const args of commands(wide)) {
    const res = runCli(args, { cwd: dir });
    assertFailure(res, /^custseg: .*m1001\.csv: 1,001 columns, more than the limit of 1,000 \(--max-columns raises the limit\)$/, { alone: true });
  }
});

test("--max-columns lowers and raises the limit; a selection of columns is what counts", () => {
  const input = matrixFile(6);
  for (const args of commands(input)) {
    assertFailure(runCli([...args, "--max-columns", "5"], { cwd: dir }), /m6\.csv: 6 columns, more than the limit of 5 \(--max-columns raises the limit\)$/, {
      alone: true,
    });
    const res = runCli([...args, "--max-columns", "5", "--columns", "x0,x1,x2"], { cwd: dir });
    assert.is(res.code, 0, res.stderr);
  }
  // k-means, not PCA: its cost is linear in the columns, so the raised limit is checked cheaply.
  const wide = runCli(["kmeans", "--input", matrixFile(1001), "--k", "2", "--n-init", "1", "--threads", "1", "--max-columns", "1001"], { cwd: dir });
  assert.is(wide.code, 0, wide.stderr);
});

test("--max-columns must be a whole number", () => {
  const res = runCli(["pca", "--input", matrixFile(6), "--components", "2", "--max-columns", "0"], { cwd: dir });
  assertFailure(res, /--max-columns must be a whole number from 1 to 1,000,000 \(got 0\)/, { code: 1 });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
