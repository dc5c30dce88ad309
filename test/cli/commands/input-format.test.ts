// --date-format, --decimal and --delimiter end to end through the compiled CLI: a European export
// (day-first dates, decimal commas, ";") read by `features` and `run`; ambiguity and mismatches as
// one line naming the file, line, column or flag, exit 1, nothing written.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-input-format-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"];

/**
 * `customers` customers with three invoices each, written European style. Dates fall in the first
 * twelve days of their months unless `decisive`, which moves the last invoice to the 13th.
 */
function european(name: string, customers: number, decisive: boolean, sep = ";"): string {
  const lines = [HEADER.join(sep)];
  let invoice = 540000;
  for (let c = 0; c < customers; c++) {
    const days = [`0${1 + (c % 9)}/03/2011 09:15`, `${10 + (c % 3)}/06/2011 14:05:30`, decisive && c === customers - 1 ? "13/09/2011 11:00" : "02/09/2011 11:00"];
    for (const [i, day] of days.entries()) {
      const qty = c % 4 === 1 ? "1.200" : String(1 + ((c * 7 + i) % 11));
      const price = `${1 + (c % 5)},${String(5 + ((c * 3 + i) % 90)).padStart(2, "0")}`;
      const fields = [++invoice, `2${1000 + (c % 6)}`, `ITEM ${c % 6}`, qty, day, price, 17000 + c, c % 7 === 0 ? "France" : "Germany"];
      // A field holding the separator is quoted, as spreadsheets write it.
      lines.push(fields.map((f) => (String(f).includes(sep) ? `"${f}"` : String(f))).join(sep));
    }
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const features = (...args: string[]) => runCli(["features", "--no-cache", ...args], { cwd: dir });

/** One `custseg:` line, exit 1, no stack, nothing on stdout. */
function assertOneLine(res: ReturnType<typeof runCli>, pattern: RegExp): void {
  assert.is(res.code, 1, res.stderr);
  assert.is(res.stdout, "");
  const lines = res.stderr.trimEnd().split("\n").filter((l) => l.startsWith("custseg:"));
  assert.is(lines.length, 1, res.stderr);
  assert.match(lines[0]!, pattern);
  assert.not.match(res.stderr, /\n\s+at |internal error/);
}

test("features: day-first dates detected, --decimal , with ';' detected", () => {
  const input = european("eu.csv", 24, true);
  const res = features("--input", input, "--decimal", ",", "--json");
  assert.is(res.code, 0, res.stderr);
  const s = JSON.parse(res.stdout);
  assert.is(s.rows.loaded, 72);
  assert.is(s.customers, 24);
});

test("features: --out writes what the day-first reading gives; --date-format names the format as well", () => {
  const input = european("named.csv", 24, true);
  const out = join(dir, "named.csv.features.csv");
  const named = features("--input", input, "--decimal", ",", "--date-format", "D/M/YYYY", "--out", out, "--json");
  assert.is(named.code, 0, named.stderr);
  assert.ok(existsSync(out));
  const detected = features("--input", input, "--decimal", ",", "--json");
  const drop = (s: string) => ({ ...JSON.parse(s), timingsMs: undefined });
  assert.equal(drop(detected.stdout), drop(named.stdout));
});

test("features: dates that fit both orders are refused, naming the file, a value and --date-format; --date-format resolves it", () => {
  const input = european("ambiguous.csv", 24, false);
  const out = join(dir, "ambiguous.features.parquet");
  assertOneLine(
    features("--input", input, "--decimal", ",", "--out", out),
    /^custseg: .*ambiguous\.csv: dates are ambiguous: both D\/M\/YYYY and M\/D\/YYYY fit every row \(e\.g\. "01\/03\/2011 09:15"\); name the format \(--date-format\)$/,
  );
  assert.not.ok(existsSync(out), "nothing written");
  const res = features("--input", input, "--decimal", ",", "--date-format", "D/M/YYYY", "--json");
  assert.is(res.code, 0, res.stderr);
});

test("features: decimal commas without --decimal, and 1,234.5 with it, name the line and column", () => {
  const input = european("commas.csv", 24, true);
  assertOneLine(features("--input", input), /^custseg: .*commas\.csv: line 2, column 6 \(UnitPrice\): cannot read "1,05" as a number \(the decimal mark is "\."\)$/);
  const mixed = european("mixed.csv", 24, true);
  writeFileSync(mixed, `${HEADER.join(";")}\n540001;21000;ITEM;2;13/01/2011 08:26;1,234.5;17000;France\n`);
  assertOneLine(features("--input", mixed, "--decimal", ","), /^custseg: .*mixed\.csv: line 2, column 6 \(UnitPrice\): cannot read "1,234\.5" as a number/);
});

test("features: --delimiter given: a comma-separated file with quoted decimal commas reads as the ';' one", () => {
  const comma = features("--input", european("quoted.csv", 24, true, ","), "--decimal", ",", "--delimiter", ",", "--json");
  const semicolon = features("--input", european("semicolon.csv", 24, true), "--decimal", ",", "--json");
  assert.is(comma.code, 0, comma.stderr);
  const drop = (s: string) => ({ ...JSON.parse(s), timingsMs: undefined });
  assert.equal(drop(comma.stdout), drop(semicolon.stdout));
});

test("bad --date-format and --decimal values are usage errors listing the choices; a bad --delimiter one line", () => {
  const input = european("flags.csv", 4, true);
  for (const [flag, value] of [["--date-format", "YY/MM/DD"], ["--decimal", ";"]] as const) {
    const res = features("--input", input, flag, value);
    assert.is(res.code, 2, res.stderr);
    assert.match(res.stderr, `Argument: ${flag.slice(2)}, Given: "${value}", Choices: `);
  }
  assertOneLine(features("--input", input, "--delimiter", ";;"), /^custseg: --delimiter must be one character/);
});

test("run: a European export end to end; the ambiguous one refused before anything is written", () => {
  const input = european("run.csv", 40, true);
  const out = join(dir, "run-eu");
  const res = runCli(["run", "--input", input, "--decimal", ",", "--k", "2", "--n-init", "1", "--threads", "1", "--out", out, "--store", join(dir, "s.db"), "--no-cache", "--json"], { cwd: dir });
  assert.is(res.code, 0, res.stderr);
  const s = JSON.parse(res.stdout);
  assert.is(s.rows.loaded, 120);
  assert.is(s.synthetic, false);
  assert.ok(existsSync(join(out, "report.html")));
  const ambiguous = european("run-ambiguous.csv", 40, false);
  const refused = join(dir, "run-refused");
  assertOneLine(
    runCli(["run", "--input", ambiguous, "--decimal", ",", "--k", "2", "--threads", "1", "--out", refused, "--store", join(dir, "s.db"), "--no-cache"], { cwd: dir }),
    /run-ambiguous\.csv: dates are ambiguous: .*\(--date-format\)$/,
  );
  assert.not.ok(existsSync(refused));
});

test("predict and drift read the European export with the same flags", () => {
  const model = join(dir, "run-eu");
  assert.ok(existsSync(join(model, "model.json")), "needs the run above");
  const input = european("new.csv", 40, true);
  const predicted = runCli(["predict", "--model", model, "--transactions", input, "--decimal", ",", "--no-cache", "--threads", "1", "--json"], { cwd: dir });
  assert.is(predicted.code, 0, predicted.stderr);
  assert.is(JSON.parse(predicted.stdout).customers, 40);
  assertOneLine(
    runCli(["predict", "--model", model, "--transactions", input, "--no-cache", "--threads", "1"], { cwd: dir }),
    /new\.csv: line 2, column 6 \(UnitPrice\): cannot read "1,05" as a number/,
  );
  const drift = runCli(["drift", "--model", model, "--input", input, "--decimal", ",", "--date-format", "D/M/YYYY", "--no-cache", "--threads", "1", "--json"], { cwd: dir });
  assert.ok(drift.code === 0 || drift.code === 3, drift.stderr);
  assert.is(JSON.parse(drift.stdout).current.kind, "transactions");
});

test("--help of every command that reads transactions shows the three flags", () => {
  for (const command of ["run", "features", "tune", "predict", "drift"]) {
    const help = runCli([command, "--help"]).stdout;
    for (const flag of ["--date-format", "--decimal", "--delimiter"]) assert.match(help, flag, `${command} --help lacks ${flag}`);
  }
});

test.run();
