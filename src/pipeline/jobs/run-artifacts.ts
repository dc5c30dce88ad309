// Everything one run computed, handed from the run job to the writers of its outputs.
import type { Clustered } from "../steps/cluster.js";
import type { ClusterQuality } from "../steps/evaluate.js";
import type { OutlierResult } from "../steps/outliers.js";
import type { Currency, SegmentFigures } from "../steps/business.js";
import type { ClusterProfiles } from "../steps/profiles.js";
import type { Recommendations } from "../steps/recommend.js";
import type { Reduced } from "../steps/reduce.js";
import type { Scaled } from "../steps/scale.js";
import type { CustomerMatrix, RunOptions, RunSummary } from "../options.js";

export interface RunArtifacts {
  opts: RunOptions;
  now: Date;
  sha256: string;
  /** YYYY-MM-DD the features were computed as of (the last purchase day in the data). */
  asOf: string;
  /** The IsolationForest, where it flagged the outliers (not with a given outlier list). */
  forest?: OutlierResult;
  /** Every customer with features, and which of them were flagged as outliers. */
  all: CustomerMatrix;
  flagged: Uint8Array;
  /** The clustered customers (not flagged), in the same order as the labels and scores. */
  kept: CustomerMatrix;
  scaled: Scaled;
  reduced: Reduced;
  clusters: Clustered;
  /** How the clusters are numbered, when not by size (a retrained model keeps production's numbers). */
  clusterOrder?: string;
  quality: ClusterQuality;
  profiles: ClusterProfiles;
  recommendations: Recommendations;
  /** Business figures per cluster, then the outliers. */
  segments: SegmentFigures[];
  currency?: Currency;
  summary: RunSummary;
}
