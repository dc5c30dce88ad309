// A worker thread of parquet-pool.ts: loads parquet-wasm before it is given its file, then reads
// the file's footer (the first worker) and decodes the row groups it is given, one at a time, each
// as record batches handed over in order. Decoding (decompression, Parquet pages → Arrow arrays) is
// most of a Parquet read's CPU time; in a worker it overlaps the main thread's normalisation of the
// batches before. Each batch leaves WASM memory through the Arrow C Data Interface (arrow-js-ffi
// reads its buffers in place) and is copied once, into a shared buffer the main thread reads it
// from (batch-transfer.ts).
import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";
import { type Data, DataType, Dictionary, type Field, RecordBatch, Schema, Type, tableFromIPC } from "apache-arrow";
import { parseRecordBatch } from "arrow-js-ffi";
import type * as ParquetWasm from "parquet-wasm";
import { type BatchParts, batchParts } from "./batch-transfer.js";

export type DecodeRequest =
  /** The file to decode, shared (a Blob is not copied between threads); sent first, once. */
  | { type: "open"; file: Blob; describe: boolean }
  /** Decode row group `group` in batches of at most `batchRows` lines (only `columns`, if given). */
  | { type: "group"; group: number; batchRows: number; columns?: string[] }
  /** The oldest batch handed over has been taken: the worker may hand over the next. */
  | { type: "taken" }
  /** The batch in shared buffer `slot` has been read: the buffer may take another. */
  | { type: "release"; slot: number };

/** What the pool needs of the footer to check the file and plan its reading. */
export interface FooterSummary {
  /** Rows the footer declares. */
  rows: number;
  /** Rows its row groups declare, together. */
  groupRows: number;
  groups: number;
  /** The footer's key-value metadata. */
  metadata: [string, string][];
  /** The file's column names, in order. */
  names: string[];
}

export type DecodeReply =
  | { type: "footer"; footer: FooterSummary }
  | { type: "batch"; group: number; slot: number; batch: BatchParts }
  | { type: "end"; group: number }
  /** `group` is absent when the file itself could not be opened. */
  | { type: "error"; group?: number; message: string };

const port = parentPort!;
const wasm = createRequire(import.meta.url)("parquet-wasm") as typeof ParquetWasm;

// Batches handed over and not yet taken, and the decode waiting for that count to fall.
let untaken = 0;
let onTaken: (() => void) | undefined;

// Row groups given and not yet decoded, in order: the next one is given before the current one
// ends, so the worker goes on without waiting for the main thread to wake up between groups.
const queue: Extract<DecodeRequest, { type: "group" }>[] = [];
let decoding = false;

// Shared buffers the batches are copied into, by slot number: one batch handed over and one being
// read on the main thread at most, so about two per worker, reused batch after batch.
const lent = new Map<number, SharedArrayBuffer>();
const spare: SharedArrayBuffer[] = [];
let lastSlot = 0;

let handle: Promise<ParquetWasm.ParquetFile>;

/** Opens the file; the describing worker reports its footer (or why it cannot be read). */
function open(file: Blob, describe: boolean): void {
  handle = wasm.ParquetFile.fromFile(file);
  if (describe) {
    handle.then(
      (h) => port.postMessage({ type: "footer", footer: footerOf(h) } satisfies DecodeReply),
      (err) => port.postMessage({ type: "error", message: messageOf(err) } satisfies DecodeReply),
    );
  } else {
    handle.catch(() => {}); // the describing worker says it
  }
}

port.on("message", (m: DecodeRequest) => {
  if (m.type === "open") return open(m.file, m.describe);
  if (m.type === "release") {
    const buffer = lent.get(m.slot);
    lent.delete(m.slot);
    if (buffer) spare.push(buffer);
    return;
  }
  if (m.type === "taken") {
    untaken--;
    onTaken?.();
    return;
  }
  queue.push(m);
  if (!decoding) void decodeQueued();
});

function footerOf(h: ParquetWasm.ParquetFile): FooterSummary {
  const all = h.metadata();
  const meta = all.fileMetadata();
  const groups = all.numRowGroups();
  let groupRows = 0;
  for (let g = 0; g < groups; g++) groupRows += all.rowGroup(g).numRows();
  return {
    rows: meta.numRows(),
    groupRows,
    groups,
    metadata: [...meta.keyValueMetadata()].map(([k, v]) => [String(k), String(v)]),
    // Through Arrow IPC: a schema message is small, and any type is read (the C Data reader knows fewer).
    names: tableFromIPC(h.schema().intoIPCStream()).schema.fields.map((f) => f.name),
  };
}

async function decodeQueued(): Promise<void> {
  decoding = true;
  for (let next = queue.shift(); next; next = queue.shift()) await decodeGroup(next);
  decoding = false;
}

async function decodeGroup({ group, batchRows, columns }: Extract<DecodeRequest, { type: "group" }>): Promise<void> {
  try {
    const stream = await (await handle).stream({ rowGroups: [group], batchSize: batchRows, ...(columns ? { columns } : {}) });
    const reader = stream.getReader();
    let next = await reader.read();
    while (!next.done) {
      handOver(group, next.value as ParquetWasm.RecordBatch);
      // The next batch decodes while this one is normalised, and is handed over once it is taken:
      // a worker holds at most one batch decoded and one handed over.
      next = await reader.read();
      while (untaken > 0) await new Promise<void>((resolve) => (onTaken = resolve));
      onTaken = undefined;
    }
    port.postMessage({ type: "end", group } satisfies DecodeReply);
  } catch (err) {
    port.postMessage({ type: "error", group, message: messageOf(err) } satisfies DecodeReply);
  }
}

/**
 * Hands a decoded batch over and frees its WASM side. Read in place through the C Data Interface;
 * through Arrow IPC when arrow-js-ffi does not read one of its types, or when an array starts at an
 * offset (arrow-js-ffi reads a buffer from its start, for `length` values, so it would drop the
 * tail of such an array).
 */
function handOver(group: number, decoded: ParquetWasm.RecordBatch): void {
  const exported = decoded.toFFI();
  try {
    const batch = inPlace(exported);
    if (batch) {
      post(group, batch);
      decoded.free();
      return;
    }
  } finally {
    exported.free();
  }
  for (const batch of tableFromIPC(decoded.intoIPCStream()).batches) post(group, batch);
}

/** The exported batch as views on WASM memory, or undefined where the IPC export has to read it. */
function inPlace(exported: ParquetWasm.FFIData): RecordBatch | undefined {
  try {
    // Read after the export: memory growth replaces the buffer.
    const batch = parseRecordBatch(wasm.wasmMemory().buffer, exported.arrayAddr(), exported.schemaAddr(), false);
    const schema = inPlaceSchema(batch.schema);
    return schema && startsAtZero(batch.data) ? new RecordBatch(schema, batch.data) : undefined;
  } catch {
    return undefined; // a type arrow-js-ffi does not read
  }
}

/** Copies the batch into a shared buffer (a spare one large enough, or a new one) and posts it. */
function post(group: number, batch: RecordBatch): void {
  const slot = ++lastSlot;
  const parts = batchParts(batch, (bytes) => {
    spare.sort((x, y) => x.byteLength - y.byteLength);
    const fit = spare.findIndex((b) => b.byteLength >= bytes);
    // Spares too small for this batch are dropped: the next batches are about as large. A new one
    // has an eighth to spare, so that a slightly larger batch after it (a row group with more
    // distinct texts) reuses it rather than faulting in the pages of another.
    const buffer = fit >= 0 ? spare.splice(fit, 1)[0]! : new SharedArrayBuffer(bytes + (bytes >> 3));
    if (fit < 0) spare.length = 0;
    lent.set(slot, buffer);
    return buffer;
  });
  port.postMessage({ type: "batch", group, slot, batch: parts } satisfies DecodeReply);
  untaken++;
}

/**
 * Flat types whose buffers arrow-js-ffi views at their full size (it views an interval's or a
 * decimal's values at one element per value, a fraction of them); columns of other types, or nested
 * ones, go through the IPC export.
 */
const IN_PLACE = new Set([Type.Null, Type.Int, Type.Float, Type.Bool, Type.Utf8, Type.LargeUtf8, Type.Binary, Type.LargeBinary, Type.Date, Type.Time, Type.Timestamp, Type.Duration]);

/**
 * The schema of a batch read in place, or undefined when a column's type is not read in place.
 * arrow-js-ffi types a dictionary's values as a Field where apache-arrow (its IPC writer among
 * others) expects a DataType: a dictionary column's type is rebuilt with the values' type.
 */
function inPlaceSchema(schema: Schema): Schema | undefined {
  const valuesOf = (t: Dictionary): DataType => (typeof (t.dictionary as { typeId?: unknown }).typeId === "number" ? t.dictionary : (t.dictionary as unknown as Field).type);
  const fields: Field[] = [];
  for (const f of schema.fields) {
    const type = DataType.isDictionary(f.type) ? new Dictionary(valuesOf(f.type), f.type.indices, f.type.id, f.type.isOrdered) : f.type;
    if (!IN_PLACE.has((DataType.isDictionary(type) ? type.dictionary : type).typeId)) return undefined;
    fields.push(f.clone({ type }));
  }
  return new Schema(fields, schema.metadata);
}

const startsAtZero = (d: Data): boolean => d.offset === 0 && d.children.every(startsAtZero) && (d.dictionary?.data.every(startsAtZero) ?? true);

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
