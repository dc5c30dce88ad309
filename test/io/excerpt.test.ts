// Error messages quote at most a short excerpt of user data: a huge header line or cell becomes a
// short line on stderr, not a copy of the input.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXCERPT_CHARS, quote, quoteList } from "../../src/io/excerpt.js";
import { lines, runWatched } from "../helpers/watched.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-excerpt-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("quote and quoteList cut long text and long lists", () => {
  assert.is(quote("abc"), '"abc"');
  const long = "x".repeat(10_000);
  assert.is(quote(long), `"${"x".repeat(EXCERPT_CHARS)}"… (10,000 characters)`);
  const names = Array.from({ length: 1000 }, (_, i) => `c${i}`);
  const list = quoteList(names);
  assert.match(list, /^"c0", "c1", .*"c19" and 980 more$/);
});

test("CLI: a 20 MB header line without a newline gives one short error line", async () => {
  const csv = join(dir, "wide.csv");
  writeFileSync(csv, "ab,".repeat(7_000_000));
  const r = await runWatched(["features", "--input", csv], { cwd: dir, livenessMs: 120_000 });
  assert.not.ok(r.killed);
  assert.is(r.status, 1, r.stderr.slice(0, 500));
  assert.equal(lines(r.stderr).length, 1);
  assert.ok(r.stderr.length < 2000, `${r.stderr.length} characters on stderr`);
  assert.match(r.stderr, /wide\.csv: /);
});

test("CLI: a 5 MB cell is quoted as an excerpt naming line and column", async () => {
  const csv = join(dir, "cell.csv");
  const header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
  writeFileSync(csv, `${header}\n1,A,B,1,2011-01-01 00:00,${"9".repeat(400)}x${"9".repeat(5_000_000)},1,UK\n`);
  const r = await runWatched(["features", "--input", csv], { cwd: dir, livenessMs: 120_000 });
  assert.is(r.status, 1, r.stderr.slice(0, 500));
  assert.equal(lines(r.stderr).length, 1);
  assert.ok(r.stderr.length < 500, `${r.stderr.length} characters on stderr`);
  assert.match(r.stderr, /cell\.csv: line 2, column 6 \(UnitPrice\): cannot read "9{60}"… \(5,000,401 characters\) as a number/);
});

test.run();
