import type { Table } from "apache-arrow";
import { csvField } from "../../io/write.js";
import { type DictColumn, dictColumn, float64Column, int32Column, validity } from "./columns.js";
import { drain, type Steps } from "../../engine/steps.js";
import { ROWS_PER_STEP } from "./rows-per-step.js";

/**
 * Cluster recommendations: each cluster's best sellers by net quantity, and for each customer the
 * first few of those the customer has never bought. Works on dictionary indices and typed arrays;
 * strings are looked at only to break ties and to write the output.
 */
export interface RecommendOptions {
  /**
   * "seed" groups products by (StockCode, Description) as the original pipeline did, so a code
   * listed under two descriptions is two products; "none" (default) groups by StockCode and shows
   * the description most lines of that code carry (ties → the smallest string).
   */
  compat?: "seed" | "none";
  /** Best sellers kept per cluster. Default 10. */
  topN?: number;
  /** Recommendations per customer. Default 3. */
  perCustomer?: number;
  /**
   * Customers outside `clusters` (the outliers) whose best sellers are ranked as one more group, in
   * the same passes over the lines, into `extraTop` (cluster −1); they get no recommendations.
   */
  extraGroup?: Iterable<number>;
}

export interface TopProduct {
  cluster: number;
  /** 1-based rank within the cluster. */
  rank: number;
  stockCode: string;
  description: string;
  /** Net quantity sold to the cluster: returns count negative. */
  quantity: number;
  /** Net revenue (Σ Quantity × UnitPrice) from the cluster: returns count negative. */
  revenue: number;
}

export interface RecommendedItem {
  stockCode: string;
  description: string;
}

export interface CustomerRecommendations {
  customerId: number;
  cluster: number;
  /** Up to `perCustomer` items, in cluster rank order; fewer when the customer bought the rest. */
  items: RecommendedItem[];
}

export interface Recommendations {
  /** Clusters ascending, then rank. */
  top: TopProduct[];
  /** Clusters ascending, then CustomerID ascending (the original's row order). */
  customers: CustomerRecommendations[];
  perCustomer: number;
}

/** Recommendations, and the extra group's best sellers when one was asked for. */
export interface RecommendationsWithExtra extends Recommendations {
  extraTop?: TopProduct[];
}

/**
 * Recommendations from cleaned transactions (the transactions schema) and the cluster of each kept
 * customer. Lines of customers absent from `clusters` and the extra group (outliers, null
 * CustomerID) are ignored.
 * A product is "bought" by a customer with any line of its StockCode, returns included.
 * Ranking: net quantity descending, ties by StockCode ascending (string order), then Description:
 * a strict order, so a group's list does not depend on which other groups' lines were counted.
 * Dictionary values are distinct (the transactions schema's contract), so indices identify strings.
 * Every customer in `clusters` gets a row, even one without lines (then the cluster's first items).
 */
export function recommend(
  transactions: Table,
  clusters: ReadonlyMap<number, number>,
  options: RecommendOptions = {},
): RecommendationsWithExtra {
  return drain(recommendSteps(transactions, clusters, options));
}

/** recommend as steps (see engine/steps.ts): it yields between its passes over the lines and every ROWS_PER_STEP lines. */
export function* recommendSteps(
  transactions: Table,
  clusters: ReadonlyMap<number, number>,
  options: RecommendOptions = {},
): Steps<RecommendationsWithExtra> {
  const { compat = "none", topN = 10, perCustomer = 3 } = options;
  if (!(Number.isInteger(topN) && topN >= 1 && topN <= 31)) throw new RangeError(`topN must be an integer in 1..31, got ${topN}`);
  if (!(Number.isInteger(perCustomer) && perCustomer >= 1)) throw new RangeError(`perCustomer must be a positive integer, got ${perCustomer}`);

  const stock = dictColumn(transactions, "StockCode");
  const desc = dictColumn(transactions, "Description");
  const hasDesc = validity(transactions, "Description");
  const quantity = int32Column(transactions, "Quantity");
  const price = float64Column(transactions, "UnitPrice");
  const customer = int32Column(transactions, "CustomerID");
  const hasCustomer = validity(transactions, "CustomerID");
  const n = transactions.numRows;
  const nCodes = stock.values.length;

  // Clusters are renumbered densely (sorted) so that per-cluster sums live in flat arrays.
  const clusterIds = [...new Set(clusters.values())].sort((a, b) => a - b);
  const nClusters = clusterIds.length;
  const clusterSlot = new Map(clusterIds.map((c, i) => [c, i]));
  // The extra group, if any, takes the slot after the clusters.
  const extra = options.extraGroup ? [...new Set(options.extraGroup)].filter((id) => !clusters.has(id)) : undefined;
  const nGroups = nClusters + (extra ? 1 : 0);
  const customerIds = Int32Array.from([...clusters.keys(), ...(extra ?? [])]).sort();
  const lookup = customerLookup(customerIds);

  // Per line: the dense customer index (−1 = dropped); products are codes, or (code, description) pairs.
  const lineCustomer = new Int32Array(n);
  for (let from = 0; from < n; from += ROWS_PER_STEP) {
    customersOfLines(lineCustomer, hasCustomer, customer, lookup, from, Math.min(n, from + ROWS_PER_STEP));
    yield;
  }
  const customerCluster = new Int32Array(customerIds.length);
  customerIds.forEach((id, c) => {
    const cluster = clusters.get(id);
    customerCluster[c] = cluster === undefined ? nClusters : clusterSlot.get(cluster)!;
  });

  const products = compat === "seed" ? describedPairs(stock, desc, hasDesc, lineCustomer) : codeProducts(stock, desc, hasDesc);
  yield;
  const nProducts = products.code.length;
  const sums = new Float64Array(nGroups * nProducts);
  const revenue = new Float64Array(nGroups * nProducts);
  const present = new Uint8Array(nGroups * nProducts);
  const groupSums: GroupSums = { lineCustomer, customerCluster, ofLine: products.ofLine, quantity, price, nProducts, sums, revenue, present };
  for (let from = 0; from < n; from += ROWS_PER_STEP) {
    addGroupSums(groupSums, from, Math.min(n, from + ROWS_PER_STEP));
    yield;
  }

  const codeName = stock.values;
  const descName = (p: number) => (products.desc[p] >= 0 ? desc.values[products.desc[p]] : "");
  const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const top: TopProduct[] = [];
  const extraTop: TopProduct[] = [];
  const topProducts: number[][] = [];
  for (let k = 0; k < nGroups; k++) {
    const base = k * nProducts;
    const candidates = presentProducts(present, base, nProducts);
    candidates.sort(
      (a, b) =>
        sums[base + b] - sums[base + a] ||
        compareStrings(codeName[products.code[a]], codeName[products.code[b]]) ||
        compareStrings(descName(a), descName(b)),
    );
    const best = candidates.slice(0, topN);
    topProducts.push(best);
    best.forEach((p, r) => {
      (k < nClusters ? top : extraTop).push({
        cluster: k < nClusters ? clusterIds[k] : -1,
        rank: r + 1,
        stockCode: codeName[products.code[p]],
        description: descName(p),
        quantity: sums[base + p],
        revenue: revenue[base + p],
      });
    });
  }

  // rankMask[k * nCodes + s]: the ranks (bits) of cluster k's top list that carry StockCode s.
  const rankMask = new Int32Array(nGroups * nCodes);
  topProducts.forEach((best, k) => {
    best.forEach((p, r) => {
      rankMask[k * nCodes + products.code[p]] |= 1 << r;
    });
  });
  const bought = new Int32Array(customerIds.length);
  for (let from = 0; from < n; from += ROWS_PER_STEP) {
    markBought(bought, lineCustomer, customerCluster, stock.codes, rankMask, nCodes, from, Math.min(n, from + ROWS_PER_STEP));
    yield;
  }

  // Each cluster's list as items once: a customer's items are those of it not bought, in rank order.
  const listed = topProducts.slice(0, nClusters).map((best) => best.map((p) => ({ stockCode: codeName[products.code[p]], description: descName(p) })));
  const customers = customerRows(customerIds, customerCluster, clusterIds, bought, listed, perCustomer);
  return { top, customers, perCustomer, ...(extra ? { extraTop } : {}) };
}

// Loops over every product or customer, in plain functions for the same reason as the passes below.

/** The products present in the group whose sums start at `base`, ascending. */
function presentProducts(present: Uint8Array, base: number, nProducts: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < nProducts; p++) if (present[base + p]) out.push(p);
  return out;
}

/** One row per clustered customer, clusters ascending, then CustomerID ascending. */
function customerRows(
  customerIds: Int32Array,
  customerCluster: Int32Array,
  clusterIds: readonly number[],
  bought: Int32Array,
  listed: readonly RecommendedItem[][],
  perCustomer: number,
): CustomerRecommendations[] {
  const customers: CustomerRecommendations[] = [];
  for (let k = 0; k < listed.length; k++) {
    const best = listed[k]!;
    for (let c = 0; c < customerIds.length; c++) {
      if (customerCluster[c] !== k) continue;
      const items: RecommendedItem[] = [];
      for (let r = 0; r < best.length && items.length < perCustomer; r++) {
        if (bought[c]! & (1 << r)) continue;
        items.push(best[r]!);
      }
      customers.push({ customerId: customerIds[c]!, cluster: clusterIds[k]!, items });
    }
  }
  return customers;
}

// The passes over the lines, each over rows [from, to): plain functions, called between the
// generator's yields, because V8 optimises a loop in a plain function early but leaves one in a
// generator's body unoptimised — several times slower over hundreds of thousands of lines.

function customersOfLines(out: Int32Array, hasCustomer: Uint8Array, customer: Int32Array, lookup: (id: number) => number, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = hasCustomer[i] ? lookup(customer[i]) : -1;
}

/** Per line its customer's index (−1: dropped) and product (−1: none); per (group, product) the sums. */
interface GroupSums {
  lineCustomer: Int32Array;
  customerCluster: Int32Array;
  ofLine: Int32Array;
  quantity: Int32Array;
  price: Float64Array;
  nProducts: number;
  sums: Float64Array;
  revenue: Float64Array;
  present: Uint8Array;
}

function addGroupSums(g: GroupSums, from: number, to: number): void {
  const { lineCustomer, customerCluster, ofLine, quantity, price, nProducts, sums, revenue, present } = g;
  for (let i = from; i < to; i++) {
    const c = lineCustomer[i];
    const p = ofLine[i];
    if (c < 0 || p < 0) continue;
    const slot = customerCluster[c] * nProducts + p;
    sums[slot] += quantity[i];
    revenue[slot] += quantity[i] * price[i];
    present[slot] = 1;
  }
}

function markBought(bought: Int32Array, lineCustomer: Int32Array, customerCluster: Int32Array, codes: Int32Array, rankMask: Int32Array, nCodes: number, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const c = lineCustomer[i];
    if (c >= 0) bought[c] |= rankMask[customerCluster[c] * nCodes + codes[i]];
  }
}

/** Products and the product of each line (−1: not counted). */
interface Products {
  /** StockCode dictionary index of each product. */
  code: Int32Array;
  /** Description dictionary index of each product (−1: none). */
  desc: Int32Array;
  ofLine: Int32Array;
}

/** One product per StockCode, named by its most frequent description (ties → the smallest string). */
function codeProducts(stock: DictColumn, desc: DictColumn, hasDesc: Uint8Array): Products {
  const nCodes = stock.values.length;
  const pairs = pairsOf(stock, desc, hasDesc, null, null);
  const bestDesc = new Int32Array(nCodes).fill(-1);
  const bestLines = new Int32Array(nCodes);
  for (let p = 0; p < pairs.code.length; p++) {
    const s = pairs.code[p];
    const d = pairs.desc[p];
    const current = bestDesc[s];
    if (pairs.lines[p] > bestLines[s] || (pairs.lines[p] === bestLines[s] && desc.values[d] < desc.values[current])) {
      bestDesc[s] = d;
      bestLines[s] = pairs.lines[p];
    }
  }
  const code = new Int32Array(nCodes);
  for (let s = 0; s < nCodes; s++) code[s] = s;
  return { code, desc: bestDesc, ofLine: stock.codes };
}

/**
 * The (StockCode, Description) pairs of the lines with a description — of the lines kept
 * (`lineCustomer` ≥ 0) when given — with each pair's number of lines, as pandas' groupby on both
 * columns; `ofLine`, when given, receives each line's pair (lines without one keep theirs).
 */
function pairsOf(
  stock: DictColumn,
  desc: DictColumn,
  hasDesc: Uint8Array,
  lineCustomer: Int32Array | null,
  ofLine: Int32Array | null,
): { code: Int32Array; desc: Int32Array; lines: Int32Array } {
  const n = stock.codes.length;
  const nDesc = desc.values.length;
  const ids = new Map<number, number>();
  const code: number[] = [];
  const descOf: number[] = [];
  const lines: number[] = [];
  // Most codes carry one description: remember the last pair seen per code and skip the Map then.
  const lastPair = new Int32Array(stock.values.length).fill(-1);
  for (let i = 0; i < n; i++) {
    if (!hasDesc[i] || (lineCustomer !== null && lineCustomer[i] < 0)) continue;
    const s = stock.codes[i];
    const d = desc.codes[i];
    let p = lastPair[s];
    if (p < 0 || descOf[p] !== d) {
      const key = s * nDesc + d;
      p = ids.get(key) ?? -1;
      if (p < 0) {
        p = code.length;
        ids.set(key, p);
        code.push(s);
        descOf.push(d);
        lines.push(0);
      }
      lastPair[s] = p;
    }
    lines[p]++;
    if (ofLine !== null) ofLine[i] = p;
  }
  return { code: Int32Array.from(code), desc: Int32Array.from(descOf), lines: Int32Array.from(lines) };
}

/** One product per (StockCode, Description) pair among the lines kept (`lineCustomer` ≥ 0): the seed mode's products. */
function describedPairs(stock: DictColumn, desc: DictColumn, hasDesc: Uint8Array, lineCustomer: Int32Array): Products {
  const ofLine = new Int32Array(stock.codes.length).fill(-1);
  const pairs = pairsOf(stock, desc, hasDesc, lineCustomer, ofLine);
  return { code: pairs.code, desc: pairs.desc, ofLine };
}

/** Dense index of a CustomerID among the sorted `ids`, or −1: a flat table over the ID range when it is compact. */
function customerLookup(ids: Int32Array): (id: number) => number {
  if (ids.length === 0) return () => -1;
  const lo = ids[0];
  const span = ids[ids.length - 1] - lo + 1;
  if (span <= Math.max(1 << 20, 8 * ids.length)) {
    const table = new Int32Array(span).fill(-1);
    ids.forEach((id, c) => {
      table[id - lo] = c;
    });
    return (id) => (id >= lo && id - lo < span ? table[id - lo] : -1);
  }
  const map = new Map<number, number>();
  ids.forEach((id, c) => {
    map.set(id, c);
  });
  return (id) => map.get(id) ?? -1;
}

/**
 * recommendations.csv in the original's layout: CustomerID, cluster, then RecN_StockCode,
 * RecN_Description (empty cells when fewer are left); "\n" line ends as the original wrote.
 */
export function recommendationsCsv(recs: Recommendations): string {
  const header = ["CustomerID", "cluster"];
  for (let r = 1; r <= recs.perCustomer; r++) header.push(`Rec${r}_StockCode`, `Rec${r}_Description`);
  // Every item is one of its cluster's few best sellers, the same object on every row that shows it:
  // its two cells are quoted and joined once. Rows are joined once at the end, not appended to a
  // growing string.
  const cells = new Map<RecommendedItem, string>();
  const cellsOf = (item: RecommendedItem) => {
    let out = cells.get(item);
    if (out === undefined) cells.set(item, (out = `,${csvField(item.stockCode)},${csvField(item.description)}`));
    return out;
  };
  // Both leading cells are integers: never quoted.
  const empty = ",,".repeat(recs.perCustomer);
  const lines = new Array<string>(recs.customers.length + 1);
  lines[0] = header.join(",");
  for (let i = 0; i < recs.customers.length; i++) {
    const row = recs.customers[i]!;
    let line = `${row.customerId},${row.cluster}`;
    const shown = Math.min(row.items.length, recs.perCustomer);
    for (let r = 0; r < shown; r++) line += cellsOf(row.items[r]!);
    if (shown < recs.perCustomer) line += empty.slice(0, 2 * (recs.perCustomer - shown));
    lines[i + 1] = line;
  }
  return `${lines.join("\n")}\n`;
}

/** top_products_per_cluster.csv: cluster, StockCode, Description, Quantity in rank order. */
export function topProductsCsv(recs: Recommendations): string {
  const lines = ["cluster,StockCode,Description,Quantity"];
  for (const t of recs.top) lines.push([t.cluster, t.stockCode, t.description, t.quantity].map((c) => csvField(String(c))).join(","));
  return lines.join("\n") + "\n";
}
