// Transactions → cleaned lines and one row of features per customer, through the step graph and
// the artefact store `custseg run` fills: `predict` and `drift` on a file a run already processed
// reuse its load, clean and features instead of computing them again.
import type { Table } from "apache-arrow";
import type { Engine } from "../../engine/engine.js";
import { UserError } from "../../errors.js";
import { RUN_DEFAULTS, type RunOptions } from "../options.js";
import { silentReporter } from "../progress.js";
import { lastPurchaseDay } from "../steps/as-of.js";
import { runGraph } from "./graph/runner.js";
import type { Values } from "./graph/steps.js";

/** The run options load, clean and features read, the artefact store, and the as-of rule. */
export type StoredFeaturesOptions = Pick<
  RunOptions,
  "input" | "compat" | "encoding" | "map" | "textFormat" | "cacheDir" | "limits" | "reporter" | "signal"
> & {
  /** The artefact store `custseg run` uses; without one every step computes and nothing is kept. */
  artifacts?: string;
  /**
   * The day number recency counts from, given the input's last purchase day (the default); it may
   * refuse a day by throwing.
   */
  asOf?: (lastDay: number) => number;
};

export interface StoredFeatures {
  clean: Values["clean"];
  features: Table;
  /** The day number recency counts from. */
  asOf: number;
  /** Each step's time in this call (a stored one: checking or reading it). */
  timingsMs: Record<string, number>;
}

// Load, clean and features start no engine.
const noEngine = (): Promise<Engine> => Promise.reject(new Error("the steps up to features use no engine"));

export async function storedFeatures(o: StoredFeaturesOptions): Promise<StoredFeatures> {
  // Only the options load, clean and features read enter their keys; the rest are run defaults.
  const opts: RunOptions = { ...RUN_DEFAULTS, input: o.input, compat: o.compat, encoding: o.encoding, map: o.map, textFormat: o.textFormat, cacheDir: o.cacheDir, limits: o.limits, signal: o.signal };
  const graph = { engine: noEngine, reporter: o.reporter ?? silentReporter, store: o.artifacts };
  // Cleaned first: the as-of day is chosen against the last purchase before any features exist.
  const upToClean = await runGraph({ ...graph, opts, to: "clean" });
  const clean = await upToClean.value("clean");
  const last = lastPurchaseDay(clean.table);
  if (last === undefined) throw new UserError(`${o.input}: no transaction lines are left after cleaning; no customers to compute features for`);
  const asOf = o.asOf ? o.asOf(last) : last;
  // The last purchase day is the features step's own default: only another day changes its key.
  const same = asOf === last;
  const upToFeatures = await runGraph({ ...graph, opts: same ? opts : { ...opts, asOf }, to: "features", given: { clean }, keys: same ? upToClean.keys : undefined });
  const { features } = await upToFeatures.value("features");
  return { clean, features, asOf, timingsMs: { ...upToClean.timingsMs, ...upToFeatures.timingsMs } };
}
