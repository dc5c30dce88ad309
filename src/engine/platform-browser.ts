// The browser's platform: WASM bytes by fetch beside the page's build/, Web Workers. A browser's
// main thread may not block (Atomics.wait), so the pool runs only where blocking is allowed
// (inside a worker) and with cross-origin isolation (SharedArrayBuffer).
import type { EngineWorker, Platform } from "./platform-api.js";
import { workerUrl } from "./worker-url.js";

/**
 * Where build/*.wasm is served from: the package root's build/, three levels above the compiled
 * dist/src/engine/ (two above src/engine/ where a dev server serves the TypeScript sources).
 */
const buildBase = new URL(import.meta.url.endsWith(".ts") ? "../../build/" : "../../../build/", import.meta.url);

function canBlock(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export const platform: Platform = {
  async wasmBytes(name) {
    const res = await fetch(new URL(name, buildBase));
    if (!res.ok) throw new Error(`fetching ${res.url} failed: ${res.status} ${res.statusText}`);
    return res.arrayBuffer();
  },
  async cores() {
    return typeof navigator !== "undefined" ? navigator.hardwareConcurrency || 1 : 1;
  },
  async startWorker(): Promise<EngineWorker | undefined> {
    if (!canBlock() || typeof Worker === "undefined") return undefined;
    const url = workerUrl();
    const worker = new Worker(url, { type: "module" });
    return {
      postMessage: (message) => worker.postMessage(message),
      onMessage: (listener) => worker.addEventListener("message", (e) => listener(e.data)),
      // A script that fails to load or link fires a bare error event, without a message.
      onError: (listener) =>
        worker.addEventListener("error", (e) => listener(new Error(e.message || `the engine worker ${url.href} failed to load`))),
      terminate: () => worker.terminate(),
    };
  },
};
