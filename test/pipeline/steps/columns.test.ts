// Dictionary values decoded from the Utf8 buffer at once match Arrow's own decoding, entry for entry.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { transactionsFromArrays } from "../../../src/io/schema.js";
import { dictValues } from "../../../src/pipeline/steps/columns.js";

function described(descriptions: (string | null)[]) {
  return transactionsFromArrays({
    InvoiceNo: descriptions.map((_, i) => String(536365 + i)),
    StockCode: descriptions.map((_, i) => (i % 2 === 0 ? "85123A" : "POST")),
    Description: descriptions,
    Quantity: descriptions.map(() => 1),
    InvoiceDate: descriptions.map(() => Date.UTC(2011, 0, 1)),
    UnitPrice: descriptions.map(() => 1),
    CustomerID: descriptions.map(() => 17850),
    Country: descriptions.map(() => "United Kingdom"),
  });
}

const arrowsOwn = (t: ReturnType<typeof described>, name: string) => t.getChild(name)!.data[0]!.dictionary!.toArray() as string[];

test("ASCII entries, the empty one included, are those Arrow decodes", () => {
  const t = described(["WHITE HANGING HEART", "", "POSTAGE", "WHITE HANGING HEART", null, "12 PENCILS, TUBE"]);
  assert.equal(dictValues(t, "Description"), arrowsOwn(t, "Description"));
  assert.equal(dictValues(t, "StockCode"), ["85123A", "POST"]);
});

test("text beyond ASCII (accents, emoji, a leading byte-order mark) is decoded entry by entry as Arrow does", () => {
  const t = described(["CAFÉ AU LAIT", "PARTY 🎉", "\uFEFFBOM FIRST", "PLAIN"]);
  const own = arrowsOwn(t, "Description");
  assert.equal(dictValues(t, "Description"), own);
  assert.ok(own.includes("CAFÉ AU LAIT") && own.includes("PARTY 🎉"));
});

test("a byte-order mark opening the first entry is dropped as Arrow drops it, the rest cut where they were", () => {
  const t = described(["\uFEFFBOM FIRST", "PLAIN", "ALSO PLAIN"]);
  assert.equal(dictValues(t, "Description"), arrowsOwn(t, "Description"));
});

test.run();
