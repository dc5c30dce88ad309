import type { Matrix } from "../engine/matrix.js";
import type { Currency, SegmentFigures } from "../pipeline/steps/business.js";
import type { ClusterProfiles } from "../pipeline/steps/profiles.js";

/** One pipeline step: the count it left (rows of transactions, or customers) and its wall time. */
export interface StepRecord {
  readonly step: string;
  readonly unit: "rows" | "customers";
  readonly count: number;
  /** wall milliseconds; absent where the step was not timed (e.g. served from cache) */
  readonly ms?: number;
  /**
   * The timed step this one is a part of (listed right after it): the parts run together, so only
   * the whole has a time, and a part's change counts from what the whole started with.
   */
  readonly partOf?: string;
}

export interface ClusterMetrics {
  readonly silhouette: number;
  /** Where the silhouette is a seeded sample's: its size, the customers drawn from, a 95 % interval. */
  readonly silhouetteSample?: { readonly size: number; readonly population: number; readonly ci95: readonly [number, number] };
  readonly daviesBouldin: number;
  readonly calinskiHarabasz: number;
  readonly inertia: number;
}

/**
 * Everything the HTML report shows. Nothing here is read from the clock or the disk by the
 * renderer: the same ReportData always renders to the same bytes.
 *
 * Per-customer arrays in `customers` are parallel (one entry per clustered customer). The
 * silhouette values may cover a sample of customers, hence their own labels.
 */
export interface ReportData {
  readonly title: string;
  readonly runId: string;
  /** name of the input file as the user gave it */
  readonly input: string;
  /** feature semantics, e.g. "default" or "seed" */
  readonly mode: string;
  /** ISO-8601 timestamp of the run, passed in by the caller */
  readonly generatedAt: string;
  /** present when the input was generated: the report then opens with a banner saying so */
  readonly synthetic?: { readonly detail?: string };
  /** loaded, each cleaning step, customers with features, customers after outliers, … in order */
  readonly steps: readonly StepRecord[];
  readonly features: readonly string[];
  /** per-cluster profiles (src/pipeline/steps/profiles.ts); k and the cluster sizes come from here */
  readonly profiles: ClusterProfiles;
  /** business figures per cluster, then the outliers (src/pipeline/steps/business.ts) */
  readonly segments?: readonly SegmentFigures[];
  /** the prices' currency, where the run was told it */
  readonly currency?: Currency;
  readonly customers: {
    readonly labels: Int32Array;
    readonly pc1: Float64Array;
    readonly pc2: Float64Array;
    /** present where at least three components are kept */
    readonly pc3?: Float64Array;
    /** Days_Since_Last_Purchase */
    readonly recency: Float64Array;
    /** Total_Transactions */
    readonly frequency: Float64Array;
    /** Total_Spend */
    readonly spend: Float64Array;
  };
  readonly silhouette: { readonly values: Float64Array; readonly labels: Int32Array };
  readonly pca: {
    /** every computed component's explained variance ratio, largest first */
    readonly explainedVarianceRatio: readonly number[];
    /** number of components kept for clustering */
    readonly chosen: number;
    /** cumulative explained variance the component count aimed for, e.g. 0.8 */
    readonly threshold: number;
    /** chosen × features: each kept component's weights on the (scaled) features */
    readonly components: Matrix;
  };
  /** features × features Pearson correlation (see `correlationMatrix` in ./correlation.ts) */
  readonly correlation: Matrix;
  readonly metrics: ClusterMetrics;
}
