// The writer thread of parquet-writer.ts: loads parquet-wasm as soon as it starts (compiling its
// WebAssembly is most of a first Parquet write), then encodes each Arrow IPC stream it is given.
// It imports no Arrow, and writes no file: the bytes go back to the thread that asked.
import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";
import type * as ParquetWasm from "parquet-wasm";
import { parquetFromIPCStream } from "./parquet-encode.js";

export interface EncodeRequest {
  id: number;
  ipcStream: Uint8Array;
  plainColumns: string[];
  /** Encoded and dropped, unanswered: the first encoding runs parquet-wasm's code cold, at about half speed. */
  warmUp?: boolean;
}

/** Close the port and so end the thread, once the requests before this one are answered. */
export interface EndRequest {
  end: true;
}

export type EncodeReply = { id: number; bytes: Uint8Array } | { id: number; message: string };

const port = parentPort!;
const wasm = createRequire(import.meta.url)("parquet-wasm") as typeof ParquetWasm;

port.on("message", (m: EncodeRequest | EndRequest) => {
  if ("end" in m) {
    port.close();
    return;
  }
  const { id, ipcStream, plainColumns, warmUp } = m;
  if (warmUp) {
    try {
      parquetFromIPCStream(wasm, ipcStream, plainColumns);
    } catch {
      // A failed warm-up costs the real write its speed, not its result.
    }
    return;
  }
  let reply: EncodeReply;
  try {
    reply = { id, bytes: parquetFromIPCStream(wasm, ipcStream, plainColumns) };
  } catch (err) {
    reply = { id, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply, "bytes" in reply ? [reply.bytes.buffer as ArrayBuffer] : []);
});
