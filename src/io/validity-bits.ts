// Arrow validity bitmaps (bit i set = row i present, least significant bit first) written batch by
// batch into one bitmap for a whole column: a source's bitmap is copied byte by byte where both
// sides start on a byte, so a reader never unpacks it into a flag per row and packs it again.

/** Bits [to, to + n) of `dst` = bits [from, from + n) of `src`. */
export function copyBits(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  if ((from & 7) === 0 && (to & 7) === 0) {
    const whole = n >> 3;
    dst.set(src.subarray(from >> 3, (from >> 3) + whole), to >> 3);
    for (let i = whole << 3; i < n; i++) setBit(dst, to + i, (src[(from + i) >> 3]! >> ((from + i) & 7)) & 1);
    return;
  }
  for (let i = 0; i < n; i++) setBit(dst, to + i, (src[(from + i) >> 3]! >> ((from + i) & 7)) & 1);
}

/** Bits [to, to + n) of `dst` set: every row present. */
export function setBits(dst: Uint8Array, to: number, n: number): void {
  let i = to;
  const end = to + n;
  for (; i < end && (i & 7) !== 0; i++) dst[i >> 3]! |= 1 << (i & 7);
  const wholeEnd = end & ~7;
  if (i < wholeEnd) {
    dst.fill(0xff, i >> 3, wholeEnd >> 3);
    i = wholeEnd;
  }
  for (; i < end; i++) dst[i >> 3]! |= 1 << (i & 7);
}

export function setBit(dst: Uint8Array, i: number, present: number): void {
  if (present) dst[i >> 3]! |= 1 << (i & 7);
  else dst[i >> 3]! &= ~(1 << (i & 7));
}

/** Rows [from, from + n) of `values` with their bit clear set to 0: a null's slot holds 0, whatever the source left there. */
export function zeroWhereClear(bits: Uint8Array, values: Int32Array, from: number, n: number): void {
  const end = from + n;
  for (let i = from; i < end; i++) {
    // A byte of present rows skips its eight.
    if ((i & 7) === 0 && i + 8 <= end && bits[i >> 3] === 0xff) {
      i += 7;
      continue;
    }
    if (((bits[i >> 3]! >> (i & 7)) & 1) === 0) values[i] = 0;
  }
}

/**
 * Rows [from, from + n) of dictionary indices where -1 marks a null: each such index becomes 0 with
 * its bit clear, every other row's bit is set.
 */
export function settleNullIndices(indices: Int32Array, bits: Uint8Array, from: number, n: number): void {
  const end = from + n;
  for (let i = from; i < end; i++) {
    if (indices[i]! < 0) {
      indices[i] = 0;
      bits[i >> 3]! &= ~(1 << (i & 7));
    } else {
      bits[i >> 3]! |= 1 << (i & 7);
    }
  }
}

const ONES = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x; x &= x - 1) n++;
  return n;
});

/** Clear bits among the first n: the column's null count. */
export function countClear(bits: Uint8Array, n: number): number {
  let present = 0;
  const whole = n >> 3;
  for (let i = 0; i < whole; i++) present += ONES[bits[i]!]!;
  for (let i = whole << 3; i < n; i++) present += (bits[i >> 3]! >> (i & 7)) & 1;
  return n - present;
}
