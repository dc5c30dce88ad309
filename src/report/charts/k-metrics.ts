import { axisBottom, axisLeft, fmtAuto, linear, n1, niceDomain, niceTicks, svgDoc, text } from "../svg.js";

export interface KMetricPoint {
  k: number;
  inertia: number;
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
}

const PANELS = [
  { key: "inertia", title: "inertia (elbow)", note: "lower, but always falls with k" },
  { key: "silhouette", title: "mean silhouette", note: "higher is better" },
  { key: "daviesBouldin", title: "Davies–Bouldin", note: "lower is better" },
  { key: "calinskiHarabasz", title: "Calinski–Harabasz", note: "higher is better" },
] as const;

/**
 * The k analysis: four small panels of a criterion against k, sharing the k axis. The recommended
 * k is a dashed line through every panel; the inertia panel also marks its elbow.
 */
export function kMetricsChart(points: readonly KMetricPoint[], recommended: number, elbow: number): string {
  const panelW = 470;
  const panelH = 230;
  const left = 80;
  const top = 34;
  const gapX = 40;
  const gapY = 70;
  const width = 2 * panelW + gapX + 20;
  const height = 2 * (panelH + gapY) + 10;
  const ks = points.map((p) => p.k);
  let body = "";
  PANELS.forEach((panel, i) => {
    const ox = (i % 2) * (panelW + gapX);
    const oy = Math.floor(i / 2) * (panelH + gapY);
    const x0 = ox + left;
    const x1 = ox + panelW;
    const yTop = oy + top;
    const yBottom = oy + top + panelH - 40;
    const x = linear([Math.min(...ks) - 0.5, Math.max(...ks) + 0.5], [x0, x1]);
    const values = points.map((p) => p[panel.key]);
    const [lo, hi] = niceDomain(Math.min(...values), Math.max(...values), 4);
    const y = linear([lo, hi], [yBottom, yTop]);
    body += axisLeft(y, x0, { ticks: niceTicks(lo, hi, 4), format: fmtAuto, grid: x1 - x0 });
    body += axisBottom(x, yBottom, { ticks: ks, format: (v) => String(v), title: "k" });
    body += text(x0, yTop - 14, panel.title, 'class="panel-title"');
    body += text(x1, yTop - 14, panel.note, 'text-anchor="end" class="small"');
    if (ks.includes(recommended)) {
      body += `<line class="chosen" x1="${n1(x(recommended))}" x2="${n1(x(recommended))}" y1="${yTop}" y2="${yBottom}"/>`;
    }
    if (panel.key === "inertia" && ks.includes(elbow)) {
      const p = points.find((q) => q.k === elbow)!;
      body += text(x(elbow) + 8, y(p.inertia) - 8, "elbow", 'class="small"');
    }
    body += `<path class="k-line" d="M${points.map((p) => `${n1(x(p.k))} ${n1(y(p[panel.key]))}`).join("L")}"/>`;
    for (const p of points) body += `<circle class="k-pt" cx="${n1(x(p.k))}" cy="${n1(y(p[panel.key]))}" r="3.5"/>`;
  });
  return svgDoc("k-metrics", width, height, "Inertia, silhouette, Davies–Bouldin and Calinski–Harabasz against k", body);
}
