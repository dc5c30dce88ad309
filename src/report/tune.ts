// tune.html: one self-contained page (inline SVG and style, no scripts or links) for a tune: the
// recommendation, the parallel-coordinates plot of the grid, the criteria against k, a silhouette
// plot per k and the ranked trials. Deterministic: the same tune gives the same bytes.
import type { TuneSummary } from "../pipeline/steps/tune-summary.js";
import type { KAnalysisPoint, TrialResult } from "../pipeline/steps/tune-analysis.js";
import type { TuneGrid } from "../pipeline/steps/tune-grid.js";
import { kMetricsChart } from "./charts/k-metrics.js";
import { type ParallelAxis, parallelChart } from "./charts/parallel.js";
import { silhouetteChart } from "./charts/silhouette.js";
import { STYLE } from "./render.js";
import { esc, fmt } from "./svg.js";
import { syntheticBanner } from "./banner.js";
import { describeMark } from "../io/generated-mark.js";

export interface TuneReportData {
  summary: TuneSummary;
  grid: TuneGrid;
  kAnalysis: readonly KAnalysisPoint[];
  generatedAt: string;
}

const METRIC_LABEL = { silhouette: "silhouette", "davies-bouldin": "Davies–Bouldin", "calinski-harabasz": "Calinski–Harabasz" } as const;

export function renderTuneReport(data: TuneReportData): string {
  const s = data.summary;
  const section = (id: string, heading: string, intro: string, content: string) =>
    `<section id="${id}"><h2>${esc(heading)}</h2><p class="intro">${esc(intro)}</p>${content}</section>`;
  const figure = (svg: string, caption: string) => `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
  const b = s.best;
  const cards = [
    ["trials", fmt(s.trials.length)],
    ["best trial", `k=${b.k}, ${b.init}, n_init=${b.nInit}, max_iter=${b.maxIter}`],
    [`best ${METRIC_LABEL[s.metric]}${s.metric === "silhouette" && s.silhouetteSample ? ` (sample of ${fmt(s.silhouetteSample.size)})` : ""}`, fmt(s.metric === "silhouette" ? b.silhouette : s.metric === "davies-bouldin" ? b.daviesBouldin : b.calinskiHarabasz, 3)],
    ["recommended k", String(s.recommendation.k)],
  ]
    .map(([l, v]) => `<div class="card"><div class="card-value">${esc(v!)}</div><div class="card-label">${esc(l!)}</div></div>`)
    .join("");
  const meta = (term: string, value: string) => `<div><dt>${esc(term)}</dt><dd>${esc(value)}</dd></div>`;
  const kRange = `${data.kAnalysis[0]?.k ?? ""}..${data.kAnalysis[data.kAnalysis.length - 1]?.k ?? ""}`;

  const body = [
    ...(s.synthetic ? [syntheticBanner(s.generator && describeMark(s.generator))] : []),
    `<header><h1>Tuning k-means</h1><dl class="meta">` +
      meta("input", s.input) +
      meta("mode", s.mode) +
      meta("grid", s.grid) +
      meta("ranked by", METRIC_LABEL[s.metric]) +
      meta("seed", String(s.seed)) +
      (s.silhouetteSample
        ? meta("silhouettes", `a seeded sample of ${fmt(s.silhouetteSample.size)} of ${fmt(s.silhouetteSample.population)} customers, the same for every trial and every k`)
        : "") +
      meta("generated", data.generatedAt) +
      `</dl><div class="cards">${cards}</div><p class="recommendation"><strong>Recommendation.</strong> ${esc(s.recommendation.line)}</p></header>`,
    section(
      "parallel",
      "Parameters against metrics",
      `Every trial of the grid as one line through its k, init, n_init and max_iter and its three scores on ${fmt(s.customers)} customers (${s.nComponents} principal components).`,
      figure(parallelChart(parallelData(s, data.grid)), "Parameter axes list the grid's values; metric axes span the values observed. Trials with the same labels draw the same line on the metric axes."),
    ),
    section(
      "k-analysis",
      `Criteria against k (k = ${kRange})`,
      "Each k fitted with k-means++, n_init 10 and the grid's largest max_iter; dashed: the recommended k.",
      figure(kMetricsChart(data.kAnalysis, s.recommendation.k, s.recommendation.elbow), "Inertia always falls as k grows; look for its elbow. The silhouette decides the recommendation (see the rule in the README)."),
    ),
    section(
      "silhouettes",
      "Silhouette analysis per k",
      s.silhouetteSample
        ? `For each k, the silhouette of every customer of the sample (${fmt(s.silhouetteSample.size)} of ${fmt(s.silhouetteSample.population)}) sorted within its cluster (clusters numbered by size, largest first); dashed: the mean. Sizes are of every customer.`
        : "For each k, every customer's silhouette sorted within its cluster (clusters numbered by size, largest first); dashed: the mean.",
      data.kAnalysis
        .map((p) => {
          const ci = p.silhouetteCi95 ? ` (95 % interval ${fmt(p.silhouetteCi95[0], 3)} … ${fmt(p.silhouetteCi95[1], 3)})` : "";
          return `<h3>k = ${p.k}</h3>${figure(silhouetteChart(p.samples, p.labels, p.k), `k = ${p.k}: mean silhouette ${fmt(p.silhouette, 3)}${ci}; cluster sizes ${p.sizes.map((n) => fmt(n)).join(", ")}.`)}`;
        })
        .join(""),
    ),
    section("trials", "Trials, ranked", rankingIntro(s), trialsTable(s)),
    section(
      "work",
      "Work done",
      "Fits and silhouettes actually computed, against fitting and scoring every trial on its own.",
      `<table data-table="work"><thead><tr><th></th><th>computed</th><th>each trial alone</th></tr></thead><tbody>` +
        `<tr><td>k-means runs</td><td><span class="num">${fmt(s.counts.fits)}</span></td><td><span class="num">${fmt(s.counts.bruteForceFits)}</span></td></tr>` +
        `<tr><td>silhouettes</td><td><span class="num">${fmt(s.counts.silhouettes)}</span></td><td><span class="num">${fmt(s.counts.bruteForceSilhouettes)}</span></td></tr></tbody></table>`,
    ),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tuning k-means</title>
<style>${STYLE}${TUNE_STYLE}</style>
</head>
<body>
${body.join("\n")}
<footer>custseg tune · ${esc(s.tuneDir)}</footer>
</body>
</html>
`;
}

function parallelData(s: TuneSummary, grid: TuneGrid) {
  const axes: ParallelAxis[] = [
    { name: "k", kind: "category", values: grid.k },
    { name: "init", kind: "category", values: grid.init },
    { name: "n_init", kind: "category", values: grid.nInit },
    { name: "max_iter", kind: "category", values: grid.maxIter },
    { name: "silhouette", kind: "number" },
    { name: "Davies–Bouldin", kind: "number", lowerIsBetter: true },
    { name: "Calinski–Harabasz", kind: "number" },
  ];
  const rows = s.trials.map((t) => [t.k, t.init, t.nInit, t.maxIter, t.silhouette, t.daviesBouldin, t.calinskiHarabasz]);
  const n = s.trials.length;
  // Colour by rank: the ranking already folds in the chosen metric and the tie rules.
  const quality = s.trials.map((t) => (n > 1 ? 1 - (t.rank - 1) / (n - 1) : 1));
  return { axes, rows, quality, highlight: s.trials.findIndex((t) => t.rank === 1), colourBy: `rank by ${METRIC_LABEL[s.metric]}` };
}

function rankingIntro(s: TuneSummary): string {
  const others = (["silhouette", "davies-bouldin", "calinski-harabasz"] as const).filter((m) => m !== s.metric).map((m) => METRIC_LABEL[m]);
  const base = `Ranked by ${METRIC_LABEL[s.metric]}; ties by ${others.join(", then ")}, then smaller k, fewer n_init, smaller max_iter. Trials sharing a labelling number produced identical labels.`;
  if (!s.rankingNote) return base;
  const mark = s.metric === "silhouette" ? " Marked ≈: a trial whose silhouette interval overlaps the best's." : "";
  return `${base} ${s.rankingNote}${mark}`;
}

function trialsTable(s: TuneSummary): string {
  const num = (v: string) => `<span class="num">${v}</span>`;
  const sampled = s.silhouetteSample !== undefined;
  const head = ["rank", "k", "init", "n_init", "max_iter", "silhouette", ...(sampled ? ["95 % interval"] : []), "Davies–Bouldin", "Calinski–Harabasz", "inertia", "iterations", "kept run", "labelling"];
  const interval = (t: TrialResult) => (t.silhouetteCi95 ? [num(`${t.silhouetteCi95[0].toFixed(4)} … ${t.silhouetteCi95[1].toFixed(4)}${t.overlapsBest ? " ≈" : ""}`)] : []);
  const rows = s.trials.map(
    (t) =>
      `<tr${t.rank === 1 ? ' class="best"' : ""}>` +
      [
        num(String(t.rank)),
        num(String(t.k)),
        esc(t.init),
        num(String(t.nInit)),
        num(String(t.maxIter)),
        num(t.silhouette.toFixed(4)),
        ...interval(t),
        num(t.daviesBouldin.toFixed(4)),
        num(t.calinskiHarabasz.toFixed(1)),
        num(fmt(t.inertia, 2)),
        num(String(t.nIter)),
        num(String(t.run)),
        num(String(t.labelling)),
      ]
        .map((c) => `<td>${c}</td>`)
        .join("") +
      "</tr>",
  );
  return `<table data-table="trials"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

const TUNE_STYLE = `
.recommendation{margin:16px 0 0;padding:10px 14px;background:#eef5fb;border-left:4px solid #0072B2;border-radius:4px;max-width:900px}
h3{font-size:15px;margin:18px 0 0}
svg .pc-line{fill:none;stroke-width:1;stroke-opacity:0.75}
svg .pc-best{fill:none;stroke:#D55E00;stroke-width:3}
svg .k-line{fill:none;stroke:#0072B2;stroke-width:2}
svg .k-pt{fill:#0072B2}
tr.best td{background:#fff4e5;font-weight:600}
`;
