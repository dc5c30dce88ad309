// A worksheet's XML cut after whole rows into worksheets of their own, so that the parser (which
// holds every cell of what it parses as an object) holds a slice's cells at a time, and slices can
// be parsed side by side. Works on the bytes: no XML is parsed here, only row tags are found.

const latin1 = (text: string) => Buffer.from(text, "latin1");
const SHEET_DATA = latin1("<sheetData>");
const SHEET_DATA_END = latin1("</sheetData>");
const ROW = latin1("<row");
const CELL_STYLE = latin1(' s="');
const LT = 0x3c;
const GT = 0x3e;
const LETTER_C = 0x63;
const QUOTE = 0x22;
const APOS = 0x27;
const EQUALS = 0x3d;
const SPACES = new Set([0x20, 0x09, 0x0a, 0x0d]);

export interface SheetSlice {
  /** A worksheet: the sheet's head and tail around a run of its rows, in a buffer of its own (never a pooled one), so that it can be moved to a worker. */
  xml: Buffer;
  /** Sheet row (0-based) of the slice's first row. */
  firstRow: number;
}

export interface SheetCut {
  /** Rows in the sheet (the header row included). */
  rows: number;
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
  const end = buf.indexOf(GT, at);
  if (end < 0) return -1;
  for (let p = at + ROW.length; p < end - 3; p++) {
    if (buf[p] !== 0x72 || !SPACES.has(buf[p - 1]!) || buf[p + 1] !== EQUALS) continue; // ` r=`
    const q = buf[p + 2];
    if (q !== QUOTE && q !== APOS) return -1;
    let n = 0;
    let d = p + 3;
    for (; d < end && buf[d]! >= 0x30 && buf[d]! <= 0x39 && n < 2 ** 31; d++) n = n * 10 + buf[d]! - 0x30;
    return d > p + 3 && buf[d] === q ? n : -1;
  }
  return -1;
}

/**
 * Copies `src` into `out` from `at` on, without the style attributes of its cells (the ` s="1"` of
 * `<c r="E2" s="1">`), and returns where the copy ends. The read options ask for no styles, number
 * formats or formatted text, so the parser would look each one up for nothing: an eighth of its
 * time on the UCI sheet, whose every date cell has one.
 */
function copyWithoutCellStyles(src: Buffer, out: Buffer, at: number): number {
  let from = 0;
  for (let p = src.indexOf(CELL_STYLE); p >= 0; p = src.indexOf(CELL_STYLE, p + CELL_STYLE.length)) {
    // Inside a <c> tag: the nearest < or > before it is the tag's start.
    let lt = p;
    while (lt > 0 && src[lt] !== LT && src[lt] !== GT) lt--;
    if (src[lt] !== LT || src[lt + 1] !== LETTER_C || !SPACES.has(src[lt + 2]!)) continue;
    let end = p + CELL_STYLE.length;
    while (end < src.length && src[end] !== QUOTE && src[end] !== GT) end++;
    if (src[end] !== QUOTE) continue;
    at += src.copy(out, at, from, p);
    from = end + 1;
  }
  return at + src.copy(out, at, from);
}

/**
 * The worksheet XML cut after whole rows into worksheets of about `sliceBytes` each, or undefined
 * where the rows cannot be cut safely: no plain <sheetData>, or a row without a number or out of
 * order. The parser places a row by its number (one without is numbered after the previous row of
 * its slice), so cells land where a whole parse puts them, and each slice's rows start after the
 * previous slice's.
 */
export function sheetSlices(xml: Uint8Array, sliceBytes: number): SheetCut | undefined {
  const buf = Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength);
  const open = buf.indexOf(SHEET_DATA);
  const close = buf.lastIndexOf(SHEET_DATA_END);
  if (open < 0 || close < open) return undefined;
  const start = open + SHEET_DATA.length;
  // Row numbers, checked increasing, and where each row starts.
  const starts: number[] = [];
  const numbers: number[] = [];
  for (let at = buf.indexOf(ROW, start); at >= 0 && at < close; at = buf.indexOf(ROW, at + ROW.length)) {
    const next = buf[at + ROW.length]!;
    if (next !== GT && !SPACES.has(next)) continue; // another element whose name begins "row"
    const n = rowNumber(buf, at);
    if (n < 1 || (numbers.length > 0 && n <= numbers.at(-1)!)) return undefined;
    starts.push(at);
    numbers.push(n);
  }
  // Cuts at row starts: after the first row, then at the first row `sliceBytes` or more further on.
  const step = Math.max(1, sliceBytes);
  const cuts = [0];
  for (let i = 1, goal = 0; i < starts.length; i++) {
    if (starts[i]! < goal) continue;
    cuts.push(i);
    goal = starts[i]! + step;
  }
  const head = buf.subarray(0, start);
  const tail = buf.subarray(close);
  const offset = (row: number) => (row < starts.length ? starts[row]! : close);
  const sliceEnd = (k: number) => (k + 1 < cuts.length ? offset(cuts[k + 1]!) : close);
  return {
    rows: starts.length,
    count: cuts.length,
    *slices() {
      for (let k = 0; k < cuts.length; k++) {
        // The first slice also keeps whatever precedes the first row inside <sheetData>.
        const body = buf.subarray(k === 0 ? start : offset(cuts[k]!), sliceEnd(k));
        const out = Buffer.allocUnsafeSlow(head.length + body.length + tail.length);
        head.copy(out, 0);
        const at = copyWithoutCellStyles(body, out, head.length);
        const xml = out.subarray(0, at + tail.copy(out, at));
        yield {
          xml,
          firstRow: starts.length > 0 ? numbers[Math.min(cuts[k]!, starts.length - 1)]! - 1 : 0,
        };
      }
    },
  };
}
