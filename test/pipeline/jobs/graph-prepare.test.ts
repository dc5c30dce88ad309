// When the runner prepares a step: before the first step, or, for a step that names one to follow
// (the engine's steps: load; the report, for its Parquet writer thread: features), once that step
// has computed (before the first step when that one is stored); not at all when stored.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Engine, loadEngine } from "../../../src/engine/engine.js";
import { generateFile } from "../../../src/io/generate/generate.js";
import { runGraph } from "../../../src/pipeline/jobs/graph/runner.js";
import { GRAPH, type StepName } from "../../../src/pipeline/jobs/graph/steps.js";
import { RUN_DEFAULTS } from "../../../src/pipeline/options.js";
import type { StepReporter } from "../../../src/pipeline/progress.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-graph-prepare-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the graph with every step's preparation recorded among the steps' start and end. */
async function eventsOf(input: string, engine: Engine, store?: string, from?: StepName): Promise<string[]> {
  const events: string[] = [];
  const reporter: StepReporter = { start: (s) => events.push(`start ${s}`), done: (s) => events.push(`done ${s}`), note() {} };
  const saved = GRAPH.map((def) => def.prepare);
  GRAPH.forEach((def, i) => {
    const prepare = saved[i];
    if (!prepare) return;
    def.prepare = (ctx) => {
      events.push(`prepare ${def.name}`);
      prepare(ctx);
    };
  });
  try {
    await runGraph({ opts: { ...RUN_DEFAULTS, input, cacheDir: false }, engine: async () => engine, reporter, store, from });
  } finally {
    GRAPH.forEach((def, i) => {
      def.prepare = saved[i];
    });
  }
  return events;
}

test("the engine's steps are prepared once load has computed, the report once features has; stored steps not at all", async () => {
  const input = join(dir, "small.parquet");
  await generateFile(input, { rows: 3_000, customers: 40, seed: 7 });
  const engine = await loadEngine();
  try {
    const store = join(dir, "artifacts");
    const first = await eventsOf(input, engine, store);
    assert.is(GRAPH.find((d) => d.name === "report")?.prepareAfter, "features");
    const engineSteps = ["prepare outliers", "prepare scale", "prepare pca", "prepare kmeans", "prepare evaluate"];
    for (const def of GRAPH.filter((d) => d.wasm && d.prepare)) assert.is(def.prepareAfter, "load", def.name);
    // Prepared after load computes and before clean starts (load's line may come later, once stored).
    assert.equal(first.slice(first.indexOf("start load") + 1, first.indexOf("start clean")).filter((e) => e.startsWith("prepare")), engineSteps);
    assert.not.ok(first.slice(0, first.indexOf("start load")).some((e) => e.startsWith("prepare")), first.join(", "));
    // Once features has computed (its line comes once its output is stored, which may be later).
    const at = first.indexOf("prepare report");
    assert.ok(at > first.indexOf("start features") && at < first.indexOf("start outliers"), first.join(", "));
    assert.is(first.filter((e) => e.startsWith("prepare report")).length, 1);

    // Features stored, the report recomputed: prepared before it, as no step it follows computes
    // (and the engine's steps, stored, not at all).
    const report = await eventsOf(input, engine, store, "report");
    assert.equal(
      report.filter((e) => !e.startsWith("done")),
      ["prepare report", "start report"],
    );

    // Load stored, the engine's steps recomputed: prepared before the first step (and the report, features being stored too).
    const numeric = await eventsOf(input, engine, store, "outliers");
    assert.equal(numeric.slice(0, numeric.indexOf("done load")), [...engineSteps, "prepare report"]);

    // Every step stored: nothing computes, nothing is prepared.
    const again = await eventsOf(input, engine, store);
    assert.equal(
      again.filter((e) => e.startsWith("prepare")),
      [],
    );
  } finally {
    engine.close();
  }
});

test.run();
