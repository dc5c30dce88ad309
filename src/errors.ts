/** Where an error about the user's input arose: which input, which row/column, which option. */
export interface ErrorFields {
  /** The file (or other named input) at fault. */
  input?: string;
  /** 1-based line or row of the input. */
  row?: number;
  /** 1-based column number, or the column's name. */
  column?: number | string;
  /** The option at fault, by its name in the options object (`k`, `nInit`, `outliersFrom`). */
  option?: string;
}

/**
 * An error caused by the user's input or environment (bad file, bad option, unreachable URL).
 * The CLI prints its message alone, without a stack trace, and exits non-zero.
 * Messages name the file, row/line and column/field wherever they are known; the same facts are
 * kept as fields so that each edge (CLI, server) can word them its own way.
 */
export class UserError extends Error {
  override name = "UserError";
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly fields: ErrorFields = {},
  ) {
    super(message);
  }
}

/** The resource bounds custseg enforces on its inputs; the CLI names the flag that raises each. */
export type Limit = "inflatedSize" | "xlsxMemory" | "xlsxTime" | "downloadSize" | "downloadTime" | "matrixColumns" | "rows";

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

/** Names an option within a sentence: by its name in the options object, or (at the CLI) as its flag. */
export type OptionNamer = (option: string) => string;

/** A sentence that names options, worded by whoever shows it: no step or job knows a flag name. */
export type Wording = (name: OptionNamer) => string;

/** A note for the user: plain, or naming options (the CLI words them as flags). */
export type Note = string | Wording;

/** The sentence with each option under its own name (`asOf`), as messages and logs read it. */
export const byOptionName = (text: Note): string => (typeof text === "string" ? text : text((option) => option));

/**
 * A bad option value. The message reads with the option's own name ("nInit must be …"); the CLI
 * words it with the flag instead ("--n-init must be …"), so no step or job knows a flag name.
 * The detail may name other options too ("applies to transactions only").
 */
export class OptionError extends UserError {
  override name = "OptionError";
  /** The rest of the sentence after the option's name. */
  readonly detail: string;
  readonly wording: Wording;
  constructor(
    readonly option: string,
    detail: Note,
  ) {
    super(`${option} ${byOptionName(detail)}`, 1, { option });
    this.detail = byOptionName(detail);
    this.wording = typeof detail === "string" ? () => detail : detail;
  }
}

/**
 * A UserError whose sentence names options (the one to use instead: "name another file with
 * store"); the message reads with the option names, the CLI words them as flags.
 */
export class OptionHintError extends UserError {
  override name = "OptionHintError";
  constructor(
    readonly wording: Wording,
    fields: ErrorFields = {},
  ) {
    super(byOptionName(wording), 1, fields);
  }
}

/** Why the output rule (src/io/output.ts) refuses a path. */
export type OutputProblem =
  | { kind: "input"; input: string }
  | { kind: "exists" }
  | { kind: "symlink" }
  | { kind: "directory" }
  | { kind: "special" };

/** The rest of the sentence after "<option> <path>", naming the replace option as `force` says. */
export function describeOutputProblem(problem: OutputProblem, force = "force"): string {
  switch (problem.kind) {
    case "input":
      return `is the input ${problem.input}; name another file`;
    case "exists":
      return `already exists; pass ${force} to replace it`;
    case "symlink":
      return "is a symbolic link; name the file itself";
    case "directory":
      return "is a directory, not a regular file";
    case "special":
      return "is a device or special file, not a regular file";
  }
}

/**
 * An output path the output rule refuses: which option named it (`out`, `labelsOut`), the path and
 * why. The message reads with the option names; the CLI words it with the flags instead.
 */
export class OutputError extends UserError {
  override name = "OutputError";
  constructor(
    readonly option: string,
    readonly path: string,
    readonly problem: OutputProblem,
  ) {
    super(`${option} ${path} ${describeOutputProblem(problem)}`, 1, { input: path, option });
  }
}

/** Runs `fn`, attributing any UserError it throws to `option` (the option that named the input). */
export function blameOption<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UserError && !err.fields.option) throw new UserError(err.message, err.exitCode, { ...err.fields, option });
    throw err;
  }
}
