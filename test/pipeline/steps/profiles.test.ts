import { test } from "uvu";
import * as assert from "uvu/assert";
import { matrix } from "../../../src/engine/matrix.js";
import { clusterProfiles, medianOf } from "../../../src/pipeline/steps/profiles.js";

const RFM = ["Days_Since_Last_Purchase", "Total_Transactions", "Total_Spend", "Cancellation_Rate", "Is_UK"];

/** Rows built from per-cluster templates with a small deterministic wobble, so stds are non-zero. */
function build(templates: number[][], sizes: number[]) {
  const rows: number[] = [];
  const labels: number[] = [];
  templates.forEach((t, c) => {
    for (let r = 0; r < sizes[c]; r++) {
      rows.push(...t.map((v, j) => (j === 4 ? v : v + ((r % 5) - 2) * 0.01 * (Math.abs(v) + 1))));
      labels.push(c);
    }
  });
  return { x: matrix(Float64Array.from(rows), labels.length, templates[0].length), labels: Int32Array.from(labels) };
}

test("obvious clusters get the obvious descriptions", () => {
  const { x, labels } = build(
    [
      // loyal: recent, frequent, big spenders, UK
      [5, 40, 9000, 0.02, 1],
      // lapsed: long ago, rare, small, UK
      [300, 1, 150, 0.02, 1],
      // average on RFM, outside the UK
      [(2.5 + 120) / 0.9, (20 + 0.4) / 0.9, (4500 + 60) / 0.9, 0.02, 0],
    ],
    [50, 40, 10],
  );
  const p = clusterProfiles(RFM, x, labels);
  assert.is(p.clusters.length, 3);
  assert.is(p.clusters[0].description.startsWith("recent, frequent, high-spending buyers"), true, p.clusters[0].description);
  assert.is(p.clusters[1].description.includes("lapsed"), true, p.clusters[1].description);
  assert.is(p.clusters[1].description.includes("occasional"), true, p.clusters[1].description);
  assert.is(p.clusters[2].description, "mostly outside the UK");
  assert.equal(
    p.clusters[0].traits.map((t) => t.feature).sort(),
    ["Days_Since_Last_Purchase", "Total_Spend", "Total_Transactions"],
  );
  const strengths = p.clusters[0].traits.map((t) => Math.abs(t.z));
  assert.ok(strengths.every((s, i) => s >= 0.25 && (i === 0 || s <= strengths[i - 1])), "strongest first");
  assert.equal(
    p.clusters.map((c) => c.size),
    [50, 40, 10],
  );
  assert.equal(
    p.clusters.map((c) => c.share),
    [0.5, 0.4, 0.1],
  );
});

test("one phrase per theme: a high total spend and a high monthly spend say it once", () => {
  const features = ["Total_Spend", "Monthly_Spending_Mean", "Cancellation_Rate"];
  const x = matrix(Float64Array.from([1000, 100, 0.5, 1100, 110, 0.4, 10, 1, 0, 12, 2, 0.1]), 4, 3);
  const p = clusterProfiles(features, x, Int32Array.from([0, 0, 1, 1]));
  assert.is(p.clusters[0].description, "high-spending buyers; high cancellation rate");
  assert.is(p.clusters[1].description, "low-spending buyers; low cancellation rate");
});

test("a cluster at the overall mean is described as average; unknown features get generic words", () => {
  const x = matrix(Float64Array.from([1, 3, 2, 2, 1, 3, 10, 20, 30]), 3, 3);
  // column 0: cluster 0 = {1, 2}, cluster 1 = {1} — not average; use one cluster for the average case
  const p = clusterProfiles(["Basket_Size", "b", "c"], x, Int32Array.from([0, 0, 0]));
  assert.is(p.clusters[0].description, "close to the overall average on every feature");
  const q = clusterProfiles(["Basket_Size", "b", "c"], x, Int32Array.from([0, 0, 1]));
  assert.is(q.clusters[1].description.includes("high c"), true, q.clusters[1].description);
  const r = clusterProfiles(["Basket_Size", "b", "c"], matrix(Float64Array.from([1, 0, 0, 9, 0, 0]), 2, 3), Int32Array.from([0, 1]));
  assert.is(r.clusters[1].description, "high basket size");
});

test("means, medians for odd and even cluster sizes, mean silhouette", () => {
  // cluster 0: values 1, 5, 2 (odd → median 2); cluster 1: 10, 4, 8, 6 (even → median 7)
  const x = matrix(Float64Array.from([1, 10, 5, 4, 8, 2, 6]), 7, 1);
  const labels = Int32Array.from([0, 1, 0, 1, 1, 0, 1]);
  const sil = Float64Array.from([0.5, 0.1, 0.3, 0.2, 0.3, 0.1, 0.2]);
  const p = clusterProfiles(["Hour"], x, labels, sil);
  assert.equal(p.clusters[0].mean, [8 / 3]);
  assert.equal(p.clusters[0].median, [2]);
  assert.equal(p.clusters[1].mean, [7]);
  assert.equal(p.clusters[1].median, [7]);
  assert.ok(Math.abs(p.clusters[0].silhouette! - 0.3) < 1e-12);
  assert.ok(Math.abs(p.clusters[1].silhouette! - 0.2) < 1e-12);
  assert.equal(p.overallMean, [36 / 7]);
  assert.is(p.clusters[1].description, "shop later in the day");
  assert.is(p.clusters[0].description, "shop earlier in the day");
  assert.ok(Number.isNaN(medianOf(new Float64Array(0))));
  assert.is(medianOf(Float64Array.from([3, 1])), 2);
});

test("a constant feature gives z = 0, never NaN, and no trait", () => {
  const x = matrix(Float64Array.from([7, 1, 7, 2, 7, 30, 7, 40]), 4, 2);
  const p = clusterProfiles(["Is_UK", "Total_Transactions"], x, Int32Array.from([0, 0, 1, 1]));
  assert.equal(p.overallStd[0], 0);
  for (const c of p.clusters) {
    assert.is(c.z[0], 0);
    assert.ok(c.z.every(Number.isFinite));
    assert.ok(c.traits.every((t) => t.feature !== "Is_UK"));
  }
  assert.is(p.clusters[0].description, "occasional buyers");
  assert.is(p.clusters[1].description, "frequent buyers");
  assert.is(p.clusters[0].silhouette, undefined);
});

test("an empty cluster (given k) has size 0 and says so; bad shapes are refused", () => {
  const x = matrix(Float64Array.from([1, 2, 3]), 3, 1);
  const p = clusterProfiles(["Hour"], x, Int32Array.from([0, 0, 1]), undefined, 3);
  assert.is(p.clusters.length, 3);
  assert.is(p.clusters[2].size, 0);
  assert.is(p.clusters[2].description, "no customers");
  assert.throws(() => clusterProfiles(["a", "b"], x, Int32Array.from([0, 0, 1])), /2 feature names/);
  assert.throws(() => clusterProfiles(["a"], x, Int32Array.from([0, 1])), /2 labels/);
  assert.throws(() => clusterProfiles(["a"], x, Int32Array.from([0, -1, 1])), /negative/);
  assert.throws(() => clusterProfiles(["a"], x, Int32Array.from([0, 3, 1]), undefined, 2), /out of range/);
});

test("deterministic: the same input gives the same profiles", () => {
  const { x, labels } = build(
    [
      [5, 40, 9000, 0.02, 1],
      [300, 1, 150, 0.3, 0],
    ],
    [7, 9],
  );
  assert.equal(clusterProfiles(RFM, x, labels), clusterProfiles(RFM, x, labels));
});

test.run();
