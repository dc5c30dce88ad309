// The columns of one slice of a sheet's rows, as a worker hands them back (xlsx-worker.ts), and their
// joining, in sheet order, into the columns of the whole sheet. A slice interns its texts in a
// dictionary of its own; joined in order, the texts new to each slice come in the order they first
// appear in it, so the joined dictionaries are those a single pass over the sheet builds.
import type { DateFormatChoice } from "./datetime.js";
import { DateTexts } from "./date-column.js";
import { Interner, type TransactionColumns } from "./schema.js";

/** A text column of a slice: its distinct values in order of appearance, and an id per row (-1: null). */
export interface ChunkText {
  values: string[];
  ids: Int32Array;
}

export interface XlsxChunk {
  rows: number;
  /** Sheet row (0-based) of each data row, to name a cell in an error found after joining. */
  sheetRows: Int32Array;
  invoice: ChunkText;
  stock: ChunkText;
  description: ChunkText;
  country: ChunkText;
  quantity: Int32Array;
  price: Float64Array;
  /** Milliseconds of dates the sheet holds as Excel dates; see `dateTexts` for the others. */
  date: Float64Array;
  /** Dates written as text, read once the whole column is known (their format is decided over all). */
  dateTexts: ChunkText;
  customer: Int32Array;
  customerValid: Uint8Array;
}

/** The buffers of a chunk, to transfer it between threads rather than copy it. */
export function chunkBuffers(c: XlsxChunk): ArrayBuffer[] {
  const arrays = [c.sheetRows, c.invoice.ids, c.stock.ids, c.description.ids, c.country.ids, c.quantity, c.price, c.date, c.dateTexts.ids, c.customer, c.customerValid];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

export interface JoinOptions {
  dateFormat: DateFormatChoice;
  /** Names the cell holding the date of a sheet row (0-based), for an error about a date's text. */
  locateDate: (sheetRow: number) => string;
  where: string;
}

/** The chunks' rows, in the chunks' order, as the columns of one table. */
export function joinChunks(chunks: readonly XlsxChunk[], opts: JoinOptions): TransactionColumns {
  let n = 0;
  for (const c of chunks) n += c.rows;
  const dicts = { invoice: new Interner(), stock: new Interner(), description: new Interner(), country: new Interner() };
  const texts = { invoice: new Int32Array(n), stock: new Int32Array(n), description: new Int32Array(n), country: new Int32Array(n) };
  const quantity = new Int32Array(n);
  const price = new Float64Array(n);
  const date = new Float64Array(n);
  const customer = new Int32Array(n);
  const customerValid = new Uint8Array(n);
  const sheetRows = new Int32Array(n);
  const dates = new DateTexts(n);
  let at = 0;
  for (const c of chunks) {
    for (const key of ["invoice", "stock", "description", "country"] as const) {
      const global = c[key].values.map((v) => dicts[key].intern(v));
      const { ids } = c[key];
      const out = texts[key];
      for (let i = 0; i < c.rows; i++) out[at + i] = ids[i]! < 0 ? -1 : global[ids[i]!]!;
    }
    quantity.set(c.quantity.subarray(0, c.rows), at);
    price.set(c.price.subarray(0, c.rows), at);
    date.set(c.date.subarray(0, c.rows), at);
    customer.set(c.customer.subarray(0, c.rows), at);
    customerValid.set(c.customerValid.subarray(0, c.rows), at);
    sheetRows.set(c.sheetRows.subarray(0, c.rows), at);
    const { values, ids } = c.dateTexts;
    if (values.length > 0) for (let i = 0; i < c.rows; i++) if (ids[i]! >= 0) dates.add(at + i, values[ids[i]!]!);
    at += c.rows;
  }
  dates.resolve(date, opts.dateFormat, (i) => opts.locateDate(sheetRows[i]!), opts.where);
  return {
    length: n,
    InvoiceNo: { indices: texts.invoice, dictionary: dicts.invoice.values },
    StockCode: { indices: texts.stock, dictionary: dicts.stock.values },
    Description: { indices: texts.description, dictionary: dicts.description.values },
    Country: { indices: texts.country, dictionary: dicts.country.values },
    Quantity: quantity,
    InvoiceDate: date,
    UnitPrice: price,
    CustomerID: customer,
    CustomerIDValid: customerValid,
  };
}

/** A cell's name as a spreadsheet shows it: column letters, then the row's number (`E2501`). */
export function cellName(row: number, column: number): string {
  let letters = "";
  for (let c = column + 1; c > 0; c = Math.floor((c - 1) / 26)) letters = String.fromCharCode(65 + ((c - 1) % 26)) + letters;
  return `${letters}${row + 1}`;
}
