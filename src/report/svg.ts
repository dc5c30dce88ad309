/**
 * The few SVG pieces every chart shares: escaping, number formatting, linear scales with nice ticks,
 * axes, legends and colours. Charts are plain strings; nothing here touches a DOM.
 */

/** Escape text for HTML/SVG content and attribute values alike. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** A feature name for display: "Total_Spend" → "Total Spend". */
export function label(name: string): string {
  return name.replace(/_/g, " ");
}

/** Okabe–Ito, reordered so the first clusters get the colours that read best as small dots. */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"];
export const clusterColour = (c: number): string => PALETTE[c % PALETTE.length];
export const clusterName = (c: number): string => `Cluster ${c}`;

/** Fixed-point with at most `decimals` decimals, trailing zeros dropped, thousands separated; "–" if not finite. */
export function fmt(v: number, decimals = 2): string {
  if (!Number.isFinite(v)) return "–";
  let s = v.toFixed(decimals);
  if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  if (s === "-0") s = "0";
  const [int, frac] = s.split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac ? `${grouped}.${frac}` : grouped;
}

/** Fewer decimals for larger magnitudes: 12,345 · 123.4 · 1.23 · 0.012. */
export function fmtAuto(v: number): string {
  const a = Math.abs(v);
  return fmt(v, a >= 1000 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

/** A share as a percentage: 0.4213 → "42.1%". */
export const pct = (share: number, decimals = 1): string => `${fmt(share * 100, decimals)}%`;

/** Coordinates with one decimal: plenty for a screen, and it keeps the file small. */
export const n1 = (v: number): string => String(Math.round(v * 10) / 10);

export interface Scale {
  (v: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

export function linear(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 !== d0 ? (r1 - r0) / (d1 - d0) : 0;
  const f = (v: number) => (d1 !== d0 ? r0 + (v - d0) * k : (r0 + r1) / 2);
  return Object.assign(f, { domain, range });
}

/** Round tick values (1, 2 or 5 × 10^n apart) covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) return [min];
  const step = niceStep(min, max, count);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) {
    ticks.push(Number((i * step).toFixed(decimals)));
  }
  return ticks;
}

function niceStep(min: number, max: number, count: number): number {
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const err = raw / mag;
  return mag * (err >= 7.07 ? 10 : err >= 3.16 ? 5 : err >= 1.41 ? 2 : 1);
}

/** [min, max] widened to the enclosing nice ticks, so axes start and end on a tick. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max === min) return [min - 1, max + 1];
  const step = niceStep(min, max, count);
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

/** The finite min and max of some values ([NaN, NaN] if none is finite). */
export function extent(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [Number.NaN, Number.NaN];
}

export function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${n1(x)}" y="${n1(y)}"${attrs ? ` ${attrs}` : ""}>${esc(content)}</text>`;
}

export interface AxisOptions {
  readonly ticks: readonly number[];
  readonly format?: (v: number) => string;
  readonly title?: string;
  /** draw light grid lines across the plot, this long */
  readonly grid?: number;
}

/** A horizontal axis at height `y`: baseline, ticks, tick labels and an optional title. */
export function axisBottom(scale: Scale, y: number, opts: AxisOptions): string {
  const format = opts.format ?? ((v: number) => fmt(v));
  const [r0, r1] = scale.range;
  let out = `<g class="axis"><line x1="${n1(r0)}" x2="${n1(r1)}" y1="${n1(y)}" y2="${n1(y)}"/>`;
  for (const t of opts.ticks) {
    const x = scale(t);
    if (opts.grid) out += `<line class="grid" x1="${n1(x)}" x2="${n1(x)}" y1="${n1(y)}" y2="${n1(y - opts.grid)}"/>`;
    out += `<line x1="${n1(x)}" x2="${n1(x)}" y1="${n1(y)}" y2="${n1(y + 4)}"/>`;
    out += text(x, y + 15, format(t), 'text-anchor="middle"');
  }
  if (opts.title) out += text((r0 + r1) / 2, y + 33, opts.title, 'text-anchor="middle" class="axis-title"');
  return `${out}</g>`;
}

/** A vertical axis at `x`: baseline, ticks, tick labels and an optional rotated title. */
export function axisLeft(scale: Scale, x: number, opts: AxisOptions): string {
  const format = opts.format ?? ((v: number) => fmt(v));
  const [r0, r1] = scale.range;
  let out = `<g class="axis"><line x1="${n1(x)}" x2="${n1(x)}" y1="${n1(r0)}" y2="${n1(r1)}"/>`;
  for (const t of opts.ticks) {
    const y = scale(t);
    if (opts.grid) out += `<line class="grid" x1="${n1(x)}" x2="${n1(x + opts.grid)}" y1="${n1(y)}" y2="${n1(y)}"/>`;
    out += `<line x1="${n1(x - 4)}" x2="${n1(x)}" y1="${n1(y)}" y2="${n1(y)}"/>`;
    out += text(x - 7, y + 4, format(t), 'text-anchor="end"');
  }
  if (opts.title) {
    const cy = (r0 + r1) / 2;
    out += `<text class="axis-title" text-anchor="middle" transform="translate(${n1(x - 48)} ${n1(cy)}) rotate(-90)">${esc(opts.title)}</text>`;
  }
  return `${out}</g>`;
}

/** A column of colour swatches with labels, top-left corner at (x, y). */
export function legend(items: readonly { colour: string; label: string }[], x: number, y: number): string {
  let out = `<g class="legend">`;
  items.forEach((item, i) => {
    const yy = y + i * 18;
    out += `<rect x="${n1(x)}" y="${n1(yy)}" width="12" height="12" rx="2" fill="${item.colour}"/>`;
    out += text(x + 18, yy + 10, item.label);
  });
  return `${out}</g>`;
}

/**
 * Chart text sizes in the charts' own units (the stylesheet sets them from here). A chart scales
 * down with its viewBox on a narrow screen, and its text with it; no text may then fall under
 * MIN_RENDERED_PX, so a chart never shrinks below MIN_RENDERED_PX / FONT_PX.smallest of its width
 * (its figure scrolls sideways instead).
 */
export const FONT_PX = { base: 13, small: 12.5, title: 13.5, smallest: 12.5 } as const;
export const MIN_RENDERED_PX = 10;

/** Rough width of a string in chart text: enough to reserve margins and avoid overlaps without measuring fonts. */
export const textWidth = (s: string, px: number = FONT_PX.base): number => s.length * px * 0.58;

/** The narrowest a chart designed `width` wide may be drawn: a pixel to spare for layout rounding. */
export const minChartWidth = (width: number): number => Math.ceil((width * MIN_RENDERED_PX) / FONT_PX.smallest) + 1;

/**
 * The outer <svg>: `name` goes into data-chart (tests and styles find charts by it), `title` into
 * the accessible name. Width and height are the design size; CSS scales it down on narrow screens,
 * down to the minimum width that keeps its smallest text readable.
 */
export function svgDoc(name: string, width: number, height: number, title: string, body: string): string {
  const minWidth = minChartWidth(width);
  return (
    `<svg data-chart="${esc(name)}" viewBox="0 0 ${width} ${Math.ceil(height)}" width="${width}" height="${Math.ceil(height)}" ` +
    `style="min-width:${minWidth}px" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${body}</svg>`
  );
}

/**
 * Diverging blue–white–red (ColorBrewer RdBu, readable with the common colour-vision deficiencies):
 * −limit → blue, 0 → near white, +limit → red, clamped beyond; grey for a missing value.
 */
export function diverging(v: number, limit: number): string {
  if (!Number.isFinite(v)) return "#d9d9d9";
  const t = Math.max(-1, Math.min(1, v / limit));
  const stops = DIVERGING;
  const pos = (t + 1) * 0.5 * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = stops[i];
  const b = stops[i + 1];
  const mix = (k: number) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
}
const DIVERGING: readonly (readonly [number, number, number])[] = [
  [33, 102, 172],
  [103, 169, 207],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [239, 138, 98],
  [178, 24, 43],
];

/** Dark text on light cells, white on the saturated ends of the diverging scale. */
export const textOnDiverging = (v: number, limit: number): string =>
  Number.isFinite(v) && Math.abs(v / limit) > 0.6 ? "#fff" : "#222";
