// The run directory: every output of `custseg run`, written into a temp directory that is renamed
// into place only when complete, so a failed or interrupted run leaves nothing behind.
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Bool, Float64, Int32, makeVector, Table, type Vector, vectorFromArray } from "apache-arrow";
import { tableToParquet } from "../../io/write.js";
import { OptionError, UserError } from "../../errors.js";
import type { Matrix } from "../../engine/matrix.js";
import type { ReportData, StepRecord } from "../../report/index.js";
import { writeDirAtomic } from "../../io/atomic.js";
import { describeMark } from "../../io/generated-mark.js";
import { modelJson } from "../../model/index.js";
import type { RunSummary } from "../options.js";
import { WRITE_STEP } from "../progress.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { recommendationsCsv, topProductsCsv } from "../steps/recommend.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { runModel } from "./run-model.js";

/**
 * Fails before any work is done when the run directory cannot be created: `dir` (the run directory,
 * or the folder it will be created in) must not be a file or a non-empty directory, and its nearest
 * existing ancestor must be a writable directory.
 */
export function checkRunDirectory(dir: string, isRunDir: boolean, option: string): void {
  if (isRunDir && existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new OptionError(option, `${dir} already exists; name a new run directory`);
  }
  let parent = resolve(isRunDir ? dirname(dir) : dir);
  while (!existsSync(parent)) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) throw new OptionError(option, `${dir}: ${parent} is a file, not a directory`);
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw new OptionError(option, `${dir}: ${parent} is not writable`);
  }
}

export async function writeRunDirectory(dir: string, a: RunArtifacts): Promise<void> {
  try {
    await fillRunDirectory(dir, a);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new UserError(`cannot write the run directory ${dir}: ${(err as Error).message}`);
    throw err;
  }
}

async function fillRunDirectory(dir: string, a: RunArtifacts): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    const json = (value: unknown) => `${JSON.stringify(value, null, 1)}\n`;
    await writeFile(join(tmp, "customers.parquet"), tableToParquet(customersTable(a)));
    await writeFile(join(tmp, "model.json"), modelJson(runModel(a)));
    await writeFile(join(tmp, "metrics.json"), json(metrics(a)));
    await writeFile(join(tmp, "profiles.json"), json({ ...a.profiles, currency: a.currency?.code ?? null, segments: a.segments }));
    await writeFile(join(tmp, "recommendations.csv"), recommendationsCsv(a.recommendations));
    await writeFile(join(tmp, "top_products.csv"), topProductsCsv(a.recommendations));
    // The report is loaded only here, at the end of a run: nothing before it needs it.
    const report = await import("../../report/index.js");
    await writeFile(join(tmp, "report.html"), report.renderReport(reportData(a, report.correlationMatrix)));
    await writeFile(join(tmp, "summary.json"), json(a.summary));
  });
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

function reportData(a: RunArtifacts, correlationMatrix: (m: Matrix) => Matrix): ReportData {
  const { summary, kept, reduced, clusters, quality } = a;
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
    generatedAt: a.now.toISOString(),
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
    silhouette: { values: quality.samples, labels: clusters.labels },
    pca: { explainedVarianceRatio: reduced.allRatios, chosen: p, threshold: a.opts.variance, components: reduced.fit.components },
    correlation: correlationMatrix(kept.matrix),
    metrics: { silhouette: quality.silhouette, daviesBouldin: quality.daviesBouldin, calinskiHarabasz: quality.calinskiHarabasz, inertia: clusters.inertia },
  };
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
    if (step === WRITE_STEP) continue;
    // Steps after the outliers work on the clustered customers.
    steps.push({ step, ...(counts[step] ?? customers(s.customers)), ms });
    if (step === "clean") steps.push(...filters);
  }
  return steps;
}
