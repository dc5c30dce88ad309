import type { ClusterProfiles } from "../pipeline/steps/profiles.js";
import { clusterColour, clusterName, esc, fmt, fmtAuto, label, pct } from "./svg.js";
import type { ClusterMetrics, StepRecord } from "./types.js";

const row = (cells: readonly string[], tag = "td") => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join("")}</tr>`;
const num = (v: string) => `<span class="num">${v}</span>`;

function table(name: string, head: readonly string[], rows: readonly (readonly string[])[], foot?: readonly string[]): string {
  return (
    `<table data-table="${esc(name)}"><thead>${row(head.map(esc), "th")}</thead><tbody>${rows.map((r) => row(r)).join("")}</tbody>` +
    `${foot ? `<tfoot>${row(foot)}</tfoot>` : ""}</table>`
  );
}

/** Each step's count, its change from the previous step counting the same unit, and its time. */
export function stepsTable(steps: readonly StepRecord[]): string {
  const previous = new Map<string, number>();
  let totalMs = 0;
  const rows = steps.map((s) => {
    const before = previous.get(s.unit);
    previous.set(s.unit, s.count);
    if (s.ms !== undefined) totalMs += s.ms;
    const change = before === undefined ? "" : s.count === before ? "±0" : s.count > before ? `+${fmt(s.count - before)}` : fmt(s.count - before);
    return [esc(s.step), esc(s.unit), num(fmt(s.count)), num(change), num(s.ms === undefined ? "–" : fmt(s.ms, 1))];
  });
  return table("steps", ["step", "counts", "count", "change", "time (ms)"], rows, ["total", "", "", "", num(fmt(totalMs, 1))]);
}

export function metricsTable(m: ClusterMetrics): string {
  return table(
    "metrics",
    ["metric", "value", "reading"],
    [
      ["Silhouette", num(fmt(m.silhouette, 4)), "−1 … 1; higher means tighter, better separated clusters"],
      ["Davies–Bouldin", num(fmt(m.daviesBouldin, 4)), "≥ 0; lower is better"],
      ["Calinski–Harabasz", num(fmt(m.calinskiHarabasz, 2)), "higher is better"],
      ["Inertia", num(fmt(m.inertia, 2)), "within-cluster sum of squares in PCA space; lower is better for a given k"],
    ],
  );
}

const swatch = (c: number) => `<span class="swatch" style="background:${clusterColour(c)}"></span>`;

/** One line per cluster: size, share, mean silhouette and the plain-language description. */
export function clustersTable(p: ClusterProfiles): string {
  return table(
    "clusters",
    ["cluster", "customers", "share", "mean silhouette", "in a sentence"],
    p.clusters.map((c) => [
      `${swatch(c.cluster)}${esc(clusterName(c.cluster))}`,
      num(fmt(c.size)),
      num(pct(c.share)),
      num(c.silhouette === undefined ? "–" : fmt(c.silhouette, 3)),
      esc(c.description),
    ]),
  );
}

/** Feature by feature: the overall mean, then each cluster's mean and median. */
export function profileTable(p: ClusterProfiles): string {
  const head = ["feature", "all: mean", ...p.clusters.flatMap((c) => [`${clusterName(c.cluster)}: mean`, "median"])];
  const rows = p.features.map((f, j) => [
    esc(label(f)),
    num(fmtAuto(p.overallMean[j])),
    ...p.clusters.flatMap((c) => [num(fmtAuto(c.mean[j])), num(fmtAuto(c.median[j]))]),
  ]);
  return table("profile", head, rows);
}
