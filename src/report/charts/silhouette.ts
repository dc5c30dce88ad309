import { axisBottom, clusterColour, clusterName, fmt, linear, n1, niceTicks, svgDoc, text } from "../svg.js";

/** Vertices per cluster outline: enough for a smooth edge, few enough to keep the file small. */
const MAX_VERTICES = 400;
/**
 * And at most this many per pixel of the band's height: two samples per pixel row draw the same
 * edge as every customer would, and a tune's nine plots stay cheap to build and to display.
 */
const VERTICES_PER_PX = 2;

/**
 * The classic silhouette plot: per cluster, the samples' silhouette values sorted from high to low
 * as one horizontal band (height ∝ cluster size), and a dashed line at the mean over all samples.
 */
export function silhouetteChart(values: Float64Array, labels: Int32Array, k: number): string {
  const width = 820;
  const left = 150;
  const right = 30;
  const top = 26;
  const plotHeight = 420;
  const gap = 8;
  // Each cluster's values in a typed array of its own, sorted natively (ascending, read from the
  // end) rather than through a comparator function called for every comparison.
  const sizes = new Int32Array(k);
  let sum = 0;
  let n = 0;
  let lo = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    sizes[labels[i]]++;
    sum += v;
    n++;
    if (v < lo) lo = v;
  }
  const perCluster = Array.from(sizes, (size) => new Float64Array(size));
  const filled = new Int32Array(k);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) perCluster[labels[i]][filled[labels[i]]++] = v;
  }
  const mean = n > 0 ? sum / n : Number.NaN;
  // A minimum band height keeps small clusters visible and their labels apart.
  const minBand = 32;
  const free = Math.max(0, plotHeight - gap * (k - 1) - minBand * k);
  const heights = perCluster.map((vs) => minBand + (n > 0 ? (free * vs.length) / n : free / k));
  const height = top + heights.reduce((a, b) => a + b, 0) + gap * (k - 1) + 50;
  const x = linear([Math.min(-0.2, Math.floor(lo * 10) / 10), 1], [left, width - right]);
  const x0 = x(0);

  let bands = "";
  let yTop = top;
  perCluster.forEach((vs, c) => {
    vs.sort();
    const last = vs.length - 1;
    const h = heights[c];
    if (vs.length > 0) {
      const steps = Math.min(vs.length, MAX_VERTICES, Math.max(2, Math.ceil(h * VERTICES_PER_PX)));
      let d = `M${n1(x0)} ${n1(yTop)}`;
      // From the highest value down, at evenly spaced ranks, the extremes included.
      for (let s = 0; s < steps; s++) {
        const rank = steps === 1 ? 0 : Math.round((s * last) / (steps - 1));
        d += `L${n1(x(vs[last - rank]))} ${n1(yTop + (h * (s + 0.5)) / steps)}`;
      }
      d += `L${n1(x0)} ${n1(yTop + h)}Z`;
      bands += `<path class="band" d="${d}" fill="${clusterColour(c)}" fill-opacity="0.85"/>`;
    }
    // Summed from the highest value down, as the band is drawn.
    let total = 0;
    for (let i = last; i >= 0; i--) total += vs[i];
    const clusterMean = vs.length > 0 ? total / vs.length : Number.NaN;
    bands += text(left - 10, yTop + h / 2 - 3, clusterName(c), 'text-anchor="end"');
    bands += text(left - 10, yTop + h / 2 + 14, `mean ${fmt(clusterMean, 3)} · n=${fmt(vs.length)}`, 'text-anchor="end" class="small"');
    yTop += h + gap;
  });
  const axisY = yTop - gap + 6;
  let body = axisBottom(x, axisY, { ticks: niceTicks(x.domain[0], 1, 6), title: "silhouette value", grid: axisY - top });
  body += bands;
  body += `<line class="zero" x1="${n1(x0)}" x2="${n1(x0)}" y1="${top}" y2="${n1(axisY)}"/>`;
  if (Number.isFinite(mean)) {
    const xm = x(mean);
    body += `<line class="mean" x1="${n1(xm)}" x2="${n1(xm)}" y1="${top - 6}" y2="${n1(axisY)}"/>`;
    body += text(xm + 4, top - 10, `mean ${fmt(mean, 3)} over ${fmt(n)} samples`);
  }
  return svgDoc("silhouette", width, height, "Silhouette values per cluster", body);
}
