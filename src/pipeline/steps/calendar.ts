// Calendar fields of wall-clock timestamps stored as "milliseconds read as UTC". Integer arithmetic
// only: the machine's time zone never enters (no Date getters other than UTC ones, none at all here).

export const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/** Whole days since 1970-01-01. */
export const dayNumber = (ms: number) => Math.floor(ms / MS_PER_DAY);

/** Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday). */
export const dayOfWeek = (day: number) => (((day + 3) % 7) + 7) % 7;

/**
 * Months since year 0 (year * 12 + month - 1) of a day number, so consecutive calendar months
 * differ by 1. Howard Hinnant's civil_from_days.
 */
export function monthNumber(day: number): number {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 12 + month - 1;
}

/**
 * Calendar fields of many timestamps: per line its day and hour; per date its weekday and month.
 * A line's day and hour share one number, so a pass reading lines out of order reads one column
 * for both (and a line's date and hour are usually its neighbour's: one comparison finds that).
 */
export interface LineCalendar {
  /** Per line, day number × 24 + hour of the day (0–23): the day is Math.floor(dayHour / 24). */
  dayHour: Float64Array;
  firstDay: number;
  lastDay: number;
  /** Indexed by day - firstDay. */
  weekday: Uint8Array;
  /** Indexed by day - firstDay: months since the first line's month. */
  month: Int32Array;
  /** Months from the first line's month to the last's, inclusive. */
  monthSpan: number;
}

/**
 * The calendar of timestamps given as little-endian (low, high) 32-bit word pairs, as
 * columns.timestampWords reads them: one pass over the words, no column of milliseconds between.
 */
export function lineCalendar(words: Int32Array): LineCalendar {
  const n = words.length >> 1;
  const dayHour = new Float64Array(n);
  let firstDay = n ? dayNumber(msOfWords(words, 0)) : 0;
  let lastDay = firstDay;
  let low = 0;
  let high = 0;
  let dh = 0;
  for (let i = 0; i < n; i++) {
    // The lines of an invoice share its timestamp: compare the words before any arithmetic.
    if (i === 0 || words[2 * i] !== low || words[2 * i + 1] !== high) {
      low = words[2 * i]!;
      high = words[2 * i + 1]!;
      const ms = msOfWords(words, i);
      const d = dayNumber(ms);
      dh = d * 24 + Math.floor((ms - d * MS_PER_DAY) / MS_PER_HOUR); // hour 0–23 of the recorded time
      if (d < firstDay) firstDay = d;
      if (d > lastDay) lastDay = d;
    }
    dayHour[i] = dh;
  }
  const { weekday, month } = dateFields(firstDay, n ? lastDay - firstDay + 1 : 0);
  return { dayHour, firstDay, lastDay, weekday, month, monthSpan: n ? month[lastDay - firstDay] + 1 : 0 };
}

/** Timestamp i of word pairs: high word × 2³² + low word (unsigned). */
const msOfWords = (words: Int32Array, i: number) => words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);

function dateFields(firstDay: number, days: number): { weekday: Uint8Array; month: Int32Array } {
  const firstMonth = monthNumber(firstDay);
  const weekday = new Uint8Array(days);
  const month = new Int32Array(days);
  for (let d = 0; d < days; d++) {
    weekday[d] = dayOfWeek(firstDay + d);
    month[d] = monthNumber(firstDay + d) - firstMonth;
  }
  return { weekday, month };
}
