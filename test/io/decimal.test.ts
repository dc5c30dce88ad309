// Numbers written with a decimal comma (--decimal ,): "2,55" and "1.234,5", with ";" as the usual
// separator, detected from the header or given; the other convention's numbers are refused.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UserError } from "../../src/errors.js";
import { type LoadOptions, loadTransactions } from "../../src/io/load.js";
import { parseDecimal, parseInt32 } from "../../src/io/numbers.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-decimal-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"];

/** Lines of [Quantity, UnitPrice] under a header joined by `sep`. */
function csv(name: string, sep: string, lines: readonly [string, string][]): string {
  const path = join(dir, name);
  const body = lines.map(([q, p], i) => [536365 + i, "85123A", "HEART, WHITE", q, "13.01.2011 08:26", p, "17850", "France"].map((v) => (String(v).includes(sep) ? `"${v}"` : v)).join(sep));
  writeFileSync(path, `${COLUMNS.join(sep)}\n${body.join("\n")}\n`);
  return path;
}

async function numbers(path: string, opts: LoadOptions = {}): Promise<{ quantity: number[]; price: number[] }> {
  const { table } = await loadTransactions(path, { cacheDir: false, ...opts });
  return {
    quantity: Array.from(table.getChild("Quantity")!.toArray() as Int32Array),
    price: Array.from(table.getChild("UnitPrice")!.toArray() as Float64Array),
  };
}

async function failure(path: string, opts: LoadOptions = {}): Promise<UserError> {
  try {
    await loadTransactions(path, { cacheDir: false, ...opts });
  } catch (err) {
    assert.instance(err, UserError, `expected a UserError, got ${err}`);
    return err as UserError;
  }
  assert.unreachable(`${path} loaded without error`);
  throw new Error("unreachable");
}

const EUROPEAN: [string, string][] = [
  ["6", "2,55"],
  ["1.000", "1.234,5"],
  ["-2", "0,85"],
  ["3", "12"],
];

test("parseDecimal with a decimal comma: thousands dots, signs; the other convention refused", () => {
  assert.is(parseDecimal("2,55", ","), 2.55);
  assert.is(parseDecimal("1.234,5", ","), 1234.5);
  assert.is(parseDecimal("-1.234.567,25", ","), -1234567.25);
  assert.is(parseDecimal(" 12 ", ","), 12);
  assert.is(parseInt32("1.000", ","), 1000);
  for (const bad of ["1,234.5", "1.23", "1,2,3", "2.55", "1e3", "Infinity", "", ",", "12,", "1.2345,6"]) {
    assert.ok(Number.isNaN(parseDecimal(bad, ",")), `${JSON.stringify(bad)} is refused`);
  }
  assert.ok(Number.isNaN(parseDecimal("2,55")), "a decimal comma is refused by default");
  assert.ok(Number.isNaN(parseDecimal(`${"9".repeat(400)},5`, ",")), "beyond the float range");
});

test("--decimal , with ';' detected from the header: prices and quantities, commas inside text kept", async () => {
  const path = csv("semicolon.csv", ";", EUROPEAN);
  assert.equal(await numbers(path, { decimal: "," }), { quantity: [6, 1000, -2, 3], price: [2.55, 1234.5, 0.85, 12] });
  const { table } = await loadTransactions(path, { cacheDir: false, decimal: "," });
  assert.is(table.getChild("Description")!.get(0), "HEART, WHITE");
});

test("--decimal , with the delimiter given: a tab-separated .csv, and a comma-separated one with quoted numbers", async () => {
  const tabs = csv("tabs.csv", "\t", EUROPEAN);
  assert.equal((await numbers(tabs, { decimal: ",", delimiter: "\t" })).price, [2.55, 1234.5, 0.85, 12]);
  const quoted = csv("quoted.csv", ",", EUROPEAN);
  assert.equal((await numbers(quoted, { decimal: ",", delimiter: "," })).price, [2.55, 1234.5, 0.85, 12]);
});

test("with a decimal comma, 1,234.5 is an error naming the line and column", async () => {
  const path = csv("mismatch.csv", ";", [...EUROPEAN, ["1", "1,234.5"]]);
  const err = await failure(path, { decimal: "," });
  assert.match(err.message, /mismatch\.csv: line 6, column 6 \(UnitPrice\): cannot read "1,234\.5" as a number \(the decimal mark is ","; "\." only groups thousands\)/);
  assert.is(err.fields.row, 6);
  assert.is(err.fields.column, "UnitPrice");
});

test("without --decimal, a decimal comma is an error naming the line and column", async () => {
  const path = csv("default.csv", ";", EUROPEAN);
  const err = await failure(path);
  assert.match(err.message, /default\.csv: line 2, column 6 \(UnitPrice\): cannot read "2,55" as a number \(the decimal mark is "\."\)/);
  const qty = csv("qty.csv", ";", [["1,5", "2,55"]]);
  assert.match((await failure(qty, { decimal: "," })).message, /qty\.csv: line 2, column 4 \(Quantity\): cannot read "1,5" as a whole number/);
});

test("numbers stored as text in an Arrow file follow --decimal too", async () => {
  const path = join(dir, "text.arrow");
  const table = tableFromArrays({
    InvoiceNo: ["1", "2"],
    StockCode: ["A", "B"],
    Description: ["x", "y"],
    Quantity: ["3", "12"],
    InvoiceDate: ["2011-01-13 08:26", "2011-01-14 09:00"],
    UnitPrice: ["2,55", "1.234,5"],
    CustomerID: Int32Array.of(10, 11),
    Country: ["UK", "UK"],
  });
  writeFileSync(path, tableToIPC(table, "file"));
  assert.equal(await numbers(path, { decimal: "," }), { quantity: [3, 12], price: [2.55, 1234.5] });
  assert.match((await failure(path)).message, /text\.arrow: row 1, column UnitPrice: cannot read "2,55" as a number/);
});

test("bad --decimal and --delimiter values are option errors", async () => {
  const path = csv("opts.csv", ";", EUROPEAN);
  assert.is((await failure(path, { decimal: ";" as "," })).fields.option, "decimal");
  assert.is((await failure(path, { delimiter: ";;" })).fields.option, "delimiter");
  assert.is((await failure(path, { delimiter: '"' })).fields.option, "delimiter");
});

test.run();
