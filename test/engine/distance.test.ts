import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine, type Matrix } from "../../src/engine/index.js";
import * as reference from "../../src/engine/reference/index.js";
import { Rng } from "../../src/engine/rng.js";
import { assertClose } from "../helpers/assert.js";

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  return { data: Float64Array.from({ length: rows * cols }, () => rng.nextFloat() * 20 - 10), rows, cols };
}

for (const simd of [true, false]) {
  test(`sqDistances (${simd ? "SIMD" : "scalar"}) equals the reference on several shapes`, async () => {
    const engine = await loadEngine({ simd, threads: 1 });
    const rng = new Rng(11);
    for (const [n, m, d] of [
      [1, 1, 1],
      [7, 3, 5],
      [70, 130, 16],
      [33, 65, 3],
      [200, 9, 2],
      [5, 5, 17],
    ] as const) {
      const x = randomMatrix(rng, n, d);
      const y = randomMatrix(rng, m, d);
      const got = engine.sqDistances(x, y);
      assert.equal([got.rows, got.cols], [n, m]);
      assertClose(got.data, reference.sqDistances(x, y).data, 1e-12, `${n}×${m}×${d}`, "relative");
    }
  });
}

/** The reference of both scans: the first index whose value is NaN or ±Inf, else −1. */
function firstBad(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

for (const simd of [true, false]) {
  test(`firstNonFinite and firstNonFiniteF32 (${simd ? "SIMD" : "scalar"}) equal the reference around their blocks of 4,096`, async () => {
    const engine = await loadEngine({ simd, threads: 1 });
    const { arena, kernels } = engine.context;
    const rng = new Rng(5);
    const bads = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    let cases = 0;
    for (const len of [0, 1, 2, 3, 4, 5, 7, 4095, 4096, 4097, 8195, 12_289]) {
      const places = [[], [0], [len - 1], [len >> 1], [4095], [4096], [len - 2, len - 1], [4097, 3]].filter((p) => p.every((i) => i >= 0 && i < len));
      for (const place of places) {
        for (const bad of bads) {
          const values = Float64Array.from({ length: len }, () => (rng.nextFloat() - 0.5) * 1e30);
          for (const i of place) values[i] = bad;
          const mark = arena.mark();
          const want = firstBad(values);
          assert.is(kernels.firstNonFinite(arena.putF64(values), len), want, `f64, ${len} values, bad at ${place}`);
          const at32 = arena.alloc(len * 4);
          new Float32Array(arena.memory.buffer, at32, len).set(values);
          assert.is(kernels.firstNonFiniteF32(at32, len), want, `f32, ${len} values, bad at ${place}`);
          arena.release(mark);
          cases++;
        }
      }
    }
    assert.ok(cases > 150, `${cases} cases`);
    engine.close();
  });
}

test("sqDistances rejects non-finite values with their row and column, and mismatched widths", async () => {
  const engine = await loadEngine({ threads: 1 });
  const x = { data: Float64Array.of(1, 2, 3, Number.NaN), rows: 2, cols: 2 };
  const y = { data: Float64Array.of(0, 0), rows: 1, cols: 2 };
  assert.throws(() => engine.sqDistances(x, y), /X row 2, column 2 is NaN/);
  assert.throws(() => engine.sqDistances(y, { data: Float64Array.of(Number.NEGATIVE_INFINITY, 0), rows: 1, cols: 2 }), /Y row 1, column 1 is -Infinity/);
  assert.throws(() => engine.sqDistances(y, { data: Float64Array.of(1, 2, 3), rows: 1, cols: 3 }), /2 columns but Y has 3/);
  assert.throws(() => engine.sqDistances({ data: new Float64Array(0), rows: 0, cols: 2 }, y), /no rows/);
  assert.throws(() => engine.sqDistances({ data: new Float64Array(0), rows: 2, cols: 0 }, y), /no columns/);
});

test.run();
