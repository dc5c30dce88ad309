import type { Matrix } from "../../engine/matrix.js";
import { fmt, label } from "../svg.js";
import { heatmap } from "./heatmap.js";

/** Feature × feature Pearson correlations, −1 blue to +1 red; "–" where undefined (a constant feature). */
export function correlationChart(features: readonly string[], correlation: Matrix): string {
  const names = features.map(label);
  return heatmap({
    name: "correlation",
    title: "Correlation between features",
    rowLabels: names,
    colLabels: names,
    value: (r, c) => correlation.data[r * correlation.cols + c],
    limit: 1,
    format: (v) => fmt(v, 2),
    cellWidth: 46,
    cellHeight: 26,
    keyTitle: "Pearson correlation",
  });
}
