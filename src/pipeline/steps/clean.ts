// Cleaning: six steps over the transactions, in the original order. Every step but the duplicate
// check is a test on one line; the duplicate check runs first over the lines that pass step 1. Then
// one pass in file order applies the steps in sequence to each line and counts it against the first
// step that rejects it, and the cleaned table is built once at the end. Tests on text run once per
// dictionary entry (a few thousand strings), not once per line. The passes yield every
// ROWS_PER_STEP lines (see engine/steps.ts), so tens of millions of lines stay interruptible.
import { Bool, Field, makeData, RecordBatch, Schema, Struct, Table, Utf8, vectorFromArray } from "apache-arrow";
import type { Data, Dictionary } from "apache-arrow";
import { drain, type Steps } from "../../engine/steps.js";
import { dictCodes, dictFirstBytesAre, dictSize, dictValues, float64Column, int32Column, validityBits } from "./columns.js";
import { ROWS_PER_STEP } from "./rows-per-step.js";

/** Row count after each step. The status step flags rows and removes none, so it has no entry. */
export interface CleanRows {
  loaded: number;
  afterMissing: number;
  afterDuplicates: number;
  afterAnomalousCodes: number;
  afterServiceDescriptions: number;
  afterZeroPrice: number;
}

export interface CleanResult {
  /**
   * The kept lines in file order: the transactions columns (no nulls left) plus `Cancelled` (Bool),
   * Description upper-cased. Dictionaries keep the source's entries, so some may be unused.
   */
  table: Table;
  rows: CleanRows;
  timingsMs: { select: number; build: number };
}

/** Descriptions of service lines (postage, images), removed by exact match before upper-casing. */
export const SERVICE_DESCRIPTIONS = ["Next Day Carriage", "High Resolution Image"];

/** An invoice number starting with 'C' is a cancellation: 'C' is one UTF-8 byte, so the first byte decides. */
const CANCELLATION_MARK = 0x43;

/** Digits as Python's str.isdigit counts them in stock codes (decimal digits of any script). */
const digitCount = (s: string) => s.match(/\p{Nd}/gu)?.length ?? 0;

/** Per dictionary entry, 1 where `keep` holds. */
const entriesWhere = (values: string[], keep: (v: string) => boolean) => Uint8Array.from(values, (v) => (keep(v) ? 1 : 0));

export function cleanTransactions(table: Table): CleanResult {
  return drain(cleanTransactionsSteps(table));
}

/** cleanTransactions as steps: the same passes, yielding between them and every ROWS_PER_STEP lines. */
export function* cleanTransactionsSteps(table: Table): Steps<CleanResult> {
  const t0 = performance.now();
  const n = table.numRows;
  // Step 1: a line without CustomerID or Description cannot be attributed or described.
  const present = presentBits(table, n);
  yield;
  const duplicate = yield* markDuplicates(table, present);
  const stock = dictCodes(table, "StockCode");
  const description = dictCodes(table, "Description");
  // Step 3 (the Cancelled flag) is added when the table is built. Step 4: stock codes with 0 or 1
  // digits are not products (POST, M, BANK CHARGES, ...). Step 5: service descriptions. Step 6:
  // free lines (UnitPrice 0) are not sales.
  const productCode = entriesWhere(dictValues(table, "StockCode"), (code) => digitCount(code) > 1);
  const productDescription = entriesWhere(dictValues(table, "Description"), (d) => !SERVICE_DESCRIPTIONS.includes(d));
  const price = float64Column(table, "UnitPrice");

  const pass: SelectPass = { present, duplicate, stock, description, productCode, productDescription, price, removed: new Float64Array(5), sel: new Uint32Array(n), kept: 0 };
  for (let from = 0; from < n; from += ROWS_PER_STEP) {
    select(pass, from, Math.min(n, from + ROWS_PER_STEP));
    yield;
  }
  const { removed, sel, kept } = pass;
  const t1 = performance.now();
  const cleaned = yield* materialise(table, sel.subarray(0, kept));
  const afterMissing = n - removed[0];
  const afterDuplicates = afterMissing - removed[1];
  const afterAnomalousCodes = afterDuplicates - removed[2];
  const afterServiceDescriptions = afterAnomalousCodes - removed[3];
  return {
    table: cleaned,
    rows: { loaded: n, afterMissing, afterDuplicates, afterAnomalousCodes, afterServiceDescriptions, afterZeroPrice: kept },
    timingsMs: { select: t1 - t0, build: performance.now() - t1 },
  };
}

// The passes over the lines are plain functions over rows [from, to), called between the
// generator's yields: V8 optimises a loop in a plain function early, while one in a generator's
// body stays unoptimised (several times slower over hundreds of thousands of lines).

/**
 * Step 1 as a bit per line, set where CustomerID and Description are both present: the two
 * columns' validity bitmaps ANDed a byte (eight lines) at a time.
 */
function presentBits(table: Table, n: number): Uint8Array {
  const present = new Uint8Array((n + 7) >> 3).fill(0xff);
  for (const name of ["CustomerID", "Description"]) {
    const bits = validityBits(table, name);
    if (bits) andInPlace(present, bits);
  }
  return present;
}

function andInPlace(a: Uint8Array, b: Uint8Array): void {
  for (let i = 0; i < a.length; i++) a[i] &= b[i];
}

/** Steps 1, 2, 4, 5 and 6 in order for each line: the first that rejects it counts it in `removed`; the rest go to `sel`. */
interface SelectPass {
  /** Step 1: a bit per line (see presentBits). */
  present: Uint8Array;
  duplicate: Uint8Array;
  stock: Int32Array;
  description: Int32Array;
  productCode: Uint8Array;
  productDescription: Uint8Array;
  price: Float64Array;
  removed: Float64Array;
  sel: Uint32Array;
  kept: number;
}

function select(p: SelectPass, from: number, to: number): void {
  const { present, duplicate, stock, description, productCode, productDescription, price, removed, sel } = p;
  let kept = p.kept;
  for (let r = from; r < to; r++) {
    if (((present[r >> 3] >> (r & 7)) & 1) === 0) removed[0]++;
    else if (duplicate[r] === 1) removed[1]++;
    else if (productCode[stock[r]] === 0) removed[2]++;
    else if (productDescription[description[r]] === 0) removed[3]++;
    else if (!(price[r] > 0)) removed[4]++;
    else sel[kept++] = r;
  }
  p.kept = kept;
}

/**
 * Step 2: 1 for each line whose (InvoiceNo, StockCode, Description, CustomerID, Quantity) an earlier
 * line (in file order) among the `candidates` (a bit per line) already had. Equal keys share the
 * invoice, so lines are bucketed by invoice (a stable counting sort) and compared within their
 * bucket through a small hash table that stays in cache; one table over all lines would miss the
 * cache on every probe. Dictionary values are distinct, so equal strings have equal indices.
 */
function* markDuplicates(table: Table, candidates: Uint8Array): Steps<Uint8Array> {
  const invoices = dictSize(table, "InvoiceNo");
  const { start, order, widest } = bucketByInvoice(dictCodes(table, "InvoiceNo"), candidates, invoices);
  yield;
  let capacity = 2;
  while (capacity < 2 * widest) capacity <<= 1;
  const d: DuplicateScan = {
    stock: dictCodes(table, "StockCode"),
    description: dictCodes(table, "Description"),
    customer: int32Column(table, "CustomerID"),
    quantity: int32Column(table, "Quantity"),
    start,
    order,
    slot: new Int32Array(capacity),
    owner: new Int32Array(capacity).fill(-1), // which invoice filled the slot: no clearing
    duplicate: new Uint8Array(table.numRows),
  };
  for (let inv = 0; inv < invoices; ) {
    inv = scanInvoices(d, inv, invoices);
    yield;
  }
  return d.duplicate;
}

/** The candidate lines (a bit per line) bucketed by invoice, in file order within each (a stable counting sort). */
function bucketByInvoice(invoice: Int32Array, candidates: Uint8Array, invoices: number): { start: Int32Array; order: Int32Array; widest: number } {
  const n = invoice.length;
  const start = new Int32Array(invoices + 1);
  for (let r = 0; r < n; r++) if ((candidates[r >> 3] >> (r & 7)) & 1) start[invoice[r] + 1]++;
  let widest = 0;
  for (let i = 0; i < invoices; i++) {
    widest = Math.max(widest, start[i + 1]);
    start[i + 1] += start[i];
  }
  const next = start.slice(0, invoices);
  const order = new Int32Array(start[invoices]);
  for (let r = 0; r < n; r++) if ((candidates[r >> 3] >> (r & 7)) & 1) order[next[invoice[r]]++] = r;
  return { start, order, widest };
}

interface DuplicateScan {
  stock: Int32Array;
  description: Int32Array;
  customer: Int32Array;
  quantity: Int32Array;
  /** Invoice i's lines are order[start[i]] .. order[start[i + 1] - 1]. */
  start: Int32Array;
  order: Int32Array;
  slot: Int32Array;
  owner: Int32Array;
  duplicate: Uint8Array;
}

/** Marks the duplicates of invoices from `first` on, up to about ROWS_PER_STEP lines; returns the next invoice. */
function scanInvoices(d: DuplicateScan, first: number, invoices: number): number {
  const { stock, description, customer, quantity, start, order, slot, owner, duplicate } = d;
  let lines = 0;
  let inv = first;
  for (; inv < invoices && lines < ROWS_PER_STEP; inv++) {
    const from = start[inv];
    const to = start[inv + 1];
    lines += to - from;
    if (to - from < 2) continue;
    let size = 2;
    while (size < 2 * (to - from)) size <<= 1;
    const mask = size - 1;
    for (let k = from; k < to; k++) {
      const r = order[k];
      let h = Math.imul(stock[r] ^ 0x9e3779b9, 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13) ^ description[r], 0xc2b2ae35);
      h = Math.imul(h ^ (h >>> 16) ^ customer[r], 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13) ^ quantity[r], 0xc2b2ae35);
      let s = (h ^ (h >>> 16)) & mask;
      for (; owner[s] === inv; s = (s + 1) & mask) {
        const o = slot[s];
        if (stock[o] === stock[r] && description[o] === description[r] && customer[o] === customer[r] && quantity[o] === quantity[r]) {
          duplicate[r] = 1;
          break;
        }
      }
      if (duplicate[r] === 0) {
        owner[s] = inv;
        slot[s] = r;
      }
    }
  }
  return inv;
}

/**
 * The selected rows as a new single-batch table: the source columns gathered (no nulls remain), the
 * Description dictionary upper-cased (step 5's second half; entries that become equal are merged so
 * dictionary values stay distinct), and the Cancelled flag (step 3).
 */
function* materialise(table: Table, sel: Uint32Array): Steps<Table> {
  const n = sel.length;
  const children: Data[] = [];
  const fields: Field[] = [];
  let invoices: Int32Array | undefined;
  for (const field of table.schema.fields) {
    const src = table.getChild(field.name)?.data[0] as Data;
    fields.push(new Field(field.name, field.type, false, field.metadata));
    if (!src) {
      children.push(makeData({ type: field.type, length: 0, nullCount: 0 }));
      continue;
    }
    if (src.dictionary) {
      const codes = gatherInt32(src.values as Int32Array, sel);
      if (field.name === "InvoiceNo") invoices = codes;
      let dictionary = src.dictionary;
      if (field.name === "Description") {
        const upper = upperCasedDictionary(dictionary.toArray() as string[]);
        remapInPlace(codes, upper.remap);
        dictionary = vectorFromArray(upper.values, new Utf8());
      }
      children.push(makeData({ type: field.type as Dictionary, length: n, nullCount: 0, data: codes, dictionary }));
    } else {
      children.push(makeData({ type: field.type, length: n, nullCount: 0, data: gather(src.values, sel) }));
    }
    yield;
  }
  fields.push(new Field("Cancelled", new Bool(), false));
  children.push(makeData({ type: new Bool(), length: n, nullCount: 0, data: cancelledBits(table, invoices ?? gatherInt32(dictCodes(table, "InvoiceNo"), sel)) }));
  const schema = new Schema(fields, table.schema.metadata);
  return new Table([new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }))]);
}

/**
 * values[sel[i]] for each i. One small function per element type, shared by all columns, so it is
 * optimised after the first column instead of each column's loop starting cold.
 */
function gather(values: Int32Array | Float64Array | BigInt64Array, sel: Uint32Array) {
  if (values instanceof Float64Array) return gatherFloat64(values, sel);
  if (values instanceof BigInt64Array) {
    // 64-bit values move as two 32-bit words: no BigInt per row.
    const out = new BigInt64Array(sel.length);
    gatherPairs(new Int32Array(values.buffer, values.byteOffset, values.length * 2), sel, new Int32Array(out.buffer));
    return out;
  }
  return gatherInt32(values, sel);
}

function gatherInt32(values: Int32Array, sel: Uint32Array): Int32Array {
  const out = new Int32Array(sel.length);
  for (let i = 0; i < sel.length; i++) out[i] = values[sel[i]];
  return out;
}

function gatherFloat64(values: Float64Array, sel: Uint32Array): Float64Array {
  const out = new Float64Array(sel.length);
  for (let i = 0; i < sel.length; i++) out[i] = values[sel[i]];
  return out;
}

function gatherPairs(from: Int32Array, sel: Uint32Array, to: Int32Array): void {
  for (let i = 0; i < sel.length; i++) {
    const j = 2 * sel[i];
    to[2 * i] = from[j];
    to[2 * i + 1] = from[j + 1];
  }
}

function remapInPlace(codes: Int32Array, remap: Int32Array): void {
  for (let i = 0; i < codes.length; i++) codes[i] = remap[codes[i]];
}

function upperCasedDictionary(values: string[]): { values: string[]; remap: Int32Array } {
  const ids = new Map<string, number>();
  const remap = new Int32Array(values.length);
  values.forEach((v, i) => {
    const u = v.toUpperCase();
    let id = ids.get(u);
    if (id === undefined) ids.set(u, (id = ids.size));
    remap[i] = id;
  });
  return { values: [...ids.keys()], remap };
}

/** The Cancelled flag of each kept line, from its invoice's code (the kept lines' InvoiceNo codes). */
function cancelledBits(table: Table, codes: Int32Array): Uint8Array {
  const cancelled = dictFirstBytesAre(table, "InvoiceNo", CANCELLATION_MARK);
  const bits = new Uint8Array((codes.length + 7) >> 3);
  for (let i = 0; i < codes.length; i++) bits[i >> 3] |= cancelled[codes[i]] << (i & 7);
  return bits;
}
