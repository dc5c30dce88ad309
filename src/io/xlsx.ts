// .xlsx → transactions. The parsing worker threads start first (xlsx-pool.ts: a time limit and a
// memory limit for them all), then the workbook's parts are inflated here (bounded), its one sheet
// cut into slices of rows (xlsx-slices.ts), and the slices parsed side by side by the workers; they
// hand back each slice's columns, joined here in sheet order (xlsx-chunks.ts) into the table.
import { availableParallelism } from "node:os";
import type { Table } from "apache-arrow";
import { UserError } from "../errors.js";
import type { ColumnMap } from "./columns.js";
import { excerpt } from "./excerpt.js";
import { DEFAULT_MAX_INFLATED_BYTES, XLSX_DEFAULT_MEMORY_MB, XLSX_DEFAULT_TIMEOUT_MS } from "./limits.js";
import { transactionsTable } from "./schema.js";
import type { TextFormat } from "./text-format.js";
import { cellName, joinChunks } from "./xlsx-chunks.js";
import { movable, startWorkers, type XlsxPool } from "./xlsx-pool.js";
import { sheetSlices, UncutSheet } from "./xlsx-slices.js";
import type { XlsxWorkerData } from "./xlsx-worker.js";

export interface XlsxOptions {
  map?: ColumnMap;
  /** Date format and decimal mark of cells typed as text. */
  format?: TextFormat;
  /** Give up after this long (default 180 s: the real workbook takes about 15 s of CPU, and a busy machine stretches it). */
  timeoutMs?: number;
  /** Memory the parsing workers may add to the process, all together, heap and buffers, in MB (default 1500). */
  maxMemoryMb?: number;
  /** Bound on the workbook's parts once inflated (default: DEFAULT_MAX_INFLATED_BYTES). */
  maxInflatedBytes?: number;
  /** Sheet XML parsed at a time per worker (default SLICE_BYTES); Infinity parses the sheet whole. */
  sliceBytes?: number;
  /** Workers parsing slices at once (default XLSX_WORKERS). */
  workers?: number;
}

/**
 * The parser holds a sheet's every cell as an object (about 160 bytes a cell, with the XML it came
 * from): the UCI sheet (153 MB of XML, 4.3 million cells) took 850 MB parsed whole. Parsed at most
 * 12 MB of rows at a time (the UCI sheet's 14 slices about 11 MB each, 7 MB once their references
 * are dropped), a slice per worker, the cells of two slices are alive at once: a whole `run` on the
 * UCI zip peaks near 610 MB.
 */
export const SLICE_BYTES = 12 * 2 ** 20;

/** Workers parsing slices at once: two, where there are two cores. */
export const XLSX_WORKERS = Math.min(2, availableParallelism());

const startsWith = (b: Uint8Array, magic: number[]) => magic.every((m, i) => b[i] === m);
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export async function readXlsxTransactions(bytes: Uint8Array, file: string, opts: XlsxOptions = {}): Promise<Table> {
  // An .xlsx is a zip; a password-protected one is an OLE compound file. Anything else the xlsx
  // package would happily read as text, so it is refused here.
  if (!startsWith(bytes, ZIP_MAGIC) && !startsWith(bytes, CFB_MAGIC)) {
    throw new UserError(`${file}: not an .xlsx workbook (${bytes.length === 0 ? "the file is empty" : "no zip signature"})`);
  }
  const zip = startsWith(bytes, ZIP_MAGIC);
  const workers = Math.max(1, opts.workers ?? XLSX_WORKERS);
  const poolOptions = (count: number) => ({
    file,
    workers: count,
    timeoutMs: opts.timeoutMs ?? XLSX_DEFAULT_TIMEOUT_MS,
    maxMemoryMb: opts.maxMemoryMb ?? XLSX_DEFAULT_MEMORY_MB,
  });
  let pool = startWorkers(poolOptions(workers));
  let parsed: Awaited<ReturnType<typeof pool.parse>>;
  try {
    const parts = zip ? await (await import("./zip.js")).inflateEntries(bytes, file, opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES) : [];
    const sheets = parts.filter((p) => /(^|\/)worksheets\/[^/]+\.xml$/i.test(p.path));
    const common = { file, map: opts.map ?? {}, decimal: opts.format?.decimal ?? "." } as const;
    let held = 0;
    for (const part of parts) held += part.bytes.length;
    // The workbook as it is, to one worker: its parts moved there (a zip), or a copy of its bytes.
    // `taken`: what the main thread took since `to` started.
    const whole = (to: XlsxPool, taken: number) => {
      if (zip) return to.parse({ ...common, source: { parts } }, [{ firstRow: 0 }], { use: 1, transfer: parts.flatMap((p) => movable(p.bytes)), held: taken });
      const copy = new Uint8Array(bytes); // the caller keeps its bytes
      return to.parse({ ...common, source: { bytes: copy } }, [{ firstRow: 0 }], { use: 1, transfer: [copy.buffer as ArrayBuffer], held: taken + copy.length });
    };
    // Only a zip with one worksheet is cut; anything else (an encrypted workbook, several sheets) is parsed whole.
    const sliceBytes = opts.sliceBytes ?? SLICE_BYTES;
    const cut = sheets.length === 1 && Number.isFinite(sliceBytes) ? sheetSlices(sheets[0]!.bytes, sliceBytes, workers) : undefined;
    if (!cut) parsed = await whole(pool, held);
    else {
      const data: XlsxWorkerData = { ...common, source: { parts: parts.filter((p) => p !== sheets[0]) }, sheetPath: sheets[0]!.path };
      const tasks = (function* () {
        for (const slice of cut.slices()) yield { sheet: slice.xml, firstRow: slice.firstRow };
      })();
      try {
        // The first slice is the header alone; the others are shared out.
        parsed = await pool.parse(data, tasks, { use: Math.min(workers, cut.count - 1), held });
      } catch (err) {
        if (!(err instanceof UncutSheet)) throw err;
        // Rows out of order, found as the slices were copied: the sheet is parsed whole, afresh.
        await pool.close();
        pool = startWorkers(poolOptions(1));
        parsed = await whole(pool, 0);
      }
    }
  } finally {
    await pool.close();
  }
  const { columns, chunks } = parsed;
  const where = `${file}: sheet "${columns.name}"`;
  const dateColumn = columns.at.InvoiceDate;
  const joined = joinChunks(chunks, {
    dateFormat: opts.format?.dateFormat ?? "auto",
    where,
    locateDate: (row) => `${where}, cell ${cellName(row, dateColumn)} (${excerpt(columns.header[dateColumn])})`,
  });
  if (joined.length === 0) throw new UserError(`${where} has a header row but no data rows`);
  return transactionsTable(joined, (r) => `${file}: data row ${r + 1}`);
}
