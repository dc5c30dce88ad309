// Strict number parsing for text sources: plain decimal notation only (no hex, no "Infinity",
// no empty string as 0), so a malformed cell is reported instead of silently becoming a number.
import { quote } from "./excerpt.js";

/** The mark between a number's whole and fractional part in text sources. */
export type DecimalMark = "." | ",";
export const DECIMAL_MARKS: readonly DecimalMark[] = [".", ","];

/** With a decimal comma: digits, optionally grouped by thousands dots ("1.234,5"); no exponent. */
const COMMA_DECIMAL = /^\s*[+-]?(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d+)?\s*$/;

/** A finite decimal number, or NaN. With `decimal` ",", "2,55" is 2.55 and "1.234,5" is 1234.5. */
export function parseDecimal(text: string, decimal: DecimalMark = "."): number {
  if (decimal === ",") {
    if (!COMMA_DECIMAL.test(text)) return Number.NaN;
    return parseDecimal(text.replace(/\./g, "").replace(",", "."));
  }
  // Number() does the parsing once the text holds only digits, signs, points, exponent marks and
  // blanks: that refuses what Number() alone would accept ("" as 0, "0x1F", "Infinity").
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c !== 46 && c !== 43 && c !== 45 && c !== 101 && c !== 69 && c !== 32 && c !== 9) return Number.NaN;
  }
  if (!digits) return Number.NaN;
  // "1e400" passes the character check but overflows to Infinity: out of range is unreadable too.
  const v = Number(text);
  return Number.isFinite(v) ? v : Number.NaN;
}

/** A whole number within the Int32 range ("17850" or "17850.0"; "17850,0" with a decimal comma), or NaN. */
export function parseInt32(text: string, decimal: DecimalMark = "."): number {
  const v = parseDecimal(text, decimal);
  return isInt32(v) ? v : Number.NaN;
}

export const isInt32 = (v: number) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;

/** The text of a number cell in a text column: integers without a fractional part ("536365"). */
export const numberText = (v: number | bigint) => (typeof v === "bigint" ? v.toString() : String(v));

/** Why a number cell could not be read, with a hint where it holds the other decimal mark. */
export function numberProblem(text: string, what: string, decimal: DecimalMark): string {
  const hint = !text.includes(decimal === "." ? "," : ".") ? "" : decimal === "." ? ' (the decimal mark is ".")' : ' (the decimal mark is ","; "." only groups thousands)';
  return `cannot read ${quote(text)} as ${what}${hint}`;
}
