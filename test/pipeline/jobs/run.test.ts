// Parity of `custseg run --compat seed` with the original pipeline on the real data, from the
// original's outlier list and the initial centres of its winning k-means run (so the result is
// deterministic): scaled matrix, PCA, k-means, metrics and recommendations.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertClose } from "../../helpers/assert.js";
import { loadEngine } from "../../../src/engine/engine.js";
import { runPipeline } from "../../../src/pipeline/jobs/run.js";
import type { RunArtifacts } from "../../../src/pipeline/jobs/run-artifacts.js";
import { seedParityOptions } from "../../../bench/cases/seed-parity.js";
import { sharedFile, skipped } from "../../helpers/shared.js";

const parquet = sharedFile("data/online_retail.parquet", "run parity on the real data");
const seedDir = sharedFile("reference/seed-pipeline", "run parity on the real data");

function readCsv(path: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  return { header: lines[0]!.split(","), rows: lines.slice(1).map((l) => l.split(",")) };
}


let run: RunArtifacts | undefined;
let tmp = "";

test.before(async () => {
  if (!parquet || !seedDir) return;
  tmp = await mkdtemp(join(tmpdir(), "custseg-run-"));
  const engine = await loadEngine();
  run = await runPipeline(engine, seedParityOptions(parquet, seedDir, join(tmp, "run")));
});

test.after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test("the clustered customers are the original's 4,067, in CustomerID order", () => {
  if (!run) return skipped();
  const ref = readCsv(join(seedDir!, "scaled.csv"));
  assert.is(run.kept.ids.length, 4067);
  assert.equal([...run.kept.ids], ref.rows.map((r) => Number(r[0])));
});

test("scaled matrix equals scaled.csv to 1e-9 relative", () => {
  if (!run) return skipped();
  const ref = readCsv(join(seedDir!, "scaled.csv"));
  const { matrix } = run.scaled;
  assert.is(matrix.cols, ref.header.length - 1);
  let worst = 0;
  ref.rows.forEach((r, i) => {
    for (let j = 0; j < matrix.cols; j++) {
      const want = Number(r[j + 1]);
      const got = matrix.data[i * matrix.cols + j]!;
      const err = Math.abs(got - want) / Math.max(Math.abs(want), 1e-12);
      if (!(Math.abs(got - want) <= 1e-12 || err <= 1e-9)) assert.unreachable(`row ${i} (${r[0]}) column ${ref.header[j + 1]}: ${got} vs ${want}`);
      worst = Math.max(worst, Math.abs(got - want));
    }
  });
  assert.ok(worst < 1e-9);
});

test("PCA: 6 components, explained variance ratios (1e-9 abs) and scores (1e-7) as the original", () => {
  if (!run) return skipped();
  const pca = JSON.parse(readFileSync(join(seedDir!, "pca.json"), "utf8"));
  assert.is(run.reduced.fit.nComponents, pca.n_components);
  pca.explained_variance_ratio.forEach((v: number, c: number) => {
    assert.ok(Math.abs(run!.reduced.fit.explainedVarianceRatio[c]! - v) <= 1e-9, `PC${c + 1} ratio`);
  });
  const ref = readCsv(join(seedDir!, "pca_output.csv"));
  const { scores } = run.reduced;
  ref.rows.forEach((r, i) => {
    for (let c = 0; c < scores.cols; c++) {
      const got = scores.data[i * scores.cols + c]!;
      if (!(Math.abs(got - Number(r[c + 1])) <= 1e-7)) assert.unreachable(`customer ${r[0]} PC${c + 1}: ${got} vs ${r[c + 1]}`);
    }
  });
});

test("k-means: 22 iterations, inertia to 1e-9, the same partition, metrics to 1e-9", () => {
  if (!run) return skipped();
  const km = JSON.parse(readFileSync(join(seedDir!, "kmeans.json"), "utf8"));
  assert.is(run.clusters.nIter, km.n_iter);
  assertClose(run.clusters.inertia, km.inertia, 1e-9, `inertia ${run.clusters.inertia} vs ${km.inertia}`, "relative");
  const ids: string[] = km.customer_ids;
  assert.equal(ids.map(Number), [...run.kept.ids]);
  // Same partition up to renumbering: the mapping ours → theirs is a bijection.
  const map = new Map<number, number>();
  run.clusters.labels.forEach((l, i) => {
    const theirs = km.labels_raw[i] as number;
    if (!map.has(l)) map.set(l, theirs);
    if (map.get(l) !== theirs) assert.unreachable(`customer ${ids[i]}: our cluster ${l} maps to ${map.get(l)} and ${theirs}`);
  });
  assert.is(new Set(map.values()).size, 3);
  const m = km.metrics_on_raw_labels;
  assertClose(run.quality.silhouette, m.silhouette_score, 1e-9, "silhouette", "relative");
  assertClose(run.quality.daviesBouldin, m.davies_bouldin_score, 1e-9, "Davies-Bouldin", "relative");
  assertClose(run.quality.calinskiHarabasz, m.calinski_harabasz_score, 1e-9, "Calinski-Harabasz", "relative");
  assert.equal(run.clusters.sizes, [...run.clusters.sizes].sort((a, b) => b - a), "clusters numbered by size");
});

test("the real data is not synthetic: no flag in the summary or model.json, no banner in the report", () => {
  if (!run) return skipped();
  assert.is(run.summary.synthetic, false);
  assert.is(run.summary.generator, undefined);
  const model = JSON.parse(readFileSync(join(tmp, "run", "model.json"), "utf8"));
  assert.is(model.data.synthetic, false);
  assert.is(model.data.generator, undefined);
  const report = readFileSync(join(tmp, "run", "report.html"), "utf8");
  assert.match(report, /<h1>Customer segments<\/h1>/);
  assert.not.match(report, /synthetic-banner|Synthetic data/);
});

test("recommendations: the same three items for every customer as the original", () => {
  if (!run) return skipped();
  const lines = readFileSync(join(seedDir!, "recommendations.csv"), "utf8").trimEnd().split("\n").slice(1);
  const want = new Map<number, string>();
  // Descriptions may hold commas but never quotes here; StockCodes never do: compare codes and texts.
  for (const line of lines) {
    const id = Number(line.slice(0, line.indexOf(",")));
    want.set(id, line.slice(line.indexOf(",", line.indexOf(",") + 1) + 1));
  }
  assert.is(run.recommendations.customers.length, want.size);
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  for (const c of run.recommendations.customers) {
    const got = c.items.map((it) => `${quote(it.stockCode)},${quote(it.description)}`).join(",");
    if (got !== want.get(c.customerId)) assert.unreachable(`customer ${c.customerId}: ${got} vs ${want.get(c.customerId)}`);
  }
});

test.run();
