// Raw buffers of a single-batch transactions table (see src/io/schema.ts): the pipeline's hot loops
// read typed arrays directly instead of calling Vector.get per row.
import type { Data, Table } from "apache-arrow";

/** The one Data chunk of a column; a table with no rows has none. */
function chunk(table: Table, name: string): Data | undefined {
  const col = table.getChild(name);
  if (!col) throw new Error(`table has no column ${name} (columns: ${table.schema.fields.map((f) => f.name).join(", ")})`);
  if (col.data.length > 1) throw new Error(`column ${name} has ${col.data.length} chunks; expected one record batch`);
  return col.data[0];
}

/** 1 where the row holds a value, 0 where it is null. */
export function validity(table: Table, name: string): Uint8Array {
  const data = chunk(table, name);
  const n = table.numRows;
  const out = new Uint8Array(n);
  if (!data || data.nullCount === 0 || !data.nullBitmap) return out.fill(1);
  const bits = data.nullBitmap;
  const off = data.offset;
  for (let i = 0; i < n; i++) out[i] = (bits[(off + i) >> 3] >> ((off + i) & 7)) & 1;
  return out;
}

/**
 * The column's validity bitmap from row 0 (bit r set = row r holds a value; read it, do not write
 * it: it may be the column's own), or undefined when the column holds no null.
 */
export function validityBits(table: Table, name: string): Uint8Array | undefined {
  const data = chunk(table, name);
  if (!data || data.nullCount === 0 || !data.nullBitmap) return undefined;
  const n = table.numRows;
  const bits = data.nullBitmap;
  const off = data.offset;
  if ((off & 7) === 0) return bits.subarray(off >> 3, (off >> 3) + ((n + 7) >> 3));
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) out[i >> 3]! |= ((bits[(off + i) >> 3]! >> ((off + i) & 7)) & 1) << (i & 7);
  return out;
}

/** Per-row indices of a dictionary column into its (distinct) dictionary values. */
export function dictCodes(table: Table, name: string): Int32Array {
  return (dictChunk(table, name)?.values as Int32Array | undefined) ?? new Int32Array(0);
}

/** The dictionary's values, decoded (call once: a few milliseconds for thousands of entries). */
export function dictValues(table: Table, name: string): string[] {
  const vector = dictChunk(table, name)?.dictionary;
  if (!vector) return [];
  // One chunk of Utf8 without nulls (what a transactions table holds); anything else through Arrow.
  const dict = vector.data.length === 1 ? vector.data[0]! : undefined;
  if (dict?.nullCount !== 0 || !(dict.valueOffsets instanceof Int32Array)) return vector.toArray() as string[];
  return utf8Entries(dict.valueOffsets, dict.values as Uint8Array, dict.length);
}

const UTF8 = new TextDecoder("utf-8");
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The `n` strings of a Utf8 buffer, as Arrow's reader decodes them one by one. Text of 7-bit ASCII
 * (stock codes, most descriptions) is decoded in one call and cut at the offsets, which then count
 * characters as they count bytes; anything else is decoded entry by entry, as before. The whole
 * text is ASCII when its decoding is, character for byte: no other byte decodes to an ASCII
 * character, and a byte-order mark the decoder drops shortens it.
 */
function utf8Entries(offsets: Int32Array, bytes: Uint8Array, n: number): string[] {
  const out = new Array<string>(n);
  const start = offsets[0]!;
  const all = bytes.subarray(start, offsets[n]!);
  const text = UTF8.decode(all);
  if (text.length === all.length && !NON_ASCII.test(text)) {
    for (let i = 0; i < n; i++) out[i] = text.slice(offsets[i]! - start, offsets[i + 1]! - start);
  } else {
    for (let i = 0; i < n; i++) out[i] = UTF8.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!));
  }
  return out;
}

/**
 * Per dictionary entry, 1 where its UTF-8 text starts with the byte `first`: a prefix test on
 * hundreds of thousands of invoice numbers without decoding them.
 */
export function dictFirstBytesAre(table: Table, name: string, first: number): Uint8Array {
  const vector = dictChunk(table, name)?.dictionary;
  if (!vector) return new Uint8Array(0);
  if (vector.data.length !== 1) {
    const text = String.fromCharCode(first);
    return Uint8Array.from(vector.toArray() as string[], (v) => (v.startsWith(text) ? 1 : 0));
  }
  const dict = vector.data[0]!;
  const n = dict.length;
  const offsets = dict.valueOffsets as Int32Array;
  const bytes = dict.values as Uint8Array;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (offsets[i + 1] > offsets[i] && bytes[offsets[i]] === first) out[i] = 1;
  return out;
}

/**
 * A Bool column's packed values: row r's bit is (bits[(offset + r) >> 3] >> ((offset + r) & 7)) & 1
 * (nulls read as their stored bit), read where needed rather than unpacked per row.
 */
export function boolBits(table: Table, name: string): { bits: Uint8Array; offset: number } {
  const data = chunk(table, name);
  return data ? { bits: data.values as Uint8Array, offset: data.offset } : { bits: new Uint8Array(0), offset: 0 };
}

/** A dictionary column: per-row index into `values` (the dictionary's distinct strings). */
export interface DictColumn {
  codes: Int32Array;
  values: string[];
}

export function dictColumn(table: Table, name: string): DictColumn {
  return { codes: dictCodes(table, name), values: dictValues(table, name) };
}

/** Number of dictionary entries, without decoding them. */
export function dictSize(table: Table, name: string): number {
  return dictChunk(table, name)?.dictionary?.length ?? 0;
}

function dictChunk(table: Table, name: string): Data | undefined {
  const data = chunk(table, name);
  if (data && !data.dictionary) throw new Error(`column ${name} is not dictionary-encoded`);
  return data;
}

export function int32Column(table: Table, name: string): Int32Array {
  return (chunk(table, name)?.values as Int32Array | undefined) ?? new Int32Array(0);
}

export function float64Column(table: Table, name: string): Float64Array {
  return (chunk(table, name)?.values as Float64Array | undefined) ?? new Float64Array(0);
}

/**
 * Millisecond timestamps as numbers. Read through an Int32 view of the BigInt64 buffer
 * (little-endian low/high words): converting 400k BigInts one by one is several times slower.
 */
export function timestampMs(table: Table, name: string): Float64Array {
  const words = timestampWords(table, name);
  const n = words.length >> 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
  return out;
}

/** A timestamp column's values as little-endian (low, high) 32-bit word pairs: no copy, no BigInt. */
export function timestampWords(table: Table, name: string): Int32Array {
  const values = chunk(table, name)?.values as BigInt64Array | undefined;
  return values ? new Int32Array(values.buffer, values.byteOffset, table.numRows * 2) : new Int32Array(0);
}
