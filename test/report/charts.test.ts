import { test } from "uvu";
import * as assert from "uvu/assert";
import { binIndex, histogramsChart, linearBinning, logBinning } from "../../src/report/charts/histograms.js";
import { scatterChart } from "../../src/report/charts/scatter.js";
import { strongestLoadings, strongestOnPlane } from "../../src/report/loadings.js";
import { silhouetteChart } from "../../src/report/charts/silhouette.js";
import { sizesChart } from "../../src/report/charts/sizes.js";
import { varianceChart } from "../../src/report/charts/variance.js";

const attr = (svg: string, cls: string, name: string) =>
  [...svg.matchAll(new RegExp(`<[a-z]+ class="${cls}"[^>]*?\\s${name}="([^"]*)"`, "g"))].map((m) => m[1]);

test("sizes: bar lengths are proportional to the cluster sizes, labels carry count and share", () => {
  const svg = sizesChart([300, 150, 50]);
  const widths = attr(svg, "bar", "width").map(Number);
  assert.is(widths.length, 3);
  assert.ok(Math.abs(widths[0] / widths[1] - 2) < 0.01 && Math.abs(widths[0] / widths[2] - 6) < 0.05);
  assert.ok(svg.includes(">300 (60%)<") && svg.includes(">150 (30%)<") && svg.includes(">50 (10%)<"));
});

test("spend bins: log10 from 1 up; zero and net refunds fall into the first bin", () => {
  const b = logBinning("spend", "", Float64Array.from([0, -20, 5, 100, 10000]));
  assert.is(b.lo, 0);
  assert.is(b.hi, 4);
  assert.is(binIndex(b, 0), 0);
  assert.is(binIndex(b, -20), 0);
  assert.is(binIndex(b, 1), 0);
  assert.is(binIndex(b, 10000), b.count - 1);
  assert.is(binIndex(b, 100), Math.floor(b.count / 2));
  assert.equal(b.ticks.map(b.tickLabel), ["1", "10", "100", "1k", "10k"]);
  assert.is(binIndex(b, Number.NaN), -1);
  // typical customers spend 50 to 5,000: the axis starts at 10, and a zero still counts in bin 0
  const spend = Float64Array.from({ length: 200 }, (_, i) => (i === 0 ? 0 : 50 + i * 25));
  const typical = logBinning("spend", "", spend);
  assert.is(typical.lo, 1);
  assert.equal(typical.ticks.map(typical.tickLabel), ["10", "100", "1k"]);
  assert.is(binIndex(typical, 0), 0);
});

test("whole-number bins are centred on whole numbers; values beyond a clip land in the last bin", () => {
  const values = Float64Array.from([1, 2, 3, 4, 5, 400]);
  const b = linearBinning("frequency", "", values, 1, 5);
  assert.is(b.count, 5);
  assert.is(b.lo, 0.5);
  assert.is(b.hi, 5.5);
  assert.equal([1, 2, 3, 4, 5, 400].map((v) => binIndex(b, v)), [0, 1, 2, 3, 4, 4]);
  const wide = linearBinning("recency", "", Float64Array.from([0, 373]), 0, 373);
  assert.ok(wide.count <= 24 && wide.count * 16 >= 374, "at most 24 bins of a whole width");
});

test("histograms: bins of each panel sum to the cluster (shares), one panel per cluster and measure", () => {
  const labels = Int32Array.from([0, 0, 0, 1]);
  const svg = histogramsChart({
    recency: Float64Array.from([1, 2, 3, 4]),
    frequency: Float64Array.from([1, 1, 2, 9]),
    spend: Float64Array.from([10, 100, 1000, 0]),
    labels,
    k: 2,
  });
  assert.is((svg.match(/class="panel"/g) ?? []).length, 6);
  // cluster 1's single customer fills one bin per measure
  const panel = svg.match(/<g class="panel" data-measure="2" data-cluster="1"[^>]*>([\s\S]*?)<\/g>/)?.[1] ?? "";
  assert.is((panel.match(/class="bin"/g) ?? []).length, 1);
  // Every panel has its y axis, ticked in shares from 0% up to the tallest bar of its column.
  const axes = [...svg.matchAll(/<g class="y-axis" data-measure="(\d)" data-cluster="(\d)">([\s\S]*?)<\/g><\/g>/g)];
  assert.is(axes.length, 6);
  for (const [, , , axis] of axes) {
    const ticks = [...axis!.matchAll(/>([\d.]+)%</g)].map((m) => Number(m[1]));
    assert.ok(ticks.length >= 2 && ticks[0] === 0, `ticks ${ticks}`);
    assert.is(ticks.at(-1), 100, "the top tick covers the tallest bar (cluster 1's one customer)");
  }
});

test("loadings: each component's features by |weight|, sign kept; on a plane, by arrow length", () => {
  const c = { data: Float64Array.from([0.1, -0.7, 0.7, 0.1, 0.6, 0, 0, -0.8, 0.1]), rows: 3, cols: 3 };
  assert.equal(strongestLoadings(c, 2)[0], [
    { feature: 1, weight: -0.7 },
    { feature: 2, weight: 0.7 },
  ]);
  assert.equal(
    strongestLoadings(c, 5).map((row) => row.length),
    [3, 3, 3],
  );
  assert.equal(
    strongestOnPlane(c, 0, 1, 2).map((l) => l.feature),
    [1, 2],
  );
  assert.equal(
    strongestOnPlane(c, 1, 2, 3).map((l) => l.feature),
    [1, 0, 2],
  );
});

test("silhouette: one band per cluster with a bounded outline; the mean line shows the sample mean", () => {
  const n = 3000;
  const values = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.1);
  const labels = Int32Array.from({ length: n }, (_, i) => (i < 2000 ? 0 : 1));
  const svg = silhouetteChart(values, labels, 2);
  const bands = attr(svg, "band", "d");
  assert.is(bands.length, 2);
  assert.ok((bands[0].match(/L/g) ?? []).length <= 402, "outline resampled");
  const mean = values.reduce((a, b) => a + b, 0) / n;
  assert.ok(svg.includes(`mean ${mean.toFixed(3).replace(/0+$/, "")} over 3,000 samples`), "mean label");
});

test("silhouette: a band's outline has at most two vertices per pixel of its height, and keeps each cluster's highest and lowest value", () => {
  const n = 4000;
  const k = 10;
  // Cluster c holds every tenth customer; its values spread over [-0.5, 0.9], both ends present.
  const values = Float64Array.from({ length: n }, (_, i) => -0.5 + (1.4 * Math.floor(i / k)) / (n / k - 1));
  const labels = Int32Array.from({ length: n }, (_, i) => i % k);
  const bands = attr(silhouetteChart(values, labels, k), "band", "d");
  assert.is(bands.length, k);
  for (const d of bands) {
    const points = [...d.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const height = points[points.length - 1]![1]! - points[0]![1]!;
    const outline = points.slice(1, -1);
    assert.ok(outline.length <= Math.ceil(2 * height), `${outline.length} vertices for ${height} px`);
    assert.ok(outline.length >= 2 * height - 2, "no coarser than two per pixel");
    // x spans [-0.5, 1] over [150, 790]: 0.9 at 747.3, -0.5 at 150.
    assert.equal([outline[0]![0], outline[outline.length - 1]![0]], [747.3, 150]);
  }
});

test("variance: bars for all components, the kept ones coloured, threshold and kept count labelled", () => {
  const svg = varianceChart([0.5, 0.3, 0.15, 0.05], 2, 0.8);
  assert.is((svg.match(/class="bar( kept)?"/g) ?? []).length, 4);
  assert.is((svg.match(/class="bar kept"/g) ?? []).length, 2);
  assert.ok(svg.includes(">threshold 80%<"));
  assert.ok(svg.includes(">kept: 2 of 4<"));
  assert.ok(svg.includes(">cumulative 80%<"));
});

test("scatter: points without finite coordinates are left out and counted", () => {
  const svg = scatterChart(Float64Array.from([0, 1, Number.NaN]), Float64Array.from([0, 1, 2]), Int32Array.from([0, 1, 1]), 2);
  assert.is((svg.match(/class="pt"/g) ?? []).length, 2);
  assert.ok(svg.includes("1 without finite coordinates left out."));
  assert.ok(svg.includes(">Cluster 1 (2)<"), "legend counts the whole cluster");
});

test.run();
