// Synthetic transactions with the texture of the UCI Online Retail data: the same schema, the same
// kinds of lines (guest orders without CustomerID, cancellations, duplicates, service codes, null
// descriptions), the same calendar, and a few customer archetypes so segments have something to find.
// Everything is drawn from seeded Rng streams, so a seed fixes every byte of the output.
//
// Rows are produced batch by batch from a day-by-day simulation that never holds more than one
// invoice beyond the current batch, so 50 M lines stream to disk in bounded memory.
import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { RecordBatchStreamWriter, type Table, tableToIPC } from "apache-arrow";
import { Compression, transformParquetStream, Table as WasmTable, WriterPropertiesBuilder } from "parquet-wasm";
import { Rng } from "../../engine/rng.js";
import { OptionError, UserError } from "../../errors.js";
import { writeStreamAtomic } from "../atomic.js";
import { csvMarkLine, type GeneratedMark, generatedMark, markMetadata } from "../generated-mark.js";
import { Interner, type TransactionColumns, transactionsTable, withSchemaMetadata } from "../schema.js";
import { tableToCsv } from "../write.js";

import type { GenerateOptions } from "./options.js";

export { GENERATE_DEFAULTS, type GenerateOptions } from "./options.js";

/**
 * Customer archetypes. Shares are of customers; invoice rates are relative and apply while a
 * customer is active, so absolute counts follow from --rows.
 */
interface Archetype {
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

const ARCHETYPES: readonly Archetype[] = [
  { name: "loyal", share: 0.12, rate: 30, basket: 14, qtyScale: 1.5, cancelRate: 0.28, repeatRate: 0.5, abroad: 0.02, existing: 0.9, lapseAfter: 0 },
  { name: "regular", share: 0.33, rate: 8, basket: 11, qtyScale: 1, cancelRate: 0.2, repeatRate: 0.35, abroad: 0.02, existing: 0.5, lapseAfter: 0 },
  { name: "occasional", share: 0.33, rate: 2, basket: 7, qtyScale: 0.7, cancelRate: 0.06, repeatRate: 0.15, abroad: 0.02, existing: 0.1, lapseAfter: 0 },
  { name: "lapsed", share: 0.15, rate: 10, basket: 10, qtyScale: 1, cancelRate: 0.14, repeatRate: 0.3, abroad: 0.03, existing: 0.7, lapseAfter: 90 },
  { name: "wholesale", share: 0.07, rate: 10, basket: 20, qtyScale: 4, cancelRate: 0.22, repeatRate: 0.45, abroad: 0.65, existing: 0.6, lapseAfter: 0 },
];

/** Share of lines on guest orders (no CustomerID), and of those, stock adjustments (null Description). */
const GUEST_LINE_SHARE = 0.245;
const ADJUSTMENT_LINE_SHARE = 0.0027;
const DUPLICATE_RATE = 0.01;
const FREE_LINE_RATE = 0.002;
const FIRST_INVOICE_NO = 536_365;
const FIRST_CUSTOMER_ID = 12_346;
/** Recent purchases remembered per customer, for re-orders and cancellations. */
const RECENT = 16;

// ---- Calendar -------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2010, 11, 1);
const LAST_DAY = Date.UTC(2011, 11, 9);
/** The shop closes over Christmas and New Year. */
const CLOSED = [Date.UTC(2010, 11, 24), Date.UTC(2011, 0, 3)];
/** The last day's trading stops at lunchtime (the data was extracted then). */
const LAST_DAY_CLOSE_HOUR = 12.85;
/** Relative lines per selling day, by month from December 2010: a slow spring, an autumn climb, a November peak. */
const MONTH_WEIGHT = [1.45, 1.0, 0.8, 0.95, 0.95, 1.0, 1.0, 1.05, 0.95, 1.35, 1.6, 2.3, 2.45];
/** Relative lines by weekday, Sunday first; no Saturdays. */
const WEEKDAY_WEIGHT = [0.7, 1.0, 1.05, 1.0, 1.1, 0.9, 0];
/** Relative lines by hour of day, 6:00 to 20:59. */
const HOUR_WEIGHT = [0.001, 0.01, 0.2, 0.7, 0.95, 1.1, 1.5, 1.4, 1.3, 1.5, 1.05, 0.55, 0.15, 0.07, 0.02];
const FIRST_HOUR = 6;

interface Calendar {
  dayStart: Float64Array;
  /** Cumulative share of lines at the end of each day; the last is 1. */
  cumShare: Float64Array;
}

function sellingDays(): Calendar {
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
function hourShare(hour: number): number {
  let acc = 0;
  for (let h = 0; h < HOUR_WEIGHT.length; h++) {
    const span = Math.min(1, Math.max(0, hour - FIRST_HOUR - h));
    acc += HOUR_WEIGHT[h] * span;
  }
  return acc / HOUR_TOTAL;
}

/** Time of day (ms, whole minutes) at which a share `f` of the day's lines has been sold. */
function timeOfDay(f: number): number {
  let target = f * HOUR_TOTAL;
  let h = 0;
  while (h < HOUR_WEIGHT.length - 1 && target >= HOUR_WEIGHT[h]) target -= HOUR_WEIGHT[h++];
  const minute = Math.min(59, Math.floor((target / HOUR_WEIGHT[h]) * 60));
  return ((FIRST_HOUR + h) * 60 + minute) * 60_000;
}

// ---- Countries ------------------------------------------------------------------------------------

const UK = "United Kingdom";
/** Countries of customers abroad, with relative weights. */
const ABROAD: readonly [string, number][] = [
  ["Germany", 9.5], ["France", 8.6], ["EIRE", 8.2], ["Spain", 2.5], ["Netherlands", 2.4], ["Belgium", 2.1],
  ["Switzerland", 2.0], ["Portugal", 1.5], ["Australia", 1.3], ["Norway", 1.1], ["Italy", 0.8],
  ["Channel Islands", 0.75], ["Finland", 0.7], ["Cyprus", 0.6], ["Sweden", 0.46], ["Unspecified", 0.45],
  ["Austria", 0.4], ["Denmark", 0.39], ["Japan", 0.36], ["Poland", 0.34], ["Israel", 0.3], ["USA", 0.29],
  ["Hong Kong", 0.29], ["Singapore", 0.23], ["Iceland", 0.18], ["Canada", 0.15], ["Greece", 0.15],
  ["Malta", 0.13], ["United Arab Emirates", 0.07], ["European Community", 0.06], ["RSA", 0.06],
  ["Lebanon", 0.05], ["Lithuania", 0.04], ["Brazil", 0.03], ["Czech Republic", 0.03], ["Bahrain", 0.02],
  ["Saudi Arabia", 0.01],
];
/** Guest orders from abroad are rare and come from a handful of places. */
const GUEST_ABROAD: readonly string[] = ["EIRE", "Hong Kong", "Switzerland", "Israel", "Unspecified"];
const GUEST_ABROAD_RATE = 0.02;
/** Where carriage (C2) rather than postage (POST) is charged. */
const CARRIAGE_COUNTRIES = new Set(["EIRE", "Channel Islands"]);
const COUNTRIES = [UK, ...ABROAD.map(([c]) => c)];

// ---- Catalogue ------------------------------------------------------------------------------------

const COLOURS = [
  "RED", "PINK", "BLUE", "GREEN", "WHITE", "IVORY", "CREAM", "BLACK", "SILVER", "GOLD", "PURPLE",
  "ORANGE", "YELLOW", "PASTEL", "VINTAGE", "ANTIQUE", "RUSTIC", "TURQUOISE", "LILAC", "NATURAL",
];
const MOTIFS = [
  "RETROSPOT", "POLKADOT", "PAISLEY", "STRIPE", "FLORAL", "HANGING HEART", "LOVEBIRDS", "SPACEBOY",
  "DOLLY GIRL", "SCOTTIE DOG", "OWL", "BIRDCAGE", "UNION JACK", "PANTRY", "KASHMIR", "BABUSHKA",
  "SKULLS", "STAR", "ROSES", "BUNNY", "CIRCUS PARADE", "JUNGLE", "PARIS FASHION", "DINOSAUR",
  "ALPHABET", "TEA PARTY", "WOODLAND", "REGENCY", "BAROQUE", "CHRISTMAS", "SNOWFLAKE", "REINDEER",
  "WICKER HEART", "HOME SWEET HOME", "LEAF", "FAIRY CAKE", "CHERRY BLOSSOM", "DOILY", "SWALLOW",
  "HEN HOUSE", "BUTTERFLY", "ROBOT", "GINGHAM", "LOVE HEART", "ENGLISH ROSE", "BEACH HUT",
];
/** Item, typical price, and whether the name is already plural (fits "SET OF n"). */
const ITEMS: readonly [string, number, boolean][] = [
  ["T-LIGHT HOLDER", 1.25, false], ["CHARLOTTE BAG", 0.85, false], ["JUMBO BAG", 1.95, false],
  ["LUNCH BAG", 1.65, false], ["MUG", 1.25, false], ["LUNCH BOX", 1.95, false], ["CAKE TINS", 4.95, true],
  ["METAL SIGN", 2.1, false], ["CUSHION COVER", 3.75, false], ["PHOTO FRAME", 2.55, false],
  ["DRAWER KNOB", 1.25, false], ["BAUBLE", 0.65, false], ["WREATH", 4.25, false],
  ["HOT WATER BOTTLE", 4.65, false], ["PURSE", 2.1, false], ["NOTEBOOK", 1.65, false], ["WRAP", 0.42, false],
  ["PAPER NAPKINS", 0.85, true], ["PARTY BUNTING", 4.95, false], ["DOORMAT", 7.95, false],
  ["CANDLE", 1.45, false], ["COAT RACK", 6.75, false], ["TRINKET BOX", 1.25, false], ["LANTERN", 4.95, false],
  ["ALARM CLOCK", 3.75, false], ["WALL CLOCK", 8.5, false], ["PLATES", 1.65, true], ["BOWL", 1.25, false],
  ["TEAPOT", 4.95, false], ["APRON", 2.95, false], ["TEA TOWELS", 1.25, true], ["STORAGE BOX", 4.25, false],
  ["GIFT BAG", 0.42, false], ["GREETING CARD", 0.42, false], ["STICKERS", 0.85, true],
  ["PAPER CHAIN KIT", 2.95, false], ["CAKE CASES", 0.55, true], ["CHALKBOARD", 2.55, false],
  ["HAND WARMER", 2.1, false], ["WATER BOTTLE", 3.75, false], ["DOORSTOP", 4.25, false],
  ["PEG BAG", 2.55, false], ["BIRD HOUSE", 8.5, false], ["TABLE LAMP", 14.95, false],
  ["CABINET", 39.95, false], ["HANGING DECORATION", 0.85, false], ["TISSUE BOX", 1.25, false],
  ["JEWELLERY BOX", 6.95, false], ["TRAY", 3.95, false], ["PICNIC BASKET", 9.95, false],
  ["UMBRELLA", 5.95, false], ["BACKPACK", 3.95, false], ["PENCILS", 0.65, true], ["MAGNETS", 0.42, true],
  ["KEY RING", 0.65, false], ["SOAP DISH", 2.1, false], ["GLASS JARS", 1.45, true],
  ["TEA CUP AND SAUCER", 2.95, false], ["CHOPPING BOARD", 4.95, false], ["COASTERS", 1.25, true],
];
const SUFFIXES = "ABCDEFGLNPSW";
const CATALOGUE_SIZE = 3_600;
/** Products whose description changed once during the year (both spellings appear). */
const RENAMED_RATE = 0.02;

/** Service codes and special items: [code, description]. Quantities and prices are drawn per use. */
const SERVICES = {
  POST: ["POST", "POSTAGE"],
  DOT: ["DOT", "DOTCOM POSTAGE"],
  MANUAL: ["M", "Manual"],
  DISCOUNT: ["D", "Discount"],
  CARRIAGE: ["C2", "CARRIAGE"],
  BANK: ["BANK CHARGES", "Bank Charges"],
  CRUK: ["CRUK", "CRUK Commission"],
  PADS: ["PADS", "PADS TO MATCH ALL CUSHIONS"],
  NEXT_DAY: ["23444", "Next Day Carriage"],
  IMAGE: ["23702", "High Resolution Image"],
} as const;
type Service = keyof typeof SERVICES;

interface Catalogue {
  codes: string[];
  descriptions: string[];
  /** Per product: index of its description, of its second description (-1 = none), its list price. */
  description: Int32Array;
  altDescription: Int32Array;
  price: Float64Array;
  /** Cumulative popularity over the products 0..popular.length-1 (services excluded). */
  popular: Float64Array;
  service: Record<Service, number>;
}

/** Prices end the way shop prices do: pennies under £1, multiples of 5p above. */
function shopPrice(p: number): number {
  if (p < 1) return Math.max(0.1, Math.round(p * 100) / 100);
  return Math.round(p * 20) / 20;
}

function normal(rng: Rng): number {
  const u = 1 - rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

const logNormal = (rng: Rng, median: number, sigma: number) => median * Math.exp(sigma * normal(rng));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.nextInt(xs.length)];

function baseCode(rng: Rng): number {
  const u = rng.nextFloat();
  if (u < 0.65) return 20_600 + rng.nextInt(3_000);
  if (u < 0.85) return 84_000 + rng.nextInt(1_250);
  if (u < 0.95) return 71_000 + rng.nextInt(9_000);
  return 10_000 + rng.nextInt(81_000);
}

function buildCatalogue(rng: Rng): Catalogue {
  const codes: string[] = [];
  const descriptions = new Interner();
  const description: number[] = [];
  const altDescription: number[] = [];
  const price: number[] = [];
  const usedCodes = new Set<number>([23_444, 23_702]);
  const usedNames = new Set<string>();
  const add = (code: string, desc: string, p: number, alt = -1) => {
    codes.push(code);
    description.push(descriptions.intern(desc));
    altDescription.push(alt);
    price.push(p);
  };
  while (codes.length < CATALOGUE_SIZE) {
    let base = baseCode(rng);
    while (usedCodes.has(base)) base = baseCode(rng);
    usedCodes.add(base);
    const [item, itemPrice, plural] = pick(rng, ITEMS);
    const motif = pick(rng, MOTIFS);
    const style = rng.nextInt(4);
    const setOf = plural && style === 3 ? pick(rng, [3, 4, 6, 12]) : 0;
    const name = (colour: string) =>
      setOf
        ? `SET OF ${setOf} ${colour} ${motif} ${item}`
        : style === 0
          ? `${motif} ${item}`
          : style === 1
            ? `${item} ${motif} DESIGN`
            : `${colour} ${motif} ${item}`;
    const listPrice = itemPrice * Math.exp(0.3 * normal(rng)) * (setOf ? setOf / 2 : 1);
    // A quarter of designs come in colour variants: 85123A, 85123B, ...
    const variants = style >= 2 && rng.nextFloat() < 0.25 ? 2 + rng.nextInt(3) : 1;
    const colours = [...COLOURS];
    for (let v = 0; v < variants && codes.length < CATALOGUE_SIZE; v++) {
      const colour = colours.splice(rng.nextInt(colours.length), 1)[0];
      const desc = name(colour);
      if (usedNames.has(desc)) continue;
      usedNames.add(desc);
      const code = variants > 1 ? `${base}${SUFFIXES[v]}` : String(base);
      const renamed = rng.nextFloat() < RENAMED_RATE ? descriptions.intern(`${desc} ASSORTED`) : -1;
      add(code, desc, shopPrice(listPrice), renamed);
    }
  }
  // Popularity: log-normal weights give a few best sellers and a long tail.
  const popular = new Float64Array(codes.length);
  let acc = 0;
  for (let i = 0; i < codes.length; i++) popular[i] = acc += Math.exp(1.2 * normal(rng));
  for (let i = 0; i < codes.length; i++) popular[i] /= acc;
  const service = {} as Record<Service, number>;
  for (const key of Object.keys(SERVICES) as Service[]) {
    service[key] = codes.length;
    add(SERVICES[key][0], SERVICES[key][1], 0);
  }
  return {
    codes,
    descriptions: descriptions.values,
    description: Int32Array.from(description),
    altDescription: Int32Array.from(altDescription),
    price: Float64Array.from(price),
    popular,
    service,
  };
}

/** Index of the first entry of a cumulative distribution at or above u. */
function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- Quantities -----------------------------------------------------------------------------------

/** Pack sizes bought by customers (weights): mostly 1–24, cartons now and then. */
const PACKS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 36, 48];
const PACK_CDF = cumulative([30, 14, 5, 8, 2, 10, 3, 6, 13, 1, 1, 5, 1, 1]);
const GUEST_PACKS = [1, 2, 3, 4, 5, 6, 10, 12];
const GUEST_PACK_CDF = cumulative([55, 20, 7, 5, 3, 4, 3, 3]);
const BULK_RATE = 0.006;

function cumulative(weights: number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  return Float64Array.from(weights, (w) => (acc += w) / total);
}

/** Heavy-tailed order quantity: a pack size, scaled, or now and then hundreds (Pareto tail). */
function quantity(rng: Rng, guest: boolean, scale: number, price: number): number {
  if (rng.nextFloat() < BULK_RATE) return Math.min(12_000, Math.round(100 / (1 - rng.nextFloat()) ** 0.7));
  const q = guest ? GUEST_PACKS[searchCdf(GUEST_PACK_CDF, rng.nextFloat())] : PACKS[searchCdf(PACK_CDF, rng.nextFloat())];
  const scaled = Math.max(1, Math.round(q * scale));
  return price > 6 ? Math.max(1, Math.round(scaled * (6 / price))) : scaled;
}

// ---- The simulation -------------------------------------------------------------------------------

/** One line of the invoice being written: catalogue product, description (-1 = null), quantity, price. */
interface InvoiceLines {
  length: number;
  product: Int32Array;
  description: Int32Array;
  quantity: Int32Array;
  price: Float64Array;
}

const MAX_INVOICE_LINES = 2_048;

/** Synthetic transactions for `opts`, as batches of at most `batchRows` rows. */
export class TransactionGenerator {
  readonly rows: number;
  private readonly rng: Rng;
  private readonly cat: Catalogue;
  private readonly days: Calendar;
  // Customers (index c; CustomerID = id[c]).
  private readonly id: Int32Array;
  private readonly kind: Uint8Array;
  private readonly country: Uint8Array;
  private readonly firstDay: Int32Array;
  private readonly lastDay: Int32Array;
  private readonly served: Uint8Array;
  private readonly rateCdf: Float64Array;
  private readonly byFirstDay: Int32Array;
  private readonly recentProduct: Int32Array;
  private readonly recentQty: Int32Array;
  private readonly recentPrice: Float64Array;
  private readonly recentCount: Uint32Array;
  // Progress.
  private emitted = 0;
  private day = 0;
  private dayFirstLine = 0;
  private nextFirst = 0;
  private invoiceNo = FIRST_INVOICE_NO;
  private guestLines = 0;
  private adjustmentLines = 0;
  // The current invoice, copied out line by line.
  private readonly lines: InvoiceLines = {
    length: 0,
    product: new Int32Array(MAX_INVOICE_LINES),
    description: new Int32Array(MAX_INVOICE_LINES),
    quantity: new Int32Array(MAX_INVOICE_LINES),
    price: new Float64Array(MAX_INVOICE_LINES),
  };
  private linePos = 0;
  /** Per catalogue product, the number of the last invoice it appeared on. */
  private readonly onInvoice: Int32Array;
  private invoiceText = "";
  private invoiceTime = 0;
  private invoiceCustomer = 0;
  private invoiceCountry = 0;
  private cancelled = false;

  constructor(opts: GenerateOptions) {
    this.rows = opts.rows;
    this.cat = buildCatalogue(Rng.derive(opts.seed, 0));
    this.onInvoice = new Int32Array(this.cat.codes.length);
    this.days = sellingDays();
    this.rng = Rng.derive(opts.seed, 2);
    const rng = Rng.derive(opts.seed, 1);
    const n = opts.customers;
    const nDays = this.days.dayStart.length;
    this.id = new Int32Array(n);
    this.kind = new Uint8Array(n);
    this.country = new Uint8Array(n);
    this.firstDay = new Int32Array(n);
    this.lastDay = new Int32Array(n);
    this.served = new Uint8Array(n);
    this.rateCdf = new Float64Array(n);
    this.recentProduct = new Int32Array(n * RECENT);
    this.recentQty = new Int32Array(n * RECENT);
    this.recentPrice = new Float64Array(n * RECENT);
    this.recentCount = new Uint32Array(n);
    const kindCdf = cumulative(ARCHETYPES.map((a) => a.share));
    const abroadCdf = cumulative(ABROAD.map(([, w]) => w));
    let id = FIRST_CUSTOMER_ID;
    let rate = 0;
    for (let c = 0; c < n; c++) {
      // CustomerIDs are 5-digit and gappy, as in the data.
      this.id[c] = id;
      id += 1 + (rng.nextFloat() < 0.36 ? 1 : 0);
      const k = searchCdf(kindCdf, rng.nextFloat());
      const a = ARCHETYPES[k];
      this.kind[c] = k;
      this.country[c] = rng.nextFloat() < a.abroad ? 1 + searchCdf(abroadCdf, rng.nextFloat()) : 0;
      const first = rng.nextFloat() < a.existing ? rng.nextInt(Math.min(25, nDays)) : rng.nextInt(Math.max(1, nDays - 5));
      this.firstDay[c] = first;
      this.lastDay[c] = a.lapseAfter ? Math.min(nDays - 1, first + Math.round(a.lapseAfter * (0.5 + rng.nextFloat()))) : nDays - 1;
      rate += a.rate * Math.exp(0.6 * normal(rng));
      this.rateCdf[c] = rate;
    }
    for (let c = 0; c < n; c++) this.rateCdf[c] /= rate;
    // First invoices in order of their day (counting sort keeps the customer order within a day).
    const perDay = new Int32Array(nDays + 1);
    for (let c = 0; c < n; c++) perDay[this.firstDay[c] + 1]++;
    for (let d = 0; d < nDays; d++) perDay[d + 1] += perDay[d];
    this.byFirstDay = new Int32Array(n);
    for (let c = 0; c < n; c++) this.byFirstDay[perDay[this.firstDay[c]]++] = c;
  }

  /** Batches of at most `batchRows` rows until `rows` have been produced. */
  *batches(batchRows = 1 << 16): Generator<TransactionColumns> {
    while (this.emitted < this.rows) yield this.fill(Math.min(batchRows, this.rows - this.emitted));
  }

  /** The next `n` rows, with per-batch dictionaries in first-appearance order. */
  private fill(n: number): TransactionColumns {
    const invoices = new Interner();
    const codes = new Interner();
    const descs = new Interner();
    const countries = new Interner();
    const codeOf = new Int32Array(this.cat.codes.length).fill(-1);
    const descOf = new Int32Array(this.cat.descriptions.length).fill(-1);
    const countryOf = new Int32Array(COUNTRIES.length).fill(-1);
    const out: TransactionColumns = {
      length: n,
      InvoiceNo: { indices: new Int32Array(n), dictionary: invoices.values },
      StockCode: { indices: new Int32Array(n), dictionary: codes.values },
      Description: { indices: new Int32Array(n), dictionary: descs.values },
      Country: { indices: new Int32Array(n), dictionary: countries.values },
      Quantity: new Int32Array(n),
      InvoiceDate: new Float64Array(n),
      UnitPrice: new Float64Array(n),
      CustomerID: new Int32Array(n),
      CustomerIDValid: new Uint8Array(n),
    };
    let invoiceIndex = -1;
    let invoiceText = "";
    for (let i = 0; i < n; i++) {
      while (this.linePos >= this.lines.length) this.nextInvoice();
      if (this.invoiceText !== invoiceText) {
        invoiceText = this.invoiceText;
        invoiceIndex = invoices.intern(invoiceText);
      }
      const j = this.linePos++;
      const p = this.lines.product[j];
      const d = this.lines.description[j];
      out.InvoiceNo.indices[i] = invoiceIndex;
      out.StockCode.indices[i] = codeOf[p] >= 0 ? codeOf[p] : (codeOf[p] = codes.intern(this.cat.codes[p]));
      out.Description.indices[i] = d < 0 ? -1 : descOf[d] >= 0 ? descOf[d] : (descOf[d] = descs.intern(this.cat.descriptions[d]));
      const k = this.invoiceCountry;
      out.Country.indices[i] = countryOf[k] >= 0 ? countryOf[k] : (countryOf[k] = countries.intern(COUNTRIES[k]));
      out.Quantity[i] = this.lines.quantity[j];
      out.InvoiceDate[i] = this.invoiceTime;
      out.UnitPrice[i] = this.lines.price[j];
      out.CustomerID[i] = this.invoiceCustomer;
      out.CustomerIDValid[i] = this.invoiceCustomer ? 1 : 0;
      this.emitted++;
    }
    return out;
  }

  /** Writes the next invoice into `lines`: its kind follows the target shares of lines. */
  private nextInvoice(): void {
    const { cumShare, dayStart } = this.days;
    while (this.day < cumShare.length - 1 && this.emitted >= cumShare[this.day] * this.rows) {
      this.dayFirstLine = this.emitted;
      this.day++;
    }
    this.lines.length = 0;
    this.linePos = 0;
    const rng = this.rng;
    if (this.adjustmentLines < ADJUSTMENT_LINE_SHARE * this.emitted) {
      this.adjustment();
      this.adjustmentLines += this.lines.length;
    } else if (this.guestLines < GUEST_LINE_SHARE * this.emitted) {
      this.guestOrder();
      this.guestLines += this.lines.length;
    } else {
      const c = this.pickCustomer();
      if (c < 0) {
        this.guestOrder();
        this.guestLines += this.lines.length;
      } else if (this.served[c] && rng.nextFloat() < ARCHETYPES[this.kind[c]].cancelRate && this.recentCount[c] > 0) {
        this.cancellation(c);
      } else {
        this.customerOrder(c);
      }
    }
    this.invoiceText = this.cancelled ? `C${this.invoiceNo++}` : String(this.invoiceNo++);
    // The clock follows the day's sales: an invoice is stamped somewhere within the share of the day
    // its lines take, never past the day's end and never before the previous invoice.
    const dayLines = Math.max(1, cumShare[this.day] * this.rows - this.dayFirstLine);
    const start = (this.emitted - this.dayFirstLine) / dayLines;
    let f = start + this.rng.nextFloat() * Math.min(this.lines.length / dayLines, 1 - start);
    if (this.day === cumShare.length - 1) f *= hourShare(LAST_DAY_CLOSE_HOUR);
    this.invoiceTime = dayStart[this.day] + timeOfDay(f);
  }

  private begin(customer: number, country: number, cancelled: boolean): void {
    this.invoiceCustomer = customer;
    this.invoiceCountry = country;
    this.cancelled = cancelled;
  }

  /** The next customer due a first invoice, else one picked by purchase rate among the active; -1 if none. */
  private pickCustomer(): number {
    const n = this.id.length;
    if (this.nextFirst < n) {
      const c = this.byFirstDay[this.nextFirst];
      if (this.firstDay[c] <= this.day) {
        this.nextFirst++;
        return c;
      }
    }
    for (let attempt = 0; attempt < 32; attempt++) {
      const c = searchCdf(this.rateCdf, this.rng.nextFloat());
      if (this.served[c] && this.day <= this.lastDay[c]) return c;
    }
    return -1;
  }

  /** True when `product` is not yet on the current invoice (and marks it as on it). */
  private firstOnInvoice(product: number): boolean {
    if (this.onInvoice[product] === this.invoiceNo) return false;
    this.onInvoice[product] = this.invoiceNo;
    return true;
  }

  private push(product: number, description: number, quantity: number, price: number): void {
    const l = this.lines;
    if (l.length >= MAX_INVOICE_LINES) return;
    l.product[l.length] = product;
    l.description[l.length] = description;
    l.quantity[l.length] = quantity;
    l.price[l.length] = price;
    l.length++;
  }

  private pushService(s: Service, quantity: number, price: number): void {
    const p = this.cat.service[s];
    this.push(p, this.cat.description[p], quantity, Math.round(price * 100) / 100);
  }

  /** A catalogue line: a popular product or a re-order, with its price and quantity. */
  private productLine(c: number, guest: boolean, qtyScale: number, repeatRate: number): void {
    const rng = this.rng;
    const cat = this.cat;
    const seen = c >= 0 ? Math.min(this.recentCount[c], RECENT) : 0;
    // Each product appears once per invoice (duplicated lines aside): redraw a few times, else skip.
    let p = -1;
    for (let attempt = 0; attempt < 8 && p < 0; attempt++) {
      const q =
        seen > 0 && rng.nextFloat() < repeatRate
          ? this.recentProduct[c * RECENT + rng.nextInt(seen)]
          : searchCdf(cat.popular, rng.nextFloat());
      if (this.firstOnInvoice(q)) p = q;
    }
    if (p < 0) return;
    const alt = cat.altDescription[p];
    const desc = alt >= 0 && rng.nextFloat() < 0.3 ? alt : cat.description[p];
    // Guests pay the web shop's retail prices; customers buying cartons get a discount.
    let price = guest ? shopPrice(cat.price[p] * 1.65) : cat.price[p];
    const q = quantity(rng, guest, qtyScale, price);
    if (q >= 100) price = shopPrice(price * 0.85);
    if (!guest && rng.nextFloat() < FREE_LINE_RATE) price = 0;
    this.push(p, desc, q, price);
    if (c >= 0) {
      const slot = this.recentCount[c]++ % RECENT;
      this.recentProduct[c * RECENT + slot] = p;
      this.recentQty[c * RECENT + slot] = q;
      this.recentPrice[c * RECENT + slot] = price;
    }
    if (rng.nextFloat() < DUPLICATE_RATE) this.push(p, desc, q, price);
  }

  private customerOrder(c: number): void {
    const rng = this.rng;
    const a = ARCHETYPES[this.kind[c]];
    this.served[c] = 1;
    this.begin(this.id[c], this.country[c], false);
    const size = Math.min(600, Math.max(1, Math.round(logNormal(rng, a.basket, 0.9))));
    const scale = a.qtyScale * Math.exp(0.3 * normal(rng));
    for (let i = 0; i < size; i++) this.productLine(c, false, scale, a.repeatRate);
    const abroad = this.country[c] !== 0;
    if (abroad) {
      if (CARRIAGE_COUNTRIES.has(COUNTRIES[this.country[c]])) {
        if (rng.nextFloat() < 0.3) this.pushService("CARRIAGE", 1, 50);
      } else if (rng.nextFloat() < 0.7) {
        const u = rng.nextFloat();
        this.pushService("POST", 1 + Math.floor(-Math.log(1 - rng.nextFloat())), u < 0.6 ? 18 : u < 0.8 ? 15 : u < 0.93 ? 28 : 40);
      }
    } else if (rng.nextFloat() < 0.004) {
      this.pushService("NEXT_DAY", 1, rng.nextFloat() < 0.9 ? 15 : 30);
    }
    const u = rng.nextFloat();
    if (u < 0.012) this.pushService("MANUAL", 1 + (rng.nextFloat() < 0.2 ? rng.nextInt(12) : 0), logNormal(rng, 2.5, 1.6));
    else if (u < 0.0135) this.pushService("BANK", 1, rng.nextFloat() < 0.7 ? 15 : logNormal(rng, 60, 1));
    else if (u < 0.0145) this.pushService("PADS", 1, 0.001);
    else if (u < 0.015) this.pushService("IMAGE", 1, rng.nextInt(4));
  }

  /** A 'C' invoice taking back some of the customer's recent lines (and now and then a fee or discount). */
  private cancellation(c: number): void {
    const rng = this.rng;
    this.begin(this.id[c], this.country[c], true);
    const seen = Math.min(this.recentCount[c], RECENT);
    const count = Math.min(seen, 1 + Math.floor(-Math.log(1 - rng.nextFloat()) * 1.6));
    for (let i = 0; i < count; i++) {
      const slot = c * RECENT + rng.nextInt(seen);
      const p = this.recentProduct[slot];
      if (!this.firstOnInvoice(p)) continue;
      const bought = this.recentQty[slot];
      const q = rng.nextFloat() < 0.7 ? bought : 1 + rng.nextInt(bought);
      this.push(p, this.cat.description[p], -q, this.recentPrice[slot]);
    }
    const u = rng.nextFloat();
    if (u < 0.04) this.pushService("DISCOUNT", -1, logNormal(rng, 20, 1));
    else if (u < 0.05) this.pushService("CRUK", -1, logNormal(rng, 300, 0.7));
    else if (u < 0.08) this.pushService("MANUAL", -1, logNormal(rng, 5, 1.2));
  }

  /** A web-shop order without a customer account: mostly single items or large baskets with DOT postage. */
  private guestOrder(): void {
    const rng = this.rng;
    this.begin(0, rng.nextFloat() < GUEST_ABROAD_RATE ? COUNTRIES.indexOf(pick(rng, GUEST_ABROAD)) : 0, false);
    if (rng.nextFloat() < 0.4) {
      if (rng.nextFloat() < 0.05) this.pushService("MANUAL", 1, logNormal(rng, 3, 1.2));
      else for (let i = 1 + rng.nextInt(2); i > 0; i--) this.productLine(-1, true, 1, 0);
      return;
    }
    const size = Math.min(1_100, Math.max(3, Math.round(logNormal(rng, 110, 0.8))));
    for (let i = 0; i < size; i++) this.productLine(-1, true, 1, 0);
    this.pushService("DOT", 1, logNormal(rng, 180, 0.6));
  }

  /** A stock adjustment: one line, no description, no price, stock booked in or out. */
  private adjustment(): void {
    const rng = this.rng;
    this.begin(0, 0, false);
    const q = Math.max(1, Math.round(logNormal(rng, 20, 1.3)));
    this.push(searchCdf(this.cat.popular, rng.nextFloat()), -1, rng.nextFloat() < 0.55 ? -q : q, 0);
  }
}

// ---- Output -------------------------------------------------------------------------------------

/** Row numbers stay within Int32 indices; customer state (recent purchases included) is ~300 bytes a customer. */
const MAX_ROWS = 2 ** 31 - 1;
const MAX_CUSTOMERS = 1_000_000;

type Chunks = Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/**
 * Output formats, by extension. Each turns the batches into file chunks lazily, and the writer
 * waits for the disk before asking for more, so memory stays flat for any --rows.
 */
const FORMATS: Record<string, (tables: Iterable<Table>, mark: GeneratedMark) => Chunks> = {
  ".csv": csvChunks,
  ".arrow": arrowChunks,
  ".parquet": parquetChunks,
};

export interface GenerateResult {
  path: string;
  rows: number;
  bytes: number;
  format: string;
}

/** Rejects options the generator cannot honour, naming the option. */
export function checkGenerateOptions(opts: GenerateOptions): void {
  const count = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new OptionError(name, `must be a whole number from 1 to ${max.toLocaleString("en-US")} (got ${v})`);
    }
  };
  count("rows", opts.rows, MAX_ROWS);
  count("customers", opts.customers, MAX_CUSTOMERS);
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 2 ** 32 - 1) {
    throw new OptionError("seed", `must be a whole number from 0 to 4294967295 (got ${opts.seed})`);
  }
}

/**
 * Generates `opts.rows` transactions into `path` (.csv, .arrow as an IPC stream, or .parquet),
 * streaming into a temporary sibling that is renamed into place only once complete.
 * `batchRows` sets the streaming granularity only; the data is the same for any value.
 */
export async function generateFile(path: string, opts: GenerateOptions, batchRows = 1 << 16): Promise<GenerateResult> {
  checkGenerateOptions(opts);
  const format = extname(path).toLowerCase();
  const chunksOf = FORMATS[format];
  if (!chunksOf) {
    throw new UserError(`${path}: cannot generate "${format || "(no extension)"}" files; use ${Object.keys(FORMATS).join(", ")}`);
  }
  // Every output says it is generated (see generated-mark.ts): schema metadata, or CSV's comment line.
  const mark = generatedMark(opts);
  const metadata = markMetadata(mark);
  const tables = (function* () {
    for (const batch of new TransactionGenerator(opts).batches(batchRows)) yield withSchemaMetadata(transactionsTable(batch), metadata);
  })();
  await writeStreamAtomic(path, chunksOf(tables, mark));
  return { path, rows: opts.rows, bytes: (await stat(path)).size, format: format.slice(1) };
}

/**
 * CSV through the project's CSV writer, one batch at a time; the header comes once, after a comment
 * line naming the generator (custseg's reader skips it; other tools may need to be told to).
 */
function* csvChunks(tables: Iterable<Table>, mark: GeneratedMark): Generator<string> {
  yield csvMarkLine(mark);
  let first = true;
  for (const table of tables) {
    const text = tableToCsv(table);
    yield first ? text : text.slice(text.indexOf("\n") + 1);
    first = false;
  }
}

/**
 * An Arrow IPC stream (each batch carries its own dictionaries). The writer queues bytes in memory;
 * after each batch we take what it queued (until the queue is momentarily empty) before generating more.
 */
async function* arrowChunks(tables: Iterable<Table>): AsyncGenerator<Uint8Array> {
  const writer = new RecordBatchStreamWriter();
  const queued = writer[Symbol.asyncIterator]();
  let pending = queued.next();
  const empty = () => new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)));
  for (const table of tables) {
    for (const batch of table.batches) writer.write(batch);
    for (let r = await Promise.race([pending, empty()]); r; r = await Promise.race([pending, empty()])) {
      yield r.value;
      pending = queued.next();
    }
  }
  writer.finish();
  for (let r = await pending; !r.done; r = await queued.next()) yield r.value;
}

/**
 * Parquet (zstd, as writeTable writes it) through parquet-wasm's streaming writer, pulled batch by
 * batch; the mark goes into the footer's key-value metadata.
 */
async function* parquetChunks(tables: Iterable<Table>, mark: GeneratedMark): AsyncGenerator<Uint8Array> {
  const it = tables[Symbol.iterator]();
  const batches = new ReadableStream({
    pull(controller) {
      const next = it.next();
      if (next.done) controller.close();
      else for (const b of WasmTable.fromIPCStream(tableToIPC(next.value, "stream")).recordBatches()) controller.enqueue(b);
    },
  });
  const props = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).setKeyValueMetadata(markMetadata(mark)).build();
  const reader = (await transformParquetStream(batches, props)).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value as Uint8Array;
}
