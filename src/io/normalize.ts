// Any Arrow table with the transactions columns (under any known name, in any reasonable type)
// → the transactions schema. Used by the Parquet and Arrow IPC readers.
//   text columns:  Utf8, LargeUtf8, Utf8View, Dictionary<…Utf8>, or numbers (written as integer text)
//   Quantity, CustomerID: any integer or whole-valued float type (NaN in CustomerID = null), or text
//   UnitPrice: any numeric type, or text;  InvoiceDate: Timestamp (no zone / UTC), Date, or text
import { type Data, type DataType, makeVector, Precision, RecordBatch, Schema, Table, Type, type Vector } from "apache-arrow";
import { groupDigits } from "../digits.js";
import { LimitError, UserError } from "../errors.js";
import { type ColumnMap, resolveColumns } from "./columns.js";
import { DateTexts } from "./date-column.js";
import { DEFAULT_MAX_ROWS } from "./limits.js";
import { markFromMetadata, markMetadata } from "./generated-mark.js";
import { type DecimalMark, isInt32, numberProblem, numberText, parseDecimal } from "./numbers.js";
import { excerpt } from "./excerpt.js";
import {
  DICTIONARY_COLUMNS,
  type DictionaryColumn,
  exactTransactions,
  isTransactionsTable,
  setInt64Word,
  TRANSACTION_COLUMNS,
  type TransactionColumn,
  transactionsTableOf,
  withSchemaMetadata,
} from "./schema.js";
import { DictionaryFullError, Utf8Dictionary } from "./utf8-dictionary.js";
import { copyBits, countClear, setBit, setBits, settleNullIndices, zeroWhereClear } from "./validity-bits.js";
import type { TextFormat } from "./text-format.js";

/**
 * The table with the transactions schema in one batch; `file` names the source in errors. Of the
 * source's schema metadata only the mark of generated data is kept.
 */
export function normalizeTransactions(table: Table, map: ColumnMap, file: string, format: TextFormat = {}): Table {
  const mark = markFromMetadata(table.schema.metadata);
  if (isTransactionsTable(table) && Object.keys(map).length === 0) return withSchemaMetadata(withoutMetadata(exactTransactions(table)), mark && markMetadata(mark));
  const normalizer = new TransactionsNormalizer(table.schema, table.numRows, map, file, format);
  for (const batch of table.batches) normalizer.append(batch);
  return normalizer.finish(table.schema.metadata);
}

/** Refuses a source that declares more lines than the bound, before any buffer is sized for them. */
export function checkLineCount(rows: number, file: string, maxRows = DEFAULT_MAX_ROWS): void {
  if (rows > maxRows) throw new LimitError(`${file}: holds ${groupDigits(rows)} lines, more than the limit of ${groupDigits(maxRows)}`, "rows");
}

/** Rows of one transactions table at most: its columns are single Arrow arrays with 32-bit dictionary indices. */
export const MAX_TRANSACTION_ROWS = 2 ** 31 - 1;

/** The buffers a normaliser writes the transactions into, sized once for the whole source. */
export class NormalizedColumns {
  readonly indices: Record<DictionaryColumn, Int32Array>;
  /** Description's validity bitmap (the other text columns may hold no null). */
  readonly descriptionBits: Uint8Array;
  readonly quantity: Int32Array;
  readonly price: Float64Array;
  readonly customer: Int32Array;
  readonly customerBits: Uint8Array;
  readonly dates: BigInt64Array;

  /** `capacity`: the rows the source declares; `file` names it in errors. */
  constructor(
    readonly capacity: number,
    file: string,
  ) {
    // The buffers are sized before any row is read, from a count the source only claims to hold.
    if (!Number.isSafeInteger(capacity) || capacity < 0 || capacity > MAX_TRANSACTION_ROWS) {
      throw new UserError(`${file}: declares ${groupDigits(capacity)} rows; a transactions table holds at most ${groupDigits(MAX_TRANSACTION_ROWS)}`, 1, { input: file });
    }
    this.indices = Object.fromEntries(DICTIONARY_COLUMNS.map((c) => [c, new Int32Array(capacity)])) as Record<DictionaryColumn, Int32Array>;
    this.descriptionBits = new Uint8Array((capacity + 7) >> 3);
    this.quantity = new Int32Array(capacity);
    this.price = new Float64Array(capacity);
    this.customer = new Int32Array(capacity);
    this.customerBits = new Uint8Array((capacity + 7) >> 3);
    this.dates = new BigInt64Array(capacity);
  }

  /**
   * Writes every page once, a slice at a time (a step per yield). A fresh buffer's pages are mapped
   * on their first write, one page fault per 4 KB (about 200 MB for 5 M lines); a reader waiting for
   * its first decoded batch takes these steps meanwhile, instead of faulting while it normalises.
   */
  *prefaultSteps(): Generator<void> {
    const slice = 1 << 21; // elements: 8 MB of int32
    const words = (a: ArrayBufferView) => new Int32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
    for (const a of [...Object.values(this.indices), this.quantity, words(this.price), this.customer, words(this.dates)]) {
      for (let at = 0; at < a.length; at += slice) {
        a.fill(0, at, at + slice);
        yield;
      }
    }
    this.descriptionBits.fill(0);
    this.customerBits.fill(0);
  }
}

/**
 * Record batches of one source schema → the transactions table, a batch at a time: each batch is
 * converted into column buffers sized once for the whole source, so a reader can hand over batches
 * as it decodes them and free each one. Text goes into byte-keyed dictionaries (see
 * utf8-dictionary.ts); the only per-row work is on typed arrays.
 */
export class TransactionsNormalizer {
  private readonly at: Record<TransactionColumn, number>;
  private readonly names: string[];
  private readonly readers: Record<TransactionColumn, ColumnReader>;
  private readonly dicts: Record<DictionaryColumn, Utf8Dictionary>;
  private readonly dateWords: Int32Array;
  private readonly capacity: number;
  private dateTexts: DateTexts | undefined;
  private rows = 0;

  private readonly out: NormalizedColumns;

  /**
   * `capacity`: the source's row count (a batch beyond it is an error: the source said otherwise), or
   * the buffers allocated for it beforehand.
   */
  constructor(
    schema: Schema,
    capacity: number | NormalizedColumns,
    map: ColumnMap,
    private readonly file: string,
    private readonly format: TextFormat = {},
  ) {
    this.out = typeof capacity === "number" ? new NormalizedColumns(capacity, file) : capacity;
    this.capacity = this.out.capacity;
    this.names = schema.fields.map((f) => f.name);
    this.at = resolveColumns(this.names, map, file);
    this.readers = Object.fromEntries(TRANSACTION_COLUMNS.map((c) => [c, new ColumnReader(this.names[this.at[c]]!, file, format)])) as Record<TransactionColumn, ColumnReader>;
    this.dicts = Object.fromEntries(DICTIONARY_COLUMNS.map((c) => [c, new Utf8Dictionary()])) as Record<DictionaryColumn, Utf8Dictionary>;
    this.dateWords = new Int32Array(this.out.dates.buffer, this.out.dates.byteOffset, 2 * this.capacity);
  }

  /** Converts one batch (the schema the normalizer was made with), appending its rows. */
  append(batch: RecordBatch): void {
    const n = batch.numRows;
    const base = this.rows;
    if (base + n > this.capacity) throw new UserError(`${this.file}: holds more rows than the ${this.capacity} it declares`, 1, { input: this.file });
    const data = (c: TransactionColumn) => batch.data.children[this.at[c]] as Data;
    const out = this.out;
    for (const c of DICTIONARY_COLUMNS) this.readers[c].text(data(c), base, this.dicts[c], out.indices[c], c === "Description" ? out.descriptionBits : undefined);
    this.readers.Quantity.int32(data("Quantity"), base, out.quantity, undefined);
    this.readers.CustomerID.int32(data("CustomerID"), base, out.customer, out.customerBits);
    this.readers.UnitPrice.float64(data("UnitPrice"), base, out.price);
    // Dates given as text are read once the whole column is known.
    this.readers.InvoiceDate.wallClock(data("InvoiceDate"), base, this.dateWords, () => (this.dateTexts ??= new DateTexts(this.capacity)));
    this.rows = base + n;
  }

  /** The transactions table of every row appended; of `metadata` only the mark of generated data is kept. */
  finish(metadata?: ReadonlyMap<string, string>): Table {
    const rows = this.rows;
    if (this.dateTexts) {
      const name = this.names[this.at.InvoiceDate]!;
      this.dateTexts.resolveEach((r, ms) => setInt64Word(this.dateWords, r, ms), this.format.dateFormat ?? "auto", (row) => `${this.file}: row ${row + 1}, column ${excerpt(name)}`, this.file);
    }
    const out = this.out;
    const cut = <T extends Int32Array | Float64Array | BigInt64Array>(a: T): T => (rows === this.capacity ? a : (a.subarray(0, rows) as T));
    const validity = (bitmap: Uint8Array) => ({ bitmap: bitmap.subarray(0, (rows + 7) >> 3), nulls: countClear(bitmap, rows) });
    const dictionary = (c: DictionaryColumn) => ({ indices: cut(out.indices[c]), dictionary: this.dicts[c].toVector() });
    const table = transactionsTableOf({
      length: rows,
      dictionaries: {
        InvoiceNo: dictionary("InvoiceNo"),
        StockCode: dictionary("StockCode"),
        Description: { ...dictionary("Description"), validity: validity(out.descriptionBits) },
        Country: dictionary("Country"),
      },
      Quantity: cut(out.quantity),
      InvoiceDate: cut(out.dates),
      UnitPrice: cut(out.price),
      CustomerID: cut(out.customer),
      CustomerIDValid: validity(out.customerBits),
    });
    const mark = markFromMetadata(metadata);
    return withSchemaMetadata(table, mark && markMetadata(mark));
  }
}

const withoutMetadata = (table: Table) => (table.schema.metadata.size ? new Table(table.batches.map((b) => new RecordBatch(new Schema(table.schema.fields), b.data))) : table);

/**
 * Row i's validity for each row of a chunk. Data.nullCount is a getter that inspects the type on
 * every call: it is read once per chunk here, never per row.
 */
function validityOf(d: Data): (i: number) => boolean {
  const bitmap = d.nullBitmap;
  if (!d.nullCount || !bitmap || bitmap.length === 0) return () => true;
  const off = d.offset;
  return (i) => ((bitmap[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1;
}

/** Per Arrow TimeUnit (SECOND, MILLISECOND, MICROSECOND, NANOSECOND): [multiply, divide] to reach ms. */
const TIME_UNIT_TO_MS: [bigint, bigint][] = [
  [1000n, 1n],
  [1n, 1n],
  [1n, 1000n],
  [1n, 1_000_000n],
];

/** Exact integer scaling to milliseconds, rounding toward the past (as a wall clock shows a time). */
function scaleToMs(v: number | bigint, [mul, div]: [bigint, bigint]): number {
  // Below 2^52 the float quotient is within half an ulp of the true one and floors exactly.
  const scaled = Math.trunc(Number(v)) * Number(mul);
  if (Math.abs(scaled) < 2 ** 52) return Math.floor(scaled / Number(div));
  const x = (typeof v === "bigint" ? v : BigInt(Math.trunc(v))) * mul;
  const q = x / div;
  return Number(x % div < 0n ? q - 1n : q);
}

/** Element i of a 64-bit integer column seen as two 32-bit words, as a number (numbers and timestamps alike); exact below 2^53. */
const int64At = (words: Int32Array, i: number, signed: boolean) => (signed ? words[2 * i + 1]! : words[2 * i + 1]! >>> 0) * 4294967296 + (words[2 * i]! >>> 0);

/** Converts one source column's chunks into the output buffers, reporting bad values by row and column name. */
class ColumnReader {
  private readonly decimal: DecimalMark;

  constructor(
    private readonly name: string,
    private readonly file: string,
    format: TextFormat,
  ) {
    this.decimal = format.decimal ?? ".";
  }

  private fail(row: number, what: string): never {
    throw new UserError(`${this.file}: row ${row + 1}, column ${excerpt(this.name)}: ${what}`);
  }

  /**
   * Rows base.. of `out` get the ids of the chunk's texts in `dict`. A nullable column's nulls get 0
   * and their bit in `bits` clear; in a column without `bits` a null is an error.
   */
  text(d: Data, base: number, dict: Utf8Dictionary, out: Int32Array, bits: Uint8Array | undefined): void {
    const type = d.type as DataType;
    try {
      if (type.typeId === Type.Dictionary) {
        const ids = this.dictionaryIds(d.dictionary as Vector, dict);
        const keys = d.values as ArrayLike<number> | BigInt64Array | BigUint64Array;
        const valid = validityOf(d);
        if (keys instanceof BigInt64Array || keys instanceof BigUint64Array) {
          for (let i = 0; i < d.length; i++) out[base + i] = valid(i) ? ids[Number(keys[i])]! : -1;
        } else if (keys instanceof Int32Array && d.nullCount && d.nullBitmap?.length) {
          remapInt32Nullable(keys, ids, d.nullBitmap, d.offset, out, base, d.length);
        } else if (d.nullCount) {
          for (let i = 0; i < d.length; i++) out[base + i] = valid(i) ? ids[keys[i]!]! : -1;
        } else if (keys instanceof Int32Array) {
          remapInt32(keys, ids, out, base, d.length);
        } else {
          for (let i = 0; i < d.length; i++) out[base + i] = ids[keys[i]!]!;
        }
      } else {
        this.intern(d, dict, out, base);
      }
    } catch (err) {
      if (err instanceof DictionaryFullError) throw new UserError(`${this.file}: column ${excerpt(this.name)} holds ${err.message}`, 1, { input: this.file, column: this.name });
      throw err;
    }
    if (bits) {
      settleNullIndices(out, bits, base, d.length);
      return;
    }
    const missing = out.subarray(base, base + d.length).indexOf(-1);
    if (missing >= 0) this.fail(base + missing, "empty (a value is required)");
  }

  /** Each dictionary entry's id in `dict`, in the entries' order (-1 for a null entry). */
  private dictionaryIds(values: Vector, dict: Utf8Dictionary): Int32Array {
    const ids = new Int32Array(values.length);
    // Room for every entry at once: a batch of invoices brings tens of thousands of new ones.
    dict.reserve(values.length);
    let at = 0;
    for (const chunk of values.data) {
      this.intern(chunk, dict, ids, at, true);
      at += chunk.length;
    }
    return ids;
  }

  /**
   * Rows base.. of `out` get the ids in `dict` of a chunk of plain values: UTF-8 by its bytes,
   * anything else as text. `distinct`: the values are a dictionary's, so no value repeats the one before.
   */
  private intern(d: Data, dict: Utf8Dictionary, out: Int32Array, base: number, distinct = false): void {
    if (isUtf8(d)) {
      internUtf8(d, dict, out, base, distinct);
      return;
    }
    const v = makeVector(d);
    for (let i = 0; i < d.length; i++) {
      const x = v.get(i);
      out[base + i] = x == null ? -1 : dict.addString(this.asText(x));
    }
  }

  private asText(v: unknown): string {
    return typeof v === "string" ? v : typeof v === "number" || typeof v === "bigint" ? numberText(v) : String(v);
  }

  /** The chunk's numbers as float64 per row; NaN where null, NaN or empty text (pandas' missing values). */
  private numbers(d: Data, base: number): Float64Array {
    const out = new Float64Array(d.length);
    const type = d.type as DataType & { bitWidth?: number; isSigned?: boolean; precision?: number };
    const values = d.values as ArrayLike<number | bigint>;
    const words = type.typeId === Type.Int && type.bitWidth === 64 ? new Int32Array((values as BigInt64Array).buffer, (values as BigInt64Array).byteOffset, d.length * 2) : undefined;
    // Half floats are stored as their 16 bits: only the vector decodes them.
    const numeric = type.typeId === Type.Int || (type.typeId === Type.Float && type.precision !== Precision.HALF);
    const v = numeric ? undefined : makeVector(d);
    const valid = validityOf(d);
    for (let i = 0; i < d.length; i++) {
      if (!valid(i)) {
        out[i] = Number.NaN;
      } else if (words) {
        out[i] = int64At(words, i, type.isSigned !== false);
      } else if (numeric) {
        out[i] = values[i] as number;
      } else {
        const x = v!.get(i);
        // A decoded half float is a number already, NaN included (a missing value, as in float64).
        const blank = (typeof x === "string" && x.trim() === "") || (typeof x === "number" && Number.isNaN(x));
        const n = blank ? Number.NaN : typeof x === "string" ? parseDecimal(x, this.decimal) : Number(x);
        if (Number.isNaN(n) && !blank) this.fail(base + i, numberProblem(String(x), "a number", this.decimal));
        out[i] = n;
      }
    }
    return out;
  }

  /**
   * Whole numbers into `out` from row base; for a nullable column `bits`, its validity bitmap (a
   * null's value is 0), else a null is an error.
   */
  int32(d: Data, base: number, out: Int32Array, bits: Uint8Array | undefined): void {
    const type = d.type as DataType & { bitWidth?: number; isSigned?: boolean };
    if (type.typeId === Type.Int && type.bitWidth === 32 && type.isSigned && (!d.nullCount || bits)) {
      // Already the target type: a copy, plus the validity of a nullable column.
      out.set((d.values as Int32Array).subarray(0, d.length), base);
      const bitmap = d.nullBitmap;
      if (!bits) return;
      if (!d.nullCount || !bitmap?.length) {
        setBits(bits, base, d.length);
        return;
      }
      copyBits(bitmap, d.offset, bits, base, d.length);
      zeroWhereClear(bits, out, base, d.length);
      return;
    }
    const raw = this.numbers(d, base);
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      if (Number.isNaN(v)) {
        if (!bits) this.fail(base + i, "empty (a value is required)");
        out[base + i] = 0;
        setBit(bits, base + i, 0);
        continue;
      }
      if (!isInt32(v)) this.fail(base + i, `${v} is not a whole number in the 32-bit range`);
      out[base + i] = v;
      if (bits) setBit(bits, base + i, 1);
    }
  }

  float64(d: Data, base: number, out: Float64Array): void {
    const type = d.type as DataType & { precision?: number };
    const values = type.typeId === Type.Float && type.precision === 2 && !d.nullCount ? (d.values as Float64Array).subarray(0, d.length) : this.numbers(d, base);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) this.fail(base + i, Number.isNaN(v) ? "empty (a value is required)" : "not a finite number");
    }
    out.set(values, base);
  }

  /**
   * Wall-clock milliseconds into the int64 words of rows base..; dates given as text go to the
   * DateTexts `texts()` returns, read once the whole column is known.
   */
  wallClock(d: Data, base: number, words: Int32Array, texts: () => DateTexts): void {
    const type = d.type as DataType & { unit?: number; timezone?: string | null; bitWidth?: number };
    let scale: [bigint, bigint] | undefined;
    if (type.typeId === Type.Timestamp) {
      const tz = type.timezone;
      if (tz && !/^(UTC|Z|Etc\/UTC|[+-]00:?00)$/i.test(tz)) {
        throw new UserError(`${this.file}: column ${excerpt(this.name)} is a timestamp in zone ${excerpt(tz)}; store the local wall-clock time without a zone`);
      }
      scale = TIME_UNIT_TO_MS[type.unit ?? 1];
    } else if (type.typeId === Type.Date) {
      scale = type.unit === 0 ? [86_400_000n, 1n] : [1n, 1n]; // DateUnit.DAY stores days, MILLISECOND ms
    }
    if (d.nullCount) {
      const valid = validityOf(d);
      for (let i = 0; i < d.length; i++) if (!valid(i)) this.fail(base + i, "empty (a date is required)");
    }
    const values = d.values as Int32Array | BigInt64Array;
    if (scale && values instanceof BigInt64Array) {
      const src = new Int32Array(values.buffer, values.byteOffset, d.length * 2);
      if (scale[0] === 1n && scale[1] === 1n) {
        words.set(src, 2 * base); // milliseconds already
        return;
      }
      const [mul, div] = [Number(scale[0]), Number(scale[1])];
      for (let i = 0; i < d.length; i++) {
        const scaled = int64At(src, i, true) * mul;
        const ms = Math.abs(scaled) < 2 ** 52 ? Math.floor(scaled / div) : scaleToMs(values[i]!, scale);
        setInt64Word(words, base + i, ms);
      }
      return;
    }
    if (scale) {
      for (let i = 0; i < d.length; i++) setInt64Word(words, base + i, scaleToMs(values[i]!, scale));
      return;
    }
    const v = makeVector(d);
    const collected = texts();
    for (let i = 0; i < d.length; i++) {
      const x = v.get(i);
      if (typeof x !== "string") this.fail(base + i, `cannot read ${excerpt(String(x))} as a date (a ${type} column)`);
      collected.add(base + i, x);
    }
  }
}

/**
 * out[base + i] = ids[keys[i]]: the per-row step of a dictionary column, in a function of its own so
 * that it stays monomorphic on Int32Array (parquet-wasm's keys) and compiles to a tight loop.
 */
function remapInt32(keys: Int32Array, ids: Int32Array, out: Int32Array, base: number, n: number): void {
  for (let i = 0; i < n; i++) out[base + i] = ids[keys[i]!]!;
}

/** remapInt32 where a validity bitmap marks nulls (-1). */
function remapInt32Nullable(keys: Int32Array, ids: Int32Array, bitmap: Uint8Array, offset: number, out: Int32Array, base: number, n: number): void {
  for (let i = 0; i < n; i++) out[base + i] = (bitmap[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1 ? ids[keys[i]!]! : -1;
}

const isUtf8 = (d: Data) => ((d.type as DataType).typeId === Type.Utf8 || (d.type as DataType).typeId === Type.LargeUtf8) && d.valueOffsets !== undefined;

/**
 * Rows of a Utf8 / LargeUtf8 chunk → ids in `dict`, into `out` from `base`, straight from the bytes
 * (no string per row); consecutive lines often repeat a value (one invoice, one country), which skips the hash.
 */
function internUtf8(d: Data, dict: Utf8Dictionary, out: Int32Array, base: number, distinct: boolean): void {
  const bytes = d.values as Uint8Array;
  const raw = (d.valueOffsets as Int32Array | BigInt64Array).subarray(0, d.length + 1);
  const offsets = raw instanceof BigInt64Array ? Float64Array.from(raw, Number) : raw;
  const valid = validityOf(d);
  let previous = -1;
  for (let i = 0; i < d.length; i++) {
    if (!valid(i)) {
      out[base + i] = -1;
      continue;
    }
    const from = offsets[i]!;
    const to = offsets[i + 1]!;
    if (!distinct && previous >= 0 && sameBytes(bytes, offsets[previous]!, offsets[previous + 1]!, from, to)) {
      out[base + i] = out[base + previous]!;
    } else {
      out[base + i] = dict.add(bytes, from, to);
    }
    previous = i;
  }
}

function sameBytes(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let k = 0; k < aEnd - a; k++) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}
