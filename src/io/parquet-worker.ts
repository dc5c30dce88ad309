// A worker thread of parquet-pool.ts: decodes the row groups it is given, one at a time, each as
// record batches in Arrow IPC, handed over in order. Decoding (decompression, Parquet pages → Arrow
// arrays, the IPC copy) is most of a Parquet read's CPU time; in a worker it overlaps the main
// thread's normalisation of the batches before.
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type * as ParquetWasm from "parquet-wasm";

/** What the pool starts a worker with: the file, shared (a Blob is not copied between threads). */
export interface DecodeWorkerData {
  file: Blob;
}

export type DecodeRequest =
  /** Decode row group `group` in batches of at most `batchRows` lines (only `columns`, if given). */
  | { type: "group"; group: number; batchRows: number; columns?: string[] }
  /** The oldest batch handed over has been taken: the worker may hand over the next. */
  | { type: "taken" };

export type DecodeReply =
  | { type: "batch"; group: number; ipc: Uint8Array }
  | { type: "end"; group: number }
  | { type: "error"; group: number; message: string };

const port = parentPort!;
const { file } = workerData as DecodeWorkerData;
const wasm = createRequire(import.meta.url)("parquet-wasm") as typeof ParquetWasm;

// Batches handed over and not yet taken, and the decode waiting for that count to fall.
let untaken = 0;
let onTaken: (() => void) | undefined;

// Row groups given and not yet decoded, in order: the next one is given before the current one
// ends, so the worker goes on without waiting for the main thread to wake up between groups.
const queue: Extract<DecodeRequest, { type: "group" }>[] = [];
let decoding = false;

const handle = wasm.ParquetFile.fromFile(file);
handle.catch(() => {}); // said by the first group's decode, as an error reply
port.on("message", (m: DecodeRequest) => {
  if (m.type === "taken") {
    untaken--;
    onTaken?.();
    return;
  }
  queue.push(m);
  if (!decoding) void decodeQueued();
});

async function decodeQueued(): Promise<void> {
  decoding = true;
  for (let next = queue.shift(); next; next = queue.shift()) await decodeGroup(next);
  decoding = false;
}

async function decodeGroup({ group, batchRows, columns }: Extract<DecodeRequest, { type: "group" }>): Promise<void> {
  try {
    const stream = await (await handle).stream({ rowGroups: [group], batchSize: batchRows, ...(columns ? { columns } : {}) });
    const reader = stream.getReader();
    let next = await reader.read();
    while (!next.done) {
      const ipc = (next.value as ParquetWasm.RecordBatch).intoIPCStream();
      port.postMessage({ type: "batch", group, ipc } satisfies DecodeReply, [ipc.buffer as ArrayBuffer]);
      untaken++;
      // The next batch decodes while this one is normalised, and is handed over once it is taken:
      // a worker holds at most one batch decoded and one handed over.
      next = await reader.read();
      while (untaken > 0) await new Promise<void>((resolve) => (onTaken = resolve));
      onTaken = undefined;
    }
    port.postMessage({ type: "end", group } satisfies DecodeReply);
  } catch (err) {
    port.postMessage({ type: "error", group, message: err instanceof Error ? err.message : String(err) } satisfies DecodeReply);
  }
}
