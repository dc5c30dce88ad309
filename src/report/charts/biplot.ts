import type { Matrix } from "../../engine/matrix.js";
import { strongestOnPlane } from "../loadings.js";
import { esc, FONT_PX, label, n1, type Scale, textWidth } from "../svg.js";
import { scatterChart } from "./scatter.js";

/** Arrows drawn: the features the PC1/PC2 plane shows best; more would bury each other's labels. */
export const BIPLOT_ARROWS = 6;
/** The longest arrow reaches this share of the way from the origin to the plot's edge. */
const REACH = 0.8;
/** Fewer dots than the plain map: they are the background here. */
export const BIPLOT_CAP = 3000;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * The customer map as a biplot: the customers on PC1/PC2 (faded), and an arrow per strong feature
 * from the origin to its weights on the two components, all scaled by one factor so the longest
 * reaches most of the way to the edge. An arrow pointing right means customers further right have
 * more of that feature. Labels sit past the arrow tips, nudged apart where they would overlap.
 */
export function biplotChart(pc1: Float64Array, pc2: Float64Array, labels: Int32Array, k: number, components: Matrix, features: readonly string[]): string {
  const arrows = components.rows >= 2 ? strongestOnPlane(components, 0, 1, BIPLOT_ARROWS) : [];
  const d = components.cols;
  const overlay = (x: Scale, y: Scale): string => {
    const [ox, oy] = [x(0), y(0)];
    const [xl, xr] = x.range;
    const [yb, yt] = y.range;
    // Pixel vectors of the unscaled arrows, then the largest factor that keeps every tip inside
    // REACH of the plot in its own direction.
    const vectors = arrows.map((a) => [x(components.data[a.feature]!) - ox, y(components.data[d + a.feature]!) - oy] as const);
    let factor = Number.POSITIVE_INFINITY;
    for (const [vx, vy] of vectors) {
      if (vx > 0) factor = Math.min(factor, (REACH * (xr - ox)) / vx);
      if (vx < 0) factor = Math.min(factor, (REACH * (xl - ox)) / vx);
      if (vy > 0) factor = Math.min(factor, (REACH * (yb - oy)) / vy);
      if (vy < 0) factor = Math.min(factor, (REACH * (yt - oy)) / vy);
    }
    if (!Number.isFinite(factor)) return "";
    const placed: Box[] = [];
    let out = `<g class="arrows">`;
    arrows.forEach((a, i) => {
      const [vx, vy] = vectors[i]!;
      const tx = ox + vx * factor;
      const ty = oy + vy * factor;
      const len = Math.hypot(tx - ox, ty - oy);
      if (len < 1) return;
      const [ux, uy] = [(tx - ox) / len, (ty - oy) / len];
      // A filled head, 9 px long, its tip on the arrow's end.
      const [bx, by] = [tx - 9 * ux, ty - 9 * uy];
      const head = `M${n1(tx)} ${n1(ty)}L${n1(bx - 4 * uy)} ${n1(by + 4 * ux)}L${n1(bx + 4 * uy)} ${n1(by - 4 * ux)}Z`;
      out += `<g class="feature-arrow" data-feature="${esc(features[a.feature]!)}">`;
      out += `<line class="arrow" x1="${n1(ox)}" y1="${n1(oy)}" x2="${n1(bx)}" y2="${n1(by)}"/><path class="arrow-head" d="${head}"/>`;
      const name = label(features[a.feature]!);
      const w = textWidth(name, FONT_PX.base) * 1.08; // bold
      const h = FONT_PX.base + 3;
      // Past the tip, on the side the arrow points to, kept inside the plot.
      const ax = tx + 7 * ux;
      const ay = ty + 7 * uy + (uy > 0.3 ? h - 4 : uy < -0.3 ? -2 : 4);
      const left = Math.max(xl, Math.min(xr - w, ux >= 0.2 ? ax : ux <= -0.2 ? ax - w : ax - w / 2));
      const boxAt = (dy: number): Box => ({ x0: left, y0: ay + dy - h + 3, x1: left + w, y1: ay + dy + 3 });
      // Nudge up or down, a line at a time, until the label is clear of the ones already placed.
      let dy = 0;
      for (const step of [0, h, -h, 2 * h, -2 * h, 3 * h, -3 * h]) {
        dy = step;
        if (!placed.some((b) => overlaps(b, boxAt(step)))) break;
      }
      placed.push(boxAt(dy));
      out += `<text class="arrow-label" x="${n1(left)}" y="${n1(ay + dy)}">${esc(name)}</text>`;
      out += "</g>";
    });
    return `${out}</g>`;
  };
  return scatterChart(pc1, pc2, labels, k, {
    cap: BIPLOT_CAP,
    name: "biplot",
    title: "Customers on the first two principal components, with the strongest features as arrows",
    opacity: 0.35,
    overlay,
  });
}
