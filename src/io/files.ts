import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";

/** A whole input file's bytes; a missing, unreadable or directory path is a UserError naming it. */
export async function readInputFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${path}: no such file`);
    if (code === "EISDIR") throw new UserError(`${path}: is a directory, not a data file`);
    if (code === "EACCES") throw new UserError(`${path}: permission denied`);
    throw err;
  }
}
