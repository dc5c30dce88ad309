// The one rule for every output file a command writes (generate, features, pca, kmeans' labels):
// never one of the command's inputs, never an existing file unless forced, never a device, pipe or
// other special file, never through a symbolic link. Checked before any work, and again (special
// files) by the atomic writer just before the rename. A refusal is an OutputError naming the option
// that named the path; the CLI words it with the flag.
import { lstatSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { OutputError, type OutputProblem } from "../errors.js";

export interface OutputCheck {
  /** The option naming the output, by its name in the options object (`out`, `labelsOut`). */
  option: string;
  /** Files the command reads; the output may be none of them. */
  inputs?: (string | undefined)[];
  /** Replace an existing regular file. */
  force?: boolean;
}

/** Why `path` may not be written as an output, or undefined when it may. */
export function outputProblem(path: string, { inputs = [], force = false }: Omit<OutputCheck, "option">): OutputProblem | undefined {
  for (const input of inputs) if (input !== undefined && sameFile(path, input)) return { kind: "input", input };
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return undefined; // nothing there yet
  }
  if (st.isSymbolicLink()) return { kind: "symlink" };
  if (!st.isFile()) return { kind: st.isDirectory() ? "directory" : "special" };
  if (!force) return { kind: "exists" };
  return undefined;
}

/** Throw an OutputError naming the option when `path` may not be written as an output. */
export function checkOutputFile(path: string, check: OutputCheck): void {
  const problem = outputProblem(path, check);
  if (problem) throw new OutputError(check.option, path, problem);
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
