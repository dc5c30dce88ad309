import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Data, Table, Vector } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OptionError, UserError } from "../../../src/errors.js";
import { GENERATE_DEFAULTS, generateFile } from "../../../src/io/generate/generate.js";
import { loadTransactions } from "../../../src/io/load.js";
import { transactionsSchema } from "../../../src/io/schema.js";
import { runCli } from "../../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-generate-"));
const small = { rows: 20_000, customers: 300, seed: 1 };

/** The default-size file, generated and loaded back once for the texture checks. */
let table: Table;

test.before(async () => {
  const path = join(dir, "default.arrow");
  await generateFile(path, GENERATE_DEFAULTS);
  table = (await loadTransactions(path, { cacheDir: false })).table;
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

const chunk = (name: string): Data => (table.getChild(name) as Vector).data[0];
const valid = (d: Data, i: number) => !d.nullBitmap || d.nullCount === 0 || ((d.nullBitmap[i >> 3] >> (i & 7)) & 1) === 1;
/** A dictionary column as text per row (null where the row is null). */
function texts(name: string): (string | null)[] {
  const d = chunk(name);
  const words = d.dictionary?.toArray() as string[];
  const keys = d.values as Int32Array;
  return Array.from(keys, (k, i) => (valid(d, i) ? words[k] : null));
}

test("same seed → identical bytes, other seed → different bytes, in every format", async () => {
  for (const ext of ["arrow", "parquet", "csv"]) {
    const a = join(dir, `a.${ext}`);
    const b = join(dir, `b.${ext}`);
    const c = join(dir, `c.${ext}`);
    await generateFile(a, small);
    await generateFile(b, small);
    await generateFile(c, { ...small, seed: 2 });
    assert.ok(readFileSync(a).equals(readFileSync(b)), `${ext}: same seed, same bytes`);
    assert.not.ok(readFileSync(a).equals(readFileSync(c)), `${ext}: another seed, other bytes`);
  }
});

test("the batch size does not change the data", async () => {
  await generateFile(join(dir, "batch-a.csv"), small, 1_000);
  await generateFile(join(dir, "batch-b.csv"), small, 7_777);
  assert.ok(readFileSync(join(dir, "batch-a.csv")).equals(readFileSync(join(dir, "batch-b.csv"))));
});

test("the default file loads back with the transactions schema and row count", () => {
  assert.is(table.numRows, GENERATE_DEFAULTS.rows);
  assert.equal(
    table.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`),
    transactionsSchema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`),
  );
});

test("small files load back equal in every format", async () => {
  const loaded: Table[] = [];
  for (const ext of ["arrow", "parquet", "csv"]) {
    const path = join(dir, `round.${ext}`);
    await generateFile(path, small);
    loaded.push((await loadTransactions(path, { cacheDir: false })).table);
  }
  const rows = (t: Table) => t.toArray().map((r) => JSON.stringify(r.toJSON(), (_, v) => (typeof v === "bigint" ? Number(v) : v)));
  const [arrow, parquet, csv] = loaded.map(rows);
  assert.is(arrow.length, small.rows);
  assert.equal(parquet, arrow);
  assert.equal(csv, arrow);
});

test("texture: guests, countries, cancellations, duplicates, null descriptions", () => {
  const n = table.numRows;
  const customer = chunk("CustomerID");
  const ids = customer.values as Int32Array;
  const invoice = texts("InvoiceNo");
  const country = texts("Country");
  const description = texts("Description");
  const quantity = chunk("Quantity").values as Int32Array;
  let guests = 0;
  let uk = 0;
  let cancelled = 0;
  let nullDescriptions = 0;
  const countryOf = new Map<number, string | null>();
  for (let i = 0; i < n; i++) {
    const known = valid(customer, i);
    if (!known) guests++;
    if (country[i] === "United Kingdom") uk++;
    if (invoice[i]?.startsWith("C")) {
      cancelled++;
      assert.ok(quantity[i] < 0, `row ${i}: a cancellation line has a negative quantity`);
      assert.ok(known, `row ${i}: a cancellation belongs to a customer`);
    }
    if (description[i] === null) {
      nullDescriptions++;
      assert.not.ok(known, `row ${i}: null descriptions only on lines without CustomerID`);
    }
    if (known) {
      const seen = countryOf.get(ids[i]);
      if (seen === undefined) countryOf.set(ids[i], country[i]);
      else assert.is(country[i], seen, `customer ${ids[i]} keeps its country`);
    }
  }
  const share = (k: number) => k / n;
  assert.ok(share(guests) >= 0.2 && share(guests) <= 0.3, `lines without CustomerID: ${share(guests)}`);
  assert.ok(share(uk) >= 0.85 && share(uk) <= 0.95, `UK share: ${share(uk)}`);
  assert.ok(share(cancelled) >= 0.01 && share(cancelled) <= 0.03, `cancellation lines: ${share(cancelled)}`);
  assert.ok(nullDescriptions >= 500 && nullDescriptions <= 3_000, `null descriptions: ${nullDescriptions}`);
  assert.ok(countryOf.size > 0.9 * GENERATE_DEFAULTS.customers && countryOf.size <= GENERATE_DEFAULTS.customers, `customers: ${countryOf.size}`);
  assert.ok(new Set(country).size >= 20, "customers in many countries");
});

test("texture: exact duplicate lines are about 1%", () => {
  // One batch, so equal dictionary keys mean equal text; a null key is marked apart.
  const cols = table.schema.fields.map((f) => chunk(f.name));
  const seen = new Set<string>();
  let duplicates = 0;
  for (let i = 0; i < table.numRows; i++) {
    const key = cols.map((c) => (valid(c, i) ? String(c.values[i]) : "null")).join(",");
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  const share = duplicates / table.numRows;
  assert.ok(share >= 0.005 && share <= 0.02, `duplicate lines: ${share}`);
});

test("texture: calendar inside the data's year, working hours, no Saturdays, a November peak", () => {
  const ms = chunk("InvoiceDate").values as BigInt64Array;
  const first = Date.UTC(2010, 11, 1);
  const end = Date.UTC(2011, 11, 10);
  const perMonth = new Map<string, number>();
  for (let i = 0; i < ms.length; i++) {
    const t = Number(ms[i]);
    assert.ok(t >= first && t < end, `row ${i}: date ${new Date(t).toISOString()} in range`);
    const d = new Date(t);
    assert.is.not(d.getUTCDay(), 6, `row ${i}: no Saturday`);
    assert.ok(d.getUTCHours() >= 6 && d.getUTCHours() <= 20, `row ${i}: working hours`);
    const month = d.toISOString().slice(0, 7);
    perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
  }
  const busiest = [...perMonth].sort((a, b) => b[1] - a[1])[0][0];
  assert.is(busiest, "2011-11");
});

test("texture: invoices are consistent and service codes all appear", () => {
  const invoice = texts("InvoiceNo");
  const code = texts("StockCode");
  const description = texts("Description");
  const ms = chunk("InvoiceDate").values as BigInt64Array;
  const customer = chunk("CustomerID");
  const country = texts("Country");
  const head = new Map<string, string>();
  const described = new Map<string, Set<string>>();
  const price = chunk("UnitPrice").values as Float64Array;
  let free = 0;
  for (let i = 0; i < invoice.length; i++) {
    const inv = invoice[i] as string;
    const key = `${ms[i]}|${valid(customer, i) ? (customer.values as Int32Array)[i] : ""}|${country[i]}`;
    const seen = head.get(inv);
    if (seen === undefined) head.set(inv, key);
    else assert.is(key, seen, `invoice ${inv}: one time, customer and country`);
    const d = description[i];
    if (d !== null) {
      const set = described.get(code[i] as string) ?? new Set<string>();
      described.set(code[i] as string, set.add(d));
    }
    if (price[i] === 0) free++;
  }
  const lines = invoice.length / head.size;
  assert.ok(lines > 5 && lines < 40, `lines per invoice: ${lines}`);
  for (const service of ["POST", "M", "D", "BANK CHARGES", "DOT", "C2", "CRUK", "PADS"]) {
    assert.ok(described.has(service), `service code ${service} present`);
  }
  assert.equal([...(described.get("DOT") ?? [])], ["DOTCOM POSTAGE"]);
  assert.equal([...(described.get("23444") ?? [])], ["Next Day Carriage"]);
  assert.equal([...(described.get("23702") ?? [])], ["High Resolution Image"]);
  const products = [...described.keys()].filter((c) => /^\d{5}[A-Z]?$/.test(c));
  assert.ok(products.length > 3_000 && products.length <= 3_700, `stock codes: ${products.length}`);
  assert.ok(products.some((c) => /[A-Z]$/.test(c)), "some codes carry a letter suffix");
  assert.ok([...described.values()].some((s) => s.size === 2), "a few codes have two descriptions");
  assert.ok(free > 0 && free < 0.01 * invoice.length, `zero prices are rare: ${free}`);
});

test("archetypes: lapsed customers, frequent buyers, larger quantities abroad", () => {
  const customer = chunk("CustomerID");
  const ids = customer.values as Int32Array;
  const invoiceKeys = chunk("InvoiceNo").values as Int32Array;
  const ms = chunk("InvoiceDate").values as BigInt64Array;
  const quantity = chunk("Quantity").values as Int32Array;
  const country = texts("Country");
  const last = new Map<number, number>();
  const invoices = new Map<number, Set<number>>();
  const uk: number[] = [];
  const abroad: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (!valid(customer, i)) continue;
    last.set(ids[i], Math.max(last.get(ids[i]) ?? 0, Number(ms[i])));
    invoices.set(ids[i], (invoices.get(ids[i]) ?? new Set<number>()).add(invoiceKeys[i]));
    if (quantity[i] > 0) (country[i] === "United Kingdom" ? uk : abroad).push(quantity[i]);
  }
  const lapsed = [...last.values()].filter((t) => t < Date.UTC(2011, 5, 1)).length / last.size;
  const frequent = [...invoices.values()].filter((s) => s.size >= 20).length / invoices.size;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  assert.ok(lapsed >= 0.1 && lapsed <= 0.4, `customers gone before June 2011: ${lapsed}`);
  assert.ok(frequent >= 0.02 && frequent <= 0.15, `customers with 20+ invoices: ${frequent}`);
  assert.ok(median(abroad) > median(uk), `median quantity abroad ${median(abroad)} > UK ${median(uk)}`);
});

test("generateFile rejects bad options and unknown formats before writing anything", async () => {
  for (const [opts, option] of [
    [{ ...small, rows: 0 }, "rows"],
    [{ ...small, customers: -1 }, "customers"],
    [{ ...small, rows: 1.5 }, "rows"],
    [{ ...small, seed: -1 }, "seed"],
  ] as const) {
    const err = await generateFile(join(dir, "bad.csv"), opts).catch((e) => e);
    assert.instance(err, OptionError);
    assert.is(err.option, option);
  }
  const err = await generateFile(join(dir, "bad.xlsx"), small).catch((e) => e);
  assert.instance(err, UserError);
  assert.match(err.message, ".csv");
  assert.not.ok(existsSync(join(dir, "bad.csv")) || existsSync(join(dir, "bad.xlsx")));
});

const run = (...args: string[]) => runCli(["generate", ...args]);

test("cli: --rows 1000 --customers 50 writes a small file and reports it as JSON", async () => {
  const out = join(dir, "cli-small.csv");
  const res = run("--rows", "1000", "--customers", "50", "--seed", "7", "--out", out, "--json");
  assert.is(res.code, 0, res.stderr);
  const report = JSON.parse(res.stdout);
  assert.is(report.rows, 1000);
  assert.is(report.path, out);
  const loaded = await loadTransactions(out, { cacheDir: false });
  assert.is(loaded.table.numRows, 1000);
  const customers = new Set((loaded.table.getChild("CustomerID") as Vector).toArray());
  assert.ok(customers.size <= 51, `at most 50 customers (and the guests): ${customers.size}`);
});

test("cli: bad arguments fail with one clear line and leave no file", () => {
  const zero = run("--rows", "0", "--out", join(dir, "zero.csv"));
  assert.is(zero.code, 1);
  assert.match(zero.stderr, "--rows must be");
  assert.not.match(zero.stderr, "    at ");
  assert.not.ok(existsSync(join(dir, "zero.csv")));

  const noOut = run("--rows", "10");
  assert.ok(noOut.code !== 0);
  assert.match(noOut.stderr, "out");

  const blocker = join(dir, "not-a-dir");
  writeFileSync(blocker, "a file where a directory should be");
  const blocked = run("--rows", "100", "--out", join(blocker, "x.arrow"));
  assert.is(blocked.code, 1);
  assert.match(blocked.stderr, "x.arrow");
  assert.not.match(blocked.stderr, "internal error");
  assert.equal(readdirSync(dir).filter((f) => f.includes(".tmp")), [], "no temporary file left");
});

test.run();
