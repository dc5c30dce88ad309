// CSV / TSV → transactions, in one pass over the decoded text.
// Fields follow RFC 4180: quoted fields may hold the delimiter, doubled quotes and line breaks.
// Lines are counted as the file shows them (a quoted line break starts a new line).
import type { Table } from "apache-arrow";
import { UserError } from "../errors.js";
import { type ColumnMap, resolveColumns } from "./columns.js";
import { DateTexts } from "./date-column.js";
import { csvMark, markMetadata } from "./generated-mark.js";
import { type DecimalMark, numberProblem, parseDecimal, parseInt32 } from "./numbers.js";
import { TransactionColumnsBuilder, transactionsTable, withSchemaMetadata } from "./schema.js";
import { decodeText } from "./text.js";
import type { TextFormat } from "./text-format.js";
import { excerpt, quote } from "./excerpt.js";

export interface CsvOptions extends TextFormat {
  /** Text encoding; detected when absent (see text.ts). */
  encoding?: string;
  map?: ColumnMap;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Reads records one at a time into a reused array. */
export class CsvRecords {
  private pos = 0;
  private line = 1;
  /** Line on which the record last returned by next() starts. */
  recordLine = 0;
  private readonly delim: number;

  /** Starts at `start`, counted as line `line` (after a leading comment the caller skipped). */
  constructor(
    private readonly s: string,
    delimiter: string,
    private readonly file: string,
    start = 0,
    line = 1,
  ) {
    this.delim = delimiter.charCodeAt(0);
    this.pos = start;
    this.line = line;
  }

  /** Skips one line break at pos, if any; returns whether there was one. */
  private lineBreak(): boolean {
    const c = this.s.charCodeAt(this.pos);
    if (c === CR) {
      this.pos++;
      if (this.s.charCodeAt(this.pos) === LF) this.pos++;
    } else if (c === LF) {
      this.pos++;
    } else {
      return false;
    }
    this.line++;
    return true;
  }

  /** Fills `out` with the next record's fields and returns their number; -1 at the end. Blank lines are skipped. */
  next(out: string[]): number {
    const s = this.s;
    const n = s.length;
    while (this.lineBreak()) {}
    if (this.pos >= n) return -1;
    this.recordLine = this.line;
    let count = 0;
    for (;;) {
      let field: string;
      if (s.charCodeAt(this.pos) === QUOTE) {
        field = this.quoted();
      } else {
        const start = this.pos;
        let p = start;
        for (; p < n; p++) {
          const c = s.charCodeAt(p);
          if (c === this.delim || c === LF || c === CR) break;
        }
        this.pos = p;
        field = s.slice(start, p);
      }
      out[count++] = field;
      if (this.pos >= n) return count;
      if (s.charCodeAt(this.pos) === this.delim) {
        this.pos++;
        continue;
      }
      this.lineBreak();
      return count;
    }
  }

  private quoted(): string {
    const s = this.s;
    let p = this.pos + 1;
    let text = "";
    for (;;) {
      const q = s.indexOf('"', p);
      if (q < 0) throw new UserError(`${this.file}: line ${this.recordLine}: a quoted field is never closed`);
      for (let i = s.indexOf("\n", p); i >= 0 && i < q; i = s.indexOf("\n", i + 1)) this.line++;
      if (s.charCodeAt(q + 1) === QUOTE) {
        text += s.slice(p, q + 1);
        p = q + 2;
        continue;
      }
      text += s.slice(p, q);
      this.pos = q + 1;
      const c = s.charCodeAt(this.pos);
      if (this.pos < s.length && c !== this.delim && c !== LF && c !== CR) {
        throw new UserError(`${this.file}: line ${this.line}: unexpected text after a closing quote`);
      }
      return text;
    }
  }
}

/**
 * Tab for TSV; for CSV a comma, unless the header has none and has semicolons or tabs. With a
 * decimal comma a semicolon in the header wins: such files separate fields with ";".
 */
function guessDelimiter(text: string, start: number, tsv: boolean, decimal: string): string {
  if (tsv) return "\t";
  const end = text.indexOf("\n", start);
  const header = end < 0 ? text.slice(start) : text.slice(start, end);
  if (decimal === "," && header.includes(";")) return ";";
  if (header.includes(",")) return ",";
  if (header.includes(";")) return ";";
  if (header.includes("\t")) return "\t";
  return ",";
}

/** Parses CSV/TSV bytes into the transactions table. */
export function readCsvTransactions(bytes: Uint8Array, file: string, opts: CsvOptions = {}, tsv = false): Table {
  const { text } = decodeText(bytes, file, opts.encoding);
  if (text.trim() === "") throw new UserError(`${file}: the file is empty`);
  const decimal = opts.decimal ?? ".";
  const generated = csvMark(text);
  const start = generated?.length ?? 0;
  const records = new CsvRecords(text, opts.delimiter ?? guessDelimiter(text, start, tsv, decimal), file, start, generated ? 2 : 1);
  const fields: string[] = [];
  const width = records.next(fields);
  const header = fields.slice(0, width);
  const at = resolveColumns(header, opts.map ?? {}, file);

  // Every record takes at least one line, so the line count bounds the row count.
  let capacity = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) capacity++;
  const lines = new Int32Array(capacity);
  const columns = new TransactionColumnsBuilder(capacity);
  const { invoice, stock, description, country, quantity, date, price, customer, customerValid, dicts } = columns;

  const dates = new DateTexts(capacity);
  let row = 0;
  let line = 0;
  const where = (col: number, l = line) => `${file}: line ${l}, column ${col + 1} (${excerpt(header[col])})`;
  const bad = (col: number, what: string): never => {
    throw new UserError(`${where(col)}: ${what}`, 1, { input: file, row: line, column: header[col] });
  };
  const number = (col: number, parse: (text: string, decimal: DecimalMark) => number, what: string) => {
    const text = required(col);
    const v = parse(text, decimal);
    return Number.isNaN(v) ? bad(col, numberProblem(text, what, decimal)) : v;
  };
  const required = (col: number) => {
    const v = fields[col];
    if (v === "") bad(col, "empty (a value is required)");
    return v;
  };
  for (let count = records.next(fields); count >= 0; count = records.next(fields)) {
    line = records.recordLine;
    if (count !== width) {
      throw new UserError(`${file}: line ${line}: expected ${width} fields as in the header, found ${count}`);
    }
    lines[row] = line;
    invoice[row] = dicts.invoice.intern(required(at.InvoiceNo));
    stock[row] = dicts.stock.intern(required(at.StockCode));
    const desc = fields[at.Description];
    description[row] = desc === "" ? -1 : dicts.description.intern(desc);
    country[row] = dicts.country.intern(required(at.Country));

    quantity[row] = number(at.Quantity, parseInt32, "a whole number");
    price[row] = number(at.UnitPrice, parseDecimal, "a number");
    dates.add(row, required(at.InvoiceDate));

    const c = fields[at.CustomerID];
    if (c.trim() !== "") {
      const id = parseInt32(c, decimal);
      if (Number.isNaN(id)) bad(at.CustomerID, `cannot read ${quote(c)} as a whole-number customer id`);
      customer[row] = id;
      customerValid[row] = 1;
    }
    row++;
  }
  if (row === 0) throw new UserError(`${file}: has a header line but no data rows`);
  dates.resolve(date, opts.dateFormat ?? "auto", (r) => where(at.InvoiceDate, lines[r]), file);

  const table = transactionsTable(
    columns.finish(row),
    (r) => `${file}: line ${lines[r]}`,
  );
  return withSchemaMetadata(table, generated && markMetadata(generated.mark));
}
