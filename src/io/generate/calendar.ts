// The UCI data's calendar: selling days from December 2010 to 9 December 2011 weighted by month and
// weekday, and the hours of a trading day, so that dates and times have the real data's texture.

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2010, 11, 1);
const LAST_DAY = Date.UTC(2011, 11, 9);
/** The shop closes over Christmas and New Year. */
const CLOSED = [Date.UTC(2010, 11, 24), Date.UTC(2011, 0, 3)];
/** The last day's trading stops at lunchtime (the data was extracted then). */
export const LAST_DAY_CLOSE_HOUR = 12.85;
/** Relative lines per selling day, by month from December 2010: a slow spring, an autumn climb, a November peak. */
const MONTH_WEIGHT = [1.45, 1.0, 0.8, 0.95, 0.95, 1.0, 1.0, 1.05, 0.95, 1.35, 1.6, 2.3, 2.45];
/** Relative lines by weekday, Sunday first; no Saturdays. */
const WEEKDAY_WEIGHT = [0.7, 1.0, 1.05, 1.0, 1.1, 0.9, 0];
/** Relative lines by hour of day, 6:00 to 20:59. */
const HOUR_WEIGHT = [0.001, 0.01, 0.2, 0.7, 0.95, 1.1, 1.5, 1.4, 1.3, 1.5, 1.05, 0.55, 0.15, 0.07, 0.02];
const FIRST_HOUR = 6;

export interface Calendar {
  dayStart: Float64Array;
  /** Cumulative share of lines at the end of each day; the last is 1. */
  cumShare: Float64Array;
}

export function sellingDays(): Calendar {
  const starts: number[] = [];
  const weights: number[] = [];
  for (let t = FIRST_DAY; t <= LAST_DAY; t += DAY_MS) {
    const d = new Date(t);
    if (t >= CLOSED[0] && t <= CLOSED[1]) continue;
    const w = WEEKDAY_WEIGHT[d.getUTCDay()];
    if (w === 0) continue;
    const month = (d.getUTCFullYear() - 2010) * 12 + d.getUTCMonth() - 11;
    starts.push(t);
    weights.push(w * MONTH_WEIGHT[month] * (t === LAST_DAY ? hourShare(LAST_DAY_CLOSE_HOUR) : 1));
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const cumShare = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w;
    cumShare[i] = acc / total;
  });
  cumShare[cumShare.length - 1] = 1;
  return { dayStart: Float64Array.from(starts), cumShare };
}

const HOUR_TOTAL = HOUR_WEIGHT.reduce((a, b) => a + b, 0);

/** Share of a day's lines before `hour` (fractional). */
export function hourShare(hour: number): number {
  let acc = 0;
  for (let h = 0; h < HOUR_WEIGHT.length; h++) {
    const span = Math.min(1, Math.max(0, hour - FIRST_HOUR - h));
    acc += HOUR_WEIGHT[h] * span;
  }
  return acc / HOUR_TOTAL;
}

/** Time of day (ms, whole minutes) at which a share `f` of the day's lines has been sold. */
export function timeOfDay(f: number): number {
  let target = f * HOUR_TOTAL;
  let h = 0;
  while (h < HOUR_WEIGHT.length - 1 && target >= HOUR_WEIGHT[h]) target -= HOUR_WEIGHT[h++];
  const minute = Math.min(59, Math.floor((target / HOUR_WEIGHT[h]) * 60));
  return ((FIRST_HOUR + h) * 60 + minute) * 60_000;
}
