// The drift job: read the model, the reference customers (by default the run's own
// customers.parquet beside model.json) and the new ones; place every customer through the scoring
// step (which also flags outliers with the model's forest), run the drift step on the features and
// on the placements of the customers not flagged, and optionally write drift.html.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Engine } from "../../engine/engine.js";
import type { Matrix } from "../../engine/matrix.js";
import { drainInterruptible } from "../../engine/steps.js";
import { OptionError, OptionHintError, UserError } from "../../errors.js";
import { readModel, resolveModel } from "../../model/index.js";
import { renderDriftReport } from "../../report/drift.js";
import { PSI_EPSILON } from "../../stats/index.js";
import { writeFileAtomic } from "../../io/atomic.js";
import type { InputLimits } from "../../io/load.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { type ClusterDrift, clusterDrift, DEFAULT_DRIFT_SHARE, DRIFT_RULES, driftVerdict, featuresDriftSteps, type ModelDrift } from "../steps/drift.js";
import type { DriftReport, DriftSide } from "../steps/drift-report.js";
import { type DriftModel, driftModel, keptRows, type Placement, placeCustomers } from "../steps/drift-place.js";
import { type StepReporter, StepTimer } from "../progress.js";
import { type FeatureSource, readFeatureSource } from "./drift-input.js";
import type { TextFormat } from "../../io/text-format.js";

export interface DriftJobOptions {
  /** The run store that resolves models:/ addresses. */
  store?: string;
  /** A run's model.json, or its run directory. */
  model: string;
  /** New customers: transactions, a features table or a prediction log. */
  input: string;
  /** Reference customers; default: customers.parquet beside the model. */
  reference?: string;
  /** Share of drifted features that makes the data set drift. */
  threshold?: number;
  /** drift.html to write. */
  out?: string;
  /** Date format, decimal mark and CSV delimiter of transactions inputs. */
  textFormat?: TextFormat;
  cacheDir?: string | false;
  /** Bounds of a transactions input or reference (io/limits.ts has the defaults). */
  limits?: InputLimits;
  /** The artefact store `custseg run` uses: transactions reuse and fill its load, clean and features. */
  artifacts?: string;
  reporter?: StepReporter;
  /** Stops the long computations (cleaning, features, silhouettes) at their next step once aborted. */
  signal?: AbortSignal;
}

export interface DriftJobResult {
  report: DriftReport;
  /** Raw columns for the charts: features of both sides, row-major. */
  reference: Matrix;
  current: Matrix;
}

export async function runDriftJob(engine: Engine, opts: DriftJobOptions): Promise<DriftJobResult> {
  const threshold = opts.threshold ?? DEFAULT_DRIFT_SHARE;
  if (!(threshold > 0 && threshold <= 1)) throw new OptionError("threshold", `must be in (0, 1], got ${opts.threshold}`);
  const timer = new StepTimer(opts.reporter);
  const modelPath = (await resolveModel(opts.model, opts.store)).path;
  const model = await timer.step("model", async () => driftModel(await readModel(modelPath), modelPath));
  const referencePath = opts.reference ?? join(dirname(modelPath), "customers.parquet");
  if (!opts.reference && !existsSync(referencePath)) {
    throw new OptionHintError((n) => `${modelPath}: no customers.parquet beside the model to use as the reference; name one with ${n("reference")}`, { input: modelPath });
  }
  if (opts.out) checkOut(opts.out, [modelPath, opts.input, referencePath]);
  const sourceOpts = { compat: model.compat, textFormat: opts.textFormat, cacheDir: opts.cacheDir, limits: opts.limits, artifacts: opts.artifacts, reporter: opts.reporter, signal: opts.signal };
  const ref = await timer.step("reference", () => readFeatureSource(referencePath, sourceOpts), (s) => `${s.matrix.rows} customers (${s.kind})`);
  const cur = await timer.step("input", () => readFeatureSource(opts.input, sourceOpts), (s) => `${s.matrix.rows} customers (${s.kind})`);
  for (const [s, path] of [[ref, referencePath], [cur, opts.input]] as const) {
    if (s.matrix.rows < 2) throw new UserError(`${path}: ${s.matrix.rows} customer(s); drift needs at least 2`);
  }

  const placed = await timer.step("place", async () => ({
    reference: await placeCustomers(engine, model, ref.matrix, referencePath, opts.signal),
    current: await placeCustomers(engine, model, cur.matrix, opts.input, opts.signal),
  }));
  const flags = outlierFlags(model, ref, placed.reference, placed.current);
  const refPlaced = keptRows(placed.reference, flags.reference);
  const curPlaced = keptRows(placed.current, flags.current);
  const features = await timer.step("feature tests", () => drainInterruptible(featuresDriftSteps(FEATURE_NAMES, ref.matrix, cur.matrix), opts.signal), (f) => `${f.filter((x) => x.drifted).length} drifted`);
  const clusters = clusterDrift(refPlaced.labels, curPlaced.labels, model.k);
  const modelDrift = await timer.step("model drift", () => summariseModel(engine, clusters, refPlaced, curPlaced, flags, opts.signal));
  const verdict = driftVerdict(features, clusters, threshold);

  const side = (source: string, s: FeatureSource, placed: Placement): DriftSide => ({ source, kind: s.kind, customers: s.matrix.rows, placed: placed.labels.length });
  const report: DriftReport = {
    modelFile: modelPath,
    reference: side(referencePath, ref, refPlaced),
    current: side(opts.input, cur, curPlaced),
    rules: { ...DRIFT_RULES, psiEpsilon: PSI_EPSILON, psiBins: 10 },
    features,
    model: modelDrift,
    verdict,
    timingsMs: timer.timingsMs,
  };
  const out = opts.out;
  if (out) await timer.step("write", () => writeFileAtomic(out, renderDriftReport(report, ref.matrix, cur.matrix)), () => out);
  return { report, reference: ref.matrix, current: cur.matrix };
}

interface OutlierFlags {
  reference: Uint8Array;
  current: Uint8Array;
  /** False when the model took its outliers from a list: new customers cannot be judged. */
  judged: boolean;
}

/**
 * Outliers are left out of the cluster figures, as training left them out of k-means. The reference
 * keeps the run's own flags where its table carries them; otherwise, and for new customers, the
 * model's forest decides.
 */
function outlierFlags(model: DriftModel, ref: FeatureSource, refPlaced: Placement, curPlaced: Placement): OutlierFlags {
  const flags = (p: Placement) => Uint8Array.from(p.outlier, (o) => (o === 1 ? 1 : 0));
  return { reference: ref.outlier ?? flags(refPlaced), current: flags(curPlaced), judged: model.hasForest };
}

async function summariseModel(engine: Engine, clusters: ClusterDrift, ref: Placement, cur: Placement, flags: OutlierFlags, signal?: AbortSignal): Promise<ModelDrift> {
  const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / Math.max(1, x.length);
  const share = (f: Uint8Array) => f.reduce((a, b) => a + b, 0) / Math.max(1, f.length);
  const reference = mean(ref.distance);
  const current = mean(cur.distance);
  return {
    clusters,
    meanDistance: { reference, current, ratio: reference > 0 ? current / reference : Number.NaN },
    silhouette: { reference: await silhouette(engine, ref, signal), current: await silhouette(engine, cur, signal) },
    outlierShare: flags.judged ? { reference: share(flags.reference), current: share(flags.current) } : { reference: null, current: null },
  };
}

/** The silhouette is defined only with two clusters in use and more customers than clusters. O(n²): interruptible. */
async function silhouette(engine: Engine, p: Placement, signal?: AbortSignal): Promise<number | null> {
  const used = new Set(p.labels).size;
  if (used < 2 || p.labels.length <= used) return null;
  return (await engine.silhouetteInterruptible(p.scores, p.labels, {}, signal)).score;
}

function checkOut(out: string, inputs: string[]): void {
  if (inputs.some((i) => resolve(i) === resolve(out))) throw new OptionError("out", `${out} is one of the inputs; name another file`);
}
