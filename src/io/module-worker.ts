// The worker threads of the readers and the tune pool: a module beside its caller, compiled (.js)
// or, in tests and development, run from source (.ts, through tsx).
import { Worker, type WorkerOptions } from "node:worker_threads";

/** The worker module `name` beside the module at `base` (its import.meta.url), with that module's extension. */
export function workerModule(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith(".ts") ? ".ts" : ".js"}`, base);
}

/** A worker running the module at `url`. */
export function startModuleWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith(".ts")) return new Worker(url, options);
  // From source, the worker registers tsx itself: loader hooks given by --import do not reach workers.
  const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
