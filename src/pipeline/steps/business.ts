// Business figures per segment: what an analyst acts on (customers, revenue and its share, order
// value, frequency, recency, cancellations, best sellers), with the outliers as a segment of their
// own so that the revenue shares add up to 100% of the customers with features.
import { medianOf } from "./profiles.js";

/** A best seller of a segment: net quantity and net revenue (returns count negative). */
export interface SegmentProduct {
  readonly stockCode: string;
  readonly description: string;
  readonly quantity: number;
  readonly revenue: number;
}

export interface SegmentFigures {
  /** the cluster number; null for the outliers */
  readonly cluster: number | null;
  readonly name: string;
  readonly customers: number;
  /** customers / every customer with features (outliers included) */
  readonly share: number;
  /** Σ Quantity × UnitPrice over the cleaned lines of the segment's customers */
  readonly revenue: number;
  /** revenue / the revenue of every customer with features (outliers included) */
  readonly revenueShare: number;
  /** revenue / invoices */
  readonly averageOrderValue: number;
  /** invoices per customer (mean) */
  readonly purchaseFrequency: number;
  /** days since the last purchase, median customer */
  readonly recencyDays: number;
  /** cancelled invoices / invoices */
  readonly cancellationRate: number;
  readonly topProducts: readonly SegmentProduct[];
}

/** The per-customer columns the figures are made of, one entry per customer with features. */
export interface CustomerFigures {
  readonly revenue: ArrayLike<number>;
  readonly invoices: ArrayLike<number>;
  readonly cancelledInvoices: ArrayLike<number>;
  readonly recencyDays: ArrayLike<number>;
  /** the customer's cluster, or −1 for an outlier */
  readonly segment: Int32Array;
}

/** The outliers' row name. */
export const OUTLIER_SEGMENT = "Outliers";

/**
 * One row per cluster (0..k−1, in order), then one for the outliers where there are any.
 * `topProducts(cluster)` gives a segment's best sellers (cluster −1: the outliers).
 */
export function segmentFigures(
  customers: CustomerFigures,
  names: readonly string[],
  topProducts: (cluster: number) => readonly SegmentProduct[],
): SegmentFigures[] {
  const n = customers.segment.length;
  let totalRevenue = 0;
  for (let i = 0; i < n; i++) totalRevenue += customers.revenue[i]!;
  const row = (cluster: number, name: string): SegmentFigures => {
    let count = 0;
    let revenue = 0;
    let invoices = 0;
    let cancelled = 0;
    const recency: number[] = [];
    for (let i = 0; i < n; i++) {
      if (customers.segment[i] !== cluster) continue;
      count++;
      revenue += customers.revenue[i]!;
      invoices += customers.invoices[i]!;
      cancelled += customers.cancelledInvoices[i]!;
      recency.push(customers.recencyDays[i]!);
    }
    return {
      cluster: cluster < 0 ? null : cluster,
      name,
      customers: count,
      share: n > 0 ? count / n : 0,
      revenue,
      revenueShare: totalRevenue !== 0 ? revenue / totalRevenue : 0,
      averageOrderValue: invoices > 0 ? revenue / invoices : 0,
      purchaseFrequency: count > 0 ? invoices / count : 0,
      recencyDays: medianOf(Float64Array.from(recency)),
      cancellationRate: invoices > 0 ? cancelled / invoices : 0,
      topProducts: topProducts(cluster),
    };
  };
  const rows = names.map((name, c) => row(c, name));
  if (customers.segment.some((s) => s < 0)) rows.push(row(-1, OUTLIER_SEGMENT));
  return rows;
}

/** A validated ISO 4217 code and its symbol as people read it ("GBP" → "£"). */
export interface Currency {
  readonly code: string;
  readonly symbol: string;
}

/**
 * The currency of `code` (ISO 4217, any case), or undefined when the code is not one; the symbol is
 * the one English-language formatting uses ("£", "€", "US$" reads as "$").
 */
export function currencyOf(code: string): Currency | undefined {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper) || !Intl.supportedValuesOf("currency").includes(upper)) return undefined;
  const parts = new Intl.NumberFormat("en-GB", { style: "currency", currency: upper, currencyDisplay: "narrowSymbol" }).formatToParts(1);
  return { code: upper, symbol: parts.find((p) => p.type === "currency")?.value ?? upper };
}
