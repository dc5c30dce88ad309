import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Dictionary,
  Float16,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Field,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampSecond,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UserError } from "../../src/errors.js";
import { loadTransactions } from "../../src/io/load.js";
import { MAX_TRANSACTION_ROWS, normalizeTransactions, TransactionsNormalizer } from "../../src/io/normalize.js";
import { writeTable } from "../../src/io/write.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-normalize-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A table from named vectors, in one batch. */
// biome-ignore lint/suspicious/noExplicitAny: columns of any Arrow type
type AnyVector = Vector<any>;

function tableOf(columns: Record<string, AnyVector>): Table {
  const fields = Object.entries(columns).map(([name, v]) => new Field(name, v.type, true));
  const n = Object.values(columns)[0].length;
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children: Object.values(columns).map((v) => v.data[0]) });
  return new Table([new RecordBatch(new Schema(fields), struct)]);
}

const t0 = Date.UTC(2009, 11, 1, 7, 45);
/** Online Retail II as pandas writes it: plain strings, int64, float CustomerID with nulls, µs timestamps. */
const retail2 = () =>
  tableOf({
    Invoice: vectorFromArray(["489434", "C489449", "489435"], new Utf8()),
    StockCode: vectorFromArray(["85048", "22087", "POST"], new Utf8()),
    Description: vectorFromArray(["LED BOX", null, "POSTAGE"], new Utf8()),
    Quantity: vectorFromArray([12n, -12n, 1n], new Int64()),
    InvoiceDate: vectorFromArray([t0, t0 + 60_000, t0 + 61_500], new TimestampMicrosecond()),
    Price: vectorFromArray([6.95, 0.85, 18], new Float32()),
    "Customer ID": vectorFromArray([13085, null, Number.NaN], new Float64()),
    Country: vectorFromArray(["United Kingdom", "Australia", "United Kingdom"], new Utf8()),
  });

test("pandas-style types and Online Retail II names normalise to the schema", () => {
  const t = normalizeTransactions(retail2(), {}, "r2.parquet");
  assert.is(t.batches.length, 1);
  assert.equal(
    t.schema.fields.map((f) => String(f.type)),
    ["Dictionary<Int32, Utf8>", "Dictionary<Int32, Utf8>", "Dictionary<Int32, Utf8>", "Int32", "Timestamp<MILLISECOND>", "Float64", "Int32", "Dictionary<Int32, Utf8>"],
  );
  const rows = t.toArray().map((r) => r.toJSON());
  assert.equal(rows[0], {
    InvoiceNo: "489434",
    StockCode: "85048",
    Description: "LED BOX",
    Quantity: 12,
    InvoiceDate: t0,
    UnitPrice: Math.fround(6.95),
    CustomerID: 13085,
    Country: "United Kingdom",
  });
  assert.equal([rows[1].Description, rows[1].CustomerID, rows[1].Quantity], [null, null, -12]);
  assert.is(rows[2].CustomerID, null, "NaN CustomerID (pandas' missing value) is null");
  assert.is(rows[2].InvoiceDate, t0 + 61_500);
});

test("the same table read back from .parquet and .arrow files", async () => {
  for (const ext of ["parquet", "arrow"]) {
    const path = join(dir, `r2.${ext}`);
    await writeTable(path, retail2());
    const { table } = await loadTransactions(path, { cacheDir: false });
    assert.is(table.numRows, 3);
    assert.is(table.getChild("InvoiceNo")?.get(1), "C489449");
    assert.is(table.getChild("CustomerID")?.nullCount, 2);
  }
});

test("multi-byte text in a plain Utf8 column survives the single-decode fast path", () => {
  const t = retail2();
  const words = ["CAFÉ £5", "日本 🎁 gift", "plain"];
  const withText = tableOf({
    ...Object.fromEntries(t.schema.fields.map((f, i) => [f.name, t.getChildAt(i) as AnyVector])),
    Description: vectorFromArray(words, new Utf8()),
  });
  const out = normalizeTransactions(withText, {}, "x.parquet");
  assert.equal(out.getChild("Description")?.toArray(), words);
});

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, UserError, String(err));
    return (err as Error).message;
  }
  assert.unreachable("expected a UserError");
  return "";
}

test("values that do not fit the schema are UserErrors naming row and column", () => {
  const base = retail2();
  const replace = (name: string, v: AnyVector) =>
    tableOf({ ...Object.fromEntries(base.schema.fields.map((f, i) => [f.name, base.getChildAt(i) as AnyVector])), [name]: v });
  assert.match(
    userError(() => normalizeTransactions(replace("Invoice", vectorFromArray(["1", null, "3"], new Utf8())), {}, "f.parquet")),
    /^f\.parquet: row 2, column Invoice: empty/,
  );
  assert.match(
    userError(() => normalizeTransactions(replace("Quantity", vectorFromArray([1, 2.5, 3], new Float64())), {}, "f.parquet")),
    /row 2, column Quantity: 2\.5 is not a whole number/,
  );
  assert.match(
    userError(() => normalizeTransactions(replace("Price", vectorFromArray(["1", "x", "3"], new Utf8())), {}, "f.parquet")),
    /row 2, column Price: cannot read "x" as a number/,
  );
  assert.match(
    userError(() => normalizeTransactions(replace("InvoiceDate", vectorFromArray([1000, 2000, 3000], new TimestampSecond("Europe/London"))), {}, "f.parquet")),
    /column InvoiceDate is a timestamp in zone Europe\/London/,
  );
  assert.match(
    userError(() => normalizeTransactions(replace("InvoiceDate", vectorFromArray(["2011-01-01 10:00", "soon", "x"], new Utf8())), {}, "f.parquet")),
    /row 2, column InvoiceDate: cannot read "soon" as a date/,
  );
  assert.match(
    userError(() => normalizeTransactions(replace("Quantity", vectorFromArray([1, 2, 3], new Int16())), { Country: "Quantity" }, "f.parquet")),
    /^f\.parquet: missing column Country \(the file has: "Invoice", /,
  );
});

test("batches with dictionaries of their own become one batch over one merged dictionary", () => {
  // One type per column, shared by both batches (a dictionary type carries its id).
  const invoiceType = new Dictionary(new Utf8(), new Int32(), 0);
  const descriptionType = new Dictionary(new Utf8(), new Int16(), 1);
  const batch = (invoices: string[], country: string) => {
    const columns: Record<string, AnyVector> = {
      InvoiceNo: vectorFromArray(invoices, invoiceType),
      StockCode: vectorFromArray(invoices.map(() => "85123A"), new Utf8()),
      Description: vectorFromArray(invoices.map((_, i) => (i === 0 ? null : "HEART")), descriptionType),
      Quantity: vectorFromArray(invoices.map((_, i) => i + 1), new Int32()),
      InvoiceDate: vectorFromArray(invoices.map((_, i) => t0 + i * 1000), new TimestampMillisecond()),
      UnitPrice: vectorFromArray(invoices.map(() => 2.55), new Float64()),
      CustomerID: vectorFromArray(invoices.map((_, i) => (i === 1 ? null : 17850 + i)), new Int32()),
      Country: vectorFromArray(invoices.map(() => country), new Utf8()),
    };
    return tableOf(columns).batches[0];
  };
  const first = batch(["536365", "C536379", "536365"], "United Kingdom");
  const second = batch(["536370", "536365"], "France");
  const out = normalizeTransactions(new Table([first, second]), {}, "two.arrow");
  assert.is(out.batches.length, 1);
  const rows = out.toArray().map((r) => r.toJSON());
  assert.equal(rows.map((r) => r.InvoiceNo), ["536365", "C536379", "536365", "536370", "536365"]);
  assert.equal(out.getChild("InvoiceNo")?.data[0].dictionary?.toArray(), ["536365", "C536379", "536370"]);
  assert.equal(rows.map((r) => r.Description), [null, "HEART", "HEART", null, "HEART"]);
  assert.equal(rows.map((r) => r.CustomerID), [17850, null, 17852, 17850, null]);
  assert.equal(rows.map((r) => r.Country), ["United Kingdom", "United Kingdom", "United Kingdom", "France", "France"]);
  assert.equal(rows.map((r) => r.InvoiceDate), [t0, t0 + 1000, t0 + 2000, t0, t0 + 1000]);
});

test("half floats are read as their values, NaN as a missing customer", () => {
  const t = normalizeTransactions(
    tableOf({
      InvoiceNo: vectorFromArray(["536365", "536366"], new Utf8()),
      StockCode: vectorFromArray(["85123A", "71053"], new Utf8()),
      Description: vectorFromArray(["HEART", "LANTERN"], new Utf8()),
      Quantity: vectorFromArray([6, -2], new Float16()),
      InvoiceDate: vectorFromArray([t0, t0 + 1000], new TimestampMillisecond()),
      UnitPrice: vectorFromArray([2.5, 0.75], new Float16()),
      CustomerID: vectorFromArray([1785, Number.NaN], new Float16()),
      Country: vectorFromArray(["United Kingdom", "France"], new Utf8()),
    }),
    {},
    "half.arrow",
  );
  assert.equal([...(t.getChild("Quantity") as Vector)], [6, -2]);
  assert.equal([...(t.getChild("UnitPrice") as Vector)], [2.5, 0.75]);
  assert.equal([...(t.getChild("CustomerID") as Vector)], [1785, null]);
});

test("a declared row count past the bound is refused before the buffers are sized by it", () => {
  const { schema } = retail2();
  assert.throws(
    () => new TransactionsNormalizer(schema, MAX_TRANSACTION_ROWS + 1, {}, "huge.parquet"),
    (err: Error) => err instanceof UserError && err.message === "huge.parquet: declares 2,147,483,648 rows; a transactions table holds at most 2,147,483,647",
  );
  assert.is(new TransactionsNormalizer(schema, 0, {}, "empty.parquet").finish().numRows, 0);
});

test.run();
