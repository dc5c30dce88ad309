// Cleaning: each step on hand-made lines, then the real data's counts against the original pipeline.
import { readFileSync } from "node:fs";
import type { Table } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadTransactions } from "../../../src/io/load.js";
import { transactionsFromArrays } from "../../../src/io/schema.js";
import { cleanTransactions } from "../../../src/pipeline/steps/clean.js";
import { sharedFile, skipped } from "../../helpers/shared.js";

interface Line {
  inv: string;
  code: string;
  desc: string | null;
  qty?: number;
  price?: number;
  cust: number | null;
}

const LINES: Line[] = [
  /* 0 kept      */ { inv: "1", code: "10001", desc: "A", cust: 1 },
  /* 1 missing   */ { inv: "1", code: "10002", desc: null, cust: 1 },
  /* 2 missing   */ { inv: "2", code: "10001", desc: "A", cust: null },
  /* 3 duplicate of 0 (price is not part of the key) */ { inv: "1", code: "10001", desc: "A", cust: 1, price: 2 },
  /* 4 kept: quantity differs */ { inv: "1", code: "10001", desc: "A", cust: 1, qty: 2 },
  /* 5 kept, cancelled */ { inv: "C3", code: "10001", desc: "A", cust: 1, qty: -1 },
  /* 6 no digit  */ { inv: "4", code: "POST", desc: "POSTAGE", cust: 1 },
  /* 7 one digit */ { inv: "4", code: "C2", desc: "CARRIAGE", cust: 1 },
  /* 8 kept      */ { inv: "4", code: "85123A", desc: "white Heart", cust: 1 },
  /* 9 service   */ { inv: "4", code: "20000", desc: "Next Day Carriage", cust: 1 },
  /* 10 kept: not an exact match */ { inv: "4", code: "20001", desc: "next day carriage", cust: 1 },
  /* 11 service  */ { inv: "4", code: "20002", desc: "High Resolution Image", cust: 1 },
  /* 12 free     */ { inv: "4", code: "20003", desc: "B", cust: 1, price: 0 },
  /* 13 kept     */ { inv: "5", code: "20003", desc: "b", cust: 2, price: 3 },
  /* 14 kept     */ { inv: "6", code: "20005", desc: "White heart", cust: 2 },
];

function transactions(lines: Line[]): Table {
  return transactionsFromArrays({
    InvoiceNo: lines.map((l) => l.inv),
    StockCode: lines.map((l) => l.code),
    Description: lines.map((l) => l.desc),
    Quantity: lines.map((l) => l.qty ?? 1),
    InvoiceDate: lines.map((_, i) => Date.UTC(2011, 0, 1 + i, 10)),
    UnitPrice: lines.map((l) => l.price ?? 1),
    CustomerID: lines.map((l) => l.cust),
    Country: lines.map(() => "United Kingdom"),
  });
}

const column = (t: Table, name: string) => Array.from(t.getChild(name)!.toArray() as ArrayLike<unknown>);

test("each step removes its lines, in order", () => {
  const { rows } = cleanTransactions(transactions(LINES));
  assert.equal(rows, {
    loaded: 15,
    afterMissing: 13,
    afterDuplicates: 12,
    afterAnomalousCodes: 10,
    afterServiceDescriptions: 8,
    afterZeroPrice: 7,
  });
});

test("kept lines stay in file order with their values", () => {
  const { table } = cleanTransactions(transactions(LINES));
  const kept = [0, 4, 5, 8, 10, 13, 14];
  assert.equal(column(table, "InvoiceNo"), kept.map((i) => LINES[i].inv));
  assert.equal(column(table, "StockCode"), kept.map((i) => LINES[i].code));
  assert.equal(column(table, "Quantity"), kept.map((i) => LINES[i].qty ?? 1));
  assert.equal(column(table, "UnitPrice"), kept.map((i) => LINES[i].price ?? 1));
  assert.equal(column(table, "CustomerID"), kept.map((i) => LINES[i].cust));
  assert.equal(column(table, "InvoiceDate").map(Number), kept.map((i) => Date.UTC(2011, 0, 1 + i, 10)));
  assert.equal(column(table, "Country"), kept.map(() => "United Kingdom"));
});

test("Cancelled flags invoices starting with C", () => {
  const { table } = cleanTransactions(transactions(LINES));
  assert.equal(column(table, "Cancelled"), [false, false, true, false, false, false, false]);
  assert.is(table.schema.fields.at(-1)?.name, "Cancelled");
});

test("Description is upper-cased after the exact-match removal; equal results share one entry", () => {
  const { table } = cleanTransactions(transactions(LINES));
  assert.equal(column(table, "Description"), ["A", "A", "A", "WHITE HEART", "NEXT DAY CARRIAGE", "B", "WHITE HEART"]);
  const data = table.getChild("Description")!.data[0];
  const values = data.dictionary!.toArray() as string[];
  assert.is(new Set(values).size, values.length);
  assert.is(data.values[3], data.values[6]);
  assert.is(data.nullCount, 0);
});

test("digits are counted in the code's text", () => {
  const codes = ["DOT", "M", "C2", "BANK CHARGES", "PADS", "10", "84997c", "DCGS0076"];
  const { table } = cleanTransactions(
    transactions(codes.map((code) => ({ inv: "1", code, desc: `X ${code}`, cust: 1 }))),
  );
  assert.equal(column(table, "StockCode"), ["10", "84997c", "DCGS0076"]);
});

test("a table that starts inside its buffers (sliced at an odd line) is cleaned as its own lines are", () => {
  // Three lines before, two of them missing a value: the validity bitmaps start mid-byte.
  const sliced = transactions([LINES[1]!, LINES[2]!, LINES[0]!, ...LINES]).slice(3);
  assert.is(sliced.getChild("CustomerID")!.data[0]!.offset, 3);
  const whole = cleanTransactions(transactions(LINES));
  const part = cleanTransactions(sliced);
  assert.equal(part.rows, whole.rows);
  for (const name of ["InvoiceNo", "StockCode", "Description", "Quantity", "CustomerID", "Cancelled"]) assert.equal(column(part.table, name), column(whole.table, name), name);
});

test("no rows in, no rows out", () => {
  const { table, rows } = cleanTransactions(transactions([]));
  assert.is(table.numRows, 0);
  assert.is(rows.afterZeroPrice, 0);
});

const parquet = sharedFile("data/online_retail.parquet", "cleaning counts on the real data");
const reference = sharedFile("reference/seed-pipeline/rows_per_step.json", "cleaning counts on the real data");
const quirksFile = sharedFile("reference/seed-pipeline/quirks.json", "cleaning counts on the real data");

test("real data: the original pipeline's row count after every step", async () => {
  if (!parquet || !reference || !quirksFile) return skipped();
  const expected = JSON.parse(readFileSync(reference, "utf8"));
  const quirks = JSON.parse(readFileSync(quirksFile, "utf8"));
  const { table: raw } = await loadTransactions(parquet, { cacheDir: false });
  const { table, rows } = cleanTransactions(raw);
  assert.equal(rows, {
    loaded: expected.load.n,
    afterMissing: expected.missing.n,
    afterDuplicates: expected.duplicates.n,
    afterAnomalousCodes: expected.anomaly_codes.n,
    afterServiceDescriptions: expected.cleaning_description.n,
    afterZeroPrice: expected.removing_zero_unitprice.n,
  });
  assert.is(expected.transaction_status.n, expected.duplicates.n);
  assert.is(table.numRows, quirks.final_transactions.rows);
  const cancelled = column(table, "Cancelled").filter(Boolean).length;
  assert.is(cancelled, quirks.final_transactions.cancelled_rows);
  assert.is(new Set(column(table, "CustomerID")).size, quirks.final_transactions.customers);
});

test.run();
