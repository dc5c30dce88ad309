// Runs inside a worker thread (see xlsx-pool.ts): parses worksheets with the `xlsx` package, whose
// 0.18.5 release has unfixed prototype-pollution and ReDoS advisories, so it only ever runs in this
// separate realm under time and memory limits. A task is a slice of the sheet's rows (or the whole
// workbook); the reply is the slice's columns as buffers (xlsx-chunks.ts), not Arrow objects.
import { parentPort } from "node:worker_threads";
import XLSX from "xlsx";
import { UserError } from "../errors.js";
import { type ColumnMap, resolveColumns } from "./columns.js";
import { excelSerialToMs } from "./datetime.js";
import { excerpt, quote } from "./excerpt.js";
import { type DecimalMark, isInt32, numberProblem, numberText, parseDecimal, parseInt32 } from "./numbers.js";
import { Interner } from "./schema.js";
import { type ChunkText, cellName, chunkBuffers, type XlsxChunk } from "./xlsx-chunks.js";

export interface XlsxWorkerData {
  file: string;
  map: ColumnMap;
  /** For numbers stored as text; Excel's own numbers need none. */
  decimal: DecimalMark;
  /** The workbook: its parts, inflated (a zip), or its bytes (an encrypted workbook, refused by the parser with its reason). */
  source: { parts: { path: string; bytes: Uint8Array }[] } | { bytes: Uint8Array };
  /** The part a task's `sheet` stands in for. */
  sheetPath?: string;
}

/** Where the first task found the columns; later tasks are handed it. */
export interface SheetColumns {
  name: string;
  header: string[];
  at: Record<"InvoiceNo" | "StockCode" | "Description" | "Quantity" | "InvoiceDate" | "UnitPrice" | "CustomerID" | "Country", number>;
  date1904: boolean;
}

export interface XlsxTask {
  index: number;
  /** A worksheet of consecutive rows standing in for `sheetPath`, in a buffer of its own (moved, not copied); absent: the workbook as it is. */
  sheet?: Uint8Array;
  /** Sheet row (0-based) of the task's first row. */
  firstRow: number;
  /** Absent in the first task, which reads the header. */
  columns?: SheetColumns;
}

export type XlsxReply =
  | { index: number; ok: true; columns: SheetColumns; chunk: XlsxChunk }
  | { index: number; ok: false; userError: boolean; message: string };

/** What the reader asks of the parser: cell values and types only (xlsx-lean-rows.ts relies on it). */
export const READ_OPTIONS = {
  dense: true,
  cellDates: false,
  cellHTML: false,
  cellText: false,
  cellFormula: false,
  cellStyles: false,
  cellNF: false,
  sheets: 0,
} as const;

/** The zip container xlsx reads workbooks from (its CFB module), and its parser of one. */
interface ZipContainer {
  FileIndex: { content: Uint8Array; size?: number }[];
  FullPaths: string[];
}
const parseZip = (XLSX as unknown as { parse_zip: (zip: ZipContainer, opts: object) => XLSX.WorkBook }).parse_zip;

interface Cell {
  t: string;
  v?: unknown;
}

const isEmpty = (cell: Cell | undefined) => cell == null || cell.t === "z" || cell.v == null || cell.v === "";

class ChunkTextBuilder {
  private readonly interner = new Interner();
  readonly ids: Int32Array;
  constructor(capacity: number) {
    this.ids = new Int32Array(capacity);
  }
  set(row: number, text: string | null): void {
    this.ids[row] = this.interner.intern(text);
  }
  finish(rows: number): ChunkText {
    return { values: this.interner.values, ids: this.ids.slice(0, rows) };
  }
}

/**
 * A slice as a Buffer, which the parser turns into text with one latin1 decode; a moved buffer
 * arrives as a plain Uint8Array, which it decodes as windows-1252 and maps back (2–3% of a worker's
 * time on the UCI sheet) for the same text. Only where the slice starts with `<`: the two paths look for
 * byte-order marks differently.
 */
const asLatin1Source = (sheet: Uint8Array): Uint8Array => (sheet[0] === 0x3c ? Buffer.from(sheet.buffer, sheet.byteOffset, sheet.byteLength) : sheet);

function unreadable(file: string, err: unknown): UserError {
  const msg = (err as Error).message;
  if (/password|ECMA-376 Encrypted/i.test(msg)) return new UserError(`${file}: the workbook is password-protected (${msg}); save it without a password`);
  return new UserError(`${file}: damaged or unsupported workbook (${msg})`);
}

function startWorker(data: XlsxWorkerData) {
  const { file, map, decimal, source, sheetPath } = data;
  let container: ZipContainer | undefined;
  let sheetAt = -1;
  if ("parts" in source) {
    container = XLSX.CFB.utils.cfb_new() as ZipContainer;
    for (const part of source.parts) XLSX.CFB.utils.cfb_add(container, part.path, part.bytes, { unsafe: true });
    // The sheet's entry, which each task fills with its slice.
    if (sheetPath !== undefined) XLSX.CFB.utils.cfb_add(container, sheetPath, new Uint8Array(0), { unsafe: true });
    sheetAt = container.FullPaths.findIndex((p) => sheetPath !== undefined && p.endsWith(`/${sheetPath}`));
  }

  const parse = (task: XlsxTask): XLSX.WorkBook => {
    try {
      if (!container) return XLSX.read((source as { bytes: Uint8Array }).bytes, { type: "buffer", ...READ_OPTIONS });
      const { sheet } = task;
      if (!sheet || sheetAt < 0) return parseZip(container, READ_OPTIONS);
      const content = asLatin1Source(sheet);
      const FileIndex = container.FileIndex.map((entry, i) => (i === sheetAt ? { ...entry, content, size: sheet.length } : entry));
      return parseZip({ ...container, FileIndex }, READ_OPTIONS);
    } catch (err) {
      throw unreadable(file, err);
    }
  };

  return function run(task: XlsxTask): { columns: SheetColumns; chunk: XlsxChunk } {
    const wb = parse(task);
    const name = wb.SheetNames[0];
    if (!name) throw new UserError(`${file}: the workbook has no sheets`);
    const rows = wb.Sheets[name] as unknown as (Cell | undefined)[][];
    // A sheet the parser could not lay out (e.g. its XML too large for one string) is unreadable input.
    if (!Array.isArray(rows)) throw new UserError(`${file}: sheet "${name}" could not be read`);
    const where = `${file}: sheet "${name}"`;
    let columns = task.columns;
    if (!columns) {
      if (rows.length === 0) throw new UserError(`${where} is empty`);
      const header = (rows[0] ?? []).map((c) => (c?.v == null ? "" : String(c.v)));
      const at = resolveColumns(header, map, where);
      columns = { name, header, at, date1904: Boolean(wb.Workbook?.WBProps?.date1904) };
    }
    return { columns, chunk: sheetChunk(rows, Math.max(1, task.firstRow), columns, where, decimal) };
  };
}

/** The data rows of a parsed sheet from row `from` (0-based) on, as columns; blank rows are skipped. */
function sheetChunk(rows: (Cell | undefined)[][], from: number, columns: SheetColumns, where: string, decimal: DecimalMark): XlsxChunk {
  const { header, at, date1904 } = columns;
  const capacity = Math.max(0, rows.length - from);
  const invoice = new ChunkTextBuilder(capacity);
  const stock = new ChunkTextBuilder(capacity);
  const description = new ChunkTextBuilder(capacity);
  const country = new ChunkTextBuilder(capacity);
  const dateTexts = new ChunkTextBuilder(capacity);
  const quantity = new Int32Array(capacity);
  const price = new Float64Array(capacity);
  const date = new Float64Array(capacity);
  const customer = new Int32Array(capacity);
  const customerValid = new Uint8Array(capacity);
  const sheetRows = new Int32Array(capacity);

  let r = 0;
  let row: (Cell | undefined)[] = [];
  const bad = (c: number, what: string): never => {
    throw new UserError(`${where}, cell ${cellName(r, c)} (${excerpt(header[c])}): ${what}`);
  };
  const text = (c: number, required: boolean): string | null => {
    const cell = row[c];
    if (isEmpty(cell)) return required ? bad(c, "empty (a value is required)") : null;
    const v = (cell as Cell).v;
    if (cell?.t === "e") bad(c, "holds an error value");
    return typeof v === "number" ? numberText(v) : String(v);
  };
  const number = (c: number, parse: (s: string, decimal: DecimalMark) => number, what: string): number => {
    const cell = row[c];
    if (isEmpty(cell)) bad(c, "empty (a value is required)");
    const v = (cell as Cell).v;
    const n = cell?.t === "n" ? (v as number) : cell?.t === "s" ? parse(v as string, decimal) : Number.NaN;
    if (!Number.isFinite(n)) bad(c, cell?.t === "s" ? numberProblem(v as string, what, decimal) : `cannot read ${quote(v)} as ${what}`);
    return n;
  };

  let n = 0;
  for (r = from; r < rows.length; r++) {
    row = rows[r] ?? [];
    if (row.every(isEmpty)) continue; // blank lines between or after the data (and rows before the slice's)
    invoice.set(n, text(at.InvoiceNo, true));
    stock.set(n, text(at.StockCode, true));
    description.set(n, text(at.Description, false));
    country.set(n, text(at.Country, true));
    const q = number(at.Quantity, parseInt32, "a whole number");
    if (!isInt32(q)) bad(at.Quantity, `${q} is not a whole number in the 32-bit range`);
    quantity[n] = q;
    price[n] = number(at.UnitPrice, parseDecimal, "a number");
    const d = row[at.InvoiceDate];
    sheetRows[n] = r;
    if (d?.t === "n") {
      date[n] = excelSerialToMs(d.v as number, date1904);
      dateTexts.set(n, null);
    } else if (d?.t === "s") dateTexts.set(n, d.v as string);
    else bad(at.InvoiceDate, isEmpty(d) ? "empty (a value is required)" : `cannot read ${quote(d?.v)} as a date`);
    if (!isEmpty(row[at.CustomerID])) {
      const id = number(at.CustomerID, parseInt32, "a whole-number customer id");
      if (!isInt32(id)) bad(at.CustomerID, `${id} is not a whole-number customer id`);
      customer[n] = id;
      customerValid[n] = 1;
    }
    n++;
  }
  return {
    rows: n,
    sheetRows: sheetRows.slice(0, n),
    invoice: invoice.finish(n),
    stock: stock.finish(n),
    description: description.finish(n),
    country: country.finish(n),
    quantity: quantity.slice(0, n),
    price: price.slice(0, n),
    date: date.slice(0, n),
    dateTexts: dateTexts.finish(n),
    customer: customer.slice(0, n),
    customerValid: customerValid.slice(0, n),
  };
}

/** The first message a worker gets: the workbook, once inflated (the worker starts before). */
export interface XlsxSetup {
  setup: XlsxWorkerData;
}

const port = parentPort;
if (port) {
  let run: ReturnType<typeof startWorker> | undefined;
  port.on("message", (message: XlsxSetup | XlsxTask) => {
    if ("setup" in message) {
      run = startWorker(message.setup);
      return;
    }
    const task = message;
    let reply: XlsxReply;
    try {
      if (!run) throw new Error("a task before the workbook");
      reply = { index: task.index, ok: true, ...run(task) };
    } catch (err) {
      const e = err as Error;
      reply = { index: task.index, ok: false, userError: e instanceof UserError, message: e.message ?? String(err) };
    }
    port.postMessage(reply, reply.ok ? chunkBuffers(reply.chunk) : []);
  });
}
