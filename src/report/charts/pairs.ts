import { axisBottom, axisLeft, clusterColour, extent, linear, n1, niceDomain, niceTicks, pct, svgDoc, text } from "../svg.js";
import { evenSample, rowsByCluster } from "./scatter.js";

/** Dots per panel: three panels of the same customers, so fewer than the map. */
export const PAIRS_CAP = 2000;
const PAIRS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 2],
];

/**
 * Small multiples of the first three components taken two at a time (PC1×PC2, PC1×PC3, PC2×PC3),
 * coloured by cluster: what a 3-D plot would show, without one. Each panel has its own scales.
 */
export function pairsChart(scores: readonly [Float64Array, Float64Array, Float64Array], labels: Int32Array, k: number, ratios: readonly number[]): string {
  const size = 190;
  const left = 56;
  const gap = 24;
  const top = 30;
  const width = 3 * (left + size + gap) - gap + 10;
  const height = top + size + 50;
  // The sample's rows per cluster, in row order: each panel draws cluster by cluster.
  const rows = evenSample(labels.length, PAIRS_CAP);
  const byCluster = rowsByCluster(rows, labels, k);
  let body = "";
  PAIRS.forEach(([a, b], p) => {
    const x0 = p * (left + size + gap) + left;
    const x = linear(niceDomain(...extent(scores[a]), 4), [x0, x0 + size]);
    const y = linear(niceDomain(...extent(scores[b]), 4), [top + size, top]);
    body += `<g class="pair" data-pair="PC${a + 1}×PC${b + 1}">`;
    body += axisBottom(x, top + size, { ticks: niceTicks(...x.domain, 4), title: `PC${a + 1} (${pct(ratios[a] ?? Number.NaN, 0)})`, grid: size });
    // The lowest y tick sits on the x axis, where its label would collide with the first x label.
    body += axisLeft(y, x0, { ticks: niceTicks(...y.domain, 4).filter((t) => t > y.domain[0]), grid: size });
    body += text(x0, top - 10, `PC${b + 1} (${pct(ratios[b] ?? Number.NaN, 0)}) against PC${a + 1}`, 'class="panel-title"');
    const [us, vs] = [scores[a], scores[b]];
    for (let c = 0; c < k; c++) {
      body += `<g fill="${clusterColour(c)}" fill-opacity="0.5">`;
      const members = byCluster[c]!;
      for (let r = 0; r < members.length; r++) {
        const i = members[r]!;
        const u = us[i]!;
        const v = vs[i]!;
        if (Number.isFinite(u) && Number.isFinite(v)) body += `<circle class="pt" cx="${n1(x(u))}" cy="${n1(y(v))}" r="1.7"/>`;
      }
      body += "</g>";
    }
    body += "</g>";
  });
  return svgDoc("pairs", width, height, "The first three principal components two at a time, by cluster", body);
}
