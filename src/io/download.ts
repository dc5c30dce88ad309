// Fetches the UCI Online Retail archive and unpacks its workbook.
// The archive is streamed to a temporary file and checked (length, zip structure, workbook entry)
// before anything takes its final name: `<dir>/online_retail.zip` (kept, so the source of every
// run can be re-checked by its sha256) and `<dir>/Online Retail.xlsx`. On any failure nothing is
// left in <dir>, and <dir> itself is removed again if this call created it (an interrupt included).
// A hostile or broken server cannot fill the disk or hold the command forever: the body is capped
// in bytes, and the whole transfer has a deadline besides the timeout on silence.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, rename, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { LimitError, UserError } from "../errors.js";
import { removeIfEmptyOnInterrupt, tempSibling, writeFileAtomic } from "./atomic.js";
import { UCI_WORKBOOK, workbookFromZip } from "./zip.js";

export const UCI_URL = "https://archive.ics.uci.edu/static/public/352/online+retail.zip";
export const UCI_ZIP = "online_retail.zip";
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;
/** About four times the real archive (23 MB). */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 100 * 2 ** 20;
/** The whole transfer, however steadily the bytes trickle in. */
export const DEFAULT_DOWNLOAD_DEADLINE_MS = 10 * 60_000;

export interface DownloadOptions {
  url?: string;
  /** Give up when no data has arrived for this long (connecting included). Default 60 s. */
  timeoutMs?: number;
  /** Give up when the transfer as a whole takes longer than this. Default 10 min. */
  deadlineMs?: number;
  /** Refuse a body larger than this. Default 100 MB. */
  maxBytes?: number;
  /** Bound on the workbook inflated out of the archive (see zip.ts). */
  maxInflatedBytes?: number;
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
  const created = !existsSync(dir);
  await mkdir(dir, { recursive: true });
  const forgetDir = created ? removeIfEmptyOnInterrupt(dir) : () => {};
  const zipPath = join(dir, UCI_ZIP);
  const tmp = tempSibling(zipPath);
  try {
    const { bytes, sha256 } = await fetchToFile(url, tmp, {
      idleMs: opts.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
      deadlineMs: opts.deadlineMs ?? DEFAULT_DOWNLOAD_DEADLINE_MS,
      maxBytes: opts.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
      progress: opts.progress ?? false,
    });
    // Checked from the file on disk: only the zip's directory and the workbook are read into memory.
    const workbook = await workbookFromZip(tmp, url, { maxInflatedBytes: opts.maxInflatedBytes });
    const xlsx = join(dir, UCI_WORKBOOK);
    await writeFileAtomic(xlsx, workbook.bytes);
    await rename(tmp, zipPath);
    return { zip: zipPath, xlsx, bytes, sha256 };
  } catch (err) {
    await rm(tmp, { force: true });
    if (created && (await readdir(dir)).length === 0) await rmdir(dir);
    throw err;
  } finally {
    forgetDir();
  }
}

interface FetchLimits {
  idleMs: number;
  deadlineMs: number;
  maxBytes: number;
  progress: boolean;
}

/**
 * Streams `url` into `path`, hashing as it goes; every network failure becomes a UserError saying
 * what happened, and a body over `maxBytes` or a transfer past its deadline a LimitError.
 */
async function fetchToFile(url: string, path: string, { idleMs, deadlineMs, maxBytes, progress }: FetchLimits) {
  const abort = new AbortController();
  let stopped: "idle" | "deadline" | undefined;
  let timer: NodeJS.Timeout | undefined;
  const quietFor = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stopped = "idle";
      abort.abort();
    }, idleMs);
  };
  const deadline = setTimeout(() => {
    stopped = "deadline";
    abort.abort();
  }, deadlineMs);
  const tooLarge = () =>
    new LimitError(`download of ${url} is larger than the ${(maxBytes / 2 ** 20).toFixed(0)} MB limit; gave up`, "downloadSize");
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
      throw networkError(url, err, stopped, idleMs, deadlineMs, 0);
    }
    if (!res.ok) throw new UserError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
    const length = res.headers.get("content-length");
    expected = length ? Number(length) : undefined;
    if (expected !== undefined && expected > maxBytes) throw tooLarge();
    if (!res.body) throw new UserError(`cannot download ${url}: the response has no body`);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        quietFor();
        if (received + chunk.length > maxBytes) {
          abort.abort();
          throw tooLarge();
        }
        hash.update(chunk);
        await file.write(chunk);
        received += chunk.length;
        meter?.(received, expected);
      }
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw networkError(url, err, stopped, idleMs, deadlineMs, received);
    }
    if (expected !== undefined && received !== expected) {
      throw new UserError(`download of ${url} was cut off: received ${received} of ${expected} bytes`);
    }
    return { bytes: received, sha256: hash.digest("hex") };
  } finally {
    clearTimeout(timer);
    clearTimeout(deadline);
    await file.close();
    if (meter) process.stderr.write("\n");
  }
}

function networkError(url: string, err: unknown, stopped: "idle" | "deadline" | undefined, timeoutMs: number, deadlineMs: number, received: number): UserError {
  if (stopped === "idle") return new UserError(`download of ${url} timed out: no data for ${timeoutMs / 1000} s`);
  if (stopped === "deadline") {
    return new LimitError(`download of ${url} took longer than ${deadlineMs / 1000} s (${received} bytes received); gave up`, "downloadTime");
  }
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
