// `custseg features` end to end: spawns the compiled CLI (run `npx tsc -p .` first) on a small
// transactions file written here.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { transactionsFromArrays } from "../../../src/io/schema.js";
import { writeTable } from "../../../src/io/write.js";
import { FEATURE_NAMES } from "../../../src/pipeline/steps/features.js";
import { runCli } from "../../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-features-"));
const input = join(dir, "lines.arrow");

/** Runs the CLI in the scratch directory (its cache lands there too). */
const custseg = (args: string[], tz = "UTC") => runCli(["features", "--input", input, ...args], { cwd: dir, env: { TZ: tz } });

// Times around midnight and the 2011 US/EU daylight-saving changes, where a zone-dependent
// reading would move lines to another hour, day or month.
const TIMES = [
  "2010-12-31T23:30:00",
  "2011-01-01T00:15:00",
  "2011-03-13T02:30:00",
  "2011-03-27T01:30:00",
  "2011-10-30T01:30:00",
  "2011-11-06T01:30:00",
  "2011-11-30T23:59:00",
  "2011-12-01T00:00:00",
];

test.before(async () => {
  const n = 40;
  await writeTable(
    input,
    transactionsFromArrays({
      InvoiceNo: Array.from({ length: n }, (_, i) => (i % 9 === 4 ? `C${600 + (i % 13)}` : String(500 + (i % 13)))),
      StockCode: Array.from({ length: n }, (_, i) => String(20000 + (i % 7))),
      Description: Array.from({ length: n }, (_, i) => `ITEM ${i % 7}`),
      Quantity: Array.from({ length: n }, (_, i) => (i % 9 === 4 ? -1 : 1 + (i % 5))),
      InvoiceDate: Array.from({ length: n }, (_, i) => Date.parse(`${TIMES[i % TIMES.length]}Z`) + (i % 3) * 86_400_000),
      UnitPrice: Array.from({ length: n }, (_, i) => 0.55 + (i % 4)),
      CustomerID: Array.from({ length: n }, (_, i) => 17000 + (i % 6)),
      Country: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? "France" : "United Kingdom")),
    }),
  );
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("--json prints one object: row counts, customers, whether the data is generated, timings", () => {
  const { code, stdout, stderr } = custseg(["--json"]);
  assert.is(code, 0, stderr);
  const out = JSON.parse(stdout);
  assert.equal(Object.keys(out), ["rows", "customers", "synthetic", "timingsMs"]);
  assert.is(out.synthetic, false);
  assert.equal(Object.keys(out.rows), [
    "loaded",
    "afterMissing",
    "afterDuplicates",
    "afterAnomalousCodes",
    "afterServiceDescriptions",
    "afterZeroPrice",
  ]);
  assert.is(out.rows.loaded, 40);
  assert.is(out.customers, 6);
  for (const step of ["load", "clean", "features"]) assert.type(out.timingsMs[step], "number");
});

test("a generated CSV is flagged: synthetic and the generator's parameters in --json, a line in the summary", () => {
  const generated = join(dir, "generated.csv");
  const gen = runCli(["generate", "--rows", "2000", "--customers", "40", "--seed", "4", "--out", generated], { cwd: dir });
  assert.is(gen.code, 0, gen.stderr);
  const run = (...args: string[]) => runCli(["features", "--input", generated, ...args], { cwd: dir });
  const json = JSON.parse(run("--json").stdout);
  assert.is(json.synthetic, true);
  assert.equal([json.generator.rows, json.generator.customers, json.generator.seed], [2000, 40, 4]);
  assert.is(json.rows.loaded, 2000);
  assert.match(run().stdout, /^ {2}SYNTHETIC {2}generated data, not real customers \(custseg generate: seed 4, 2,000 lines, 40 customers/);
});

test("--out writes a readable table; the summary names it", () => {
  const out = join(dir, "customers.parquet");
  const { code, stdout, stderr } = custseg(["--out", out, "--compat", "seed"]);
  assert.is(code, 0, stderr);
  assert.match(stdout, "customers.parquet");
  assert.match(stdout, "compat seed");
  const table = tableFromIPC(readParquet(readFileSync(out)).intoIPCStream());
  assert.equal(
    table.schema.fields.map((f) => f.name),
    ["CustomerID", ...FEATURE_NAMES],
  );
  assert.equal([...(table.getChild("CustomerID")!.toArray() as Int32Array)], [17000, 17001, 17002, 17003, 17004, 17005]);
});

test("the output does not depend on the machine's time zone", () => {
  for (const compat of ["none", "seed"]) {
    const utc = join(dir, `utc-${compat}.csv`);
    const ny = join(dir, `ny-${compat}.csv`);
    assert.is(custseg(["--out", utc, "--compat", compat], "UTC").code, 0);
    assert.is(custseg(["--out", ny, "--compat", compat], "America/New_York").code, 0);
    assert.is(readFileSync(ny, "utf8"), readFileSync(utc, "utf8"));
  }
});

test("an unsupported --out extension: one-line error, exit 1, no file left", () => {
  const before = readdirSync(dir).sort();
  const { code, stdout, stderr } = custseg(["--out", join(dir, "customers.txt")]);
  assert.is(code, 1);
  assert.is(stdout, "");
  const errors = stderr.split("\n").filter((l) => l.startsWith("custseg:"));
  assert.is(errors.length, 1);
  assert.match(errors[0], "customers.txt");
  assert.not.match(stderr, "    at ");
  assert.equal(readdirSync(dir).sort(), before);
});

test("a missing input file: one-line error, exit 1", () => {
  const res = runCli(["features", "--input", join(dir, "absent.parquet"), "--json"]);
  assert.is(res.code, 1);
  assert.is(res.stdout, "");
  assert.match(res.stderr, "absent.parquet");
});

test("--help describes the options", () => {
  const res = runCli(["features", "--help"]);
  assert.is(res.code, 0);
  for (const option of ["--input", "--compat", "--out", "--json", "--encoding", "--map"]) assert.match(res.stdout, option);
});

test.run();
