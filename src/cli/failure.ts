import { LimitError, UserError } from "../errors.js";
import { LIMIT_FLAGS } from "./limits.js";

/** Failures of the file system or the machine, not of custseg: worded as one line. */
const IO_ERRORS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
  EEXIST: "already exists",
  ENOTEMPTY: "directory not empty",
  EFBIG: "file too large",
};

/**
 * Print a failure on stderr and return the exit code. User errors and usage errors are one line
 * with no stack trace; anything else is an internal error, whose stack is shown only with CUSTSEG_DEBUG=1.
 */
export function reportFailure(err: unknown, usage = false): number {
  if (usage) {
    process.stderr.write(`custseg: ${(err as Error).message}\nRun 'custseg --help' for usage.\n`);
    return 2;
  }
  if (err instanceof LimitError) {
    process.stderr.write(`custseg: ${err.message} (${LIMIT_FLAGS[err.limit]} raises the limit)\n`);
    return err.exitCode;
  }
  if (err instanceof UserError) {
    process.stderr.write(`custseg: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  const why = e?.code ? IO_ERRORS[e.code] : undefined;
  if (why) {
    const where = e.path ? `${e.path}: ` : "";
    process.stderr.write(`custseg: ${where}${why} (${e.code})\n`);
    return 1;
  }
  const detail = process.env.CUSTSEG_DEBUG === "1" ? (e?.stack ?? String(err)) : (e?.message ?? String(err));
  process.stderr.write(`custseg: internal error: ${detail}\n(set CUSTSEG_DEBUG=1 for the stack trace)\n`);
  return 70;
}
