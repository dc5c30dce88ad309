/**
 * An error caused by the user's input or environment (bad file, bad flag, unreachable URL).
 * The CLI prints its message alone, without a stack trace, and exits non-zero.
 * Messages name the file, row/line and column/field wherever they are known.
 */
export class UserError extends Error {
  override name = "UserError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}
