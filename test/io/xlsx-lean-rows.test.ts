import { test } from "uvu";
import * as assert from "uvu/assert";
import XLSX from "xlsx";
import { copyLeanRows } from "../../src/io/xlsx-lean-rows.js";
import { READ_OPTIONS } from "../../src/io/xlsx-worker.js";
import { zipOf } from "../helpers/zip.js";

// The parts of a one-sheet workbook with shared strings (and the metadata part the UCI workbook has),
// its sheet replaced by each test's XML.
const PARTS = (() => {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([["x", 1]]), "S");
  const cfb = XLSX.CFB.read(XLSX.write(wb, { type: "buffer", bookType: "xlsx", bookSST: true }), { type: "buffer" });
  const parts: Record<string, Uint8Array> = {};
  cfb.FullPaths.forEach((path: string, i: number) => {
    const entry = cfb.FileIndex[i]!;
    if (entry.type === 2 && entry.content) parts[path.replace(/^Root Entry\//, "")] = entry.content as Uint8Array;
  });
  const strings = ["alpha", "beta", "gamma", "r=\"Z9\" delta"].map((t) => `<si><t>${t.replace(/"/g, "&quot;")}</t></si>`).join("");
  parts["xl/sharedStrings.xml"] = Buffer.from(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings}</sst>`);
  return parts;
})();

const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const TAIL = "</sheetData></worksheet>";

/** The cells the parser reads from a sheet whose <sheetData> holds `rows`, as the reader asks for them. */
function parsed(rows: string): string {
  const book = zipOf({ ...PARTS, "xl/worksheets/sheet1.xml": Buffer.from(HEAD + rows + TAIL, "latin1") });
  const wb = XLSX.read(book, { type: "buffer", ...READ_OPTIONS });
  return JSON.stringify(wb.Sheets[wb.SheetNames[0]!]);
}

function lean(rows: string): string {
  const src = Buffer.from(rows, "latin1");
  const out = Buffer.alloc(src.length);
  return out.toString("latin1", 0, copyLeanRows(src, out, 0));
}

test("references the parser's count gives, style attributes and row attributes are dropped; the rest is kept", () => {
  const rows =
    '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3"><v>1.5</v></c><c r="C1" s="1" t="s" cm="1"><v>1</v></c></row>' +
    // A cell missing: the next one keeps its reference, and the count goes on from it.
    '<row r="2"><c r="A2"><v>2</v></c><c r="C2"><v>3</v></c><c r="D2"><v>4</v></c></row>' +
    // A gap in the rows: the row after it keeps its number.
    '<row r="5"><c r="A5"><v>5</v></c></row>';
  assert.is(
    lean(rows),
    '<row><c t="s"><v>0</v></c><c><v>1.5</v></c><c t="s" cm="1"><v>1</v></c></row>' +
      '<row><c><v>2</v></c><c r="C2"><v>3</v></c><c><v>4</v></c></row>' +
      '<row r="5"><c><v>5</v></c></row>',
  );
  assert.is(parsed(lean(rows)), parsed(rows));
  // The count starts again with each parse: a slice's first row keeps its number.
  assert.is(lean('<row r="7"><c r="A7"><v>1</v></c></row>'), '<row r="7"><c><v>1</v></c></row>');
});

test("rows and cells in forms the parser reads otherwise are copied as they are", () => {
  const kept: [string, string][] = [
    // Text before the first cell: the parser skips cells starting with "<" after it.
    ['<row r="1"><extLst/><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>', 'r="B1"'],
    // A comment between rows: the parser takes it for the row's tag, and the row's tag for text before its cells.
    ['<row r="1"><c r="A1"><v>1</v></c></row><!-- note --><row r="2"><c r="A2"><v>2</v></c><c r="B2"><v>3</v></c></row>', 'r="A2"'],
    // "r=" in a cell's content: the parser takes it for the reference of a cell without one.
    ['<row r="1"><c r="A1" t="inlineStr"><is><t>r="Z9"</t></is></c><c r="B1"><v>2</v></c></row>', 'r="B1"'],
    // A namespaced cell counts as a cell.
    ['<row r="1"><c r="A1"><v>1</v></c><x:c><v>2</v></x:c><c r="B1"><v>3</v></c></row>', 'r="B1"'],
    // Attributes the parser could read as a reference, a value with quotes.
    ['<row r="1"><c r="A1" ptr="1"><v>1</v></c><c r="B1"><v>2</v></c></row>', 'r="A1"'],
    ["<row r=\"1\"><c r=\"A1\" t='s\"'><v>1</v></c></row>", 'r="A1"'],
  ];
  for (const [rows, reference] of kept) {
    assert.ok(lean(rows).includes(reference), lean(rows));
    assert.is(parsed(lean(rows)), parsed(rows), rows);
  }
});

/** A seeded generator of sheets mixing what Excel writes with forms it does not. */
function randomRows(seed: number): string {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const column = (c: number) => (c >= 26 ? String.fromCharCode(64 + Math.floor(c / 26)) : "") + String.fromCharCode(65 + (c % 26));
  const contents = [
    ["", "<v>12</v>"],
    ["", "<v>0.125</v>"],
    [' t="s"', "<v>2</v>"],
    [' t="s"', "<v>3</v>"],
    [' t="str"', "<v>text &amp; more</v>"],
    [' t="inlineStr"', "<is><t>inline</t></is>"],
    [' t="inlineStr"', '<is><t>x r="Q4" y</t></is>'],
    [' t="b"', "<v>1</v>"],
    [' t="e"', "<v>#N/A</v>"],
    ["", "<f>1+1</f><v>2</v>"],
    ["", ""],
  ];
  let out = "";
  let row = 0;
  const rows = 4 + Math.floor(next() * 12);
  for (let i = 0; i < rows; i++) {
    row += next() < 0.8 ? 1 : 2 + Math.floor(next() * 3);
    const rowAttrs = next() < 0.2 ? pick([' spans="1:9"', ' ht="15" customHeight="1"', ' x14ac:dyDescent="0.25"', ' foo="1"', ' r_x="3"']) : "";
    const form = next();
    if (form < 0.05) {
      out += `<row r="${row}"/>`;
      continue;
    }
    out += form < 0.1 ? `<row${rowAttrs}>` : form < 0.13 ? `<x:row r="${row}">` : `<row r="${row}"${rowAttrs}>`;
    if (next() < 0.1) out += pick(["  ", "\n", "<extLst/>"]);
    let col = -1;
    const cells = 1 + Math.floor(next() * 9);
    for (let j = 0; j < cells; j++) {
      col += next() < 0.75 ? 1 : 2 + Math.floor(next() * 3);
      const [type, content] = pick(contents);
      const refForm = next();
      const ref =
        refForm < 0.1 ? "" : refForm < 0.14 ? ` r="${column(col)}${row + 1}"` : refForm < 0.17 ? ` r="${column(Math.max(0, col - 2))}${row}"` : refForm < 0.19 ? ` r="$${column(col)}$${row}"` : refForm < 0.21 ? ` r='${column(col)}${row}'` : ` r="${column(col)}${row}"`;
      const style = next() < 0.4 ? ` s="${1 + Math.floor(next() * 4)}"` : "";
      const extra = next() < 0.05 ? pick([' cm="1"', ' vm="1"', ' ptr="1"', ' zr="2"']) : "";
      const open = next() < 0.03 ? "<c\t" : "<c";
      const attrs = next() < 0.5 ? `${ref}${style}${type}${extra}` : `${style}${type}${extra}${ref}`;
      out += content === "" && next() < 0.5 ? `${open}${attrs}/>` : `${open}${attrs}>${content}</c>`;
      if (next() < 0.05) out += " ";
    }
    out += form >= 0.1 && form < 0.13 ? "</x:row>" : "</row>";
  }
  return out;
}

test("any mix of rows and cells: the parser reads the same cells from the lean copy", () => {
  let dropped = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const rows = randomRows(seed);
    const copy = lean(rows);
    dropped += rows.length - copy.length;
    assert.is(parsed(copy), parsed(rows), `seed ${seed}: ${rows}\n→ ${copy}`);
  }
  assert.ok(dropped > 0);
});

test.run();
