import type { Matrix } from "../engine/matrix.js";
import type { Currency, SegmentFigures } from "../pipeline/steps/business.js";
import type { ClusterProfiles } from "../pipeline/steps/profiles.js";
import { strongestLoadings } from "./loadings.js";
import { clusterColour, clusterName, esc, fmt, fmtAuto, label, pct } from "./svg.js";
import type { ClusterMetrics, StepRecord } from "./types.js";

const row = (cells: readonly string[], tag = "td") => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join("")}</tr>`;
const num = (v: string) => `<span class="num">${v}</span>`;

/** A table in a box that scrolls sideways, so a wide table never widens the page on a narrow screen. */
function table(name: string, head: readonly string[], rows: readonly (readonly string[])[], foot?: readonly string[]): string {
  return (
    `<div class="table-scroll"><table data-table="${esc(name)}"><thead>${row(head.map(esc), "th")}</thead><tbody>${rows.map((r) => row(r)).join("")}</tbody>` +
    `${foot ? `<tfoot>${row(foot)}</tfoot>` : ""}</table></div>`
  );
}

/**
 * Each step's count, its change from the previous step counting the same unit, and its time; the
 * parts of a step (indented, untimed) below it. The total is the sum of the times shown.
 */
export function stepsTable(steps: readonly StepRecord[]): string {
  const previous = new Map<string, number>();
  let partsFrom: number | undefined; // what the latest whole step started from, for its parts
  let totalMs = 0;
  const change = (count: number, before: number | undefined) =>
    before === undefined ? "" : count === before ? "±0" : count > before ? `+${fmt(count - before)}` : fmt(count - before);
  const rows = steps.map((s) => {
    let delta: string;
    if (s.partOf === undefined) {
      partsFrom = previous.get(s.unit);
      delta = change(s.count, partsFrom);
      previous.set(s.unit, s.count);
    } else {
      delta = change(s.count, partsFrom);
      partsFrom = s.count;
    }
    if (s.partOf === undefined && s.ms !== undefined) totalMs += s.ms;
    const time = s.partOf !== undefined ? "" : s.ms === undefined ? "–" : fmt(s.ms, 1);
    const name = s.partOf === undefined ? esc(s.step) : `<span class="part">${esc(s.step)}</span>`;
    return [name, esc(s.unit), num(fmt(s.count)), num(delta), num(time)];
  });
  return table("steps", ["step", "counts", "count", "change", "time (ms)"], rows, ["total", "", "", "", num(fmt(totalMs, 1))]);
}

/** Features listed per component in the loadings table. */
export const LOADINGS_SHOWN = 4;
/** Of those, the ones the plain-language reading names. */
const LOADINGS_READ = 3;

/** Always two decimals and a sign, so the weights line up: +0.40, −0.37. */
const signed = (v: number) => `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v).toFixed(2)}`;

/**
 * Per kept component: its share of the variance, its strongest features with their signed weights,
 * and what a higher score on it means in words ("more Total Spend, less Days Since Last Purchase").
 */
export function loadingsTable(components: Matrix, features: readonly string[], ratios: readonly number[]): string {
  const ranked = strongestLoadings(components, LOADINGS_SHOWN);
  const head = ["component", "variance", "strongest features (weight)", "a higher score means"];
  const rows = ranked.map((loadings, c) => [
    `PC${c + 1}`,
    num(pct(ratios[c] ?? Number.NaN)),
    loadings.map((l) => `<div class="loading"><span class="weight">${signed(l.weight)}</span> ${esc(label(features[l.feature]!))}</div>`).join(""),
    esc(
      loadings
        .slice(0, LOADINGS_READ)
        .map((l) => `${l.weight >= 0 ? "more" : "less"} ${label(features[l.feature]!)}`)
        .join(", "),
    ),
  ]);
  return table("loadings", head, rows);
}

export function metricsTable(m: ClusterMetrics): string {
  return table(
    "metrics",
    ["metric", "value", "reading"],
    [
      [
        "Silhouette",
        num(fmt(m.silhouette, 4)),
        `−1 … 1; higher means tighter, better separated clusters${
          m.silhouetteSample
            ? ` (a seeded sample of ${fmt(m.silhouetteSample.size)} of ${fmt(m.silhouetteSample.population)} customers; 95 % interval ${fmt(m.silhouetteSample.ci95[0], 4)} … ${fmt(m.silhouetteSample.ci95[1], 4)})`
            : ""
        }`,
      ],
      ["Davies–Bouldin", num(fmt(m.daviesBouldin, 4)), "≥ 0; lower is better"],
      ["Calinski–Harabasz", num(fmt(m.calinskiHarabasz, 2)), "higher is better"],
      ["Inertia", num(fmt(m.inertia, 2)), "within-cluster sum of squares in PCA space; lower is better for a given k"],
    ],
  );
}

const swatch = (c: number) => `<span class="swatch" style="background:${clusterColour(c)}"></span>`;

/** One line per cluster: its name, size, share, mean silhouette and the plain-language description. */
export function clustersTable(p: ClusterProfiles): string {
  return table(
    "clusters",
    ["cluster", "segment", "customers", "share", "mean silhouette", "in a sentence"],
    p.clusters.map((c) => [
      `${swatch(c.cluster)}${esc(clusterName(c.cluster))}`,
      esc(c.name),
      num(fmt(c.size)),
      num(pct(c.share)),
      num(c.silhouette === undefined ? "–" : fmt(c.silhouette, 3)),
      esc(c.description),
    ]),
  );
}

/** Feature by feature: the overall mean, then each cluster's mean and median. */
export function profileTable(p: ClusterProfiles): string {
  const head = ["feature", "all: mean", ...p.clusters.flatMap((c) => [`${clusterName(c.cluster)}: mean`, "median"])];
  const rows = p.features.map((f, j) => [
    esc(label(f)),
    num(fmtAuto(p.overallMean[j])),
    ...p.clusters.flatMap((c) => [num(fmtAuto(c.mean[j])), num(fmtAuto(c.median[j]))]),
  ]);
  return table("profile", head, rows);
}

/** Money with the currency's symbol where one was given, else the bare amount. */
function money(v: number, currency: Currency | undefined, decimals = 2): string {
  const amount = fmt(Math.abs(v), decimals);
  return `${v < 0 ? "-" : ""}${currency ? currency.symbol : ""}${amount}`;
}

/** What each segment is worth: customers, revenue and their shares, order value, frequency, recency, cancellations. */
export function businessTable(segments: readonly SegmentFigures[], currency?: Currency): string {
  const unit = currency ? ` (${currency.code})` : "";
  return table(
    "business",
    ["segment", "customers", "share", `revenue${unit}`, "revenue share", `avg order${unit}`, "orders / customer", "median recency (days)", "cancelled orders"],
    segments.map((s) => [
      `${s.cluster === null ? "" : swatch(s.cluster)}${esc(s.name)}`,
      num(fmt(s.customers)),
      num(pct(s.share)),
      num(money(s.revenue, currency, 0)),
      num(pct(s.revenueShare)),
      num(money(s.averageOrderValue, currency)),
      num(fmt(s.purchaseFrequency, 1)),
      num(fmt(s.recencyDays, 0)),
      num(pct(s.cancellationRate)),
    ]),
  );
}

/** Each segment's ten best sellers by net quantity, with their revenue. */
export function topProductsTable(segments: readonly SegmentFigures[], currency?: Currency): string {
  const unit = currency ? ` (${currency.code})` : "";
  return segments
    .map((s) =>
      `<h3>${esc(s.name)}</h3>` +
      table(
        "top-products",
        ["#", "stock code", "description", "quantity", `revenue${unit}`],
        s.topProducts.map((t, r) => [num(String(r + 1)), esc(t.stockCode), esc(t.description), num(fmt(t.quantity)), num(money(t.revenue, currency, 0))]),
      ),
    )
    .join("");
}
