// The ranking rule, the k recommendation and the grid parser on constructed inputs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UserError } from "../../src/errors.js";
import { gridSize, parseGrid, parseKRange } from "../../src/pipeline/steps/tune-grid.js";
import { elbowK, type KPoint, rankTrials, recommendK } from "../../src/pipeline/steps/tune-rank.js";

const trial = (k: number, nInit: number, maxIter: number, silhouette: number, daviesBouldin: number, calinskiHarabasz: number, init: "k-means++" | "random" = "k-means++") => ({
  k,
  init,
  nInit,
  maxIter,
  silhouette,
  daviesBouldin,
  calinskiHarabasz,
});

const ids = (ts: ReturnType<typeof trial>[]) => ts.map((t) => `${t.k}/${t.nInit}/${t.maxIter}/${t.init}`);

test("the chosen metric decides first, in its own direction", () => {
  const ts = [trial(3, 1, 100, 0.2, 1.5, 900), trial(4, 1, 100, 0.3, 1.9, 800), trial(8, 1, 100, 0.1, 1.2, 1000)];
  assert.equal(ids(rankTrials(ts, "silhouette")), ["4/1/100/k-means++", "3/1/100/k-means++", "8/1/100/k-means++"]);
  assert.equal(ids(rankTrials(ts, "davies-bouldin")), ["8/1/100/k-means++", "3/1/100/k-means++", "4/1/100/k-means++"]);
  assert.equal(ids(rankTrials(ts, "calinski-harabasz")), ["8/1/100/k-means++", "3/1/100/k-means++", "4/1/100/k-means++"]);
});

test("ties go to the other two metrics in order, then smaller k, fewer n_init, smaller max_iter, grid order", () => {
  const ts = [
    trial(4, 5, 100, 0.25, 1.4, 1000), // same silhouette as all; DB decides against it
    trial(8, 5, 100, 0.25, 1.3, 900), // best DB
    trial(3, 5, 100, 0.25, 1.3, 1100), // best DB too, higher CH: first
    trial(4, 2, 250, 0.25, 1.3, 900, "random"), // ties with k=8 on all metrics: smaller k first
    trial(4, 2, 100, 0.25, 1.3, 900, "random"), // … and smaller max_iter before it
    trial(4, 2, 100, 0.25, 1.3, 900), // same everything as the previous but later in the grid
    trial(4, 1, 500, 0.25, 1.3, 900), // fewer n_init wins over max_iter
  ];
  assert.equal(ids(rankTrials(ts, "silhouette")), [
    "3/5/100/k-means++",
    "4/1/500/k-means++",
    "4/2/100/random",
    "4/2/100/k-means++",
    "4/2/250/random",
    "8/5/100/k-means++",
    "4/5/100/k-means++",
  ]);
  // Ranked by Davies–Bouldin, ties fall to silhouette (all equal), then Calinski–Harabasz.
  assert.equal(ids(rankTrials(ts, "davies-bouldin")).slice(0, 2), ["3/5/100/k-means++", "4/1/500/k-means++"]);
});

const point = (k: number, inertia: number, silhouette: number, daviesBouldin: number, calinskiHarabasz: number): KPoint => ({ k, inertia, silhouette, daviesBouldin, calinskiHarabasz });

test("recommended k: highest silhouette; ties to lower Davies–Bouldin, then smaller k; the line names the rule", () => {
  const points = [point(2, 1000, 0.3, 1.2, 1500), point(3, 600, 0.35, 1.1, 1300), point(4, 450, 0.35, 1.0, 1200), point(5, 400, 0.2, 1.4, 1000)];
  const rec = recommendK(points);
  assert.is(rec.k, 4);
  assert.is(rec.bestDaviesBouldin, 4);
  assert.is(rec.bestCalinskiHarabasz, 2);
  assert.match(rec.line, /^k = 4: the highest mean silhouette over k = 2\.\.5 \(0\.350; next best k = 3 at 0\.350\)/);
  assert.is(recommendK([point(2, 1, 0.3, 1, 1), point(3, 1, 0.3, 1, 1)]).k, 2);
});

test("the elbow is the point farthest below the chord from the first k to the last", () => {
  const points = [point(2, 100, 0, 0, 0), point(3, 40, 0, 0, 0), point(4, 30, 0, 0, 0), point(5, 25, 0, 0, 0), point(6, 22, 0, 0, 0)];
  assert.is(elbowK(points), 3);
  assert.is(elbowK(points.slice(0, 2)), 2);
});

test("--grid: defaults, partial keys, sorting, and one-line errors for bad input and oversize grids", () => {
  assert.is(gridSize(parseGrid(undefined)), 144);
  const g = parseGrid("k=8,3 n-init=10,1,10");
  assert.equal(g.k, [3, 8]);
  assert.equal(g.nInit, [1, 10]);
  assert.equal(g.init, ["k-means++", "random"]);
  assert.equal(g.maxIter, [100, 250, 500, 1000]);
  for (const [spec, message] of [
    ["k=1", /k value '1' must be a whole number from 2/],
    ["k=3 k=4", /gives k twice/],
    ["init=kmeans", /init 'kmeans' is not one of/],
    ["n-init=", /has no values/],
    ["tol=1", /unknown key 'tol'/],
    ["max-iter=2.5", /whole number/],
  ] as const) {
    assert.throws(() => parseGrid(spec), (e: unknown) => e instanceof UserError && message.test((e as Error).message), spec);
  }
  assert.is(gridSize(parseGrid("n-init=1,2,3,4,5,6,7,8,9,10,11,12")), 288);
  assert.throws(() => parseGrid(undefined, { maxTrials: 100, maxNInit: 1000, maxMaxIter: 100_000, maxK: 100 }), /is 100, and the grid has 144 trials/);
  assert.equal(parseKRange("2..5"), [2, 3, 4, 5]);
  assert.throws(() => parseKRange("5..2"), /need 2 ≤ first ≤ last/);
  assert.throws(() => parseKRange("2-5"), /must look like 2\.\.10/);
});

test.run();
