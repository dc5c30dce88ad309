// Scores of an assignment: the engine's metrics where they are defined, null where they are not.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Engine, loadEngine } from "../../../src/engine/engine.js";
import { assignmentScores } from "../../../src/pipeline/steps/assignment-scores.js";

let engine: Engine;
const x = { data: Float64Array.from([0, 0, 0.1, 0, 5, 5, 5.1, 5, 0, 0.2]), rows: 5, cols: 2 };

test.before(async () => {
  engine = await loadEngine();
});

test.after(() => engine.close());

test("two clusters in use of k = 3: the engine's scores, and the size of each cluster number", async () => {
  const labels = Int32Array.from([0, 0, 2, 2, 0]);
  const s = await assignmentScores(engine, x, labels, 3);
  assert.equal(s.sizes, [3, 0, 2]);
  assert.is(s.silhouette, engine.silhouette(x, labels).score);
  assert.is(s.davies_bouldin, engine.daviesBouldin(x, labels));
  assert.is(s.calinski_harabasz, engine.calinskiHarabasz(x, labels));
  assert.ok(s.silhouette! > 0.9);
});

test("one cluster in use, or one cluster per customer: every score is null, not an error", async () => {
  assert.equal(await assignmentScores(engine, x, Int32Array.from([1, 1, 1, 1, 1]), 3), { silhouette: null, davies_bouldin: null, calinski_harabasz: null, sizes: [0, 5, 0] });
  const each = await assignmentScores(engine, x, Int32Array.from([0, 1, 2, 3, 4]), 5);
  assert.is(each.silhouette, null);
  assert.equal(each.sizes, [1, 1, 1, 1, 1]);
});

test.run();
