/**
 * One growable bump arena in WASM linear memory, above everything the module itself uses.
 * Scratch: `mark()` before a call, `alloc` what it needs, `release(mark)` after; resident blocks
 * (uploaded matrices) stay until freed. Memory grows to the high-water mark and is then reused, so
 * repeated calls do not grow it. Views are re-derived on every access: growth detaches old ones.
 */
export class Arena {
  private top: number;
  /** Resident blocks, in address order; freed ones are popped once nothing live is above them. */
  private readonly resident: { start: number; end: number; live: boolean }[] = [];

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly base: number,
  ) {
    this.top = base;
  }

  /** Current top, to hand back to `release`. */
  mark(): number {
    return this.top;
  }

  /** Free every scratch block allocated since `mark`. */
  release(mark: number): void {
    if (mark < this.floor() || mark > this.top) throw new RangeError(`arena release to ${mark} outside [${this.floor()}, ${this.top}]`);
    this.top = mark;
  }

  /** A block of `bytes` (aligned), growing linear memory if needed; returns its byte offset. */
  alloc(bytes: number, align = 16): number {
    const ptr = Math.ceil(this.top / align) * align;
    const end = ptr + Math.max(0, bytes);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / 65536));
    this.top = end;
    return ptr;
  }

  /** A block that outlives scratch marks, until its `free` is called. */
  allocResident(bytes: number): { ptr: number; free: () => void } {
    if (this.top !== this.floor()) throw new Error("cannot keep a block resident while scratch memory is in use");
    const start = this.top;
    const ptr = this.alloc(bytes);
    const block = { start, end: this.top, live: true };
    this.resident.push(block);
    return {
      ptr,
      free: () => {
        if (!block.live) return;
        block.live = false;
        while (this.resident.length > 0 && !this.resident[this.resident.length - 1]!.live) {
          const top = this.resident.pop()!;
          if (this.top === top.end) this.top = top.start;
        }
      },
    };
  }

  /** Bytes of linear memory (grows only). */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  f64(ptr: number, len: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, len);
  }

  i32(ptr: number, len: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, len);
  }

  /** Copy `src` into a new scratch block; returns its offset. */
  putF64(src: ArrayLike<number>): number {
    const ptr = this.alloc(src.length * 8);
    this.f64(ptr, src.length).set(src);
    return ptr;
  }

  putI32(src: ArrayLike<number>): number {
    const ptr = this.alloc(src.length * 4);
    this.i32(ptr, src.length).set(src);
    return ptr;
  }

  private floor(): number {
    return this.resident.length > 0 ? this.resident[this.resident.length - 1]!.end : this.base;
  }
}
