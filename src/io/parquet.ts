// Parquet → transactions, via parquet-wasm (Parquet → Arrow in WASM) and apache-arrow. Row
// groups are decoded on worker threads (parquet-pool.ts), one record batch at a time (BATCH_ROWS
// lines at most), only the columns the transactions come from; each batch is normalised here and
// freed while the next decodes: parquet-wasm's memory is a 32-bit WASM memory, which a whole file of
// tens of millions of lines decoded at once would overflow.
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { type RecordBatch, type Table, tableFromIPC } from "apache-arrow";
import type * as ParquetWasm from "parquet-wasm";
import { groupDigits } from "../digits.js";
import { UserError } from "../errors.js";
import { type ColumnMap, resolveColumns } from "./columns.js";
import { checkLineCount, NormalizedColumns, normalizeTransactions, TransactionsNormalizer } from "./normalize.js";
import type { Decoders, FooterSummary } from "./parquet-pool.js";
import type { TextFormat } from "./text-format.js";

let parquetWasm: typeof ParquetWasm | undefined;

/** Lines decoded at once: a generated file's row group; larger row groups are read in several batches. */
export const BATCH_ROWS = 1 << 20;

/**
 * parquet-wasm, loaded (synchronously, its Node build is CommonJS) on the first Parquet read: it
 * compiles a large WASM module, which a command whose input comes from the cache never needs.
 */
function parquet(): typeof ParquetWasm {
  parquetWasm ??= createRequire(import.meta.url)("parquet-wasm") as typeof ParquetWasm;
  return parquetWasm;
}

/** A Parquet file's rows as an Arrow table, in one record batch (small tables: customers, matrices). */
export function parquetToArrow(bytes: Uint8Array, file: string): Table {
  let ipc: Uint8Array;
  try {
    // One batch as large as the file: the reader then yields a single chunk per column.
    ipc = parquet().readParquet(bytes, { batchSize: 2 ** 31 - 1 }).intoIPCStream();
  } catch (err) {
    throw unreadable(file, err);
  }
  return tableFromIPC(ipc);
}

export interface ParquetBatches {
  /** Rows the file's metadata declares. */
  rows: number;
  /** The footer's key-value metadata (the mark of generated data, among others). */
  metadata: Map<string, string>;
  /** Each batch is valid until the next is asked for (its buffers are then reused). */
  batches: AsyncGenerator<RecordBatch>;
  /** Ends the decoding when the batches are not read to their end. */
  close(): Promise<void>;
}

export interface ParquetReadOptions {
  /** Source column → transactions column, on top of the known aliases. */
  map?: ColumnMap;
  format?: TextFormat;
  /** Bound on the lines the file may declare (default DEFAULT_MAX_ROWS). */
  maxRows?: number;
  /** Lines decoded at once at most (default BATCH_ROWS). */
  batchRows?: number;
  /**
   * Threads reading the file (default: the cores): row groups decode on threads - 1 worker threads
   * (at least one) while this one normalises.
   */
  threads?: number;
  /** Stops the read between batches; the read then throws the signal's reason. */
  signal?: AbortSignal;
  /** Decoders started beforehand (bootParquetDecoders, with the same threads and signal); started here if absent. */
  decoders?: Promise<Decoders>;
}

/**
 * Starts the worker threads that will decode the Parquet file named `file`, before its bytes are
 * there (they take about a tenth of a second to start); parquetBatches gives them the bytes.
 * `close` ends them when the file is not read after all.
 */
export async function bootParquetDecoders(file: string, opts: Pick<ParquetReadOptions, "threads" | "signal"> = {}): Promise<Decoders> {
  // Decoding runs on worker threads even for one: a damaged page traps parquet-wasm's WASM from a
  // task of its own, beyond any catch on the thread it runs on (it would end the process with a
  // stack trace); a worker's trap ends only the worker, and is worded as the file's. This thread
  // normalises meanwhile; threads beyond the cores would only contend for them, each worker with a
  // WASM memory of its own. The workers start before the footer is known, and the first reads it:
  // this thread never loads parquet-wasm for a file it streams.
  const workers = Math.max(1, Math.min(opts.threads ?? availableParallelism(), availableParallelism()) - 1);
  const { startDecoders } = await import("./parquet-pool.js");
  return startDecoders(file, { workers, signal: opts.signal, unreadable: (message) => unreadable(file, message) });
}

/** A Parquet file's record batches, decoded on worker threads, each at most `batchRows` rows. */
export async function parquetBatches(bytes: Uint8Array, file: string, opts: ParquetReadOptions = {}): Promise<ParquetBatches> {
  const batchRows = opts.batchRows ?? BATCH_ROWS;
  const decoders = await (opts.decoders ?? bootParquetDecoders(file, opts));
  decoders.open(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  let footer: FooterSummary;
  let columns: string[] | undefined;
  try {
    footer = await decoders.footer;
    // The footer's count sizes the reader's buffers: it has to agree with the row groups' own.
    const { rows, groupRows } = footer;
    if (groupRows !== rows) throw new UserError(`${file}: the footer declares ${groupDigits(rows)} rows, its row groups hold ${groupDigits(groupRows)}`, 1, { input: file });
    checkLineCount(rows, file, opts.maxRows);
    columns = neededColumns(footer.names, opts.map ?? {}, file);
  } catch (err) {
    await decoders.close();
    throw err;
  }
  const batches = decoders.batches(footer.groups, { batchRows, columns });
  return { rows: footer.rows, metadata: new Map(footer.metadata), batches, close: decoders.close };
}

/**
 * The source columns the transactions come from, by name, when the file has others (they are then
 * never decoded); undefined when every column is needed, or when names repeat (a name would then
 * select more than the one column resolved).
 */
function neededColumns(names: string[], map: ColumnMap, file: string): string[] | undefined {
  const at = resolveColumns(names, map, file);
  const needed = new Set(Object.values(at));
  if (needed.size === names.length || new Set(names).size !== names.length) return undefined;
  return names.filter((_, i) => needed.has(i));
}

/** The transactions of a Parquet file, read and normalised batch by batch (`batchRows` lines at most each). */
export async function readParquetTransactions(bytes: Uint8Array, file: string, opts: ParquetReadOptions = {}): Promise<Table> {
  const { map = {}, format = {} } = opts;
  const source = await parquetBatches(bytes, file, opts);
  let columns: NormalizedColumns;
  try {
    columns = new NormalizedColumns(source.rows, file);
  } catch (err) {
    await source.close();
    throw err;
  }
  const batches = source.batches;
  const next = batches.next();
  // While the workers decode the first row group (the slowest: parquet-wasm's code is still cold),
  // this thread writes the output's pages, and stops as soon as the batch is there.
  let waiting = true;
  next.then(
    () => (waiting = false),
    () => (waiting = false),
  );
  const prefault = columns.prefaultSteps();
  while (waiting && !prefault.next().done) await new Promise((resolve) => setImmediate(resolve));
  let normalizer: TransactionsNormalizer | undefined;
  let read = 0;
  try {
    for (let r = await next; !r.done; r = await batches.next()) {
      const batch = r.value;
      normalizer ??= new TransactionsNormalizer(batch.schema, columns, map, file, format);
      normalizer.append(batch);
      read += batch.numRows;
    }
  } catch (err) {
    // A batch refused here leaves the workers decoding: ending the batches ends them.
    await batches.return(undefined);
    throw err;
  }
  // Fewer lines than declared is a damaged file, not a shorter table.
  if (read !== source.rows) throw new UserError(`${file}: holds ${groupDigits(read)} readable rows of the ${groupDigits(source.rows)} it declares`, 1, { input: file });
  if (!normalizer) {
    // No batch at all: the columns still have to be there.
    return normalizeTransactions(tableFromIPC(parquet().readSchema(bytes).intoIPCStream()), map, file, format);
  }
  return normalizer.finish(source.metadata);
}

const unreadable = (file: string, err: unknown): UserError => new UserError(`${file}: not a readable Parquet file (${err instanceof Error ? err.message : String(err)})`);
