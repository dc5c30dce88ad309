// Text queued for one file write, held as UTF-8 bytes in large off-heap chunks. A request's log
// lines are encoded here as soon as they are made, so nothing of the request (its parsed body, its
// typed arrays, a string of its lines) outlives it: what waits for the next flush is bytes the
// garbage collector never has to walk or promote.

/** Bytes of one chunk; a text larger than this gets a chunk of its own size. */
const CHUNK_BYTES = 256 * 1024;

export class TextChunks {
  /** Bytes queued. */
  bytes = 0;
  private sealed: Buffer[] = [];
  private current: Buffer | null = null;
  private used = 0;

  /** `bytes`: the text's UTF-8 length where the caller knows it (saves a scan of the text). */
  push(text: string, bytes?: number): void {
    // Nothing to write (and no chunk to write it into after a take).
    if (text.length === 0) return;
    const room = this.current === null ? 0 : this.current.length - this.used;
    // A UTF-16 code unit is at most 3 UTF-8 bytes: most texts need no exact count.
    const need = bytes ?? (text.length * 3 <= room ? text.length : Buffer.byteLength(text));
    if (need > room) {
      this.seal();
      this.current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, need));
    }
    const written = this.current!.write(text, this.used);
    this.used += written;
    this.bytes += written;
  }

  /** Everything queued, in order; the queue starts empty again (the chunks handed out are never reused). */
  take(): Buffer[] {
    this.seal();
    const out = this.sealed;
    this.sealed = [];
    this.bytes = 0;
    return out;
  }

  private seal(): void {
    if (this.current !== null && this.used > 0) this.sealed.push(this.current.subarray(0, this.used));
    this.current = null;
    this.used = 0;
  }
}
