import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyBits, countClear, setBits, settleNullIndices, zeroWhereClear } from "../../src/io/validity-bits.js";

/** A deterministic pattern of bits, as flags. */
const flags = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (((i * 7 + seed) * 2654435761) >>> 29) % 3 !== 0);

function pack(fs: boolean[]): Uint8Array {
  const bits = new Uint8Array((fs.length + 7) >> 3);
  fs.forEach((f, i) => {
    if (f) bits[i >> 3]! |= 1 << (i & 7);
  });
  return bits;
}

const unpack = (bits: Uint8Array, from: number, n: number) => Array.from({ length: n }, (_, i) => ((bits[(from + i) >> 3]! >> ((from + i) & 7)) & 1) === 1);

test("copyBits: aligned and unaligned sources and targets, batch after batch, each bit as the source has it", () => {
  for (const [from, to, n] of [
    [0, 0, 64],
    [0, 0, 21],
    [8, 16, 13],
    [3, 0, 30],
    [0, 5, 30],
    [5, 11, 1],
    [7, 9, 40],
  ] as const) {
    const src = flags(from + n + 9, from + to);
    const dst = pack(flags(to + n + 9, 99));
    const before = unpack(dst, 0, to + n + 9);
    copyBits(pack(src), from, dst, to, n);
    const after = unpack(dst, 0, to + n + 9);
    assert.equal(after.slice(to, to + n), src.slice(from, from + n), `bits copied (${from} → ${to}, ${n})`);
    assert.equal(after.slice(0, to), before.slice(0, to), "bits before untouched");
  }
});

test("setBits: every bit of the range set, from and to any bit", () => {
  for (const [to, n] of [
    [0, 0],
    [0, 8],
    [3, 2],
    [3, 29],
    [8, 64],
  ] as const) {
    const dst = new Uint8Array(16);
    setBits(dst, to, n);
    assert.equal(unpack(dst, 0, 128), Array.from({ length: 128 }, (_, i) => i >= to && i < to + n), `${to}, ${n}`);
  }
});

test("countClear counts the clear bits among the first n; zeroWhereClear zeroes only those rows", () => {
  const fs = flags(203, 5);
  const bits = pack(fs);
  for (const n of [0, 7, 8, 9, 200, 203]) assert.is(countClear(bits, n), fs.slice(0, n).filter((f) => !f).length, `n = ${n}`);
  const values = Int32Array.from(fs, (_, i) => i + 1);
  zeroWhereClear(bits, values, 3, 190);
  assert.equal([...values], fs.map((f, i) => (i >= 3 && i < 193 && !f ? 0 : i + 1)));
  const present = pack(new Array(64).fill(true));
  const kept = Int32Array.from({ length: 64 }, (_, i) => i + 1);
  zeroWhereClear(present, kept, 0, 64);
  assert.equal([...kept], Array.from({ length: 64 }, (_, i) => i + 1));
});

test("settleNullIndices: -1 becomes 0 with its bit clear, every other row's bit is set", () => {
  const indices = Int32Array.from([4, -1, 0, 2, -1, -1, 7, 1, 3, -1, 5]);
  const bits = new Uint8Array(2).fill(0b10101010);
  settleNullIndices(indices, bits, 1, 9);
  assert.equal([...indices], [4, 0, 0, 2, 0, 0, 7, 1, 3, 0, 5]);
  assert.equal(unpack(bits, 1, 9), [false, true, true, false, false, true, true, true, false]);
  assert.is(unpack(bits, 0, 1)[0], false, "row 0 untouched");
});

test.run();
