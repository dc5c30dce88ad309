// The one rule for every output file a command writes (generate, features, pca, kmeans
// --labels-out): never one of the command's inputs, never an existing file unless --force, never
// a device, pipe or other special file, never through a symbolic link. Checked before any work,
// and again (special files) by the atomic writer just before the rename.
import { lstatSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../errors.js";

export interface OutputCheck {
  /** The flag naming the output, for the message (e.g. "--out"). */
  flag: string;
  /** Files the command reads; the output may be none of them. */
  inputs?: (string | undefined)[];
  /** Replace an existing regular file. */
  force?: boolean;
}

/** Why `path` may not be written as an output, or undefined when it may. */
export function outputProblem(path: string, { inputs = [], force = false }: Omit<OutputCheck, "flag">): string | undefined {
  for (const input of inputs) if (input !== undefined && sameFile(path, input)) return `is the input ${input}; name another file`;
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return undefined; // nothing there yet
  }
  if (st.isSymbolicLink()) return "is a symbolic link; name the file itself";
  if (!st.isFile()) return `is ${st.isDirectory() ? "a directory" : "a device or special file"}, not a regular file`;
  if (!force) return "already exists; pass --force to replace it";
  return undefined;
}

/** Throw a UserError naming the flag when `path` may not be written as an output. */
export function checkOutputFile(path: string, check: OutputCheck): void {
  const why = outputProblem(path, check);
  if (why) throw new UserError(`${check.flag} ${path} ${why}`);
}

/** The same file, by path or by identity (hard links, symbolic links, ./ spellings). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    if (realpathSync(a) === realpathSync(b)) return true;
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
