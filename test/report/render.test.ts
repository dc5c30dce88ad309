import { test } from "uvu";
import * as assert from "uvu/assert";
import { SCATTER_CAP } from "../../src/report/charts/scatter.js";
import { renderReport } from "../../src/report/render.js";
import { FEATURES, sampleReport } from "./fixture.js";

const CHARTS = ["sizes", "profile", "scatter", "histograms", "silhouette", "variance", "correlation"];

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
  assert.is(count(chart(html, "scatter"), /class="pt"/g), 1200);
  assert.is(count(chart(html, "silhouette"), /class="band"/g), k);
  assert.is(count(chart(html, "variance"), /class="bar( kept)?"/g), 10);
  assert.is(count(chart(html, "variance"), /class="bar kept"/g), 6);
  assert.is(count(chart(html, "variance"), /class="cumulative-pt"/g), 10);
  assert.is(count(chart(html, "variance"), /class="threshold"/g), 1);
  assert.is(count(chart(html, "correlation"), /class="cell"/g), f * f);
  assert.is(count(chart(html, "profile"), /class="cell"/g), k * f);
  assert.is(count(chart(html, "histograms"), /class="panel"/g), 3 * k);
  assert.ok(count(chart(html, "histograms"), /class="bin"/g) > 3 * k, "histogram bins drawn");
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

test("above the cap the scatter shows an evenly spaced sample and says so; file stays small", () => {
  const big = renderReport(sampleReport(4, 12000));
  const scatter = chart(big, "scatter");
  assert.is(count(scatter, /class="pt"/g), SCATTER_CAP);
  assert.ok(scatter.includes("Showing 5,000 of 12,000 customers"), "sample note in the chart");
  assert.ok(big.length < 2_000_000, `report is ${big.length} bytes`);
  const atCap = renderReport(sampleReport(3, SCATTER_CAP));
  assert.is(count(chart(atCap, "scatter"), /class="pt"/g), SCATTER_CAP);
  assert.ok(atCap.length < 2_000_000, `report at the cap is ${atCap.length} bytes`);
});

test("deterministic: the same data renders to the same bytes", () => {
  assert.is(renderReport(sampleReport(3, 1200)), html);
});

test("mismatched shapes are refused", () => {
  const short = { ...base, customers: { ...base.customers, pc1: new Float64Array(5) } };
  assert.throws(() => renderReport(short), /customers.pc1 has 5 values for 1200 labels/);
  const badLabel = { ...base, silhouette: { values: new Float64Array(1), labels: Int32Array.from([7]) } };
  assert.throws(() => renderReport(badLabel), /silhouette.labels holds a label outside 0..2/);
});

test.run();
