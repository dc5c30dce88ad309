import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine, type Matrix, type PcaFit } from "../../src/engine/index.js";
import * as reference from "../../src/engine/reference/index.js";
import { topEigenpairs } from "../../src/engine/eigen.js";
import { Rng } from "../../src/engine/rng.js";
import { readMatrix } from "../../src/io/matrix.js";
import { sharedFile, skipped } from "../helpers/shared.js";
import { assertClose } from "../helpers/assert.js";

const engines = [
  { name: "SIMD", load: () => loadEngine({ threads: 1 }) },
  { name: "scalar", load: () => loadEngine({ simd: false, threads: 1 }) },
];

/** Correlated columns with distinct variances and non-zero means. */
function random(seed: number, n: number, d: number): Matrix {
  const rng = new Rng(seed);
  const mix = Array.from({ length: d * d }, () => rng.nextFloat() - 0.5);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: d }, (_, j) => (rng.nextFloat() - 0.5) * (d - j));
    for (let j = 0; j < d; j++) {
      let s = 5 * j;
      for (let t = 0; t < d; t++) s += mix[j * d + t]! * z[t]!;
      data[i * d + j] = s;
    }
  }
  return { data, rows: n, cols: d };
}

async function fixture() {
  const csv = sharedFile("reference/kernels/pca_1500x8.csv", "PCA fixture");
  const json = sharedFile("reference/kernels/pca_1500x8_expected.json", "PCA fixture");
  if (!csv || !json) return undefined;
  return { x: (await readMatrix(csv)).matrix, expected: JSON.parse(readFileSync(json, "utf8")) };
}

function checkAgainstSklearn(fit: PcaFit, e: Record<string, number[] & number[][]>, p: number, what: string): void {
  assert.is(fit.nComponents, p);
  // The sign rule leaves no freedom: components compare directly.
  assertClose(fit.components.data, e.components!.flat(), 1e-9, `${what} components`);
  assertClose(fit.explainedVarianceRatio, e.explained_variance_ratio!, 1e-9, `${what} explained variance ratio`);
  assertClose(fit.explainedVariance, e.explained_variance!, 1e-9, `${what} explained variance`, "relative");
  assertClose(fit.mean, e.mean!, 1e-12, `${what} mean`, "relative");
  assertClose(fit.scores!.data.subarray(0, 5 * p), e.transform_first5!.flat(), 1e-9, `${what} scores`);
}

for (const impl of [{ name: "reference", load: async () => undefined }, ...engines]) {
  test(`${impl.name} PCA equals scikit-learn 1.2 (p = 3, p = 8, variance 0.8)`, async () => {
    const f = await fixture();
    if (!f) return skipped();
    const engine = await impl.load();
    const fit = (opts: { components?: number; variance?: number }) =>
      engine ? engine.pca(f.x, opts) : reference.pcaFit(f.x, opts);
    for (const p of [3, 8]) checkAgainstSklearn(fit({ components: p }), f.expected[p], p, `${impl.name} p=${p}`);
    const byVariance = fit({ variance: 0.8 });
    assert.is(byVariance.nComponents, f.expected["variance_0.8_smallest_n"]);
    let cumulative = 0;
    const all = fit({ components: 8 });
    all.explainedVarianceRatio.forEach((r, i) => {
      cumulative += r;
      assert.ok(Math.abs(cumulative - f.expected.cumulative_explained_variance_ratio[i]) <= 1e-9, `cumulative ratio ${i}`);
    });
  });
}

for (const e of engines) {
  test(`${e.name} PCA equals the reference to 1e-9 on random shapes`, async () => {
    const engine = await e.load();
    for (const [n, d, p] of [[2, 1, 1], [37, 5, 3], [513, 7, 7], [1500, 3, 2], [2000, 12, 4], [300, 70, 5]] as const) {
      const x = random(n + d, n, d);
      const ref = reference.pcaFit(x, { components: p });
      const got = engine.pca(x, { components: p });
      const what = `${n}×${d} p=${p}`;
      const scale = ref.explainedVariance[0]!;
      assertClose(got.explainedVariance.map((v) => v / scale), ref.explainedVariance.map((v) => v / scale), 1e-9, `${what} variance`);
      assertClose(got.explainedVarianceRatio, ref.explainedVarianceRatio, 1e-9, `${what} ratio`);
      assertClose(got.components.data, ref.components.data, 1e-9, `${what} components`);
      assertClose(got.mean, ref.mean, 1e-12, `${what} mean`, "relative");
      const sMax = Math.max(...ref.scores!.data.map(Math.abs));
      assertClose(got.scores!.data.map((v) => v / sMax), ref.scores!.data.map((v) => v / sMax), 1e-9, `${what} scores`);
    }
  });
}

test("a constant column: its zero-variance axis is left out of the leading components", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = random(4, 400, 4);
  for (let i = 0; i < 400; i++) x.data[i * 4 + 1] = 0.1;
  const got = engine.pca(x, { components: 3 });
  const ref = reference.pcaFit(x, { components: 3 });
  assertClose(got.components.data, ref.components.data, 1e-9, "components");
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(got.components.data[c * 4 + 1]!) < 1e-12, "no weight on the constant column");
});

test("sign rule: in every component the score of largest magnitude is positive", async () => {
  const engine = await loadEngine({ threads: 1 });
  const fit = engine.pca(random(8, 800, 6), { components: 6 });
  const { data, cols: p } = fit.scores!;
  for (let c = 0; c < p; c++) {
    let best = 0;
    for (let i = 0; i < fit.scores!.rows; i++) if (Math.abs(data[i * p + c]!) > Math.abs(best)) best = data[i * p + c]!;
    assert.ok(best > 0, `component ${c}`);
  }
});

test("transform of the fitted rows reproduces the scores; scores: false leaves them out", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = random(10, 700, 5);
  const fit = engine.pca(x, { components: 3 });
  assert.equal(engine.transform(fit, x).data, fit.scores!.data);
  const bare = engine.pca(x, { components: 3, scores: false });
  assert.is(bare.scores, undefined);
  assert.equal(bare.components.data, fit.components.data);
  assert.throws(() => engine.transform(fit, random(1, 5, 4)), /fitted on 5 columns, X has 4/);
});

test("threads 1, 2 and 4 give bit-identical PCA", async () => {
  const x = random(12, 5000, 9);
  const fits = [];
  for (const threads of [1, 2, 4]) {
    const engine = await loadEngine({ threads });
    fits.push(engine.pca(x, { components: 4 }));
    if (threads > 1) engine.close();
  }
  for (const f of fits.slice(1)) {
    assert.equal(f.components.data, fits[0]!.components.data);
    assert.equal(f.explainedVariance, fits[0]!.explainedVariance);
    assert.equal(f.scores!.data, fits[0]!.scores!.data);
  }
});

test("subspace iteration (d > 64) finds the same top eigenpairs as the full Jacobi solve", () => {
  const d = 80;
  const x = random(14, 500, d);
  const ref = reference.pcaFit(x, { components: d });
  // Covariance back from the reference's full eigendecomposition.
  const cov = new Float64Array(d * d);
  for (let r = 0; r < d; r++) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) cov[a * d + b]! += ref.explainedVariance[r]! * ref.components.data[r * d + a]! * ref.components.data[r * d + b]!;
    }
  }
  const top = topEigenpairs(cov, d, 5);
  assertClose(top.values.map((v) => v / ref.explainedVariance[0]!), ref.explainedVariance.slice(0, 5).map((v) => v / ref.explainedVariance[0]!), 1e-12, "values");
  for (let r = 0; r < 5; r++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += top.vectors[r * d + k]! * ref.components.data[r * d + k]!;
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-10, `vector ${r}: |cos| = ${Math.abs(dot)}`);
  }
});

test("bad input: NaN/Inf (row and column), component count, variance, too few rows", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = random(3, 20, 4);
  x.data[7 * 4 + 3] = Number.POSITIVE_INFINITY;
  assert.throws(() => engine.pca(x, { components: 2 }), (err: Error) => err instanceof RangeError && /row 8, column 4 is Infinity/.test(err.message));
  const ok = random(3, 20, 4);
  assert.throws(() => engine.pca(ok, { components: 0 }), /components must be an integer from 1 to min\(n, d\) = 4/);
  assert.throws(() => engine.pca(ok, { components: 5 }), /min\(n, d\) = 4, got 5/);
  assert.throws(() => engine.pca(ok, { variance: 1.5 }), /variance must be a ratio in \(0, 1\]/);
  assert.throws(() => engine.pca(ok, {}), TypeError);
  assert.throws(() => engine.pca(ok, { components: 2, variance: 0.5 }), TypeError);
  assert.throws(() => engine.pca(random(3, 1, 4), { components: 1 }), /at least 2 samples/);
  assert.throws(() => engine.pca({ data: new Float64Array(0), rows: 5, cols: 0 }, { components: 1 }), /no columns/);
});

test("repeated fits do not grow WASM memory", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = random(21, 3000, 6);
  engine.pca(x, { components: 3 });
  const before = engine.memoryBytes;
  for (let i = 0; i < 10; i++) engine.pca(x, { components: 3 });
  assert.is(engine.memoryBytes, before);
});

test.run();
