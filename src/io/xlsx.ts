// .xlsx → transactions. The workbook is parsed in a worker thread (xlsx-worker.ts) under a time
// limit and a memory limit; the worker hands back column buffers and the table is built here.
// The worker's heap limit does not count its buffers (the parser inflates XML into them), so the
// parts the parser will inflate are bounded before it starts, and the process's resident memory is
// watched while it runs.
import { Worker } from "node:worker_threads";
import type { Table } from "apache-arrow";
import { LimitError, UserError } from "../errors.js";
import type { ColumnMap } from "./columns.js";
import { DEFAULT_MAX_INFLATED_BYTES, XLSX_DEFAULT_MEMORY_MB, XLSX_DEFAULT_TIMEOUT_MS } from "./limits.js";
import { transactionsTable } from "./schema.js";
import type { TextFormat } from "./text-format.js";
import type { XlsxReply, XlsxRequest } from "./xlsx-worker.js";

export interface XlsxOptions {
  map?: ColumnMap;
  /** Date format and decimal mark of cells typed as text. */
  format?: TextFormat;
  /** Give up after this long (default 180 s: the real workbook takes about 15 s of CPU, and a busy machine stretches it). */
  timeoutMs?: number;
  /** Memory the parsing worker may add to the process, heap and buffers, in MB (default 1500). */
  maxMemoryMb?: number;
  /** Bound on the workbook's parts once inflated (default: DEFAULT_MAX_INFLATED_BYTES). */
  maxInflatedBytes?: number;
  /** Sheet XML parsed at a time (default SLICE_BYTES in xlsx-worker.ts); Infinity parses the sheet whole. */
  sliceBytes?: number;
}

/** How often the resident memory is sampled while the worker runs. */
const MEMORY_POLL_MS = 50;


/** The worker module beside this one: .ts when running from source (through tsx), .js when compiled. */
const fromSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(`./xlsx-worker${fromSource ? ".ts" : ".js"}`, import.meta.url);

const startsWith = (b: Uint8Array, magic: number[]) => magic.every((m, i) => b[i] === m);
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export async function readXlsxTransactions(bytes: Uint8Array, file: string, opts: XlsxOptions = {}): Promise<Table> {
  // An .xlsx is a zip; a password-protected one is an OLE compound file. Anything else the xlsx
  // package would happily read as text, so it is refused here.
  if (!startsWith(bytes, ZIP_MAGIC) && !startsWith(bytes, CFB_MAGIC)) {
    throw new UserError(`${file}: not an .xlsx workbook (${bytes.length === 0 ? "the file is empty" : "no zip signature"})`);
  }
  const timeoutMs = opts.timeoutMs ?? XLSX_DEFAULT_TIMEOUT_MS;
  const maxMemoryMb = opts.maxMemoryMb ?? XLSX_DEFAULT_MEMORY_MB;
  if (startsWith(bytes, ZIP_MAGIC)) {
    const { checkInflatedSize } = await import("./zip.js");
    await checkInflatedSize(bytes, file, opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES);
  }
  const copy = new Uint8Array(bytes); // a copy is transferred to the worker; the caller keeps its bytes
  const request: XlsxRequest = { bytes: copy, file, map: opts.map ?? {}, format: opts.format ?? {}, ...(opts.sliceBytes ? { sliceBytes: opts.sliceBytes } : {}) };
  const options = {
    workerData: request,
    transferList: [copy.buffer as ArrayBuffer],
    resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
  };
  const baseline = process.memoryUsage.rss();
  const overMemory = () =>
    new LimitError(`${file}: reading the workbook needed more than ${maxMemoryMb} MB of memory; gave up`, "xlsxMemory");
  // From source, the worker registers tsx itself: loader hooks given by --import do not reach workers.
  const worker = fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`,
        { ...options, eval: true },
      )
    : new Worker(workerUrl, options);
  const reply = await new Promise<XlsxReply>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new LimitError(`${file}: reading the workbook took longer than ${timeoutMs / 1000} s; gave up`, "xlsxTime"));
      void worker.terminate();
    }, timeoutMs);
    const watch = setInterval(() => {
      if (process.memoryUsage.rss() - baseline <= maxMemoryMb * 2 ** 20) return;
      reject(overMemory());
      void worker.terminate();
    }, MEMORY_POLL_MS);
    const settle = () => {
      clearTimeout(timer);
      clearInterval(watch);
    };
    worker.once("message", (m: XlsxReply) => {
      settle();
      resolve(m);
    });
    worker.once("error", (err: Error & { code?: string }) => {
      settle();
      reject(
        err.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? overMemory()
          : new UserError(`${file}: the workbook reader failed (${err.message})`),
      );
    });
    worker.once("exit", (code) => {
      settle();
      reject(new UserError(`${file}: the workbook reader stopped unexpectedly (exit code ${code})`));
    });
  });
  await worker.terminate();
  if (!reply.ok) throw reply.userError ? new UserError(reply.message) : new Error(reply.message);
  return transactionsTable(reply.columns, (r) => `${file}: data row ${r + 1}`);
}
