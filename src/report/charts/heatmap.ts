import { diverging, esc, FONT_PX, n1, svgDoc, text, textOnDiverging, textWidth } from "../svg.js";

export interface HeatmapSpec {
  readonly name: string;
  readonly title: string;
  readonly rowLabels: readonly string[];
  readonly colLabels: readonly string[];
  readonly value: (row: number, col: number) => number;
  /** the value at which the colour scale saturates (symmetric around 0) */
  readonly limit: number;
  readonly format: (v: number) => string;
  readonly cellWidth: number;
  readonly cellHeight: number;
  /** words under the colour key, e.g. "correlation" */
  readonly keyTitle: string;
}

/**
 * A grid of coloured cells on the diverging scale with each value printed in its cell; column
 * labels slanted above, row labels to the left, a colour key below.
 */
export function heatmap(spec: HeatmapSpec): string {
  const { rowLabels, colLabels, cellWidth: cw, cellHeight: ch, limit } = spec;
  const longestCol = Math.max(0, ...colLabels.map((l) => textWidth(l, FONT_PX.small)));
  const left = Math.max(70, ...rowLabels.map((l) => textWidth(l))) + 14;
  const top = Math.round(longestCol * Math.sin(Math.PI / 4)) + 20;
  const gridW = colLabels.length * cw;
  const gridH = rowLabels.length * ch;
  const keyW = Math.min(260, Math.max(160, gridW));
  const keyRight = left + keyW + 12 + textWidth(spec.keyTitle, FONT_PX.small) + 10;
  const width = Math.ceil(Math.max(left + gridW + Math.round(longestCol * Math.cos(Math.PI / 4)) + 10, keyRight));
  const height = top + gridH + 70;

  let body = "";
  colLabels.forEach((l, c) => {
    const x = left + (c + 0.5) * cw;
    body += `<text class="col-label" transform="translate(${n1(x + 3)} ${top - 6}) rotate(-45)">${esc(l)}</text>`;
  });
  rowLabels.forEach((l, r) => {
    body += text(left - 8, top + (r + 0.5) * ch + 4.5, l, 'text-anchor="end"');
    for (let c = 0; c < colLabels.length; c++) {
      const v = spec.value(r, c);
      const x = left + c * cw;
      const y = top + r * ch;
      body += `<rect class="cell" x="${n1(x)}" y="${n1(y)}" width="${cw}" height="${ch}" fill="${diverging(v, limit)}"/>`;
      body += text(x + cw / 2, y + ch / 2 + 4.5, spec.format(v), `text-anchor="middle" class="cell-value" fill="${textOnDiverging(v, limit)}"`);
    }
  });
  body += colourKey(left, top + gridH + 20, keyW, spec);
  return svgDoc(spec.name, width, height, spec.title, body);
}

function colourKey(x: number, y: number, w: number, spec: HeatmapSpec): string {
  const steps = 40;
  let out = `<g class="key">`;
  for (let i = 0; i < steps; i++) {
    const v = -spec.limit + ((i + 0.5) * 2 * spec.limit) / steps;
    out += `<rect x="${n1(x + (i * w) / steps)}" y="${y}" width="${n1(w / steps + 0.3)}" height="10" fill="${diverging(v, spec.limit)}"/>`;
  }
  out += text(x, y + 24, spec.format(-spec.limit), 'text-anchor="start" class="small"');
  out += text(x + w / 2, y + 24, spec.format(0), 'text-anchor="middle" class="small"');
  out += text(x + w, y + 24, spec.format(spec.limit), 'text-anchor="end" class="small"');
  out += text(x + w + 12, y + 9, spec.keyTitle, 'class="small"');
  return `${out}</g>`;
}
