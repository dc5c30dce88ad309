// Fetches the UCI Online Retail archive and unpacks its workbook.
// The archive is streamed to a temporary file and checked (length, zip structure, workbook entry)
// before anything takes its final name: `<dir>/online_retail.zip` (kept, so the source of every
// run can be re-checked by its sha256) and `<dir>/Online Retail.xlsx`. On any failure nothing is
// left in <dir>, and <dir> itself is removed again if this call created it.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { tempSibling, writeFileAtomic } from "./atomic.js";
import { UCI_WORKBOOK, workbookFromZip } from "./zip.js";

export const UCI_URL = "https://archive.ics.uci.edu/static/public/352/online+retail.zip";
export const UCI_ZIP = "online_retail.zip";
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;

export interface DownloadOptions {
  url?: string;
  /** Give up when no data has arrived for this long (connecting included). Default 60 s. */
  timeoutMs?: number;
  /** Show a progress line on stderr (the CLI turns it on when stderr is a terminal). */
  progress?: boolean;
}

export interface DownloadResult {
  zip: string;
  xlsx: string;
  bytes: number;
  sha256: string;
}

/** The workbook in `dir`, downloading it first when it is not there yet. */
export async function ensureUciData(dir: string, opts: DownloadOptions = {}): Promise<string> {
  const xlsx = join(dir, UCI_WORKBOOK);
  if (existsSync(xlsx)) return xlsx;
  return (await downloadUci(dir, opts)).xlsx;
}

export async function downloadUci(dir: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const url = opts.url ?? UCI_URL;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const created = !existsSync(dir);
  await mkdir(dir, { recursive: true });
  const zipPath = join(dir, UCI_ZIP);
  const tmp = tempSibling(zipPath);
  try {
    const { bytes, sha256 } = await fetchToFile(url, tmp, timeoutMs, opts.progress ?? false);
    const workbook = await workbookFromZip(await readFile(tmp), url);
    const xlsx = join(dir, UCI_WORKBOOK);
    await writeFileAtomic(xlsx, workbook.bytes);
    await rename(tmp, zipPath);
    return { zip: zipPath, xlsx, bytes, sha256 };
  } catch (err) {
    await rm(tmp, { force: true });
    if (created && (await readdir(dir)).length === 0) await rmdir(dir);
    throw err;
  }
}

/** Streams `url` into `path`; every network failure becomes a UserError saying what happened. */
async function fetchToFile(url: string, path: string, timeoutMs: number, progress: boolean) {
  const abort = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const quietFor = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
  };
  const file = await open(path, "w");
  const hash = createHash("sha256");
  let received = 0;
  let expected: number | undefined;
  const meter = progress ? progressLine() : undefined;
  try {
    quietFor();
    let res: Response;
    try {
      res = await fetch(url, { signal: abort.signal });
    } catch (err) {
      throw networkError(url, err, timedOut, timeoutMs, 0);
    }
    if (!res.ok) throw new UserError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
    const length = res.headers.get("content-length");
    expected = length ? Number(length) : undefined;
    if (!res.body) throw new UserError(`cannot download ${url}: the response has no body`);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        quietFor();
        hash.update(chunk);
        await file.write(chunk);
        received += chunk.length;
        meter?.(received, expected);
      }
    } catch (err) {
      throw networkError(url, err, timedOut, timeoutMs, received);
    }
    if (expected !== undefined && received !== expected) {
      throw new UserError(`download of ${url} was cut off: received ${received} of ${expected} bytes`);
    }
    return { bytes: received, sha256: hash.digest("hex") };
  } finally {
    clearTimeout(timer);
    await file.close();
    if (meter) process.stderr.write("\n");
  }
}

function networkError(url: string, err: unknown, timedOut: boolean, timeoutMs: number, received: number): UserError {
  if (timedOut) return new UserError(`download of ${url} timed out: no data for ${timeoutMs / 1000} s`);
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (received > 0) return new UserError(`download of ${url} was cut off after ${received} bytes (${e.cause?.message ?? e.message})`);
  const code = e.cause?.code;
  const why =
    code === "ECONNREFUSED"
      ? "connection refused"
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "host not found (no network?)"
        : (e.cause?.message ?? e.message);
  return new UserError(`cannot download ${url}: ${why}`);
}

/** A progress line rewritten in place at most four times a second. */
function progressLine() {
  let last = 0;
  return (received: number, total: number | undefined) => {
    const now = Date.now();
    if (now - last < 250 && received !== total) return;
    last = now;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    process.stderr.write(`\rdownloading: ${mb(received)}${total ? ` / ${mb(total)}` : ""} MB`);
  };
}
