// Matching a candidate's clusters to production's by centroid, through each model's own scaler and PCA.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Clustered } from "../../../src/pipeline/steps/cluster.js";
import { UserError } from "../../../src/errors.js";
import { type CentroidGeometry, centroidsInFeatureUnits, MAX_MATCHED_CLUSTERS, matchClusters, renumberClusters } from "../../../src/pipeline/steps/match-clusters.js";

const features = ["a", "b", "c"];
// PCA keeping two of three axes: components are the first two unit vectors, with a mean offset.
const pca = { mean: [0.5, -0.5, 0], components: [[1, 0, 0], [0, 1, 0]] };

test("centroids are carried back to feature units through PCA and scaler; row-normalised features are NaN", () => {
  const g: CentroidGeometry = {
    scaling: { standardized: { features: ["a"], mean: [10], scale: [2] }, normalized: ["b"], raw: ["c"] },
    pca,
    centroids: [[1, 2]],
  };
  const x = centroidsInFeatureUnits(features, g);
  // a: z = 0.5 + 1 = 1.5 → 10 + 1.5·2 = 13; b: normalised, unknown; c: raw, z = 0.
  assert.is(x[0], 13);
  assert.ok(Number.isNaN(x[1]!));
  assert.is(x[2], 0);
});

test("two models with different scalers and cluster orders: each candidate cluster finds its production twin", () => {
  const centres = [[0, 0], [10, 0], [0, 10], [10, 10]];
  const production: CentroidGeometry = {
    scaling: { standardized: { features, mean: [0, 0, 0], scale: [1, 1, 1] }, normalized: [], raw: [] },
    pca: { mean: [0, 0, 0], components: pca.components },
    centroids: centres,
  };
  // The candidate's scaler doubles the units, its centres moved a little and come in another order.
  const order = [2, 0, 3, 1];
  const candidate: CentroidGeometry = {
    scaling: { standardized: { features, mean: [1, 1, 0], scale: [2, 2, 1] }, normalized: [], raw: [] },
    pca: { mean: [0, 0, 0], components: pca.components },
    centroids: order.map((i) => [(centres[i]![0]! + 0.3 - 1) / 2, (centres[i]![1]! - 0.2 - 1) / 2]),
  };
  const match = matchClusters(features, production, candidate, { mean: [0, 0, 0], scale: [5, 5, 1] });
  assert.equal([...match.productionOf], order);
  assert.ok(Math.abs(match.total - 4 * (0.3 ** 2 + 0.2 ** 2) / 25) < 1e-12, String(match.total));
  assert.throws(() => matchClusters(features, production, { ...candidate, centroids: candidate.centroids.slice(1) }, { mean: [0, 0, 0], scale: [1, 1, 1] }), /3 clusters, production 4/);
});

test("more clusters than the matching takes is one line, before any cost is computed", () => {
  const many: CentroidGeometry = {
    scaling: { standardized: { features, mean: [0, 0, 0], scale: [1, 1, 1] }, normalized: [], raw: [] },
    pca,
    centroids: Array.from({ length: MAX_MATCHED_CLUSTERS + 1 }, (_, i) => [i, 0]),
  };
  assert.throws(
    () => matchClusters(features, many, many, { mean: [0, 0, 0], scale: [1, 1, 1] }),
    (err: Error) => err instanceof UserError && /has 1,001 clusters; clusters are matched across a retraining for k up to 1,000$/.test(err.message),
  );
});

test("renumbering moves labels, centres and sizes together", () => {
  const fit: Clustered = { k: 3, labels: Int32Array.from([0, 0, 0, 1, 1, 2]), centers: Float64Array.from([0, 0, 1, 1, 2, 2]), inertia: 1, nIter: 2, sizes: [3, 2, 1] };
  const r = renumberClusters(fit, Int32Array.from([2, 0, 1]), 2);
  assert.equal([...r.labels], [2, 2, 2, 0, 0, 1]);
  assert.equal([...r.centers], [1, 1, 2, 2, 0, 0]);
  assert.equal(r.sizes, [2, 1, 3]);
  assert.is(r.inertia, 1);
});

test.run();
