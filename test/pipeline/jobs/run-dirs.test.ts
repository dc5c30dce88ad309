// Default run directory names are unique per run: two runs started in the same second with the
// same options both succeed, each in its own directory; a run never replaces another's directory.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Engine, loadEngine } from "../../../src/engine/engine.js";
import { UserError } from "../../../src/errors.js";
import { generateFile } from "../../../src/io/generate/generate.js";
import { runPipeline } from "../../../src/pipeline/jobs/run.js";
import type { RunOptions } from "../../../src/pipeline/options.js";
import { writeDirAtomic } from "../../../src/io/atomic.js";

let engine: Engine;
let tmp = "";
let input = "";

test.before(async () => {
  engine = await loadEngine({ threads: 1 });
  tmp = await mkdtemp(join(tmpdir(), "custseg-run-dirs-"));
  input = join(tmp, "lines.parquet");
  await generateFile(input, { rows: 20_000, customers: 300, seed: 1 });
});

test.after(async () => {
  engine.close();
  await rm(tmp, { recursive: true, force: true });
});

test("two runs at the same instant with the same options get two directories", async () => {
  const runsDir = join(tmp, "runs");
  const now = new Date("2026-11-30T02:00:00Z");
  const opts: RunOptions = { input, runsDir, now, cacheDir: false, compat: "none", k: 3, seed: 0, nInit: 2, maxIter: 50, tol: 1e-4, init: "k-means++", variance: 0.8 };
  const a = await runPipeline(engine, opts);
  const b = await runPipeline(engine, opts);
  assert.is.not(a.summary.runDir, b.summary.runDir);
  const dirs = readdirSync(runsDir).sort();
  assert.is(dirs.length, 2);
  for (const d of dirs) assert.match(d, /^20261130T020000Z-[0-9a-f]{8}-p\d+(\.\d+)?$/);
});

test("an atomic directory never replaces one that appeared meanwhile", async () => {
  const target = join(tmp, "taken");
  try {
    await writeDirAtomic(target, async (t) => {
      writeFileSync(join(t, "mine"), "x");
      mkdirSync(target);
      writeFileSync(join(target, "theirs"), "y");
    });
    assert.unreachable("the rename must not replace the other directory");
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /taken appeared while this command was working; it was left as it is/);
  }
  assert.equal(readdirSync(target), ["theirs"]);
  assert.equal(readdirSync(tmp).filter((f) => f.includes(".tmp")), []);
});

test.run();
