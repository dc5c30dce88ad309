// Synthetic transactions with the texture of the UCI Online Retail data, into a file: the job entry
// of the generator (checks the options, runs the simulation, streams a format atomically to disk).
// Everything is drawn from seeded Rng streams, so a seed fixes every byte of the output.
import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { OptionError, UserError } from "../../errors.js";
import { writeStreamAtomic } from "../atomic.js";
import { generatedMark, markMetadata } from "../generated-mark.js";
import { transactionsTable, withSchemaMetadata } from "../schema.js";
import { FORMATS } from "./formats.js";
import type { GenerateOptions } from "./options.js";
import { TransactionGenerator } from "./simulation.js";
import { groupDigits } from "../../digits.js";

export { GENERATE_DEFAULTS, type GenerateOptions } from "./options.js";
export { TransactionGenerator } from "./simulation.js";

/** Row numbers stay within Int32 indices; customer state (recent purchases included) is ~300 bytes a customer. */
const MAX_ROWS = 2 ** 31 - 1;
const MAX_CUSTOMERS = 1_000_000;

export interface GenerateResult {
  path: string;
  rows: number;
  bytes: number;
  format: string;
}

/** Rejects options the generator cannot honour, naming the option. */
export function checkGenerateOptions(opts: GenerateOptions): void {
  const count = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new OptionError(name, `must be a whole number from 1 to ${groupDigits(max)} (got ${v})`);
    }
  };
  count("rows", opts.rows, MAX_ROWS);
  count("customers", opts.customers, MAX_CUSTOMERS);
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 2 ** 32 - 1) {
    throw new OptionError("seed", `must be a whole number from 0 to 4294967295 (got ${opts.seed})`);
  }
}

/**
 * Generates `opts.rows` transactions into `path` (.csv, .arrow as an IPC stream, or .parquet),
 * streaming into a temporary sibling that is renamed into place only once complete.
 * `batchRows` sets the streaming granularity only; the data is the same for any value.
 */
export async function generateFile(path: string, opts: GenerateOptions, batchRows = 1 << 16): Promise<GenerateResult> {
  checkGenerateOptions(opts);
  const format = extname(path).toLowerCase();
  const chunksOf = FORMATS[format];
  if (!chunksOf) {
    throw new UserError(`${path}: cannot generate "${format || "(no extension)"}" files; use ${Object.keys(FORMATS).join(", ")}`);
  }
  // Every output says it is generated (see generated-mark.ts): schema metadata, or CSV's comment line.
  const mark = generatedMark(opts);
  const metadata = markMetadata(mark);
  const tables = (function* () {
    for (const batch of new TransactionGenerator(opts).batches(batchRows)) yield withSchemaMetadata(transactionsTable(batch), metadata);
  })();
  await writeStreamAtomic(path, chunksOf(tables, mark));
  return { path, rows: opts.rows, bytes: (await stat(path)).size, format: format.slice(1) };
}
