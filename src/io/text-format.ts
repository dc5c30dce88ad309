// How a text source writes its dates and numbers, and what separates its fields: options every
// transactions reader takes (CSV and TSV wholly; Parquet, Arrow and xlsx for columns stored as text).
import { OptionError } from "../errors.js";
import { DATE_FORMATS, type DateFormatChoice } from "./datetime.js";
import { DECIMAL_MARKS, type DecimalMark } from "./numbers.js";

export interface TextFormat {
  /** InvoiceDate's format, or "auto": decided from every value, refused where it stays ambiguous. */
  dateFormat?: DateFormatChoice;
  /** "." (default) or ",": a decimal comma, with "." as the thousands separator. */
  decimal?: DecimalMark;
  /** CSV field separator; detected from the header line when absent. */
  delimiter?: string;
}

export const TEXT_FORMAT_DEFAULTS = { dateFormat: "auto", decimal: "." } as const satisfies TextFormat;

export const DATE_FORMAT_CHOICES: readonly DateFormatChoice[] = ["auto", ...DATE_FORMATS];

/** Refuses a value no reader could honour, naming the option. */
export function checkTextFormat(f: TextFormat): void {
  if (f.dateFormat !== undefined && !DATE_FORMAT_CHOICES.includes(f.dateFormat)) {
    throw new OptionError("dateFormat", `must be one of ${DATE_FORMAT_CHOICES.join(", ")}, got ${JSON.stringify(f.dateFormat)}`);
  }
  if (f.decimal !== undefined && !DECIMAL_MARKS.includes(f.decimal)) {
    throw new OptionError("decimal", `must be "." or ",", got ${JSON.stringify(f.decimal)}`);
  }
  const d = f.delimiter;
  if (d !== undefined && (d.length !== 1 || d === '"' || d === "\n" || d === "\r")) {
    throw new OptionError("delimiter", `must be one character other than a quote or a line break, got ${JSON.stringify(d)}`);
  }
}

/** The options that change how a source reads, where they differ from the defaults (for the cache key). */
export function nonDefaultFormat(f: TextFormat): TextFormat {
  return {
    dateFormat: f.dateFormat === TEXT_FORMAT_DEFAULTS.dateFormat ? undefined : f.dateFormat,
    decimal: f.decimal === TEXT_FORMAT_DEFAULTS.decimal ? undefined : f.decimal,
    delimiter: f.delimiter,
  };
}
