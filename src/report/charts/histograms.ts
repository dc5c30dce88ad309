import { axisBottom, axisLeft, clusterColour, clusterName, fmt, linear, n1, niceDomain, niceTicks, pct, svgDoc, text, textWidth } from "../svg.js";

export interface HistogramInput {
  readonly recency: Float64Array;
  readonly frequency: Float64Array;
  readonly spend: Float64Array;
  readonly labels: Int32Array;
  readonly k: number;
}

const MAX_BINS = 24;
/** The spend axis starts at the power of ten below this quantile. */
const LOG_FLOOR_QUANTILE = 0.01;
/** Frequency is clipped at this quantile: a few wholesale accounts would squeeze everyone else into one bin. */
export const FREQUENCY_CLIP_QUANTILE = 0.99;

/** Bins in display space: `pos(v)` maps a value onto the axis, `[lo, hi]` is cut into `count` bins. */
export interface Binning {
  readonly title: string;
  /** a second, smaller line under the title: the unit and how the axis is cut */
  readonly detail: string;
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  readonly pos: (v: number) => number;
  readonly ticks: readonly number[];
  readonly tickLabel: (t: number) => string;
}

export function binIndex(b: Binning, v: number): number {
  const p = b.pos(v);
  if (!Number.isFinite(p)) return -1;
  const i = Math.floor(((p - b.lo) / (b.hi - b.lo)) * b.count);
  return Math.max(0, Math.min(b.count - 1, i)); // values beyond the clip land in the end bins
}

function quantile(values: Float64Array, q: number): number {
  const finite = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite[n++] = values[i]!;
  const sorted = finite.subarray(0, n).sort();
  return n > 0 ? sorted[Math.floor(q * (n - 1))]! : Number.NaN;
}

function finiteRange(values: Float64Array): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Linear bins; for whole-number data each bin spans a whole number of units, so no bin is empty by construction. */
export function linearBinning(title: string, detail: string, values: Float64Array, lo: number, hi: number): Binning {
  let integer = true;
  for (let i = 0; i < values.length && integer; i++) integer = !Number.isFinite(values[i]) || Number.isInteger(values[i]);
  const ticks = niceTicks(lo, hi, 4);
  let count = MAX_BINS;
  if (integer) {
    // Bins centred on whole numbers, so the tick for 3 sits under the bar of 3.
    const width = Math.max(1, Math.ceil((hi - lo + 1) / MAX_BINS));
    count = Math.max(1, Math.ceil((hi - lo + 1) / width));
    lo -= 0.5;
    hi = lo + count * width;
  } else if (hi === lo) hi = lo + 1;
  return { title, detail, lo, hi, count, pos: (v) => v, ticks, tickLabel: (t) => fmt(t) };
}

/**
 * log10 bins from the power of ten below the 1st percentile (at least 1) up to the maximum; smaller
 * values (no spend, net refunds) count in the first bin.
 */
export function logBinning(title: string, detail: string, values: Float64Array): Binning {
  const [, max] = finiteRange(values);
  const hi = Math.max(1, Math.log10(Math.max(1, max)));
  const low = quantile(values, LOG_FLOOR_QUANTILE);
  const lo = Math.min(Math.floor(hi) - 1, Math.max(0, Math.floor(Math.log10(Math.max(1, Number.isFinite(low) ? low : 1)))));
  const ticks: number[] = [];
  for (let e = lo; e <= Math.floor(hi); e++) ticks.push(e);
  return {
    title,
    detail,
    lo,
    hi,
    count: MAX_BINS,
    pos: (v) => (Number.isFinite(v) ? Math.log10(Math.max(1, v)) : Number.NaN), // below lo: clamped into bin 0
    ticks,
    tickLabel: (e) => (e >= 6 ? `${fmt(10 ** (e - 6))}M` : e >= 3 ? `${fmt(10 ** (e - 3))}k` : fmt(10 ** e)),
  };
}

/** Customers per (cluster, bin), cluster-major; values without a bin (not finite) are not counted. */
function binCounts(binning: Binning, values: Float64Array, labels: Int32Array, k: number): Int32Array {
  const counts = new Int32Array(k * binning.count);
  for (let i = 0; i < labels.length; i++) {
    const b = binIndex(binning, values[i]!);
    if (b >= 0) counts[labels[i]! * binning.count + b]!++;
  }
  return counts;
}

/** Tick labels for shares: as few decimals as tell the ticks apart (0% 5% 10%, or 0% 0.2% 0.4%). */
function shareLabel(ticks: readonly number[]): (v: number) => string {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const decimals = Math.max(0, Math.ceil(-Math.log10(step * 100) - 1e-9));
  return (v) => pct(v, decimals);
}

/**
 * Small multiples: one row per cluster, one column per measure (recency, frequency, spend). Every
 * panel of a column shares its bins and its y scale (share of the cluster's customers, ticked on
 * every panel), so clusters compare at a glance whatever their size.
 */
export function histogramsChart(input: HistogramInput): string {
  const { labels, k } = input;
  const [rLo, rHi] = finiteRange(input.recency);
  const [fLo] = finiteRange(input.frequency);
  const fClip = quantile(input.frequency, FREQUENCY_CLIP_QUANTILE);
  const measures: { values: Float64Array; binning: Binning }[] = [
    { values: input.recency, binning: linearBinning("Recency", "days since last purchase", input.recency, rLo, rHi) },
    {
      values: input.frequency,
      binning: linearBinning(
        "Frequency",
        `transactions; last bin ≥ ${fmt(fClip)}`,
        input.frequency,
        fLo,
        Number.isFinite(fClip) ? fClip : fLo,
      ),
    },
    { values: input.spend, binning: logBinning("Spend", "total, log scale", input.spend) },
  ];

  // shares[m][c][b]: share of cluster c's customers in bin b of measure m
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) sizes[labels[i]!]!++;
  const shares = measures.map(({ values, binning }) => {
    const counts = binCounts(binning, values, labels, k);
    return Array.from({ length: k }, (_, c) =>
      Array.from(counts.subarray(c * binning.count, (c + 1) * binning.count), (n) => (sizes[c]! > 0 ? n / sizes[c]! : 0)),
    );
  });

  const panelW = 180;
  const panelH = 70;
  const gapX = 62; // room for the next column's y-axis labels
  const gapY = 28;
  const yLabels = 52; // the first column's y-axis labels, between the cluster names and the panels
  const left = Math.ceil(Math.max(...Array.from({ length: k }, (_, c) => textWidth(clusterName(c))))) + 10 + yLabels;
  const top = 48;
  const width = left + 3 * panelW + 2 * gapX + 20;
  const height = top + k * (panelH + gapY) + 30;

  let body = "";
  measures.forEach(({ binning }, m) => {
    const x0 = left + m * (panelW + gapX);
    body += text(x0, 16, binning.title, 'class="panel-title"');
    body += text(x0, 33, binning.detail, 'class="small"');
    // One y scale per column, topped at a round share so its highest tick sits on the panel's top.
    const [, yMax] = niceDomain(0, Math.max(1e-9, ...shares[m].flat()), 2);
    const yTicks = niceTicks(0, yMax, 2);
    const x = linear([binning.lo, binning.hi], [x0, x0 + panelW]);
    const bw = panelW / binning.count;
    for (let c = 0; c < k; c++) {
      const yBase = top + c * (panelH + gapY) + panelH;
      const y = linear([0, yMax], [yBase, yBase - panelH]);
      body += `<g class="panel" data-measure="${m}" data-cluster="${c}" fill="${clusterColour(c)}">`;
      shares[m][c].forEach((s, b) => {
        if (s > 0) body += `<rect class="bin" x="${n1(x0 + b * bw + 0.5)}" y="${n1(y(s))}" width="${n1(bw - 1)}" height="${n1(yBase - y(s))}"/>`;
      });
      body += `<line class="baseline" x1="${x0}" x2="${x0 + panelW}" y1="${yBase}" y2="${yBase}"/>`;
      body += "</g>";
      body += `<g class="y-axis" data-measure="${m}" data-cluster="${c}">${axisLeft(y, x0, { ticks: yTicks, format: shareLabel(yTicks) })}</g>`;
      if (m === 0) body += text(left - yLabels, yBase - panelH / 2 + 4, clusterName(c), 'text-anchor="end"');
    }
    const axisY = top + k * (panelH + gapY) - gapY + 2;
    body += axisBottom(x, axisY, { ticks: binning.ticks.filter((t) => t >= binning.lo && t <= binning.hi), format: binning.tickLabel });
  });
  return svgDoc("histograms", width, height, "Recency, frequency and spend per cluster", body);
}
