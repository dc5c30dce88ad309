// One rule for every output file: never an input, never an existing file without --force, never a
// device or special file, never through a symbolic link; checked before any work.
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OutputError, UserError } from "../../src/errors.js";
import { writeFileAtomic } from "../../src/io/atomic.js";
import { runKMeansJob } from "../../src/pipeline/jobs/kmeans.js";
import { runPcaJob } from "../../src/pipeline/jobs/pca.js";
import { lines, runWatched } from "../helpers/watched.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-outputs-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const matrix = join(dir, "m.csv");
const MATRIX = "a,b,c\n1,2,3\n4,5,7\n7,9,8\n2,2,2\n9,1,4\n";
writeFileSync(matrix, MATRIX);

/** A named pipe, where the platform has mkfifo. */
function fifo(name: string): string | undefined {
  const path = join(dir, name);
  try {
    execFileSync("mkfifo", [path]);
    return path;
  } catch {
    return undefined;
  }
}

async function refused(args: string[], pattern: RegExp) {
  const r = await runWatched(args, { cwd: dir, livenessMs: 60_000 });
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

test("an output onto a named pipe is refused and the pipe stays a pipe", async () => {
  const pipe = fifo("labels.pipe");
  if (!pipe) return;
  await refused(["kmeans", "--input", matrix, "--k", "2", "--labels-out", pipe], /--labels-out .*labels\.pipe is a device or special file, not a regular file/);
  assert.ok(lstatSync(pipe).isFIFO());
  // Even forced, and even at the writer itself (a pipe appearing after the command started).
  await refused(["pca", "--input", matrix, "--components", "1", "--out", join(dir, "labels.pipe"), "--force"], /is a device or special file/);
  try {
    await writeFileAtomic(pipe, "x");
    assert.unreachable("the writer must refuse a special file");
  } catch (err) {
    assert.instance(err, UserError);
  }
  assert.ok(lstatSync(pipe).isFIFO());
});

test("an output through a symbolic link is refused; the link's target is untouched", async () => {
  const target = join(dir, "target.csv");
  writeFileSync(target, "keep me\n");
  const link = join(dir, "link.csv");
  symlinkSync(target, link);
  await refused(["pca", "--input", matrix, "--components", "1", "--out", link, "--force"], /--out .*link\.csv is a symbolic link/);
  assert.is(readFileSync(target, "utf8"), "keep me\n");
  assert.ok(lstatSync(link).isSymbolicLink());
});

test("the output may never be the input, however spelled", async () => {
  await refused(["pca", "--input", matrix, "--components", "1", "--out", matrix, "--force"], /--out .*m\.csv is the input/);
  await refused(["pca", "--input", matrix, "--components", "1", "--out", `./${relative(dir, matrix)}`, "--force"], /is the input/);
  await refused(["kmeans", "--input", matrix, "--k", "2", "--labels-out", matrix, "--force"], /--labels-out .*is the input/);
  assert.is(readFileSync(matrix, "utf8"), MATRIX);
});

test("an existing file is replaced only with --force; generate follows the same rule", async () => {
  const out = join(dir, "scores.csv");
  writeFileSync(out, "old\n");
  await refused(["pca", "--input", matrix, "--components", "1", "--out", out], /--out .*scores\.csv already exists; pass --force to replace it/);
  assert.is(readFileSync(out, "utf8"), "old\n");
  const forced = await runWatched(["pca", "--input", matrix, "--components", "1", "--out", out, "--force"], { cwd: dir });
  assert.is(forced.status, 0, forced.stderr);
  assert.match(readFileSync(out, "utf8"), /^PC1\n/);

  const gen = join(dir, "lines.csv");
  writeFileSync(gen, "mine\n");
  await refused(["generate", "--rows", "10", "--customers", "2", "--out", gen], /--out .*lines\.csv already exists/);
  assert.is(readFileSync(gen, "utf8"), "mine\n");
  assert.not.ok(existsSync(join(dir, "never.csv")));
});

test("jobs refuse an output with a structured error naming the option, never a flag", async () => {
  const existing = join(dir, "taken.csv");
  writeFileSync(existing, "x\n");
  const caught = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (err) {
      return err;
    }
    assert.unreachable("the job wrote over a refused output");
  };
  const exists = await caught(() => runPcaJob({ input: matrix, components: 1, out: existing }));
  assert.instance(exists, OutputError);
  const e = exists as OutputError;
  assert.equal([e.option, e.path, e.problem], ["out", existing, { kind: "exists" }]);
  assert.equal(e.fields, { input: existing, option: "out" });
  assert.not.match(e.message, /--/);
  const input = (await caught(() => runKMeansJob({ input: matrix, k: 2, labelsOut: matrix, force: true }))) as OutputError;
  assert.instance(input, OutputError);
  assert.equal([input.option, input.problem], ["labelsOut", { kind: "input", input: matrix }]);
  assert.not.match(input.message, /--/);
  assert.is(readFileSync(existing, "utf8"), "x\n");
});

test.run();
