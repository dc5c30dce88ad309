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

/** The dates a set of timestamps spans; per date its weekday and month. */
export interface DateRange {
  firstDay: number;
  lastDay: number;
  /** Indexed by day - firstDay. */
  weekday: Uint8Array;
  /** Indexed by day - firstDay: months since the first day's month. */
  month: Int32Array;
  /** Months from the first day's month to the last's, inclusive; 0 for no timestamps. */
  monthSpan: number;
}

/**
 * The dates spanned by timestamps given as little-endian (low, high) 32-bit word pairs, as
 * columns.timestampWords reads them: one pass over the words, no column of milliseconds.
 */
export function dateRange(words: Int32Array): DateRange {
  const n = words.length >> 1;
  let min = n ? msOfWords(words, 0) : 0;
  let max = min;
  for (let i = 1; i < n; i++) {
    const ms = msOfWords(words, i);
    if (ms < min) min = ms;
    else if (ms > max) max = ms;
  }
  const firstDay = dayNumber(min);
  const lastDay = dayNumber(max);
  const { weekday, month } = dateFields(firstDay, n ? lastDay - firstDay + 1 : 0);
  return { firstDay, lastDay, weekday, month, monthSpan: n ? month[lastDay - firstDay]! + 1 : 0 };
}

/** Timestamp i of word pairs: high word × 2³² + low word (unsigned). */
export const msOfWords = (words: Int32Array, i: number) => words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);

/** The hour (0–23) of the recorded wall-clock time of `ms`, on its day `day` (dayNumber(ms)). */
export const hourOfDay = (ms: number, day: number) => Math.floor((ms - day * MS_PER_DAY) / MS_PER_HOUR);

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
