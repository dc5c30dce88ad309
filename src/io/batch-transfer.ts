// A record batch handed from a worker thread to another thread: the batch's buffers are copied into
// one SharedArrayBuffer (which the worker reuses once the batch has been read, so its pages stay
// mapped; fresh buffers cost a page fault every 4 KB) and posted with a plain description of the
// batch's Data tree; its schema goes as an Arrow IPC schema message (a few hundred bytes).
// apache-arrow's classes do not survive postMessage's structured clone; typed arrays do.
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

type TypedArray = Exclude<ArrayBufferView, DataView>;
type TypedArrayOf = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArray;

/** Every buffer of a Data tree, in the order `batchParts` places them. */
function buffersOf(d: Data, out: TypedArray[] = []): TypedArray[] {
  for (const b of [d.valueOffsets, d.values, d.nullBitmap, d.typeIds, ...(d.variadicBuffers ?? [])]) if (b) out.push(b as TypedArray);
  for (const c of d.children) buffersOf(c, out);
  for (const c of d.dictionary?.data ?? []) buffersOf(c, out);
  return out;
}

/** Each buffer starts on 8 bytes, as a BigInt64Array or Float64Array view needs. */
const aligned = (bytes: number) => (bytes + 7) & ~7;

/**
 * The batch as postMessage takes it, its buffers copied into the shared buffer `slot(bytes)` gives
 * (at least `bytes` long); the batch itself may be freed afterwards.
 */
export function batchParts(batch: RecordBatch, slot: (bytes: number) => SharedArrayBuffer): BatchParts {
  const shared = slot(buffersOf(batch.data).reduce((n, b) => n + aligned(b.byteLength), 0));
  let at = 0;
  const place = <T extends ArrayBufferView | undefined>(view: T): T => {
    if (!view) return view;
    const v = view as unknown as TypedArray & { BYTES_PER_ELEMENT: number };
    const copy = new (v.constructor as TypedArrayOf)(shared, at, v.byteLength / v.BYTES_PER_ELEMENT);
    (copy as Uint8Array).set(v as Uint8Array);
    at += aligned(v.byteLength);
    return copy as unknown as T;
  };
  const partsOf = (d: Data): DataParts => ({
    offset: d.offset,
    length: d.length,
    nullCount: d.nullCount,
    buffers: [place(d.valueOffsets), place(d.values), place(d.nullBitmap), place(d.typeIds)],
    variadic: (d.variadicBuffers ?? []).map(place),
    children: d.children.map(partsOf),
    ...(d.dictionary ? { dictionary: d.dictionary.data.map(partsOf) } : {}),
  });
  const schema = tableToIPC(new Table(batch.schema), "stream");
  return { schema, data: partsOf(batch.data) };
}

/** The record batch `batchParts` described, on the receiving thread: views on the shared buffer, valid until the sender reuses it. */
export function batchFromParts(parts: BatchParts): RecordBatch {
  const schema = tableFromIPC(parts.schema).schema;
  const dataOf = (type: DataType, p: DataParts): Data => {
    const children = p.children.map((c, i) => dataOf(type.children[i]!.type, c));
    const dictionary = p.dictionary && new Vector(p.dictionary.map((d) => dataOf((type as Dictionary).dictionary, d)));
    return new Data(type, p.offset, p.length, p.nullCount, p.buffers as never, children, dictionary, p.variadic);
  };
  return new RecordBatch(schema, dataOf(new Struct(schema.fields), parts.data) as Data<Struct>);
}
