// The prediction log: one JSON line per prediction, appended off the request path. A request
// formats its lines into the queue's byte chunks (text-chunks.ts) and returns; a timer writes
// everything queued in one append, so the disk is touched a few times a second whatever the
// request rate. The file rotates by size (path → path.1 → … → path.N). A failing write (unwritable
// path, full disk) never reaches a request: the lines are counted as dropped, the reason is kept
// for /ready and /metrics, and the next flush tries again. With `--workers N` only the primary
// process has one: the workers' lines arrive as bytes (appendBytes) and are written the same way.
import { type FileHandle, open, rename, rm, stat } from "node:fs/promises";
import { LineFormat, type LogStatus, type PredictionSink } from "./log-lines.js";
import type { Batch, Scored } from "./served-model.js";
import { TextChunks } from "./text-chunks.js";

export type { LogStatus } from "./log-lines.js";

export interface PredictionLogOptions {
  path: string;
  maxBytes: number;
  files: number;
  flushInterval: number;
  /** Queued predictions beyond this are dropped (counted) rather than letting memory grow without bound. */
  maxPending?: number;
  /** Called after a write whose outcome changes the status (a first failure, a recovery). */
  onStatus?: (status: LogStatus) => void;
}

export class PredictionLog implements PredictionSink {
  linesWritten = 0;
  linesDropped = 0;
  bytesWritten = 0;
  writeErrors = 0;
  rotations = 0;
  private queue = new TextChunks();
  private pendingLines = 0;
  private readonly lines = new LineFormat();
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

  /** Queue one request's predictions as text; nothing of the batch or the results is kept. */
  append(time: number, latencyMs: number, model: string, batch: Batch, scored: Scored): void {
    if (this.closed || this.pendingLines + batch.rows > this.maxPending) {
      this.linesDropped += batch.rows;
      return;
    }
    const text = this.lines.format(time, latencyMs, model, batch, scored);
    this.queue.push(text, text.length + batch.rows * this.lines.modelExtraBytes);
    this.pendingLines += batch.rows;
    this.schedule();
  }

  /** Queue `lines` whole lines already encoded (a worker's), as they are: they become the queue's own. */
  appendBytes(chunks: readonly Uint8Array[], lines: number): void {
    if (this.closed || this.pendingLines + lines > this.maxPending) {
      this.linesDropped += lines;
      return;
    }
    for (const c of chunks) this.queue.pushBytes(c);
    this.pendingLines += lines;
    this.schedule();
  }

  private schedule(): void {
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
    if (this.pendingLines === 0) return;
    const bytes = this.queue.bytes;
    const chunks = this.queue.take();
    const lines = this.pendingLines;
    this.pendingLines = 0;
    try {
      if (this.file !== null && this.size > 0 && this.size + bytes > this.opts.maxBytes) await this.rotate();
      if (this.file === null) await this.openFile();
      // Opened for append: every write lands at the end, wherever the file position is.
      await this.file!.writev(chunks);
      this.size += bytes;
      this.bytesWritten += bytes;
      this.linesWritten += lines;
      this.setError(null);
    } catch (err) {
      this.writeErrors++;
      this.linesDropped += lines;
      const e = err as NodeJS.ErrnoException;
      this.setError(`prediction log ${this.opts.path}: ${e.code === "ENOSPC" ? "the disk is full" : e.code === "EACCES" ? "permission denied" : e.message}`);
      // Reopen on the next flush: the path may have been fixed, or the file replaced.
      await this.file?.close().catch(() => undefined);
      this.file = null;
    }
    // Written or dropped, the bytes are done with: their chunks take the next requests' lines.
    this.queue.recycle(chunks);
  }

  private setError(error: string | null): void {
    if (error === this.error) return;
    this.error = error;
    this.opts.onStatus?.(this.status());
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
