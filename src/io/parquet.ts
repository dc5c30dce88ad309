// Parquet → transactions, via parquet-wasm (Parquet → Arrow IPC in WASM) and apache-arrow. The
// transactions are decoded one record batch at a time (BATCH_ROWS lines at most) and each batch is
// normalised and freed before the next: parquet-wasm's memory is a 32-bit WASM memory, which a
// whole file of tens of millions of lines decoded at once would overflow.
import { createRequire } from "node:module";
import { type RecordBatch, type Table, tableFromIPC } from "apache-arrow";
import type * as ParquetWasm from "parquet-wasm";
import { UserError } from "../errors.js";
import type { ColumnMap } from "./columns.js";
import { normalizeTransactions, TransactionsNormalizer } from "./normalize.js";
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
  batches: AsyncGenerator<RecordBatch>;
}

/** A Parquet file's record batches, decoded one at a time, each at most `batchRows` rows. */
export async function parquetBatches(bytes: Uint8Array, file: string, batchRows = BATCH_ROWS): Promise<ParquetBatches> {
  const wasm = parquet();
  let handle: ParquetWasm.ParquetFile;
  let stream: ReadableStream;
  let rows: number;
  let metadata: Map<string, string>;
  try {
    handle = await wasm.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    const meta = handle.metadata().fileMetadata();
    rows = meta.numRows();
    metadata = new Map([...meta.keyValueMetadata()].map(([k, v]) => [String(k), String(v)]));
    stream = await handle.stream({ batchSize: batchRows });
  } catch (err) {
    throw unreadable(file, err);
  }
  async function* batches(): AsyncGenerator<RecordBatch> {
    const reader = stream.getReader();
    try {
      for (;;) {
        let ipc: Uint8Array;
        try {
          const next = await reader.read();
          if (next.done) return;
          ipc = (next.value as ParquetWasm.RecordBatch).intoIPCStream();
        } catch (err) {
          throw unreadable(file, err);
        }
        yield* tableFromIPC(ipc).batches;
      }
    } finally {
      await reader.cancel().catch(() => undefined);
      handle.free();
    }
  }
  return { rows, metadata, batches: batches() };
}

/** The transactions of a Parquet file, read and normalised batch by batch (`batchRows` lines at most each). */
export async function readParquetTransactions(bytes: Uint8Array, file: string, map: ColumnMap = {}, format: TextFormat = {}, batchRows = BATCH_ROWS): Promise<Table> {
  const source = await parquetBatches(bytes, file, batchRows);
  let normalizer: TransactionsNormalizer | undefined;
  for await (const batch of source.batches) {
    normalizer ??= new TransactionsNormalizer(batch.schema, source.rows, map, file, format);
    normalizer.append(batch);
  }
  if (!normalizer) {
    // No batch at all: the columns still have to be there.
    return normalizeTransactions(tableFromIPC(parquet().readSchema(bytes).intoIPCStream()), map, file, format);
  }
  return normalizer.finish(source.metadata);
}

const unreadable = (file: string, err: unknown) => new UserError(`${file}: not a readable Parquet file (${err instanceof Error ? err.message : String(err)})`);
