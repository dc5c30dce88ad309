import {
  axisBottom,
  axisLeft,
  clusterColour,
  clusterName,
  extent,
  fmt,
  legend,
  linear,
  n1,
  niceDomain,
  niceTicks,
  type Scale,
  svgDoc,
  text,
} from "../svg.js";

/** Above this many customers the scatter shows an evenly spaced sample, and says so. */
export const SCATTER_CAP = 5000;

/**
 * `cap` row indices spread evenly over 0..n−1 (all of them when n ≤ cap). Rows come in customer
 * order, so an even stride is a fair sample, and it is the same on every run.
 */
export function evenSample(n: number, cap: number): Int32Array {
  const out = new Int32Array(Math.min(n, cap));
  if (n <= cap) for (let i = 0; i < n; i++) out[i] = i;
  else for (let i = 0; i < cap; i++) out[i] = Math.floor((i * n) / cap);
  return out;
}

/** The `rows` of each cluster 0..k−1, in the order given. */
export function rowsByCluster(rows: Int32Array, labels: Int32Array, k: number): Int32Array[] {
  const sizes = new Int32Array(k);
  for (let r = 0; r < rows.length; r++) sizes[labels[rows[r]!]!]!++;
  const out = Array.from(sizes, (size) => new Int32Array(size));
  const filled = new Int32Array(k);
  for (let r = 0; r < rows.length; r++) {
    const c = labels[rows[r]!]!;
    out[c]![filled[c]!++] = rows[r]!;
  }
  return out;
}

export interface ScatterOptions {
  /** at most this many dots (default SCATTER_CAP) */
  readonly cap?: number;
  /** data-chart name and accessible title (default the plain PC1/PC2 map) */
  readonly name?: string;
  readonly title?: string;
  /** dot opacity: lower where something is drawn over the dots */
  readonly opacity?: number;
  /** drawn over the dots, in the plot's scales (a biplot's feature arrows) */
  readonly overlay?: (x: Scale, y: Scale) => string;
}

/** PC1 against PC2, one dot per customer coloured by cluster; larger clusters drawn first, beneath. */
export function scatterChart(pc1: Float64Array, pc2: Float64Array, labels: Int32Array, k: number, opts: ScatterOptions = {}): string {
  const cap = opts.cap ?? SCATTER_CAP;
  const width = 820;
  const left = 60;
  const right = 170;
  const top = 14;
  const plotBottom = 490;
  const rows = evenSample(labels.length, cap);
  const shown: number[][] = Array.from({ length: k }, () => []);
  let skipped = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    if (Number.isFinite(pc1[i]) && Number.isFinite(pc2[i])) shown[labels[i]!]!.push(i);
    else skipped++;
  }
  const x = linear(niceDomain(...extent(pc1)), [left, width - right]);
  const y = linear(niceDomain(...extent(pc2)), [plotBottom, top]);
  let body = axisBottom(x, plotBottom, { ticks: niceTicks(...x.domain, 8), title: "PC1", grid: plotBottom - top });
  // The lowest y tick sits on the x axis, where its label would collide with the first x label.
  body += axisLeft(y, left, { ticks: niceTicks(...y.domain, 6).filter((t) => t > y.domain[0]), title: "PC2", grid: width - right - left });
  for (let c = 0; c < k; c++) {
    body += `<g class="cluster-${c}" fill="${clusterColour(c)}" fill-opacity="${opts.opacity ?? 0.55}">`;
    const members = shown[c]!;
    for (let r = 0; r < members.length; r++) {
      const i = members[r]!;
      body += `<circle class="pt" cx="${n1(x(pc1[i]!))}" cy="${n1(y(pc2[i]!))}" r="2.2"/>`;
    }
    body += "</g>";
  }
  if (opts.overlay) body += opts.overlay(x, y);
  // The legend counts whole clusters, not the sample; the note below says when points are sampled.
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) sizes[labels[i]!]!++;
  body += legend(
    sizes.map((n, c) => ({ colour: clusterColour(c), label: `${clusterName(c)} (${fmt(n)})` })),
    width - right + 16,
    top + 4,
  );
  const drawn = shown.reduce((a, s) => a + s.length, 0);
  const notes: string[] = [];
  if (rows.length < labels.length) notes.push(`Showing ${fmt(drawn)} of ${fmt(labels.length)} customers: an evenly spaced sample.`);
  if (skipped > 0) notes.push(`${fmt(skipped)} without finite coordinates left out.`);
  if (notes.length > 0) body += text(left, plotBottom + 56, notes.join(" "), 'class="note"');
  const height = plotBottom + (notes.length > 0 ? 66 : 44);
  return svgDoc(opts.name ?? "scatter", width, height, opts.title ?? "Customers on the first two principal components, by cluster", body);
}
