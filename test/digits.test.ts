// groupDigits writes what toLocaleString("en-US") writes, for every kind of number.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { groupDigits } from "../src/digits.js";

test("whole numbers are grouped in threes, as en-US writes them", () => {
  const values = [0, 7, 999, 1000, 12_345, 541_909, -1, -999, -1000, -1_234_567, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  for (const v of values) assert.is(groupDigits(v), v.toLocaleString("en-US"), String(v));
  assert.is(groupDigits(541_909), "541,909");
});

test("anything else is written as toLocaleString writes it", () => {
  for (const v of [-0, 1.5, 1234.5678, -0.001, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.is(groupDigits(v), v.toLocaleString("en-US"), String(v));
  }
});

test.run();
