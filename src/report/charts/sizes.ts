import { axisBottom, clusterColour, clusterName, fmt, linear, n1, niceDomain, niceTicks, pct, svgDoc, text } from "../svg.js";

/** Horizontal bars, one per cluster, labelled with the count and the share of customers. */
export function sizesChart(sizes: readonly number[]): string {
  const total = sizes.reduce((a, b) => a + b, 0);
  const width = 620;
  const left = 90;
  const right = 130;
  const top = 10;
  const band = 30;
  const height = top + sizes.length * band + 50;
  const [, hi] = niceDomain(0, Math.max(1, ...sizes), 5);
  const x = linear([0, hi], [left, width - right]);
  let body = "";
  sizes.forEach((size, c) => {
    const y = top + c * band;
    body += `<rect class="bar" x="${left}" y="${y + 5}" width="${n1(x(size) - left)}" height="${band - 10}" fill="${clusterColour(c)}"/>`;
    body += text(left - 8, y + band / 2 + 4, clusterName(c), 'text-anchor="end"');
    body += text(x(size) + 6, y + band / 2 + 4, `${fmt(size)} (${pct(total > 0 ? size / total : 0)})`);
  });
  const axisY = top + sizes.length * band + 4;
  body += axisBottom(x, axisY, { ticks: niceTicks(0, hi, 5), title: "customers" });
  return svgDoc("sizes", width, height, "Customers per cluster", body);
}
