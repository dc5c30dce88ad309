// The run directory's contents: every output of `custseg run` rendered from a run's results
// (customers.parquet, model.json, metrics, profiles, recommendations, report.html, summary).
import { Bool, Float64, Int32, makeData, makeVector, Table, type Vector } from "apache-arrow";
import { parquetThreadWanted } from "../../io/parquet-writer.js";
import { tableToParquet, tableToParquetOffThread } from "../../io/write.js";
import type { Matrix } from "../../engine/matrix.js";
import type { ReportData, StepRecord } from "../../report/index.js";
import { describeMark } from "../../io/generated-mark.js";
import { modelJson } from "../../model/index.js";
import type { RunSummary } from "../options.js";
import { isOutputStep } from "../progress.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { recommendationsCsv, topProductsCsv } from "../steps/recommend.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { runModel } from "./run-model.js";
import { fillRunFiles, RUN_ID_SLOT, type RunFiles, TIME_SLOT, writeRunFiles } from "./run-files.js";

/** Customers up to which the page is rendered while customers.parquet is encoded (its data: some 50 MB). */
const PAGE_BESIDE_ENCODING = 1_000_000;

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
  // Encoded on the Parquet writer thread while this one builds the other files. The page's data holds
  // columns of every customer: past PAGE_BESIDE_ENCODING customers it is built once that thread has
  // ended, so that their memory and the thread's do not add up.
  const table = customersTable(a);
  const customers = parquetThreadWanted(a.opts.threads) ? tableToParquetOffThread(table) : Promise.resolve(tableToParquet(table));
  // Its failure is thrown where it is awaited, below, whatever else fails first.
  customers.catch(() => {});
  const model = modelJson(runModel(a, TIME_SLOT));
  const small = {
    "metrics.json": json(metrics(a)),
    "profiles.json": json({ ...a.profiles, currency: a.currency?.code ?? null, segments: a.segments }),
    "recommendations.csv": recommendationsCsv(a.recommendations),
    "top_products.csv": topProductsCsv(a.recommendations),
  };
  const page = () => report.renderReport(reportData({ ...a, summary: { ...a.summary, runId: RUN_ID_SLOT } }, TIME_SLOT, report.correlationMatrix));
  const early = a.all.ids.length <= PAGE_BESIDE_ENCODING ? page() : undefined;
  const parquet = await customers;
  return {
    "customers.parquet": parquet,
    "model.json": model,
    ...small,
    "report.html": early ?? page(),
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
  const { all, flagged, reduced, clusters, quality } = a;
  const n = all.ids.length;
  const p = reduced.fit.nComponents;
  const columns: Record<string, Vector> = {
    CustomerID: makeVector(all.ids),
  };
  FEATURE_NAMES.forEach((name, j) => {
    columns[name] = makeVector(column(all.matrix, j));
  });
  const outlier = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (flagged[i]) outlier[i >> 3]! |= 1 << (i & 7);
  columns.Outlier = makeVector(makeData({ type: new Bool(), length: n, nullCount: 0, data: outlier }));
  for (let c = 0; c < p; c++) {
    columns[`PC${c + 1}`] = perClustered(flagged, new Float64(), new Float64Array(n), reduced.scores.data, p, c);
  }
  columns.Cluster = perClustered(flagged, new Int32(), new Int32Array(n), clusters.labels, 1, 0);
  // A customer outside the silhouette sample has no value: null, as an outlier.
  columns.Silhouette = perClustered(flagged, new Float64(), new Float64Array(n), quality.samples, 1, 0, true);
  return new Table(columns);
}

/**
 * A column with a value for each clustered customer and null for each outlier (and, with
 * `nanIsNull`, where the value is NaN), built straight into its buffers. The clustered customers'
 * values are `source[k * stride + offset]` for the k-th of them: a column of a row-major matrix.
 */
function perClustered(
  flagged: Uint8Array,
  type: Float64 | Int32,
  values: Float64Array | Int32Array,
  source: ArrayLike<number>,
  stride: number,
  offset: number,
  nanIsNull = false,
): Vector {
  const n = flagged.length;
  const valid = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0, k = 0; i < n; i++) {
    if (flagged[i]) {
      nulls++;
      continue;
    }
    const v = source[k++ * stride + offset]!;
    if (nanIsNull && Number.isNaN(v)) {
      nulls++;
      continue;
    }
    values[i] = v;
    valid[i >> 3]! |= 1 << (i & 7);
  }
  return makeVector(makeData({ type, length: n, nullCount: nulls, nullBitmap: valid, data: values } as never));
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
    ...(clusters.algorithm ? { algorithm: clusters.algorithm } : {}),
    ...(quality.silhouetteSample ? { silhouetteSample: quality.silhouetteSample } : {}),
  };
}

function reportData(a: RunArtifacts, generatedAt: string, correlationMatrix: (m: Matrix) => Matrix): ReportData {
  const { summary, kept, reduced, clusters, quality } = a;
  const col = (name: string) => column(kept.matrix, FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number]));
  const p = reduced.fit.nComponents;
  const pc = (c: number) => column(reduced.scores, c);
  return {
    title: "Customer segments",
    runId: summary.runId ?? summary.runDir.split("/").pop() ?? summary.runDir,
    input: summary.input,
    mode: summary.mode,
    generatedAt,
    ...(summary.synthetic ? { synthetic: { detail: summary.generator && describeMark(summary.generator) } } : {}),
    segments: a.segments,
    ...(a.currency ? { currency: a.currency } : {}),
    steps: reportSteps(summary),
    features: [...FEATURE_NAMES],
    profiles: a.profiles,
    customers: {
      labels: clusters.labels,
      pc1: pc(0),
      pc2: p > 1 ? pc(1) : new Float64Array(kept.ids.length),
      ...(p > 2 ? { pc3: pc(2) } : {}),
      recency: col("Days_Since_Last_Purchase"),
      frequency: col("Total_Transactions"),
      spend: col("Total_Spend"),
    },
    silhouette: sampledSilhouettes(quality.samples, clusters.labels),
    pca: { explainedVarianceRatio: reduced.allRatios, chosen: p, threshold: a.opts.variance, components: reduced.fit.components },
    correlation: correlationMatrix(kept.matrix),
    metrics: {
      silhouette: quality.silhouette,
      daviesBouldin: quality.daviesBouldin,
      calinskiHarabasz: quality.calinskiHarabasz,
      inertia: clusters.inertia,
      ...(quality.silhouetteSample ? { silhouetteSample: quality.silhouetteSample } : {}),
    },
  };
}

/** Column j of a row-major matrix. */
function column(m: Matrix, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j]!;
  return out;
}

/**
 * The report's pipeline table: every timed step, in the order it ran, from the run's one record of
 * step times (the terminal summary sums the same record), each with the count it left; cleaning's
 * five filters, which run in one pass, below it. Writing the run directory is timed after the
 * report is written, so only the terminal shows it.
 */
function reportSteps(s: RunSummary): StepRecord[] {
  const r = s.rows;
  const rows = (count: number | undefined) => ({ unit: "rows" as const, count: count! });
  const customers = (count: number) => ({ unit: "customers" as const, count });
  const counts: Record<string, Pick<StepRecord, "unit" | "count">> = {
    load: rows(r.loaded),
    clean: rows(r.afterZeroPrice),
    features: customers(s.customersBeforeOutliers),
    outliers: customers(s.customers),
    segments: customers(s.customersBeforeOutliers),
  };
  const filters: StepRecord[] = [
    { step: "missing CustomerID or Description", ...rows(r.afterMissing), partOf: "clean" },
    { step: "duplicates", ...rows(r.afterDuplicates), partOf: "clean" },
    { step: "anomalous stock codes", ...rows(r.afterAnomalousCodes), partOf: "clean" },
    { step: "service descriptions", ...rows(r.afterServiceDescriptions), partOf: "clean" },
    { step: "zero unit price", ...rows(r.afterZeroPrice), partOf: "clean" },
  ];
  const steps: StepRecord[] = [];
  for (const [step, ms] of Object.entries(s.timingsMs)) {
    if (isOutputStep(step)) continue;
    // Steps after the outliers work on the clustered customers.
    steps.push({ step, ...(counts[step] ?? customers(s.customers)), ms });
    if (step === "clean") steps.push(...filters);
  }
  return steps;
}

/** The customers that have a silhouette (all, or the sample's), with their labels, for the chart. */
function sampledSilhouettes(values: Float64Array, labels: Int32Array): { values: Float64Array; labels: Int32Array } {
  let kept = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) kept++;
  if (kept === values.length) return { values, labels };
  const out = { values: new Float64Array(kept), labels: new Int32Array(kept) };
  for (let i = 0, j = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) continue;
    out.values[j] = values[i]!;
    out.labels[j++] = labels[i]!;
  }
  return out;
}
