// Rows of a worksheet copied with only what the parser reads under the reader's options (dense, no
// styles, formulas or formatted text; xlsx-worker.ts), so that a slice costs it less: about a fifth
// of its time went to the cells' `r="B12"` references and style attributes, through regular
// expressions and attribute objects made for every cell. Works on the bytes (UTF-8 never puts an
// ASCII byte inside a character), in one pass, as the slices are cut (xlsx-slices.ts).
//
// The parser (xlsx 0.18.5, parse_ws_xml_data) splits a sheet's rows at `</row>` and a row's cells at
// `<c ` `<c>` `<c/`; it numbers a row without `r` after the row it read before, and a cell without
// `r` after the cell before it in its row. A cell's reference is dropped only where it says what that
// count gives; a row's number only where it follows the row before. Rows and cells in any other form
// (namespaced names, other attributes, references the count would not give, text before a row's
// first cell, `r="…"` in a cell's content, where the parser would read it as the reference) are
// copied as they are, and their rows keep every reference: the parser places every cell where it
// places it in the sheet as written.

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUOTE = 0x22;
const APOS = 0x27;
const EQUALS = 0x3d;
const COLON = 0x3a;
const LETTER_R = 0x72;
const SPACE = 0x20;

const isSpace = (b: number | undefined) => b === SPACE || b === 0x09 || b === 0x0a || b === 0x0d;
const isNameByte = (b: number | undefined) =>
  b !== undefined && ((b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b === COLON || b === 0x5f || b === 0x2d || b === 0x2e);

/** `<c` as the parser's cell pattern takes it: followed by a space, `/` or `>`. */
const isCellStart = (s: Uint8Array, p: number) => s[p] === LT && s[p + 1] === 0x63 && (s[p + 2] === SPACE || s[p + 2] === SLASH || s[p + 2] === GT);
const isRowEnd = (s: Uint8Array, p: number) =>
  s[p] === LT && s[p + 1] === SLASH && s[p + 2] === LETTER_R && s[p + 3] === 0x6f && s[p + 4] === 0x77 && s[p + 5] === GT;
const isRowStart = (s: Uint8Array, p: number) =>
  s[p] === LT && s[p + 1] === LETTER_R && s[p + 2] === 0x6f && s[p + 3] === 0x77 && (isSpace(s[p + 4]) || s[p + 4] === GT || s[p + 4] === SLASH);

const LETTER_V = 0x76;
/** `</v></c>` at `p`. */
const isValueEnd = (s: Uint8Array, p: number) =>
  s[p] === LT && s[p + 1] === SLASH && s[p + 2] === LETTER_V && s[p + 3] === GT && s[p + 4] === LT && s[p + 5] === SLASH && s[p + 6] === 0x63 && s[p + 7] === GT;

/** A namespaced element (`<x:c`, `</x:row>`): the parser splits cells and rows at those too. */
function isPrefixed(s: Uint8Array, p: number): boolean {
  let q = s[p + 1] === SLASH ? p + 2 : p + 1;
  while (isNameByte(s[q]) && s[q] !== COLON) q++;
  return s[q] === COLON;
}

const ascii = (names: string[]) => names.map((n) => Uint8Array.from(n, (ch) => ch.charCodeAt(0)));
/** Attributes of a cell the parser reads besides `r` and `s`; kept as they are. */
const CELL_KEPT = ascii(["t", "cm", "vm", "ph"]);
/** Attributes of a row the parser reads none of without styles, `r` aside. */
const ROW_UNREAD = ascii(["spans", "s", "customFormat", "ht", "hidden", "customHeight", "outlineLevel", "collapsed", "thickTop", "thickBot", "ph", "x14ac:dyDescent"]);

const NAME_R = 1;
const NAME_S = 2;
const NAME_LISTED = 3;
const NAME_OTHER = 0;

function nameKind(s: Uint8Array, from: number, to: number, listed: Uint8Array[]): number {
  const length = to - from;
  if (length === 1 && s[from] === LETTER_R) return NAME_R;
  if (length === 1 && s[from] === 0x73) return NAME_S;
  for (const name of listed) {
    if (name.length !== length) continue;
    let i = 0;
    while (i < length && name[i] === s[from + i]) i++;
    if (i === length) return NAME_LISTED;
  }
  return NAME_OTHER;
}

/** The tag's attributes, as read by `readTag`: name start and end, value start and end (inside the quotes), per attribute. */
const MAX_ATTRIBUTES = 16;
const spans = new Int32Array(MAX_ATTRIBUTES * 4);
let attributeCount = 0;
let selfClosing = false;

/**
 * Reads a tag's attributes from `p` (just after its name) and returns where the tag ends (past its
 * `>`), or 0 where the tag is not in the plain form rewritten here: `name="value"` pairs apart by
 * whitespace, no `<` or `>` in a value (the parser ends a cell's tag at its first `>`), nor `=` or
 * quotes (where it looks for `r="…"` in a cell's text).
 */
function readTag(s: Uint8Array, p: number): number {
  attributeCount = 0;
  const n = s.length;
  for (;;) {
    const b = s[p];
    if (b === GT) {
      selfClosing = false;
      return p + 1;
    }
    if (b === SLASH) {
      selfClosing = true;
      return s[p + 1] === GT ? p + 2 : 0;
    }
    if (!isSpace(b)) return 0;
    while (isSpace(s[p])) p++;
    if (s[p] === GT || s[p] === SLASH) continue;
    const nameStart = p;
    while (isNameByte(s[p])) p++;
    if (p === nameStart || s[p] !== EQUALS || attributeCount === MAX_ATTRIBUTES) return 0;
    const nameEnd = p;
    const quote = s[p + 1];
    if (quote !== QUOTE && quote !== APOS) return 0;
    p += 2;
    const valueStart = p;
    while (p < n && s[p] !== quote) {
      const c = s[p];
      if (c === LT || c === GT || c === EQUALS || c === QUOTE || c === APOS) return 0;
      p++;
    }
    if (p >= n) return 0;
    const k = attributeCount++ * 4;
    spans[k] = nameStart;
    spans[k + 1] = nameEnd;
    spans[k + 2] = valueStart;
    spans[k + 3] = p;
    p++;
  }
}

/** A row number as Excel writes it (no sign, no leading zero), or -1. */
function rowValue(s: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 9 || s[from] === 0x30) return -1;
  let n = 0;
  for (let p = from; p < to; p++) {
    const d = s[p]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Column (0-based) of a cell reference in Excel's form (`AB12`) whose row is `row`, or -1. */
function refColumn(s: Uint8Array, from: number, to: number, row: number): number {
  let p = from;
  let column = 0;
  while (p < to && p - from < 3 && s[p]! >= 0x41 && s[p]! <= 0x5a) column = column * 26 + s[p++]! - 0x40;
  if (p === from || rowValue(s, p, to) !== row) return -1;
  return column - 1;
}

const UNKNOWN = -2;

// What the last cell tag written said: where it ends in the source, whether it has a reference, and
// the column that reference names in the row being read (-1: none, or another row).
let cellTagEnd = 0;
let cellHasRef = false;
let cellRefCol = -1;

/**
 * Writes the cell tag at `p` without what the parser does not read, or returns -1 where the tag is
 * not in the plain form (see readTag) with attributes the parser reads no more than it reads them here.
 * `row` and `col` are the parser's count before the cell.
 */
function writeCellTag(s: Uint8Array, p: number, row: number, col: number, out: Uint8Array, o: number): number {
  const end = readTag(s, p + 2);
  if (end === 0) return -1;
  let ref = -1;
  for (let a = 0; a < attributeCount; a++) {
    const kind = nameKind(s, spans[a * 4]!, spans[a * 4 + 1]!, CELL_KEPT);
    if (kind === NAME_OTHER || (kind === NAME_R && ref >= 0)) return -1;
    if (kind === NAME_R) ref = a;
  }
  cellTagEnd = end;
  cellHasRef = ref >= 0;
  cellRefCol = ref < 0 ? -1 : refColumn(s, spans[ref * 4 + 2]!, spans[ref * 4 + 3]!, row);
  const dropRef = ref >= 0 && row !== UNKNOWN && col !== UNKNOWN && cellRefCol === col + 1;
  out[o++] = LT;
  out[o++] = 0x63;
  for (let a = 0; a < attributeCount; a++) {
    const k = a * 4;
    if ((a === ref && dropRef) || nameKind(s, spans[k]!, spans[k + 1]!, CELL_KEPT) === NAME_S) continue;
    out[o++] = SPACE;
    o = copyBytes(s, spans[k]!, spans[k + 3]! + 1, out, o);
  }
  if (selfClosing) out[o++] = SLASH;
  out[o++] = GT;
  return o;
}

const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;
const isUpper = (b: number | undefined) => b !== undefined && b >= 0x41 && b <= 0x5a;
const isLetter = (b: number | undefined) => b !== undefined && ((b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a));

/**
 * writeCellTag for the form Excel writes, `<c r="B2"[ s="1"][ t="s"]>`, read without taking its
 * attributes apart (nearly every cell of a sheet, so a third of the copy's time): the same output,
 * or -1 where the tag has another form.
 */
function writeExcelCellTag(s: Uint8Array, p: number, row: number, col: number, out: Uint8Array, o: number): number {
  if (s[p + 2] !== SPACE || s[p + 3] !== LETTER_R || s[p + 4] !== EQUALS || s[p + 5] !== QUOTE) return -1;
  let q = p + 6;
  const lettersAt = q;
  let letters = 0;
  while (q - lettersAt < 3 && isUpper(s[q])) letters = letters * 26 + s[q++]! - 0x40;
  const digitsAt = q;
  let digits = 0;
  if (s[q] !== 0x30) while (q - digitsAt < 9 && isDigit(s[q])) digits = digits * 10 + s[q++]! - 0x30;
  if (q === lettersAt || q === digitsAt || s[q] !== QUOTE) return -1;
  const refEnd = ++q;
  if (s[q] === SPACE && s[q + 1] === 0x73 && s[q + 2] === EQUALS && s[q + 3] === QUOTE) {
    q += 4;
    while (isDigit(s[q])) q++;
    if (s[q++] !== QUOTE) return -1;
  }
  const typeAt = q;
  if (s[q] === SPACE && s[q + 1] === 0x74 && s[q + 2] === EQUALS && s[q + 3] === QUOTE) {
    q += 4;
    while (isLetter(s[q])) q++;
    if (s[q++] !== QUOTE) return -1;
  }
  const typeEnd = q;
  if (s[q] !== GT) return -1;
  cellTagEnd = q + 1;
  cellHasRef = true;
  cellRefCol = digits === row ? letters - 1 : -1;
  out[o++] = LT;
  out[o++] = 0x63;
  if (row === UNKNOWN || col === UNKNOWN || cellRefCol !== col + 1) o = copyBytes(s, p + 2, refEnd, out, o);
  o = copyBytes(s, typeAt, typeEnd, out, o);
  out[o++] = GT;
  return o;
}

function copyBytes(s: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number {
  for (let q = from; q < to; q++) out[o++] = s[q]!;
  return o;
}

/**
 * Copies the rows in `src` into `out` from `at` on, dropping what the parser does not read (see
 * above), and returns where the copy ends. `out` must hold `src.length` bytes from `at`: the copy
 * is never longer. The parser's count starts again with each parse, so `src` is a whole slice's rows.
 */
export function copyLeanRows(src: Uint8Array, out: Uint8Array, at: number): number {
  const s = src;
  const n = s.length;
  let p = 0;
  let o = at;
  // The parser's count: the row it last read (0 before the first), the cell (-1 before a row's first).
  let row = 0;
  let col = UNKNOWN;
  // Whether the row's cells may be rewritten: its tag was, and nothing but whitespace precedes its
  // first cell (the parser skips cells after other text when they start with `<`, as `<c>` does).
  let rowSafe = false;
  // Nothing but whitespace copied since the last `</row>` or row tag (or the start).
  let clean = true;
  while (p < n) {
    const b = s[p]!;
    if (b === LT) {
      if (isCellStart(s, p)) {
        if (col === -1 && !clean) rowSafe = false;
        const tagAt = o;
        let next = rowSafe ? writeExcelCellTag(s, p, row, col, out, o) : -1;
        if (next < 0 && rowSafe) next = writeCellTag(s, p, row, col, out, o);
        if (next < 0) {
          col = UNKNOWN;
          out[o++] = b;
          p++;
          continue;
        }
        o = next;
        // The cell's content, up to the next cell or the row's end: the parser looks for the
        // reference in all of it.
        let q = cellTagEnd;
        let safe = true;
        // Most cells hold `<v>…</v></c>`, whose tags need no closer look.
        if (s[q] === LT && s[q + 1] === LETTER_V && s[q + 2] === GT) {
          let v = q + 3;
          while (v < n && s[v] !== LT && (s[v] !== LETTER_R || s[v + 1] !== EQUALS)) v++;
          if (isValueEnd(s, v)) {
            o = copyBytes(s, q, v + 8, out, o);
            q = v + 8;
          }
        }
        while (q < n) {
          const c = s[q]!;
          if (c === LT) {
            if (isCellStart(s, q) || isRowEnd(s, q)) break;
            if (isPrefixed(s, q)) safe = false;
          } else if (c === LETTER_R && s[q + 1] === EQUALS && (s[q + 2] === QUOTE || s[q + 2] === APOS)) safe = false;
          out[o++] = c;
          q++;
        }
        if (q >= n) safe = false;
        if (safe) col = !cellHasRef ? (col === UNKNOWN ? UNKNOWN : col + 1) : cellRefCol < 0 ? UNKNOWN : cellRefCol;
        else {
          o = copyBytes(s, p, q, out, tagAt);
          col = UNKNOWN;
        }
        p = q;
        continue;
      }
      if (isRowEnd(s, p)) {
        o = copyBytes(s, p, p + 6, out, o);
        p += 6;
        col = UNKNOWN;
        rowSafe = false;
        clean = true;
        continue;
      }
      if (isRowStart(s, p)) {
        const end = clean ? readTag(s, p + 4) : 0;
        let ref = -1;
        let plain = end > 0 && !selfClosing;
        for (let a = 0; plain && a < attributeCount; a++) {
          const kind = nameKind(s, spans[a * 4]!, spans[a * 4 + 1]!, ROW_UNREAD);
          if (kind === NAME_OTHER || (kind === NAME_R && ref >= 0)) plain = false;
          else if (kind === NAME_R) ref = a;
        }
        const number = plain && ref >= 0 ? rowValue(s, spans[ref * 4 + 2]!, spans[ref * 4 + 3]!) : -1;
        if (number < 1) {
          row = UNKNOWN;
          col = UNKNOWN;
          rowSafe = false;
          clean = false;
          out[o++] = b;
          p++;
          continue;
        }
        o = copyBytes(s, p, p + 4, out, o);
        if (row === UNKNOWN || number !== row + 1) {
          out[o++] = SPACE;
          o = copyBytes(s, spans[ref * 4]!, spans[ref * 4 + 3]! + 1, out, o);
        }
        out[o++] = GT;
        row = number;
        col = -1;
        rowSafe = true;
        clean = true;
        p = end;
        continue;
      }
    }
    if (!isSpace(b)) clean = false;
    out[o++] = b;
    p++;
  }
  return o;
}
