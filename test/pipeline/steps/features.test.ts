// Features on small hand-made transactions: every edge case with its value worked out by hand,
// in both semantics.
import type { Table } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { transactionsFromArrays } from "../../../src/io/schema.js";
import { cleanTransactions } from "../../../src/pipeline/steps/clean.js";
import { type Compat, customerFeatures, FEATURE_NAMES } from "../../../src/pipeline/steps/features.js";

interface Line {
  inv: string;
  cust: number;
  at: string;
  qty?: number;
  price?: number;
  country?: string;
  code?: string;
}

const DAY = 86_400_000;
const ms = (at: string) => Date.parse(`${at}Z`);

function transactions(lines: Line[]): Table {
  return transactionsFromArrays({
    InvoiceNo: lines.map((l) => l.inv),
    StockCode: lines.map((l, i) => l.code ?? `2${String(i).padStart(4, "0")}`),
    Description: lines.map((l, i) => `ITEM ${l.code ?? i}`),
    Quantity: lines.map((l) => l.qty ?? 1),
    InvoiceDate: lines.map((l) => ms(l.at)),
    UnitPrice: lines.map((l) => l.price ?? 1),
    CustomerID: lines.map((l) => l.cust),
    Country: lines.map((l) => l.country ?? "United Kingdom"),
  });
}

// 100: one line. 200: spend in Jan (2 lines), Mar, Apr (Feb empty). 300: only a cancellation.
// 400: ties on day, hour and country. 500: ten 0.1 lines on the last date of the data.
const LINES: Line[] = [
  { inv: "100", cust: 100, at: "2011-03-15T10:00:00", qty: 2, price: 5 },
  { inv: "201", cust: 200, at: "2011-01-10T09:05:00", qty: 6, price: 10 },
  { inv: "201", cust: 200, at: "2011-01-10T09:05:00", qty: 4, price: 10 },
  { inv: "202", cust: 200, at: "2011-03-05T17:30:00", qty: 8, price: 5 },
  { inv: "203", cust: 200, at: "2011-04-20T12:00:00", qty: 7, price: 10 },
  { inv: "C301", cust: 300, at: "2011-06-01T14:00:00", qty: -3, price: 2 },
  { inv: "C301", cust: 300, at: "2011-06-01T14:00:00", qty: -3, price: 2, code: "22222" },
  { inv: "401", cust: 400, at: "2011-11-08T15:00:00", country: "United Kingdom" },
  { inv: "401", cust: 400, at: "2011-11-08T15:00:00", country: "United Kingdom", code: "33333" },
  { inv: "C402", cust: 400, at: "2011-11-10T11:00:00", qty: -1, country: "EIRE" },
  { inv: "C402", cust: 400, at: "2011-11-10T11:00:00", qty: -1, country: "EIRE", code: "33334" },
  ...Array.from({ length: 10 }, (_, i): Line => ({ inv: "501", cust: 500, at: "2011-12-09T23:59:00", price: 0.1, code: `5000${i}` })),
];

type Row = Record<string, number>;

function rows(compat: Compat): Map<number, Row> {
  const table = customerFeatures(cleanTransactions(transactions(LINES)).table, { compat });
  const out = new Map<number, Row>();
  for (let i = 0; i < table.numRows; i++) {
    const row: Row = {};
    for (const f of table.schema.fields) row[f.name] = table.getChild(f.name)?.get(i) as number;
    out.set(row.CustomerID, row);
  }
  return out;
}

const none = rows("none");
const seed = rows("seed");
const daysBetween = (a: string, b: string) => (ms(b) - ms(a)) / DAY;

test("columns: CustomerID then the 15 features, sorted by CustomerID", () => {
  const table = customerFeatures(cleanTransactions(transactions(LINES)).table);
  assert.equal(
    table.schema.fields.map((f) => f.name),
    ["CustomerID", ...FEATURE_NAMES],
  );
  assert.equal([...table.getChild("CustomerID")!.toArray()], [100, 200, 300, 400, 500]);
  assert.is(String(table.schema.fields[1].type), "Int32");
  assert.is(String(table.schema.fields[4].type), "Float64");
});

test("single-line customer: kept by default with days to the last date; dropped by seed", () => {
  const c = none.get(100)!;
  assert.is(c.Average_Days_Between_Purchases, daysBetween("2011-03-15T00:00:00", "2011-12-09T00:00:00"));
  assert.is(c.Days_Since_Last_Purchase, 269);
  assert.is(c.Total_Spend, 10);
  assert.is(c.Monthly_Spending_Mean, 10);
  assert.is(c.Monthly_Spending_Std, 0);
  assert.is(c.Spending_Trend, 0);
  assert.not.ok(seed.has(100));
  assert.equal([...seed.keys()], [200, 300, 400, 500]);
});

test("months without lines: zeros in the default series, skipped by seed", () => {
  const c = none.get(200)!;
  // Jan 100, Feb 0, Mar 40, Apr 70.
  assert.is(c.Monthly_Spending_Mean, 52.5);
  assert.ok(Math.abs(c.Monthly_Spending_Std - Math.sqrt(1825)) < 1e-12);
  assert.ok(Math.abs(c.Spending_Trend - -5) < 1e-12);
  const s = seed.get(200)!;
  // Jan 100, Mar 40, Apr 70 at positions 0, 1, 2.
  assert.is(s.Monthly_Spending_Mean, 70);
  assert.is(s.Monthly_Spending_Std, 30);
  assert.ok(Math.abs(s.Spending_Trend - -15) < 1e-12);
});

test("days between purchases: distinct dates by default, line items by seed", () => {
  const span = daysBetween("2011-01-10T00:00:00", "2011-04-20T00:00:00");
  assert.is(span, 100);
  assert.is(none.get(200)!.Average_Days_Between_Purchases, span / 2);
  assert.is(seed.get(200)!.Average_Days_Between_Purchases, span / 3);
  // Several lines on one day: seed gives 0; default counts to the last date.
  assert.is(seed.get(300)!.Average_Days_Between_Purchases, 0);
  assert.is(none.get(300)!.Average_Days_Between_Purchases, daysBetween("2011-06-01T00:00:00", "2011-12-09T00:00:00"));
});

test("totals, transactions, unique products", () => {
  const c = none.get(200)!;
  assert.is(c.Total_Transactions, 3);
  assert.is(c.Total_Products_Purchased, 25);
  assert.is(c.Total_Spend, 210);
  assert.is(c.Average_Transaction_Value, 70);
  assert.is(c.Unique_Products_Purchased, 4);
  assert.is(c.Days_Since_Last_Purchase, daysBetween("2011-04-20T00:00:00", "2011-12-09T00:00:00"));
  assert.equal(seed.get(200), { ...c, Average_Days_Between_Purchases: 100 / 3, Monthly_Spending_Mean: 70, Monthly_Spending_Std: 30, Spending_Trend: seed.get(200)!.Spending_Trend });
});

test("a customer with only a cancelled invoice", () => {
  const c = none.get(300)!;
  assert.is(c.Total_Transactions, 1);
  assert.is(c.Cancellation_Frequency, 1);
  assert.is(c.Cancellation_Rate, 1);
  assert.is(c.Total_Products_Purchased, -6);
  assert.is(c.Total_Spend, -12);
  assert.is(c.Average_Transaction_Value, -12);
  assert.is(c.Monthly_Spending_Mean, -12);
});

test("Cancellation_Rate: own ratio by default; seed divides by the customer at the same position", () => {
  assert.is(none.get(400)!.Cancellation_Rate, 0.5);
  // seed rows 200, 300, 400, 500 divide by the Total_Transactions of 100, 200, 300, 400.
  assert.is(seed.get(200)!.Cancellation_Rate, 0);
  assert.is(seed.get(300)!.Cancellation_Rate, 1 / 3);
  assert.is(seed.get(400)!.Cancellation_Rate, 1);
  for (const c of none.values()) assert.ok(c.Cancellation_Rate >= 0 && c.Cancellation_Rate <= 1);
});

test("ties go to the smallest day, hour and country", () => {
  for (const mode of [none, seed]) {
    const c = mode.get(400)!;
    assert.is(c.Day_Of_Week, 1); // Tuesday 2 lines, Thursday 2 lines
    assert.is(c.Hour, 11); // 15:00 2 lines, 11:00 2 lines
    assert.is(c.Is_UK, 0); // United Kingdom 2, EIRE 2
  }
  assert.is(none.get(200)!.Day_Of_Week, 0); // Monday 2011-01-10 holds 2 of 4 lines
  assert.is(none.get(200)!.Hour, 9);
  assert.is(none.get(200)!.Is_UK, 1);
});

test("wall-clock fields: 23:59 on a Friday stays hour 23, Friday", () => {
  const c = none.get(500)!;
  assert.is(c.Hour, 23);
  assert.is(c.Day_Of_Week, 4);
  assert.is(c.Days_Since_Last_Purchase, 0);
});

test("sums are compensated: ten lines of 0.1 total exactly 1", () => {
  let naive = 0;
  for (let i = 0; i < 10; i++) naive += 0.1;
  assert.is.not(naive, 1);
  assert.is(none.get(500)!.Total_Spend, 1);
  assert.is(seed.get(500)!.Monthly_Spending_Mean, 1);
});

test("sparse customer ids are grouped and sorted like dense ones", () => {
  const ids = [2_000_000_000, 7, 123_456_789, 7, 2_000_000_000];
  const lines = ids.map((cust, i): Line => ({ inv: String(900 + i), cust, at: `2011-05-0${i + 1}T10:00:00`, qty: i + 1 }));
  const table = customerFeatures(cleanTransactions(transactions(lines)).table);
  assert.equal([...table.getChild("CustomerID")!.toArray()], [7, 123_456_789, 2_000_000_000]);
  assert.equal([...table.getChild("Total_Products_Purchased")!.toArray()], [2 + 4, 3, 1 + 5]);
  assert.equal([...table.getChild("Total_Transactions")!.toArray()], [2, 1, 2]);
});

test("a customer back at an invoice, a date and a month after others: each counted once, each month's sum resumed", () => {
  // In file order: Jan 10 (601), Feb 3 (602), Jan 10 (601 again), Jan 20 (C603), Feb 3 (602 again);
  // customer 700 shares invoice 601.
  const lines: Line[] = [
    { inv: "601", cust: 600, at: "2011-01-10T10:00:00", qty: 1, price: 10, code: "60001" },
    { inv: "602", cust: 600, at: "2011-02-03T12:00:00", qty: 2, price: 10, code: "60002" },
    { inv: "601", cust: 700, at: "2011-01-10T10:00:00", qty: 5, price: 1, code: "60006" },
    { inv: "601", cust: 600, at: "2011-01-10T10:00:00", qty: 3, price: 10, code: "60003" },
    { inv: "C603", cust: 600, at: "2011-01-20T16:00:00", qty: -1, price: 10, code: "60004" },
    { inv: "602", cust: 600, at: "2011-02-03T12:00:00", qty: 4, price: 10, code: "60005" },
  ];
  const cleaned = cleanTransactions(transactions(lines)).table;
  for (const compat of ["none", "seed"] as const) {
    const table = customerFeatures(cleaned, { compat });
    const row = (id: number) => {
      const i = [...table.getChild("CustomerID")!.toArray()].indexOf(id);
      return Object.fromEntries(table.schema.fields.map((f) => [f.name, table.getChild(f.name)!.get(i) as number]));
    };
    const c = row(600);
    assert.is(c.Total_Transactions, 3);
    assert.is(c.Cancellation_Frequency, 1);
    assert.is(c.Total_Products_Purchased, 9);
    assert.is(c.Total_Spend, 90);
    assert.is(c.Unique_Products_Purchased, 5);
    // Distinct dates Jan 10, Jan 20, Feb 3 by default; first and last line (Jan 10, Feb 3) by seed.
    assert.is(c.Average_Days_Between_Purchases, compat === "none" ? 24 / 2 : 24 / 4);
    // Jan 10 + 30 - 10 = 30, Feb 20 + 40 = 60.
    assert.is(c.Monthly_Spending_Mean, 45);
    assert.ok(Math.abs(c.Monthly_Spending_Std - Math.sqrt(450)) < 1e-12);
    assert.ok(Math.abs(c.Spending_Trend - 30) < 1e-12);
    assert.is(c.Day_Of_Week, 3); // Thursday 3 lines (Jan 20, Feb 3), Monday 2
    assert.is(c.Hour, 10); // 10:00 and 12:00 2 lines each
    if (compat === "none") {
      assert.is(c.Cancellation_Rate, 1 / 3);
      assert.is(row(700).Total_Transactions, 1);
    }
  }
});

test("no transactions: no customers", () => {
  const table = customerFeatures(cleanTransactions(transactions([])).table);
  assert.is(table.numRows, 0);
  assert.is(table.schema.fields.length, 16);
});

test.run();
