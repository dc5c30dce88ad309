// The runner lets go of the loaded lines once the cleaned ones exist, so a large input is never held
// twice; asked for again, they are computed anew.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Engine } from "../../../src/engine/engine.js";
import { generateFile } from "../../../src/io/generate/generate.js";
import { runGraph } from "../../../src/pipeline/jobs/graph/runner.js";
import { RUN_DEFAULTS } from "../../../src/pipeline/options.js";
import { silentReporter } from "../../../src/pipeline/progress.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-graph-release-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const noEngine = (): Promise<Engine> => Promise.reject(new Error("no step up to features uses the engine"));

test("after clean, the loaded table is released; value('load') reads it again", async () => {
  const input = join(dir, "small.parquet");
  await generateFile(input, { rows: 3_000, customers: 40, seed: 3 });
  const graph = await runGraph({ opts: { ...RUN_DEFAULTS, input, cacheDir: false }, engine: noEngine, reporter: silentReporter, to: "features" });
  assert.not.ok("load" in graph.values, "the loaded lines are not held after cleaning");
  assert.ok(graph.values.clean && graph.values.features);
  assert.is(graph.outcomes.map((o) => o.name).join(","), "load,clean,features");
  const again = await graph.value("load");
  assert.is(again.table.numRows, 3_000);
  assert.is(graph.values.clean.rows.loaded, 3_000);
});

test.run();
