// drift.html: one self-contained page (inline SVG and style, no scripts) with the verdict, the
// table of tests, the cluster shares of reference and new customers side by side, and one
// overlaid histogram per feature.
import type { Matrix } from "../engine/matrix.js";
import type { DriftReport } from "../pipeline/steps/drift-report.js";
import { STYLE } from "./render.js";
import { axisBottom, axisLeft, clusterName, esc, fmt, fmtAuto, label, legend, linear, n1, niceDomain, niceTicks, pct, svgDoc, text } from "./svg.js";

const REFERENCE_COLOUR = "#0072B2";
const CURRENT_COLOUR = "#E69F00";
const BINS = 20;

export function renderDriftReport(r: DriftReport, reference: Matrix, current: Matrix): string {
  const v = r.verdict;
  const m = r.model;
  const cards = [
    ["verdict", v.drift ? "drift" : "no drift"],
    ["drifted features", `${v.driftedFeatures.length} of ${r.features.length}`],
    ["cluster shares", m.clusters.shifted ? "shifted" : "stable"],
    ["new customers", fmt(r.current.customers)],
  ]
    .map(([l, x]) => `<div class="card"><div class="card-value">${esc(x)}</div><div class="card-label">${esc(l)}</div></div>`)
    .join("");
  const section = (id: string, heading: string, intro: string, content: string) =>
    `<section id="${id}"><h2>${esc(heading)}</h2><p class="intro">${esc(intro)}</p>${content}</section>`;
  const meta = (term: string, value: string) => `<div><dt>${esc(term)}</dt><dd>${esc(value)}</dd></div>`;
  const rules = r.rules;
  const body = [
    `<header><h1>Drift report</h1><dl class="meta">${meta("model", r.modelFile)}${meta("reference", `${r.reference.source} (${r.reference.kind})`)}${meta("new", `${r.current.source} (${r.current.kind})`)}</dl><div class="cards">${cards}</div>` +
      `<p class="intro">${esc(v.drift ? `Drift: ${v.reasons.join("; ")}.` : `No drift: ${v.driftedFeatures.length} of ${r.features.length} features drifted (threshold ${v.threshold}) and the cluster shares did not shift.`)}</p></header>`,
    section(
      "tests",
      "Feature tests",
      `A feature drifts when PSI ≥ ${rules.psi}, or when the KS p-value < ${rules.ksPValue} and the Wasserstein distance ≥ ${rules.wassersteinStd} reference standard deviations. PSI over ten quantile bins of the reference (tied edges merged, empty bins at ${rules.psiEpsilon}).`,
      featureTable(r),
    ),
    section(
      "clusters",
      "Cluster shares",
      `Shares of customers per cluster (outliers excluded). They shift when the chi-square p-value < ${rules.clusterPValue} and the total variation distance ≥ ${rules.clusterTvd}.`,
      `<figure>${sharesChart(m.clusters.referenceShares, m.clusters.currentShares)}</figure>` + modelTable(r),
    ),
    section("features", "Distributions", "Each feature's distribution, reference and new overlaid, as a share of customers; the 1st–99th percentile range is shown and values beyond fall in the end bins.", `<figure>${histograms(r, reference, current)}</figure>`),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drift report</title>
<style>${STYLE}.drifted{color:#D55E00;font-weight:600}</style>
</head>
<body>
${body.join("\n")}
<footer>custseg drift</footer>
</body>
</html>
`;
}

const num = (s: string) => `<span class="num">${esc(s)}</span>`;

function featureTable(r: DriftReport): string {
  const rows = r.features
    .map(
      (f) =>
        `<tr><td>${esc(label(f.feature))}</td><td>${num(fmtAuto(f.psi))}</td><td>${num(fmtAuto(f.ks.statistic))}</td><td>${num(f.ks.pvalue.toExponential(2))}</td>` +
        `<td>${num(fmtAuto(f.wassersteinStd))}</td><td>${num(fmtAuto(f.reference.mean))}</td><td>${num(fmtAuto(f.current.mean))}</td>` +
        `<td${f.drifted ? ' class="drifted"' : ""}>${f.drifted ? esc(`drifted (${f.reasons.join(", ")})`) : "—"}</td></tr>`,
    )
    .join("");
  return `<table><thead><tr><th>feature</th><th>PSI</th><th>KS</th><th>KS p</th><th>Wasserstein (ref. std)</th><th>ref. mean</th><th>new mean</th><th>drift</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function modelTable(r: DriftReport): string {
  const m = r.model;
  const c = m.clusters;
  const opt = (x: number | null, d = 3) => (x === null ? "—" : fmt(x, d));
  const rows = [
    ["chi-square", `${fmt(c.chi2, 3)} (dof ${c.dof}, p ${c.pvalue.toExponential(2)})`, ""],
    ["total variation distance", fmt(c.tvd, 3), ""],
    ["mean distance to nearest centroid", fmt(m.meanDistance.reference, 3), fmt(m.meanDistance.current, 3)],
    ["silhouette of the assignment", opt(m.silhouette.reference), opt(m.silhouette.current)],
    ["share flagged as outliers", m.outlierShare.reference === null ? "—" : pct(m.outlierShare.reference), m.outlierShare.current === null ? "—" : pct(m.outlierShare.current)],
    ...c.referenceShares.map((s, k) => [clusterName(k), `${pct(s)} (${fmt(c.referenceCounts[k]!)})`, `${pct(c.currentShares[k]!)} (${fmt(c.currentCounts[k]!)})`]),
  ];
  return `<table><thead><tr><th></th><th>reference</th><th>new</th></tr></thead><tbody>${rows.map((row) => `<tr><td>${esc(row[0]!)}</td><td>${num(row[1]!)}</td><td>${num(row[2]!)}</td></tr>`).join("")}</tbody></table>`;
}

/** Two bars per cluster: reference and new share. */
function sharesChart(reference: readonly number[], current: readonly number[]): string {
  const width = 620;
  const left = 90;
  const band = 40;
  const top = 10;
  const height = top + reference.length * band + 60;
  const [, hi] = niceDomain(0, Math.max(0.01, ...reference, ...current), 5);
  const x = linear([0, hi], [left, width - 120]);
  let body = "";
  reference.forEach((s, k) => {
    const y = top + k * band;
    body += text(left - 8, y + band / 2 + 4, clusterName(k), 'text-anchor="end"');
    body += `<rect class="bar" x="${left}" y="${y + 4}" width="${n1(x(s) - left)}" height="15" fill="${REFERENCE_COLOUR}"/>` + text(x(s) + 6, y + 16, pct(s));
    const c = current[k]!;
    body += `<rect class="bar" x="${left}" y="${y + 20}" width="${n1(x(c) - left)}" height="15" fill="${CURRENT_COLOUR}"/>` + text(x(c) + 6, y + 32, pct(c));
  });
  const axisY = top + reference.length * band + 4;
  body += axisBottom(x, axisY, { ticks: niceTicks(0, hi, 5), format: (t) => pct(t, 0), title: "share of customers" });
  body += legend([{ colour: REFERENCE_COLOUR, label: "reference" }, { colour: CURRENT_COLOUR, label: "new" }], width - 100, top);
  return svgDoc("cluster-shares", width, height, "Cluster shares, reference and new", body);
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

/** A grid of small overlaid histograms, one per feature, on bins shared by both sides. */
function histograms(r: DriftReport, reference: Matrix, current: Matrix): string {
  const cols = 3;
  const pw = 300;
  const ph = 150;
  const gap = 70;
  const d = r.features.length;
  const rowsOfPanels = Math.ceil(d / cols);
  let body = "";
  r.features.forEach((f, j) => {
    const ox = (j % cols) * (pw + gap) + 50;
    const oy = Math.floor(j / cols) * (ph + 70) + 30;
    const ref = columnOf(reference, j);
    const cur = columnOf(current, j);
    const pooled = Float64Array.from([...ref, ...cur]).sort();
    let lo = quantile(pooled, 0.01);
    let hi = quantile(pooled, 0.99);
    if (!(hi > lo)) {
      lo -= 0.5;
      hi += 0.5;
    }
    const shares = (x: Float64Array) => {
      const counts = new Float64Array(BINS);
      for (const v of x) counts[Math.max(0, Math.min(BINS - 1, Math.floor(((v - lo) / (hi - lo)) * BINS)))]! += 1;
      return counts.map((c) => c / x.length);
    };
    const a = shares(ref);
    const b = shares(cur);
    const [, top] = niceDomain(0, Math.max(0.01, ...a, ...b), 3);
    const xs = linear([lo, hi], [ox, ox + pw]);
    const ys = linear([0, top], [oy + ph, oy]);
    const w = pw / BINS;
    for (let i = 0; i < BINS; i++) {
      body += `<rect x="${n1(ox + i * w)}" y="${n1(ys(a[i]!))}" width="${n1(w)}" height="${n1(oy + ph - ys(a[i]!))}" fill="${REFERENCE_COLOUR}" fill-opacity="0.5"/>`;
      body += `<rect x="${n1(ox + i * w)}" y="${n1(ys(b[i]!))}" width="${n1(w)}" height="${n1(oy + ph - ys(b[i]!))}" fill="${CURRENT_COLOUR}" fill-opacity="0.5"/>`;
    }
    body += axisBottom(xs, oy + ph, { ticks: niceTicks(lo, hi, 3), format: fmtAuto });
    body += axisLeft(ys, ox, { ticks: niceTicks(0, top, 3), format: (t) => pct(t, 0) });
    body += text(ox, oy - 8, `${label(f.feature)}${f.drifted ? " — drifted" : ""}`, `class="panel-title"${f.drifted ? ' fill="#D55E00"' : ""}`);
  });
  const width = cols * (pw + gap) + 40;
  const height = rowsOfPanels * (ph + 70) + 40;
  body += legend([{ colour: REFERENCE_COLOUR, label: "reference" }, { colour: CURRENT_COLOUR, label: "new" }], width - 110, 0);
  return svgDoc("feature-histograms", width, height, "Feature distributions, reference and new", body);
}

function columnOf(x: Matrix, j: number): Float64Array {
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = x.data[i * x.cols + j]!;
  return out;
}
