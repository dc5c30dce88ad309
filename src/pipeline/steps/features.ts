// Per-customer features from the cleaned transactions: one row per customer, sorted by CustomerID.
//
// One pass over each customer's rows (file order) gathers everything; `compat` then decides the
// three places where the original pipeline's semantics differ from the corrected ones:
//   Average_Days_Between_Purchases  seed: (last line's day - first line's day) / (lines - 1) over line
//                                   items in file order, and customers with one line are dropped;
//                                   none: mean gap between distinct purchase dates, and for a single
//                                   purchase date the days from it to the last date in the data.
//   Cancellation_Rate               seed: Cancellation_Frequency / Total_Transactions of the customer
//                                   at the same position in the list of ALL customers (a misaligned
//                                   division); none: over the customer's own Total_Transactions.
//   Monthly_Spending_*, Trend       seed: over the months that have lines, trend against their
//                                   positions; none: every calendar month from first to last, empty
//                                   months as 0, so the trend is per calendar month.
// Both modes sum with Kahan compensation and take the monthly std by Welford's update (ddof 1), as
// pandas' groupby does, in file order within a customer; ties (weekday, hour, country) go to the
// smallest value.
import { Field, Float64, Int32, makeData, RecordBatch, Schema, Struct, Table } from "apache-arrow";
import type { Data } from "apache-arrow";
import { drain, type Steps } from "../../engine/steps.js";
import { UserError } from "../../errors.js";
import type { Compat } from "../options.js";
import { type DateRange, dateRange, dayNumber, hourOfDay, msOfWords } from "./calendar.js";
import { boolBits, dictCodes, dictSize, dictValues, float64Column, int32Column, timestampWords } from "./columns.js";
import { groupRowsByCustomer } from "./customer-rows.js";
import { kahanSum, slopeOverIndex, welfordStd } from "./features-stats.js";
import { ROWS_PER_STEP } from "./rows-per-step.js";

export const FEATURE_NAMES = [
  "Days_Since_Last_Purchase",
  "Total_Transactions",
  "Total_Products_Purchased",
  "Total_Spend",
  "Average_Transaction_Value",
  "Unique_Products_Purchased",
  "Average_Days_Between_Purchases",
  "Day_Of_Week",
  "Hour",
  "Is_UK",
  "Cancellation_Frequency",
  "Cancellation_Rate",
  "Monthly_Spending_Mean",
  "Monthly_Spending_Std",
  "Spending_Trend",
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export { COMPAT_MODES, type Compat } from "../options.js";

export interface FeatureOptions {
  /** "seed" reproduces the original pipeline's numbers, quirks included; default "none". */
  compat?: Compat;
  /**
   * Day number (days since 1970-01-01) recency counts from; default the last purchase day in the
   * data. Scoring passes the day a batch is scored as of; no purchase may be later.
   */
  asOf?: number;
}

const HOME_COUNTRY = "United Kingdom";

/** `cleaned` is cleanTransactions' table (transactions columns plus Cancelled, no null CustomerID). */
export function customerFeatures(cleaned: Table, options: FeatureOptions = {}): Table {
  return drain(customerFeaturesSteps(cleaned, options));
}

/** customerFeatures as steps (see engine/steps.ts): it yields about every ROWS_PER_STEP lines. */
export function* customerFeaturesSteps(cleaned: Table, options: FeatureOptions = {}): Steps<Table> {
  const seed = options.compat === "seed";
  if (cleaned.getChild("CustomerID")?.nullCount) throw new Error("customerFeatures needs cleaned transactions: CustomerID has nulls");
  const { ids, start, rows } = groupRowsByCustomer(int32Column(cleaned, "CustomerID"));
  yield;
  const scan = new CustomerScan(cleaned, ids.length, seed, options.asOf);
  yield;
  let sinceYield = 0;
  for (let c = 0; c < ids.length; c++) {
    scan.customer(c, rows, start[c], start[c + 1]);
    sinceYield += start[c + 1] - start[c];
    if (sinceYield >= ROWS_PER_STEP) {
      sinceYield = 0;
      yield;
    }
  }
  for (let c = 0; c < ids.length; c++) {
    if (Math.abs(scan.products[c]) > 2147483647) throw new UserError(`customer ${ids[c]}: total Quantity ${scan.products[c]} exceeds the Int32 range`);
  }

  const keep: number[] = [];
  for (let c = 0; c < ids.length; c++) if (!seed || scan.lines[c] > 1) keep.push(c);
  const cancellationRate = new Float64Array(ids.length);
  keep.forEach((c, position) => {
    cancellationRate[c] = scan.cancellations[c] / scan.transactions[seed ? position : c];
  });
  const columns: Record<FeatureName, Int32Array | Float64Array> = {
    Days_Since_Last_Purchase: scan.daysSince,
    Total_Transactions: scan.transactions,
    Total_Products_Purchased: Int32Array.from(scan.products),
    Total_Spend: scan.spend,
    Average_Transaction_Value: scan.spend.map((s, c) => s / scan.transactions[c]),
    Unique_Products_Purchased: scan.uniqueProducts,
    Average_Days_Between_Purchases: scan.avgDays,
    Day_Of_Week: scan.favDay,
    Hour: scan.favHour,
    Is_UK: scan.isUK,
    Cancellation_Frequency: scan.cancellations,
    Cancellation_Rate: cancellationRate,
    Monthly_Spending_Mean: scan.monthlyMean,
    Monthly_Spending_Std: scan.monthlyStd,
    Spending_Trend: scan.trend,
  };
  return featureTable(ids, columns, Int32Array.from(keep));
}

/**
 * Per-customer reductions, one `customer` call per customer over its rows in file order. A method
 * per customer rather than one long loop in customerFeatures: V8 optimises a small hot function
 * early, where one big function would be recompiled (on-stack) loop by loop.
 */
class CustomerScan {
  // Lines.
  private readonly invoice: Int32Array;
  private readonly stock: Int32Array;
  private readonly country: Int32Array;
  private readonly countries: string[];
  private readonly countryOrder: Int32Array;
  private readonly quantity: Int32Array;
  private readonly price: Float64Array;
  /** Cancelled, packed (see columns.boolBits): read once per invoice, not unpacked per line. */
  private readonly cancelledBits: Uint8Array;
  private readonly cancelledOffset: number;
  /** InvoiceDate as (low, high) word pairs: a line's day and hour are computed where it is read. */
  private readonly timeWords: Int32Array;
  private readonly dates: DateRange;
  /** The day recency counts from. */
  private readonly asOf: number;
  // Scratch, stamped with the customer index instead of cleared per customer.
  private readonly invoiceSeen: Int32Array;
  private readonly stockSeen: Int32Array;
  private readonly daySeen: Int32Array;
  private readonly monthSeen: Int32Array;
  private readonly monthSum: Float64Array;
  private readonly monthComp: Float64Array;
  private readonly series: Float64Array;
  private readonly dayCounts = new Int32Array(7);
  private readonly hourCounts = new Int32Array(24);
  private readonly countryCounts: Int32Array;
  // Per customer.
  readonly lines: Int32Array;
  readonly daysSince: Int32Array;
  readonly transactions: Int32Array;
  readonly products: Float64Array;
  readonly spend: Float64Array;
  readonly uniqueProducts: Int32Array;
  readonly avgDays: Float64Array;
  readonly favDay: Int32Array;
  readonly favHour: Int32Array;
  readonly isUK: Int32Array;
  readonly cancellations: Int32Array;
  readonly monthlyMean: Float64Array;
  readonly monthlyStd: Float64Array;
  readonly trend: Float64Array;

  constructor(
    cleaned: Table,
    customers: number,
    private readonly seed: boolean,
    asOf?: number,
  ) {
    this.invoice = dictCodes(cleaned, "InvoiceNo");
    this.stock = dictCodes(cleaned, "StockCode");
    this.country = dictCodes(cleaned, "Country");
    this.countries = dictValues(cleaned, "Country");
    this.countryOrder = rankStrings(this.countries);
    this.quantity = int32Column(cleaned, "Quantity");
    this.price = float64Column(cleaned, "UnitPrice");
    ({ bits: this.cancelledBits, offset: this.cancelledOffset } = boolBits(cleaned, "Cancelled"));
    this.timeWords = timestampWords(cleaned, "InvoiceDate");
    this.dates = dateRange(this.timeWords);
    const { firstDay, lastDay, monthSpan } = this.dates;
    this.asOf = asOf ?? lastDay;
    this.invoiceSeen = new Int32Array(dictSize(cleaned, "InvoiceNo")).fill(-1);
    this.stockSeen = new Int32Array(dictSize(cleaned, "StockCode")).fill(-1);
    this.daySeen = new Int32Array(Math.max(0, lastDay - firstDay + 1)).fill(-1);
    this.monthSeen = new Int32Array(monthSpan).fill(-1);
    this.monthSum = new Float64Array(monthSpan);
    this.monthComp = new Float64Array(monthSpan);
    this.series = new Float64Array(monthSpan);
    this.countryCounts = new Int32Array(this.countries.length);
    this.lines = new Int32Array(customers);
    this.daysSince = new Int32Array(customers);
    this.transactions = new Int32Array(customers);
    this.products = new Float64Array(customers);
    this.spend = new Float64Array(customers);
    this.uniqueProducts = new Int32Array(customers);
    this.avgDays = new Float64Array(customers);
    this.favDay = new Int32Array(customers);
    this.favHour = new Int32Array(customers);
    this.isUK = new Int32Array(customers);
    this.cancellations = new Int32Array(customers);
    this.monthlyMean = new Float64Array(customers);
    this.monthlyStd = new Float64Array(customers);
    this.trend = new Float64Array(customers);
  }

  /**
   * Customer c owns rows[from] .. rows[to - 1]. Consecutive lines mostly share an invoice and a
   * timestamp (the lines of one invoice), so a line's day and hour are computed, and each scratch
   * table consulted, only when the value changes; the month's compensated sum runs in locals
   * meanwhile: the same operations on the same values in the same order as updating the table
   * line by line. The day and hour come from the timestamp's words where the line is read, not
   * from a column made beforehand: one read of the line's timestamp either way, one pass fewer.
   */
  customer(c: number, rows: Int32Array, from: number, to: number): void {
    const { invoice, stock, country, quantity, price, cancelledBits, cancelledOffset, invoiceSeen, stockSeen, daySeen } = this;
    const { monthSeen, monthSum, monthComp, dayCounts, hourCounts, countryCounts } = this;
    const { timeWords } = this;
    const { firstDay, lastDay, weekday, month } = this.dates;
    dayCounts.fill(0);
    hourCounts.fill(0);
    countryCounts.fill(0);
    let qty = 0;
    let sum = 0;
    let comp = 0;
    let nInvoices = 0;
    let nCancelled = 0;
    let nStock = 0;
    let nDays = 0;
    let minDay = lastDay;
    let maxDay = firstDay;
    let minMonth = monthSeen.length;
    let maxMonth = -1;
    let lastInvoice = -1;
    // The previous line's timestamp words (none yet: a low word unlike the first line's).
    let lastLow = ~timeWords[2 * rows[from]!]!;
    let lastHigh = 0;
    let lastDate = Number.NaN;
    let dd = -1;
    let h = 0;
    let mo = -1;
    let moSum = 0;
    let moComp = 0;
    for (let k = from; k < to; k++) {
      const r = rows[k]!;
      const q = quantity[r]!;
      const amount = price[r]! * q;
      qty += q;
      const y = amount - comp;
      const t = sum + y;
      comp = t - sum - y;
      sum = t;
      const inv = invoice[r]!;
      if (inv !== lastInvoice) {
        lastInvoice = inv;
        if (invoiceSeen[inv] !== c) {
          invoiceSeen[inv] = c;
          nInvoices++;
          const at = cancelledOffset + r;
          nCancelled += (cancelledBits[at >> 3]! >> (at & 7)) & 1;
        }
      }
      const s = stock[r]!;
      if (stockSeen[s] !== c) {
        stockSeen[s] = c;
        nStock++;
      }
      const low = timeWords[2 * r]!;
      const high = timeWords[2 * r + 1]!;
      if (low !== lastLow || high !== lastHigh) {
        lastLow = low;
        lastHigh = high;
        const ms = high * 4294967296 + (low >>> 0);
        const d = dayNumber(ms);
        h = hourOfDay(ms, d);
        if (d !== lastDate) {
          lastDate = d;
          // An int32 (a daySeen longer than 2³¹ could not be allocated).
          dd = (d - firstDay) | 0;
          if (daySeen[dd] !== c) {
            daySeen[dd] = c;
            nDays++;
            if (d < minDay) minDay = d;
            if (d > maxDay) maxDay = d;
          }
          const m = month[dd]!;
          if (m !== mo) {
            if (mo >= 0) {
              monthSum[mo] = moSum;
              monthComp[mo] = moComp;
            }
            mo = m;
            if (monthSeen[m] !== c) {
              monthSeen[m] = c;
              moSum = 0;
              moComp = 0;
              if (m < minMonth) minMonth = m;
              if (m > maxMonth) maxMonth = m;
            } else {
              moSum = monthSum[m]!;
              moComp = monthComp[m]!;
            }
          }
        }
      }
      dayCounts[weekday[dd]!]!++;
      hourCounts[h]!++;
      countryCounts[country[r]!]!++;
      const ym = amount - moComp;
      const tm = moSum + ym;
      moComp = tm - moSum - ym;
      moSum = tm;
    }
    if (mo >= 0) {
      monthSum[mo] = moSum;
      monthComp[mo] = moComp;
    }
    const nLines = to - from;
    this.lines[c] = nLines;
    this.daysSince[c] = this.asOf - maxDay;
    this.transactions[c] = nInvoices;
    this.products[c] = qty;
    this.spend[c] = sum;
    this.uniqueProducts[c] = nStock;
    this.cancellations[c] = nCancelled;
    if (this.seed) {
      // Telescoped sum of line-to-line gaps in file order; undefined (dropped later) for one line.
      this.avgDays[c] = (dayNumber(msOfWords(timeWords, rows[to - 1]!)) - dayNumber(msOfWords(timeWords, rows[from]!))) / (nLines - 1);
    } else {
      this.avgDays[c] = nDays > 1 ? (maxDay - minDay) / (nDays - 1) : this.asOf - maxDay;
    }
    this.favDay[c] = argMax(dayCounts);
    this.favHour[c] = argMax(hourCounts);
    this.isUK[c] = this.countries[mainCountry(countryCounts, this.countryOrder)] === HOME_COUNTRY ? 1 : 0;
    const series = this.series;
    let len = 0;
    for (let mo = minMonth; mo <= maxMonth; mo++) {
      if (monthSeen[mo] === c) series[len++] = monthSum[mo];
      else if (!this.seed) series[len++] = 0;
    }
    this.monthlyMean[c] = kahanSum(series, len) / len;
    this.monthlyStd[c] = welfordStd(series, len);
    this.trend[c] = slopeOverIndex(series, len);
  }
}

/** Index of the largest count; the first (smallest value) among ties. */
function argMax(counts: Int32Array): number {
  let best = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] > counts[best]) best = i;
  return best;
}

/** The country with most lines; among ties the alphabetically first. */
function mainCountry(counts: Int32Array, order: Int32Array): number {
  let best = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    if (best < 0 || counts[i] > counts[best] || (counts[i] === counts[best] && order[i] < order[best])) best = i;
  }
  return best;
}

/** Rank of each string in code-unit order. */
function rankStrings(values: string[]): Int32Array {
  const rank = new Int32Array(values.length);
  values
    .map((v, i) => [v, i] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .forEach(([, i], r) => {
      rank[i] = r;
    });
  return rank;
}

function featureTable(ids: Int32Array, columns: Record<FeatureName, Int32Array | Float64Array>, keep: Int32Array): Table {
  const n = keep.length;
  const pick = <A extends Int32Array | Float64Array>(values: A): A => {
    const out = new (values.constructor as new (n: number) => A)(n);
    for (let i = 0; i < n; i++) out[i] = values[keep[i]];
    return out;
  };
  const fields: Field[] = [new Field("CustomerID", new Int32(), false)];
  const children: Data[] = [makeData({ type: new Int32(), length: n, nullCount: 0, data: pick(ids) })];
  for (const name of FEATURE_NAMES) {
    // Counts, days and codes are Int32 arrays above; amounts and ratios Float64.
    const values = columns[name];
    if (values instanceof Int32Array) {
      fields.push(new Field(name, new Int32(), false));
      children.push(makeData({ type: new Int32(), length: n, nullCount: 0, data: pick(values) }));
    } else {
      fields.push(new Field(name, new Float64(), false));
      children.push(makeData({ type: new Float64(), length: n, nullCount: 0, data: pick(values) }));
    }
  }
  const schema = new Schema(fields);
  return new Table([new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }))]);
}
