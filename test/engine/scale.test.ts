import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine, type Matrix } from "../../src/engine/index.js";
import * as reference from "../../src/engine/reference/index.js";
import { normalizeRowsSteps, standardScaleSteps } from "../../src/engine/scale.js";
import { drain } from "../../src/engine/steps.js";
import { Rng } from "../../src/engine/rng.js";
import { readMatrix } from "../../src/io/matrix.js";
import { sharedFile, skipped } from "../helpers/shared.js";

const engines = [
  { name: "SIMD", load: () => loadEngine({ threads: 1 }) },
  { name: "scalar", load: () => loadEngine({ simd: false, threads: 1 }) },
];

function random(seed: number, n: number, d: number): Matrix {
  const rng = new Rng(seed);
  const data = new Float64Array(n * d);
  // Columns of very different offsets and spreads, as real features have.
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = (j + 1) * 10 ** (j % 4) * (rng.nextFloat() - 0.3);
  return { data, rows: n, cols: d };
}

function assertSame(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.unreachable(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

async function fixture() {
  const csv = sharedFile("reference/kernels/scalers_300x4.csv", "scaler fixture");
  const json = sharedFile("reference/kernels/scalers_300x4_expected.json", "scaler fixture");
  if (!csv || !json) return undefined;
  return { x: (await readMatrix(csv)).matrix, expected: JSON.parse(readFileSync(json, "utf8")) };
}

test("reference StandardScaler and Normalizer equal scikit-learn 1.2 bit for bit (constant column, zero row)", async () => {
  const f = await fixture();
  if (!f) return skipped();
  const s = reference.standardScalerFit(f.x);
  assertSame(s.mean, f.expected.standard_mean, "mean");
  assertSame(s.scale, f.expected.standard_scale, "scale");
  const t = reference.standardScalerTransform(f.x, s);
  assertSame(t.data.subarray(0, 20), f.expected.standard_first5.flat(), "transform");
  assertSame(reference.normalizeRows(f.x).data.subarray(0, 28), f.expected.normalizer_rows_0_to_6.flat(), "normalizer");
});

for (const e of engines) {
  test(`${e.name} StandardScaler and Normalizer equal scikit-learn 1.2 bit for bit`, async () => {
    const f = await fixture();
    if (!f) return skipped();
    const engine = await e.load();
    const { scaler, scaled } = engine.standardScale(f.x);
    assertSame(scaler.mean, f.expected.standard_mean, "mean");
    assertSame(scaler.scale, f.expected.standard_scale, "scale");
    assertSame(scaled.data.subarray(0, 20), f.expected.standard_first5.flat(), "transform");
    const normalized = engine.normalizeRows(f.x);
    assertSame(normalized.data.subarray(0, 28), f.expected.normalizer_rows_0_to_6.flat(), "normalizer");
    assertSame(normalized.data.subarray(20, 24), [0, 0, 0, 0], "zero row");
  });

  test(`${e.name} scalers equal the reference bit for bit on random shapes`, async () => {
    const engine = await e.load();
    for (const [n, d] of [[1, 1], [7, 3], [513, 5], [300, 17], [1000, 8]] as const) {
      const x = random(n * 31 + d, n, d);
      if (d > 2) for (let i = 0; i < n; i++) x.data[i * d + 2] = 0.1; // a constant column
      const ref = reference.standardScalerFit(x);
      const { scaler, scaled } = engine.standardScale(x);
      assertSame(scaler.mean, ref.mean, `mean ${n}×${d}`);
      assertSame(scaler.scale, ref.scale, `scale ${n}×${d}`);
      assertSame(scaled.data, reference.standardScalerTransform(x, ref).data, `scaled ${n}×${d}`);
      if (d > 2 && n > 1) assert.is(scaler.scale[2], 1, "a constant column gets scale 1");
      if (n > 4) x.data.fill(0, 3 * d, 4 * d); // a zero row
      assertSame(engine.normalizeRows(x).data, reference.normalizeRows(x).data, `normalized ${n}×${d}`);
    }
  });
}

test("a given scaler is applied without refitting", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = random(3, 50, 4);
  const scaler = { mean: new Float64Array([1, 2, 3, 4]), scale: new Float64Array([2, 2, 2, 2]) };
  const { scaled } = engine.standardScale(x, scaler);
  assert.is(scaled.data[5], (x.data[5]! - 2) / 2);
  assert.throws(() => engine.standardScale(random(3, 5, 3), scaler), /fitted on 4 columns, X has 3/);
});

test("NaN or ±Inf in X is an error naming row and column; empty shapes are errors", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = random(5, 10, 3);
  x.data[4 * 3 + 1] = Number.NaN;
  assert.throws(() => engine.standardScale(x), (err: Error) => err instanceof RangeError && /row 5, column 2 is NaN/.test(err.message));
  x.data[4 * 3 + 1] = Number.NEGATIVE_INFINITY;
  assert.throws(() => engine.normalizeRows(x), /row 5, column 2 is -Infinity/);
  assert.throws(() => engine.standardScale({ data: new Float64Array(0), rows: 0, cols: 3 }), /no rows/);
  assert.throws(() => engine.normalizeRows({ data: new Float64Array(0), rows: 4, cols: 0 }), /no columns/);
});

test("repeated calls do not grow WASM memory", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = random(9, 2000, 6);
  engine.standardScale(x);
  engine.normalizeRows(x);
  const before = engine.memoryBytes;
  for (let i = 0; i < 20; i++) {
    engine.standardScale(x);
    engine.normalizeRows(x);
  }
  assert.is(engine.memoryBytes, before);
});

test("in chunks of rows, one per step, scaling gives the same bits as one pass; a bad cell is found in a later chunk", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = random(17, 1001, 7);
  const resident = engine.upload(x);
  try {
    const whole = engine.standardScale(x);
    for (const cells of [7, 50, 700, 6999]) {
      let steps = 0;
      const it = standardScaleSteps(engine.context, resident, undefined, cells);
      let r = it.next();
      for (; !r.done; r = it.next()) steps++;
      assert.ok(steps > 1, `${cells} cells per step: ${steps} steps`);
      assertSame(r.value.scaler.mean, whole.scaler.mean, `mean, ${cells} cells per step`);
      assertSame(r.value.scaler.scale, whole.scaler.scale, `scale, ${cells} cells per step`);
      assertSame(r.value.scaled.data, whole.scaled.data, `scaled, ${cells} cells per step`);
      assertSame(drain(normalizeRowsSteps(engine.context, resident, cells)).data, engine.normalizeRows(x).data, `normalized, ${cells} cells per step`);
    }
  } finally {
    resident.free();
  }
  const bad = random(18, 40, 3);
  bad.data[31 * 3 + 1] = Number.NaN;
  const rb = engine.upload(bad);
  try {
    assert.throws(() => drain(standardScaleSteps(engine.context, rb, undefined, 9)), /row 32, column 2 is NaN/);
  } finally {
    rb.free();
  }
});

test.run();
