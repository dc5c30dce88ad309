// The tune's worker pool once closed: a task still waiting is rejected rather than left pending
// (a stopped worker never answers), and so is any task asked for afterwards. A pool handed to the
// tune job is closed by it, even when the job ends before its first step.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { matrix } from "../../../src/engine/matrix.js";
import type { Engine } from "../../../src/engine/engine.js";
import { OptionError } from "../../../src/errors.js";
import { runTuneJob } from "../../../src/pipeline/jobs/tune-job.js";
import { TunePool } from "../../../src/pipeline/jobs/tune-pool.js";
import { parseGrid } from "../../../src/pipeline/steps/tune-grid.js";

/** The promise's error, or a failure if it has not settled within a liveness bound. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), 20_000);
  });
  try {
    const outcome = await Promise.race([p.then(() => "resolved" as const, (err: Error) => err), bound]);
    if (!(outcome instanceof Error)) assert.unreachable(`the task ${outcome}`);
    return outcome as Error;
  } finally {
    clearTimeout(timer);
  }
}

test("closing rejects the tasks still waiting and every later one", async () => {
  const pool = TunePool.start(1);
  const x = matrix(Float64Array.from({ length: 40 }, (_, i) => (i * 7919) % 101), 20, 2);
  await pool.setData(x);
  // Closed in the same turn: no reply can have been read yet, so every fit is still waiting.
  const fits = Array.from({ length: 4 }, (_, i) => pool.fitRuns({ k: 3, init: "k-means++", maxIter: 300, tol: 0, seed: i, runs: [0, 1, 2] }));
  const outcomes = fits.map(rejection);
  await pool.close();
  for (const outcome of outcomes) assert.match((await outcome).message, /stopped before the task finished/);
  assert.match((await rejection(pool.metrics(new Int32Array(20)))).message, /stopped/);
  assert.match((await rejection(pool.setData(x))).message, /stopped/);
  await pool.close();
});

test("a tune refused before its first step closes the pool it was given", async () => {
  const dir = mkdtempSync(join(tmpdir(), "custseg-tune-pool-"));
  try {
    writeFileSync(join(dir, "taken.txt"), "");
    const pool = TunePool.start(1);
    const noEngine = {} as Engine;
    const job = runTuneJob(noEngine, { input: join(dir, "none.parquet"), compat: "none", seed: 0, variance: 0.8, grid: parseGrid(undefined), kRange: [2, 3], metric: "silhouette", tol: 1e-4, threads: 1, pool, out: dir });
    const err = await rejection(job);
    assert.instance(err, OptionError);
    assert.is((err as OptionError).option, "out");
    assert.match((await rejection(pool.metrics(new Int32Array(4)))).message, /stopped/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
