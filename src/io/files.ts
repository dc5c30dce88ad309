import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";
import { readFailure } from "./errno.js";

/** A whole input file's bytes; a missing, unreadable or directory path is a UserError naming it. */
export async function readInputFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw inputFileError(path, err);
  }
}

/** A read failure as a one-line UserError naming the path; other errors pass through. */
export function inputFileError(path: string, err: unknown): unknown {
  const why = readFailure(err);
  return why ? new UserError(`${path}: ${why}`, 1, { input: path }) : err;
}
