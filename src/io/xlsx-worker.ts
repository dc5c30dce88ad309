// Runs inside a worker thread (see xlsx.ts): parses a workbook with the `xlsx` package, whose
// 0.18.5 release has unfixed prototype-pollution and ReDoS advisories, so it only ever runs in this
// separate realm under time and memory limits. Hands back column buffers, not Arrow objects.
import { parentPort, workerData } from "node:worker_threads";
import XLSX from "xlsx";
import yauzl from "yauzl";
import { UserError } from "../errors.js";
import { type ColumnMap, resolveColumns } from "./columns.js";
import { DateTexts } from "./date-column.js";
import { excelSerialToMs } from "./datetime.js";
import { type DecimalMark, isInt32, numberProblem, numberText, parseDecimal, parseInt32 } from "./numbers.js";
import type { TextFormat } from "./text-format.js";
import { type TransactionColumns, TransactionColumnsBuilder } from "./schema.js";
import { excerpt, quote } from "./excerpt.js";

export interface XlsxRequest {
  bytes: Uint8Array;
  file: string;
  map: ColumnMap;
  /** For dates and numbers stored as text; Excel's own dates and numbers need none. */
  format: TextFormat;
  /** Sheet XML per parse (see sheetSlices); tests make it small to cut small workbooks. */
  sliceBytes?: number;
}

/**
 * The parser holds a sheet's every cell as an object (about 160 bytes a cell, with the XML it came
 * from): the UCI sheet (153 MB of XML, 4.3 million cells) took 850 MB parsed whole. Parsed 32 MB of
 * rows at a time, one slice's cells are alive at once.
 */
export const SLICE_BYTES = 32 * 2 ** 20;

const READ_OPTIONS = {
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

/**
 * Every part of the workbook's zip, inflated by zlib into a container for the parser: its own
 * inflate, in JavaScript, took a tenth of the UCI parse. The sizes were bounded before the worker
 * started (zip.ts checkInflatedSize), and yauzl fails a part that inflates past its declared size.
 */
async function inflateParts(bytes: Uint8Array): Promise<ZipContainer> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const container = XLSX.CFB.utils.cfb_new() as ZipContainer;
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", resolve);
    zip.on("entry", (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith("/")) return zip.readEntry();
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const content = Buffer.allocUnsafe(entry.uncompressedSize);
        let at = 0;
        stream.on("data", (chunk: Buffer) => {
          at += chunk.copy(content, at);
        });
        stream.on("error", reject);
        stream.on("end", () => {
          XLSX.CFB.utils.cfb_add(container, entry.fileName, content.subarray(0, at), { unsafe: true });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return container;
}

const latin1 = (text: string) => Buffer.from(text, "latin1");
const SHEET_DATA = latin1("<sheetData>");
const SHEET_DATA_END = latin1("</sheetData>");
const ROW = latin1("<row");
const ROW_END = latin1("</row>");

/**
 * The worksheet XML cut after whole rows into worksheets of about `sliceBytes` each (the same head
 * and tail around each run of rows), and the number of rows: or undefined where the rows cannot be
 * cut safely — no plain <sheetData>, or a slice whose first row has no number (the parser would
 * number it from 1; rows carry absolute numbers, so the cells land where a whole parse puts them).
 */
export function sheetSlices(xml: Uint8Array, sliceBytes: number): { slices: () => Generator<Buffer>; rows: number } | undefined {
  const buf = Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength);
  const open = buf.indexOf(SHEET_DATA);
  const close = buf.lastIndexOf(SHEET_DATA_END);
  if (open < 0 || close < open) return undefined;
  const start = open + SHEET_DATA.length;
  const step = Math.max(1, sliceBytes); // a cut always moves forward
  const cuts = [start];
  for (let at = start; at < close; ) {
    const end = at + step >= close ? -1 : buf.indexOf(ROW_END, at + step);
    at = end < 0 || end > close ? close : end + ROW_END.length;
    cuts.push(at);
  }
  let rows = 0;
  for (let at = buf.indexOf(ROW, start); at >= 0 && at < close; at = buf.indexOf(ROW, at + ROW.length)) rows++;
  for (const cut of cuts.slice(0, -1)) {
    const row = buf.indexOf(ROW, cut);
    if (row < 0 || row >= close) continue;
    const tag = buf.subarray(row, buf.indexOf(">", row)).toString("latin1");
    if (!/\sr=["']\d/.test(tag)) return undefined;
  }
  const head = buf.subarray(0, start);
  const tail = buf.subarray(close);
  return {
    rows,
    *slices() {
      for (let i = 1; i < cuts.length; i++) yield Buffer.concat([head, buf.subarray(cuts[i - 1], cuts[i]), tail]);
    },
  };
}

/**
 * The workbook's first sheet as one or more workbooks of consecutive rows, with an upper bound on
 * its data rows where it is cut. Only a zip with one worksheet is cut; anything else (an encrypted
 * workbook, several sheets) is parsed whole.
 */
function* workbookParts(bytes: Uint8Array, zip: ZipContainer | undefined, sliceBytes: number): Generator<{ wb: XLSX.WorkBook; rows?: number }> {
  if (!zip) {
    yield { wb: XLSX.read(bytes, { type: "buffer", ...READ_OPTIONS }) };
    return;
  }
  const sheets = zip.FullPaths.flatMap((path, i) => (/\/worksheets\/[^/]+\.xml$/i.test(path) ? [i] : []));
  const cut = sheets.length === 1 ? sheetSlices(zip.FileIndex[sheets[0]!]!.content, sliceBytes) : undefined;
  if (!cut) {
    yield { wb: parseZip(zip, READ_OPTIONS) };
    return;
  }
  const at = sheets[0]!;
  for (const content of cut.slices()) {
    const FileIndex = zip.FileIndex.map((entry, i) => (i === at ? { ...entry, content, size: content.length } : entry));
    yield { wb: parseZip({ ...zip, FileIndex }, READ_OPTIONS), rows: cut.rows };
  }
}

export type XlsxReply = { ok: true; columns: TransactionColumns } | { ok: false; userError: boolean; message: string };

interface Cell {
  t: string;
  v?: unknown;
}

async function parseWorkbook({ bytes, file, map, format, sliceBytes = SLICE_BYTES }: XlsxRequest): Promise<TransactionColumns> {
  const decimal = format.decimal ?? ".";
  const unreadable = (err: unknown) => {
    const msg = (err as Error).message;
    if (/password|ECMA-376 Encrypted/i.test(msg)) return new UserError(`${file}: the workbook is password-protected (${msg}); save it without a password`);
    return new UserError(`${file}: damaged or unsupported workbook (${msg})`);
  };
  // An encrypted workbook is an OLE compound file, not a zip: the parser reads it whole (and says why it cannot).
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const zip = isZip ? await inflateParts(bytes).catch((err) => Promise.reject(unreadable(err))) : undefined;
  const parts = workbookParts(bytes, zip, sliceBytes);
  const next = () => {
    try {
      return parts.next();
    } catch (err) {
      throw unreadable(err);
    }
  };
  let first: IteratorResult<{ wb: XLSX.WorkBook; rows?: number }, void> | undefined = next();
  if (first.done) throw new UserError(`${file}: damaged or unsupported workbook`);
  const sheetName = first.value.wb.SheetNames[0];
  if (!sheetName) throw new UserError(`${file}: the workbook has no sheets`);
  const sheetOf = (w: XLSX.WorkBook) => w.Sheets[w.SheetNames[0]!] as unknown as (Cell | undefined)[][];
  // From here only `rows` holds a part's cells, so that each part can go before the next is parsed.
  let rows: (Cell | undefined)[][] | undefined = sheetOf(first.value.wb);
  // A sheet the parser could not lay out (e.g. its XML too large for one string) is unreadable input.
  if (!Array.isArray(rows)) throw new UserError(`${file}: sheet "${sheetName}" could not be read`);
  const date1904 = Boolean(first.value.wb.Workbook?.WBProps?.date1904);
  const where = `${file}: sheet "${sheetName}"`;
  if (rows.length === 0) throw new UserError(`${where} is empty`);

  const header = (rows[0] ?? []).map((c) => (c?.v == null ? "" : String(c.v)));
  const at = resolveColumns(header, map, where);
  // A cut sheet counted its rows; a whole one has them all at hand.
  const capacity = first.value.rows ?? rows.length - 1;
  first = undefined;
  const columns = new TransactionColumnsBuilder(capacity);
  const { invoice, stock, description, country, quantity, date, price, customer, customerValid, dicts } = columns;

  let r = 0;
  let row: (Cell | undefined)[] = [];
  const bad = (c: number, what: string): never => {
    throw new UserError(`${where}, cell ${XLSX.utils.encode_cell({ r, c })} (${excerpt(header[c])}): ${what}`);
  };
  const isEmpty = (cell: Cell | undefined) => cell == null || cell.t === "z" || cell.v == null || cell.v === "";
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
  const dates = new DateTexts(capacity);
  const cellRows = new Int32Array(capacity);

  let n = 0;
  // Each part holds the rows after the previous part's (at their absolute indices): the loop goes
  // on from where the last one ended, and drops each part before the next is parsed.
  for (let from = 1; rows; ) {
    for (r = from; r < rows.length; r++) {
      row = rows[r] ?? [];
      if (row.every(isEmpty)) continue; // blank lines between or after the data
      invoice[n] = dicts.invoice.intern(text(at.InvoiceNo, true));
      stock[n] = dicts.stock.intern(text(at.StockCode, true));
      description[n] = dicts.description.intern(text(at.Description, false));
      country[n] = dicts.country.intern(text(at.Country, true));
      const q = number(at.Quantity, parseInt32, "a whole number");
      if (!isInt32(q)) bad(at.Quantity, `${q} is not a whole number in the 32-bit range`);
      quantity[n] = q;
      price[n] = number(at.UnitPrice, parseDecimal, "a number");
      const d = row[at.InvoiceDate];
      cellRows[n] = r;
      if (d?.t === "n") date[n] = excelSerialToMs(d.v as number, date1904);
      else if (d?.t === "s") dates.add(n, d.v as string);
      else bad(at.InvoiceDate, isEmpty(d) ? "empty (a value is required)" : `cannot read ${quote(d?.v)} as a date`);
      if (!isEmpty(row[at.CustomerID])) {
        const id = number(at.CustomerID, parseInt32, "a whole-number customer id");
        if (!isInt32(id)) bad(at.CustomerID, `${id} is not a whole-number customer id`);
        customer[n] = id;
        customerValid[n] = 1;
      }
      n++;
    }
    from = Math.max(from, rows.length);
    row = [];
    rows = undefined;
    const part = next();
    if (!part.done) rows = sheetOf(part.value.wb);
  }
  if (n === 0) throw new UserError(`${where} has a header row but no data rows`);
  // Excel's own dates are serial numbers; only dates typed as text need a format.
  dates.resolve(date, format.dateFormat ?? "auto", (i) => `${where}, cell ${XLSX.utils.encode_cell({ r: cellRows[i]!, c: at.InvoiceDate })} (${excerpt(header[at.InvoiceDate])})`, where);
  return columns.finish(n);
}

const port = parentPort;
if (port) {
  let reply: XlsxReply;
  try {
    reply = { ok: true, columns: await parseWorkbook(workerData as XlsxRequest) };
  } catch (err) {
    const e = err as Error;
    reply = { ok: false, userError: e instanceof UserError, message: e.message ?? String(err) };
  }
  const transfer = reply.ok
    ? [
        reply.columns.InvoiceNo.indices,
        reply.columns.StockCode.indices,
        reply.columns.Description.indices,
        reply.columns.Country.indices,
        reply.columns.Quantity,
        reply.columns.InvoiceDate,
        reply.columns.UnitPrice,
        reply.columns.CustomerID,
        reply.columns.CustomerIDValid,
      ].map((a) => a.buffer as ArrayBuffer)
    : [];
  port.postMessage(reply, transfer);
}
