/**
 * A pool of workers sharing the engine's WASM memory. A task is one chunked kernel: every thread
 * (the caller included) claims chunk indices from a shared word and calls the kernel on them.
 * Kernels write each chunk's results to the chunk's own slot, so which thread ran a chunk never
 * changes a result. The control block lives in the shared memory; the caller blocks with
 * Atomics.wait until every chunk is done, so engine calls stay synchronous.
 *
 * Nobody waits for a worker that has no chunk: not the join, and not the next task either. The
 * claim word holds the task's generation beside its next chunk, and a chunk is claimed by a
 * compare-and-swap that only succeeds while that word still names the generation the worker read
 * the task's arguments for. A worker that wakes late, after its task is over (or after the next
 * one was written over the control block), therefore claims nothing and runs nothing; it goes back
 * to waiting. A claimed chunk holds its task open, so the arguments a claimant read cannot have been
 * overwritten.
 */
import { CHUNKED_KERNELS, type ChunkedKernel } from "./kernels.js";
import type { Kernel } from "./module.js";
import type { EngineWorker, Platform } from "./platform-api.js";

/** Int32 words of the control block. */
export const Ctrl = {
  generation: 0,
  chunkCount: 2,
  kernel: 4,
  argCount: 5,
  failed: 6,
  participants: 7,
  /** Chunks finished (or abandoned on a failure) in the current task. */
  chunksDone: 8,
  /** The task's first chunk: a task covers chunks firstChunk … chunkCount − 1. */
  firstChunk: 9,
  /** Threads between entering a task's claim loop and leaving it (what a failure waits out). */
  claiming: 10,
} as const;
/** Byte offset of the claim word: generation (high 32 bits) and next chunk (low 32 bits), a BigUint64. */
export const CLAIM_OFFSET = 48;
/** Byte offset of the f64 arguments inside the control block, and their maximum count. */
export const ARGS_OFFSET = 64;
export const MAX_ARGS = 24;
export const CTRL_BYTES = ARGS_OFFSET + MAX_ARGS * 8;

/** The claim word of task `generation` at chunk `chunk`. */
export function claimWord(generation: number, chunk: number): bigint {
  return (BigInt(generation >>> 0) << 32n) | BigInt(chunk);
}

/**
 * Claim chunks of task `generation` until there are none left (or the task is over) and run each
 * with `call`; returns how many ran. Used alike by the caller and the workers.
 */
export function claimAndRun(claim: BigUint64Array, generation: number, chunkCount: number, call: (chunk: number) => void): number {
  // The words of this task are first … end − 1 (comparisons, not shifts: fewer BigInts per claim).
  const first = claimWord(generation, 0);
  const end = first + BigInt(chunkCount);
  let ran = 0;
  let cur = Atomics.load(claim, 0);
  while (cur >= first && cur < end) {
    const seen = Atomics.compareExchange(claim, 0, cur, cur + 1n);
    if (seen !== cur) {
      cur = seen;
      continue;
    }
    call(Number(cur - first));
    ran++;
    cur = Atomics.load(claim, 0);
  }
  return ran;
}

/** Close the claim word of task `generation` (if it is still current) so no further chunk is claimed. */
export function closeClaims(claim: BigUint64Array, generation: number, chunkCount: number): void {
  const tag = BigInt(generation >>> 0);
  for (let cur = Atomics.load(claim, 0); cur >> 32n === tag; ) {
    const seen = Atomics.compareExchange(claim, 0, cur, claimWord(generation, chunkCount));
    if (seen === cur) return;
    cur = seen;
  }
}

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
    const claim = new BigUint64Array(this.memory.buffer, this.ctrlPtr + CLAIM_OFFSET, 1);
    // The previous task is complete (every chunk ran), so no thread can still claim from it.
    new Float64Array(this.memory.buffer, this.ctrlPtr + ARGS_OFFSET, args.length).set(args);
    ctrl[Ctrl.kernel] = id;
    ctrl[Ctrl.argCount] = args.length;
    ctrl[Ctrl.chunkCount] = chunkCount;
    ctrl[Ctrl.firstChunk] = firstChunk;
    const tasks = chunkCount - firstChunk;
    // Never more participants than chunks: a worker without a chunk would only be woken for nothing.
    ctrl[Ctrl.participants] = Math.max(1, Math.min(threads, this.threads, tasks));
    Atomics.store(ctrl, Ctrl.failed, 0);
    Atomics.store(ctrl, Ctrl.chunksDone, 0);
    const generation = (Atomics.load(ctrl, Ctrl.generation) + 1) | 0;
    // The claim word names the new task before the workers are told of it.
    Atomics.store(claim, 0, claimWord(generation, firstChunk));
    Atomics.store(ctrl, Ctrl.generation, generation);
    Atomics.notify(ctrl, Ctrl.generation);
    let error: unknown;
    let ran = 0;
    try {
      ran = claimAndRun(claim, generation, chunkCount, local.bind(undefined, ...args) as (chunk: number) => void);
    } catch (err) {
      error = err;
    }
    if (error) {
      // The workers stop claiming; wait out the chunks in flight before the caller sees the error.
      closeClaims(claim, generation, chunkCount);
      Atomics.store(ctrl, Ctrl.failed, 1);
      this.waitClaimsOut(ctrl);
      throw error;
    }
    Atomics.add(ctrl, Ctrl.chunksDone, ran);
    for (let n = Atomics.load(ctrl, Ctrl.chunksDone); n < tasks && !Atomics.load(ctrl, Ctrl.failed); n = Atomics.load(ctrl, Ctrl.chunksDone)) {
      Atomics.wait(ctrl, Ctrl.chunksDone, n);
    }
    if (Atomics.load(ctrl, Ctrl.failed)) {
      this.waitClaimsOut(ctrl);
      throw new Error(`${kernel} failed in a worker thread`);
    }
  }

  /** After a failure: until no thread is inside a claim loop (a rare path, so it polls). */
  private waitClaimsOut(ctrl: Int32Array): void {
    for (let n = Atomics.load(ctrl, Ctrl.claiming); n > 0; n = Atomics.load(ctrl, Ctrl.claiming)) Atomics.wait(ctrl, Ctrl.claiming, n, 1);
  }

  close(): void {
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
  }
}
