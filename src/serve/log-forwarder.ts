// A worker's side of the prediction log (`custseg serve --workers N`): one process writes the
// file, so a worker formats its lines as the log would (log-lines.ts) into the same off-heap byte
// queue and hands what is queued to the primary every few milliseconds, in one message, whatever
// the request rate. /ready reports the primary's log status, which the primary sends on change.
// What is handed over but not yet taken by the channel is bounded: past the bound, lines are
// dropped and counted (as a full queue is in the log itself) rather than let memory grow.
import { LineFormat, type LogStatus, type PredictionSink } from "./log-lines.js";
import type { Batch, Scored } from "./served-model.js";
import { TextChunks } from "./text-chunks.js";

/** One hand-off: whole lines, as the bytes the log appends. */
export interface LogBatch {
  chunks: Buffer[];
  lines: number;
}

export interface LogForwarderOptions {
  /** Sends a batch; `sent` is called once the channel has taken it (its bytes copied out), or failed to. */
  send(batch: LogBatch, sent: (failed: boolean) => void): void;
  /** Milliseconds between hand-offs at most. */
  interval: number;
  /** Lines queued here at most; more are dropped. */
  maxPending: number;
  /** Bytes handed to the channel and not yet taken, at most; more lines are dropped. */
  maxUnsent: number;
}

export class LogForwarder implements PredictionSink {
  linesDropped = 0;
  private readonly queue = new TextChunks();
  private readonly lines = new LineFormat();
  private pendingLines = 0;
  private unsentBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private current: LogStatus = { ok: true };
  private closed = false;
  private drained: (() => void) | null = null;

  constructor(private readonly opts: LogForwarderOptions) {}

  status(): LogStatus {
    return this.current;
  }

  /** The primary's log status, as it last reported it. */
  setStatus(status: LogStatus): void {
    this.current = status;
  }

  append(time: number, latencyMs: number, model: string, batch: Batch, scored: Scored): void {
    if (this.closed || this.pendingLines + batch.rows > this.opts.maxPending || this.unsentBytes > this.opts.maxUnsent) {
      this.linesDropped += batch.rows;
      return;
    }
    const text = this.lines.format(time, latencyMs, model, batch, scored);
    this.queue.push(text, text.length + batch.rows * this.lines.modelExtraBytes);
    this.pendingLines += batch.rows;
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.handOver();
      }, this.opts.interval);
      this.timer.unref();
    }
  }

  /** Hand over what is queued; resolves once the channel has taken every batch sent so far. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.handOver();
    if (this.unsentBytes > 0) await new Promise<void>((resolve) => (this.drained = resolve));
  }

  private handOver(): void {
    if (this.pendingLines === 0) return;
    const bytes = this.queue.bytes;
    const chunks = this.queue.take();
    const lines = this.pendingLines;
    this.pendingLines = 0;
    this.unsentBytes += bytes;
    this.opts.send({ chunks, lines }, (failed) => {
      if (failed) this.linesDropped += lines;
      // The channel has the bytes: the chunks take the next requests' lines.
      this.queue.recycle(chunks);
      this.unsentBytes -= bytes;
      if (this.unsentBytes === 0) this.drained?.();
    });
  }
}
