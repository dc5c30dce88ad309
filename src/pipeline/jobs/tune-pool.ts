// The tune backend over worker threads: the grid's runs are independent and each is small
// (4,067×6, k ≤ 8 is far below the engine's threading threshold), so whole runs and whole
// silhouettes go to separate threads, each with its own engine. Workers start before the data is
// ready, so compiling the WASM overlaps loading and cleaning on the main thread.
import type { Worker } from "node:worker_threads";
import { startModuleWorker, workerModule } from "../../io/module-worker.js";
import type { Matrix } from "../../engine/matrix.js";
import { ArgumentError } from "../../engine/validate.js";
import type { SilhouetteSampling } from "../steps/evaluate.js";
import type { FitRequest, LabelMetrics, RunFit, TuneBackend } from "../steps/tune.js";

export type PoolRequest =
  | { id: number; type: "data"; data: Float64Array; rows: number; cols: number; sampling?: SilhouetteSampling }
  | { id: number; type: "fit"; req: FitRequest }
  | { id: number; type: "metrics"; labels: Int32Array };

export type PoolReply =
  | { id: number; type: "ready" }
  | { id: number; type: "data" }
  | { id: number; type: "fit"; fits: RunFit[] }
  | { id: number; type: "metrics"; metrics: LabelMetrics }
  | { id: number; type: "error"; message: string; name: string; argument?: string };

interface Task {
  request: PoolRequest;
  resolve: (reply: PoolReply) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  /** Sent and not yet answered, oldest first: a worker answers its messages in order. */
  sent: Task[];
}

/**
 * Tasks a worker holds at once while the queue is long: the next one waits in its port, so the
 * worker starts it without waiting for this thread to wake up, read the reply and dispatch (on a
 * loaded machine that wake-up alone costs milliseconds per task). Near the end of the queue a worker
 * holds one, so a free worker is never left waiting while another holds a spare task.
 */
const AHEAD = 2;

export class TunePool implements TuneBackend {
  private readonly queue: Task[] = [];
  private nextId = 0;
  private failure?: Error;
  private closing?: Promise<void>;

  private constructor(private readonly slots: Slot[]) {}

  /** Start `threads` workers now; they compile the engine while the caller prepares the data. */
  static start(threads: number): TunePool {
    const slots: Slot[] = [];
    const pool = new TunePool(slots);
    for (let i = 0; i < threads; i++) {
      const worker = startWorker();
      const slot: Slot = { worker, ready: Promise.resolve(), sent: [] };
      slot.ready = new Promise<void>((resolve, reject) => {
        worker.once("message", (m: PoolReply) => (m.type === "ready" ? resolve() : reject(new Error("tune worker failed to start"))));
        worker.once("error", reject);
      });
      // A worker that fails to start fails the pool (below); nobody need be waiting on `ready` then.
      slot.ready.catch(() => {});
      worker.on("message", (m: PoolReply) => pool.settle(slot, m));
      worker.on("error", (err) => pool.fail(err));
      slots.push(slot);
    }
    return pool;
  }

  get threads(): number {
    return this.slots.length;
  }

  /** Make `x` resident in every worker (replacing any earlier matrix), its silhouettes sampled past `sampling.size` rows. */
  async setData(x: Matrix, sampling?: SilhouetteSampling): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
    await Promise.all(this.slots.map((slot) => this.send(slot, { id: this.nextId++, type: "data", data: x.data, rows: x.rows, cols: x.cols, sampling })));
  }

  async fitRuns(req: FitRequest): Promise<RunFit[]> {
    const reply = await this.enqueue({ id: this.nextId++, type: "fit", req });
    return (reply as Extract<PoolReply, { type: "fit" }>).fits;
  }

  async metrics(labels: Int32Array): Promise<LabelMetrics> {
    const reply = await this.enqueue({ id: this.nextId++, type: "metrics", labels });
    return (reply as Extract<PoolReply, { type: "metrics" }>).metrics;
  }

  /**
   * Stops every worker; closing again waits for the same stop. A task still waiting (closed on an
   * interrupt, mid-grid) is rejected, as is any asked for later: a stopped worker never answers.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.fail(new Error("the tune workers were stopped before the task finished"));
      this.closing = Promise.all(this.slots.map((s) => s.worker.terminate())).then(() => {});
    }
    return this.closing;
  }

  private enqueue(request: PoolRequest): Promise<PoolReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** A task for one slot outside the queue (the data upload goes to every worker). */
  private send(slot: Slot, request: PoolRequest): Promise<PoolReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      slot.sent.push({ request, resolve, reject });
      slot.worker.postMessage(request);
    });
  }

  private dispatch(): void {
    // Every idle worker first, then a task ahead for each while the queue has one to spare for every worker.
    for (const ahead of [1, AHEAD]) {
      for (const slot of this.slots) {
        if (slot.sent.length >= ahead || this.queue.length === 0) continue;
        if (slot.sent.length > 0 && this.queue.length < this.slots.length) continue;
        const task = this.queue.shift()!;
        slot.sent.push(task);
        slot.worker.postMessage(task.request);
      }
    }
  }

  private settle(slot: Slot, reply: PoolReply): void {
    const task = slot.sent[0];
    if (reply.type === "ready" || !task || task.request.id !== reply.id) return;
    slot.sent.shift();
    if (reply.type === "error") {
      // Keep the engine's error class: a RangeError about the input stays the user's error upstream,
      // and one about an argument (the silhouette sample's size) still names it.
      const err = reply.argument !== undefined ? new ArgumentError(reply.message, reply.argument) : reply.name === "RangeError" ? new RangeError(reply.message) : new Error(reply.message);
      task.reject(err);
    } else task.resolve(reply);
    this.dispatch();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const slot of this.slots) for (const task of slot.sent.splice(0)) task.reject(err);
    for (const task of this.queue.splice(0)) task.reject(err);
  }
}

const startWorker = (): Worker => startModuleWorker(workerModule("tune-worker", import.meta.url));
