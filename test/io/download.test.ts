import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UserError } from "../../src/errors.js";
import { type DownloadOptions, downloadUci, ensureUciData } from "../../src/io/download.js";
import { LimitError } from "../../src/errors.js";
import { assertFailure, startCli } from "../helpers/cli.js";
import { lines, runWatched } from "../helpers/watched.js";
import { sharedFile, skipped } from "../helpers/shared.js";
import { zipOf } from "../helpers/zip.js";

const realZip = sharedFile("data/online_retail.zip", "download of the real UCI zip from a local server");
const root = mkdtempSync(join(tmpdir(), "custseg-download-"));

const smallWorkbook = new TextEncoder().encode("PK\u0003\u0004 stands in for a workbook");
const goodZip = zipOf({ "Online Retail.xlsx": smallWorkbook });
const noEntryZip = zipOf({ "readme.txt": new TextEncoder().encode("nothing here") });

let requests = 0;
const server: Server = createServer((req, res) => {
  requests++;
  switch (req.url) {
    case "/real.zip":
      res.writeHead(200, { "content-type": "application/zip" }).end(readFileSync(realZip as string));
      return;
    case "/good.zip":
      res.writeHead(200, { "content-length": goodZip.length }).end(goodZip);
      return;
    case "/noentry.zip":
      res.writeHead(200).end(noEntryZip);
      return;
    case "/garbage.zip":
      res.writeHead(200, { "content-type": "text/html" }).end("<html>maintenance</html>");
      return;
    case "/truncated.zip":
      // Announces the whole archive, sends half of it, then drops the connection.
      res.writeHead(200, { "content-length": goodZip.length });
      res.write(goodZip.subarray(0, goodZip.length >> 1), () => res.destroy());
      return;
    case "/cut.zip":
      // No length announced: only the broken archive gives the truncation away.
      res.writeHead(200);
      res.end(goodZip.subarray(0, goodZip.length - 30));
      return;
    case "/endless.zip": {
      // No length announced, and no end: a megabyte every few milliseconds for as long as read.
      res.writeHead(200);
      const mb = Buffer.alloc(2 ** 20, 0x41);
      const pump = () => {
        while (!res.destroyed && res.write(mb));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
      return;
    }
    case "/huge.zip":
      // Announces 5 GB: refused before a byte of the body is read.
      res.writeHead(200, { "content-length": 5 * 2 ** 30 });
      res.write("PK");
      return;
    case "/trickle.zip": {
      // 10 bytes every 50 ms: never silent long enough for the idle timeout, never done.
      res.writeHead(200);
      const tick = setInterval(() => (res.destroyed ? clearInterval(tick) : res.write("0123456789")), 50);
      res.once("close", () => clearInterval(tick));
      return;
    }
    case "/hang.zip":
      return; // never answers
    case "/stall.zip":
      res.writeHead(200, { "content-length": goodZip.length });
      res.write(goodZip.subarray(0, 10)); // then silence
      return;
    default:
      res.writeHead(404, "Not Found").end();
  }
});
let base = "";
let refusedUrl = "";

test.before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  refusedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/x.zip`;
  await new Promise((resolve) => closed.close(resolve));
});
test.after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
const freshDir = () => join(root, `d${n++}`);

async function downloadFailure(url: string, timeoutMs = 5_000, more: DownloadOptions = {}): Promise<{ message: string; dir: string; err: Error }> {
  const dir = freshDir();
  try {
    await downloadUci(dir, { url, timeoutMs, ...more });
  } catch (err) {
    assert.instance(err, UserError, `expected a UserError, got ${(err as Error).stack}`);
    assert.not.ok(existsSync(dir), "a directory the download created is removed again");
    return { message: (err as Error).message, dir, err: err as Error };
  }
  assert.unreachable(`${url} downloaded without error`);
  return { message: "", dir, err: new Error() };
}

test("downloads the real archive from a local server: keeps the zip, extracts the workbook", async () => {
  if (!realZip) return skipped();
  const dir = freshDir();
  const r = await downloadUci(dir, { url: `${base}/real.zip` });
  const source = readFileSync(realZip);
  assert.equal(readdirSync(dir).sort(), ["Online Retail.xlsx", "online_retail.zip"]);
  assert.is(r.bytes, source.length);
  assert.is(r.sha256, createHash("sha256").update(source).digest("hex"));
  assert.ok(readFileSync(r.zip).equals(source));
  const xlsx = readFileSync(r.xlsx);
  assert.equal([...xlsx.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
});

test("ensureUciData downloads once, then returns the workbook already there", async () => {
  const dir = freshDir();
  const before = requests;
  const first = await ensureUciData(dir, { url: `${base}/good.zip` });
  assert.is(first, join(dir, "Online Retail.xlsx"));
  assert.ok(readFileSync(first).equals(Buffer.from(smallWorkbook)));
  assert.is(await ensureUciData(dir, { url: `${base}/good.zip` }), first);
  assert.is(requests - before, 1);
});

test("HTTP 404 → UserError, nothing left", async () => {
  assert.match((await downloadFailure(`${base}/missing.zip`)).message, /cannot download .*missing\.zip: HTTP 404 Not Found/);
});

test("connection refused → UserError, nothing left", async () => {
  assert.match((await downloadFailure(refusedUrl)).message, /cannot download .*: connection refused/);
});

test("a server that never answers → timeout UserError, nothing left", async () => {
  assert.match((await downloadFailure(`${base}/hang.zip`, 300)).message, /timed out: no data for 0\.3 s/);
  assert.match((await downloadFailure(`${base}/stall.zip`, 300)).message, /timed out: no data for 0\.3 s/);
});

test("an endless body stops at the size limit; an announced oversize body is refused at once", async () => {
  const endless = await downloadFailure(`${base}/endless.zip`, 5_000, { maxBytes: 3 * 2 ** 20 });
  assert.instance(endless.err, LimitError);
  assert.is((endless.err as LimitError).limit, "downloadSize");
  assert.match(endless.message, /endless\.zip is larger than the 3 MB limit; gave up/);
  const huge = await downloadFailure(`${base}/huge.zip`, 5_000);
  assert.match(huge.message, /huge\.zip is larger than the 100 MB limit/);
});

test("a trickle that never goes silent stops at the overall deadline", async () => {
  const r = await downloadFailure(`${base}/trickle.zip`, 5_000, { deadlineMs: 700 });
  assert.instance(r.err, LimitError);
  assert.is((r.err as LimitError).limit, "downloadTime");
  assert.match(r.message, /trickle\.zip took longer than 0\.7 s \(\d+ bytes received\); gave up/);
});

test("CLI: an endless download ends at --max-download-mb with one line, in flat memory, leaving nothing", async () => {
  const dir = freshDir();
  const r = await runWatched(["download", "--url", `${base}/endless.zip`, "--dir", dir, "--max-download-mb", "64"], { livenessMs: 60_000 });
  assert.not.ok(r.killed);
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /larger than the 64 MB limit; gave up \(--max-download-mb raises the limit\)/);
  assert.not.ok(existsSync(dir));
  if (process.platform === "linux") assert.ok(r.peakRssMb! < 250, `peak RSS ${r.peakRssMb} MB`);
});

test("CLI: a trickle ends at --deadline-s with one line naming it", async () => {
  const dir = freshDir();
  const r = await runWatched(["download", "--url", `${base}/trickle.zip`, "--dir", dir, "--deadline-s", "1"], { livenessMs: 60_000 });
  assert.not.ok(r.killed);
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /took longer than 1 s .*--deadline-s raises the limit/);
  assert.not.ok(existsSync(dir));
});

test("CLI: an interrupted download removes the directory it created", async () => {
  const dir = freshDir();
  const r = await runWatched(["download", "--url", `${base}/trickle.zip`, "--dir", dir], {
    livenessMs: 60_000,
    onStart: (child) => {
      const poll = setInterval(() => {
        if (!existsSync(dir) || readdirSync(dir).length === 0) return;
        clearInterval(poll);
        child.kill("SIGINT");
      }, 20);
    },
  });
  assert.is(r.status, 130, r.stderr);
  assert.not.ok(existsSync(dir), "the directory is gone");
});

test("truncated bodies → UserError, nothing left", async () => {
  assert.match((await downloadFailure(`${base}/truncated.zip`)).message, /cut off/);
  assert.match((await downloadFailure(`${base}/cut.zip`)).message, /damaged zip archive|no "Online Retail\.xlsx" entry/);
});

test("a body that is not a zip, or a zip without the workbook → UserError, nothing left", async () => {
  assert.match((await downloadFailure(`${base}/garbage.zip`)).message, /garbage\.zip: not a zip archive/);
  assert.match((await downloadFailure(`${base}/noentry.zip`)).message, /no "Online Retail\.xlsx" entry \(the zip holds: "readme\.txt"\)/);
});

test("an existing directory is left as it was after a failure", async () => {
  const dir = freshDir();
  mkdirSync(dir);
  try {
    await downloadUci(dir, { url: `${base}/garbage.zip` });
    assert.unreachable("should fail");
  } catch (err) {
    assert.instance(err, UserError);
  }
  assert.equal(readdirSync(dir), []);
});

test("CLI: download failures exit non-zero with one line on stderr and nothing in --dir", async () => {
  for (const [url, pattern] of [
    [`${base}/missing.zip`, /HTTP 404/],
    [refusedUrl, /connection refused/],
    [`${base}/garbage.zip`, /not a zip archive/],
  ] as const) {
    const dir = freshDir();
    // Alongside this process, which serves the downloads.
    const r = await startCli(["download", "--url", url, "--dir", dir, "--timeout-ms", "2000"]);
    assertFailure(r, pattern, { alone: true });
    assert.not.ok(existsSync(dir));
  }
});

test("CLI: download --json prints one JSON object", async () => {
  const dir = freshDir();
  const r = await startCli(["download", "--url", `${base}/good.zip`, "--dir", dir, "--json"]);
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.is(out.xlsx, join(dir, "Online Retail.xlsx"));
  assert.is(out.bytes, goodZip.length);
  assert.ok(existsSync(out.zip));
});

test.run();
