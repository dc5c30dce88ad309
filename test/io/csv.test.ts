import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Table } from "apache-arrow";
import iconv from "iconv-lite";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UserError } from "../../src/errors.js";
import { parseColumnMap } from "../../src/io/columns.js";
import { type LoadOptions, loadTransactions } from "../../src/io/load.js";
import { FIRST_UCI_ROW, rowsOf } from "../helpers/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-csv-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

function fixture(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function load(path: string, opts: LoadOptions = {}): Promise<Table> {
  return (await loadTransactions(path, { cacheDir: false, ...opts })).table;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The UserError message a load fails with. */
async function failure(path: string, opts: LoadOptions = {}): Promise<string> {
  try {
    await load(path, opts);
  } catch (err) {
    assert.instance(err, UserError, `expected a UserError, got ${err}`);
    return (err as Error).message;
  }
  assert.unreachable(`${path} loaded without error`);
  return "";
}

test("UTF-8 with BOM: both date forms, quoted commas, quotes and line breaks, nulls", async () => {
  const path = fixture(
    "basic.csv",
    `\uFEFF${HEADER}\r\n` +
      `536365,85123A,"HEART, WHITE",6,2010-12-01 08:26:00,2.55,17850,United Kingdom\r\n` +
      `C536379,D,"12"" ""RULER""",-1,12/1/2010 9:41,27.5,14527.0,United Kingdom\r\n` +
      `536380,22139,"TWO\nLINES",3,2011-01-02 10:05,0.85,,France\r\n` +
      `536381,POST,,1,1/13/2011 17:00,18,12583,EIRE\r\n\r\n`,
  );
  const t = await load(path);
  assert.is(t.numRows, 4);
  assert.is(t.batches.length, 1);
  const r = rowsOf(t);
  assert.equal(r[0], { ...FIRST_UCI_ROW, Description: "HEART, WHITE" });
  assert.is(r[1].InvoiceNo, "C536379");
  assert.is(r[1].Description, '12" "RULER"');
  assert.is(r[1].Quantity, -1);
  assert.is(iso(r[1].InvoiceDate), "2010-12-01T09:41:00.000Z");
  assert.is(r[1].CustomerID, 14527);
  assert.is(r[2].Description, "TWO\nLINES");
  assert.is(r[2].CustomerID, null);
  assert.is(iso(r[2].InvoiceDate), "2011-01-02T10:05:00.000Z");
  assert.is(r[3].Description, null);
  assert.is(iso(r[3].InvoiceDate), "2011-01-13T17:00:00.000Z");
  assert.is(t.getChild("Description")?.nullCount, 1);
  assert.is(t.getChild("CustomerID")?.nullCount, 1);
  assert.equal(t.getChild("Country")?.data[0].dictionary?.toArray(), ["United Kingdom", "France", "EIRE"]);
});

const LATIN = `${HEADER}\n1,A,CAFÉ £5 SET,2,2011-05-06 07:08:09,1.5,1,Sweden\n`;

test("Windows-1252 is detected (invalid UTF-8) and decoded: £ and É survive", async () => {
  const path = fixture("latin.csv", iconv.encode(LATIN, "windows-1252"));
  assert.is(rowsOf(await load(path))[0].Description, "CAFÉ £5 SET");
  assert.is(iso(rowsOf(await load(path))[0].InvoiceDate), "2011-05-06T07:08:09.000Z");
});

test("an explicit encoding is used as given; UTF-8 text read as UTF-8 by detection", async () => {
  const latin = fixture("latin-explicit.csv", iconv.encode(LATIN, "latin1"));
  assert.is(rowsOf(await load(latin, { encoding: "latin1" }))[0].Description, "CAFÉ £5 SET");
  const utf8 = fixture("utf8.csv", LATIN);
  assert.is(rowsOf(await load(utf8))[0].Description, "CAFÉ £5 SET");
  // Read with the wrong encoding, the UTF-8 bytes of É become two characters.
  assert.is(rowsOf(await load(utf8, { encoding: "windows-1252" }))[0].Description, "CAFÃ‰ Â£5 SET");
});

test("dates are wall-clock times whatever the machine's time zone", async () => {
  const path = fixture("tz.csv", `${HEADER}\n1,A,B,1,2011-03-27 01:30:00,1,1,UK\n2,A,B,1,3/13/2011 2:30,1,1,US\n`);
  const before = process.env.TZ;
  process.env.TZ = "America/New_York";
  try {
    const r = rowsOf(await load(path));
    assert.equal([iso(r[0].InvoiceDate), iso(r[1].InvoiceDate)], ["2011-03-27T01:30:00.000Z", "2011-03-13T02:30:00.000Z"]);
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});

test("an unknown encoding is a UserError naming it", async () => {
  const path = fixture("enc.csv", LATIN);
  assert.match(await failure(path, { encoding: "klingon-8" }), /unknown text encoding "klingon-8"/);
});

test("Online Retail II column names map onto the schema", async () => {
  const path = fixture(
    "retail2.csv",
    "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n489434,85048,LED BOX,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n",
  );
  const [r] = rowsOf(await load(path));
  assert.equal([r.InvoiceNo, r.UnitPrice, r.CustomerID], ["489434", 6.95, 13085]);
});

test("--map renames arbitrary columns; extra columns are ignored", async () => {
  const path = fixture(
    "mapped.csv",
    "Bon;Artikel;Text;Menge;Zeit;Preis;Kunde;Land;Filiale\nB1;X9;Kerze;4;2011-03-04 05:06;1.25;77;Germany;Köln\n",
  );
  const map = parseColumnMap("Bon=InvoiceNo, Artikel=StockCode,Text=Description,Menge=Quantity,Zeit=InvoiceDate,Preis=UnitPrice,Kunde=CustomerID,Land=Country");
  const [r] = rowsOf(await load(path, { map }));
  assert.equal(r, {
    InvoiceNo: "B1",
    StockCode: "X9",
    Description: "Kerze",
    Quantity: 4,
    InvoiceDate: Date.UTC(2011, 2, 4, 5, 6),
    UnitPrice: 1.25,
    CustomerID: 77,
    Country: "Germany",
  });
});

test("parseColumnMap rejects malformed pairs and unknown targets", () => {
  assert.equal(parseColumnMap(""), {});
  assert.equal(parseColumnMap("Invoice=InvoiceNo"), { Invoice: "InvoiceNo" });
  assert.throws(() => parseColumnMap("Invoice"), (e: Error) => e instanceof UserError && /not SOURCE=TARGET/.test(e.message));
  assert.throws(() => parseColumnMap("A=Nope"), (e: Error) => e instanceof UserError && /"Nope" is not a transactions column/.test(e.message));
});

test("TSV files use tabs", async () => {
  const path = fixture("tab.tsv", `${HEADER.replaceAll(",", "\t")}\n1\tA\tMUG, BLUE\t2\t2011-05-06 07:08\t1\t5\tSpain\n`);
  assert.is(rowsOf(await load(path))[0].Description, "MUG, BLUE");
});

test("a missing column names it and lists the file's columns", async () => {
  const path = fixture("missing.csv", "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID,Country\n1,A,B,1,2011-01-01 00:00,1,UK\n");
  const msg = await failure(path);
  assert.match(msg, /missing column UnitPrice/);
  assert.match(msg, /"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "CustomerID", "Country"/);
  assert.ok(msg.startsWith(path));
});

test("--map naming a column the file lacks is a UserError", async () => {
  const path = fixture("nomap.csv", `${HEADER}\n1,A,B,1,2011-01-01 00:00,1,1,UK\n`);
  assert.match(await failure(path, { map: { Rechnung: "InvoiceNo" } }), /the column map names column "Rechnung", which the file does not have/);
});

test("a bad date names the file, line and column (lines counted through quoted line breaks)", async () => {
  const path = fixture(
    "baddate.csv",
    `${HEADER}\n1,A,"MULTI\nLINE",1,2011-01-01 00:00,1,1,UK\n2,B,C,1,2011-13-01 00:00,1,1,UK\n`,
  );
  const msg = await failure(path);
  assert.match(msg, /baddate\.csv: line 4, column 5 \(InvoiceDate\): cannot read "2011-13-01 00:00" as a date/);
});

test("bad numbers name the file, line and column", async () => {
  const q = fixture("badqty.csv", `${HEADER}\n1,A,B,1,2011-01-01 00:00,1,1,UK\n1,A,B,two,2011-01-01 00:00,1,1,UK\n`);
  assert.match(await failure(q), /badqty\.csv: line 3, column 4 \(Quantity\): cannot read "two" as a whole number/);
  const p = fixture("badprice.csv", `${HEADER}\n1,A,B,1,2011-01-01 00:00,0x10,1,UK\n`);
  assert.match(await failure(p), /badprice\.csv: line 2, column 6 \(UnitPrice\): cannot read "0x10" as a number/);
  const c = fixture("badcust.csv", `${HEADER}\n1,A,B,1,2011-01-01 00:00,1,12.5,UK\n`);
  assert.match(await failure(c), /badcust\.csv: line 2, column 7 \(CustomerID\)/);
  const e = fixture("emptyqty.csv", `${HEADER}\n1,A,B,,2011-01-01 00:00,1,1,UK\n`);
  assert.match(await failure(e), /line 2, column 4 \(Quantity\): empty/);
});

test("numbers beyond the float range (1e400) are refused at parse time, naming line and column", async () => {
  const p = fixture("hugeprice.csv", `${HEADER}\n1,A,B,1,2011-01-01 00:00,2.5,1,UK\n1,A,B,1,2011-01-01 00:00,1e400,1,UK\n`);
  assert.match(await failure(p), /hugeprice\.csv: line 3, column 6 \(UnitPrice\): cannot read "1e400" as a number/);
  const q = fixture("hugeqty.csv", `${HEADER}\n1,A,B,-1e999,2011-01-01 00:00,1,1,UK\n`);
  assert.match(await failure(q), /hugeqty\.csv: line 2, column 4 \(Quantity\): cannot read "-1e999" as a whole number/);
});

test("structural errors: empty file, header only, wrong field count, unclosed quote", async () => {
  assert.match(await failure(fixture("empty.csv", "")), /empty\.csv: the file is empty/);
  assert.match(await failure(fixture("blank.csv", "\n\n")), /the file is empty/);
  assert.match(await failure(fixture("header.csv", `${HEADER}\n`)), /header\.csv: has a header line but no data rows/);
  assert.match(await failure(fixture("short.csv", `${HEADER}\n1,A,B,1\n`)), /short\.csv: line 2: expected 8 fields as in the header, found 4/);
  assert.match(await failure(fixture("quote.csv", `${HEADER}\n1,A,"OPEN,1,2011-01-01 00:00,1,1,UK\n`)), /quote\.csv: line 2: a quoted field is never closed/);
});

test("unsupported extensions and missing files are UserErrors", async () => {
  assert.match(await failure(fixture("data.json", "{}")), /unsupported file type "\.json"/);
  assert.match(await failure(join(dir, "absent.csv")), /absent\.csv: no such file/);
});

test.run();
