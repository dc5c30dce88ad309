// `custseg export` end to end on a small generated run: every customer once, outliers flagged and
// placed in a segment, names from the model, CSV shaped by --delimiter/--decimal/--bom, Parquet,
// and one-line failures.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CsvRecords } from "../../../src/io/csv.js";
import { parquetToArrow } from "../../../src/io/parquet.js";
import { EXPORT_COLUMNS } from "../../../src/pipeline/steps/export-table.js";
import { runCli } from "../../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-export-"));
const run = join(tmp, "run");

const custseg = (...args: string[]) => runCli(args, { cwd: tmp });

function records(text: string, delimiter: string): string[][] {
  const r = new CsvRecords(text, delimiter, "export.csv");
  const out: string[][] = [];
  const fields: string[] = [];
  while (r.next(fields) >= 0) out.push([...fields]);
  return out;
}

const customers: { id: number; outlier: boolean; cluster: number | null }[] = [];
let names: string[] = [];

test.before(() => {
  const data = join(tmp, "small.parquet");
  const gen = custseg("generate", "--rows", "20000", "--customers", "300", "--seed", "2", "--out", data);
  if (gen.code !== 0) throw new Error(gen.stderr);
  const res = custseg("run", "--threads", "1", "--input", data, "--out", run, "--json");
  if (res.code !== 0) throw new Error(res.stderr);
  const table = parquetToArrow(readFileSync(join(run, "customers.parquet")), "customers.parquet");
  for (let i = 0; i < table.numRows; i++) {
    customers.push({ id: table.getChild("CustomerID")!.get(i), outlier: table.getChild("Outlier")!.get(i), cluster: table.getChild("Cluster")!.get(i) });
  }
  names = JSON.parse(readFileSync(join(run, "model.json"), "utf8")).clusters.map((c: { name: string }) => c.name);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test("CSV: every customer of the run once, outliers flagged with a nearest segment, names from the model", () => {
  const res = custseg("export", "--run", run, "--json");
  assert.is(res.code, 0, res.stderr);
  const summary = JSON.parse(res.stdout);
  assert.is(summary.out, join(run, "export.csv"));
  const text = readFileSync(summary.out, "utf8");
  assert.ok(text.includes("\r\n"), "CRLF line ends");
  const [head, ...rows] = records(text, ",");
  assert.equal(head, EXPORT_COLUMNS);
  assert.is(rows.length, customers.length);
  const byId = new Map(rows.map((r) => [Number(r[0]), r]));
  assert.is(byId.size, customers.length, "each customer once");
  let outliers = 0;
  for (const c of customers) {
    const r = byId.get(c.id)!;
    assert.ok(r, `customer ${c.id} missing`);
    assert.is(r[3], c.outlier ? "true" : "false");
    const segment = Number(r[1]);
    assert.ok(Number.isInteger(segment) && segment >= 0 && segment < names.length, `segment ${r[1]}`);
    if (c.outlier) outliers++;
    else assert.is(segment, c.cluster);
    assert.is(r[2], names[segment]);
    assert.ok(r[7]!.length > 0, `customer ${c.id} has a first recommendation`);
  }
  assert.ok(outliers > 0, "the run has outliers");
  assert.is(summary.outliers, outliers);
});

test("--delimiter ; --decimal , --bom: what a European Excel opens as is; Parquet the same rows", () => {
  const out = join(tmp, "eu.csv");
  const res = custseg("export", "--run", run, "--decimal", ",", "--bom", "--out", out);
  assert.is(res.code, 0, res.stderr);
  const bytes = readFileSync(out);
  assert.equal([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = records(bytes.toString("utf8").slice(1), ";");
  assert.equal(rows[0], EXPORT_COLUMNS);
  assert.ok(rows.slice(1).some((r) => /^\d+,\d+$/.test(r[6]!)), "a decimal comma in Monetary");
  assert.ok(rows.slice(1).every((r) => !r[6]!.includes(".")));

  const pq = join(tmp, "export.parquet");
  assert.is(custseg("export", "--run", run, "--format", "parquet", "--out", pq).code, 0);
  const table = parquetToArrow(readFileSync(pq), "export.parquet");
  assert.equal(table.schema.fields.map((f) => f.name), EXPORT_COLUMNS);
  assert.is(table.numRows, customers.length);
});

test("failures: one line naming the flag or file; an existing file is kept without --force", () => {
  const fail = (args: string[], pattern: RegExp) => {
    const res = custseg("export", ...args);
    assert.is(res.code, 1, res.stderr);
    const lines = res.stderr.trimEnd().split("\n");
    assert.is(lines.length, 1, res.stderr);
    assert.match(lines[0]!, pattern);
  };
  fail(["--run", run], /export\.csv already exists; pass --force/);
  fail(["--run", join(tmp, "nowhere")], /nowhere\/model\.json: no such model file/);
  fail(["--run", run, "--out", join(tmp, "x.csv"), "--delimiter", ",", "--decimal", ","], /--delimiter and the decimal mark are both ","/);
  fail(["--run", run, "--out", join(tmp, "x.csv"), "--decimal", ":"], /--decimal must be "\." or ","/);
  fail(["--run", run, "--out", join(tmp, "x.parquet"), "--format", "parquet", "--bom"], /--format parquet takes no/);
  assert.is(custseg("export", "--run", run, "--force").code, 0);
});

test.run();
