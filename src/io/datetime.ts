// Wall-clock timestamps. The data records local times without a zone; we keep them as the number of
// milliseconds the same wall-clock reading would be in UTC. Nothing here consults the machine's zone.

const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Reads an unsigned decimal run of exactly `min..max` digits at `pos`; returns [value, end] or undefined. */
function digits(s: string, pos: number, min: number, max: number): [number, number] | undefined {
  let v = 0;
  let i = pos;
  while (i < s.length && i - pos < max) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    i++;
  }
  return i - pos >= min ? [v, i] : undefined;
}

function wallClockMs(y: number, mo: number, d: number, h: number, mi: number, sec: number, ms: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1] || (mo === 2 && d === 29 && !isLeap(y))) return Number.NaN;
  if (h > 23 || mi > 59 || sec > 59) return Number.NaN;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

/** The written date formats the readers take; each is followed by a time H:MM or H:MM:SS. */
export const DATE_FORMATS = ["YYYY-MM-DD", "M/D/YYYY", "D/M/YYYY", "D.M.YYYY"] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];
/** A date format, or "auto": decided from the data (see date-column.ts). */
export type DateFormatChoice = DateFormat | "auto";

/** Reads the date part at the start of `s` in `format`: [year, month, day, end], or undefined. */
function datePart(s: string, format: DateFormat): [number, number, number, number] | undefined {
  if (format === "YYYY-MM-DD") {
    const y = digits(s, 0, 4, 4);
    if (!y || s[4] !== "-") return undefined;
    const m = digits(s, 5, 1, 2);
    if (!m || s[m[1]] !== "-") return undefined;
    const d = digits(s, m[1] + 1, 1, 2);
    if (!d || (s[d[1]] !== " " && s[d[1]] !== "T")) return undefined;
    return [y[0], m[0], d[0], d[1]];
  }
  const sep = format === "D.M.YYYY" ? "." : "/";
  const a = digits(s, 0, 1, 2);
  if (!a || s[a[1]] !== sep) return undefined;
  const b = digits(s, a[1] + 1, 1, 2);
  if (!b || s[b[1]] !== sep) return undefined;
  const y = digits(s, b[1] + 1, 4, 4);
  if (!y || s[y[1]] !== " ") return undefined;
  const [mo, d] = format === "M/D/YYYY" ? [a[0], b[0]] : [b[0], a[0]];
  return [y[0], mo, d, y[1]];
}

/**
 * Parses a date in `format` followed by a time "H:MM[:SS[.fff]]" (the ISO form may put a 'T' before
 * the time) into wall-clock milliseconds; NaN when the text is not that, or names no real day.
 */
export function parseDateTime(text: string, format: DateFormat): number {
  const s = text.trim();
  const date = datePart(s, format);
  if (!date) return Number.NaN;
  const [y, mo, d, p0] = date;
  let r = digits(s, p0 + 1, 1, 2);
  if (!r || s[r[1]] !== ":") return Number.NaN;
  const h = r[0];
  r = digits(s, r[1] + 1, 2, 2);
  if (!r) return Number.NaN;
  const mi = r[0];
  let sec = 0;
  let ms = 0;
  let p = r[1];
  if (s[p] === ":") {
    r = digits(s, p + 1, 2, 2);
    if (!r) return Number.NaN;
    sec = r[0];
    p = r[1];
    if (s[p] === ".") {
      r = digits(s, p + 1, 1, 9);
      if (!r) return Number.NaN;
      ms = Math.floor(r[0] / 10 ** (r[1] - p - 1 - 3));
      p = r[1];
    }
  }
  return p === s.length ? wallClockMs(y, mo, d, h, mi, sec, ms) : Number.NaN;
}

/** Bit i set where DATE_FORMATS[i] reads the text as a valid date and time. */
export function fittingFormats(text: string): number {
  let mask = 0;
  for (let i = 0; i < DATE_FORMATS.length; i++) if (!Number.isNaN(parseDateTime(text, DATE_FORMATS[i]!))) mask |= 1 << i;
  return mask;
}

/**
 * An Excel serial date (days since 1899-12-30 in the 1900 system, which counts the non-existent
 * 1900-02-29 as serial 60) → wall-clock milliseconds, rounded to the millisecond.
 */
export function excelSerialToMs(serial: number, date1904 = false): number {
  if (date1904) return Math.round((serial + 1462 - 25569) * MS_PER_DAY);
  // Serials below 61 come before the phantom leap day, so they are one day later than the formula says.
  const days = serial < 61 ? serial + 1 : serial;
  return Math.round((days - 25569) * MS_PER_DAY);
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Wall-clock milliseconds → "YYYY-MM-DD HH:MM:SS" (with ".fff" only when there are milliseconds). */
export function formatWallClock(ms: number): string {
  const t = new Date(ms);
  const base = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const frac = t.getUTCMilliseconds();
  return frac ? `${base}.${pad(frac, 3)}` : base;
}
