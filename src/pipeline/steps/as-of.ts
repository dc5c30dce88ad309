// The "as of" day of a feature table: recency (Days_Since_Last_Purchase) counts from it. By
// default it is the last purchase day in the transactions; a model records it as YYYY-MM-DD.
import type { Table } from "apache-arrow";
import { dayNumber, MS_PER_DAY } from "./calendar.js";
import { timestampWords } from "./columns.js";

/**
 * The day number (days since 1970-01-01) of the latest InvoiceDate, or undefined for no rows. One
 * pass over the timestamps' 32-bit words (as timestampMs reads them), without a copy of the column.
 */
export function lastPurchaseDay(transactions: Table): number | undefined {
  const words = timestampWords(transactions, "InvoiceDate");
  const n = words.length >> 1;
  if (n === 0) return undefined;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const ms = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
    if (ms > last) last = ms;
  }
  return dayNumber(last);
}

/** YYYY-MM-DD of a day number. */
export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The day number of a YYYY-MM-DD date, or undefined when the text is not a real calendar date. */
export function parseDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (formatDay(ms / MS_PER_DAY) !== text) return undefined;
  return ms / MS_PER_DAY;
}
