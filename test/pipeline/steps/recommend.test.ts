import { readFileSync } from "node:fs";
import type { Table } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadTransactions } from "../../../src/io/load.js";
import { transactionsFromArrays } from "../../../src/io/schema.js";
import { cleanTransactions } from "../../../src/pipeline/steps/clean.js";
import { dictColumn, int32Column, validity } from "../../../src/pipeline/steps/columns.js";
import { readOutlierIds } from "../../../src/io/ids.js";
import { csvField } from "../../../src/io/write.js";
import { type Recommendations, recommend, recommendationsCsv, topProductsCsv } from "../../../src/pipeline/steps/recommend.js";
import { sharedFile, skipped } from "../../helpers/shared.js";

/** One line per [customer, stockCode, description, quantity]; other columns are filler. */
function lines(rows: [number | null, string, string | null, number][]): Table {
  return transactionsFromArrays({
    InvoiceNo: rows.map((_, i) => String(536365 + i)),
    StockCode: rows.map((r) => r[1]),
    Description: rows.map((r) => r[2]),
    Quantity: rows.map((r) => r[3]),
    InvoiceDate: rows.map(() => Date.UTC(2011, 0, 1)),
    UnitPrice: rows.map(() => 1),
    CustomerID: rows.map((r) => r[0]),
    Country: rows.map(() => "United Kingdom"),
  });
}

const codesOf = (recs: Recommendations, customerId: number) =>
  recs.customers.find((c) => c.customerId === customerId)?.items.map((i) => i.stockCode);

test("ranking by net quantity, ties by StockCode in string order", () => {
  const t = lines([
    [1, "9", "NINE", 5],
    [1, "10", "TEN", 5],
    [2, "22", "BIG", 8],
    [2, "22", "BIG", -1],
    [2, "5", "SMALL", 1],
  ]);
  const recs = recommend(t, new Map([[1, 0], [2, 0], [3, 0]]), { topN: 3 });
  assert.equal(
    recs.top.map((p) => [p.rank, p.stockCode, p.quantity]),
    [
      [1, "22", 7],
      [2, "10", 5], // "10" < "9" as strings
      [3, "9", 5],
    ],
  );
  // Customer 3 bought nothing: the first three of the list.
  assert.equal(codesOf(recs, 3), ["22", "10", "9"]);
});

test("anything bought, returns included, is not recommended; fewer than 3 left stay empty", () => {
  const t = lines([
    [1, "A", "APPLE", 10],
    [1, "B", "BANANA", 9],
    [1, "C", "CHERRY", 8],
    [1, "D", "DATE", 7],
    [2, "A", "APPLE", 1],
    [2, "B", "BANANA", -1], // a return still counts as having bought B
    [2, "C", "CHERRY", 1],
    [3, "E", "ELDER", 1],
  ]);
  const recs = recommend(t, new Map([[1, 0], [2, 0], [3, 1]]), { topN: 4 });
  assert.equal(codesOf(recs, 2), ["D"]);
  assert.equal(codesOf(recs, 1), []);
  assert.equal(codesOf(recs, 3), []);
  const csv = recommendationsCsv(recs).split("\n");
  assert.is(csv[0], "CustomerID,cluster,Rec1_StockCode,Rec1_Description,Rec2_StockCode,Rec2_Description,Rec3_StockCode,Rec3_Description");
  assert.is(csv[2], "2,0,D,DATE,,,,");
  assert.is(csv[3], "3,1,,,,,,");
});

test("lines of customers outside the map, or without a CustomerID, count for nothing", () => {
  const t = lines([
    [1, "A", "APPLE", 2],
    [99, "B", "BANANA", 50], // an outlier
    [null, "B", "BANANA", 50],
    [2, "B", "BANANA", 1],
  ]);
  const recs = recommend(t, new Map([[1, 5], [2, 5]]));
  assert.equal(
    recs.top.map((p) => [p.cluster, p.stockCode, p.quantity]),
    [
      [5, "A", 2],
      [5, "B", 1],
    ],
  );
  assert.equal(recs.customers.map((c) => c.customerId), [1, 2]);
});

test("per-cluster lists; rows ordered by cluster, then CustomerID", () => {
  const t = lines([
    [30, "A", "APPLE", 1],
    [10, "B", "BANANA", 4],
    [20, "A", "APPLE", 3],
    [40, "C", "CHERRY", 2],
  ]);
  const recs = recommend(t, new Map([[30, 2], [10, 2], [20, 0], [40, 0]]));
  assert.equal(recs.customers.map((c) => [c.cluster, c.customerId]), [[0, 20], [0, 40], [2, 10], [2, 30]]);
  assert.equal(recs.top.filter((p) => p.cluster === 0).map((p) => p.stockCode), ["A", "C"]);
  assert.equal(recs.top.filter((p) => p.cluster === 2).map((p) => p.stockCode), ["B", "A"]);
  assert.equal(codesOf(recs, 20), ["C"]);
  assert.equal(codesOf(recs, 10), ["A"]);
});

test("a code under two descriptions: two products in seed mode, one in the default", () => {
  const t = lines([
    [1, "X", "MUG RED", 4],
    [1, "X", "MUG, RED", 3],
    [2, "X", "MUG, RED", 2],
    [2, "Y", "PLATE", 6],
    [2, "Z", null, 100], // no description: no product in seed mode
  ]);
  const clusters = new Map([[1, 0], [2, 0], [3, 0]]);
  const seed = recommend(t, clusters, { compat: "seed" });
  assert.equal(
    seed.top.map((p) => [p.stockCode, p.description, p.quantity]),
    [
      ["Y", "PLATE", 6],
      ["X", "MUG, RED", 5],
      ["X", "MUG RED", 4],
    ],
  );
  // The same code can then be recommended twice, as the original did.
  assert.equal(codesOf(seed, 3), ["Y", "X", "X"]);

  const merged = recommend(t, clusters);
  assert.equal(
    merged.top.map((p) => [p.stockCode, p.description, p.quantity]),
    [
      ["Z", "", 100],
      ["X", "MUG, RED", 9], // 2 lines against 1: the most frequent description
      ["Y", "PLATE", 6],
    ],
  );
  // Equal line counts: the smaller description string wins.
  const tie = recommend(lines([[1, "X", "B NAME", 1], [1, "X", "A NAME", 1]]), new Map([[1, 0]]));
  assert.is(tie.top[0].description, "A NAME");
  assert.is(topProductsCsv(merged).split("\n")[2], '0,X,"MUG, RED",9');
});

test("an extra group (the outliers) is ranked in the same passes as on its own, and changes nothing else", () => {
  const t = lines([
    [1, "X", "MUG RED", 4],
    [9, "X", "MUG, RED", 3],
    [2, "X", "MUG, RED", 2],
    [9, "Y", "PLATE", 6],
    [2, "Y", "PLATE", 1],
    [9, "Z", null, 100],
    [8, "W", "BOWL", -2],
  ]);
  const clusters = new Map([[1, 0], [2, 1]]);
  for (const compat of ["seed", "none"] as const) {
    const alone = recommend(t, new Map([[9, -1], [8, -1]]), { compat });
    const { extraTop, ...withExtra } = recommend(t, clusters, { compat, extraGroup: [9, 8, 1] });
    assert.equal(extraTop, alone.top, compat);
    assert.ok(extraTop!.length >= 2, compat);
    assert.equal(withExtra, recommend(t, clusters, { compat }), compat);
  }
});

test("CSV fields are quoted per RFC 4180", () => {
  assert.is(csvField("PLAIN "), "PLAIN ");
  assert.is(csvField('12" RULER, WOOD'), '"12"" RULER, WOOD"');
  assert.is(csvField("TWO\nLINES"), '"TWO\nLINES"');
  assert.is(csvField(String(12346)), "12346");
});

test("bad options are rejected", () => {
  const t = lines([[1, "A", "APPLE", 1]]);
  assert.throws(() => recommend(t, new Map([[1, 0]]), { topN: 0 }), /topN/);
  assert.throws(() => recommend(t, new Map([[1, 0]]), { perCustomer: 0 }), /perCustomer/);
});

test("real data, seed mode: the original's top-10s and recommendations, byte for byte", async () => {
  const dir = "reference/seed-pipeline";
  const data = sharedFile("data/online_retail.parquet", "recommendation parity");
  const kmeansPath = sharedFile(`${dir}/kmeans.json`, "recommendation parity");
  const featuresPath = sharedFile(`${dir}/customer_features_pre_outlier.csv`, "recommendation parity");
  const outliersPath = sharedFile(`${dir}/outliers.csv`, "recommendation parity");
  const recsPath = sharedFile(`${dir}/recommendations.csv`, "recommendation parity");
  const topPath = sharedFile(`${dir}/top_products_per_cluster.csv`, "recommendation parity");
  if (!data || !kmeansPath || !featuresPath || !outliersPath || !recsPath || !topPath) return skipped();

  // The clustered customers are the featured ones minus the outliers, in CustomerID order.
  const kmeans = JSON.parse(readFileSync(kmeansPath, "utf8")) as { customer_ids: string[]; cluster: number[] };
  const outliers = readOutlierIds(outliersPath);
  const featured = readFileSync(featuresPath, "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(",")[0]));
  const kept = featured.filter((id) => !outliers.has(id));
  assert.is(kept.length, 4067);
  assert.equal(kmeans.customer_ids.map(Number), kept);
  assert.equal([...kept].sort((a, b) => a - b), kept);
  const clusters = new Map(kept.map((id, i) => [id, kmeans.cluster[i]]));

  const { table } = await loadTransactions(data, { cacheDir: false });
  const cleaned = cleanTransactions(table).table;
  assert.is(cleaned.numRows, 399567);

  const seed = recommend(cleaned, clusters, { compat: "seed" });
  assert.is(topProductsCsv(seed), readFileSync(topPath, "utf8"));
  assert.is(recommendationsCsv(seed), readFileSync(recsPath, "utf8"));
  // The outliers ranked as an extra group: the same lists as a pass of their own, the rest unchanged.
  for (const compat of ["seed", "none"] as const) {
    const { extraTop, ...rest } = recommend(cleaned, clusters, { compat, extraGroup: outliers });
    assert.equal(rest, compat === "seed" ? seed : recommend(cleaned, clusters), compat);
    assert.equal(extraTop, recommend(cleaned, new Map([...outliers].map((id) => [id, -1])), { compat }).top, compat);
  }

  // Default mode: one product per code, never a code the customer has a line of.
  const merged = recommend(cleaned, clusters);
  assert.is(merged.customers.length, 4067);
  for (const k of [0, 1, 2]) {
    const codes = merged.top.filter((p) => p.cluster === k).map((p) => p.stockCode);
    assert.is(codes.length, 10);
    assert.is(new Set(codes).size, 10);
  }
  const boughtBy = new Map<number, Set<string>>();
  const stock = dictColumn(cleaned, "StockCode");
  const customer = int32Column(cleaned, "CustomerID");
  const hasCustomer = validity(cleaned, "CustomerID");
  for (let i = 0; i < cleaned.numRows; i++) {
    if (!hasCustomer[i]) continue;
    let set = boughtBy.get(customer[i]);
    if (!set) boughtBy.set(customer[i], (set = new Set()));
    set.add(stock.values[stock.codes[i]]);
  }
  for (const row of merged.customers) {
    const top = merged.top.filter((p) => p.cluster === row.cluster);
    const expected = top.filter((p) => !boughtBy.get(row.customerId)?.has(p.stockCode)).slice(0, 3);
    assert.equal(row.items, expected.map((p) => ({ stockCode: p.stockCode, description: p.description })), `customer ${row.customerId}`);
  }
});

test.run();
