/**
 * What the engine needs from its host, and nothing else: the WASM bytes, the core count and
 * workers. Node and browsers each provide one (platform-node.ts, platform-browser.ts), chosen at
 * run time by a dynamic import, so no file of the engine imports `node:` statically.
 */
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

let chosen: Platform | undefined;

/** Use `platform` instead of the detected one (a bundler's asset loader, a test double). */
export function setPlatform(platform: Platform | undefined): void {
  chosen = platform;
}

/** The platform in use: an explicit one, else Node's or the browser's. */
export async function currentPlatform(): Promise<Platform> {
  if (chosen) return chosen;
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  chosen = isNode ? (await import("./platform-node.js")).platform : (await import("./platform-browser.js")).platform;
  return chosen;
}

/** The worker script beside this module, with the same extension (.js when built, .ts under tsx). */
export function workerUrl(): URL {
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return new URL(`./worker.${ext}`, import.meta.url);
}
