// The runner lets go of the loaded lines once the cleaned ones exist, so a large input is never held
// twice, and of the cleaned lines once recommend (their last reader) is done, so the report is
// rendered without them; asked for again, they are computed anew.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Engine, loadEngine } from "../../../src/engine/engine.js";
import { generateFile } from "../../../src/io/generate/generate.js";
import { runGraph } from "../../../src/pipeline/jobs/graph/runner.js";
import { formatDay, lastPurchaseDay } from "../../../src/pipeline/steps/as-of.js";
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

test("a whole run releases the cleaned lines after recommend; the report reads their facts from it", async () => {
  const input = join(dir, "whole.parquet");
  await generateFile(input, { rows: 3_000, customers: 40, seed: 5 });
  const engine = await loadEngine();
  try {
    const graph = await runGraph({ opts: { ...RUN_DEFAULTS, input, cacheDir: false }, engine: async () => engine, reporter: silentReporter });
    assert.not.ok("clean" in graph.values, "the cleaned lines are not held once recommend has its output");
    const { lines } = graph.values.recommend!;
    assert.is(lines.rows.loaded, 3_000);
    assert.ok(lines.generated, "the generator's mark is carried to the report");
    const modelText = graph.values.report!["model.json"]!;
    const model = JSON.parse(typeof modelText === "string" ? modelText : new TextDecoder().decode(modelText));
    const clean = await graph.value("clean");
    assert.is(lines.rows.afterZeroPrice, clean.rows.afterZeroPrice);
    assert.is(lines.asOf, formatDay(lastPurchaseDay(clean.table)!));
    assert.is(model.asOf, lines.asOf);
  } finally {
    engine.close();
  }
});

test.run();
