// Strict number parsing for text sources: plain decimal notation only (no hex, no "Infinity",
// no empty string as 0), so a malformed cell is reported instead of silently becoming a number.

/** A finite decimal number, or NaN. */
export function parseDecimal(text: string): number {
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

/** A whole number within the Int32 range ("17850" or "17850.0"), or NaN. */
export function parseInt32(text: string): number {
  const v = parseDecimal(text);
  return isInt32(v) ? v : Number.NaN;
}

export const isInt32 = (v: number) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;

/** The text of a number cell in a text column: integers without a fractional part ("536365"). */
export const numberText = (v: number | bigint) => (typeof v === "bigint" ? v.toString() : String(v));
