// The summary of a clustered run and its business figures, shared by `custseg run` and the best
// trial of `custseg tune`.
import type { Table } from "apache-arrow";
import { type SegmentFigures, segmentFigures } from "../steps/business.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { type RecommendationsWithExtra, recommendSteps } from "../steps/recommend.js";
import { drain, type Steps } from "../../engine/steps.js";
import type { CustomerMatrix, RunOptions, RunSummary } from "../options.js";
import type { FeaturesJobResult } from "./features.js";
import type { RunArtifacts } from "./run-artifacts.js";

/** Business figures per cluster and for the outliers, whose best sellers are ranked as a group of their own. */
export function businessFigures(...args: Parameters<typeof businessFiguresSteps>): SegmentFigures[] {
  return drain(businessFiguresSteps(...args));
}

/**
 * businessFigures as steps. The outliers' best sellers are `recommendations.extraTop` where the
 * recommendations ranked the flagged customers as their extra group; else they take a pass over the lines.
 */
export function* businessFiguresSteps(
  cleaned: Table,
  all: CustomerMatrix,
  flagged: Uint8Array,
  clusterOf: ReadonlyMap<number, number>,
  names: string[],
  recommendations: RecommendationsWithExtra,
  opts: Pick<RunOptions, "compat">,
): Steps<SegmentFigures[]> {
  const column = (name: string) => {
    const j = FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number]);
    const { rows, cols, data } = all.matrix;
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) out[i] = data[i * cols + j]!;
    return out;
  };
  const segment = Int32Array.from(all.ids, (id, i) => (flagged[i] ? -1 : clusterOf.get(id)!));
  const outliers = new Map<number, number>();
  all.ids.forEach((id, i) => {
    if (flagged[i]) outliers.set(id, -1);
  });
  const outlierTop = outliers.size === 0 ? [] : (recommendations.extraTop ?? (yield* recommendSteps(cleaned, outliers, { compat: opts.compat })).top);
  const top = (cluster: number) => (cluster < 0 ? outlierTop : recommendations.top.filter((t) => t.cluster === cluster))
    .map(({ stockCode, description, quantity, revenue }) => ({ stockCode, description, quantity, revenue }));
  const customers = {
    revenue: column("Total_Spend"),
    invoices: column("Total_Transactions"),
    cancelledInvoices: column("Cancellation_Frequency"),
    recencyDays: column("Days_Since_Last_Purchase"),
    segment,
  };
  return segmentFigures(customers, names, top);
}

/** The summary figures of a clustered run, shared by `custseg run` and the best trial of `custseg tune`. */
export function summarize(
  a: Pick<RunArtifacts, "all" | "kept" | "reduced" | "clusters" | "quality" | "profiles" | "segments"> & { job: Pick<FeaturesJobResult, "rows" | "generated"> },
  compat: RunOptions["compat"],
  k: number,
): Omit<RunSummary, "input" | "timingsMs" | "runDir" | "runId"> {
  const { job, all, kept, reduced, clusters, quality, profiles, segments } = a;
  return {
    mode: compat === "seed" ? "seed" : "default",
    synthetic: job.generated !== undefined,
    ...(job.generated ? { generator: job.generated } : {}),
    rows: { ...job.rows },
    customers: kept.ids.length,
    customersBeforeOutliers: all.ids.length,
    outliers: all.ids.length - kept.ids.length,
    nComponents: reduced.fit.nComponents,
    explainedVarianceRatio: [...reduced.fit.explainedVarianceRatio],
    k,
    ...(clusters.algorithm ? { algorithm: clusters.algorithm } : {}),
    ...(clusters.nSteps !== undefined ? { nSteps: clusters.nSteps } : {}),
    inertia: clusters.inertia,
    nIter: clusters.nIter,
    silhouette: quality.silhouette,
    ...(quality.silhouetteSample ? { silhouetteSample: quality.silhouetteSample } : {}),
    daviesBouldin: quality.daviesBouldin,
    calinskiHarabasz: quality.calinskiHarabasz,
    clusterSizes: clusters.sizes,
    clusterNames: profiles.clusters.map((c) => c.name),
    revenueShares: segments.map((s) => s.revenueShare),
    clusterDescriptions: profiles.clusters.map((c) => c.description),
  };
}
