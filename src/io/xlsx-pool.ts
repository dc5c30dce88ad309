// The workers that parse a workbook (xlsx-worker.ts), under one time limit and one memory limit for
// them all. They start before the workbook is inflated and are handed it when it is. The first task
// runs alone (it reads the header, which the others need); then each worker takes the next task as
// soon as it is done with one, so a few slices are in flight at a time, and the chunks come back in
// task order whatever order the workers finish in.
// A worker's heap limit does not count its buffers (the parser inflates XML into them), so the
// process's resident memory is watched while the workers run.
import type { Worker } from "node:worker_threads";
import { startModuleWorker, workerModule } from "./module-worker.js";
import { LimitError, UserError } from "../errors.js";
import type { XlsxChunk } from "./xlsx-chunks.js";
import type { SheetColumns, XlsxReply, XlsxTask, XlsxWorkerData } from "./xlsx-worker.js";

/** How often the resident memory is sampled while the workers run. */
const MEMORY_POLL_MS = 50;

const workerUrl = workerModule("xlsx-worker", import.meta.url);

export interface PoolOptions {
  file: string;
  workers: number;
  timeoutMs: number;
  /** Memory the workers may add to the process, all together, in MB. */
  maxMemoryMb: number;
}

export interface ParseOptions {
  /** Workers to share the tasks out to (the others end now), at most those started. */
  use: number;
  /** Buffers of `data` to move to the (single) worker rather than copy. */
  transfer?: ArrayBuffer[];
  /** Bytes the main thread took since the workers started (the workbook's parts, inflated): not the workers' memory. */
  held?: number;
}

export interface XlsxPool {
  /**
   * Hands `data` to the workers, runs `tasks` (the first reads the header) on them and returns the
   * header's columns and every task's chunk, in task order. A task that fails fails the whole;
   * where several fail, the first in task order is reported, as a single pass would.
   */
  parse(data: XlsxWorkerData, tasks: Iterable<TaskInput>, opts: ParseOptions): Promise<{ columns: SheetColumns; chunks: XlsxChunk[] }>;
  /** Ends the workers and the limits' watch. */
  close(): Promise<void>;
}

export type TaskInput = Omit<XlsxTask, "index" | "columns">;

/** The buffer behind `b` where it can be moved to a worker: one of its own, whole (a pooled Buffer shares its memory). */
export const movable = (b: Uint8Array | undefined): ArrayBuffer[] =>
  b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? [b.buffer as ArrayBuffer] : [];

function replyError(reply: Extract<XlsxReply, { ok: false }>): Error {
  return reply.userError ? new UserError(reply.message) : new Error(reply.message);
}

/**
 * Starts `opts.workers` workers, before the workbook is inflated: loading the parser (about a
 * quarter of a second of CPU each) overlaps inflating and cutting the sheet. The time limit runs
 * from now; the memory watch, from `parse` on, counts what the process adds from now but for what
 * `parse` is told the main thread holds.
 */
export function startWorkers(opts: PoolOptions): XlsxPool {
  const { file, timeoutMs, maxMemoryMb } = opts;
  const count = Math.max(1, opts.workers);
  const overMemory = () => new LimitError(`${file}: reading the workbook needed more than ${maxMemoryMb} MB of memory; gave up`, "xlsxMemory");
  let fail: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {}); // observed through the races below
  let closing = false;
  const ending = new Set<Worker>();
  const workers: Worker[] = [];
  let baseline = process.memoryUsage.rss();
  const timer = setTimeout(() => fail(new LimitError(`${file}: reading the workbook took longer than ${timeoutMs / 1000} s; gave up`, "xlsxTime")), timeoutMs);
  // Watched from the first task on, once the baseline has the inflated parts in it.
  let watch: ReturnType<typeof setInterval> | undefined;

  const start = (): Worker => {
    const options = {
      // Each worker's share of the memory limit (the resident memory watch holds them all to it).
      resourceLimits: { maxOldGenerationSizeMb: Math.max(1, Math.floor(maxMemoryMb / count)) },
    };
    const worker = startModuleWorker(workerUrl, options);
    worker.on("error", (err: Error & { code?: string }) => {
      fail(err.code === "ERR_WORKER_OUT_OF_MEMORY" ? overMemory() : new UserError(`${file}: the workbook reader failed (${err.message})`));
    });
    worker.on("exit", (code) => {
      if (!closing && !ending.has(worker)) fail(new UserError(`${file}: the workbook reader stopped unexpectedly (exit code ${code})`));
    });
    workers.push(worker);
    return worker;
  };
  const ask = (worker: Worker, task: XlsxTask): Promise<XlsxReply> =>
    Promise.race([
      new Promise<XlsxReply>((resolve) => {
        worker.once("message", resolve);
        worker.postMessage(task, task.sheet ? [task.sheet.buffer as ArrayBuffer] : []);
      }),
      failed,
    ]);
  for (let i = 0; i < count; i++) start();

  return {
    async parse(data, tasks, { use, transfer = [], held = 0 }) {
      baseline += held;
      watch ??= setInterval(() => {
        if (process.memoryUsage.rss() - baseline > maxMemoryMb * 2 ** 20) fail(overMemory());
      }, MEMORY_POLL_MS);
      const busy = workers.slice(0, Math.max(1, Math.min(use, workers.length)));
      for (const worker of workers.slice(busy.length)) {
        ending.add(worker);
        void worker.terminate();
      }
      for (const [i, worker] of busy.entries()) worker.postMessage({ setup: data }, i === 0 ? transfer : []);
      const queue = tasks[Symbol.iterator]();
      const head = queue.next();
      if (head.done) throw new Error("no tasks");
      const first = await ask(busy[0]!, { index: 0, ...head.value });
      if (!first.ok) throw replyError(first);
      const { columns } = first;
      const chunks: XlsxChunk[] = [first.chunk];
      const failures: Extract<XlsxReply, { ok: false }>[] = [];
      let next = 1;
      // The next task is made (its slice copied out) while the workers parse, not while one waits.
      let ahead = queue.next();
      const lane = async (worker: Worker) => {
        // After a failure no task starts; those in flight finish, so an earlier failure still counts.
        while (failures.length === 0 && !ahead.done) {
          const asked = ask(worker, { index: next++, ...ahead.value, columns });
          ahead = queue.next();
          const reply = await asked;
          if (reply.ok) chunks[reply.index] = reply.chunk;
          else failures.push(reply);
        }
      };
      await Promise.all(busy.map(lane));
      if (failures.length > 0) throw replyError(failures.reduce((a, b) => (b.index < a.index ? b : a)));
      return { columns, chunks };
    },
    async close() {
      closing = true;
      clearTimeout(timer);
      clearInterval(watch);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
