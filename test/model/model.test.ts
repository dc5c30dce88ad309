// The model artefact: a run's model.json conforms to the published schema and reads back; the reader
// names the field at fault for a newer format, a truncated file, a missing field or a wrong type,
// and ignores fields it does not know; the forest survives the trip through JSON bit for bit.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { flagOf } from "../../src/cli/failure.js";
import { loadEngine } from "../../src/engine/engine.js";
import type { OptionHintError } from "../../src/errors.js";
import { assertRejects } from "../helpers/assert.js";
import { generateFile } from "../../src/io/generate/generate.js";
import { forestFromModel, forestToModel } from "../../src/pipeline/steps/forest-model.js";
import { type CustsegModel, MODEL_FORMAT, ModelError, modelJson, parseModel, readModel, resolveModel, writeModel } from "../../src/model/index.js";
import { runPipeline } from "../../src/pipeline/jobs/run.js";
import type { RunArtifacts } from "../../src/pipeline/jobs/run-artifacts.js";
import { forestScores } from "../../src/pipeline/steps/outliers.js";
import { repoRoot } from "../helpers/shared.js";
import { schemaErrors } from "./json-schema.js";

const schema = JSON.parse(readFileSync(join(repoRoot, "schema", "custseg-model-1.schema.json"), "utf8"));
let tmp = "";
let run: RunArtifacts;
let text = "";

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-model-"));
  const input = join(tmp, "small.parquet");
  await generateFile(input, { rows: 20_000, customers: 300, seed: 3 });
  const engine = await loadEngine({ threads: 1 });
  run = await runPipeline(engine, { input, compat: "none", cacheDir: false, k: 3, seed: 0, nInit: 4, maxIter: 100, tol: 1e-4, init: "k-means++", variance: 0.8, out: join(tmp, "run") });
  text = readFileSync(join(tmp, "run", "model.json"), "utf8");
});

test.after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: the tests hand-edit arbitrary fields of the parsed JSON, as a user would
const edited = (edit: (m: Record<string, any>) => void): string => {
  const m = JSON.parse(text);
  edit(m);
  return JSON.stringify(m);
};

test("a run's model.json conforms to the published JSON Schema and reads back", async () => {
  const json = JSON.parse(text);
  assert.equal(schemaErrors(schema, json), []);
  const model = await readModel(join(tmp, "run", "model.json"));
  assert.is(model.format, MODEL_FORMAT);
  assert.match(model.asOf, /^\d{4}-\d{2}-\d{2}$/);
  assert.is(model.clusters.length, 3);
  // The segment names of the run (profiles.json), one per cluster, none left as a placeholder.
  assert.equal(model.clusters.map((c) => c.name), run.profiles.clusters.map((c) => c.name));
  assert.ok(model.clusters.every((c) => c.name.length > 0 && !/^Cluster \d+$/.test(c.name)));
  assert.equal(model.clusters.map((c) => c.size), run.clusters.sizes);
  assert.ok(model.clusters.every((c) => c.topProducts.length > 0 && c.description.length > 0));
  assert.is(model.outliers.method, "isolation-forest");
  assert.is(model.outliers.forest!.trees.length, 100);
  assert.is(model.parameters.outliersFrom, null);
});

test("model.json is JSON.stringify's document, with each array of numbers on one line", () => {
  const model = JSON.parse(text) as CustsegModel;
  assert.equal(modelJson(model), text, "the text is a fixed point of read and write");
  assert.equal(JSON.parse(modelJson(model)), JSON.parse(JSON.stringify(model, null, 1)));
  const lines = text.split("\n");
  assert.ok(lines.length < 1000, `${lines.length} lines`);
  const tree = model.outliers!.forest!.trees[0]!;
  assert.ok(lines.includes(`     "feature": ${JSON.stringify(tree.feature)},`), "a tree's features on one line");
  // Edge cases of JSON.stringify kept: undefined fields dropped, undefined in an array as null, toJSON, empty containers.
  const odd = { a: undefined, b: [1, undefined, null, "x"], c: new Date(0), d: {}, e: [], f: [[1, 2], { g: 3 }] } as unknown as CustsegModel;
  assert.equal(JSON.parse(modelJson(odd)), JSON.parse(JSON.stringify(odd)));
  assert.equal(modelJson(odd), `{\n "b": [1,null,null,"x"],\n "c": "1970-01-01T00:00:00.000Z",\n "d": {},\n "e": [],\n "f": [\n  [1,2],\n  {\n   "g": 3\n  }\n ]\n}\n`);
});

test("the schema itself rejects what the reader rejects", () => {
  assert.ok(schemaErrors(schema, JSON.parse(edited((m) => delete m.asOf))).length > 0);
  assert.ok(schemaErrors(schema, JSON.parse(edited((m) => (m.pca.mean[0] = "1")))).length > 0);
  assert.ok(schemaErrors(schema, JSON.parse(edited((m) => (m.format = "custseg-model/2")))).length > 0);
  assert.ok(schemaErrors(schema, JSON.parse(edited((m) => (m.outliers.forest.nTrees = 10_001)))).length > 0);
});

test("the forest survives JSON bit for bit: same scores for every training customer", async () => {
  const model = parseModel(text);
  const all = run.all.matrix;
  const fromJson = forestScores(await loadEngine({ threads: 1 }), forestFromModel(model.outliers.forest!), all);
  assert.equal([...fromJson], [...run.forest!.scores]);
  const again = forestToModel(forestFromModel(model.outliers.forest!), { contamination: 0.05, seed: 0, threshold: run.forest!.threshold });
  assert.equal(again, model.outliers.forest);
});

test("unknown fields are ignored; a model without runId reads", () => {
  const m = parseModel(edited((m) => {
    m.driftReference = { bins: [1, 2, 3] };
    m.clusters[0].colour = "red";
  }));
  assert.is(m.clusters.length, 3);
  assert.is(parseModel(edited((m) => (m.runId = "20261130T000000Z-abcd1234"))).runId, "20261130T000000Z-abcd1234");
});

function rejects(body: string, pattern: RegExp): void {
  try {
    parseModel(body, "m.json");
  } catch (err) {
    assert.instance(err, ModelError);
    const message = (err as Error).message;
    assert.not.match(message, /\n/);
    assert.match(message, pattern);
    return;
  }
  assert.unreachable(`accepted; expected ${pattern}`);
}

test("a newer major format, a truncated file, a missing field or a wrong type: one line naming it", () => {
  rejects(edited((m) => (m.format = "custseg-model/2")), /^m\.json: format custseg-model\/2 is newer than this custseg reads/);
  rejects(text.slice(0, Math.floor(text.length / 2)), /^m\.json: not a complete JSON document, truncated/);
  rejects(edited((m) => delete m.kmeans.centroids), /^m\.json: field kmeans\.centroids is missing$/);
  rejects(edited((m) => (m.pca.components[1][2] = "0.5")), /^m\.json: field pca\.components\[1\]\[2\] must be a number, got "0\.5"$/);
  rejects(edited((m) => (m.kmeans.centroids[0] = [1])), /field kmeans\.centroids\[0\] must be an array of \d+/);
  rejects(edited((m) => (m.mode = "fast")), /field mode must be "default" or "seed"/);
  rejects(edited((m) => (m.asOf = "2011-13-45")), /field asOf must be a date/);
  rejects(edited((m) => (m.clusters[2].topProducts[0].stockCode = 85123)), /field clusters\[2\]\.topProducts\[0\]\.stockCode must be a string, got 85123/);
  rejects(edited((m) => (m.outliers.forest.trees[4].value[3] = "x")), /field outliers\.forest\.trees\[4\]\.value\[3\] must be a number/);
  rejects(edited((m) => (m.scaling.standardized.scale[0] = 0)), /field scaling\.standardized\.scale\[0\] must be a positive number/);
  rejects(edited((m) => (m.outliers.forest.nTrees = 10_001)), /field outliers\.forest\.nTrees must be at most 10000, got 10001/);
  rejects("[]", /field \(top level\) must be an object/);
});

test("writeModel: whole file or nothing, never over an existing file without force", async () => {
  const model = parseModel(text) as CustsegModel;
  const path = join(tmp, "copy.json");
  await writeModel(path, model);
  assert.equal(JSON.parse(readFileSync(path, "utf8")), JSON.parse(text));
  await writeFile(path, "keep");
  try {
    await writeModel(path, model);
    assert.unreachable("overwrote");
  } catch (err) {
    assert.match((err as Error).message, /already exists; pass force to replace it$/);
    assert.match((err as OptionHintError).wording(flagOf), /already exists; pass --force to replace it$/);
  }
  assert.is(readFileSync(path, "utf8"), "keep");
  await writeModel(path, model, { force: true });
  assert.equal(JSON.parse(readFileSync(path, "utf8")), JSON.parse(text));
});

test("resolveModel: a file, a run directory; a registry address with no store is one line", async () => {
  assert.is((await resolveModel(join(tmp, "run", "model.json"))).path, join(tmp, "run", "model.json"));
  assert.is((await resolveModel(join(tmp, "run"))).path, join(tmp, "run", "model.json"));
  await assertRejects(() => resolveModel("models:/churn/Production", join(tmp, "no-store.db")), /no-store\.db/);
  assert.not.ok(existsSync(join(tmp, "no-store.db")), "resolving never creates a store");
  await assertRejects(() => resolveModel(tmp), /is a directory without a model\.json/);
});

test.run();
