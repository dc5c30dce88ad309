// The one transactions schema every reader produces, and the one builder that makes it.
//
// Guarantee relied on downstream: a transactions Table has exactly ONE record batch, so every column
// has exactly one Data chunk. Feature code reads `table.getChild(name).data[0]` directly:
//   - dictionary columns: `.values` is an Int32Array of indices, `.dictionary` the Utf8 values
//     (interned in first-appearance order); a null row has its validity bit cleared (index 0 stored);
//   - Quantity / CustomerID: `.values` is an Int32Array; UnitPrice: Float64Array;
//   - InvoiceDate: `.values` is a BigInt64Array of milliseconds of the wall-clock time read as UTC;
//   - every `.values` array has exactly `table.numRows` elements (tables read back from IPC files
//     are trimmed by `exactTransactions`, since IPC pads buffers to 8 bytes).
import {
  type Data,
  DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { UserError } from "../errors.js";

export const TRANSACTION_COLUMNS = [
  "InvoiceNo",
  "StockCode",
  "Description",
  "Quantity",
  "InvoiceDate",
  "UnitPrice",
  "CustomerID",
  "Country",
] as const;
export type TransactionColumn = (typeof TRANSACTION_COLUMNS)[number];

export const DICTIONARY_COLUMNS = ["InvoiceNo", "StockCode", "Description", "Country"] as const;
export type DictionaryColumn = (typeof DICTIONARY_COLUMNS)[number];

/** Fixed dictionary ids keep the schema (and its IPC bytes) identical from run to run. */
const dictType = (id: number) => new Dictionary(new Utf8(), new Int32(), id, false);

export const transactionsSchema = new Schema([
  new Field("InvoiceNo", dictType(0), false),
  new Field("StockCode", dictType(1), false),
  new Field("Description", dictType(2), true),
  new Field("Quantity", new Int32(), false),
  new Field("InvoiceDate", new TimestampMillisecond(), false),
  new Field("UnitPrice", new Float64(), false),
  new Field("CustomerID", new Int32(), true),
  new Field("Country", dictType(3), false),
]);

/** Strings interned to dense ids in first-appearance order; -1 stands for null. */
export class Interner {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();

  private last: string | undefined;
  private lastId = -1;

  intern(s: string | null | undefined): number {
    if (s == null) return -1;
    // Transaction files repeat values on consecutive lines (one invoice, one country): skip the hash.
    if (s === this.last) return this.lastId;
    this.last = s;
    this.lastId = this.lookup(s);
    return this.lastId;
  }

  private lookup(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(s, id);
      this.values.push(s);
    }
    return id;
  }
}

/** A dictionary column: index per row (-1 = null) into `dictionary`. */
export interface DictColumnData {
  indices: Int32Array;
  dictionary: string[];
}

/** Column buffers of a transactions table, one entry per row. */
export interface TransactionColumns {
  length: number;
  InvoiceNo: DictColumnData;
  StockCode: DictColumnData;
  Description: DictColumnData;
  Country: DictColumnData;
  Quantity: Int32Array;
  /** Milliseconds since 1970-01-01 of the wall-clock time, read as if it were UTC. */
  InvoiceDate: Float64Array;
  UnitPrice: Float64Array;
  CustomerID: Int32Array;
  /** 1 where CustomerID is present, 0 where it is null. */
  CustomerIDValid: Uint8Array;
}

/**
 * Row-by-row column buffers for a reader that knows an upper bound on its row count (the CSV and
 * xlsx readers); `finish(rows)` trims them to the rows actually read.
 */
export class TransactionColumnsBuilder {
  readonly dicts = { invoice: new Interner(), stock: new Interner(), description: new Interner(), country: new Interner() };
  readonly invoice: Int32Array;
  readonly stock: Int32Array;
  readonly description: Int32Array;
  readonly country: Int32Array;
  readonly quantity: Int32Array;
  readonly date: Float64Array;
  readonly price: Float64Array;
  readonly customer: Int32Array;
  readonly customerValid: Uint8Array;

  constructor(capacity: number) {
    this.invoice = new Int32Array(capacity);
    this.stock = new Int32Array(capacity);
    this.description = new Int32Array(capacity);
    this.country = new Int32Array(capacity);
    this.quantity = new Int32Array(capacity);
    this.date = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
    this.customer = new Int32Array(capacity);
    this.customerValid = new Uint8Array(capacity);
  }

  /** The first `rows` rows, in buffers of their own (so they can be transferred between threads). */
  finish(rows: number): TransactionColumns {
    const { dicts } = this;
    return {
      length: rows,
      InvoiceNo: { indices: this.invoice.slice(0, rows), dictionary: dicts.invoice.values },
      StockCode: { indices: this.stock.slice(0, rows), dictionary: dicts.stock.values },
      Description: { indices: this.description.slice(0, rows), dictionary: dicts.description.values },
      Country: { indices: this.country.slice(0, rows), dictionary: dicts.country.values },
      Quantity: this.quantity.slice(0, rows),
      InvoiceDate: this.date.slice(0, rows),
      UnitPrice: this.price.slice(0, rows),
      CustomerID: this.customer.slice(0, rows),
      CustomerIDValid: this.customerValid.slice(0, rows),
    };
  }
}

/** Plain JavaScript arrays, one per column (tests, generated data). */
export interface PlainTransactions {
  InvoiceNo: string[];
  StockCode: string[];
  Description: (string | null)[];
  Quantity: ArrayLike<number>;
  InvoiceDate: ArrayLike<number>;
  UnitPrice: ArrayLike<number>;
  CustomerID: (number | null)[];
  Country: string[];
}

/**
 * Packs per-row presence (a flag per row, or a dictionary index that is -1 where null) into an Arrow
 * validity bitmap; returns the bitmap and the null count. One loop per array type, without a
 * callback per row: it runs over every line of a table.
 */
function validityBitmap(present: Uint8Array | Int32Array): Validity {
  const length = present.length;
  const bitmap = new Uint8Array((length + 7) >> 3);
  const valid = present instanceof Int32Array ? countPresentIndices(present, bitmap) : countPresentFlags(present, bitmap);
  return { bitmap, nulls: length - valid };
}

function countPresentFlags(flags: Uint8Array, bitmap: Uint8Array): number {
  let valid = 0;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] !== 0) {
      bitmap[i >> 3] |= 1 << (i & 7);
      valid++;
    }
  }
  return valid;
}

function countPresentIndices(indices: Int32Array, bitmap: Uint8Array): number {
  let valid = 0;
  for (let i = 0; i < indices.length; i++) {
    if (indices[i]! >= 0) {
      bitmap[i >> 3] |= 1 << (i & 7);
      valid++;
    }
  }
  return valid;
}

/** The first row whose bit is clear. */
function firstClear(bitmap: Uint8Array): number {
  let i = 0;
  while (bitmap[i >> 3] === 0xff) i += 8;
  while ((bitmap[i >> 3]! >> (i & 7)) & 1) i++;
  return i;
}

/** Where row i came from, for error messages ("data.csv: line 12"). */
export type RowLocator = (row: number) => string;

/** A column's nulls as an Arrow validity bitmap (bit i set = row i present) and their count. */
export interface Validity {
  bitmap: Uint8Array;
  nulls: number;
}

/**
 * Column buffers the table is built on as they are (no copy): dictionary columns come with their
 * dictionary as an Arrow Utf8 vector, dates as int64 milliseconds. Null dictionary indices (-1) are
 * rewritten to 0 in place, under a validity bitmap; or the indices hold 0 there already and come
 * with their `validity`. CustomerID's nulls come as a flag per row, or as a validity bitmap.
 */
export interface TransactionBuffers {
  length: number;
  dictionaries: Record<DictionaryColumn, { indices: Int32Array; dictionary: Vector<Utf8>; validity?: Validity }>;
  Quantity: Int32Array;
  InvoiceDate: BigInt64Array;
  UnitPrice: Float64Array;
  CustomerID: Int32Array;
  CustomerIDValid: Uint8Array | Validity;
}

function dictionaryData(name: DictionaryColumn, indices: Int32Array, dictionary: Vector<Utf8>, length: number, nullable: boolean, locate: RowLocator, validity?: Validity) {
  const type = transactionsSchema.fields.find((f) => f.name === name)?.type as Dictionary<Utf8, Int32>;
  if (indices.length !== length) throw new Error(`${name}: ${indices.length} indices for ${length} rows`);
  if (validity) {
    if (!validity.nulls) return makeData({ type, length, nullCount: 0, data: indices, dictionary });
    if (!nullable) throw new UserError(`${locate(firstClear(validity.bitmap))}: ${name} is empty (a value is required)`);
    return makeData({ type, length, nullCount: validity.nulls, nullBitmap: validity.bitmap, data: indices, dictionary });
  }
  const first = indices.indexOf(-1);
  if (first < 0) return makeData({ type, length, nullCount: 0, data: indices, dictionary });
  if (!nullable) throw new UserError(`${locate(first)}: ${name} is empty (a value is required)`);
  const { bitmap, nulls } = validityBitmap(indices);
  for (let i = first; i < length; i++) if (indices[i] < 0) indices[i] = 0;
  return makeData({ type, length, nullCount: nulls, nullBitmap: bitmap, data: indices, dictionary });
}

/** Builds the single-batch transactions Table on the buffers themselves. */
export function transactionsTableOf(cols: TransactionBuffers, locate: RowLocator = (r) => `row ${r + 1}`): Table {
  const n = cols.length;
  const fields = transactionsSchema.fields;
  const type = (name: TransactionColumn) => fields.find((f) => f.name === name)?.type;
  for (const name of ["Quantity", "InvoiceDate", "UnitPrice", "CustomerID"] as const) {
    if (cols[name].length !== n) throw new Error(`${name}: ${cols[name].length} values for ${n} rows`);
  }
  const valid = cols.CustomerIDValid;
  if (valid instanceof Uint8Array ? valid.length !== n : valid.bitmap.length < (n + 7) >> 3) throw new Error(`CustomerIDValid: too short for ${n} rows`);
  const cust = valid instanceof Uint8Array ? validityBitmap(valid) : valid;
  const dict = (name: DictionaryColumn, nullable: boolean) => {
    const d = cols.dictionaries[name];
    return dictionaryData(name, d.indices, d.dictionary, n, nullable, locate, d.validity);
  };
  const children = [
    dict("InvoiceNo", false),
    dict("StockCode", false),
    dict("Description", true),
    makeData({ type: type("Quantity") as Int32, length: n, nullCount: 0, data: cols.Quantity }),
    makeData({ type: type("InvoiceDate") as TimestampMillisecond, length: n, nullCount: 0, data: cols.InvoiceDate }),
    makeData({ type: type("UnitPrice") as Float64, length: n, nullCount: 0, data: cols.UnitPrice }),
    makeData({
      type: type("CustomerID") as Int32,
      length: n,
      nullCount: cust.nulls,
      nullBitmap: cust.nulls ? cust.bitmap : undefined,
      data: cols.CustomerID,
    }),
    dict("Country", false),
  ];
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
  return new Table([new RecordBatch(transactionsSchema, struct)]);
}

/**
 * Writes `ms` (a whole number of milliseconds, |ms| < 2^53) as row r of an int64 column seen as
 * 32-bit words (little-endian): no BigInt per row.
 */
export function setInt64Word(words: Int32Array, r: number, ms: number): void {
  const hi = Math.floor(ms / 4294967296);
  words[2 * r] = ms - hi * 4294967296;
  words[2 * r + 1] = hi;
}

/** Builds the single-batch transactions Table from column buffers (the caller's arrays are not changed). */
export function transactionsTable(cols: TransactionColumns, locate: RowLocator = (r) => `row ${r + 1}`): Table {
  const n = cols.length;
  if (cols.InvoiceDate.length !== n) throw new Error(`InvoiceDate: ${cols.InvoiceDate.length} values for ${n} rows`);
  const ms = new BigInt64Array(n);
  const words = new Int32Array(ms.buffer);
  for (let i = 0; i < n; i++) setInt64Word(words, i, cols.InvoiceDate[i]);
  const dictionary = (col: DictColumnData) => ({
    indices: col.indices.indexOf(-1) < 0 ? col.indices : col.indices.slice(),
    dictionary: vectorFromArray(col.dictionary, new Utf8()),
  });
  return transactionsTableOf(
    {
      length: n,
      dictionaries: {
        InvoiceNo: dictionary(cols.InvoiceNo),
        StockCode: dictionary(cols.StockCode),
        Description: dictionary(cols.Description),
        Country: dictionary(cols.Country),
      },
      Quantity: cols.Quantity,
      InvoiceDate: ms,
      UnitPrice: cols.UnitPrice,
      CustomerID: cols.CustomerID,
      CustomerIDValid: cols.CustomerIDValid,
    },
    locate,
  );
}

function internAll(values: readonly (string | null)[]): DictColumnData {
  const interner = new Interner();
  const indices = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) indices[i] = interner.intern(values[i]);
  return { indices, dictionary: interner.values };
}

/** Builds a transactions Table from plain arrays (InvoiceDate in wall-clock-as-UTC milliseconds). */
export function transactionsFromArrays(plain: PlainTransactions): Table {
  const n = plain.InvoiceNo.length;
  const customerValid = new Uint8Array(n);
  const customer = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const id = plain.CustomerID[i];
    if (id != null) {
      customer[i] = id;
      customerValid[i] = 1;
    }
  }
  return transactionsTable({
    length: n,
    InvoiceNo: internAll(plain.InvoiceNo),
    StockCode: internAll(plain.StockCode),
    Description: internAll(plain.Description),
    Country: internAll(plain.Country),
    Quantity: Int32Array.from(plain.Quantity),
    InvoiceDate: Float64Array.from(plain.InvoiceDate),
    UnitPrice: Float64Array.from(plain.UnitPrice),
    CustomerID: customer,
    CustomerIDValid: customerValid,
  });
}

/** True when `table` already has the transactions schema (types, nullability) in one batch. */
export function isTransactionsTable(table: Table): boolean {
  if (table.batches.length !== 1 || table.schema.fields.length !== transactionsSchema.fields.length) return false;
  return transactionsSchema.fields.every((f, i) => {
    const g = table.schema.fields[i];
    return g.name === f.name && g.nullable === f.nullable && String(g.type) === String(f.type);
  });
}

/**
 * A table that already has the transactions schema (e.g. read back from Arrow IPC), with every
 * values buffer cut to the row count, so the one-chunk guarantee above holds for it too.
 */
export function exactTransactions(table: Table): Table {
  if (!isTransactionsTable(table)) throw new Error("not a transactions table");
  return withSchemaMetadata(exactTable(table, transactionsSchema), table.schema.metadata);
}

/**
 * A one-batch table with its fixed-width values buffers cut back to the row count: the pipeline's
 * hot loops read a column's values buffer directly, and IPC pads buffers to 8 bytes. `schema`
 * (the table's own by default) is the schema the result is built with.
 */
export function exactTable(table: Table, schema: Schema = table.schema): Table {
  if (table.batches.length !== 1) return table;
  const n = table.numRows;
  const children = schema.fields.map((f, i) => {
    const d = table.getChildAt(i)!.data[0] as Data;
    const fixed = DataType.isInt(f.type) || DataType.isFloat(f.type) || DataType.isTimestamp(f.type) || DataType.isDictionary(f.type) || DataType.isDate(f.type);
    if (!fixed || (d.offset === 0 && d.values.length === n)) return d;
    return makeData({
      type: d.type,
      length: n,
      nullCount: d.nullCount,
      nullBitmap: d.nullCount ? d.nullBitmap : undefined,
      data: d.values.subarray(d.offset, d.offset + n),
      dictionary: d.dictionary,
    } as Parameters<typeof makeData>[0]);
  });
  const struct = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
  return new Table([new RecordBatch(schema, struct)]);
}

/** The table with `metadata` on its schema (e.g. the mark of generated data); unchanged when there is none. */
export function withSchemaMetadata(table: Table, metadata: ReadonlyMap<string, string> | undefined): Table {
  if (!metadata?.size) return table;
  const schema = new Schema(table.schema.fields, new Map(metadata));
  return new Table(table.batches.map((b) => new RecordBatch(schema, b.data)));
}
