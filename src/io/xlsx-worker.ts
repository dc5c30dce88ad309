// Runs inside a worker thread (see xlsx.ts): parses a workbook with the `xlsx` package, whose
// 0.18.5 release has unfixed prototype-pollution and ReDoS advisories, so it only ever runs in this
// separate realm under time and memory limits. Hands back column buffers, not Arrow objects.
import { parentPort, workerData } from "node:worker_threads";
import XLSX from "xlsx";
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
}

export type XlsxReply = { ok: true; columns: TransactionColumns } | { ok: false; userError: boolean; message: string };

interface Cell {
  t: string;
  v?: unknown;
}

function parseWorkbook({ bytes, file, map, format }: XlsxRequest): TransactionColumns {
  const decimal = format.decimal ?? ".";
  let wb: XLSX.WorkBook;
  try {
    wb = XLSX.read(bytes, {
      type: "buffer",
      dense: true,
      cellDates: false,
      cellHTML: false,
      cellText: false,
      cellFormula: false,
      cellStyles: false,
      cellNF: false,
    });
  } catch (err) {
    const msg = (err as Error).message;
    if (/password|ECMA-376 Encrypted/i.test(msg)) throw new UserError(`${file}: the workbook is password-protected (${msg}); save it without a password`);
    throw new UserError(`${file}: damaged or unsupported workbook (${msg})`);
  }
  const sheetName = wb.SheetNames[0];
  if (!sheetName) throw new UserError(`${file}: the workbook has no sheets`);
  const rows = wb.Sheets[sheetName] as unknown as (Cell | undefined)[][];
  // A sheet the parser could not lay out (e.g. its XML too large for one string) is unreadable input.
  if (!Array.isArray(rows)) throw new UserError(`${file}: sheet "${sheetName}" could not be read`);
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const where = `${file}: sheet "${sheetName}"`;
  if (rows.length === 0) throw new UserError(`${where} is empty`);

  const header = (rows[0] ?? []).map((c) => (c?.v == null ? "" : String(c.v)));
  const at = resolveColumns(header, map, where);
  const capacity = rows.length - 1;
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
  for (r = 1; r < rows.length; r++) {
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
  if (n === 0) throw new UserError(`${where} has a header row but no data rows`);
  // Excel's own dates are serial numbers; only dates typed as text need a format.
  dates.resolve(date, format.dateFormat ?? "auto", (i) => `${where}, cell ${XLSX.utils.encode_cell({ r: cellRows[i]!, c: at.InvoiceDate })} (${excerpt(header[at.InvoiceDate])})`, where);
  return columns.finish(n);
}

const port = parentPort;
if (port) {
  let reply: XlsxReply;
  try {
    reply = { ok: true, columns: parseWorkbook(workerData as XlsxRequest) };
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
