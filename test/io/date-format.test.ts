// Dates written as people write them: each format with and without seconds, the day/month order
// detected from every value (never guessed), and an explicit --date-format where it stays ambiguous.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableToIPC, tableFromArrays } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import XLSX from "xlsx";
import { UserError } from "../../src/errors.js";
import { DATE_FORMATS, type DateFormat, parseDateTime } from "../../src/io/datetime.js";
import { type LoadOptions, loadTransactions } from "../../src/io/load.js";
import { readXlsxTransactions } from "../../src/io/xlsx.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-dates-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

/** A CSV with one line per date. */
function csv(name: string, dates: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${HEADER}\n${dates.map((d, i) => `${536365 + i},85123A,HEART,6,${d},2.55,17850,United Kingdom`).join("\n")}\n`);
  return path;
}

async function dates(path: string, opts: LoadOptions = {}): Promise<string[]> {
  const { table } = await loadTransactions(path, { cacheDir: false, ...opts });
  return Array.from(table.getChild("InvoiceDate")!.toArray() as BigInt64Array, (ms) => new Date(Number(ms)).toISOString());
}

async function failure<T = string>(
  input: T,
  opts: LoadOptions = {},
  read: (input: T) => Promise<unknown> = (path) => loadTransactions(path as string, { cacheDir: false, ...opts }),
): Promise<UserError> {
  try {
    await read(input);
  } catch (err) {
    assert.instance(err, UserError, `expected a UserError, got ${err}`);
    return err as UserError;
  }
  assert.unreachable(`${String(input)} loaded without error`);
  throw new Error("unreachable");
}

/** 13 January 2011, 08:26 (and :07 seconds), in each format; day 13 makes every one unambiguous. */
const WRITTEN: Record<DateFormat, [string, string]> = {
  "YYYY-MM-DD": ["2011-01-13 08:26", "2011-01-13 08:26:07"],
  "M/D/YYYY": ["1/13/2011 8:26", "01/13/2011 08:26:07"],
  "D/M/YYYY": ["13/1/2011 8:26", "13/01/2011 08:26:07"],
  "D.M.YYYY": ["13.1.2011 8:26", "13.01.2011 08:26:07"],
};

test("every format, with and without seconds: detected, and read the same when named", async () => {
  for (const format of DATE_FORMATS) {
    const path = csv(`${format.replace(/\W/g, "")}.csv`, WRITTEN[format]);
    const expected = ["2011-01-13T08:26:00.000Z", "2011-01-13T08:26:07.000Z"];
    assert.equal(await dates(path), expected, `${format} detected`);
    assert.equal(await dates(path, { dateFormat: format }), expected, `${format} named`);
  }
});

test("parseDateTime refuses what its format does not say, and days that do not exist", () => {
  assert.ok(Number.isNaN(parseDateTime("13/1/2011 8:26", "M/D/YYYY")));
  assert.ok(Number.isNaN(parseDateTime("2011-01-13 08:26", "D/M/YYYY")));
  assert.ok(Number.isNaN(parseDateTime("13.1.2011 8:26", "D/M/YYYY")));
  assert.ok(Number.isNaN(parseDateTime("31/4/2011 8:26", "D/M/YYYY")));
  assert.ok(Number.isNaN(parseDateTime("29.2.2011 8:26", "D.M.YYYY")));
  assert.ok(Number.isNaN(parseDateTime("13/1/2011", "D/M/YYYY")), "a time is required");
  assert.is(parseDateTime("29.2.2012 23:59:59", "D.M.YYYY"), Date.UTC(2012, 1, 29, 23, 59, 59));
});

test("day first: one day above 12 anywhere in the file decides, however late it comes", async () => {
  const early = Array.from({ length: 500 }, (_, i) => `0${1 + (i % 9)}/12/2010 08:26`);
  const path = csv("dayfirst.csv", [...early, "13/12/2010 09:00"]);
  const read = await dates(path);
  assert.is(read[0], "2010-12-01T08:26:00.000Z");
  assert.is(read[500], "2010-12-13T09:00:00.000Z");
});

test("month first: the UCI export's M/D/YYYY H:MM, decided by 12/13/2010", async () => {
  const path = csv("monthfirst.csv", ["12/1/2010 8:26", "12/9/2010 10:00", "12/13/2010 9:01"]);
  assert.equal(await dates(path), ["2010-12-01T08:26:00.000Z", "2010-12-09T10:00:00.000Z", "2010-12-13T09:01:00.000Z"]);
});

test("ambiguous: a few rows in December's first 12 days are refused, naming the file, a value and the option", async () => {
  const path = csv("ambiguous.csv", ["12/1/2010 8:26", "12/5/2010 9:00", "12/12/2010 17:30"]);
  const err = await failure(path);
  assert.match(err.message, /ambiguous\.csv: dates are ambiguous: both D\/M\/YYYY and M\/D\/YYYY fit every row \(e\.g\. "12\/1\/2010 8:26"\)/);
  assert.is(err.fields.option, "dateFormat");
  assert.equal(await dates(path, { dateFormat: "M/D/YYYY" }), ["2010-12-01T08:26:00.000Z", "2010-12-05T09:00:00.000Z", "2010-12-12T17:30:00.000Z"]);
  assert.equal(await dates(path, { dateFormat: "D/M/YYYY" }), ["2010-01-12T08:26:00.000Z", "2010-05-12T09:00:00.000Z", "2010-12-12T17:30:00.000Z"]);
});

test("days equal to their months read the same both ways: no ambiguity to refuse", async () => {
  assert.equal(await dates(csv("same.csv", ["1/1/2011 8:00", "2/2/2011 9:00"])), ["2011-01-01T08:00:00.000Z", "2011-02-02T09:00:00.000Z"]);
});

test("day-first and month-first rows in one file: the row that breaks the order is named", async () => {
  const err = await failure(csv("mixed.csv", ["13/1/2011 8:26", "2/2/2011 9:00", "1/14/2011 10:00"]));
  assert.match(err.message, /mixed\.csv: line 4, column 5 \(InvoiceDate\): "1\/14\/2011 10:00" reads only as M\/D\/YYYY, but an earlier date only as D\/M\/YYYY/);
  assert.is(err.fields.option, "dateFormat");
});

test("an unreadable date names the file, line, column and value (cut to an excerpt)", async () => {
  const err = await failure(csv("bad.csv", ["2011-01-13 08:26", "2011-01-13 08:26", "yesterday"]));
  assert.match(err.message, /bad\.csv: line 4, column 5 \(InvoiceDate\): cannot read "yesterday" as a date \(expected YYYY-MM-DD, M\/D\/YYYY, D\/M\/YYYY or D\.M\.YYYY/);
  const long = await failure(csv("long.csv", [`1/1/2011 ${"9".repeat(500)}`]));
  assert.match(long.message, /line 2, column 5 \(InvoiceDate\): cannot read "1\/1\/2011 9+"… \(509 characters\)/);
  assert.ok(long.message.length < 300);
});

test("a named format refuses other forms, naming line and column, and says how the value reads", async () => {
  const err = await failure(csv("named.csv", ["13/01/2011 08:26", "2011-01-14 09:00"]), { dateFormat: "D/M/YYYY" });
  assert.match(err.message, /named\.csv: line 3, column 5 \(InvoiceDate\): cannot read "2011-01-14 09:00" as a date in the format D\/M\/YYYY .*it reads as YYYY-MM-DD/);
  const wrong = await failure(csv("wrong.csv", ["13/01/2011 08:26"]), { dateFormat: "M/D/YYYY" });
  assert.match(wrong.message, /line 2, column 5 \(InvoiceDate\): cannot read "13\/01\/2011 08:26" as a date in the format M\/D\/YYYY/);
});

test("an unknown --date-format value is an option error", async () => {
  const err = await failure(csv("opt.csv", ["2011-01-13 08:26"]), { dateFormat: "DD-MM-YY" as DateFormat });
  assert.is(err.fields.option, "dateFormat");
  assert.match(err.message, /must be one of auto, YYYY-MM-DD, M\/D\/YYYY, D\/M\/YYYY, D\.M\.YYYY/);
});

test("dates stored as text in Arrow (and Parquet) columns follow the same rules", async () => {
  const columns = (InvoiceDate: string[]) =>
    tableFromArrays({
      InvoiceNo: ["1", "2", "3"],
      StockCode: ["A", "B", "C"],
      Description: ["x", "y", "z"],
      Quantity: Int32Array.of(1, 2, 3),
      InvoiceDate,
      UnitPrice: Float64Array.of(1, 2, 3),
      CustomerID: Int32Array.of(10, 11, 12),
      Country: ["UK", "UK", "UK"],
    });
  const ambiguous = join(dir, "ambiguous.arrow");
  writeFileSync(ambiguous, tableToIPC(columns(["1/2/2011 10:00", "3/4/2011 11:00", "5/6/2011 12:00"]), "file"));
  const err = await failure(ambiguous);
  assert.match(err.message, /ambiguous\.arrow: dates are ambiguous: both D\/M\/YYYY and M\/D\/YYYY fit every row \(e\.g\. "1\/2\/2011 10:00"\)/);
  assert.equal(await dates(ambiguous, { dateFormat: "D/M/YYYY" }), ["2011-02-01T10:00:00.000Z", "2011-04-03T11:00:00.000Z", "2011-06-05T12:00:00.000Z"]);
  const decided = join(dir, "decided.arrow");
  writeFileSync(decided, tableToIPC(columns(["1.2.2011 10:00", "3/4/2011 11:00", "25/6/2011 12:00"]), "file"));
  assert.equal(await dates(decided), ["2011-02-01T10:00:00.000Z", "2011-04-03T11:00:00.000Z", "2011-06-25T12:00:00.000Z"]);
  const bad = join(dir, "bad.arrow");
  writeFileSync(bad, tableToIPC(columns(["1.2.2011 10:00", "soon", "25/6/2011 12:00"]), "file"));
  assert.match((await failure(bad)).message, /bad\.arrow: row 2, column InvoiceDate: cannot read "soon" as a date/);
});

test("a workbook: Excel's own dates need no format; dates typed as text are detected, named cell by cell", async () => {
  const book = (dates: unknown[]) => {
    const wb = XLSX.utils.book_new();
    const rows = dates.map((d, i) => [536365 + i, "A", "B", 1, d, 1, 17850, "UK"]);
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([HEADER.split(","), ...rows]), "Online Retail");
    return XLSX.write(wb, { type: "buffer", bookType: "xlsx" }) as Uint8Array;
  };
  const read = async (bytes: Uint8Array, dateFormat?: DateFormat) => {
    const table = await readXlsxTransactions(bytes, "w.xlsx", { format: { dateFormat } });
    return Array.from(table.getChild("InvoiceDate")!.toArray() as BigInt64Array, (ms) => new Date(Number(ms)).toISOString());
  };
  // 40513.35138888889 is 2010-12-01 08:26, whatever --date-format says.
  const ambiguous = book([40513.35138888889, "12/1/2010 9:00", "12/2/2010 10:00"]);
  const err = await failure(ambiguous, {}, (b) => readXlsxTransactions(b, "w.xlsx"));
  assert.match(err.message, /w\.xlsx: sheet "Online Retail": dates are ambiguous: both D\/M\/YYYY and M\/D\/YYYY fit every row/);
  assert.equal(await read(ambiguous, "D/M/YYYY"), ["2010-12-01T08:26:00.000Z", "2010-01-12T09:00:00.000Z", "2010-02-12T10:00:00.000Z"]);
  const decided = book([40513.35138888889, "12/1/2010 9:00", "13/2/2010 10:00"]);
  assert.equal(await read(decided), ["2010-12-01T08:26:00.000Z", "2010-01-12T09:00:00.000Z", "2010-02-13T10:00:00.000Z"]);
  const wrong = await failure(book([40513, "12/1/2010 9:00", "12/13/2010 10:00", "13/12/2010 11:00"]), {}, (b) => readXlsxTransactions(b, "w.xlsx"));
  assert.match(wrong.message, /w\.xlsx: sheet "Online Retail", cell E5 \(InvoiceDate\): "13\/12\/2010 11:00" reads only as D\/M\/YYYY/);
});

test.run();
