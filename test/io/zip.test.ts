// Zip bombs: the workbook inflated out of a .zip is bounded. The declared size is checked before
// inflating, a stream that runs past its declared size is cut off, and the CLI ends with one line
// and a flat memory profile instead of concatenating gigabytes.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LimitError, UserError } from "../../src/errors.js";
import { workbookFromZip } from "../../src/io/zip.js";
import { lines, runWatched } from "../helpers/watched.js";
import { bombZip } from "../helpers/zip.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-zip-"));
const MB = 2 ** 20;
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  assert.unreachable("expected a failure");
  return new Error();
}

test("an entry declaring more than the limit is refused before inflating", async () => {
  const path = join(dir, "declared.zip");
  await bombZip(path, { "Online Retail.xlsx": { size: 4 * MB } });
  const err = await failure(workbookFromZip(readFileSync(path), "declared.zip", { maxInflatedBytes: MB }));
  assert.instance(err, LimitError);
  assert.is((err as LimitError).limit, "inflatedSize");
  assert.match(err.message, /^declared\.zip: "Online Retail\.xlsx" declares 4 MB inflated, over the 1 MB limit/);
});

test("an entry inflating past its declared size is cut off with a UserError", async () => {
  const path = join(dir, "liar.zip");
  await bombZip(path, { "Online Retail.xlsx": { size: 8 * MB, declared: 1000 } });
  for (const source of [readFileSync(path), path]) {
    const err = await failure(workbookFromZip(source, "liar.zip", { maxInflatedBytes: 4 * MB }));
    assert.instance(err, UserError);
    assert.match(err.message, /^liar\.zip: cannot inflate "Online Retail\.xlsx"/);
  }
});

test("within the limit the entry is inflated whole, from a buffer or from a file", async () => {
  const path = join(dir, "fine.zip");
  const prefix = new TextEncoder().encode("PK\u0003\u0004");
  await bombZip(path, { "Online Retail.xlsx": { size: 3 * MB + 17, prefix } });
  for (const source of [readFileSync(path), path]) {
    const wb = await workbookFromZip(source, "fine.zip", { maxInflatedBytes: 4 * MB });
    assert.is(wb.bytes.length, 3 * MB + 17);
    assert.equal([...wb.bytes.subarray(0, 5)], [0x50, 0x4b, 3, 4, 0]);
  }
});

test("CLI: a 600 MB zip bomb under the default limit ends with one line, in flat memory", async () => {
  const path = join(dir, "bomb.zip");
  await bombZip(path, { "Online Retail.xlsx": { size: 600 * MB } });
  const r = await runWatched(["features", "--input", path], { cwd: dir, livenessMs: 60_000 });
  assert.not.ok(r.killed, "the command ended");
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /declares 600 MB inflated, over the 512 MB limit.*--max-inflated-mb raises the limit/);
  if (process.platform === "linux") assert.ok(r.peakRssMb! < 400, `peak RSS ${r.peakRssMb} MB`);
});

test("CLI: --max-inflated-mb lowers (or raises) the bound; a lying header is still caught", async () => {
  const path = join(dir, "liar-cli.zip");
  await bombZip(path, { "Online Retail.xlsx": { size: 64 * MB, declared: 100 } });
  const r = await runWatched(["features", "--input", path, "--max-inflated-mb", "8"], { cwd: dir, livenessMs: 60_000 });
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /cannot inflate "Online Retail\.xlsx"/);
  if (process.platform === "linux") assert.ok(r.peakRssMb! < 400, `peak RSS ${r.peakRssMb} MB`);
});

test.run();
