// Order quantities: pack sizes, scaled per customer, with a heavy tail of bulk orders.
import type { Rng } from "../../engine/rng.js";
import { cumulative, searchCdf } from "./sampling.js";

/** Pack sizes bought by customers (weights): mostly 1–24, cartons now and then. */
const PACKS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 36, 48];
const PACK_CDF = cumulative([30, 14, 5, 8, 2, 10, 3, 6, 13, 1, 1, 5, 1, 1]);
const GUEST_PACKS = [1, 2, 3, 4, 5, 6, 10, 12];
const GUEST_PACK_CDF = cumulative([55, 20, 7, 5, 3, 4, 3, 3]);
const BULK_RATE = 0.006;

/** Heavy-tailed order quantity: a pack size, scaled, or now and then hundreds (Pareto tail). */
export function quantity(rng: Rng, guest: boolean, scale: number, price: number): number {
  if (rng.nextFloat() < BULK_RATE) return Math.min(12_000, Math.round(100 / (1 - rng.nextFloat()) ** 0.7));
  const q = guest ? GUEST_PACKS[searchCdf(GUEST_PACK_CDF, rng.nextFloat())] : PACKS[searchCdf(PACK_CDF, rng.nextFloat())];
  const scaled = Math.max(1, Math.round(q * scale));
  return price > 6 ? Math.max(1, Math.round(scaled * (6 / price))) : scaled;
}
