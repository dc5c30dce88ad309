// Parsed sources cached as Arrow IPC files, keyed by the sha256 of the source bytes, so the
// slow readers (xlsx above all) run once per distinct input. Each entry is verified before use:
// a sidecar `<entry>.sha256` holds the sha256 of the entry's bytes, written after the entry, so a
// table changed, truncated or poisoned on disk is never used — it is removed and the source re-parsed.
import { createHash } from "node:crypto";
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Data, RecordBatchFileWriter, type Table, tableFromIPC } from "apache-arrow";
import { sha256Hex } from "./artifacts.js";
import { writeFileAtomic, writeStreamAtomic } from "./atomic.js";
import { type EntryBytes, readEntryBytes, SIDECAR } from "./cache-entry.js";
import { exactTransactions, isTransactionsTable } from "./schema.js";

export { CACHE_DIR_ENV, CACHE_MIN_SOURCE_BYTES, DEFAULT_CACHE_DIR } from "./cache-defaults.js";
export { cachePath } from "./cache-entry.js";

const ENTRY = /^([0-9a-f]{64})(?:-([0-9a-f]{12}))?\.arrow$/;

/** Why a cache entry was not used: reported by the caller, worded there. */
export type CacheProblem =
  /** no sidecar checksum (an interrupted write, or an entry from an older version) */
  | "unverified"
  /** the bytes do not match the checksum written with them */
  | "checksum"
  /** not an Arrow table of the transactions schema */
  | "unreadable"
  /** a dictionary index outside its dictionary */
  | "dictionary";

/** A read entry: the table, and the sha256 of the entry's bytes (checked against its sidecar). */
export type CacheRead = { table: Table; sha256: string } | { problem: CacheProblem } | { missing: true };

/**
 * The cached transactions table, verified against its checksum; a bad entry is removed. `read` is
 * the entry's read if the caller started it already (readEntryBytes).
 */
export async function readCached(path: string, read: Promise<EntryBytes> = readEntryBytes(path)): Promise<CacheRead> {
  const entry = await read;
  if ("missing" in entry) return { missing: true };
  const { bytes, expected } = entry;
  if (expected === undefined) return await discard(path, "unverified");
  const sha256 = sha256Hex(bytes);
  if (sha256 !== expected) return await discard(path, "checksum");
  try {
    const table = tableFromIPC(bytes);
    if (isTransactionsTable(table)) {
      const exact = exactTransactions(table);
      if (dictionariesInRange(exact)) return { table: exact, sha256 };
      return await discard(path, "dictionary");
    }
  } catch {
    // falls through to the removal below
  }
  return await discard(path, "unreadable");
}

async function discard(path: string, problem: CacheProblem): Promise<{ problem: CacheProblem }> {
  await rm(path, { force: true });
  await rm(path + SIDECAR, { force: true });
  return { problem };
}

/**
 * Every dictionary index of a valid row points into its dictionary. The checksum already catches
 * bytes changed after writing; this guards the readers against an entry rewritten with its checksum.
 */
function dictionariesInRange(table: Table): boolean {
  for (let i = 0; i < table.numCols; i++) {
    const d = table.getChildAt(i)?.data[0] as Data | undefined;
    if (!d?.dictionary) continue;
    const size = d.dictionary.length;
    const indices = d.values as Int32Array;
    for (let r = firstOutside(indices, size, 0, d.length); r >= 0; r = firstOutside(indices, size, r + 1, d.length)) {
      if (d.getValid(r)) return false;
    }
  }
  return true;
}

/**
 * The first position in [from, to) whose index is outside [0, size), else -1: one unsigned
 * comparison per line (a negative index is a large unsigned one) in a loop V8 optimises at once,
 * where a loop that also asks for validity was left unoptimised for most of a run's first call.
 */
function firstOutside(indices: Int32Array, size: number, from: number, to: number): number {
  for (let r = from; r < to; r++) if (indices[r]! >>> 0 >= size) return r;
  return -1;
}

/**
 * Writes the table, then its checksum (returned): an entry whose sidecar is missing was never
 * finished. The IPC file goes out as the writer's chunks (views of the table's buffers), hashed on
 * the way: one contiguous copy of tens of millions of lines would double the memory the load needs.
 */
export async function writeCached(path: string, table: Table): Promise<string> {
  const hash = createHash("sha256");
  const writer = RecordBatchFileWriter.writeAll(table);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of writer) {
      hash.update(chunk);
      yield chunk;
    }
  }
  await rm(path + SIDECAR, { force: true });
  await writeStreamAtomic(path, chunks());
  const sha256 = hash.digest("hex");
  await writeFileAtomic(path + SIDECAR, `${sha256}\n`);
  return sha256;
}

export interface CacheEntry {
  /** The entry's file name (`<sha256>[-<variant>].arrow`). */
  file: string;
  path: string;
  /** The table and its checksum, in bytes. */
  bytes: number;
  /** sha256 of the source file the table was parsed from. */
  sourceSha256: string;
  /** Short hash of the read options (column map, encoding), when any were given. */
  variant?: string;
  modified: Date;
  /** False when the checksum sidecar is missing (the entry will be rebuilt on next use). */
  verified: boolean;
}

/** The entries of a cache directory, newest first; an absent directory has none. */
export async function listCache(dir: string): Promise<CacheEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const present = new Set(names);
  const entries: CacheEntry[] = [];
  for (const file of names) {
    const m = ENTRY.exec(file);
    if (!m) continue;
    const path = join(dir, file);
    const s = await stat(path).catch(() => undefined);
    if (!s?.isFile()) continue;
    const verified = present.has(file + SIDECAR);
    const side = verified ? await stat(path + SIDECAR).catch(() => undefined) : undefined;
    entries.push({ file, path, bytes: s.size + (side?.size ?? 0), sourceSha256: m[1]!, variant: m[2], modified: s.mtime, verified });
  }
  return entries.sort((a, b) => b.modified.getTime() - a.modified.getTime() || a.file.localeCompare(b.file));
}

export interface ClearResult {
  removed: number;
  bytesFreed: number;
  kept: number;
}

/**
 * Removes the entries of a cache directory (with their checksums), or only those last written
 * before `olderThan`; checksums left without their table are removed too.
 */
export async function clearCache(dir: string, olderThan?: Date): Promise<ClearResult> {
  const entries = await listCache(dir);
  let removed = 0;
  let bytesFreed = 0;
  for (const e of entries) {
    if (olderThan && e.modified >= olderThan) continue;
    await rm(e.path, { force: true });
    await rm(e.path + SIDECAR, { force: true });
    removed++;
    bytesFreed += e.bytes;
  }
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith(SIDECAR) || !ENTRY.test(name.slice(0, -SIDECAR.length)) || names.includes(name.slice(0, -SIDECAR.length))) continue;
    const s = await stat(join(dir, name)).catch(() => undefined);
    await rm(join(dir, name), { force: true });
    bytesFreed += s?.size ?? 0;
  }
  return { removed, bytesFreed, kept: entries.length - removed };
}
