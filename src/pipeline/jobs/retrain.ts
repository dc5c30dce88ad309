// The retrain job: a candidate fitted with the production model's parameters on one seeded half of
// the new customers, both models judged on the other half — one matrix (the new customers'
// features, standardised), each model's own assignment — the policy's decision, and unless it is a
// dry run: the candidate's run directory, both evaluations recorded as runs, the candidate
// registered as the next version of the production model's name, and promoted when the policy holds.
import type { Engine } from "../../engine/engine.js";
import type { Matrix } from "../../engine/matrix.js";
import { OptionError, UserError } from "../../errors.js";
import { type CustsegModel, readModel } from "../../model/index.js";
import {
  failRun,
  finishRun,
  getModelVersion,
  getRun,
  type ModelVersion,
  type ParamValue,
  registerModel,
  resolveModelRef,
  type Store,
  setRunDir,
  setTags,
  startRun,
  transitionStage,
} from "../../store/index.js";
import { write } from "../../store/open.js";
import { adjustedRandIndex } from "../steps/ari.js";
import { type AssignmentScores, assignmentScores } from "../steps/assignment-scores.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { scoreFeaturesSteps } from "../steps/score.js";
import { drainInterruptible } from "../../engine/steps.js";
import { type Policy, type PolicyDecision, decidePromotion, parsePolicy } from "../steps/retrain-policy.js";
import { sampleRows, splitHalves } from "../steps/split.js";
import { type StepReporter, StepTimer } from "../progress.js";
import { type CustomerMatrix, RETRAIN_DEFAULTS, RUN_DEFAULTS, type SilhouetteSampleInfo } from "../options.js";
import type { InputLimits } from "../../io/load.js";
import type { ColumnMap } from "../../io/columns.js";
import { runFeaturesJob } from "./features.js";
import { fitCandidate, productionRunOptions } from "./retrain-fit.js";
import { featureMatrix } from "./run.js";
import { runModel } from "./run-model.js";
import { runParams } from "./run-record.js";
import { writeRunDirectory } from "./run-output.js";
import { checkRunDirectory } from "./run-files.js";

export interface RetrainOptions {
  /** The production model: a models:/ reference (its NAME receives the candidate). */
  model: string;
  /** New transactions. */
  input: string;
  /** The promotion policy: a preset name or conditions (see steps/retrain-policy.ts). */
  policy: string;
  splitSeed: number;
  maxEvalCustomers: number;
  /** Decide only: no run directory, no runs, no registration. */
  dryRun: boolean;
  /** The candidate's run directory; default runs/<candidate runId>. */
  out?: string;
  runsDir?: string;
  experiment?: string;
  encoding?: string;
  map?: ColumnMap;
  cacheDir?: string | false;
  limits?: InputLimits;
  reporter?: StepReporter;
  now?: Date;
  /** Stops the job at its next step once aborted (the CLI aborts it on SIGINT/SIGTERM); the candidate's run ends failed. */
  signal?: AbortSignal;
}

/** Scores of one model on the held-out customers. */
export interface Evaluation extends AssignmentScores {
  runId?: string;
}

export interface RetrainResult {
  model: { name: string; reference: string; version: number; path: string };
  input: string;
  policy: string;
  dryRun: boolean;
  split: { seed: number; customers: number; fit: number; holdout: number; evaluated: number; outliersLeftOut: number };
  candidate: Evaluation & {
    runDir?: string;
    version?: number;
    stage?: string;
    /** Silhouette, Davies–Bouldin and Calinski–Harabasz of its own fit, on the fitting half in its PC space. */
    fit: {
      customers: number;
      silhouette: number;
      davies_bouldin: number;
      calinski_harabasz: number;
      inertia: number;
      nIter: number;
      /** Present when the fitting half has more customers than --max-eval-customers: the silhouette is a seeded sample's. */
      silhouetteSample?: SilhouetteSampleInfo;
    };
    /** productionOf[c]: the production cluster the candidate's fitted cluster c was matched to. */
    productionOf: number[];
    matchCost: number;
  };
  production: Evaluation & { version: number; stage: string };
  adjustedRandIndex: number;
  decision: PolicyDecision;
  timingsMs: Record<string, number>;
}

export async function runRetrainJob(engine: Engine, store: Store, opts: RetrainOptions): Promise<RetrainResult> {
  const policy = parsePolicy(opts.policy);
  if (!opts.model.startsWith("models:/")) {
    throw new OptionError("model", `${opts.model} is not a registry reference; retrain takes models:/NAME/STAGE (or /VERSION, @ALIAS), so the candidate can become a version of NAME`);
  }
  if (!(Number.isInteger(opts.maxEvalCustomers) && opts.maxEvalCustomers >= 10)) {
    throw new OptionError("maxEvalCustomers", `must be a whole number ≥ 10, got ${opts.maxEvalCustomers}`);
  }
  const timer = new StepTimer(opts.reporter);
  const now = opts.now ?? new Date();
  const resolved = resolveModelRef(store, opts.model);
  const production = await readModel(resolved.path);
  const version = resolved.version!;
  const runOpts = productionRunOptions(production, resolved.path);
  if (production.features.join(",") !== FEATURE_NAMES.join(",")) throw new UserError(`${resolved.path}: the model's features are not custseg's 15 features in their order`);
  if (!opts.dryRun) {
    if (opts.out) checkRunDirectory(opts.out, true, "out");
    else checkRunDirectory(opts.runsDir ?? RUN_DEFAULTS.runsDir, false, "runsDir");
  }

  // The candidate's run is entered before any work, as `custseg run` does, so a crash shows.
  const candidateRun = opts.dryRun
    ? undefined
    : startRun(store, {
        experiment: opts.experiment ?? RETRAIN_DEFAULTS.experiment,
        params: { ...runParams({ ...runOpts, input: opts.input }), ...retrainParams(opts, policy, version.model, version.version) },
        tags: { "custseg.command": "retrain", "custseg.retrain.role": "candidate" },
        now,
      });
  try {
    const runDir = opts.out ?? `${opts.runsDir ?? RUN_DEFAULTS.runsDir}/${candidateRun?.id ?? "dry-run"}`;
    if (candidateRun) setRunDir(store, candidateRun.id, runDir);
    const job = await runFeaturesJob({ input: opts.input, compat: runOpts.compat, encoding: opts.encoding, map: opts.map, cacheDir: opts.cacheDir, limits: opts.limits, reporter: opts.reporter, signal: opts.signal });
    Object.assign(timer.timingsMs, job.timingsMs);
    const all = featureMatrix(job.features);
    const k = runOpts.k;
    if (all.ids.length < 4 * (k + 1)) {
      throw new UserError(`${opts.input}: ${all.ids.length} customers; retraining with k = ${k} needs at least ${4 * (k + 1)}, so that each half can be clustered`);
    }
    const halves = splitHalves(all.ids.length, opts.splitSeed);
    const common = (await engine.standardScaleInterruptible(all.matrix, undefined, opts.signal)).scaler;
    const candidate = await fitCandidate(engine, timer, {
      job,
      fit: pickRows(all, halves.fit),
      production,
      productionLabel: `${version.model} version ${version.version}`,
      common,
      input: opts.input,
      runDir,
      runId: candidateRun?.id,
      now,
      maxEvalCustomers: opts.maxEvalCustomers,
      signal: opts.signal,
    }, resolved.path);
    const candidateModel = runModel(candidate.artifacts);

    const evaluated = pickRows(all, sampleRows(halves.holdout, opts.maxEvalCustomers, opts.splitSeed));
    const judged = await timer.step("evaluate", () => evaluateBoth(engine, production, candidateModel, evaluated, common, k, opts.signal), (e) => `${e.customers} held-out customers`);
    const decision = decidePromotion(policy, judged.candidate, judged.production);
    const fitQuality = candidate.artifacts.quality;
    const result: RetrainResult = {
      model: { name: version.model, reference: opts.model, version: version.version, path: resolved.path },
      input: opts.input,
      policy: policy.text,
      dryRun: opts.dryRun,
      split: { seed: opts.splitSeed, customers: all.ids.length, fit: halves.fit.length, holdout: halves.holdout.length, evaluated: judged.customers, outliersLeftOut: evaluated.ids.length - judged.customers },
      candidate: {
        ...judged.candidate,
        fit: {
          customers: candidate.artifacts.kept.ids.length,
          silhouette: fitQuality.silhouette,
          davies_bouldin: fitQuality.daviesBouldin,
          calinski_harabasz: fitQuality.calinskiHarabasz,
          inertia: candidate.artifacts.clusters.inertia,
          nIter: candidate.artifacts.clusters.nIter,
          ...(fitQuality.silhouetteSample ? { silhouetteSample: fitQuality.silhouetteSample } : {}),
        },
        productionOf: [...candidate.match.productionOf],
        matchCost: candidate.match.total,
      },
      production: { ...judged.production, version: version.version, stage: version.stage },
      adjustedRandIndex: judged.ari,
      decision,
      timingsMs: timer.timingsMs,
    };
    if (!candidateRun) return result;

    await timer.step("write", () => writeRunDirectory(runDir, candidate.artifacts), () => runDir);
    const registered = record(store, candidateRun.id, result, opts, policy, candidate.artifacts.sha256, now);
    result.candidate.runDir = runDir;
    result.candidate.runId = candidateRun.id;
    result.candidate.version = registered.candidate.version;
    result.candidate.stage = registered.candidate.stage;
    result.production.runId = registered.productionRunId;
    result.production.stage = registered.productionStage;
    return result;
  } catch (err) {
    if (candidateRun) markFailed(store, candidateRun.id, err);
    throw err;
  }
}

/**
 * The candidate's run ends failed, unless it had already ended: a failure of the recording
 * transaction rolls its end back while this process already counts it as ended, hence the check
 * against the store. A store that cannot be written leaves the run running, to be reaped as stale.
 */
function markFailed(store: Store, runId: string, err: unknown): void {
  try {
    if (getRun(store, runId).status === "running") failRun(store, runId, err);
  } catch {
    // The original error is the one to report.
  }
}

function retrainParams(opts: RetrainOptions, policy: Policy, name: string, version: number): Record<string, ParamValue> {
  return {
    production_model: name,
    production_version: version,
    policy: policy.text,
    split_seed: opts.splitSeed,
    max_eval_customers: opts.maxEvalCustomers,
  };
}

function pickRows(all: CustomerMatrix, rows: Int32Array): CustomerMatrix {
  const d = all.matrix.cols;
  const data = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    data.set(all.matrix.data.subarray(r * d, r * d + d), i * d);
  });
  return { ids: Int32Array.from(rows, (r) => all.ids[r]!), matrix: { data, rows: rows.length, cols: d } };
}

interface Judged {
  customers: number;
  candidate: AssignmentScores;
  production: AssignmentScores;
  ari: number;
}

/**
 * Both models place the held-out customers; those either model's IsolationForest flags are left
 * out (training left outliers out of k-means too), so both assignments cover the same customers.
 * The scores are computed on their 15 features standardised with the new customers' scaler — one
 * matrix for both, since each model's own PC space would favour that model.
 */
async function evaluateBoth(
  engine: Engine,
  production: CustsegModel,
  candidate: CustsegModel,
  held: CustomerMatrix,
  common: { mean: Float64Array; scale: Float64Array },
  k: number,
  signal?: AbortSignal,
): Promise<Judged> {
  const n = held.ids.length;
  const prod = await drainInterruptible(scoreFeaturesSteps(engine, production, held.matrix.data, n), signal);
  const cand = await drainInterruptible(scoreFeaturesSteps(engine, candidate, held.matrix.data, n), signal);
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (prod.outlier[i] !== 1 && cand.outlier[i] !== 1) rows.push(i);
  const d = held.matrix.cols;
  const x: Matrix = { data: new Float64Array(rows.length * d), rows: rows.length, cols: d };
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) x.data[i * d + j] = (held.matrix.data[r * d + j]! - common.mean[j]!) / common.scale[j]!;
  });
  const prodLabels = Int32Array.from(rows, (r) => prod.cluster[r]!);
  const candLabels = Int32Array.from(rows, (r) => cand.cluster[r]!);
  const resident = engine.upload(x);
  try {
    return {
      customers: rows.length,
      production: await assignmentScores(engine, resident, prodLabels, k, signal),
      candidate: await assignmentScores(engine, resident, candLabels, k, signal),
      ari: adjustedRandIndex(prodLabels, candLabels),
    };
  } finally {
    resident.free();
  }
}

interface Recorded {
  candidate: ModelVersion;
  productionRunId: string;
  productionStage: string;
}

/**
 * Both evaluations as finished runs (the candidate's with its run directory), the candidate
 * registered, and promoted when the policy holds; the reason goes into tags and the model history.
 * A failure inside rolls everything back; the candidate's run, still open, is then marked failed.
 */
function record(store: Store, candidateId: string, r: RetrainResult, opts: RetrainOptions, policy: Policy, inputHash: string, now: Date): Recorded {
  const decision = r.decision.promote ? "promoted" : "kept production";
  const metrics = (e: AssignmentScores) => {
    const m: Record<string, number> = { adjusted_rand_index: r.adjustedRandIndex, eval_customers: r.split.evaluated };
    for (const key of ["silhouette", "davies_bouldin", "calinski_harabasz"] as const) m[key] = e[key] ?? Number.NaN;
    return m;
  };
  const tags = { "custseg.retrain.decision": decision, "custseg.retrain.reason": r.decision.reason };
  const reason = `retrained on ${opts.input}: ${r.decision.reason}`;
  // One transaction: the runs end, the candidate is registered and promoted together or not at all.
  return write(store, () => {
    const prod = startRun(store, {
      experiment: opts.experiment ?? RETRAIN_DEFAULTS.experiment,
      params: { input: opts.input, model: opts.model, ...retrainParams(opts, policy, r.model.name, r.model.version) },
      tags: { "custseg.command": "retrain", "custseg.retrain.role": "production", "custseg.retrain.candidate_run": candidateId, ...tags },
      now,
    });
    finishRun(store, prod.id, { metrics: metrics(r.production), inputHash });
    setTags(store, candidateId, { "custseg.retrain.production_run": prod.id, ...tags });
    const fit = r.candidate.fit;
    finishRun(store, candidateId, {
      metrics: { ...metrics(r.candidate), fit_silhouette: fit.silhouette, fit_davies_bouldin: fit.davies_bouldin, fit_calinski_harabasz: fit.calinski_harabasz, inertia: fit.inertia, n_iter: fit.nIter, customers: fit.customers },
      inputHash,
    });
    let candidate = registerModel(store, candidateId, r.model.name, { reason });
    if (r.decision.promote) candidate = transitionStage(store, r.model.name, candidate.version, "production", { reason });
    return { candidate, productionRunId: prod.id, productionStage: getModelVersion(store, r.model.name, r.model.version).stage };
  });
}
