// Features on the real data: seed semantics bit for bit against the original pipeline's output,
// and the default semantics against values recomputed here from the raw lines by plain code.
import { readFileSync } from "node:fs";
import type { Table } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertClose } from "../../helpers/assert.js";
import { loadTransactions } from "../../../src/io/load.js";
import { cleanTransactions } from "../../../src/pipeline/steps/clean.js";
import { customerFeatures, FEATURE_NAMES } from "../../../src/pipeline/steps/features.js";
import { sharedFile, skipped } from "../../helpers/shared.js";

const what = "features on the real data";
const parquet = sharedFile("data/online_retail.parquet", what);
const golden = sharedFile("reference/seed-pipeline/customer_features_pre_outlier.csv", what);
const quirksFile = sharedFile("reference/seed-pipeline/quirks.json", what);
const ready = Boolean(parquet && golden && quirksFile);

let cleaned: Table;
let seed: Table;
let none: Table;
// biome-ignore lint/suspicious/noExplicitAny: quirks.json is a free-form report
let quirks: any;

test.before(async () => {
  if (!ready) return;
  quirks = JSON.parse(readFileSync(quirksFile as string, "utf8"));
  cleaned = cleanTransactions((await loadTransactions(parquet as string, { cacheDir: false })).table).table;
  seed = customerFeatures(cleaned, { compat: "seed" });
  none = customerFeatures(cleaned);
});

const col = (t: Table, name: string) => Array.from(t.getChild(name)!.toArray() as ArrayLike<number>);

test("seed: every value equals the original pipeline's (Spending_Trend to 1e-12 relative)", () => {
  if (!ready) return skipped();
  const [header, ...lines] = readFileSync(golden as string, "utf8").trim().split("\n");
  const names = header.split(",");
  assert.equal(names, ["CustomerID", ...FEATURE_NAMES]);
  assert.is(seed.numRows, lines.length);
  const expected = lines.map((l) => l.split(",").map(Number));
  const differing: string[] = [];
  names.forEach((name, j) => {
    const actual = col(seed, name);
    let bad = 0;
    let example = "";
    for (let i = 0; i < expected.length; i++) {
      const a = actual[i];
      const e = expected[i][j];
      const ok = name === "Spending_Trend" ? a === e || Math.abs(a - e) <= 1e-12 * Math.abs(e) : a === e;
      if (!ok && bad++ === 0) example = `customer ${expected[i][0]}: ${a} vs ${e}`;
    }
    if (bad) differing.push(`${name}: ${bad} values differ (${example})`);
  });
  assert.equal(differing, []);
});

test("seed: the quirks' counts (dropped single-line customers, misaligned Cancellation_Rate)", () => {
  if (!ready) return skipped();
  const ids = new Set(col(seed, "CustomerID"));
  const dropped = col(none, "CustomerID").filter((id) => !ids.has(id));
  assert.equal(dropped, quirks.customers_behavior_inner_merge.dropped_customer_ids);
  const freq = col(seed, "Cancellation_Frequency");
  const total = col(seed, "Total_Transactions");
  const rate = col(seed, "Cancellation_Rate");
  const misaligned = rate.filter((r, i) => r !== freq[i] / total[i]).length;
  assert.is(misaligned, quirks.cancellation_rate.customers_rate_differs_from_own_ratio);
  assert.is(Math.max(...rate), quirks.cancellation_rate.max_rate);
});

test("default: every customer kept, rates within [0, 1], no missing values", () => {
  if (!ready) return skipped();
  assert.is(none.numRows, quirks.final_transactions.customers);
  for (const r of col(none, "Cancellation_Rate")) assert.ok(r >= 0 && r <= 1);
  for (const name of FEATURE_NAMES) assert.ok(col(none, name).every(Number.isFinite), name);
  const ids = col(none, "CustomerID");
  assert.ok(ids.every((id, i) => i === 0 || ids[i - 1] < id));
});

/** Per-customer lines of the cleaned table, read through the plain Vector API. */
function linesOf(customers: Set<number>) {
  const ids = col(cleaned, "CustomerID");
  const invoice = cleaned.getChild("InvoiceNo")!;
  const date = cleaned.getChild("InvoiceDate")!;
  const qty = cleaned.getChild("Quantity")!;
  const price = cleaned.getChild("UnitPrice")!;
  const out = new Map<number, { invoice: string; at: Date; spend: number }[]>();
  for (let i = 0; i < ids.length; i++) {
    if (!customers.has(ids[i])) continue;
    if (!out.has(ids[i])) out.set(ids[i], []);
    out.get(ids[i])!.push({ invoice: invoice.get(i), at: new Date(date.get(i)), spend: qty.get(i) * price.get(i) });
  }
  return out;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function mode(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

test("default: recomputed from the raw lines for a sample of customers", () => {
  if (!ready) return skipped();
  const ids = col(none, "CustomerID");
  const sample = new Set([12346, 12347, 12603, ...ids.filter((_, i) => i % 97 === 0)]);
  const lines = linesOf(sample);
  const lastDay = isoDay(new Date(col(cleaned, "InvoiceDate").reduce((a, b) => Math.max(a, Number(b)), 0)));
  assert.is(lastDay, "2011-12-09");
  const features = new Map(ids.map((id, i) => [id, i]));
  const value = (name: string, id: number) => none.getChild(name)!.get(features.get(id)!) as number;
  for (const id of sample) {
    const own = lines.get(id)!;
    const days = [...new Set(own.map((l) => isoDay(l.at)))].sort();
    const gaps = days.slice(1).map((d, i) => (Date.parse(d) - Date.parse(days[i])) / 86_400_000);
    const avgDays = gaps.length ? mean(gaps) : (Date.parse(lastDay) - Date.parse(days[0])) / 86_400_000;
    assert.is(value("Average_Days_Between_Purchases", id), avgDays, `customer ${id} average days`);
    assert.is(value("Days_Since_Last_Purchase", id), (Date.parse(lastDay) - Date.parse(days.at(-1)!)) / 86_400_000);
    const invoices = new Set(own.map((l) => l.invoice));
    const cancelled = [...invoices].filter((inv) => inv.startsWith("C")).length;
    assert.is(value("Total_Transactions", id), invoices.size);
    assert.is(value("Cancellation_Rate", id), cancelled / invoices.size, `customer ${id} rate`);
    assert.is(value("Day_Of_Week", id), mode(own.map((l) => (l.at.getUTCDay() + 6) % 7)));
    assert.is(value("Hour", id), mode(own.map((l) => l.at.getUTCHours())));
    // Every calendar month from the first to the last, empty months as 0.
    const byMonth = new Map<string, number>();
    for (const l of own) {
      const key = l.at.toISOString().slice(0, 7);
      byMonth.set(key, (byMonth.get(key) ?? 0) + l.spend);
    }
    const first = new Date(Math.min(...own.map((l) => l.at.getTime())));
    const last = new Date(Math.max(...own.map((l) => l.at.getTime())));
    const series: number[] = [];
    for (let m = first.getUTCFullYear() * 12 + first.getUTCMonth(); m <= last.getUTCFullYear() * 12 + last.getUTCMonth(); m++) {
      const key = `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
      series.push(byMonth.get(key) ?? 0);
    }
    const mu = mean(series);
    const sd = series.length > 1 ? Math.sqrt(series.reduce((a, y) => a + (y - mu) ** 2, 0) / (series.length - 1)) : 0;
    const xm = (series.length - 1) / 2;
    const slope =
      series.length > 1
        ? series.reduce((a, y, x) => a + (x - xm) * (y - mu), 0) / series.reduce((a, _, x) => a + (x - xm) ** 2, 0)
        : 0;
    assertClose(value("Monthly_Spending_Mean", id), mu, 1e-9, `customer ${id} monthly mean`, "mixed");
    assertClose(value("Monthly_Spending_Std", id), sd, 1e-9, `customer ${id} monthly std`, "mixed");
    assertClose(value("Spending_Trend", id), slope, 1e-9, `customer ${id} trend`, "mixed");
  }
});

test.run();
