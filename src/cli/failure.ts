import { LimitError, UserError } from "../errors.js";
import { LIMIT_FLAGS } from "./limits.js";

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
  if (e?.code === "ENOENT" || e?.code === "EACCES" || e?.code === "EISDIR" || e?.code === "ENOTDIR") {
    process.stderr.write(`custseg: ${e.message}\n`);
    return 1;
  }
  const detail = process.env.CUSTSEG_DEBUG === "1" ? (e?.stack ?? String(err)) : (e?.message ?? String(err));
  process.stderr.write(`custseg: internal error: ${detail}\n(set CUSTSEG_DEBUG=1 for the stack trace)\n`);
  return 70;
}
