// Row groups of one Parquet file decoded on worker threads (parquet-worker.ts), their record
// batches yielded in file order. Each worker is given two row groups ahead and decodes one at a
// time, holding at most one batch decoded and one handed over; it is given another row group each
// time one of its own has been taken whole. So, with N workers, at most 2N row groups are given out
// and at most N batches wait here: memory stays bounded whatever the file's size.
import { Worker } from "node:worker_threads";
import { type RecordBatch, tableFromIPC } from "apache-arrow";
import { UserError } from "../errors.js";
import type { DecodeReply, DecodeRequest, DecodeWorkerData } from "./parquet-worker.js";

/** The worker module beside this one: .ts when running from source (through tsx), .js when compiled. */
const fromSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(`./parquet-worker${fromSource ? ".ts" : ".js"}`, import.meta.url);

function startWorker(data: DecodeWorkerData): Worker {
  // From source, the worker registers tsx itself: loader hooks given by --import do not reach workers.
  if (fromSource) {
    const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
    return new Worker(boot, { eval: true, workerData: data });
  }
  return new Worker(workerUrl, { workerData: data });
}

const END = Symbol("end of row group");

interface Inbox {
  worker: Worker;
  items: (Uint8Array | typeof END)[];
}

export interface PoolOptions {
  /** Worker threads (at most one per row group). */
  workers: number;
  /** Lines per batch at most. */
  batchRows: number;
  /** The columns decoded, by name (default: all). */
  columns?: string[];
  /** Stops the decoding (the workers are ended) and the generator throws the signal's reason. */
  signal?: AbortSignal;
  /** Wording of a decode failure. */
  unreadable: (message: string) => Error;
}

/** The record batches of row groups 0..groups-1 of `file`, in order, decoded on `workers` worker threads. */
export async function* pooledBatches(file: Blob, groups: number, name: string, opts: PoolOptions): AsyncGenerator<RecordBatch> {
  const workers: Worker[] = [];
  const inboxes = new Map<number, Inbox>();
  let nextGroup = 0;
  let failure: Error | undefined;
  let closing = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (err: Error) => {
    failure ??= err;
    notify();
  };
  const send = (worker: Worker, m: DecodeRequest) => worker.postMessage(m);
  const dispatch = (worker: Worker) => {
    if (nextGroup >= groups) return;
    const group = nextGroup++;
    inboxes.set(group, { worker, items: [] });
    send(worker, { type: "group", group, batchRows: opts.batchRows, columns: opts.columns });
  };
  const onAbort = () => fail(opts.signal!.reason instanceof Error ? opts.signal!.reason : new Error(String(opts.signal!.reason)));
  try {
    opts.signal?.throwIfAborted();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    for (let i = 0; i < Math.min(opts.workers, groups); i++) {
      const worker = startWorker({ file });
      workers.push(worker);
      worker.on("message", (m: DecodeReply) => {
        if (m.type === "error") return fail(opts.unreadable(m.message));
        inboxes.get(m.group)!.items.push(m.type === "batch" ? m.ipc : END);
        if (m.type === "end") dispatch(worker);
        notify();
      });
      // A decoder trap in a damaged page can surface outside the decode's own promise, as the worker's error.
      worker.on("error", (err: Error & { code?: string }) =>
        fail(err.code === "ERR_WORKER_OUT_OF_MEMORY" ? new UserError(`${name}: decoding a row group ran out of memory`) : opts.unreadable(err.message)),
      );
      worker.on("exit", (code) => {
        if (!closing) fail(new UserError(`${name}: the Parquet decoder stopped unexpectedly (exit code ${code})`));
      });
      // Two row groups each: a worker starts its next one as soon as its current one is taken.
      dispatch(worker);
      dispatch(worker);
    }
    for (let group = 0; group < groups; group++) {
      for (;;) {
        while (!failure && !inboxes.get(group)?.items.length) await new Promise<void>((resolve) => (wake = resolve));
        if (failure) throw failure;
        const inbox = inboxes.get(group)!;
        const item = inbox.items.shift()!;
        if (item === END) break;
        send(inbox.worker, { type: "taken" });
        yield* tableFromIPC(item).batches;
        if (failure) throw failure;
      }
      inboxes.delete(group);
    }
  } finally {
    closing = true;
    opts.signal?.removeEventListener("abort", onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
