import type { Matrix } from "../../engine/matrix.js";
import { drain, type Steps } from "../../engine/steps.js";
import { segmentNames } from "./names.js";


/** One feature that sets a cluster apart: its standardised difference and the words for it. */
export interface Trait {
  readonly feature: string;
  /** (cluster mean − overall mean) / overall std; 0 where the feature is constant. */
  readonly z: number;
  readonly phrase: string;
}

export interface ClusterProfile {
  readonly cluster: number;
  /** a short segment name derived from the same differences as the description (see names.ts) */
  readonly name: string;
  readonly size: number;
  /** size / all clustered customers */
  readonly share: number;
  /** per feature, in the order of `ClusterProfiles.features`; NaN for an empty cluster */
  readonly mean: readonly number[];
  readonly median: readonly number[];
  /** standardised difference of the cluster mean from the overall mean, per feature */
  readonly z: readonly number[];
  /** mean silhouette of the cluster's customers, where per-sample silhouettes were given */
  readonly silhouette?: number;
  /** the strongest traits, strongest first (at most MAX_TRAITS, one per theme) */
  readonly traits: readonly Trait[];
  /** one line in a marketer's words, e.g. "recent, frequent, high-spending buyers; low cancellation rate" */
  readonly description: string;
}

export interface ClusterProfiles {
  readonly features: readonly string[];
  readonly overallMean: readonly number[];
  /** population standard deviation (ddof 0) over all clustered customers */
  readonly overallStd: readonly number[];
  readonly clusters: readonly ClusterProfile[];
}

/** A trait counts only if the cluster mean is at least this many overall stds from the mean. */
export const TRAIT_THRESHOLD = 0.25;
export const MAX_TRAITS = 3;

/**
 * How to say a feature is high or low. An adjective goes before "buyers" ("frequent buyers"); a
 * clause follows after a semicolon ("low cancellation rate"). Features in one theme say nearly the
 * same thing (Total_Spend and Monthly_Spending_Mean), so a description uses one feature per theme.
 */
interface Wording {
  readonly theme: string;
  readonly high: Phrase;
  readonly low: Phrase;
}
type Phrase = { readonly adj: string } | { readonly clause: string | ((clusterMean: number) => string) };

const WORDING: Readonly<Record<string, Wording>> = {
  Days_Since_Last_Purchase: { theme: "recency", high: { adj: "lapsed" }, low: { adj: "recent" } },
  Total_Transactions: { theme: "frequency", high: { adj: "frequent" }, low: { adj: "occasional" } },
  Average_Days_Between_Purchases: {
    theme: "frequency",
    high: { clause: "long gaps between purchases" },
    low: { clause: "short gaps between purchases" },
  },
  Total_Spend: { theme: "spend", high: { adj: "high-spending" }, low: { adj: "low-spending" } },
  Monthly_Spending_Mean: { theme: "spend", high: { adj: "high-spending" }, low: { adj: "low-spending" } },
  Total_Products_Purchased: { theme: "spend", high: { adj: "bulk" }, low: { adj: "small-quantity" } },
  Average_Transaction_Value: { theme: "basket", high: { clause: "large baskets" }, low: { clause: "small baskets" } },
  Unique_Products_Purchased: {
    theme: "range",
    high: { clause: "buy a wide range of products" },
    low: { clause: "buy a narrow range of products" },
  },
  Day_Of_Week: { theme: "weekday", high: { clause: "shop later in the week" }, low: { clause: "shop early in the week" } },
  Hour: { theme: "hour", high: { clause: "shop later in the day" }, low: { clause: "shop earlier in the day" } },
  Is_UK: {
    theme: "country",
    high: { clause: (m) => (m >= 0.95 ? "almost all in the UK" : "mostly in the UK") },
    low: { clause: (m) => (m < 0.5 ? "mostly outside the UK" : "more often outside the UK") },
  },
  Cancellation_Frequency: {
    theme: "cancellation",
    high: { clause: "cancel often" },
    low: { clause: "rarely cancel" },
  },
  Cancellation_Rate: {
    theme: "cancellation",
    high: { clause: "high cancellation rate" },
    low: { clause: "low cancellation rate" },
  },
  Monthly_Spending_Std: {
    theme: "volatility",
    high: { clause: "spend varies a lot month to month" },
    low: { clause: "steady monthly spend" },
  },
  Spending_Trend: { theme: "trend", high: { clause: "spend is growing" }, low: { clause: "spend is shrinking" } },
};

/**
 * Statistics that are 0 by construction for a customer with one month (Monthly_Spending_Std,
 * Spending_Trend) or one purchase day (Average_Days_Between_Purchases in --compat seed). When the
 * cluster's median customer has 0 there, the cluster's low mean says "one month of data", not
 * "steady spend" or "short gaps", so the feature is not read as a trait of that cluster.
 */
export const DEGENERATE_AT_ZERO: ReadonlySet<string> = new Set(["Monthly_Spending_Std", "Spending_Trend", "Average_Days_Between_Purchases"]);

/**
 * A gap between purchases needs two of them: where the cluster's median customer has one invoice,
 * Average_Days_Between_Purchases holds the days from that purchase to the end of the data (the
 * default mode's lower bound), which is recency again, not a gap.
 */
const NEEDS_TWO_PURCHASES: ReadonlySet<string> = new Set(["Average_Days_Between_Purchases"]);

/**
 * Whether the cluster's value of `feature` is an artefact of too little history (see above);
 * `clusterMedian(name)` gives the cluster's median of another feature, where it is known.
 */
export function isDegenerate(feature: string, median: number, clusterMedian: (name: string) => number | undefined = () => undefined): boolean {
  if (DEGENERATE_AT_ZERO.has(feature) && median === 0) return true;
  const invoices = clusterMedian("Total_Transactions");
  return NEEDS_TWO_PURCHASES.has(feature) && invoices !== undefined && invoices <= 1;
}

/** Any other feature: "high <name in words>" / "low <name in words>", each in a theme of its own. */
function wordingFor(feature: string): Wording {
  const known = WORDING[feature];
  if (known) return known;
  const words = feature.replace(/_/g, " ").toLowerCase();
  return { theme: `feature:${feature}`, high: { clause: `high ${words}` }, low: { clause: `low ${words}` } };
}

/**
 * Per-cluster size, share, mean and median of every feature, mean silhouette and a description.
 * `x` holds the unscaled features of the clustered customers (rows = customers, cols = features);
 * `labels[i]` is the cluster of row i, 0..k−1. k is the largest label + 1 unless given.
 */
export function clusterProfiles(
  features: readonly string[],
  x: Matrix,
  labels: Int32Array,
  silhouette?: Float64Array,
  k?: number,
): ClusterProfiles {
  return drain(clusterProfilesSteps(features, x, labels, silhouette, k));
}

/** clusterProfiles as steps (see engine/steps.ts): one yield per cluster and feature, after its median. */
export function* clusterProfilesSteps(
  features: readonly string[],
  x: Matrix,
  labels: Int32Array,
  silhouette?: Float64Array,
  k?: number,
): Steps<ClusterProfiles> {
  if (features.length !== x.cols) {
    throw new RangeError(`clusterProfiles: ${features.length} feature names for a matrix of ${x.cols} columns`);
  }
  if (labels.length !== x.rows) {
    throw new RangeError(`clusterProfiles: ${labels.length} labels for a matrix of ${x.rows} rows`);
  }
  if (silhouette && silhouette.length !== x.rows) {
    throw new RangeError(`clusterProfiles: ${silhouette.length} silhouette values for ${x.rows} rows`);
  }
  const maxLabel = largestLabel(labels);
  const nClusters = k ?? maxLabel + 1;
  if (maxLabel >= nClusters) throw new RangeError(`clusterProfiles: label ${maxLabel} is out of range for k=${nClusters}`);

  const { rows, cols, data } = x;
  const overallMean = columnMeans(data, rows, cols);
  const overallStd = overallMean.map((m, j) => {
    let ss = 0;
    for (let i = 0; i < rows; i++) ss += (data[i * cols + j] - m) ** 2;
    return rows > 0 ? Math.sqrt(ss / rows) : Number.NaN;
  });

  // Row indices per cluster, in row order: each cluster's rows are then gathered once.
  const members = rowsPerCluster(labels, nClusters);

  const unnamed: Omit<ClusterProfile, "name">[] = [];
  for (let c = 0; c < nClusters; c++) {
    const rowsOf = members[c]!;
    const size = rowsOf.length;
    const mean: number[] = [];
    const median: number[] = [];
    const column = new Float64Array(size);
    for (let j = 0; j < cols; j++) {
      const sum = gatherColumn(data, cols, j, rowsOf, column);
      mean.push(size > 0 ? sum / size : Number.NaN);
      median.push(medianOf(column));
      yield;
    }
    const z = mean.map((m, j) => standardisedDifference(m, overallMean[j], overallStd[j]));
    let silhouetteMean: number | undefined;
    if (silhouette) {
      silhouetteMean = sampledMean(silhouette, rowsOf);
    }
    const traits = size > 0 ? strongestTraits(features, mean, median, z) : [];
    unnamed.push({
      cluster: c,
      size,
      share: rows > 0 ? size / rows : 0,
      mean,
      median,
      z,
      ...(silhouette ? { silhouette: silhouetteMean } : {}),
      traits,
      description: size > 0 ? describe(traits) : "no customers",
    });
  }
  const names = segmentNames(features, unnamed);
  const clusters = unnamed.map(({ cluster, ...rest }, c): ClusterProfile => ({ cluster, name: names[c]!, ...rest }));
  return { features: [...features], overallMean, overallStd, clusters };
}

// The loops over customers, in plain functions: V8 optimises a loop in one early, but never
// optimises a loop in a generator's body while it runs.

/** The largest label; a negative one is refused. */
function largestLabel(labels: Int32Array): number {
  let maxLabel = -1;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! < 0) throw new RangeError(`clusterProfiles: label ${labels[i]} at row ${i} is negative`);
    if (labels[i]! > maxLabel) maxLabel = labels[i]!;
  }
  return maxLabel;
}

function rowsPerCluster(labels: Int32Array, nClusters: number): number[][] {
  const members: number[][] = Array.from({ length: nClusters }, () => []);
  for (let i = 0; i < labels.length; i++) members[labels[i]!]!.push(i);
  return members;
}

/** Column j of the rows `rowsOf` into `column`; returns their sum, added in row order. */
function gatherColumn(data: Float64Array, cols: number, j: number, rowsOf: readonly number[], column: Float64Array): number {
  let sum = 0;
  for (let r = 0; r < rowsOf.length; r++) sum += column[r] = data[rowsOf[r]! * cols + j]!;
  return sum;
}

/** The mean over `rowsOf` of the values that are not NaN (a customer outside a silhouette sample). */
function sampledMean(values: Float64Array, rowsOf: readonly number[]): number {
  let s = 0;
  let m = 0;
  for (let r = 0; r < rowsOf.length; r++) {
    const v = values[rowsOf[r]!]!;
    if (Number.isNaN(v)) continue;
    s += v;
    m++;
  }
  return m > 0 ? s / m : Number.NaN;
}

/** The profiles with other names (a --names file); everything else unchanged. */
export function renameClusters(profiles: ClusterProfiles, names: readonly string[]): ClusterProfiles {
  return { ...profiles, clusters: profiles.clusters.map((c, i) => ({ ...c, name: names[i] ?? c.name })) };
}

function columnMeans(data: Float64Array, rows: number, cols: number): number[] {
  const sums = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sums[j] += data[i * cols + j];
  return sums.map((s) => (rows > 0 ? s / rows : Number.NaN));
}

/** Median of the values (sorted in place); the mean of the two middle values for an even count. */
export function medianOf(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  values.sort();
  const mid = n >> 1;
  return n % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

/** A constant feature separates nothing: its difference is 0 rather than NaN or ±Infinity. */
function standardisedDifference(clusterMean: number, overallMean: number, overallStd: number): number {
  if (!(overallStd > 0) || !Number.isFinite(clusterMean)) return 0;
  return (clusterMean - overallMean) / overallStd;
}

/**
 * The strongest feature of each theme, then the strongest themes: |z| descending, ties by feature
 * order, so the result depends on the data alone.
 */
function strongestTraits(features: readonly string[], mean: readonly number[], median: readonly number[], z: readonly number[]): Trait[] {
  const medianOf = (name: string) => {
    const k = features.indexOf(name);
    return k >= 0 ? median[k] : undefined;
  };
  const order = features.map((_, j) => j).sort((a, b) => Math.abs(z[b]) - Math.abs(z[a]) || a - b);
  const themes = new Set<string>();
  const traits: Trait[] = [];
  for (const j of order) {
    if (traits.length === MAX_TRAITS || Math.abs(z[j]) < TRAIT_THRESHOLD) break;
    if (isDegenerate(features[j], median[j], medianOf)) continue;
    const wording = wordingFor(features[j]);
    if (themes.has(wording.theme)) continue;
    themes.add(wording.theme);
    const phrase = z[j] > 0 ? wording.high : wording.low;
    traits.push({ feature: features[j], z: z[j], phrase: phraseText(phrase, mean[j]) });
  }
  return traits;
}

function phraseText(phrase: Phrase, clusterMean: number): string {
  if ("adj" in phrase) return phrase.adj;
  return typeof phrase.clause === "function" ? phrase.clause(clusterMean) : phrase.clause;
}

/** Adjectives read in the marketer's R-F-M order whatever their strength. */
const ADJECTIVE_ORDER = ["recency", "frequency", "spend"];

/** Adjectives first ("recent, frequent buyers"), then clauses (strongest first) after semicolons. */
function describe(traits: readonly Trait[]): string {
  if (traits.length === 0) return "close to the overall average on every feature";
  const adjectives: { theme: string; text: string }[] = [];
  const clauses: string[] = [];
  for (const t of traits) {
    const wording = wordingFor(t.feature);
    const phrase = t.z > 0 ? wording.high : wording.low;
    if ("adj" in phrase) adjectives.push({ theme: wording.theme, text: t.phrase });
    else clauses.push(t.phrase);
  }
  adjectives.sort((a, b) => ADJECTIVE_ORDER.indexOf(a.theme) - ADJECTIVE_ORDER.indexOf(b.theme));
  const lead = adjectives.length > 0 ? [`${adjectives.map((a) => a.text).join(", ")} buyers`] : [];
  return [...lead, ...clauses].join("; ");
}
