import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../../src/engine/rng.js";
import { clusterDrift, DRIFT_RULES, driftVerdict, featureDrift } from "../../../src/pipeline/steps/drift.js";

function normal(rng: Rng, n: number, mean = 0, sd = 1): Float64Array {
  // Box–Muller from the seeded stream: the same draws on every machine.
  return Float64Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat()));
}

test("a feature drifts on PSI alone, or on KS together with a Wasserstein distance of 0.1 reference std", () => {
  const rng = new Rng(3);
  const ref = normal(rng, 3000);
  assert.is(featureDrift("x", ref, normal(rng, 3000)).drifted, false);
  const far = featureDrift("x", ref, normal(rng, 3000, 1));
  assert.equal(far.reasons, ["psi", "ks+wasserstein"]);
  // A shift of 0.15 std: significant for KS at this size, above 0.1 std, yet too small for PSI.
  const near = featureDrift("x", ref, normal(rng, 3000, 0.15));
  assert.ok(near.psi < DRIFT_RULES.psi, `psi ${near.psi}`);
  assert.equal(near.reasons, ["ks+wasserstein"]);
  assert.ok(Math.abs(near.wassersteinStd - 0.15) < 0.05, `W/std ${near.wassersteinStd}`);
  // Significant but tiny (0.05 std on 50,000 rows): KS alone does not make a drift.
  const big = normal(rng, 50_000);
  const tiny = featureDrift("x", big, normal(rng, 50_000, 0.05));
  assert.ok(tiny.ks.pvalue < 0.01 && tiny.wassersteinStd < 0.1, JSON.stringify(tiny.ks));
  assert.is(tiny.drifted, false);
});

test("a constant reference feature is measured against the minimum std instead of dividing by 0", () => {
  const f = featureDrift("Is_UK", new Float64Array(100).fill(1), Float64Array.from({ length: 100 }, (_, i) => (i < 90 ? 1 : 0)));
  assert.ok(Number.isFinite(f.wassersteinStd));
  assert.is(f.drifted, true);
});

test("cluster shares shift only when the test is significant and the TVD reaches 0.05", () => {
  const labels = (counts: number[]) => Int32Array.from(counts.flatMap((c, k) => new Array<number>(c).fill(k)));
  const same = clusterDrift(labels([600, 300, 100]), labels([590, 310, 100]), 3);
  assert.is(same.shifted, false);
  const moved = clusterDrift(labels([600, 300, 100]), labels([450, 350, 200]), 3);
  assert.is(moved.shifted, true);
  assert.ok(Math.abs(moved.tvd - 0.15) < 1e-12);
  // Significant on 100,000 customers, but a 2-point move is below the TVD floor.
  const small = clusterDrift(labels([60_000, 30_000, 10_000]), labels([58_000, 32_000, 10_000]), 3);
  assert.ok(small.pvalue < 0.01 && small.tvd < 0.05);
  assert.is(small.shifted, false);
  // Outliers (label −1) are not counted; an unused cluster does not break the test.
  const sparse = clusterDrift(Int32Array.from([0, 0, 1, -1]), Int32Array.from([0, 1, 1]), 3);
  assert.equal(sparse.referenceCounts, [2, 1, 0]);
  assert.is(sparse.dof, 1);
});

test("the verdict: the share of drifted features reaches the threshold, or the cluster shares shift", () => {
  const rng = new Rng(5);
  const ref = normal(rng, 500);
  const stable = featureDrift("a", ref, normal(rng, 500));
  const drifted = featureDrift("b", ref, normal(rng, 500, 2));
  const shares = clusterDrift(Int32Array.from([0, 1]), Int32Array.from([0, 1]), 2);
  assert.is(driftVerdict([stable, drifted], shares).drift, true);
  assert.is(driftVerdict([stable, stable, drifted], shares).drift, false);
  assert.is(driftVerdict([stable, stable, drifted], shares, 0.3).drift, true);
  assert.throws(() => driftVerdict([stable], shares, 0), /threshold/);
});

test.run();
