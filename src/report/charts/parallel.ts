import { fmt, fmtAuto, linear, n1, niceTicks, type Scale, svgDoc, text } from "../svg.js";

/** An axis of the parallel-coordinates plot: categorical (parameter values in order) or numeric. */
export type ParallelAxis =
  | { name: string; kind: "category"; values: readonly (string | number)[] }
  | { name: string; kind: "number"; /** true: lower values are better and drawn at the top. */ lowerIsBetter?: boolean };

export interface ParallelData {
  axes: readonly ParallelAxis[];
  /** One row per line, one entry per axis (a category's value or a number). */
  rows: readonly (readonly (string | number)[])[];
  /** 0 = worst … 1 = best, for each row's colour. */
  quality: readonly number[];
  /** Row drawn on top, thick (the best trial). */
  highlight?: number;
  /** The caption line under the legend, e.g. "colour: silhouette". */
  colourBy: string;
}

/**
 * A parallel-coordinates plot: one vertical axis per parameter and per metric, one polyline per
 * trial through its value on every axis. Metric axes put the better end at the top (Davies–Bouldin
 * is flipped), so a good trial's line runs high on the right. Lines are coloured from light (worse)
 * to dark blue (better) and drawn worst first, so the best ones stay visible; the best trial is thick.
 */
export function parallelChart(data: ParallelData): string {
  const width = 1000;
  const height = 440;
  const left = 70;
  const right = 80;
  const top = 40;
  const bottom = 50;
  const { axes, rows } = data;
  const step = axes.length > 1 ? (width - left - right) / (axes.length - 1) : 0;
  const xOf = (a: number) => left + a * step;
  const numeric: (Scale | undefined)[] = [];
  const scales: ((v: string | number) => number)[] = axes.map((axis, a) => {
    if (axis.kind === "category") {
      const y = linear([0, Math.max(1, axis.values.length - 1)], [height - bottom, top]);
      return (v) => (axis.values.length === 1 ? (top + height - bottom) / 2 : y(axis.values.indexOf(v)));
    }
    const values = rows.map((r) => Number(r[a])).filter(Number.isFinite);
    const [lo, hi] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
    const pad = hi > lo ? (hi - lo) * 0.04 : Math.abs(lo) * 0.01 || 1;
    const domain: [number, number] = [lo - pad, hi + pad];
    const scale = linear(axis.lowerIsBetter ? [domain[1], domain[0]] : domain, [height - bottom, top]);
    numeric[a] = scale;
    return (v) => scale(Number(v));
  });

  const order = rows.map((_, i) => i).sort((i, j) => data.quality[i]! - data.quality[j]! || i - j);
  let lines = "";
  for (const i of order) {
    if (i === data.highlight) continue;
    const d = rows[i]!.map((v, a) => `${a === 0 ? "M" : "L"}${n1(xOf(a))} ${n1(scales[a]!(v))}`).join("");
    lines += `<path class="pc-line" d="${d}" stroke="${blues(data.quality[i]!)}"/>`;
  }
  if (data.highlight !== undefined && rows[data.highlight]) {
    const d = rows[data.highlight]!.map((v, a) => `${a === 0 ? "M" : "L"}${n1(xOf(a))} ${n1(scales[a]!(v))}`).join("");
    lines += `<path class="pc-best" d="${d}"/>`;
  }

  let axesSvg = "";
  axes.forEach((axis, a) => {
    const x = xOf(a);
    axesSvg += `<g class="axis"><line x1="${n1(x)}" x2="${n1(x)}" y1="${top}" y2="${height - bottom}"/>`;
    const ticks: [string, number][] =
      axis.kind === "category"
        ? axis.values.map((v) => [String(v), scales[a]!(v)])
        : (() => {
            const f = numeric[a]!;
            const [d0, d1] = f.domain;
            return niceTicks(Math.min(d0, d1), Math.max(d0, d1), 5).map((t) => [fmtAuto(t), f(t)] as [string, number]);
          })();
    for (const [lab, y] of ticks) {
      axesSvg += `<line x1="${n1(x - 4)}" x2="${n1(x)}" y1="${n1(y)}" y2="${n1(y)}"/>`;
      axesSvg += text(x - 6, y + 4, lab, 'text-anchor="end" class="small"');
    }
    axesSvg += `</g>`;
    axesSvg += text(x, top - 22, axis.name, 'text-anchor="middle" class="axis-title"');
    if (axis.kind === "number") axesSvg += text(x, top - 9, axis.lowerIsBetter ? "lower is better ↑" : "higher is better ↑", 'text-anchor="middle" class="small"');
  });

  const legendY = height - 16;
  let legendSvg = "";
  for (let s = 0; s <= 10; s++) {
    legendSvg += `<rect x="${n1(left + s * 14)}" y="${legendY - 10}" width="14" height="10" fill="${blues(s / 10)}"/>`;
  }
  legendSvg += text(left + 11 * 14 + 8, legendY, `worse → better (${data.colourBy}); thick line: the best trial`, 'class="small"');
  return svgDoc("parallel", width, height, `Parallel coordinates of ${fmt(rows.length)} trials: parameters and metrics`, `${lines}${axesSvg}${legendSvg}`);
}

/** Light grey-blue to dark blue: worse trials recede, better ones stand out. */
function blues(t: number): string {
  const c = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * c);
  return `rgb(${mix(205, 8)},${mix(214, 69)},${mix(228, 148)})`;
}
