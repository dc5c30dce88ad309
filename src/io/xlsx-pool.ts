// The workers that parse a workbook (xlsx-worker.ts), under one time limit and one memory limit for
// them all. The first task runs alone (it reads the header, which the others need); then each
// worker takes the next task as soon as it is done with one, so a few slices are in flight at a
// time, and the chunks come back in task order whatever order the workers finish in.
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
  /** Buffers of `data` to move to the (single) worker rather than copy. */
  transfer?: ArrayBuffer[];
}

export type TaskInput = Omit<XlsxTask, "index" | "columns">;

/** The buffer behind `b` where it can be moved to a worker: one of its own, whole (a pooled Buffer shares its memory). */
export const movable = (b: Uint8Array | undefined): ArrayBuffer[] =>
  b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? [b.buffer as ArrayBuffer] : [];

function replyError(reply: Extract<XlsxReply, { ok: false }>): Error {
  return reply.userError ? new UserError(reply.message) : new Error(reply.message);
}

/**
 * Runs `tasks` (the first reads the header) on up to `opts.workers` workers and returns the header's
 * columns and every task's chunk, in task order. A task that fails fails the whole; where several
 * fail, the first in task order is reported, as a single pass would.
 */
export async function parseInWorkers(data: XlsxWorkerData, tasks: Iterable<TaskInput>, opts: PoolOptions): Promise<{ columns: SheetColumns; chunks: XlsxChunk[] }> {
  const { file, timeoutMs, maxMemoryMb } = opts;
  const count = Math.max(1, opts.workers);
  const overMemory = () => new LimitError(`${file}: reading the workbook needed more than ${maxMemoryMb} MB of memory; gave up`, "xlsxMemory");
  let fail: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {}); // observed through the races below
  let closing = false;
  const workers: Worker[] = [];
  const baseline = process.memoryUsage.rss();
  const timer = setTimeout(() => fail(new LimitError(`${file}: reading the workbook took longer than ${timeoutMs / 1000} s; gave up`, "xlsxTime")), timeoutMs);
  const watch = setInterval(() => {
    if (process.memoryUsage.rss() - baseline > maxMemoryMb * 2 ** 20) fail(overMemory());
  }, MEMORY_POLL_MS);

  const start = (): Worker => {
    const options = {
      workerData: data,
      transferList: workers.length === 0 ? (opts.transfer ?? []) : [],
      // Each worker's share of the memory limit (the resident memory watch holds them all to it).
      resourceLimits: { maxOldGenerationSizeMb: Math.max(1, Math.floor(maxMemoryMb / count)) },
    };
    const worker = startModuleWorker(workerUrl, options);
    worker.on("error", (err: Error & { code?: string }) => {
      fail(err.code === "ERR_WORKER_OUT_OF_MEMORY" ? overMemory() : new UserError(`${file}: the workbook reader failed (${err.message})`));
    });
    worker.on("exit", (code) => {
      if (!closing) fail(new UserError(`${file}: the workbook reader stopped unexpectedly (exit code ${code})`));
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

  try {
    const queue = tasks[Symbol.iterator]();
    const head = queue.next();
    if (head.done) throw new Error("no tasks");
    // Every worker starts now: loading the parser overlaps the first task.
    for (let i = 0; i < count; i++) start();
    const first = await ask(workers[0]!, { index: 0, ...head.value });
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
    await Promise.all(workers.map(lane));
    if (failures.length > 0) throw replyError(failures.reduce((a, b) => (b.index < a.index ? b : a)));
    return { columns, chunks };
  } finally {
    closing = true;
    clearTimeout(timer);
    clearInterval(watch);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
