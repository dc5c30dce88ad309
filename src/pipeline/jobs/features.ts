// The `features` job: load a source, clean it, build the per-customer table, optionally write it.
import type { Table } from "apache-arrow";
import type { ColumnMap } from "../../io/columns.js";
import type { GeneratedMark } from "../../io/generated-mark.js";
import { type InputLimits, loadTransactions } from "../../io/load.js";
import type { TextFormat } from "../../io/text-format.js";
import { checkOutputFile } from "../../io/output.js";
import { tableWriter, writeTable } from "../../io/write.js";
import { drainInterruptible } from "../../engine/steps.js";
import { type CleanRows, cleanTransactionsSteps } from "../steps/clean.js";
import type { Compat } from "../options.js";
import { customerFeaturesSteps } from "../steps/features.js";
import { type StepReporter, StepTimer } from "../progress.js";

export interface FeaturesJobOptions {
  input: string;
  compat?: Compat;
  /** .arrow, .parquet or .csv; nothing is written without it. */
  out?: string;
  /** Replace an existing --out file. */
  force?: boolean;
  encoding?: string;
  map?: ColumnMap;
  /** Date format, decimal mark and CSV delimiter of the source. */
  textFormat?: TextFormat;
  cacheDir?: string | false;
  limits?: InputLimits;
  reporter?: StepReporter;
  /** Stops cleaning and features (they yield every few milliseconds) once aborted. */
  signal?: AbortSignal;
}

export interface FeaturesJobResult {
  rows: CleanRows;
  customers: number;
  timingsMs: Record<string, number>;
  features: Table;
  /** The cleaned transactions (recommendations reuse them). */
  cleaned: Table;
  /** sha256 of the source file's bytes. */
  sha256: string;
  /** The generator's parameters where the source was written by `custseg generate`. */
  generated?: GeneratedMark;
}

export async function runFeaturesJob(opts: FeaturesJobOptions): Promise<FeaturesJobResult> {
  if (opts.out) {
    tableWriter(opts.out);
    checkOutputFile(opts.out, { option: "out", inputs: [opts.input], force: opts.force });
  }
  const timer = new StepTimer(opts.reporter);
  const log = (msg: string) => timer.note(msg);
  const loaded = await timer.step(
    "load",
    () => loadTransactions(opts.input, { ...opts.textFormat, encoding: opts.encoding, map: opts.map, cacheDir: opts.cacheDir, limits: opts.limits, log }),
    (l) => `${l.table.numRows} lines (${l.format}${l.fromCache ? ", cached" : ""})`,
  );
  const clean = await timer.step("clean", () => drainInterruptible(cleanTransactionsSteps(loaded.table), opts.signal), (c) => `${c.rows.afterZeroPrice} lines kept`);
  const features = await timer.step("features", () => drainInterruptible(customerFeaturesSteps(clean.table, { compat: opts.compat }), opts.signal), (f) => `${f.numRows} customers`);
  const out = opts.out;
  if (out) await timer.step("write", () => writeTable(out, features), () => out);
  return { rows: clean.rows, customers: features.numRows, timingsMs: timer.timingsMs, features, cleaned: clean.table, sha256: loaded.sha256, generated: loaded.generated };
}
