import { test } from "uvu";
import * as assert from "uvu/assert";
import { currencyOf, OUTLIER_SEGMENT, segmentFigures } from "../../../src/pipeline/steps/business.js";

// Five customers: two in cluster 0, two in cluster 1, one outlier.
const customers = {
  revenue: [100, 300, 50, -10, 560],
  invoices: [2, 4, 1, 1, 10],
  cancelledInvoices: [0, 1, 0, 1, 2],
  recencyDays: [10, 30, 200, 300, 5],
  segment: Int32Array.from([0, 0, 1, 1, -1]),
};
const product = (code: string) => ({ stockCode: code, description: `item ${code}`, quantity: 3, revenue: 7.5 });

test("figures per cluster and for the outliers; shares over every customer add up to 1", () => {
  const rows = segmentFigures(customers, ["Regulars", "Lapsed"], (c) => [product(`P${c}`)]);
  assert.equal(rows.map((r) => [r.cluster, r.name, r.customers]), [
    [0, "Regulars", 2],
    [1, "Lapsed", 2],
    [null, OUTLIER_SEGMENT, 1],
  ]);
  assert.equal(rows.map((r) => r.revenue), [400, 40, 560]);
  assert.equal(rows.map((r) => r.revenueShare), [0.4, 0.04, 0.56]);
  assert.equal(rows.map((r) => r.share), [0.4, 0.4, 0.2]);
  assert.is(rows[0]!.averageOrderValue, 400 / 6);
  assert.is(rows[0]!.purchaseFrequency, 3);
  assert.is(rows[1]!.recencyDays, 250);
  assert.is(rows[0]!.cancellationRate, 1 / 6);
  assert.is(rows[1]!.cancellationRate, 0.5);
  assert.equal(rows[2]!.topProducts, [product("P-1")]);
});

test("no outlier row when nothing was flagged", () => {
  const rows = segmentFigures({ ...customers, segment: Int32Array.from([0, 0, 1, 1, 1]) }, ["A", "B"], () => []);
  assert.is(rows.length, 2);
  assert.is(rows[0]!.revenueShare + rows[1]!.revenueShare, 1);
});

test("currencies: ISO 4217 codes in any case, with their symbol; anything else is refused", () => {
  assert.equal(currencyOf("GBP"), { code: "GBP", symbol: "£" });
  assert.equal(currencyOf("eur"), { code: "EUR", symbol: "€" });
  assert.equal(currencyOf("USD"), { code: "USD", symbol: "$" });
  assert.is(currencyOf("CHF")?.code, "CHF");
  for (const bad of ["", "GB", "POUND", "XYZ", "£"]) assert.is(currencyOf(bad), undefined, bad);
});

test.run();
