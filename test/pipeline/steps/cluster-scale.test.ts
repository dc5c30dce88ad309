// The kmeans and evaluate steps past their size thresholds: "auto" switches to mini-batch above
// minibatchAbove rows; the silhouette above the sample size is a seeded sample's, every other
// customer NaN, the per-cluster means over the sampled customers, Davies–Bouldin on everyone.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { blobs } from "../../../bench/cases/data.js";
import { loadEngine } from "../../../src/engine/index.js";
import { OptionError } from "../../../src/errors.js";
import { SCALE_DEFAULTS } from "../../../src/pipeline/options.js";
import { clusterCustomers, resolveAlgorithm } from "../../../src/pipeline/steps/cluster.js";
import { evaluateClusters } from "../../../src/pipeline/steps/evaluate.js";

const fit = { k: 3, init: "k-means++" as const, nInit: 3, maxIter: 100, tol: 1e-4, seed: 0 };

test("auto: Lloyd up to minibatchAbove rows, mini-batch beyond; an explicit choice stands", () => {
  assert.is(resolveAlgorithm("auto", SCALE_DEFAULTS.minibatchAbove, SCALE_DEFAULTS.minibatchAbove), "lloyd");
  assert.is(resolveAlgorithm("auto", SCALE_DEFAULTS.minibatchAbove + 1, SCALE_DEFAULTS.minibatchAbove), "minibatch");
  assert.is(resolveAlgorithm("lloyd", 10 ** 9, SCALE_DEFAULTS.minibatchAbove), "lloyd");
  assert.is(resolveAlgorithm("minibatch", 10, SCALE_DEFAULTS.minibatchAbove), "minibatch");
});

test("clusterCustomers: auto past the threshold fits mini-batch, numbered by size, within 1 % of Lloyd's inertia", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(4, 5000, 5, 3);
  const mb = await clusterCustomers(engine, x, { ...fit, algorithm: "auto", minibatchAbove: 4999, batchSize: 256 });
  const lloyd = await clusterCustomers(engine, x, { ...fit, algorithm: "auto", minibatchAbove: 5000 });
  assert.is(mb.algorithm, "minibatch");
  assert.is(lloyd.algorithm, "lloyd");
  assert.equal(mb.sizes, [...mb.sizes].sort((a, b) => b - a));
  assert.ok(mb.inertia <= lloyd.inertia * 1.01, `${mb.inertia} vs ${lloyd.inertia}`);
});

test("evaluateClusters: exact up to the sample size; beyond, NaN outside the sample and the interval reported", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(9, 3000, 4, 3);
  const { labels } = await clusterCustomers(engine, x, fit);
  const exact = await evaluateClusters(engine, x, labels, 3, undefined, { size: 3000, seed: 1 });
  assert.not.ok(exact.silhouetteSample);
  assert.ok(exact.samples.every((v) => !Number.isNaN(v)));
  const sampled = await evaluateClusters(engine, x, labels, 3, undefined, { size: 500, seed: 1 });
  const info = sampled.silhouetteSample!;
  assert.equal([info.size, info.population, info.seed], [500, 3000, 1]);
  assert.ok(info.ci95[0] <= exact.silhouette && exact.silhouette <= info.ci95[1], `${exact.silhouette} outside ${info.ci95}`);
  const present = Array.from(sampled.samples.keys()).filter((i) => !Number.isNaN(sampled.samples[i]!));
  assert.is(present.length, 500);
  const mean = present.reduce((s, i) => s + sampled.samples[i]!, 0) / 500;
  assert.ok(Math.abs(mean - sampled.silhouette) < 1e-12);
  for (let c = 0; c < 3; c++) {
    const rows = present.filter((i) => labels[i] === c);
    const m = rows.reduce((s, i) => s + sampled.samples[i]!, 0) / rows.length;
    assert.ok(Math.abs(m - sampled.clusterSilhouette[c]!) < 1e-12, `cluster ${c}`);
  }
  assert.is(sampled.daviesBouldin, exact.daviesBouldin, "Davies–Bouldin uses every customer");
});

test("a sample that holds one cluster only is refused naming the option (scikit-learn refuses it too)", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = blobs(9, 3000, 4, 3);
  // All but two customers in cluster 0: a sample of 3 holds cluster 0 alone.
  const labels = new Int32Array(3000);
  labels[10] = 1;
  labels[20] = 1;
  try {
    await evaluateClusters(engine, x, labels, 2, undefined, { size: 3, seed: 0 });
    assert.unreachable("a one-cluster sample");
  } catch (err) {
    assert.instance(err, OptionError);
    assert.is((err as OptionError).option, "silhouetteSample");
    assert.match((err as Error).message, /3: the silhouette sample of 3 rows holds 1 distinct label; the silhouette needs 2 to 2; raise it/);
  }
});

test.run();
