/**
 * A pool of workers sharing the engine's WASM memory. A task is one chunked kernel: every thread
 * (the caller included) takes chunk indices from a shared counter and calls the kernel on them.
 * Kernels write each chunk's results to the chunk's own slot, so which thread ran a chunk never
 * changes a result. The control block lives in the shared memory; the caller blocks with
 * Atomics.wait until every chunk is done, so engine calls stay synchronous. A worker that wakes
 * late and finds no chunk left does not hold up that join: the next task waits for it instead,
 * before it rewrites the control block, by which time it has usually long reported.
 */
import { CHUNKED_KERNELS, type ChunkedKernel } from "./kernels.js";
import type { Kernel } from "./module.js";
import type { EngineWorker, Platform } from "./platform-api.js";

/** Int32 words of the control block. */
export const Ctrl = {
  generation: 0,
  nextChunk: 1,
  chunkCount: 2,
  done: 3,
  kernel: 4,
  argCount: 5,
  failed: 6,
  participants: 7,
  /** Chunks finished (or abandoned on a failure) in the current task. */
  chunksDone: 8,
  /** The task's first chunk: a task covers chunks firstChunk … chunkCount − 1. */
  firstChunk: 9,
} as const;
/** Byte offset of the f64 arguments inside the control block, and their maximum count. */
export const ARGS_OFFSET = 64;
export const MAX_ARGS = 24;
export const CTRL_BYTES = ARGS_OFFSET + MAX_ARGS * 8;

/** What a worker receives once, at start. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrlPtr: number;
  /** 1-based: the calling thread is participant 0. */
  index: number;
}

export class ThreadPool {
  private constructor(
    private readonly workers: EngineWorker[],
    private readonly memory: WebAssembly.Memory,
    private readonly ctrlPtr: number,
  ) {}

  /** A task was started whose workers may not all have reported done yet. */
  private pending = false;

  /** Start `count` workers on the shared memory; undefined where the platform cannot. */
  static async start(
    platform: Platform,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    ctrlPtr: number,
    count: number,
  ): Promise<ThreadPool | undefined> {
    const workers: EngineWorker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const worker = await platform.startWorker();
        if (!worker) break;
        workers.push(worker);
      }
      if (workers.length === 0) return undefined;
      await Promise.all(
        workers.map(
          (worker, i) =>
            new Promise<void>((resolve, reject) => {
              worker.onMessage((message) => (message === "ready" ? resolve() : reject(new Error(String(message)))));
              worker.onError(reject);
              const init: WorkerInit = { module, memory, ctrlPtr, index: i + 1 };
              worker.postMessage(init);
            }),
        ),
      );
    } catch (err) {
      for (const worker of workers) worker.terminate();
      throw err;
    }
    for (const worker of workers) worker.detach?.();
    return new ThreadPool(workers, memory, ctrlPtr);
  }

  /** Threads this pool can use, the caller's included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Run `kernel(...args, chunk)` for chunk = firstChunk … chunkCount − 1 on up to `threads` threads
   * (the caller runs `local`, its own instance of the same kernel). Returns when every chunk is done.
   */
  run(kernel: ChunkedKernel, local: Kernel, args: readonly number[], chunkCount: number, threads: number, firstChunk = 0): void {
    // The kernel travels as its index in CHUNKED_KERNELS, the table every worker builds.
    const id = CHUNKED_KERNELS.indexOf(kernel);
    if (args.length > MAX_ARGS) throw new RangeError(`${kernel}: more than ${MAX_ARGS} arguments`);
    const ctrl = new Int32Array(this.memory.buffer, this.ctrlPtr, ARGS_OFFSET / 4);
    if (this.pending) {
      // Every worker must be past the previous task before its control block is rewritten.
      for (let done = Atomics.load(ctrl, Ctrl.done); done < this.workers.length; done = Atomics.load(ctrl, Ctrl.done)) {
        Atomics.wait(ctrl, Ctrl.done, done);
      }
    }
    new Float64Array(this.memory.buffer, this.ctrlPtr + ARGS_OFFSET, args.length).set(args);
    ctrl[Ctrl.kernel] = id;
    ctrl[Ctrl.argCount] = args.length;
    ctrl[Ctrl.chunkCount] = chunkCount;
    ctrl[Ctrl.firstChunk] = firstChunk;
    const tasks = chunkCount - firstChunk;
    // Never more participants than chunks: a worker without a chunk would only be woken for nothing.
    ctrl[Ctrl.participants] = Math.max(1, Math.min(threads, this.threads, tasks));
    ctrl[Ctrl.failed] = 0;
    Atomics.store(ctrl, Ctrl.nextChunk, firstChunk);
    Atomics.store(ctrl, Ctrl.chunksDone, 0);
    Atomics.store(ctrl, Ctrl.done, 0);
    Atomics.add(ctrl, Ctrl.generation, 1);
    this.pending = true;
    Atomics.notify(ctrl, Ctrl.generation);
    let error: unknown;
    const call = local.bind(undefined, ...args);
    let ran = 0;
    try {
      for (let chunk = Atomics.add(ctrl, Ctrl.nextChunk, 1); chunk < chunkCount; chunk = Atomics.add(ctrl, Ctrl.nextChunk, 1)) {
        call(chunk);
        ran++;
      }
    } catch (err) {
      error = err;
      // The workers stop claiming; the join below then waits only for the chunks in flight.
      Atomics.store(ctrl, Ctrl.nextChunk, chunkCount);
      Atomics.store(ctrl, Ctrl.failed, 1);
    }
    Atomics.add(ctrl, Ctrl.chunksDone, ran);
    if (error) {
      // Chunks nobody will claim never count as done: wait for the workers instead.
      for (let done = Atomics.load(ctrl, Ctrl.done); done < this.workers.length; done = Atomics.load(ctrl, Ctrl.done)) {
        Atomics.wait(ctrl, Ctrl.done, done);
      }
      throw error;
    }
    for (let n = Atomics.load(ctrl, Ctrl.chunksDone); n < tasks && !Atomics.load(ctrl, Ctrl.failed); n = Atomics.load(ctrl, Ctrl.chunksDone)) {
      Atomics.wait(ctrl, Ctrl.chunksDone, n);
    }
    if (ctrl[Ctrl.failed]) {
      for (let done = Atomics.load(ctrl, Ctrl.done); done < this.workers.length; done = Atomics.load(ctrl, Ctrl.done)) {
        Atomics.wait(ctrl, Ctrl.done, done);
      }
    }
    if (ctrl[Ctrl.failed]) throw new Error(`${kernel} failed in a worker thread`);
  }

  close(): void {
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
  }
}
