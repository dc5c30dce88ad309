import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { lstat, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { basename, dirname, join } from "node:path";
import { finished } from "node:stream/promises";
import { UserError } from "../errors.js";
import { writeFailure } from "./errno.js";
import { createdDirs, pendingTemps as pending } from "./pending-temps.js";

/**
 * A sibling temporary path: same directory, so the final rename stays on one file system.
 * It is registered for removal on interrupt; once renamed away, removing it is a no-op.
 */
export function tempSibling(path: string): string {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  pending.add(tmp);
  return tmp;
}

/**
 * Refuse to rename over anything but a regular file: a rename would replace a device (as root,
 * /dev/null) or a symbolic link with a plain file. Checked at the last moment, as the target may
 * have appeared since the command started.
 */
export async function refuseSpecialTarget(path: string): Promise<void> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) throw new UserError(`${path} is a symbolic link; name the file itself`);
  if (!st.isFile()) throw new UserError(`${path} is ${st.isDirectory() ? "a directory" : "a device or special file"}, not a regular file`);
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Whether a process with this id is running (or exists but is not ours to signal). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove the temp files and directories a killed process left in `dir` (SIGKILL runs no handler):
 * only names of tempSibling's form whose process is gone, never another live command's work.
 */
export async function sweepStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(TEMP_NAME.exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) await rm(join(dir, name), { recursive: true, force: true });
  }
}

/** Write a whole file or nothing: write a temp sibling, then rename it over the target. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await sweepStaleTemps(dirname(path));
  const tmp = tempSibling(path);
  try {
    await writeFile(tmp, data);
    await refuseSpecialTarget(path);
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
    await sweepStaleTemps(dirname(path));
    const file = createWriteStream(tmp);
    const failed = once(file, "error").then(([err]) => Promise.reject(err));
    failed.catch(() => {});
    await Promise.race([once(file, "open"), failed]);
    for await (const chunk of chunks) {
      if (!file.write(chunk)) await Promise.race([once(file, "drain"), failed]);
    }
    file.end();
    await Promise.race([finished(file), failed]);
    await refuseSpecialTarget(path);
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
  await sweepStaleTemps(dirname(path));
  const tmp = tempSibling(path);
  await mkdir(tmp);
  try {
    await fill(tmp);
    // rename() replaces an empty directory but fails on a full one: another run's output is never
    // replaced; say so plainly rather than with the errno.
    await rename(tmp, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST" && err.code !== "ENOTDIR") throw err;
      throw new UserError(`${path} appeared while this command was working; it was left as it is`);
    });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    pending.delete(tmp);
  }
}

/** Remove `dir` on interrupt if it is empty then; the returned function forgets it again. */
export function removeIfEmptyOnInterrupt(dir: string): () => void {
  createdDirs.add(dir);
  return () => createdDirs.delete(dir);
}
