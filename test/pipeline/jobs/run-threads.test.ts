// A run given one thread encodes customers.parquet on its own thread, a run given two on the
// writer thread: the run directories hold the same bytes.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../../src/engine/engine.js";
import { generateFile } from "../../../src/io/generate/generate.js";
import { runJob } from "../../../src/pipeline/jobs/run-job.js";
import { RUN_DEFAULTS } from "../../../src/pipeline/options.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-run-threads-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("customers.parquet: the same bytes with --threads 1 (this thread) and 2 (the writer thread)", async () => {
  const input = join(dir, "small.parquet");
  await generateFile(input, { rows: 4_000, customers: 60, seed: 11 });
  const engine = await loadEngine({ threads: 1 });
  try {
    const now = new Date(Date.UTC(2026, 0, 2));
    for (const threads of [1, 2]) await runJob(engine, { ...RUN_DEFAULTS, input, cacheDir: false, threads, now, out: join(dir, `t${threads}`) });
    const one = readFileSync(join(dir, "t1", "customers.parquet"));
    const two = readFileSync(join(dir, "t2", "customers.parquet"));
    assert.ok(one.length > 1000);
    assert.ok(one.equals(two), "same bytes");
  } finally {
    engine.close();
  }
});

test.run();
