// A worksheet's XML cut after whole rows into worksheets of their own, so that the parser (which
// holds every cell of what it parses as an object) holds a slice's cells at a time, and slices can
// be parsed side by side. Works on the bytes: no XML is parsed here, only row tags are found; each
// slice's rows are copied without what the parser would read for nothing (xlsx-lean-rows.ts).
import { copyLeanRows } from "./xlsx-lean-rows.js";

const latin1 = (text: string) => Buffer.from(text, "latin1");
const SHEET_DATA = latin1("<sheetData>");
const SHEET_DATA_END = latin1("</sheetData>");
const ROW = latin1("<row");
const GT = 0x3e;
const QUOTE = 0x22;
const APOS = 0x27;
const EQUALS = 0x3d;
const isSpace = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

export interface SheetSlice {
  /** A worksheet: the sheet's head and tail around a run of its rows, in a buffer of its own (never a pooled one), so that it can be moved to a worker. */
  xml: Buffer;
  /** Sheet row (0-based) of the slice's first row. */
  firstRow: number;
}

export interface SheetCut {
  /** The slices in order; the first holds the first row alone (the header), so it is parsed at once. */
  slices: () => Generator<SheetSlice>;
  /** How many slices `slices` yields. */
  count: number;
}

/**
 * The number in a row tag's r attribute (`<row r="12" spans="1:8">` → 12), or -1 where it has none.
 * The tag runs from `at` (its `<row`) to the next `>`.
 */
function rowNumber(buf: Buffer, at: number): number {
  // A row tag is short: found by hand, not by a native search per row (half a million of them).
  let end = at;
  while (end < buf.length && buf[end] !== GT) end++;
  if (end === buf.length) return -1;
  for (let p = at + ROW.length; p < end - 3; p++) {
    if (buf[p] !== 0x72 || !isSpace(buf[p - 1]) || buf[p + 1] !== EQUALS) continue; // ` r=`
    const q = buf[p + 2];
    if (q !== QUOTE && q !== APOS) return -1;
    let n = 0;
    let d = p + 3;
    for (; d < end && buf[d]! >= 0x30 && buf[d]! <= 0x39 && n < 2 ** 31; d++) n = n * 10 + buf[d]! - 0x30;
    return d > p + 3 && buf[d] === q ? n : -1;
  }
  return -1;
}

/** Thrown by `slices` at a row without a number or out of order: such a sheet is parsed whole. */
export class UncutSheet extends Error {
  constructor() {
    super("the sheet's rows are not numbered in order");
  }
}

/** The first row tag from `from` on and before `to` (other elements whose names begin "row" skipped), or -1. */
function nextRow(buf: Buffer, from: number, to: number): number {
  for (let at = buf.indexOf(ROW, from); at >= 0 && at < to; at = buf.indexOf(ROW, at + ROW.length)) {
    const next = buf[at + ROW.length];
    if (next === GT || isSpace(next)) return at;
  }
  return -1;
}

/**
 * The worksheet XML cut after whole rows into worksheets of at most about `sliceBytes` each, or
 * undefined where it cannot be: no plain <sheetData>, or a row without a number where a slice would
 * start. The parser places a row by its number (one without is numbered after the previous row of
 * its slice), so cells land where a whole parse puts them as long as each slice's rows are numbered
 * after the previous slice's: `slices` checks every row's number as it copies a slice, and throws
 * UncutSheet at the first out of order, so that no scan of the whole sheet comes before the first
 * slice. The rows after the header are cut into slices of about the same size, as many as a
 * multiple of `workers`, so that the workers parsing them side by side finish together rather than
 * one parsing the last slice alone.
 */
export function sheetSlices(xml: Uint8Array, sliceBytes: number, workers = 1): SheetCut | undefined {
  const buf = Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength);
  const open = buf.indexOf(SHEET_DATA);
  const close = buf.lastIndexOf(SHEET_DATA_END);
  if (open < 0 || close < open) return undefined;
  const start = open + SHEET_DATA.length;
  // Where slices start: the first with <sheetData>, the second at the second row (the header row is
  // parsed alone), then at the first row past each `step` of the rest.
  const cuts = [start];
  const first = nextRow(buf, start, close);
  const second = first < 0 ? -1 : nextRow(buf, first + ROW.length, close);
  if (second >= 0) {
    const lanes = Math.max(1, Math.floor(workers));
    const count = Math.ceil(Math.ceil((close - second) / Math.max(1, sliceBytes)) / lanes) * lanes;
    const step = (close - second) / count;
    cuts.push(second);
    for (let j = 1; j < count; j++) {
      const at = nextRow(buf, Math.ceil(second + j * step), close);
      if (at < 0) break;
      if (at > cuts.at(-1)!) cuts.push(at);
    }
  }
  for (const at of [first, ...cuts.slice(1)]) if (at >= 0 && rowNumber(buf, at) < 1) return undefined;
  const head = buf.subarray(0, start);
  const tail = buf.subarray(close);
  const sliceEnd = (k: number) => (k + 1 < cuts.length ? cuts[k + 1]! : close);
  return {
    count: cuts.length,
    *slices() {
      let largest = 0;
      for (let k = 0; k < cuts.length; k++) largest = Math.max(largest, sliceEnd(k) - cuts[k]!);
      const scratch = Buffer.allocUnsafeSlow(largest);
      let last = 0;
      for (let k = 0; k < cuts.length; k++) {
        let firstNumber = 0;
        for (let at = nextRow(buf, cuts[k]!, sliceEnd(k)); at >= 0; at = nextRow(buf, at + ROW.length, sliceEnd(k))) {
          const n = rowNumber(buf, at);
          if (n <= last) throw new UncutSheet();
          if (firstNumber === 0) firstNumber = n;
          last = n;
        }
        // The first slice also keeps whatever precedes the first row inside <sheetData>.
        const body = buf.subarray(cuts[k]!, sliceEnd(k));
        const lean = copyLeanRows(body, scratch, 0);
        // A buffer of its own, of the slice's size: it is moved to a worker, and held while it parses.
        const xml = Buffer.allocUnsafeSlow(head.length + lean + tail.length);
        head.copy(xml, 0);
        scratch.copy(xml, head.length, 0, lean);
        tail.copy(xml, head.length + lean);
        yield {
          xml,
          firstRow: Math.max(0, firstNumber - 1),
        };
      }
    },
  };
}
