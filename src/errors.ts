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

/** The resource bounds custseg enforces on its inputs; the CLI names the flag that raises each. */
export type Limit = "inflatedSize" | "xlsxMemory" | "xlsxTime" | "downloadSize" | "downloadTime";

/** A UserError for an input that would exceed a resource bound; `limit` says which one. */
export class LimitError extends UserError {
  override name = "LimitError";
  constructor(
    message: string,
    readonly limit: Limit,
  ) {
    super(message);
  }
}
