// Parsed sources cached as Arrow IPC files, keyed by the sha256 of the source bytes, so the
// slow readers (xlsx above all) run once per distinct input.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { writeFileAtomic } from "./atomic.js";
import { exactTransactions, isTransactionsTable } from "./schema.js";

export const DEFAULT_CACHE_DIR = join("data", "cache");

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

/** The cached transactions table, or undefined when there is none (or it is unreadable, e.g. from an older schema). */
export async function readCached(path: string): Promise<Table | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  try {
    const table = tableFromIPC(bytes);
    return isTransactionsTable(table) ? exactTransactions(table) : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCached(path: string, table: Table): Promise<void> {
  await writeFileAtomic(path, tableToIPC(table, "file"));
}
