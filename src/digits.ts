// Whole numbers with en-US digit grouping ("541,909"), as toLocaleString("en-US") writes them. The
// first toLocaleString of a process loads ICU's number formatting, some tens of milliseconds of a
// command that otherwise takes a few hundred; whole numbers need none of it.

/** `n.toLocaleString("en-US")`, without ICU for safe integers (anything else is handed to it). */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ",");
  return n < 0 ? `-${digits}` : digits;
}
