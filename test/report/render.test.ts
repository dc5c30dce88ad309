import { test } from "uvu";
import * as assert from "uvu/assert";
import { BIPLOT_ARROWS, BIPLOT_CAP } from "../../src/report/charts/biplot.js";
import { PAIRS_CAP } from "../../src/report/charts/pairs.js";
import { renderReport, STYLE } from "../../src/report/render.js";
import { FONT_PX, MIN_RENDERED_PX } from "../../src/report/svg.js";
import { components, FEATURES, sampleReport } from "./fixture.js";

const CHARTS = ["sizes", "profile", "biplot", "pairs", "histograms", "silhouette", "variance", "correlation"];

function chart(html: string, name: string): string {
  const found = html.match(new RegExp(`<svg data-chart="${name}"[\\s\\S]*?</svg>`, "g")) ?? [];
  assert.is(found.length, 1, `exactly one ${name} chart`);
  return found[0] ?? "";
}
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

/** The text of each cell of a table, row by row (tags stripped, entities left as they are). */
function tableCells(html: string, name: string): string[][] {
  const table = html.match(new RegExp(`<table data-table="${name}">([\\s\\S]*?)</table>`))?.[1];
  assert.ok(table, `table ${name}`);
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<t[dh]>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1].replace(/<[^>]*>/g, "")),
  );
}

const base = sampleReport(3, 1200);
const html = renderReport(base);

test("self-contained: no network references, no scripts, no external styles or fonts", () => {
  assert.not.match(html, /https?:\/\//);
  assert.not.match(html, /<script/i);
  assert.not.match(html, /<link/i);
  assert.not.match(html, /@import|url\(/);
  assert.not.match(html, /\b(src|href)\s*=/i);
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<meta charset="utf-8">/);
});

test("one <svg> per chart, and nothing else drawn", () => {
  assert.is(count(html, /<svg /g), CHARTS.length);
  for (const name of CHARTS) chart(html, name);
});

test("each chart has the expected number of marks", () => {
  const k = 3;
  const f = FEATURES.length;
  assert.is(count(chart(html, "sizes"), /class="bar"/g), k);
  assert.is(count(chart(html, "biplot"), /class="pt"/g), 1200);
  assert.is(count(chart(html, "biplot"), /class="feature-arrow"/g), BIPLOT_ARROWS);
  assert.is(count(chart(html, "pairs"), /class="pair"/g), 3);
  assert.is(count(chart(html, "pairs"), /class="pt"/g), 3 * 1200);
  assert.is(count(chart(html, "silhouette"), /class="band"/g), k);
  assert.is(count(chart(html, "variance"), /class="bar( kept)?"/g), 10);
  assert.is(count(chart(html, "variance"), /class="bar kept"/g), 6);
  assert.is(count(chart(html, "variance"), /class="cumulative-pt"/g), 10);
  assert.is(count(chart(html, "variance"), /class="threshold"/g), 1);
  assert.is(count(chart(html, "correlation"), /class="cell"/g), f * f);
  assert.is(count(chart(html, "profile"), /class="cell"/g), k * f);
  assert.is(count(chart(html, "histograms"), /class="panel"/g), 3 * k);
  assert.ok(count(chart(html, "histograms"), /class="bin"/g) > 3 * k, "histogram bins drawn");
  assert.is(count(chart(html, "histograms"), /class="y-axis"/g), 3 * k, "a y axis on every histogram");
});

test("every cluster count k = 1..8 renders cleanly", () => {
  for (let k = 1; k <= 8; k++) {
    // k = 1 has no silhouette or Davies–Bouldin: missing metrics print as a dash, never NaN
    const undefinedMetrics = { silhouette: Number.NaN, daviesBouldin: Number.NaN, calinskiHarabasz: Number.NaN, inertia: 812.5 };
    const out = renderReport(sampleReport(k, 400, k === 1 ? { metrics: undefinedMetrics } : {}));
    assert.is(count(chart(out, "sizes"), /class="bar"/g), k, `k=${k} bars`);
    assert.is(count(chart(out, "silhouette"), /class="band"/g), k, `k=${k} bands`);
    assert.is(count(chart(out, "profile"), /class="cell"/g), k * FEATURES.length, `k=${k} cells`);
    assert.is(count(chart(out, "histograms"), /class="panel"/g), 3 * k, `k=${k} panels`);
    for (let c = 0; c < k; c++) assert.ok(out.includes(`Cluster ${c} (`), `k=${k}: legend of cluster ${c}`);
    assert.not.match(out, /NaN|undefined|Infinity|\[object/, `k=${k}: no broken values`);
    if (k === 1) assert.equal(tableCells(out, "metrics").slice(1).map((r) => r[1]), ["–", "–", "–", "812.5"]);
  }
});

test("hostile names are escaped everywhere", () => {
  const evil = "<script>alert('x')</script>";
  const features = [evil, ...FEATURES.slice(1)];
  const out = renderReport(
    sampleReport(2, 200, { title: `Report ${evil}`, input: `"><img onerror=alert(1)>.csv`, runId: "a&b" }, features),
  );
  assert.not.match(out, /<script|<img/i);
  assert.ok(out.includes("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "escaped feature name");
  assert.ok(out.includes("&quot;&gt;&lt;img onerror=alert(1)&gt;.csv"), "escaped input name");
  assert.ok(out.includes("a&amp;b"), "escaped run id");
});

test("table numbers match the input", () => {
  assert.equal(tableCells(html, "steps"), [
    ["step", "counts", "count", "change", "time (ms)"],
    ["load", "rows", "541,909", "", "2,291.5"],
    ["missing", "rows", "406,829", "-135,080", "32.3"],
    ["duplicates", "rows", "401,550", "-5,279", "17"],
    ["features", "customers", "4,282", "", "120.4"],
    ["outliers", "customers", "4,067", "-215", "–"],
    ["total", "", "", "", "2,461.2"],
  ]);
  assert.equal(tableCells(html, "metrics").map((r) => r.slice(0, 2)), [
    ["metric", "value"],
    ["Silhouette", "0.2257"],
    ["Davies–Bouldin", "1.5488"],
    ["Calinski–Harabasz", "1,066.27"],
    ["Inertia", "42,603.28"],
  ]);
  const clusters = tableCells(html, "clusters").slice(1);
  const sizes = base.profiles.clusters.map((c) => c.size);
  assert.equal(
    clusters.map((r) => r[1]),
    base.profiles.clusters.map((c) => c.name),
  );
  assert.equal(
    clusters.map((r) => Number(r[2].replace(/,/g, ""))),
    sizes,
  );
  assert.equal(
    clusters.map((r) => r[3]),
    sizes.map((s) => `${((100 * s) / 1200).toFixed(1).replace(/\.0$/, "")}%`),
  );
  assert.equal(
    clusters.map((r) => r[5]),
    base.profiles.clusters.map((c) => c.description),
  );
  // profile table: one row per feature, overall mean then mean and median per cluster
  const profile = tableCells(html, "profile");
  assert.is(profile.length, FEATURES.length + 1);
  assert.is(profile[1][0], "Days Since Last Purchase");
  assert.is(Number(profile[1][2].replace(/,/g, "")).toFixed(0), base.profiles.clusters[0].mean[0].toFixed(0));
});

test("above the caps the maps show an evenly spaced sample and say so; file stays small", () => {
  const big = renderReport(sampleReport(4, 12000));
  const biplot = chart(big, "biplot");
  assert.is(count(biplot, /class="pt"/g), BIPLOT_CAP);
  assert.ok(biplot.includes("Showing 3,000 of 12,000 customers"), "sample note in the chart");
  assert.is(count(chart(big, "pairs"), /class="pt"/g), 3 * PAIRS_CAP);
  assert.ok(big.length < 2_000_000, `report is ${big.length} bytes`);
  const atCap = renderReport(sampleReport(3, BIPLOT_CAP));
  assert.is(count(chart(atCap, "biplot"), /class="pt"/g), BIPLOT_CAP);
  assert.ok(atCap.length < 2_000_000, `report at the cap is ${atCap.length} bytes`);
});

test("loadings: one row per kept component, its share of the variance and its strongest features, signed", () => {
  const rows = tableCells(html, "loadings");
  assert.equal(rows[0], ["component", "variance", "strongest features (weight)", "a higher score means"]);
  assert.is(rows.length - 1, 6);
  // The fixture's component c weighs feature c most (+) and feature c + 1 next (−).
  const [name, share, strongest, reading] = rows[1]!;
  assert.is(name, "PC1");
  assert.is(share, "30%");
  assert.match(strongest, /^\+0\.\d\d Days Since Last Purchase−0\.\d\d Total Transactions/);
  assert.match(reading, /^more Days Since Last Purchase, less Total Transactions, /);
  assert.match(rows[2]![2]!, /^\+0\.\d\d Total Transactions−0\.\d\d Total Products Purchased/);
});

test("biplot arrows: the features with the longest weights on PC1/PC2, labels apart from each other", () => {
  const biplot = chart(html, "biplot");
  const arrows = [...biplot.matchAll(/class="feature-arrow" data-feature="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(arrows.slice(0, 2), ["Total_Transactions", "Days_Since_Last_Purchase"]);
  const labels = [...biplot.matchAll(/<text class="arrow-label" x="([-\d.]+)" y="([-\d.]+)">([^<]+)</g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3]! }));
  assert.is(labels.length, BIPLOT_ARROWS);
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [labels[i]!, labels[j]!];
      const apart = Math.abs(a.y - b.y) >= 14 || a.x + a.text.length * 7 <= b.x || b.x + b.text.length * 7 <= a.x;
      assert.ok(apart, `labels "${a.text}" and "${b.text}" overlap`);
    }
  }
});

test("with fewer than three components kept there are no PC1–PC3 pairs; with one, no arrows", () => {
  const two = sampleReport(3, 300);
  const out = renderReport({ ...two, customers: { ...two.customers, pc3: undefined }, pca: { ...two.pca, chosen: 2, components: components(2, FEATURES.length) } });
  assert.not.match(out, /data-chart="pairs"/);
  assert.is(tableCells(out, "loadings").length - 1, 2);
  // One component: the map has no second axis to draw arrows on.
  const one = renderReport({ ...two, customers: { ...two.customers, pc2: new Float64Array(300), pc3: undefined }, pca: { ...two.pca, chosen: 1, components: components(1, FEATURES.length) } });
  assert.is(count(chart(one, "biplot"), /class="feature-arrow"/g), 0);
  assert.is(tableCells(one, "loadings").length - 1, 1);
  assert.not.match(one, /NaN|undefined|Infinity/);
});

test("pipeline table: the parts of a step sit under it, untimed, their changes counted from what it started with", () => {
  const out = renderReport(
    sampleReport(2, 200, {
      steps: [
        { step: "load", unit: "rows", count: 1000, ms: 12.5 },
        { step: "clean", unit: "rows", count: 700, ms: 3.2 },
        { step: "missing", unit: "rows", count: 900, partOf: "clean" },
        { step: "zero price", unit: "rows", count: 700, partOf: "clean" },
        { step: "features", unit: "customers", count: 40, ms: 1.1 },
        { step: "outliers", unit: "customers", count: 38, ms: 0.4 },
      ],
    }),
  );
  assert.equal(tableCells(out, "steps").slice(1), [
    ["load", "rows", "1,000", "", "12.5"],
    ["clean", "rows", "700", "-300", "3.2"],
    ["missing", "rows", "900", "-100", ""],
    ["zero price", "rows", "700", "-200", ""],
    ["features", "customers", "40", "", "1.1"],
    ["outliers", "customers", "38", "-2", "0.4"],
    ["total", "", "", "", "17.2"],
  ]);
});

test("every chart keeps its text readable: it scrolls rather than shrink under 10 px text", () => {
  for (const m of html.matchAll(/<svg data-chart="[^"]+" viewBox="0 0 (\d+) \d+"[^>]*style="min-width:(\d+)px"/g)) {
    assert.ok(Number(m[2]) >= (Number(m[1]) * MIN_RENDERED_PX) / FONT_PX.smallest, `${m[0]}`);
  }
  const sizes = [...STYLE.matchAll(/svg[^{]*\{[^}]*?font(?:-size)?:\s*([\d.]+)px/g)].map((m) => Number(m[1]));
  assert.ok(sizes.length >= 5, "chart font sizes found");
  assert.ok(Math.min(...sizes) >= FONT_PX.smallest, `chart font sizes ${sizes}`);
});

test("deterministic: the same data renders to the same bytes", () => {
  assert.is(renderReport(sampleReport(3, 1200)), html);
});

test("mismatched shapes are refused", () => {
  const short = { ...base, customers: { ...base.customers, pc1: new Float64Array(5) } };
  assert.throws(() => renderReport(short), /customers.pc1 has 5 values for 1200 labels/);
  const badLabel = { ...base, silhouette: { values: new Float64Array(1), labels: Int32Array.from([7]) } };
  assert.throws(() => renderReport(badLabel), /silhouette.labels holds a label outside 0..2/);
  const fewer = { ...base, pca: { ...base.pca, components: components(4, FEATURES.length) } };
  assert.throws(() => renderReport(fewer), /4 PCA components for 6 kept/);
});

test.run();
