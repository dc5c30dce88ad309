// A workbook whose sheet XML inflates far beyond its size on disk: the parts handed to the parser
// are bounded (declared sizes first, then counted), and the worker's memory (heap and buffers)
// and time are bounded; each ends the CLI with one line saying which bound was exceeded. On the real
// workbook, parsed by two workers at once, the memory bound holds for them together, and a signal
// ends the run while they parse.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpuSeconds } from "../helpers/cli.js";
import { sharedFile, skipped } from "../helpers/shared.js";
import { lines, runWatched } from "../helpers/watched.js";
import { type BombOptions, bombZip } from "../helpers/zip.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-xlsx-bounds-"));
const MB = 2 ** 20;
test.after(() => rmSync(dir, { recursive: true, force: true }));

const utf8 = (s: string) => new TextEncoder().encode(s);
const part = (text: string): BombOptions => ({ size: utf8(text).length, prefix: utf8(text) });

/** A workbook of one sheet whose XML is `size` bytes of numeric cells (the headers may lie). */
async function bigWorkbook(path: string, size: number, declared?: number): Promise<void> {
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
  const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  await bombZip(path, {
    "[Content_Types].xml": part(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    "_rels/.rels": part(
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    "xl/workbook.xml": part(`<?xml version="1.0"?><workbook ${ns} xmlns:r="${rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    "xl/_rels/workbook.xml.rels": part(
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ),
    "xl/worksheets/sheet1.xml": {
      size,
      declared,
      prefix: utf8(`<?xml version="1.0"?><worksheet ${ns}><sheetData>`),
      fill: utf8('<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>'),
      suffix: utf8("</sheetData></worksheet>"),
    },
  });
}

const linux = process.platform === "linux";

test("CLI: sheet XML declaring 600 MB is refused before the parser starts", async () => {
  const path = join(dir, "declared.xlsx");
  await bigWorkbook(path, 600 * MB);
  const r = await runWatched(["features", "--input", path], { cwd: dir, livenessMs: 60_000 });
  assert.not.ok(r.killed);
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /the workbook's parts declare 600 MB inflated, over the 512 MB limit.*--max-inflated-mb/);
  if (linux) assert.ok(r.peakRssMb! < 400, `peak RSS ${r.peakRssMb} MB`);
});

test("CLI: sheet XML inflating past its declared size is a damaged workbook", async () => {
  const path = join(dir, "liar.xlsx");
  await bigWorkbook(path, 64 * MB, 1000);
  const r = await runWatched(["features", "--input", path], { cwd: dir, livenessMs: 60_000 });
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /damaged workbook part "xl\/worksheets\/sheet1\.xml"/);
  if (linux) assert.ok(r.peakRssMb! < 400, `peak RSS ${r.peakRssMb} MB`);
});

test("CLI: a sheet needing more memory than --xlsx-max-memory-mb ends with one line naming it", async () => {
  const path = join(dir, "memory.xlsx");
  await bigWorkbook(path, 160 * MB);
  const r = await runWatched(["features", "--input", path, "--xlsx-max-memory-mb", "200", "--xlsx-timeout-s", "600"], {
    cwd: dir,
    livenessMs: 120_000,
  });
  assert.not.ok(r.killed);
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /needed more than 200 MB of memory; gave up \(--xlsx-max-memory-mb raises the limit\)/);
  if (linux) assert.ok(r.peakRssMb! < 1000, `peak RSS ${r.peakRssMb} MB`);
});

test("CLI: a sheet taking longer than --xlsx-timeout-s ends with one line naming it", async () => {
  const path = join(dir, "time.xlsx");
  await bigWorkbook(path, 160 * MB);
  const r = await runWatched(["features", "--input", path, "--xlsx-timeout-s", "0.5", "--xlsx-max-memory-mb", "4000"], {
    cwd: dir,
    livenessMs: 120_000,
  });
  assert.not.ok(r.killed);
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /took longer than 0\.5 s; gave up \(--xlsx-timeout-s raises the limit\)/);
});

const uciZip = sharedFile("data/online_retail.zip", "the workbook reader's bounds on the real UCI zip");

test("CLI: on the real workbook, --xlsx-max-memory-mb bounds the parsing workers together", async () => {
  if (!uciZip) return skipped();
  // The two workers parsing slices at once add well over 150 MB between them.
  const out = join(dir, "memory-run");
  const r = await runWatched(["run", "--input", uciZip, "--no-cache", "--out", out, "--xlsx-max-memory-mb", "150"], { cwd: dir, livenessMs: 180_000 });
  assert.not.ok(r.killed);
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /needed more than 150 MB of memory; gave up \(--xlsx-max-memory-mb raises the limit\)/);
  assert.not.ok(existsSync(out));
});

test("CLI: SIGINT while the workers parse the real workbook ends the run promptly, leaving no output", async () => {
  if (!uciZip) return skipped();
  const out = join(dir, "interrupted-run");
  let sentAt = 0;
  const r = await runWatched(["run", "--input", uciZip, "--no-cache", "--out", out], {
    cwd: dir,
    livenessMs: 180_000,
    onStart: (child) => {
      // Loading modules and inflating the workbook take about two CPU seconds; past four the
      // workers are parsing, which takes some fifteen.
      const started = Date.now();
      const poll = setInterval(() => {
        const cpu = cpuSeconds(child.pid!);
        if (cpu === undefined ? Date.now() - started < 5_000 : cpu < 4) return;
        clearInterval(poll);
        sentAt = Date.now();
        child.kill("SIGINT");
      }, 100);
      child.once("exit", () => clearInterval(poll));
    },
  });
  assert.not.ok(r.killed, "the process ended by itself");
  assert.is(r.status, 130, r.stderr);
  assert.match(r.stderr, /interrupted \(SIGINT\); unfinished output removed/);
  // A liveness bound, not a speed test: without the signal the run goes on for many seconds.
  assert.ok(Date.now() - sentAt < 20_000, `ended ${Date.now() - sentAt} ms after the signal`);
  assert.not.ok(existsSync(out));
});

test.run();
