// Text queued for one file write, held as UTF-8 bytes in large off-heap chunks. A request's log
// lines are encoded here as soon as they are made, so nothing of the request (its parsed body, its
// typed arrays, a string of its lines) outlives it: what waits for the next flush is bytes the
// garbage collector never has to walk or promote. Chunks come back once their write is done
// (`recycle`): writing into memory already mapped and cached costs a fraction of touching a fresh
// allocation, at the request rates the log sees.

/** Bytes of one chunk; a text larger than this gets a chunk of its own size. */
const CHUNK_BYTES = 256 * 1024;

/** Written chunks kept for reuse, at most (8 MB): what one 200 ms flush fills at 200,000 lines/s. */
const SPARE_CHUNKS = 32;

export class TextChunks {
  /** Bytes queued. */
  bytes = 0;
  private sealed: Buffer[] = [];
  private current: Buffer | null = null;
  private used = 0;
  private readonly spare: Buffer[] = [];

  /**
   * `bytes`: the text's UTF-8 length where the caller knows it (saves a scan of the text). A text of
   * as many bytes as code units is ASCII, and is copied as such.
   */
  push(text: string, bytes?: number): void {
    // Nothing to write (and no chunk to write it into after a take).
    if (text.length === 0) return;
    const room = this.current === null ? 0 : this.current.length - this.used;
    // A UTF-16 code unit is at most 3 UTF-8 bytes: most texts need no exact count.
    const need = bytes ?? (text.length * 3 <= room ? text.length : Buffer.byteLength(text));
    if (need > room) {
      this.seal();
      this.current = need <= CHUNK_BYTES ? (this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES)) : Buffer.allocUnsafe(need);
    }
    const written = bytes === text.length ? this.current!.write(text, this.used, "latin1") : this.current!.write(text, this.used);
    this.used += written;
    this.bytes += written;
  }

  /** Bytes already encoded, queued as they are (no copy): the chunk is the queue's from now on. */
  pushBytes(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.seal();
    this.sealed.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.bytes += bytes.byteLength;
  }

  /** Everything queued, in order; the queue starts empty again. The chunks are the caller's until it recycles them. */
  take(): Buffer[] {
    this.seal();
    const out = this.sealed;
    this.sealed = [];
    this.bytes = 0;
    return out;
  }

  /** Chunks from `take` whose bytes are no longer needed (written, or dropped) may be written over. */
  recycle(chunks: readonly Buffer[]): void {
    for (const c of chunks) {
      if (this.spare.length >= SPARE_CHUNKS) return;
      // A chunk is a view of the first bytes of its own allocation; only standard ones are kept.
      if (c.byteOffset === 0 && c.buffer.byteLength === CHUNK_BYTES) this.spare.push(Buffer.from(c.buffer, 0, CHUNK_BYTES));
    }
  }

  private seal(): void {
    if (this.current !== null && this.used > 0) this.sealed.push(this.current.subarray(0, this.used));
    else if (this.current !== null) this.recycle([this.current]);
    this.current = null;
    this.used = 0;
  }
}
