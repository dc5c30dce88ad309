// Segment names: a short label per cluster ("High-value regulars", "Lapsed one-time buyers") read
// from the same standardised differences as the one-line descriptions, so a name never says
// something the profile does not. Names use recency, frequency and spend (which are defined for
// every customer) and, failing those, the cluster's strongest described trait (already free of
// degenerate statistics), so a name never rests on a statistic that is undefined for the cluster.
import { UserError } from "../../errors.js";

/** What naming reads of a cluster profile (a structural subset of ClusterProfile). */
export interface NamingProfile {
  readonly size: number;
  readonly median: readonly number[];
  readonly z: readonly number[];
  readonly traits: readonly { readonly feature: string; readonly z: number }[];
}

/** A difference counts when the cluster mean is at least this many overall stds from the mean (as traits). */
export const NAME_THRESHOLD = 0.25;

const RECENCY = "Days_Since_Last_Purchase";
const FREQUENCY = "Total_Transactions";
const SPEND = "Total_Spend";

/** Fallback nouns for a cluster that stands out on none of recency, frequency and spend. */
const TRAIT_NAMES: Readonly<Record<string, { high: string; low: string }>> = {
  Is_UK: { high: "UK customers", low: "International customers" },
  Cancellation_Rate: { high: "Frequent cancellers", low: "Reliable customers" },
  Cancellation_Frequency: { high: "Frequent cancellers", low: "Reliable customers" },
  Average_Transaction_Value: { high: "Big-basket customers", low: "Small-basket customers" },
  Unique_Products_Purchased: { high: "Wide-range customers", low: "Narrow-range customers" },
  Total_Products_Purchased: { high: "Bulk buyers", low: "Small-quantity buyers" },
  Spending_Trend: { high: "Growing customers", low: "Shrinking customers" },
  Monthly_Spending_Std: { high: "Irregular spenders", low: "Steady spenders" },
  Hour: { high: "Late-day shoppers", low: "Early-day shoppers" },
  Day_Of_Week: { high: "Late-week shoppers", low: "Early-week shoppers" },
};

/** One name from a profile's standardised differences; `features` gives the order of z and median. */
export function segmentName(features: readonly string[], p: NamingProfile): string {
  if (p.size === 0) return "Empty segment";
  const at = (name: string, of: readonly number[]) => {
    const j = features.indexOf(name);
    return j >= 0 && Number.isFinite(of[j]) ? of[j]! : undefined;
  };
  const level = (name: string) => {
    const z = at(name, p.z) ?? 0;
    return z >= NAME_THRESHOLD ? 1 : z <= -NAME_THRESHOLD ? -1 : 0;
  };
  const recency = level(RECENCY);
  const frequency = level(FREQUENCY);
  const spend = level(SPEND);
  // "One-time" reads the median customer's invoice count itself, not a difference from the mean.
  const oneTime = (at(FREQUENCY, p.median) ?? 2) <= 1;

  if (recency > 0) {
    if (spend > 0) return "Lapsed high-value buyers";
    if (oneTime) return "Lapsed one-time buyers";
    return frequency < 0 ? "Lapsed occasional buyers" : "Lapsed buyers";
  }
  const value = spend > 0 ? "High-value" : spend < 0 ? "Low-value" : "";
  let noun = frequency > 0 ? "regulars" : oneTime ? "one-time buyers" : frequency < 0 ? "occasional buyers" : recency < 0 ? "recent buyers" : "";
  if (recency < 0 && frequency > 0 && !value) noun = "active regulars";
  if (value && noun) return `${value} ${noun}`;
  if (value) return `${value} customers`;
  if (noun) return capitalise(noun);
  for (const t of p.traits) {
    const words = TRAIT_NAMES[t.feature];
    if (words) return t.z > 0 ? words.high : words.low;
  }
  return "Average customers";
}

/**
 * Names for every cluster, distinct: a name two clusters share gets the cluster number after it,
 * so a report, an export or a CRM never merges two segments by name.
 */
export function segmentNames(features: readonly string[], profiles: readonly NamingProfile[]): string[] {
  const names = profiles.map((p) => segmentName(features, p));
  return names.map((name, c) => (names.indexOf(name) !== names.lastIndexOf(name) ? `${name} (${c})` : name));
}

/** Longest name accepted from a --names file: it heads report tables and CRM columns. */
export const MAX_NAME_LENGTH = 60;

/**
 * Reads a names file (`{"0": "name", …}`): keys are cluster numbers 0..k−1, values non-empty
 * strings, distinct. Clusters not listed keep their derived names. Errors are one line naming
 * the file and the key at fault.
 */
export function parseSegmentNames(text: string, k: number, file: string): Map<number, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`, 1, { input: file });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UserError(`${file}: expected an object of cluster numbers to names, like {"0": "Loyal regulars"}`, 1, { input: file });
  }
  const names = new Map<number, string>();
  for (const [key, value] of Object.entries(json)) {
    const fail = (what: string) => new UserError(`${file}: key "${key}": ${what}`, 1, { input: file, column: key });
    if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= k) throw fail(`not a cluster number (0..${k - 1})`);
    if (typeof value !== "string") throw fail("the name must be a string");
    const name = value.trim();
    if (name === "") throw fail("the name is empty");
    if (name.length > MAX_NAME_LENGTH) throw fail(`the name is longer than ${MAX_NAME_LENGTH} characters`);
    if (/[\r\n\t]/.test(name)) throw fail("the name contains a line break or tab");
    names.set(Number(key), name);
  }
  return names;
}

/** Derived names with the given ones in their place; fails when two clusters end up with one name. */
export function applyNames(derived: readonly string[], given: ReadonlyMap<number, string>, file: string): string[] {
  const names = derived.map((name, c) => given.get(c) ?? name);
  names.forEach((name, c) => {
    const other = names.indexOf(name);
    if (other !== c) throw new UserError(`${file}: clusters ${other} and ${c} would both be named "${name}"`, 1, { input: file });
  });
  return names;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
