// Distinct texts kept as UTF-8 bytes in typed arrays, with dense ids in first-appearance order. A
// JavaScript Map holds at most 2^24 keys and a string per value costs tens of bytes; invoice numbers
// and descriptions of tens of millions of lines need neither: values are hashed and compared as
// bytes, and the dictionary becomes an Arrow Utf8 vector without ever being decoded.
import { makeData, makeVector, Utf8, type Vector } from "apache-arrow";

/** Arrow Utf8 offsets are 32-bit: the distinct values of one column hold at most this many bytes. */
export const MAX_DICTIONARY_BYTES = 2 ** 31 - 1;

export class DictionaryFullError extends Error {
  constructor() {
    super(`more than ${MAX_DICTIONARY_BYTES} bytes of distinct text`);
  }
}

const encoder = new TextEncoder();

export class Utf8Dictionary {
  private pool = new Uint8Array(1 << 16);
  /** offsets[id]..offsets[id + 1] are value id's bytes in `pool`. */
  private offsets = new Int32Array(1 << 10);
  private hashes = new Int32Array(1 << 10);
  /** Open addressing: id + 1 per slot, 0 where empty. */
  private slots = new Int32Array(1 << 11);
  private mask = (1 << 11) - 1;
  private count = 0;
  private scratch = new Uint8Array(256);

  get size(): number {
    return this.count;
  }

  /** The id of src[start, end), added if new. */
  add(src: Uint8Array, start: number, end: number): number {
    // FNV-1a; `| 0` keeps the empty text's hash an int32, as stored.
    let h = 0x811c9dc5 | 0;
    for (let p = start; p < end; p++) h = Math.imul(h ^ src[p]!, 0x01000193);
    const { pool, offsets, slots, mask } = this;
    const len = end - start;
    let s = h & mask;
    for (let id = slots[s]! - 1; id >= 0; id = slots[s]! - 1) {
      if (this.hashes[id] === h) {
        const from = offsets[id]!;
        if (offsets[id + 1]! - from === len) {
          let k = 0;
          while (k < len && pool[from + k] === src[start + k]) k++;
          if (k === len) return id;
        }
      }
      s = (s + 1) & mask;
    }
    return this.insert(src, start, end, h, s);
  }

  /** Makes room for `more` new values, so that adding them rehashes at most once, here. */
  reserve(more: number): void {
    let size = this.mask + 1;
    while (2 * (this.count + more) > size - 1) size *= 2;
    if (size > this.mask + 1) this.rehash(size);
  }

  /** The id of a JavaScript string's UTF-8 bytes. */
  addString(text: string): number {
    // encodeInto writes at most 3 bytes per UTF-16 unit.
    if (this.scratch.length < text.length * 3) this.scratch = new Uint8Array(text.length * 3);
    const { written } = encoder.encodeInto(text, this.scratch);
    return this.add(this.scratch, 0, written);
  }

  private insert(src: Uint8Array, start: number, end: number, h: number, slot: number): number {
    const id = this.count;
    const at = this.offsets[id]!;
    const len = end - start;
    if (at + len > MAX_DICTIONARY_BYTES) throw new DictionaryFullError();
    if (at + len > this.pool.length) this.pool = grown(this.pool, Math.min(MAX_DICTIONARY_BYTES, Math.max(2 * this.pool.length, at + len)));
    // Texts are short: a byte loop, without a subarray object per new text.
    const pool = this.pool;
    if (len > 64) pool.set(src.subarray(start, end), at);
    else for (let k = 0; k < len; k++) pool[at + k] = src[start + k]!;
    if (id + 2 > this.offsets.length) {
      this.offsets = grown(this.offsets, 2 * this.offsets.length);
      this.hashes = grown(this.hashes, 2 * this.hashes.length);
    }
    this.offsets[id + 1] = at + len;
    this.hashes[id] = h;
    this.slots[slot] = id + 1;
    this.count = id + 1;
    // At most half full, so probe runs stay short.
    if (2 * this.count > this.mask) this.rehash();
    return id;
  }

  private rehash(size = 2 * (this.mask + 1)): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let id = 0; id < this.count; id++) {
      let s = this.hashes[id]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** The values as an Arrow Utf8 vector, id order (buffers shared until the next add). */
  toVector(): Vector<Utf8> {
    const n = this.count;
    const offsets = this.offsets.subarray(0, n + 1);
    return makeVector(makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: this.pool.subarray(0, offsets[n]) }));
  }
}

function grown<T extends Uint8Array | Int32Array>(from: T, length: number): T {
  const to = new (from.constructor as new (n: number) => T)(length);
  to.set(from);
  return to;
}
