// A job's engine stops its worker threads once the job's signal is aborted, so an interrupted
// process has no busy workers left, and the next job gets a fresh engine.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../../src/engine/index.js";
import { engineFor } from "../../../src/pipeline/jobs/engine-input.js";
import { skipped } from "../../helpers/shared.js";

test("aborting the job's signal stops the engine's worker threads and drops it from the cache", async () => {
  const stop = new AbortController();
  const engine = await engineFor(2, undefined, stop.signal);
  const pool = engine.context.pool;
  // One core, or no SharedArrayBuffer: there are no workers to stop.
  if (!pool) return skipped();
  assert.is(pool.threads, 2);
  stop.abort(new Error("interrupted"));
  assert.is(pool.threads, 1, "the workers were terminated");
  const next = await loadEngine({ threads: 2 });
  assert.is.not(next, engine);
  assert.is(next.context.pool?.threads, 2);
  next.close();
});

test.run();
