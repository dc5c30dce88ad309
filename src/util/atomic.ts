import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A sibling temporary path: same directory, so the final rename stays on one file system. */
export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
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
  }
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
  }
}
