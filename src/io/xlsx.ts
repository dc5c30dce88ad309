// .xlsx → transactions. The workbook is parsed in a worker thread (xlsx-worker.ts) under a time
// limit and a heap limit; the worker hands back column buffers and the table is built here.
import { Worker } from "node:worker_threads";
import type { Table } from "apache-arrow";
import { UserError } from "../errors.js";
import type { ColumnMap } from "./columns.js";
import { transactionsTable } from "./schema.js";
import type { XlsxReply, XlsxRequest } from "./xlsx-worker.js";

export interface XlsxOptions {
  map?: ColumnMap;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Heap limit of the parsing worker in MB (default 1500). */
  maxMemoryMb?: number;
}

export const XLSX_DEFAULT_TIMEOUT_MS = 60_000;
export const XLSX_DEFAULT_MEMORY_MB = 1500;

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
  const copy = new Uint8Array(bytes); // a copy is transferred to the worker; the caller keeps its bytes
  const request: XlsxRequest = { bytes: copy, file, map: opts.map ?? {} };
  const options = {
    workerData: request,
    transferList: [copy.buffer as ArrayBuffer],
    resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
  };
  // From source, the worker registers tsx itself: loader hooks given by --import do not reach workers.
  const worker = fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`,
        { ...options, eval: true },
      )
    : new Worker(workerUrl, options);
  const reply = await new Promise<XlsxReply>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new UserError(`${file}: reading the workbook took longer than ${timeoutMs / 1000} s; gave up`));
      void worker.terminate();
    }, timeoutMs);
    const settle = () => clearTimeout(timer);
    worker.once("message", (m: XlsxReply) => {
      settle();
      resolve(m);
    });
    worker.once("error", (err: Error & { code?: string }) => {
      settle();
      reject(
        err.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? new UserError(`${file}: reading the workbook needed more than ${maxMemoryMb} MB of memory; gave up`)
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
