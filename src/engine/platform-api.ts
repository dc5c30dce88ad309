// What the engine needs from its host, and nothing else; platform.ts chooses the implementation.

export interface Platform {
  /** The bytes of build/<name>: custseg.wasm (SIMD), custseg-scalar.wasm, custseg-threads.wasm. */
  wasmBytes(name: string): Promise<Uint8Array | ArrayBuffer>;
  /** Logical cores available to this process. */
  cores(): Promise<number>;
  /**
   * Start the engine worker script (worker.ts) or return undefined where workers, shared memory or a
   * blocking wait on this thread are unavailable; the engine then runs single-threaded.
   */
  startWorker(): Promise<EngineWorker | undefined>;
}

/** The few worker operations the thread pool uses, the same over worker_threads and Web Workers. */
export interface EngineWorker {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onError(listener: (error: Error) => void): void;
  terminate(): void;
  /** Let the host exit while this worker idles (Node's unref). */
  detach?(): void;
}
