import { axisLeft, linear, n1, pct, svgDoc, text } from "../svg.js";

/**
 * Explained variance ratio per principal component (bars; the kept components in colour), the
 * cumulative ratio (line) and the threshold the component count aimed for (dashed).
 */
export function varianceChart(ratios: readonly number[], chosen: number, threshold: number): string {
  const width = 820;
  const height = 380;
  const left = 70;
  const right = 150;
  const top = 16;
  const bottom = 82;
  const n = ratios.length;
  const band = (width - left - right) / Math.max(1, n);
  const y = linear([0, 1], [height - bottom, top]);
  const xCentre = (i: number) => left + band * (i + 0.5);
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  let body = axisLeft(y, left, { ticks, format: (v) => pct(v, 0), title: "share of variance", grid: width - left - right });
  const cumulative: number[] = [];
  let acc = 0;
  ratios.forEach((r, i) => {
    acc += r;
    cumulative.push(acc);
    const kept = i < chosen;
    const h = y(0) - y(r);
    const fill = kept ? "#0072B2" : "#c5cad3";
    body += `<rect class="bar${kept ? " kept" : ""}" x="${n1(xCentre(i) - band * 0.35)}" y="${n1(y(r))}" width="${n1(band * 0.7)}" height="${n1(h)}" fill="${fill}"/>`;
  });
  body += `<g class="axis"><line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}"/></g>`;
  body += text((left + width - right) / 2, height - bottom + 54, "principal component (share of variance)", 'text-anchor="middle" class="axis-title"');
  // Each share sits under its component name, clear of the cumulative line that starts on the first bar.
  ratios.forEach((r, i) => {
    body += text(xCentre(i), height - bottom + 15, `PC${i + 1}`, 'text-anchor="middle"');
    // Whole percents from 10% up keep each label inside its bar's width: 38% · 8.9% · 0.6%.
    body += text(xCentre(i), height - bottom + 32, r > 0 && r < 0.0005 ? "<0.1%" : pct(r, r >= 0.1 ? 0 : 1), 'text-anchor="middle" class="small"');
  });
  const points = cumulative.map((c, i) => `${n1(xCentre(i))} ${n1(y(c))}`);
  if (points.length > 0) body += `<path class="cumulative" d="M${points.join("L")}"/>`;
  cumulative.forEach((c, i) => {
    body += `<circle class="cumulative-pt" cx="${n1(xCentre(i))}" cy="${n1(y(c))}" r="3.5"/>`;
  });
  body += `<line class="threshold" x1="${left}" x2="${width - right}" y1="${n1(y(threshold))}" y2="${n1(y(threshold))}"/>`;
  body += text(width - right + 6, y(threshold) + 4, `threshold ${pct(threshold, 0)}`, 'class="small"');
  if (chosen > 0 && chosen <= n) {
    const xs = left + band * chosen;
    body += `<line class="chosen" x1="${n1(xs)}" x2="${n1(xs)}" y1="${top}" y2="${height - bottom}"/>`;
    body += text(width - right + 6, top + 10, `kept: ${chosen} of ${n}`, 'class="small"');
    body += text(width - right + 6, top + 26, `cumulative ${pct(cumulative[chosen - 1])}`, 'class="small"');
  }
  return svgDoc("variance", width, height, "Explained variance by principal component", body);
}
