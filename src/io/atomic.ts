import { randomBytes } from "node:crypto";
import { createWriteStream, rmSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { basename, dirname, join } from "node:path";
import { finished } from "node:stream/promises";
import { UserError } from "../errors.js";
import { writeFailure } from "./errno.js";

/** Temp paths being written right now: removed by `removePendingTemps` when the process is interrupted. */
const pending = new Set<string>();

/**
 * A sibling temporary path: same directory, so the final rename stays on one file system.
 * It is registered for removal on interrupt; once renamed away, removing it is a no-op.
 */
export function tempSibling(path: string): string {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  pending.add(tmp);
  return tmp;
}

/** Write a whole file or nothing: write a temp sibling, then rename it over the target. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    pending.delete(tmp);
  }
}

/**
 * Stream `chunks` into a temp sibling, renamed over `path` only once complete. The target is opened
 * before the first chunk is asked for, so an unwritable path fails before any work is spent on it.
 * File-system failures become one-line UserErrors naming `path` (not the temp file).
 */
export async function writeStreamAtomic(path: string, chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<void> {
  const tmp = tempSibling(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    const file = createWriteStream(tmp);
    const failed = once(file, "error").then(([err]) => Promise.reject(err));
    failed.catch(() => {});
    await Promise.race([once(file, "open"), failed]);
    for await (const chunk of chunks) {
      if (!file.write(chunk)) await Promise.race([once(file, "drain"), failed]);
    }
    file.end();
    await Promise.race([finished(file), failed]);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw outputError(path, err);
  } finally {
    pending.delete(tmp);
  }
}

/** A write failure as a one-line UserError naming the output; other errors pass through. */
export function outputError(path: string, err: unknown): unknown {
  const why = writeFailure(err);
  return why ? new UserError(`${path}: cannot write: ${why}`, 1, { input: path }) : err;
}

/**
 * Build a directory in a temp sibling with `fill`, then rename it into place.
 * A failure (or an exception from `fill`) removes the temp directory, so no half directory is left.
 */
export async function writeDirAtomic(path: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  await mkdir(tmp);
  try {
    await fill(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    pending.delete(tmp);
  }
}

/** Remove every temp file or directory still being written (for SIGINT/SIGTERM handlers). */
export function removePendingTemps(): void {
  for (const path of pending) rmSync(path, { recursive: true, force: true });
  pending.clear();
}
