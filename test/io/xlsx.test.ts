import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Vector } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import XLSX from "xlsx";
import { UserError } from "../../src/errors.js";
import { loadTransactions } from "../../src/io/load.js";
import { type XlsxOptions, readXlsxTransactions } from "../../src/io/xlsx.js";
import { sheetSlices, UncutSheet } from "../../src/io/xlsx-slices.js";
import { FIRST_UCI_ROW, rowsOf } from "../helpers/fixtures.js";
import { sharedFile, skipped } from "../helpers/shared.js";
import { zipOf } from "../helpers/zip.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-xlsx-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"];

/** A workbook as the UCI file has it: numbers where all digits, Excel serial dates, empty cells for nulls. */
function workbook(rows: unknown[][]): Uint8Array {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), "Online Retail");
  return XLSX.write(wb, { type: "buffer", bookType: "xlsx" });
}

const SMALL = workbook([
  HEADER,
  [536365, "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 6, 40513.35138888889, 2.55, 17850, "United Kingdom"],
  ["C536379", "D", "Discount", -1, 40513.40347222222, 27.5, 14527, "United Kingdom"],
  [536414, 22139, null, 56, 40513.47361111111, 0, null, "United Kingdom"],
  [],
  [536544, 21773, "DECORATIVE ROSE BATHROOM BOTTLE", 1, 40514.5, 2.51, null, "EIRE"],
]);

async function userFailure(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    assert.instance(err, UserError, `expected a UserError, got ${(err as Error).stack}`);
    return (err as Error).message;
  }
  assert.unreachable("expected a failure");
  return "";
}


test("a small workbook: numeric codes become text, serial dates become wall-clock ms, empty cells null", async () => {
  const t = await readXlsxTransactions(SMALL, "small.xlsx");
  assert.is(t.numRows, 4);
  assert.is(t.batches.length, 1);
  const r = rowsOf(t);
  assert.equal(r[0], { ...FIRST_UCI_ROW, Description: "WHITE HANGING HEART T-LIGHT HOLDER" });
  assert.is(r[1].InvoiceNo, "C536379");
  assert.is(r[1].InvoiceDate, Date.UTC(2010, 11, 1, 9, 41));
  assert.equal([r[2].StockCode, r[2].Description, r[2].CustomerID], ["22139", null, null]);
  assert.is(r[2].InvoiceDate, Date.UTC(2010, 11, 1, 11, 22));
  assert.is(r[3].InvoiceDate, Date.UTC(2010, 11, 2, 12, 0));
});

test("the result does not depend on the machine's time zone", async () => {
  const before = process.env.TZ;
  process.env.TZ = "America/New_York";
  try {
    const t = await readXlsxTransactions(SMALL, "small.xlsx");
    assert.is(rowsOf(t)[0].InvoiceDate, Date.UTC(2010, 11, 1, 8, 26));
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});

test("a zip with a single .xlsx entry of another name is read; a zip without one lists its entries", async () => {
  const one = join(dir, "one.zip");
  writeFileSync(one, zipOf({ "export/retail.xlsx": SMALL, "readme.txt": new TextEncoder().encode("hi") }));
  assert.is((await loadTransactions(one, { cacheDir: false })).table.numRows, 4);

  const none = join(dir, "none.zip");
  writeFileSync(none, zipOf({ "readme.txt": new TextEncoder().encode("hi"), "data.csv": new TextEncoder().encode("a,b") }));
  const msg = await userFailure(() => loadTransactions(none, { cacheDir: false }));
  assert.match(msg, /none\.zip: no "Online Retail\.xlsx" entry \(the zip holds: .*"readme\.txt".*\)/);
  assert.match(msg, /"data\.csv"/);

  const notZip = join(dir, "plain.zip");
  writeFileSync(notZip, "just text");
  assert.match(await userFailure(() => loadTransactions(notZip, { cacheDir: false })), /plain\.zip: not a zip archive/);
});

test("damaged, non-workbook and password-protected files are UserErrors naming the file", async () => {
  const corrupt = new Uint8Array(600).fill(7);
  corrupt.set([0x50, 0x4b, 0x03, 0x04]);
  assert.match(await userFailure(() => readXlsxTransactions(corrupt, "corrupt.xlsx")), /^corrupt\.xlsx: damaged or unsupported workbook/);

  const truncated = SMALL.subarray(0, SMALL.length >> 1);
  assert.match(await userFailure(() => readXlsxTransactions(truncated, "half.xlsx")), /^half\.xlsx: /);

  const text = new TextEncoder().encode("InvoiceNo,StockCode\n1,2\n");
  assert.match(await userFailure(() => readXlsxTransactions(text, "text.xlsx")), /^text\.xlsx: not an \.xlsx workbook/);
  assert.match(await userFailure(() => readXlsxTransactions(new Uint8Array(0), "empty.xlsx")), /the file is empty/);

  // An encrypted OOXML workbook is an OLE compound file with EncryptionInfo / EncryptedPackage streams.
  const cfb = XLSX.CFB.utils.cfb_new();
  XLSX.CFB.utils.cfb_add(cfb, "/EncryptionInfo", new Uint8Array([4, 0, 4, 0, 0x40, 0, 0, 0, 1, 2, 3, 4]));
  XLSX.CFB.utils.cfb_add(cfb, "/EncryptedPackage", new Uint8Array(5000).fill(9));
  const encrypted = XLSX.CFB.write(cfb, { type: "buffer" });
  assert.match(await userFailure(() => readXlsxTransactions(encrypted, "locked.xlsx")), /^locked\.xlsx: the workbook is password-protected/);

  const magicOnly = new Uint8Array(600).fill(7);
  magicOnly.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  assert.match(await userFailure(() => readXlsxTransactions(magicOnly, "ole.xlsx")), /^ole\.xlsx: damaged or unsupported workbook/);
});

test("bad cells name the sheet, cell and column; a missing column lists the header", async () => {
  const badDate = workbook([HEADER, [1, "A", "B", 1, "yesterday", 1, 1, "UK"]]);
  assert.match(
    await userFailure(() => readXlsxTransactions(badDate, "d.xlsx")),
    /^d\.xlsx: sheet "Online Retail", cell E2 \(InvoiceDate\): cannot read "yesterday" as a date/,
  );
  const badQty = workbook([HEADER, [1, "A", "B", 1, 40513, 1, 1, "UK"], [1, "A", "B", 1.5, 40513, 1, 1, "UK"]]);
  assert.match(await userFailure(() => readXlsxTransactions(badQty, "q.xlsx")), /cell D3 \(Quantity\): 1\.5 is not a whole number/);
  const noCountry = workbook([HEADER.slice(0, 7), [1, "A", "B", 1, 40513, 1, 1]]);
  assert.match(await userFailure(() => readXlsxTransactions(noCountry, "c.xlsx")), /missing column Country \(the file has: "InvoiceNo"/);
  const headerOnly = workbook([HEADER]);
  assert.match(await userFailure(() => readXlsxTransactions(headerOnly, "h.xlsx")), /has a header row but no data rows/);
});

test("the time and memory limits turn into UserErrors", async () => {
  const slow: XlsxOptions = { timeoutMs: 1 };
  assert.match(await userFailure(() => readXlsxTransactions(SMALL, "t.xlsx", slow)), /^t\.xlsx: reading the workbook took longer than 0\.001 s/);
  const tiny: XlsxOptions = { maxMemoryMb: 2 };
  assert.match(await userFailure(() => readXlsxTransactions(SMALL, "m.xlsx", tiny)), /^m\.xlsx: reading the workbook needed more than 2 MB of memory/);
});

/** A workbook of `count` data rows with blank rows, empty cells, text and numeric codes throughout. */
function manyRows(count: number, date: (i: number) => unknown = (i) => 40513 + i / 97): unknown[][] {
  const rows: unknown[][] = [HEADER];
  for (let i = 0; i < count; i++) {
    if (i % 701 === 0) rows.push([]);
    rows.push([536365 + (i >> 2), i % 3 ? `${20000 + (i % 97)}` : `${85000 + i}A`, i % 5 ? `ITEM ${i % 211}` : null, (i % 13) - 2, date(i), (i % 17) / 4, i % 4 ? 12000 + (i % 300) : null, i % 9 ? "United Kingdom" : "EIRE"]);
  }
  return rows;
}

const WHOLE: XlsxOptions = { sliceBytes: Number.POSITIVE_INFINITY };
const SLICED: XlsxOptions[] = [1, 2, 3].map((workers) => ({ sliceBytes: 4096, workers }));

test("a sheet parsed in slices of rows, by one worker or several, gives the table of a whole parse", async () => {
  const rows = manyRows(3000);
  const book = workbook(rows);
  const whole = await readXlsxTransactions(book, "whole.xlsx", WHOLE);
  assert.is(whole.numRows, 3000);
  for (const opts of SLICED) {
    const sliced = await readXlsxTransactions(book, "sliced.xlsx", opts);
    assert.equal(rowsOf(sliced), rowsOf(whole), `${opts.workers} workers`);
    // Dictionaries in order of first appearance, as one pass over the sheet builds them.
    for (const name of ["InvoiceNo", "StockCode", "Description", "Country"]) {
      assert.equal(sliced.getChild(name)!.data[0]!.dictionary!.toArray(), whole.getChild(name)!.data[0]!.dictionary!.toArray(), name);
    }
  }
  // A bad cell past the first slice is named by its place in the sheet, as a whole parse names it.
  rows[2500]![3] = 1.5;
  const message = /sheet "Online Retail", cell D2501 \(Quantity\): 1\.5 is not a whole number/;
  assert.match(await userFailure(() => readXlsxTransactions(workbook(rows), "w.xlsx", WHOLE)), message);
  // Another bad cell further on, in a slice that may be parsed first: the first in the sheet is named.
  rows[2950]![5] = "lots";
  for (const opts of SLICED) assert.match(await userFailure(() => readXlsxTransactions(workbook(rows), "s.xlsx", opts)), message);
});

test("a sheet whose rows are out of order past its first slices is parsed whole, to the same table", async () => {
  const book = workbook(manyRows(3000));
  const cfb = XLSX.CFB.read(book, { type: "buffer" });
  const parts: Record<string, Uint8Array> = {};
  cfb.FullPaths.forEach((path: string, i: number) => {
    const entry = cfb.FileIndex[i]!;
    if (entry.type === 2 && entry.content) parts[path.replace(/^Root Entry\//, "")] = entry.content as Uint8Array;
  });
  const sheet = Buffer.from(parts["xl/worksheets/sheet1.xml"]!).toString("latin1");
  // A row near the end moved a hundred rows on, into another slice: each cell keeps its reference,
  // so a whole parse places it as before.
  const rows = sheet.match(/<row [^>]*>.*?<\/row>/g)!;
  const swapped = sheet.replace(rows[2800]!, "").replace(rows[2900]!, rows[2900]! + rows[2800]!);
  assert.is.not(swapped, sheet);
  parts["xl/worksheets/sheet1.xml"] = Buffer.from(swapped, "latin1");
  const disordered = zipOf(parts);
  assert.throws(() => [...sheetSlices(Buffer.from(swapped, "latin1"), 4096)!.slices()], (err: Error) => err instanceof UncutSheet);
  const whole = rowsOf(await readXlsxTransactions(book, "whole.xlsx", WHOLE));
  assert.equal(rowsOf(await readXlsxTransactions(disordered, "d.xlsx", WHOLE)), whole);
  for (const opts of SLICED) assert.equal(rowsOf(await readXlsxTransactions(disordered, "d.xlsx", opts)), whole, `${opts.workers} workers`);
});

test("dates written as text are read over the whole column, across slices", async () => {
  // Day-first shows only in days past the 12th: the column is read in the one order every value fits.
  const text = (i: number) => `${1 + (i % 28)}/${1 + ((i >> 5) % 12)}/2011 ${8 + (i % 10)}:${String(i % 60).padStart(2, "0")}`;
  const rows = manyRows(2000, text);
  const book = workbook(rows);
  const whole = await readXlsxTransactions(book, "whole.xlsx", WHOLE);
  for (const opts of SLICED) assert.equal(rowsOf(await readXlsxTransactions(book, "sliced.xlsx", opts)), rowsOf(whole));
  assert.is(rowsOf(whole)[12]!.InvoiceDate, Date.UTC(2011, 0, 13, 10, 12));
  // A date no format reads, past the first slice, is named by its cell.
  rows[1800]![4] = "someday";
  for (const opts of [WHOLE, ...SLICED]) {
    assert.match(await userFailure(() => readXlsxTransactions(workbook(rows), "d.xlsx", opts)), /sheet "Online Retail", cell E1801 \(InvoiceDate\): cannot read "someday" as a date/);
  }
});

test("sheetSlices cuts after whole rows that carry increasing numbers, and only then", () => {
  const latin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
  // Cells' style attributes and the references the parser's own count gives are dropped; text keeps its own.
  const text = '<c r="B7" t="inlineStr"><is><t>a s="2" b</t></is></c>';
  const row = (i: number, style: string) => `<row r="${i + 1}"><c r="A${i + 1}"${style}><v>${i}</v></c>${i === 6 ? text : ""}</row>`;
  const styled = Array.from({ length: 40 }, (_, i) => row(i, i % 2 ? ' s="12"' : "")).join("");
  const xml = `<worksheet><dimension ref="A1:A40"/><sheetData>${styled}</sheetData><pageMargins/></worksheet>`;
  const cut = sheetSlices(latin1(xml), 200);
  assert.ok(cut);
  const slices = [...cut.slices()];
  assert.is(slices.length, cut.count);
  assert.ok(slices.length > 2, `${slices.length} slices`);
  const bodies = slices.map(({ xml: b }) => {
    const s = b.toString("latin1");
    assert.ok(s.startsWith('<worksheet><dimension ref="A1:A40"/><sheetData>') && s.endsWith("</sheetData><pageMargins/></worksheet>"), s);
    return s.slice(s.indexOf("<sheetData>") + 11, s.indexOf("</sheetData>"));
  });
  // The header row alone first, so that the other slices can be shared out once it is read.
  assert.is(bodies[0], "<row><c><v>0</v></c></row>");
  bodies.forEach((b, k) => {
    // Each slice's first row keeps its number (the parser's count starts again), the others follow it.
    if (k > 0) assert.match(b, /^<row r="\d+"><c><v>\d+<\/v><\/c>/);
    for (const later of b.split("</row>").slice(1, -1)) assert.match(later, /^<row><c><v>\d+<\/v><\/c>/);
    assert.is(slices[k]!.firstRow, k === 0 ? 0 : Number(/^<row r="(\d+)"/.exec(b)![1]) - 1);
  });
  const joined = bodies.join("");
  assert.match(joined, /<row( r="7")?><c><v>6<\/v><\/c><c t="inlineStr"><is><t>a s="2" b<\/t><\/is><\/c><\/row>/);
  assert.not.ok(joined.includes(' s="12"'));
  // Rows without numbers would be renumbered in every slice, rows out of order would land in the
  // wrong slice's place: such sheets are not cut, or stop being cut at the first such row.
  assert.is(sheetSlices(latin1(xml.replace(/<row r="\d+">/g, "<row>")), 200), undefined);
  const disordered = sheetSlices(latin1(xml.replace('<row r="30">', '<row r="3">')), 200);
  assert.throws(() => [...disordered!.slices()], (err: Error) => err instanceof UncutSheet);
  assert.is(sheetSlices(latin1("<worksheet><x:sheetData></x:sheetData></worksheet>"), 200), undefined);
});

test("sheetSlices shares the rows after the header out in a multiple of the workers' number of slices of about one size", () => {
  const rows = Array.from({ length: 1000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i % 10}</v></c></row>`);
  const xml = new Uint8Array(Buffer.from(`<worksheet><sheetData>${rows.join("")}</sheetData></worksheet>`, "latin1"));
  // The rows after the header need this many slices of at most 10 kB.
  const least = Math.ceil(rows.slice(1).join("").length / 10_000);
  assert.is(least, 5);
  for (const workers of [1, 2, 3]) {
    const cut = sheetSlices(xml, 10_000, workers)!;
    const sizes = [...cut.slices()].slice(1).map((s) => s.xml.length);
    assert.is(sizes.length, Math.ceil(least / workers) * workers, `${workers} workers`);
    assert.ok(Math.max(...sizes) < 1.05 * Math.min(...sizes), `${workers} workers: ${sizes}`);
  }
});

const zipPath = sharedFile("data/online_retail.zip", "xlsx reader on the real UCI zip");
const parquetPath = sharedFile("data/online_retail.parquet", "xlsx reader compared with the parquet reader");

test("the real UCI zip gives the same table as the real parquet, column by column", async () => {
  if (!zipPath || !parquetPath) return skipped();
  const fromZip = (await loadTransactions(zipPath, { cacheDir: false })).table;
  const fromParquet = (await loadTransactions(parquetPath, { cacheDir: false })).table;
  assert.is(fromZip.numRows, fromParquet.numRows);
  assert.is(fromZip.batches.length, 1);
  assert.is(String(fromZip.schema), String(fromParquet.schema));
  for (const field of fromParquet.schema.fields) {
    const a = fromZip.getChild(field.name) as Vector;
    const b = fromParquet.getChild(field.name) as Vector;
    assert.is(a.nullCount, b.nullCount, `${field.name} null count`);
    const da = a.data[0];
    const db = b.data[0];
    if (da.dictionary && db.dictionary) {
      // Both readers intern in first-appearance order, so dictionaries and indices agree exactly.
      assert.equal(da.dictionary.toArray(), db.dictionary.toArray(), `${field.name} dictionary`);
    }
    let diffs = 0;
    for (let i = 0; i < a.length; i++) if (a.get(i) !== b.get(i)) diffs++;
    assert.is(diffs, 0, `${field.name}: ${diffs} rows differ`);
  }
  assert.ok(readFileSync(zipPath).length > 0);
});

test.run();
