// Any Arrow table with the transactions columns (under any known name, in any reasonable type)
// → the transactions schema. Used by the Parquet and Arrow IPC readers.
//   text columns:  Utf8, LargeUtf8, Utf8View, Dictionary<…Utf8>, or numbers (written as integer text)
//   Quantity, CustomerID: any integer or whole-valued float type (NaN in CustomerID = null), or text
//   UnitPrice: any numeric type, or text;  InvoiceDate: Timestamp (no zone / UTC), Date, or text
import { type Data, type DataType, RecordBatch, Schema, Table, Type, type Vector } from "apache-arrow";
import { UserError } from "../errors.js";
import { type ColumnMap, resolveColumns } from "./columns.js";
import { DateTexts } from "./date-column.js";
import { markFromMetadata, markMetadata } from "./generated-mark.js";
import { type DecimalMark, isInt32, numberProblem, numberText, parseDecimal } from "./numbers.js";
import { excerpt } from "./excerpt.js";
import {
  type DictColumnData,
  exactTransactions,
  Interner,
  isTransactionsTable,
  type TransactionColumn,
  type TransactionColumns,
  transactionsTable,
  withSchemaMetadata,
} from "./schema.js";
import type { TextFormat } from "./text-format.js";

/**
 * The table with the transactions schema in one batch; `file` names the source in errors. Of the
 * source's schema metadata only the mark of generated data is kept.
 */
export function normalizeTransactions(table: Table, map: ColumnMap, file: string, format: TextFormat = {}): Table {
  const mark = markFromMetadata(table.schema.metadata);
  return withSchemaMetadata(normalizeColumns(table, map, file, format), mark && markMetadata(mark));
}

function normalizeColumns(table: Table, map: ColumnMap, file: string, format: TextFormat): Table {
  if (isTransactionsTable(table) && Object.keys(map).length === 0) return withoutMetadata(exactTransactions(table));
  const names = table.schema.fields.map((f) => f.name);
  const at = resolveColumns(names, map, file);
  const column = (c: TransactionColumn) => new ColumnReader(table.getChildAt(at[c]) as Vector, names[at[c]], file, format);
  const n = table.numRows;
  const customer = column("CustomerID").int32(true);
  const cols: TransactionColumns = {
    length: n,
    InvoiceNo: column("InvoiceNo").text(false),
    StockCode: column("StockCode").text(false),
    Description: column("Description").text(true),
    Country: column("Country").text(false),
    Quantity: column("Quantity").int32(false).values,
    InvoiceDate: column("InvoiceDate").wallClock(),
    UnitPrice: column("UnitPrice").float64(),
    CustomerID: customer.values,
    CustomerIDValid: customer.valid,
  };
  return transactionsTable(cols);
}

const withoutMetadata = (table: Table) => (table.schema.metadata.size ? new Table(table.batches.map((b) => new RecordBatch(new Schema(table.schema.fields), b.data))) : table);

const isValid = (d: Data, i: number) => {
  const bitmap = d.nullBitmap;
  if (!d.nullCount || !bitmap || bitmap.length === 0) return true;
  const j = d.offset + i;
  return ((bitmap[j >> 3] >> (j & 7)) & 1) === 1;
};

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

/** Converts one source column, chunk by chunk, reporting bad values by row and column name. */
class ColumnReader {
  private readonly decimal: DecimalMark;

  constructor(
    private readonly vector: Vector,
    private readonly name: string,
    private readonly file: string,
    private readonly format: TextFormat,
  ) {
    this.decimal = format.decimal ?? ".";
  }

  private fail(row: number, what: string): never {
    throw new UserError(`${this.file}: row ${row + 1}, column ${excerpt(this.name)}: ${what}`);
  }

  /** Calls fn(chunk, firstRowOfChunk) for each chunk. */
  private eachChunk(fn: (d: Data, base: number) => void) {
    let base = 0;
    for (const d of this.vector.data) {
      fn(d, base);
      base += d.length;
    }
  }

  text(nullable: boolean): DictColumnData {
    const interner = new Interner();
    const indices = new Int32Array(this.vector.length);
    this.eachChunk((d, base) => {
      const type = d.type as DataType;
      if (type.typeId === Type.Dictionary) {
        const dict = (d.dictionary as Vector).toArray() as unknown[];
        const ids = dict.map((v) => (v == null ? -1 : interner.intern(this.asText(v))));
        const keys = d.values as ArrayLike<number | bigint>;
        for (let i = 0; i < d.length; i++) indices[base + i] = isValid(d, i) ? ids[Number(keys[i])] : -1;
      } else if ((type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8) && d.valueOffsets) {
        internUtf8(d, interner, indices, base);
      } else {
        const v = this.vector;
        for (let i = 0; i < d.length; i++) {
          const x = v.get(base + i);
          indices[base + i] = x == null ? -1 : interner.intern(this.asText(x));
        }
      }
    });
    if (!nullable) {
      const missing = indices.indexOf(-1);
      if (missing >= 0) this.fail(missing, "empty (a value is required)");
    }
    return { indices, dictionary: interner.values };
  }

  private asText(v: unknown): string {
    return typeof v === "string" ? v : typeof v === "number" || typeof v === "bigint" ? numberText(v) : String(v);
  }

  /** Numbers as float64 per row; NaN where null, NaN or empty text (pandas' missing values). */
  private numbers(): Float64Array {
    const out = new Float64Array(this.vector.length);
    this.eachChunk((d, base) => {
      const typeId = (d.type as DataType).typeId;
      const numeric = typeId === Type.Int || typeId === Type.Float;
      const values = d.values as ArrayLike<number | bigint>;
      for (let i = 0; i < d.length; i++) {
        const row = base + i;
        if (!isValid(d, i)) {
          out[row] = Number.NaN;
        } else if (numeric) {
          out[row] = Number(values[i]);
        } else {
          const x = this.vector.get(row);
          const blank = typeof x === "string" && x.trim() === "";
          const v = blank ? Number.NaN : typeof x === "string" ? parseDecimal(x, this.decimal) : Number(x);
          if (Number.isNaN(v) && !blank) this.fail(row, numberProblem(String(x), "a number", this.decimal));
          out[row] = v;
        }
      }
    });
    return out;
  }

  int32(nullable: boolean): { values: Int32Array; valid: Uint8Array } {
    const raw = this.numbers();
    const values = new Int32Array(raw.length);
    const valid = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i];
      if (Number.isNaN(v)) {
        if (!nullable) this.fail(i, "empty (a value is required)");
        continue;
      }
      if (!isInt32(v)) this.fail(i, `${v} is not a whole number in the 32-bit range`);
      values[i] = v;
      valid[i] = 1;
    }
    return { values, valid };
  }

  float64(): Float64Array {
    const values = this.numbers();
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) this.fail(bad, Number.isNaN(values[bad]) ? "empty (a value is required)" : "not a finite number");
    return values;
  }

  wallClock(): Float64Array {
    const out = new Float64Array(this.vector.length);
    const texts = new DateTexts(out.length);
    this.eachChunk((d, base) => {
      const type = d.type as DataType & { unit?: number; timezone?: string | null };
      const values = d.values as ArrayLike<number | bigint>;
      let scale: [bigint, bigint] | undefined;
      if (type.typeId === Type.Timestamp) {
        const tz = type.timezone;
        if (tz && !/^(UTC|Z|Etc\/UTC|[+-]00:?00)$/i.test(tz)) {
          throw new UserError(
            `${this.file}: column ${excerpt(this.name)} is a timestamp in zone ${excerpt(tz)}; store the local wall-clock time without a zone`,
          );
        }
        scale = TIME_UNIT_TO_MS[type.unit ?? 1];
      } else if (type.typeId === Type.Date) {
        scale = type.unit === 0 ? [86_400_000n, 1n] : [1n, 1n]; // DateUnit.DAY stores days, MILLISECOND ms
      }
      for (let i = 0; i < d.length; i++) {
        const row = base + i;
        if (!isValid(d, i)) this.fail(row, "empty (a date is required)");
        if (scale !== undefined) {
          out[row] = scaleToMs(values[i], scale);
        } else {
          const x = this.vector.get(row);
          if (typeof x !== "string") this.fail(row, `cannot read ${excerpt(String(x))} as a date (a ${type} column)`);
          texts.add(row, x);
        }
      }
    });
    texts.resolve(out, this.format.dateFormat ?? "auto", (row) => `${this.file}: row ${row + 1}, column ${excerpt(this.name)}`, this.file);
    return out;
  }
}

/**
 * Dictionary-encodes a Utf8 / LargeUtf8 chunk into `out` by hashing each row's bytes (FNV-1a) into an
 * open-addressing table of first occurrences, so each distinct value is decoded once: transaction
 * files hold a few thousand distinct texts over hundreds of thousands of rows.
 */
function internUtf8(d: Data, interner: Interner, out: Int32Array, base: number): void {
  const bytes = d.values as Uint8Array;
  const raw = (d.valueOffsets as Int32Array | BigInt64Array).subarray(0, d.length + 1);
  const offsets = raw instanceof BigInt64Array ? Float64Array.from(raw, Number) : raw;
  const mask = (1 << Math.ceil(Math.log2(2 * d.length + 2))) - 1;
  const firstRow = new Int32Array(mask + 1).fill(-1);
  const idOf = new Int32Array(mask + 1);
  const decoder = new TextDecoder();
  const sameBytes = (a: number, b: number) => {
    const len = offsets[a + 1]! - offsets[a]!;
    if (len !== offsets[b + 1]! - offsets[b]!) return false;
    for (let k = 0, pa = offsets[a]!, pb = offsets[b]!; k < len; k++) if (bytes[pa + k] !== bytes[pb + k]) return false;
    return true;
  };
  let previous = -1;
  for (let i = 0; i < d.length; i++) {
    if (!isValid(d, i)) {
      out[base + i] = -1;
      continue;
    }
    // Consecutive lines often repeat a value (one invoice, one country): skip the hash.
    if (previous >= 0 && sameBytes(previous, i)) {
      out[base + i] = out[base + previous]!;
      previous = i;
      continue;
    }
    let h = 0x811c9dc5;
    for (let p = offsets[i]!, end = offsets[i + 1]!; p < end; p++) h = Math.imul(h ^ bytes[p]!, 0x01000193);
    let slot = h & mask;
    while (firstRow[slot]! >= 0 && !sameBytes(firstRow[slot]!, i)) slot = (slot + 1) & mask;
    if (firstRow[slot]! < 0) {
      firstRow[slot] = i;
      idOf[slot] = interner.intern(decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!)));
    }
    out[base + i] = idOf[slot]!;
    previous = i;
  }
}
