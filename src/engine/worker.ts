// The engine's worker: instantiates the threads module on the shared memory, then serves chunked
// kernel tasks from the control block forever (see threads.ts). Runs under worker_threads or as a
// Web Worker; the node: module is imported dynamically, as everywhere in the engine.
import { CHUNKED_KERNELS } from "./kernels.js";
import { type Kernel, instantiateModule } from "./module.js";
import { ARGS_OFFSET, CLAIM_OFFSET, Ctrl, claimAndRun, closeClaims, MAX_ARGS, type WorkerInit } from "./threads.js";

async function serve(init: WorkerInit, post: (message: unknown) => void): Promise<void> {
  const { kernels } = await instantiateModule(init.module, init.memory);
  const table: Kernel[] = CHUNKED_KERNELS.map((name) => kernels[name]);
  const ctrl = new Int32Array(init.memory.buffer, init.ctrlPtr, ARGS_OFFSET / 4);
  const claim = new BigUint64Array(init.memory.buffer, init.ctrlPtr + CLAIM_OFFSET, 1);
  let generation = Atomics.load(ctrl, Ctrl.generation);
  post("ready");
  for (;;) {
    Atomics.wait(ctrl, Ctrl.generation, generation);
    generation = Atomics.load(ctrl, Ctrl.generation);
    // What follows may already belong to a later task: only a claim made under this generation
    // runs anything (see threads.ts), and then the arguments read here are this task's.
    if (init.index >= ctrl[Ctrl.participants]!) continue;
    Atomics.add(ctrl, Ctrl.claiming, 1);
    const kernel = table[ctrl[Ctrl.kernel]!];
    const args = Array.from(new Float64Array(init.memory.buffer, init.ctrlPtr + ARGS_OFFSET, Math.min(MAX_ARGS, Math.max(0, ctrl[Ctrl.argCount]!))));
    const count = ctrl[Ctrl.chunkCount]!;
    const tasks = count - ctrl[Ctrl.firstChunk]!;
    let ran = 0;
    try {
      if (kernel) ran = claimAndRun(claim, generation, count, kernel.bind(undefined, ...args) as (chunk: number) => void);
    } catch {
      closeClaims(claim, generation, count);
      Atomics.store(ctrl, Ctrl.failed, 1);
      // Move the count too, so a caller about to wait on it sees the failure.
      Atomics.add(ctrl, Ctrl.chunksDone, 1);
      Atomics.notify(ctrl, Ctrl.chunksDone);
    }
    // The caller joins on the chunks, not on the workers: report them as soon as they are done.
    if (ran > 0 && Atomics.add(ctrl, Ctrl.chunksDone, ran) + ran === tasks) Atomics.notify(ctrl, Ctrl.chunksDone);
    Atomics.sub(ctrl, Ctrl.claiming, 1);
  }
}

function fail(post: (message: unknown) => void) {
  return (err: unknown) => post(`worker failed to start: ${(err as Error)?.message ?? err}`);
}

if (typeof process !== "undefined" && typeof process.versions?.node === "string") {
  const { parentPort } = await import("node:worker_threads");
  const port = parentPort!;
  port.once("message", (init: WorkerInit) => {
    const post = (m: unknown) => port.postMessage(m);
    serve(init, post).catch(fail(post));
  });
} else {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
  scope.onmessage = (e: MessageEvent) => {
    scope.onmessage = null;
    const post = (m: unknown) => scope.postMessage(m);
    serve(e.data as WorkerInit, post).catch(fail(post));
  };
}
