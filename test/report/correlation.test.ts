import { test } from "uvu";
import * as assert from "uvu/assert";
import { matrix } from "../../src/engine/matrix.js";
import { correlationMatrix } from "../../src/report/correlation.js";

test("Pearson correlation: ±1 for linear relations, a hand-checked value, symmetric", () => {
  // columns: a, 2a + 1e6 (offset must not cost precision), −a, b
  const a = [1, 2, 3, 4, 5];
  const b = [2, 1, 4, 3, 6];
  const data = a.flatMap((v, i) => [v, 2 * v + 1e6, -v, b[i]]);
  const r = correlationMatrix(matrix(Float64Array.from(data), 5, 4));
  assert.is(r.rows, 4);
  assert.is(r.cols, 4);
  const at = (i: number, j: number) => r.data[i * 4 + j];
  for (let i = 0; i < 4; i++) assert.is(at(i, i), 1);
  assert.ok(Math.abs(at(0, 1) - 1) < 1e-12);
  assert.ok(Math.abs(at(0, 2) + 1) < 1e-12);
  // mean a = 3, mean b = 3.2; co-deviation sum 10, squared-deviation sums 10 and 14.8 → 10 / sqrt(148)
  assert.ok(Math.abs(at(0, 3) - 10 / Math.sqrt(148)) < 1e-12);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) assert.is(at(i, j), at(j, i));
});

test("a constant column has no correlation (NaN) except with itself", () => {
  const r = correlationMatrix(matrix(Float64Array.from([1, 7, 2, 7, 3, 7]), 3, 2));
  assert.equal([...r.data].map((v) => (Number.isNaN(v) ? "NaN" : v)), [1, "NaN", "NaN", 1]);
});

test.run();
