// The simulated customers: archetypes (loyal, regular, occasional, lapsed, wholesale) so that segments
// have something to find, each customer's country, first and last active day, and purchase rate.
import type { Rng } from "../../engine/rng.js";
import { ABROAD } from "./countries.js";
import { cumulative, normal, searchCdf } from "./sampling.js";

/**
 * Customer archetypes. Shares are of customers; invoice rates are relative and apply while a
 * customer is active, so absolute counts follow from --rows.
 */
export interface Archetype {
  name: string;
  share: number;
  /** Purchase frequency while active (relative invoices per selling day). */
  rate: number;
  /** Median lines per invoice. */
  basket: number;
  /** Multiplies pack quantities (wholesale buyers order cartons). */
  qtyScale: number;
  /** Share of this customer's invoices that cancel earlier lines. */
  cancelRate: number;
  /** Chance that a line re-orders something this customer bought recently. */
  repeatRate: number;
  /** Chance the customer is outside the UK. */
  abroad: number;
  /** Chance the customer already buys when the data starts (first invoice in the first weeks). */
  existing: number;
  /** Selling days a customer stays active after the first invoice; 0 = until the end. */
  lapseAfter: number;
}

export const ARCHETYPES: readonly Archetype[] = [
  { name: "loyal", share: 0.12, rate: 30, basket: 14, qtyScale: 1.5, cancelRate: 0.28, repeatRate: 0.5, abroad: 0.02, existing: 0.9, lapseAfter: 0 },
  { name: "regular", share: 0.33, rate: 8, basket: 11, qtyScale: 1, cancelRate: 0.2, repeatRate: 0.35, abroad: 0.02, existing: 0.5, lapseAfter: 0 },
  { name: "occasional", share: 0.33, rate: 2, basket: 7, qtyScale: 0.7, cancelRate: 0.06, repeatRate: 0.15, abroad: 0.02, existing: 0.1, lapseAfter: 0 },
  { name: "lapsed", share: 0.15, rate: 10, basket: 10, qtyScale: 1, cancelRate: 0.14, repeatRate: 0.3, abroad: 0.03, existing: 0.7, lapseAfter: 90 },
  { name: "wholesale", share: 0.07, rate: 10, basket: 20, qtyScale: 4, cancelRate: 0.22, repeatRate: 0.45, abroad: 0.65, existing: 0.6, lapseAfter: 0 },
];

const FIRST_CUSTOMER_ID = 12_346;

/** Customer c's fixed traits (CustomerID = id[c]); what changes during the simulation lives there. */
export interface Customers {
  id: Int32Array;
  kind: Uint8Array;
  /** Index into COUNTRIES (0 = the UK). */
  country: Uint8Array;
  firstDay: Int32Array;
  lastDay: Int32Array;
  /** Cumulative share of purchases, for picking a customer by purchase rate. */
  rateCdf: Float64Array;
  /** Customers in order of their first selling day. */
  byFirstDay: Int32Array;
}

/** `n` customers over `nDays` selling days, drawn from `rng`. */
export function buildCustomers(rng: Rng, n: number, nDays: number): Customers {
  const id = new Int32Array(n);
  const kind = new Uint8Array(n);
  const country = new Uint8Array(n);
  const firstDay = new Int32Array(n);
  const lastDay = new Int32Array(n);
  const rateCdf = new Float64Array(n);
  const kindCdf = cumulative(ARCHETYPES.map((a) => a.share));
  const abroadCdf = cumulative(ABROAD.map(([, w]) => w));
  let nextId = FIRST_CUSTOMER_ID;
  let rate = 0;
  for (let c = 0; c < n; c++) {
    // CustomerIDs are 5-digit and gappy, as in the data.
    id[c] = nextId;
    nextId += 1 + (rng.nextFloat() < 0.36 ? 1 : 0);
    const k = searchCdf(kindCdf, rng.nextFloat());
    const a = ARCHETYPES[k];
    kind[c] = k;
    country[c] = rng.nextFloat() < a.abroad ? 1 + searchCdf(abroadCdf, rng.nextFloat()) : 0;
    const first = rng.nextFloat() < a.existing ? rng.nextInt(Math.min(25, nDays)) : rng.nextInt(Math.max(1, nDays - 5));
    firstDay[c] = first;
    lastDay[c] = a.lapseAfter ? Math.min(nDays - 1, first + Math.round(a.lapseAfter * (0.5 + rng.nextFloat()))) : nDays - 1;
    rate += a.rate * Math.exp(0.6 * normal(rng));
    rateCdf[c] = rate;
  }
  for (let c = 0; c < n; c++) rateCdf[c] /= rate;
  // First invoices in order of their day (counting sort keeps the customer order within a day).
  const perDay = new Int32Array(nDays + 1);
  for (let c = 0; c < n; c++) perDay[firstDay[c] + 1]++;
  for (let d = 0; d < nDays; d++) perDay[d + 1] += perDay[d];
  const byFirstDay = new Int32Array(n);
  for (let c = 0; c < n; c++) byFirstDay[perDay[firstDay[c]]++] = c;
  return { id, kind, country, firstDay, lastDay, rateCdf, byFirstDay };
}
