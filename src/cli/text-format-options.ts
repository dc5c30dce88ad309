// --date-format, --decimal and --delimiter: one definition shared by every command that reads
// transactions, so each takes the same values with the same words.
import type { Argv } from "yargs";
import { DATE_FORMAT_CHOICES, TEXT_FORMAT_DEFAULTS, type TextFormat } from "../pipeline/options.js";

export interface TextFormatArgs {
  "date-format": NonNullable<TextFormat["dateFormat"]>;
  decimal: NonNullable<TextFormat["decimal"]>;
  delimiter?: string;
}

export function textFormatOptions<T>(y: Argv<T>): Argv<T & TextFormatArgs> {
  return y
    .option("date-format", {
      choices: DATE_FORMAT_CHOICES,
      default: TEXT_FORMAT_DEFAULTS.dateFormat,
      describe: "InvoiceDate written as text, each with a time H:MM[:SS]; auto: the one format every value fits (ambiguous day/month order is refused)",
    })
    .option("decimal", {
      type: "string",
      choices: [".", ","],
      default: TEXT_FORMAT_DEFAULTS.decimal,
      describe: 'Decimal mark of numbers written as text; with "," a "." groups thousands (1.234,5)',
    })
    .option("delimiter", { type: "string", describe: 'CSV field separator (default: detected from the header; ";" wins there with --decimal ,)' }) as Argv<
    T & TextFormatArgs
  >;
}

export function textFormatFrom(args: TextFormatArgs): TextFormat {
  return { dateFormat: args["date-format"], decimal: args.decimal, delimiter: args.delimiter };
}
