// The as-of day of a transactions table: the latest InvoiceDate's day, read from the timestamps' words.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { transactionsFromArrays } from "../../../src/io/schema.js";
import { formatDay, lastPurchaseDay } from "../../../src/pipeline/steps/as-of.js";
import { timestampMs } from "../../../src/pipeline/steps/columns.js";

function dated(dates: number[]) {
  return transactionsFromArrays({
    InvoiceNo: dates.map((_, i) => String(536365 + i)),
    StockCode: dates.map(() => "85123A"),
    Description: dates.map(() => "HEART"),
    Quantity: dates.map(() => 1),
    InvoiceDate: dates,
    UnitPrice: dates.map(() => 1),
    CustomerID: dates.map(() => 17850),
    Country: dates.map(() => "United Kingdom"),
  });
}

test("the latest day wherever it sits, before and after 1970 and past 2^32 ms", () => {
  const dates = [Date.UTC(2011, 11, 9, 12, 50), Date.UTC(1969, 6, 20, 20, 17), Date.UTC(2011, 11, 9, 8, 1), 2 ** 32 + 5, Date.UTC(2010, 11, 1, 8, 26)];
  const t = dated(dates);
  assert.is(formatDay(lastPurchaseDay(t)!), "2011-12-09");
  assert.equal(Array.from(timestampMs(t, "InvoiceDate")), dates);
  assert.is(formatDay(lastPurchaseDay(dated([Date.UTC(1969, 6, 20, 20, 17), Date.UTC(1969, 6, 21, 2, 56)]))!), "1969-07-21");
});

test("no lines, no day", () => {
  assert.is(lastPurchaseDay(dated([])), undefined);
});

test.run();
