// Rows grouped by customer against a plain stable sort: dense and sparse ids, runs of one
// customer's lines and lone lines, and the edges (no rows, one customer).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { groupRowsByCustomer } from "../../../src/pipeline/steps/customer-rows.js";

/** The grouping by the obvious route: distinct ids sorted, rows stably sorted by id. */
function plain(customer: Int32Array) {
  const ids = Int32Array.from(new Set(customer)).sort();
  const order = Array.from(customer.keys()).sort((a, b) => customer[a]! - customer[b]! || a - b);
  const start = new Int32Array(ids.length + 1);
  ids.forEach((id, c) => {
    start[c + 1] = start[c]! + customer.filter((v) => v === id).length;
  });
  return { ids, start, rows: Int32Array.from(order) };
}

/** n ids drawn from `values` in runs of 1 to maxRun lines (a small deterministic generator). */
function lines(n: number, values: number[], maxRun: number): Int32Array {
  const out = new Int32Array(n);
  let state = 12345;
  const next = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state >>> 8;
  };
  for (let i = 0; i < n; ) {
    const id = values[next() % values.length]!;
    for (let r = 1 + (next() % maxRun); r > 0 && i < n; r--) out[i++] = id;
  }
  return out;
}

test("dense ids in runs and alone: the same groups, file order kept within each", () => {
  const values = Array.from({ length: 300 }, (_, i) => 12_000 + 3 * i);
  for (const maxRun of [1, 4, 40]) {
    const customer = lines(20_000, values, maxRun);
    assert.equal(groupRowsByCustomer(customer), plain(customer));
  }
});

test("sparse and negative ids take the Map route with the same result", () => {
  const customer = lines(5_000, [2_000_000_000, -7, 123_456_789, 0, -2_000_000_000], 6);
  assert.equal(groupRowsByCustomer(customer), plain(customer));
});

test("edges: no rows, one customer, one row", () => {
  assert.equal(groupRowsByCustomer(new Int32Array(0)), plain(new Int32Array(0)));
  assert.equal(groupRowsByCustomer(new Int32Array(7).fill(42)), plain(new Int32Array(7).fill(42)));
  assert.equal(groupRowsByCustomer(Int32Array.of(-5)), plain(Int32Array.of(-5)));
});

test.run();
