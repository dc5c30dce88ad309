// Row groups of one Parquet file decoded on worker threads (parquet-worker.ts), their record
// batches yielded in file order. The workers start before they are given the file (a worker takes
// a fifth of a second to start: the caller reads and hashes the file meanwhile), and the first
// reads the footer, so no thread waits for another to load parquet-wasm first. Each worker is
// given two row groups ahead and decodes one at a time, holding at most one batch decoded and one
// handed over; it is given another row group each time one of its own has been taken whole. So,
// with N workers, at most 2N row groups are given out and at most N batches wait here: memory stays
// bounded whatever the file's size.
import type { Worker } from "node:worker_threads";
import { startModuleWorker, workerModule } from "./module-worker.js";
import type { RecordBatch } from "apache-arrow";
import { UserError } from "../errors.js";
import { type BatchParts, batchFromParts } from "./batch-transfer.js";
import type { DecodeReply, DecodeRequest, FooterSummary } from "./parquet-worker.js";

export type { FooterSummary } from "./parquet-worker.js";

const workerUrl = workerModule("parquet-worker", import.meta.url);

const END = Symbol("end of row group");

interface Inbox {
  worker: Worker;
  items: ({ slot: number; parts: BatchParts } | typeof END)[];
}

export interface PoolOptions {
  /** Worker threads (at most one per row group is kept once the footer is read). */
  workers: number;
  /** Stops the decoding (the workers are ended) and the generator throws the signal's reason. */
  signal?: AbortSignal;
  /** Wording of a decode failure. */
  unreadable: (message: string) => Error;
}

export interface DecodeOptions {
  /** Lines per batch at most. */
  batchRows: number;
  /** The columns decoded, by name (default: all). */
  columns?: string[];
}

export interface Decoders {
  /** Gives the workers the file (once): the first reads its footer. */
  open(file: Blob): void;
  /** The file's footer, as the first worker read it; rejects as the read would fail. */
  footer: Promise<FooterSummary>;
  /**
   * The record batches of row groups 0..groups-1, in order; the workers end when it does. The
   * workers are given their first row groups at once, before the first batch is asked for. A
   * batch's buffers are reused once the next batch is asked for: read (copy) it before.
   */
  batches(groups: number, opts: DecodeOptions): AsyncGenerator<RecordBatch>;
  /** Ends the workers (when the batches are not to be read). */
  close(): Promise<void>;
}

/** Starts `workers` decoders of the file named `name` (in errors). Call `close` or read `batches` to the end. */
export function startDecoders(name: string, opts: PoolOptions): Decoders {
  const workers: Worker[] = [];
  const inboxes = new Map<number, Inbox>();
  let groups = 0;
  let nextGroup = 0;
  let read: DecodeOptions | undefined;
  let failure: Error | undefined;
  let closing = false;
  let wake: (() => void) | undefined;
  let footerReply!: { resolve: (f: FooterSummary) => void; reject: (err: Error) => void };
  const footer = new Promise<FooterSummary>((resolve, reject) => (footerReply = { resolve, reject }));
  footer.catch(() => {}); // said by whoever awaits it, or by the batches
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (err: Error) => {
    failure ??= err;
    footerReply.reject(failure);
    notify();
  };
  const send = (worker: Worker, m: DecodeRequest) => worker.postMessage(m);
  const dispatch = (worker: Worker) => {
    if (!read || nextGroup >= groups) return;
    const group = nextGroup++;
    inboxes.set(group, { worker, items: [] });
    send(worker, { type: "group", group, batchRows: read.batchRows, columns: read.columns });
  };
  // Workers beyond one per row group, ended once the footer says how many there are.
  const retired = new Set<Worker>();
  const onAbort = () => fail(opts.signal!.reason instanceof Error ? opts.signal!.reason : new Error(String(opts.signal!.reason)));
  const close = async () => {
    closing = true;
    opts.signal?.removeEventListener("abort", onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  };

  if (opts.signal?.aborted) onAbort();
  else {
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    for (let i = 0; i < Math.max(1, opts.workers); i++) {
      const worker = startModuleWorker(workerUrl);
      workers.push(worker);
      worker.on("message", (m: DecodeReply) => {
        if (m.type === "error") return fail(opts.unreadable(m.message));
        if (m.type === "footer") return footerReply.resolve(m.footer);
        inboxes.get(m.group)!.items.push(m.type === "batch" ? { slot: m.slot, parts: m.batch } : END);
        if (m.type === "end") dispatch(worker);
        notify();
      });
      // A decoder trap in a damaged page can surface outside the decode's own promise, as the worker's error.
      worker.on("error", (err: Error & { code?: string }) =>
        fail(err.code === "ERR_WORKER_OUT_OF_MEMORY" ? new UserError(`${name}: decoding a row group ran out of memory`) : opts.unreadable(err.message)),
      );
      worker.on("exit", (code) => {
        if (!closing && !retired.has(worker)) fail(new UserError(`${name}: the Parquet decoder stopped unexpectedly (exit code ${code})`));
      });
    }
  }

  function batches(count: number, decode: DecodeOptions): AsyncGenerator<RecordBatch> {
    if (!failure) {
      groups = count;
      read = decode;
      for (const extra of workers.slice(Math.max(1, groups))) {
        retired.add(extra);
        void extra.terminate();
      }
      const active = workers.filter((w) => !retired.has(w));
      // Two row groups each: a worker starts its next one as soon as its current one is taken.
      for (const worker of active) dispatch(worker);
      for (const worker of active) dispatch(worker);
    }
    return inOrder();
  }

  async function* inOrder(): AsyncGenerator<RecordBatch> {
    try {
      if (failure) throw failure;
      for (let group = 0; group < groups; group++) {
        for (;;) {
          while (!failure && !inboxes.get(group)?.items.length) await new Promise<void>((resolve) => (wake = resolve));
          if (failure) throw failure;
          const inbox = inboxes.get(group)!;
          const item = inbox.items.shift()!;
          if (item === END) break;
          send(inbox.worker, { type: "taken" });
          yield batchFromParts(item.parts);
          // The batch has been read: its shared buffer may take another.
          send(inbox.worker, { type: "release", slot: item.slot });
          if (failure) throw failure;
        }
        inboxes.delete(group);
      }
    } finally {
      await close();
    }
  }

  const open = (file: Blob) => {
    for (const [i, worker] of workers.entries()) send(worker, { type: "open", file, describe: i === 0 });
  };
  return { open, footer, batches, close };
}
