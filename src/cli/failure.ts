import { describeOutputProblem, LimitError, type Note, OptionError, OptionHintError, OutputError, UserError } from "../errors.js";
import { readFailure, writeFailure } from "../io/errno.js";
import { LIMIT_FLAGS } from "./limits.js";

/** The command-line flag of an option: nInit → --n-init. */
export const flagOf = (option: string) => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** A note or message worded for the command line: its options as flags. */
export const wordForCli = (text: Note): string => (typeof text === "string" ? text : text(flagOf));

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
  if (err instanceof OptionError) {
    process.stderr.write(`custseg: ${flagOf(err.option)} ${err.wording(flagOf)}\n`);
    return err.exitCode;
  }
  if (err instanceof OptionHintError) {
    process.stderr.write(`custseg: ${err.wording(flagOf)}\n`);
    return err.exitCode;
  }
  if (err instanceof OutputError) {
    process.stderr.write(`custseg: ${flagOf(err.option)} ${err.path} ${describeOutputProblem(err.problem, flagOf("force"))}\n`);
    return err.exitCode;
  }
  if (err instanceof UserError) {
    const option = err.fields.option ? ` (${flagOf(err.fields.option)})` : "";
    process.stderr.write(`custseg: ${err.message}${option}\n`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  // A failure of the machine's file system (a full disk, a read-only mount) is not custseg's.
  const why = readFailure(e) ?? writeFailure(e);
  if (why) {
    const where = e.path ? `${e.path}: ` : "";
    process.stderr.write(`custseg: ${where}${why} (${e.code})\n`);
    return 1;
  }
  const detail = process.env.CUSTSEG_DEBUG === "1" ? (e?.stack ?? String(err)) : (e?.message ?? String(err));
  process.stderr.write(`custseg: internal error: ${detail}\n(set CUSTSEG_DEBUG=1 for the stack trace)\n`);
  return 70;
}
