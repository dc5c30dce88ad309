import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine, type Matrix } from "../../src/engine/index.js";
import * as reference from "../../src/engine/reference/index.js";
import { Rng } from "../../src/engine/rng.js";
import { metricsFixture, relErr } from "../helpers/fixtures.js";
import { skipped } from "../helpers/shared.js";

const engines = [
  { name: "SIMD", load: () => loadEngine({ threads: 1 }) },
  { name: "scalar", load: () => loadEngine({ simd: false, threads: 1 }) },
];

function clustered(seed: number, n: number, d: number, k: number): { x: Matrix; labels: Int32Array } {
  const rng = new Rng(seed);
  const data = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = c * (j + 1) + rng.nextFloat() * 4 - 2;
  }
  return { x: { data, rows: n, cols: d }, labels };
}

test("reference Davies–Bouldin and Calinski–Harabasz equal scikit-learn 1.2 to 1e-9", async () => {
  const f = await metricsFixture();
  if (!f) return skipped();
  assert.ok(relErr(reference.daviesBouldin(f.x, f.labels), f.expected.davies_bouldin) <= 1e-9);
  assert.ok(relErr(reference.calinskiHarabasz(f.x, f.labels), f.expected.calinski_harabasz) <= 1e-9);
});

for (const e of engines) {
  test(`${e.name} Davies–Bouldin and Calinski–Harabasz equal scikit-learn 1.2 to 1e-9`, async () => {
    const f = await metricsFixture();
    if (!f) return skipped();
    const engine = await e.load();
    const db = engine.daviesBouldin(f.x, f.labels);
    const ch = engine.calinskiHarabasz(f.x, f.labels);
    assert.ok(relErr(db, f.expected.davies_bouldin) <= 1e-9, `DB ${db}`);
    assert.ok(relErr(ch, f.expected.calinski_harabasz) <= 1e-9, `CH ${ch}`);
  });

  test(`${e.name} scores equal the reference to 1e-9 on random shapes`, async () => {
    const engine = await e.load();
    for (const [n, d, k] of [[3, 1, 2], [50, 3, 4], [513, 7, 5], [2000, 16, 8], [30, 2, 29]] as const) {
      const { x, labels } = clustered(n + d, n, d, k);
      const what = `${n}×${d} k=${k}`;
      assert.ok(relErr(engine.daviesBouldin(x, labels), reference.daviesBouldin(x, labels)) <= 1e-9, `DB ${what}`);
      assert.ok(relErr(engine.calinskiHarabasz(x, labels), reference.calinskiHarabasz(x, labels)) <= 1e-9, `CH ${what}`);
    }
  });
}

test("degenerate clusterings follow scikit-learn: coincident points give DB 0 and CH 1", async () => {
  const engine = await loadEngine({ threads: 1 });
  const same = { data: new Float64Array(12).fill(3), rows: 6, cols: 2 };
  const labels = [0, 0, 0, 1, 1, 1];
  assert.is(engine.daviesBouldin(same, labels), 0);
  assert.is(reference.daviesBouldin(same, labels), 0);
  assert.is(engine.calinskiHarabasz(same, labels), 1);
  assert.is(reference.calinskiHarabasz(same, labels), 1);
});

test("threads 1, 2 and 4 give bit-identical scores", async () => {
  const { x, labels } = clustered(2, 4000, 6, 3);
  const scores: number[][] = [];
  for (const threads of [1, 2, 4]) {
    const engine = await loadEngine({ threads });
    scores.push([engine.daviesBouldin(x, labels), engine.calinskiHarabasz(x, labels)]);
    if (threads > 1) engine.close();
  }
  assert.equal(scores[1], scores[0]);
  assert.equal(scores[2], scores[0]);
});

test("bad input: one label, n labels, negative labels, NaN", async () => {
  const engine = await loadEngine({ threads: 1 });
  const { x, labels } = clustered(3, 10, 2, 2);
  assert.throws(() => engine.daviesBouldin(x, new Int32Array(10)), /Davies–Bouldin score needs between 2 and n − 1 = 9 distinct labels, got 1/);
  assert.throws(() => engine.calinskiHarabasz(x, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), /Calinski–Harabasz score needs .* got 10/);
  assert.throws(() => engine.calinskiHarabasz(x, [0, 1, 0, 1, 0, 1, 0, 1, 0, -2]), /label -2 at sample 9 is out of range/);
  x.data[0] = Number.POSITIVE_INFINITY;
  assert.throws(() => engine.daviesBouldin(x, labels), /row 1, column 1 is Infinity/);
});

test.run();
