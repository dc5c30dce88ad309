// The scoring step places every training customer exactly where its run did: same cluster, same
// PC scores to the bit, same outlier score and flag; on generated data (default mode) and on the
// real data in both modes, the `--compat seed` run from the original's outliers and initial centres.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Engine } from "../../../src/engine/engine.js";
import { loadEngine } from "../../../src/engine/engine.js";
import { generateFile } from "../../../src/io/generate.js";
import { type CustsegModel, parseModel } from "../../../src/model/index.js";
import { runPipeline, type RunOptions } from "../../../src/pipeline/run.js";
import type { RunArtifacts } from "../../../src/pipeline/run-output.js";
import { runModel } from "../../../src/pipeline/run-model.js";
import { recommendFor, ScoreInputError, scoreComponents, scoreFeatureColumns, scoreFeatures } from "../../../src/pipeline/steps/score.js";
import { sharedFile } from "../../helpers/shared.js";

const parquet = sharedFile("data/online_retail.parquet", "scoring parity on the real data");
const seedDir = sharedFile("reference/seed-pipeline", "scoring parity on the real data");

let tmp = "";
let engine: Engine;

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-score-"));
  engine = await loadEngine();
});

test.after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const base = { compat: "none", cacheDir: false, k: 3, seed: 0, nInit: 10, maxIter: 100, tol: 1e-4, init: "k-means++", variance: 0.8 } as const;

async function fitted(name: string, opts: Partial<RunOptions> & { input: string }): Promise<{ run: RunArtifacts; model: CustsegModel }> {
  const run = await runPipeline(engine, { ...base, ...opts, out: join(tmp, name) });
  // Through JSON, as every consumer sees the model.
  return { run, model: parseModel(JSON.stringify(runModel(run))) };
}

/** Every training customer: the run's cluster and scores for the clustered ones, its outlier flag for all. */
function assertSameAsRun(run: RunArtifacts, model: CustsegModel, forest: boolean): void {
  const { all, flagged, reduced, clusters } = run;
  const n = all.ids.length;
  const s = scoreFeatures(engine, model, all.matrix.data, n);
  const p = reduced.fit.nComponents;
  assert.is(s.nComponents, p);
  let k = 0;
  let mismatched = 0;
  for (let i = 0; i < n; i++) {
    if (forest) {
      assert.is(s.outlier[i], flagged[i], `customer ${all.ids[i]}: outlier flag`);
      assert.is(s.outlierScore[i], run.forest!.scores[i]);
    } else {
      assert.is(s.outlier[i], -1);
      assert.ok(Number.isNaN(s.outlierScore[i]!));
    }
    assert.ok(s.distance[i]! <= s.secondDistance[i]!);
    if (flagged[i]) continue;
    if (s.cluster[i] !== clusters.labels[k]) mismatched++;
    for (let c = 0; c < p; c++) {
      if (!Object.is(s.components[i * p + c], reduced.scores.data[k * p + c])) {
        assert.unreachable(`customer ${all.ids[i]}: PC${c + 1} ${s.components[i * p + c]} vs the run's ${reduced.scores.data[k * p + c]}`);
      }
    }
    k++;
  }
  assert.is(k, clusters.labels.length);
  assert.is(mismatched, 0, `${mismatched} of ${k} customers placed in another cluster than the run's`);

  // Column by column (the tables' path, read column-major in WASM): the same bits.
  const d = all.matrix.cols;
  const columns = Array.from({ length: d }, (_, j) => Float64Array.from({ length: n }, (_, i) => all.matrix.data[i * d + j]!));
  const byColumn = scoreFeatureColumns(engine, model, columns, n);
  for (const key of ["cluster", "distance", "secondDistance", "outlierScore", "outlier", "components"] as const) {
    const a = byColumn[key];
    const b = s[key];
    assert.is(a.length, b.length);
    const at = a.findIndex((v, i) => !Object.is(v, b[i]));
    assert.is(at, -1, `${key}[${at}]: ${a[at]} by column, ${b[at]} by row`);
  }

  // From the run's own PC scores: the same clusters again.
  const fromPcs = scoreComponents(engine, model, reduced.scores.data, reduced.scores.rows);
  assert.equal([...fromPcs.cluster], [...clusters.labels]);
  assert.ok(fromPcs.outlier.every((f) => f === -1));
}

test("generated data, default mode: every customer exactly as the run placed it", async () => {
  const input = join(tmp, "small.parquet");
  await generateFile(input, { rows: 30_000, customers: 500, seed: 5 });
  const { run, model } = await fitted("gen", { input });
  assertSameAsRun(run, model, true);

  // Distances are Euclidean in PC space to the cluster's centroid.
  const s = scoreFeatures(engine, model, run.all.matrix.data.subarray(0, 15), 1);
  const c = model.kmeans.centroids[s.cluster[0]!]!;
  const want = Math.sqrt(c.reduce((acc, v, j) => acc + (s.components[j]! - v) ** 2, 0));
  assert.ok(Math.abs(s.distance[0]! - want) <= 1e-12 * Math.max(1, want));
});

test("real data, default mode: every clustered customer gets the run's cluster", async () => {
  if (!parquet) return;
  const { run, model } = await fitted("uci-default", { input: parquet });
  assertSameAsRun(run, model, true);
});

test("real data, --compat seed from the original's outliers and initial centres: the run's 4,067 clusters", async () => {
  if (!parquet || !seedDir) return;
  const { run, model } = await fitted("uci-seed", {
    input: parquet,
    compat: "seed",
    outliersFrom: join(seedDir, "outliers.csv"),
    init: join(seedDir, "kmeans_init_centers.csv"),
    nInit: 1,
  });
  assert.is(run.kept.ids.length, 4067);
  assert.is(model.outliers.forest, null);
  assertSameAsRun(run, model, false);
});

test("a value the model cannot score: ScoreInputError naming the row and the feature", async () => {
  const input = join(tmp, "tiny.parquet");
  await generateFile(input, { rows: 5_000, customers: 80, seed: 2 });
  const { run, model } = await fitted("tiny", { input, nInit: 1 });
  const x = run.all.matrix.data.slice(0, 45);
  x[15 + 3] = Number.NaN;
  try {
    scoreFeatures(engine, model, x, 3);
    assert.unreachable("scored NaN");
  } catch (err) {
    assert.instance(err, ScoreInputError);
    const e = err as ScoreInputError;
    assert.equal([e.row, e.field], [1, "Total_Spend"]);
    assert.is(e.message, "row 2, Total_Spend: NaN is not a finite number");
  }
  x[15 + 3] = 1e39;
  assert.throws(() => scoreFeatures(engine, model, x, 3), /row 2, Total_Spend: 1e\+39 is beyond the float32 range/);
  assert.is(scoreFeatures(engine, model, x, 3, { outliers: false }).outlier[1], -1);
  assert.throws(() => scoreComponents(engine, model, new Float64Array([Number.POSITIVE_INFINITY, ...new Array(model.pca.nComponents - 1).fill(0)]), 1), /row 1, PC1: Infinity/);
  assert.is(scoreFeatures(engine, model, new Float64Array(0), 0).rows, 0);
  const columns = Array.from({ length: 15 }, (_, j) => Float64Array.from({ length: 3 }, (_, i) => x[i * 15 + j]!));
  columns[7]![2] = Number.NEGATIVE_INFINITY;
  assert.throws(() => scoreFeatureColumns(engine, model, columns, 3, { outliers: false }), /row 3, Day_Of_Week: -Infinity is not a finite number/);
});

test("recommendFor: the cluster's best sellers the customer has not bought, in rank order", () => {
  const model = {
    clusters: [{ id: 0, name: "Cluster 0", description: "", size: 1, topProducts: ["A", "B", "C", "D", "E"].map((s) => ({ stockCode: s, description: `item ${s}` })) }],
  } as unknown as CustsegModel;
  assert.equal(recommendFor(model, 0).map((r) => r.stockCode), ["A", "B", "C"]);
  assert.equal(recommendFor(model, 0, new Set(["A", "C"])).map((r) => r.stockCode), ["B", "D", "E"]);
  assert.equal(recommendFor(model, 0, new Set(["A", "B", "C", "D"])).map((r) => r.stockCode), ["E"]);
  assert.equal(recommendFor(model, 0, undefined, 1), [{ stockCode: "A", description: "item A" }]);
});

test.run();
