// The generator's output formats, by extension. Each turns batches of transactions into file chunks
// lazily, and the writer waits for the disk before asking for more, so memory stays flat for any --rows.
import { RecordBatchStreamWriter, type Table, tableToIPC } from "apache-arrow";
import { Compression, transformParquetStream, Table as WasmTable, WriterPropertiesBuilder } from "parquet-wasm";
import { csvMarkLine, type GeneratedMark, markMetadata } from "../generated-mark.js";
import { tableToCsv } from "../write.js";

type Chunks = Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

export const FORMATS: Record<string, (tables: Iterable<Table>, mark: GeneratedMark) => Chunks> = {
  ".csv": csvChunks,
  ".arrow": arrowChunks,
  ".parquet": parquetChunks,
};

/**
 * CSV through the project's CSV writer, one batch at a time; the header comes once, after a comment
 * line naming the generator (custseg's reader skips it; other tools may need to be told to).
 */
function* csvChunks(tables: Iterable<Table>, mark: GeneratedMark): Generator<string> {
  yield csvMarkLine(mark);
  let first = true;
  for (const table of tables) {
    const text = tableToCsv(table);
    yield first ? text : text.slice(text.indexOf("\n") + 1);
    first = false;
  }
}

/**
 * An Arrow IPC stream (each batch carries its own dictionaries). The writer queues bytes in memory;
 * after each batch we take what it queued (until the queue is momentarily empty) before generating more.
 */
async function* arrowChunks(tables: Iterable<Table>): AsyncGenerator<Uint8Array> {
  const writer = new RecordBatchStreamWriter();
  const queued = writer[Symbol.asyncIterator]();
  let pending = queued.next();
  const empty = () => new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)));
  for (const table of tables) {
    for (const batch of table.batches) writer.write(batch);
    for (let r = await Promise.race([pending, empty()]); r; r = await Promise.race([pending, empty()])) {
      yield r.value;
      pending = queued.next();
    }
  }
  writer.finish();
  for (let r = await pending; !r.done; r = await queued.next()) yield r.value;
}

/**
 * Parquet (zstd, as writeTable writes it) through parquet-wasm's streaming writer, pulled batch by
 * batch; the mark goes into the footer's key-value metadata.
 */
async function* parquetChunks(tables: Iterable<Table>, mark: GeneratedMark): AsyncGenerator<Uint8Array> {
  const it = tables[Symbol.iterator]();
  const batches = new ReadableStream({
    pull(controller) {
      const next = it.next();
      if (next.done) controller.close();
      else for (const b of WasmTable.fromIPCStream(tableToIPC(next.value, "stream")).recordBatches()) controller.enqueue(b);
    },
  });
  const props = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).setKeyValueMetadata(markMetadata(mark)).build();
  const reader = (await transformParquetStream(batches, props)).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value as Uint8Array;
}
