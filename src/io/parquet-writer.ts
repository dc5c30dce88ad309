// Parquet encoding on a thread of its own, for the run directory's customers.parquet: started early
// in a run (`startParquetWriter`), the thread compiles parquet-wasm while the first steps run, and
// the table is encoded there while this thread renders the rest of the report. The bytes are those
// of tableToParquet (both go through parquet-encode.ts); writing them stays with the caller. This
// module loads no Arrow, so a run can start the thread before anything else is loaded.
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { startModuleWorker, workerModule } from "./module-worker.js";
import type { EncodeReply, EncodeRequest, EndRequest } from "./parquet-write-worker.js";

interface WriterThread {
  worker: Worker;
  pending: Map<number, { resolve(bytes: Uint8Array): void; reject(err: Error): void }>;
  nextId: number;
}

let thread: WriterThread | undefined;

/**
 * Whether a job given `threads` (default: the cores) encodes on the writer thread: only with a
 * second thread to give it; with one, the thread's start and compile would only compete with the
 * job's own work.
 */
export function parquetThreadWanted(threads: number | undefined): boolean {
  return (threads ?? availableParallelism()) > 1;
}

/**
 * Starts the writer thread, unless one is running. It keeps no process alive while it has nothing to
 * do, and ends once the writes given to it are done.
 */
export function startParquetWriter(): void {
  if (thread) return;
  const worker = startModuleWorker(workerModule("parquet-write-worker", import.meta.url));
  const t: WriterThread = { worker, pending: new Map(), nextId: 0 };
  const failAll = (err: Error) => {
    for (const p of t.pending.values()) p.reject(err);
    t.pending.clear();
    if (thread === t) thread = undefined;
  };
  worker.on("message", (m: EncodeReply) => {
    const p = t.pending.get(m.id);
    if (!p) return;
    t.pending.delete(m.id);
    // A run writes one table: the thread ends once it is idle, and its memory (parquet-wasm's code
    // and heap, some 35 MB) is returned while the run builds and writes the rest of its directory.
    if (t.pending.size === 0) endParquetWriter();
    if ("bytes" in m) p.resolve(m.bytes);
    else p.reject(new Error(m.message));
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`the Parquet writer thread stopped (exit code ${code})`)));
  worker.unref();
  thread = t;
}

/**
 * Ends the writer thread (a later write starts another). It is asked to close its port and so end by
 * itself: Worker.terminate() would hold this thread while parquet-wasm's memory is torn down.
 */
function endParquetWriter(): void {
  const t = thread;
  if (!t) return;
  thread = undefined;
  t.worker.removeAllListeners("exit");
  t.worker.postMessage({ end: true } satisfies EndRequest);
  t.worker.unref();
}

/**
 * Has the writer thread (started here if it was not) encode a small stream and drop the result, so
 * that the write that counts runs warm. The stream's buffer is handed over.
 */
export function warmParquetWriter(ipcStream: Uint8Array, plainColumns: string[]): void {
  startParquetWriter();
  const request: EncodeRequest = { id: -1, ipcStream, plainColumns, warmUp: true };
  thread!.worker.postMessage(request, [ipcStream.buffer as ArrayBuffer]);
}

/**
 * An Arrow IPC stream as Parquet bytes, encoded on the writer thread (started here if it was not).
 * The stream's buffer is handed over: the caller must not use it after.
 */
export function parquetOffThread(ipcStream: Uint8Array, plainColumns: string[]): Promise<Uint8Array> {
  startParquetWriter();
  const t = thread!;
  const request: EncodeRequest = { id: t.nextId++, ipcStream, plainColumns };
  return new Promise((resolve, reject) => {
    t.pending.set(request.id, { resolve, reject });
    t.worker.ref();
    t.worker.postMessage(request, [request.ipcStream.buffer as ArrayBuffer]);
  });
}
