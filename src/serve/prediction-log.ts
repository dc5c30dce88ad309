// The prediction log: one JSON line per prediction, appended off the request path. A request only
// queues a reference to its batch and results; a timer formats and writes everything queued in one
// append, so the disk is touched a few times a second whatever the request rate. The file rotates
// by size (path → path.1 → … → path.N). A failing write (unwritable path, full disk) never reaches
// a request: the lines are counted as dropped, the reason is kept for /ready and /metrics, and the
// next flush tries again.
import { type FileHandle, open, rename, rm, stat } from "node:fs/promises";
import { flag, num } from "./respond.js";
import type { Batch, Scored } from "./served-model.js";

export interface PredictionLogOptions {
  path: string;
  maxBytes: number;
  files: number;
  flushInterval: number;
  /** Queued predictions beyond this are dropped (counted) rather than letting memory grow without bound. */
  maxPending?: number;
}

interface Entry {
  time: number;
  latencyMs: number;
  model: string;
  batch: Batch;
  scored: Scored;
}

export interface LogStatus {
  ok: boolean;
  reason?: string;
}

export class PredictionLog {
  linesWritten = 0;
  linesDropped = 0;
  bytesWritten = 0;
  writeErrors = 0;
  rotations = 0;
  private queue: Entry[] = [];
  private pendingLines = 0;
  private file: FileHandle | null = null;
  private size = 0;
  private error: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly maxPending: number;

  constructor(private readonly opts: PredictionLogOptions) {
    this.maxPending = opts.maxPending ?? 2_000_000;
  }

  status(): LogStatus {
    return this.error === null ? { ok: true } : { ok: false, reason: this.error };
  }

  /** Queue one request's predictions; returns at once. */
  append(time: number, latencyMs: number, model: string, batch: Batch, scored: Scored): void {
    if (this.closed || this.pendingLines + batch.rows > this.maxPending) {
      this.linesDropped += batch.rows;
      return;
    }
    this.queue.push({ time, latencyMs, model, batch, scored });
    this.pendingLines += batch.rows;
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.opts.flushInterval);
      this.timer.unref();
    }
  }

  /** Write everything queued so far; resolves when it is on disk (or counted as dropped). */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.writeQueued());
    return this.writing;
  }

  /** Flush and close; later appends are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
    await this.file?.close().catch(() => undefined);
    this.file = null;
  }

  private async writeQueued(): Promise<void> {
    if (this.queue.length === 0) return;
    const entries = this.queue;
    const lines = this.pendingLines;
    this.queue = [];
    this.pendingLines = 0;
    const text = format(entries);
    const bytes = Buffer.from(text, "utf8");
    try {
      if (this.file !== null && this.size > 0 && this.size + bytes.length > this.opts.maxBytes) await this.rotate();
      if (this.file === null) await this.openFile();
      await this.file!.write(bytes, 0, bytes.length, null);
      this.size += bytes.length;
      this.bytesWritten += bytes.length;
      this.linesWritten += lines;
      this.error = null;
    } catch (err) {
      this.writeErrors++;
      this.linesDropped += lines;
      const e = err as NodeJS.ErrnoException;
      this.error = `prediction log ${this.opts.path}: ${e.code === "ENOSPC" ? "the disk is full" : e.code === "EACCES" ? "permission denied" : e.message}`;
      // Reopen on the next flush: the path may have been fixed, or the file replaced.
      await this.file?.close().catch(() => undefined);
      this.file = null;
    }
  }

  private async openFile(): Promise<void> {
    this.file = await open(this.opts.path, "a");
    this.size = (await this.file.stat()).size;
  }

  private async rotate(): Promise<void> {
    await this.file?.close();
    this.file = null;
    const { path, files } = this.opts;
    if (files <= 0) {
      await rm(path, { force: true });
    } else {
      await rm(`${path}.${files}`, { force: true });
      for (let i = files - 1; i >= 1; i--) {
        if (await exists(`${path}.${i}`)) await rename(`${path}.${i}`, `${path}.${i + 1}`);
      }
      await rename(path, `${path}.1`);
    }
    this.rotations++;
  }
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/**
 * `{"time","model","latencyMs","features"|"components":[…],"cluster","outlier"}` per prediction;
 * the values are in the model's feature order (or PC1..PCp), as /metadata lists them.
 */
function format(entries: Entry[]): string {
  let out = "";
  // Thousands of requests share a millisecond and a model: their text is made once.
  let lastTime = Number.NaN;
  let timeText = "";
  let lastModel: string | null = null;
  let modelText = "";
  for (const { time, latencyMs, model, batch, scored } of entries) {
    if (time !== lastTime) timeText = new Date((lastTime = time)).toISOString();
    if (model !== lastModel) modelText = JSON.stringify((lastModel = model));
    const head = `{"time":"${timeText}","model":${modelText},"latencyMs":${latencyMs.toFixed(3)},"${batch.kind}":[`;
    const { data, rows } = batch;
    const cols = data.length / rows;
    for (let i = 0; i < rows; i++) {
      let line = head;
      for (let j = 0; j < cols; j++) line += (j > 0 ? "," : "") + num(data[i * cols + j]!);
      line += '],"cluster":' + scored.cluster[i]! + ',"outlier":' + flag(scored.outlier[i]!);
      out += line + "}\n";
    }
  }
  return out;
}
