// Node's platform: WASM bytes from build/ and workers from worker_threads. The node: modules are
// imported dynamically so that bundling the engine for a browser never pulls them in.
import type { EngineWorker, Platform } from "./platform-api.js";
import { workerUrl } from "./worker-url.js";

/** build/<name> in the nearest ancestor of this file that has it (src/engine or dist/src/engine). */
async function buildFile(name: string): Promise<URL> {
  const { access } = await import("node:fs/promises");
  let dir = new URL("./", import.meta.url);
  for (let depth = 0; depth < 6; depth++) {
    const candidate = new URL(`build/${name}`, dir);
    try {
      await access(candidate);
      return candidate;
    } catch {
      dir = new URL("../", dir);
    }
  }
  throw new Error(`build/${name} not found above ${new URL("./", import.meta.url).pathname}; run 'npm run build:wasm'`);
}

export const platform: Platform = {
  async wasmBytes(name) {
    const { readFile } = await import("node:fs/promises");
    return readFile(await buildFile(name));
  },
  async cores() {
    const os = await import("node:os");
    return os.availableParallelism?.() ?? os.cpus().length;
  },
  async startWorker(): Promise<EngineWorker> {
    const { Worker } = await import("node:worker_threads");
    const url = workerUrl();
    // Under tsx (tests run from source) the worker registers the TypeScript loader itself first.
    const worker = url.pathname.endsWith(".ts")
      ? new Worker(`import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`, {
          eval: true,
        })
      : new Worker(url);
    return {
      postMessage: (message) => worker.postMessage(message),
      onMessage: (listener) => worker.on("message", listener),
      // Once started, a pool's idle workers must not keep the process alive.
      detach: () => worker.unref(),
      onError: (listener) => worker.on("error", listener),
      terminate: () => void worker.terminate(),
    };
  },
};
