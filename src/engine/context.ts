// What every engine function receives: the kernels, the arena and (optionally) the thread pool.
import type { Arena } from "./arena.js";
import type { ChunkArgs, ChunkedKernel, Kernels } from "./kernels.js";
import type { Kernel } from "./module.js";
import { STEP_WORK, type Steps } from "./steps.js";
import type { ThreadPool } from "./threads.js";

/**
 * Rows per chunk of every chunked kernel. Fixed, and independent of the thread count: partial
 * results are formed per chunk and merged in chunk order, so any thread count gives the same bits.
 */
export const CHUNK_ROWS = 512;

export interface EngineContext {
  readonly kernels: Kernels;
  readonly arena: Arena;
  /** Present when the engine runs on shared memory with workers. */
  readonly pool?: ThreadPool;
  /** Threads a call may use (≤ the pool's), 1 without a pool. */
  readonly threads: number;
}

/** A matrix copied once into WASM memory (row-major f64 at `ptr`), reusable by every engine call. */
export interface ResidentMatrix {
  readonly ptr: number;
  readonly rows: number;
  readonly cols: number;
  /** Give the memory back; the matrix must not be used afterwards. */
  free(): void;
}

export function isResident(x: unknown): x is ResidentMatrix {
  return typeof (x as ResidentMatrix)?.ptr === "number" && typeof (x as ResidentMatrix).free === "function";
}

/** Number of CHUNK_ROWS chunks covering n rows. */
export function chunkCount(n: number): number {
  return Math.ceil(n / CHUNK_ROWS);
}

/**
 * Call the chunked kernel `name(...args, chunk)` for every chunk, on the pool when there is one and
 * the work has more than one chunk. `threads` caps the threads used (default: the context's).
 */
export function forEachChunk<K extends ChunkedKernel>(ctx: EngineContext, name: K, args: ChunkArgs<K>, chunks: number, threads = ctx.threads): void {
  forChunkRange(ctx, name, args, 0, chunks, threads);
}

/** forEachChunk over chunks first … end − 1 only. */
export function forChunkRange<K extends ChunkedKernel>(ctx: EngineContext, name: K, args: ChunkArgs<K>, first: number, end: number, threads = ctx.threads): void {
  const kernel = ctx.kernels[name] as Kernel;
  if (ctx.pool && end - first > 1 && threads > 1) {
    ctx.pool.run(name, kernel, args, end, threads, first);
    return;
  }
  const call = kernel.bind(undefined, ...args);
  for (let chunk = first; chunk < end; chunk++) call(chunk);
}

/**
 * forEachChunk in groups of chunks of about STEP_WORK multiply-adds (`workPerRow` per row),
 * yielding between groups. The chunks and what each writes are the same, so are the results.
 */
export function* forEachChunkSteps<K extends ChunkedKernel>(
  ctx: EngineContext,
  name: K,
  args: ChunkArgs<K>,
  chunks: number,
  workPerRow: number,
  threads = ctx.threads,
): Steps<void> {
  const perStep = Math.max(1, Math.floor(STEP_WORK / (CHUNK_ROWS * Math.max(1, workPerRow))));
  for (let first = 0; first < chunks; first += perStep) {
    forChunkRange(ctx, name, args, first, Math.min(chunks, first + perStep), threads);
    yield;
  }
}
