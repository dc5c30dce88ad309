// The day-by-day simulation that writes transaction lines: customer orders, re-orders, cancellations,
// guest web-shop orders, stock adjustments and service lines, in the proportions of the real data.
// Rows come out batch by batch and the simulation never holds more than one invoice beyond the
// current batch, so 50 M lines stream to disk in bounded memory.
import { Rng } from "../../engine/rng.js";
import { Interner, type TransactionColumns } from "../schema.js";
import { type Calendar, hourShare, LAST_DAY_CLOSE_HOUR, sellingDays, timeOfDay } from "./calendar.js";
import { buildCatalogue, type Catalogue, type Service, shopPrice } from "./catalogue.js";
import { CARRIAGE_COUNTRIES, COUNTRIES, GUEST_ABROAD, GUEST_ABROAD_RATE } from "./countries.js";
import { ARCHETYPES, buildCustomers } from "./customers.js";
import type { GenerateOptions } from "./options.js";
import { quantity } from "./quantities.js";
import { logNormal, normal, pick, searchCdf } from "./sampling.js";

/** Share of lines on guest orders (no CustomerID), and of those, stock adjustments (null Description). */
const GUEST_LINE_SHARE = 0.245;
const ADJUSTMENT_LINE_SHARE = 0.0027;
const DUPLICATE_RATE = 0.01;
const FREE_LINE_RATE = 0.002;
const FIRST_INVOICE_NO = 536_365;
/** Recent purchases remembered per customer, for re-orders and cancellations. */
const RECENT = 16;

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
    const n = opts.customers;
    ({
      id: this.id,
      kind: this.kind,
      country: this.country,
      firstDay: this.firstDay,
      lastDay: this.lastDay,
      rateCdf: this.rateCdf,
      byFirstDay: this.byFirstDay,
    } = buildCustomers(Rng.derive(opts.seed, 1), n, this.days.dayStart.length));
    this.served = new Uint8Array(n);
    this.recentProduct = new Int32Array(n * RECENT);
    this.recentQty = new Int32Array(n * RECENT);
    this.recentPrice = new Float64Array(n * RECENT);
    this.recentCount = new Uint32Array(n);
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
