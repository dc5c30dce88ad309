// A source cache entry's path and bytes, apart from the cache's Arrow side (cache.ts), so that a
// load can start reading the entry before Arrow is loaded: the read runs on libuv's threads while
// this one compiles Arrow.
import { createHash } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";

/** The sidecar holding the sha256 of an entry's bytes. */
export const SIDECAR = ".sha256";

/**
 * `<dir>/<sha256>.arrow`; options that change how the source is read (column map, encoding) add a
 * short hash of themselves, so each reading of the same bytes has its own entry.
 */
export function cachePath(dir: string, sha256: string, readOptions: Record<string, unknown> = {}): string {
  const set = Object.entries(readOptions).filter(([, v]) => v !== undefined && !(typeof v === "object" && v && !Object.keys(v).length));
  if (!set.length) return join(dir, `${sha256}.arrow`);
  const variant = createHash("sha256").update(JSON.stringify(Object.fromEntries(set.sort()))).digest("hex").slice(0, 12);
  return join(dir, `${sha256}-${variant}.arrow`);
}

/** An entry's bytes and the checksum its sidecar holds (absent: no sidecar); or no entry at all. */
export type EntryBytes = { bytes: Uint8Array; expected?: string } | { missing: true };

/** Reads an entry and its sidecar at once. */
export async function readEntryBytes(path: string): Promise<EntryBytes> {
  const expected = readFile(path + SIDECAR, "utf8").then(
    (text) => text.trim(),
    () => undefined,
  );
  const bytes = await readWhole(path).catch(() => undefined);
  return bytes ? { bytes, expected: await expected } : { missing: true };
}

/**
 * A file's bytes in as few reads as the kernel allows (one, for a file in the page cache), where
 * readFile reads 512 KiB at a time, each read waiting for this thread to ask for the next.
 */
async function readWhole(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } finally {
    await handle.close();
  }
}
