import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import XLSX from "xlsx";
import { UserError } from "../../src/errors.js";
import { downloadUci, ensureUciData } from "../../src/io/download.js";
import { repoRoot, sharedFile, skipped } from "../helpers/shared.js";

const realZip = sharedFile("data/online_retail.zip", "download of the real UCI zip from a local server");
const root = mkdtempSync(join(tmpdir(), "custseg-download-"));

/** A zip holding the given entries (written with the container library bundled in xlsx). */
function zip(entries: Record<string, Uint8Array>): Uint8Array {
  const cfb = XLSX.CFB.utils.cfb_new();
  for (const [name, bytes] of Object.entries(entries)) XLSX.CFB.utils.cfb_add(cfb, `/${name}`, bytes);
  return XLSX.CFB.write(cfb, { fileType: "zip", type: "buffer", compression: true });
}
const smallWorkbook = new TextEncoder().encode("PK\u0003\u0004 stands in for a workbook");
const goodZip = zip({ "Online Retail.xlsx": smallWorkbook });
const noEntryZip = zip({ "readme.txt": new TextEncoder().encode("nothing here") });

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

async function downloadFailure(url: string, timeoutMs = 5_000): Promise<{ message: string; dir: string }> {
  const dir = freshDir();
  try {
    await downloadUci(dir, { url, timeoutMs });
  } catch (err) {
    assert.instance(err, UserError, `expected a UserError, got ${(err as Error).stack}`);
    assert.not.ok(existsSync(dir), "a directory the download created is removed again");
    return { message: (err as Error).message, dir };
  }
  assert.unreachable(`${url} downloaded without error`);
  return { message: "", dir };
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

const cli = join(repoRoot, "dist", "src", "cli", "index.js");

/** Runs the compiled CLI without blocking this process, which serves the downloads. */
function custseg(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

test("CLI: download failures exit non-zero with one line on stderr and nothing in --dir", async () => {
  for (const [url, pattern] of [
    [`${base}/missing.zip`, /HTTP 404/],
    [refusedUrl, /connection refused/],
    [`${base}/garbage.zip`, /not a zip archive/],
  ] as const) {
    const dir = freshDir();
    const r = await custseg(["download", "--url", url, "--dir", dir, "--timeout-ms", "2000"]);
    assert.is(r.status, 1, r.stderr);
    assert.is(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0], /^custseg: /);
    assert.match(lines[0], pattern);
    assert.not.match(r.stderr, /\n\s+at /);
    assert.not.ok(existsSync(dir));
  }
});

test("CLI: download --json prints one JSON object", async () => {
  const dir = freshDir();
  const r = await custseg(["download", "--url", `${base}/good.zip`, "--dir", dir, "--json"]);
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.is(out.xlsx, join(dir, "Online Retail.xlsx"));
  assert.is(out.bytes, goodZip.length);
  assert.ok(existsSync(out.zip));
});

test.run();
