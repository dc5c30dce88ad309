// A record batch handed from a worker thread to another thread without copying its columns: the
// batch's buffers are transferred (moved, not cloned) along with a plain description of its Data
// tree, and its schema goes as an Arrow IPC schema message (a few hundred bytes). apache-arrow's
// classes do not survive postMessage's structured clone; typed arrays and their buffers do.
import { Data, type DataType, type Dictionary, RecordBatch, Struct, Table, tableFromIPC, tableToIPC, Vector } from "apache-arrow";

/** One Data node: what `new Data(...)` takes back, buffers in apache-arrow's order (offsets, values, validity, type ids). */
interface DataParts {
  offset: number;
  length: number;
  nullCount: number;
  buffers: (ArrayBufferView | undefined)[];
  variadic: Uint8Array[];
  children: DataParts[];
  /** A dictionary column's values, chunk by chunk. */
  dictionary?: DataParts[];
}

export interface BatchParts {
  /** The batch's schema as an Arrow IPC stream holding no batch. */
  schema: Uint8Array;
  data: DataParts;
}

/** The batch as postMessage takes it, and the buffers to transfer with it (each once). */
export function batchParts(batch: RecordBatch): { parts: BatchParts; transfer: ArrayBuffer[] } {
  const buffers = new Set<ArrayBuffer>();
  const keep = <T extends ArrayBufferView | undefined>(view: T): T => {
    // A SharedArrayBuffer is shared by the clone, not moved; only ArrayBuffers go in the transfer list.
    if (view && view.buffer instanceof ArrayBuffer) buffers.add(view.buffer);
    return view;
  };
  const partsOf = (d: Data): DataParts => ({
    offset: d.offset,
    length: d.length,
    nullCount: d.nullCount,
    buffers: [keep(d.valueOffsets), keep(d.values), keep(d.nullBitmap), keep(d.typeIds)],
    variadic: (d.variadicBuffers ?? []).map(keep),
    children: d.children.map(partsOf),
    ...(d.dictionary ? { dictionary: d.dictionary.data.map(partsOf) } : {}),
  });
  const schema = tableToIPC(new Table(batch.schema), "stream");
  return { parts: { schema, data: partsOf(batch.data) }, transfer: [...buffers] };
}

/** The record batch `batchParts` described, on the receiving thread (its buffers are used as they are). */
export function batchFromParts(parts: BatchParts): RecordBatch {
  const schema = tableFromIPC(parts.schema).schema;
  const dataOf = (type: DataType, p: DataParts): Data => {
    const children = p.children.map((c, i) => dataOf(type.children[i]!.type, c));
    const dictionary = p.dictionary && new Vector(p.dictionary.map((d) => dataOf((type as Dictionary).dictionary, d)));
    return new Data(type, p.offset, p.length, p.nullCount, p.buffers as never, children, dictionary, p.variadic);
  };
  return new RecordBatch(schema, dataOf(new Struct(schema.fields), parts.data) as Data<Struct>);
}
