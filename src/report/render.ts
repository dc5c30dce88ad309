import { correlationChart } from "./charts/correlation.js";
import { histogramsChart } from "./charts/histograms.js";
import { profileChart } from "./charts/profile.js";
import { BIPLOT_ARROWS, BIPLOT_CAP, biplotChart } from "./charts/biplot.js";
import { PAIRS_CAP, pairsChart } from "./charts/pairs.js";
import { silhouetteChart } from "./charts/silhouette.js";
import { sizesChart } from "./charts/sizes.js";
import { syntheticBanner } from "./banner.js";
import { varianceChart } from "./charts/variance.js";
import { esc, FONT_PX, fmt, pct } from "./svg.js";
import { businessTable, clustersTable, LOADINGS_SHOWN, loadingsTable, metricsTable, profileTable, stepsTable, topProductsTable } from "./tables.js";
import type { ReportData } from "./types.js";

/**
 * The whole report as one self-contained HTML page: inline SVG charts and an inline stylesheet,
 * no scripts, fonts or links to anything outside the file. Deterministic: same data, same bytes.
 */
export function renderReport(data: ReportData): string {
  checkShapes(data);
  const { profiles, customers, metrics, pca } = data;
  const k = profiles.clusters.length;
  const n = customers.labels.length;
  const kept = pca.explainedVarianceRatio.slice(0, pca.chosen).reduce((a, b) => a + b, 0);

  const section = (id: string, heading: string, intro: string, content: string) =>
    `<section id="${id}"><h2>${esc(heading)}</h2><p class="intro">${esc(intro)}</p>${content}</section>`;

  const summary = [
    ["customers clustered", fmt(n)],
    ["clusters (k)", String(k)],
    ["silhouette", fmt(metrics.silhouette, 3)],
    ["principal components", `${pca.chosen} (${pct(kept)} of variance)`],
  ]
    .map(([l, v]) => `<div class="card"><div class="card-value">${esc(v)}</div><div class="card-label">${esc(l)}</div></div>`)
    .join("");

  const body = [
    ...(data.synthetic ? [syntheticBanner(data.synthetic.detail)] : []),
    `<header><h1>${esc(data.title)}</h1><dl class="meta">` +
      meta("run", data.runId) +
      meta("input", data.input) +
      meta("mode", data.mode) +
      meta("generated", data.generatedAt) +
      `</dl><div class="cards">${summary}</div></header>`,
    section(
      "segments",
      "Segments",
      "Each cluster in a sentence, derived from how far its feature means sit from the overall mean.",
      clustersTable(profiles) + figure(sizesChart(profiles.clusters.map((c) => c.size)), "Customers per cluster, largest first."),
    ),
    ...(data.segments
      ? [
          section(
            "business",
            "What each segment is worth",
            "Revenue is Σ quantity × unit price over the cleaned lines, returns negative; shares are of every customer with features, the outliers as their own row, so they add up to 100%.",
            businessTable(data.segments, data.currency) +
              `<details><summary>Top 10 products per segment</summary>${topProductsTable(data.segments, data.currency)}</details>`,
          ),
        ]
      : []),
    section(
      "profiles",
      "Cluster profiles",
      "Standardised difference of each cluster's mean from the overall mean, in overall standard deviations: red above average, blue below.",
      figure(profileChart(profiles), `Colours saturate at ±2 standard deviations; cells print the exact value.`) +
        `<details><summary>Means and medians per feature</summary>${profileTable(profiles)}</details>`,
    ),
    section("map", "Customer map", "Customers on the first principal components, coloured by cluster, and what the components are made of.", componentsContent(data)),
    section(
      "distributions",
      "Recency, frequency and spend",
      "Distribution of each measure within each cluster, as a share of the cluster's customers.",
      figure(
        histogramsChart({ ...customers, k }),
        "Each column shares its bins and its vertical scale. Spend is on a log scale (spend below the axis start, including none and net refunds, falls in the first bin); frequency is clipped at its 99th percentile (the last bin holds everything above).",
      ),
    ),
    section(
      "quality",
      "Cluster quality",
      "Silhouette: how much closer each customer is to its own cluster than to the next one (1 best, below 0 probably misplaced).",
      metricsTable(metrics) +
        figure(
          silhouetteChart(data.silhouette.values, data.silhouette.labels, k),
          "Each band is one cluster's customers sorted by silhouette value; band height is proportional to cluster size.",
        ),
    ),
    section(
      "pca",
      "Principal components",
      `Share of the feature variance each component explains; the first ${pca.chosen} are kept for clustering.`,
      figure(varianceChart(pca.explainedVarianceRatio, pca.chosen, pca.threshold), "Bars: per component (kept ones in colour). Line: cumulative. Dashed: the threshold."),
    ),
    section(
      "correlation",
      "Feature correlation",
      "Pearson correlation between the features over the clustered customers.",
      figure(correlationChart(data.features, data.correlation), "Blue: negative, red: positive; grey: not defined (a constant feature)."),
    ),
    section(
      "pipeline",
      "Pipeline steps",
      "Rows or customers left after each step, and the time it took. Cleaning's five filters run in one pass, timed together. Writing the run directory, this page included, comes after: the terminal summary shows its time.",
      stepsTable(data.steps),
    ),
  ];

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join("\n")}
<footer>custseg · ${esc(data.runId)}</footer>
</body>
</html>
`;
}

/**
 * The map as a biplot, the loadings table that names each component's features, and PC1–PC3 two at
 * a time where three or more components are kept.
 */
function componentsContent(data: ReportData): string {
  const { customers, pca, features } = data;
  const k = data.profiles.clusters.length;
  const ratios = pca.explainedVarianceRatio;
  const sampled = (cap: number) => (customers.labels.length > cap ? ` Above ${fmt(cap)} customers an evenly spaced sample keeps the page light.` : "");
  let out = figure(
    biplotChart(customers.pc1, customers.pc2, customers.labels, k, pca.components, features),
    `PC1 and PC2 explain ${pct((ratios[0] ?? 0) + (ratios[1] ?? 0))} of the variance. Arrows: the ${BIPLOT_ARROWS} features these two components weigh most; ` +
      "customers in an arrow's direction have more of that feature than average, those opposite less." +
      sampled(BIPLOT_CAP),
  );
  out += `<h3>What each component measures</h3>${loadingsTable(pca.components, features, ratios)}`;
  out += `<p class="table-note">Each component's ${LOADINGS_SHOWN} largest weights on the standardised features, signed: a customer scores higher on a component with more of a + feature and less of a − one.</p>`;
  if (customers.pc3 && pca.components.rows >= 3) {
    out += figure(
      pairsChart([customers.pc1, customers.pc2, customers.pc3], customers.labels, k, ratios),
      `The first three components two at a time, coloured as above: clusters that overlap on PC1 and PC2 may part on PC3.${sampled(PAIRS_CAP)}`,
    );
  }
  return out;
}

const figure = (svg: string, caption: string) => `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;

const meta = (term: string, value: string) => `<div><dt>${esc(term)}</dt><dd>${esc(value)}</dd></div>`;

/** Mismatched array lengths would draw a wrong chart silently; refuse them instead. */
function checkShapes(d: ReportData): void {
  const k = d.profiles.clusters.length;
  const n = d.customers.labels.length;
  const f = d.features.length;
  const problems: string[] = [];
  for (const key of ["pc1", "pc2", "pc3", "recency", "frequency", "spend"] as const) {
    const values = d.customers[key];
    if (values && values.length !== n) problems.push(`customers.${key} has ${values.length} values for ${n} labels`);
  }
  const { components, chosen } = d.pca;
  if (components.cols !== f) problems.push(`PCA components weigh ${components.cols} features, not ${f}`);
  if (components.rows !== chosen) problems.push(`${components.rows} PCA components for ${chosen} kept`);
  if (d.silhouette.values.length !== d.silhouette.labels.length) {
    problems.push(`silhouette has ${d.silhouette.values.length} values for ${d.silhouette.labels.length} labels`);
  }
  for (const [name, labels] of [
    ["customers.labels", d.customers.labels],
    ["silhouette.labels", d.silhouette.labels],
  ] as const) {
    let outside = false;
    for (let i = 0; i < labels.length && !outside; i++) outside = labels[i]! < 0 || labels[i]! >= k;
    if (outside) problems.push(`${name} holds a label outside 0..${k - 1}`);
  }
  if (d.profiles.features.length !== f) problems.push(`profiles cover ${d.profiles.features.length} features, not ${f}`);
  if (d.correlation.rows !== f || d.correlation.cols !== f) {
    problems.push(`correlation is ${d.correlation.rows} × ${d.correlation.cols} for ${f} features`);
  }
  if (problems.length > 0) throw new RangeError(`renderReport: ${problems.join("; ")}`);
}

export const STYLE = `
:root{--ink:#1d2330;--muted:#5b6474;--line:#d8dce3;--bg:#fff;--panel:#f6f7f9}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1180px;padding:28px 32px 48px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
h1{font-size:26px;margin:0 0 6px}
h2{font-size:19px;margin:0 0 4px;padding-top:8px;border-top:1px solid var(--line)}
section{margin-top:30px}
.intro{color:var(--muted);margin:0 0 14px}
.meta{display:flex;flex-wrap:wrap;gap:4px 26px;margin:0 0 16px;color:var(--muted)}
.meta div{display:flex;gap:6px}.meta dt{font-weight:600}.meta dd{margin:0}
.cards{display:flex;gap:14px;flex-wrap:wrap}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:170px}
.card-value{font-size:22px;font-weight:600}.card-label{color:var(--muted);font-size:12px}
figure{margin:14px 0 6px;overflow-x:auto}
figcaption{color:var(--muted);font-size:12.5px;margin-top:4px;max-width:820px}
svg{display:block;max-width:100%;height:auto;font:${FONT_PX.base}px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg .small,svg .note{font-size:${FONT_PX.small}px;fill:var(--muted)}
svg .axis line{stroke:#8a93a3;stroke-width:1}
svg .axis .grid{stroke:#eceef2}
svg .axis-title{font-size:${FONT_PX.title}px;font-weight:600;fill:var(--muted)}
svg .panel-title{font-size:${FONT_PX.title}px;font-weight:600}
svg .cell{stroke:#fff;stroke-width:1}
svg .cell-value{font-size:${FONT_PX.smallest}px}
svg .col-label{font-size:${FONT_PX.small}px}
svg .cumulative{fill:none;stroke:#D55E00;stroke-width:2}
svg .cumulative-pt{fill:#D55E00}
svg .threshold{stroke:#333;stroke-dasharray:5 4}
svg .chosen{stroke:#0072B2;stroke-dasharray:2 3}
svg .mean{stroke:#D55E00;stroke-width:1.5;stroke-dasharray:6 4}
svg .zero{stroke:#555}
svg .baseline{stroke:#b8bec9}
svg .arrow{stroke:#1d2330;stroke-width:1.6;fill:none}
svg .arrow-head{fill:#1d2330}
svg .arrow-label{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3.5px;stroke-linejoin:round}
.table-scroll{overflow-x:auto}
table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}
th,td{padding:5px 12px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600}
td .num{font-variant-numeric:tabular-nums}
td:has(.num){text-align:right}
td:has(.swatch){white-space:nowrap}
td .weight{display:inline-block;min-width:3.4em;font-variant-numeric:tabular-nums}
td .loading{white-space:nowrap}
td .part{padding-left:1.4em;color:var(--muted)}
.table-note{color:var(--muted);font-size:12.5px;margin:4px 0 10px;max-width:820px}
h3{font-size:15px;margin:18px 0 4px}
tfoot td{font-weight:600;border-bottom:none}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:7px;vertical-align:-1px}
details{margin-top:10px}summary{cursor:pointer;color:var(--muted)}
details table{font-size:12px}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media (max-width:760px){body{padding:20px 14px 40px}}
@media print{body{padding:0}figure,table{break-inside:avoid}details{display:none}}
`;
