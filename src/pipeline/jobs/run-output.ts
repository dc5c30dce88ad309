// The run directory's contents: every output of `custseg run` rendered from a run's results
// (customers.parquet, model.json, metrics, profiles, recommendations, report.html, summary).
import { Bool, Float64, Int32, makeVector, Table, type Vector, vectorFromArray } from "apache-arrow";
import { tableToParquet } from "../../io/write.js";
import type { Matrix } from "../../engine/matrix.js";
import type { ReportData } from "../../report/index.js";
import { modelJson } from "../../model/index.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { recommendationsCsv, topProductsCsv } from "../steps/recommend.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { runModel } from "./run-model.js";
import { fillRunFiles, RUN_ID_SLOT, type RunFiles, TIME_SLOT, writeRunFiles } from "./run-files.js";

/**
 * Every file of the run directory but for the run's identity: report.html and model.json carry
 * RUN_ID_SLOT and TIME_SLOT, and summary.json the summary without timings, run directory or id,
 * so the files of a stored run serve every later run with the same inputs.
 */
export async function runFileContents(a: RunArtifacts): Promise<RunFiles> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 1)}\n`;
  const { timingsMs: _t, runDir: _d, runId: _r, ...core } = a.summary;
  // The report is loaded only here, at the end of a run: nothing before it needs it.
  const report = await import("../../report/index.js");
  return {
    "customers.parquet": tableToParquet(customersTable(a)),
    "model.json": modelJson(runModel(a, TIME_SLOT)),
    "metrics.json": json(metrics(a)),
    "profiles.json": json({ ...a.profiles, currency: a.currency?.code ?? null, segments: a.segments }),
    "recommendations.csv": recommendationsCsv(a.recommendations),
    "top_products.csv": topProductsCsv(a.recommendations),
    "report.html": report.renderReport(reportData({ ...a, summary: { ...a.summary, runId: RUN_ID_SLOT } }, TIME_SLOT, report.correlationMatrix)),
    "summary.json": json(core),
  };
}

/** The run directory of a run computed in this process. */
export async function writeRunDirectory(dir: string, a: RunArtifacts): Promise<void> {
  const { files } = fillRunFiles(await runFileContents(a), { runDir: a.summary.runDir, runId: a.summary.runId, now: a.now, timingsMs: a.summary.timingsMs });
  await writeRunFiles(dir, files);
}

/** Every customer: features, outlier flag, and for the clustered ones their scores and cluster. */
function customersTable(a: RunArtifacts): Table {
  const { all, flagged, reduced, clusters } = a;
  const n = all.ids.length;
  const p = reduced.fit.nComponents;
  const d = all.matrix.cols;
  const keptRow = new Int32Array(n).fill(-1);
  let r = 0;
  flagged.forEach((f, i) => {
    if (!f) keptRow[i] = r++;
  });
  const columns: Record<string, Vector> = {
    CustomerID: makeVector(all.ids),
  };
  FEATURE_NAMES.forEach((name, j) => {
    columns[name] = makeVector(Float64Array.from({ length: n }, (_, i) => all.matrix.data[i * d + j]!));
  });
  columns.Outlier = vectorFromArray(Array.from(flagged, (f) => f === 1), new Bool());
  for (let c = 0; c < p; c++) {
    columns[`PC${c + 1}`] = vectorFromArray(
      Array.from(keptRow, (k) => (k < 0 ? null : reduced.scores.data[k * p + c]!)),
      new Float64(),
    );
  }
  columns.Cluster = vectorFromArray(Array.from(keptRow, (k) => (k < 0 ? null : clusters.labels[k]!)), new Int32());
  columns.Silhouette = vectorFromArray(Array.from(keptRow, (k) => (k < 0 ? null : a.quality.samples[k]!)), new Float64());
  return new Table(columns);
}

function metrics(a: RunArtifacts) {
  const { quality, clusters } = a;
  return {
    silhouette: quality.silhouette,
    daviesBouldin: quality.daviesBouldin,
    calinskiHarabasz: quality.calinskiHarabasz,
    inertia: clusters.inertia,
    clusterSizes: clusters.sizes,
    clusterSilhouette: quality.clusterSilhouette,
  };
}

function reportData(a: RunArtifacts, generatedAt: string, correlationMatrix: (m: Matrix) => Matrix): ReportData {
  const { summary, kept, reduced, clusters, quality } = a;
  const t = summary.timingsMs;
  const rows = summary.rows;
  const col = (name: string) => {
    const j = FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number]);
    return Float64Array.from({ length: kept.ids.length }, (_, i) => kept.matrix.data[i * kept.matrix.cols + j]!);
  };
  const p = reduced.fit.nComponents;
  const pc = (c: number) => Float64Array.from({ length: kept.ids.length }, (_, i) => reduced.scores.data[i * p + c]!);
  return {
    title: "Customer segments",
    runId: summary.runId ?? summary.runDir.split("/").pop() ?? summary.runDir,
    input: summary.input,
    mode: summary.mode,
    generatedAt,
    segments: a.segments,
    ...(a.currency ? { currency: a.currency } : {}),
    steps: [
      { step: "loaded", unit: "rows", count: rows.loaded!, ms: t.load },
      { step: "missing CustomerID or Description", unit: "rows", count: rows.afterMissing! },
      { step: "duplicates", unit: "rows", count: rows.afterDuplicates! },
      { step: "anomalous stock codes", unit: "rows", count: rows.afterAnomalousCodes! },
      { step: "service descriptions", unit: "rows", count: rows.afterServiceDescriptions! },
      { step: "zero unit price", unit: "rows", count: rows.afterZeroPrice!, ms: t.clean },
      { step: "customer features", unit: "customers", count: summary.customersBeforeOutliers, ms: t.features },
      { step: "outliers removed", unit: "customers", count: summary.customers, ms: t.outliers },
      { step: "scaling", unit: "customers", count: summary.customers, ms: t.scale },
      { step: "PCA", unit: "customers", count: summary.customers, ms: t.pca },
      { step: "k-means", unit: "customers", count: summary.customers, ms: t.kmeans },
      { step: "metrics", unit: "customers", count: summary.customers, ms: t.metrics },
      { step: "recommendations", unit: "customers", count: summary.customers, ms: t.recommendations },
    ],
    features: [...FEATURE_NAMES],
    profiles: a.profiles,
    customers: {
      labels: clusters.labels,
      pc1: pc(0),
      pc2: p > 1 ? pc(1) : new Float64Array(kept.ids.length),
      recency: col("Days_Since_Last_Purchase"),
      frequency: col("Total_Transactions"),
      spend: col("Total_Spend"),
    },
    silhouette: { values: quality.samples, labels: clusters.labels },
    pca: { explainedVarianceRatio: reduced.allRatios, chosen: p, threshold: a.opts.variance },
    correlation: correlationMatrix(kept.matrix),
    metrics: { silhouette: quality.silhouette, daviesBouldin: quality.daviesBouldin, calinskiHarabasz: quality.calinskiHarabasz, inertia: clusters.inertia },
  };
}
