// The candidate of `custseg retrain`: the run job's steps, with the production model's parameters,
// on the fitting half of the new customers — outliers, scaling, PCA, k-means, metrics, profiles,
// recommendations — then its clusters renumbered to match production's and given production's
// segment names. The result is a RunArtifacts, so the run directory (and its model.json) is written
// by the same code as a `custseg run`'s.
import type { Table } from "apache-arrow";
import type { Engine } from "../../engine/engine.js";
import type { StandardScaler } from "../../engine/scale-model.js";
import { UserError } from "../../errors.js";
import type { CustsegModel } from "../../model/index.js";
import { formatDay, lastPurchaseDay } from "../steps/as-of.js";
import { clusterCustomers } from "../steps/cluster.js";
import { evaluateClusters } from "../steps/evaluate.js";
import { FEATURE_NAMES } from "../steps/features.js";
import { type ClusterMatch, matchClusters, renumberClusters } from "../steps/match-clusters.js";
import { isolationForestInterruptible } from "../steps/outliers.js";
import { clusterProfiles, renameClusters } from "../steps/profiles.js";
import { recommend } from "../steps/recommend.js";
import { reduceDimensions } from "../steps/reduce.js";
import { scaleFeatures } from "../steps/scale.js";
import type { StepTimer } from "../progress.js";
import type { Compat, CustomerMatrix, RunOptions } from "../options.js";
import type { FeaturesJobResult } from "./features.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { businessFigures, keepRows, summarize } from "./run.js";

export interface CandidateInput {
  job: Pick<FeaturesJobResult, "rows" | "sha256"> & { cleaned: Table };
  /** The customers of the fitting half. */
  fit: CustomerMatrix;
  production: CustsegModel;
  /** The production model's registry name and version, for the cluster order note. */
  productionLabel: string;
  /** StandardScaler of every new customer's features: the space the centroids are matched in. */
  common: StandardScaler;
  input: string;
  /** The candidate's run directory and run id (also when nothing is written: they go into model.json). */
  runDir: string;
  runId?: string;
  now: Date;
  /** The candidate's silhouette is exact up to this many customers, a seeded sample of this many beyond. */
  maxEvalCustomers: number;
  /** Stops the fit at its next step once aborted (the CLI aborts it on SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export interface Candidate {
  artifacts: RunArtifacts;
  match: ClusterMatch;
}

/** The options of `custseg run` that reproduce the production model's fit on other data. */
export function productionRunOptions(model: CustsegModel, modelPath: string): Omit<RunOptions, "input"> {
  const p = model.parameters;
  if (p.init !== "k-means++" && p.init !== "random") {
    throw new UserError(`${modelPath}: the production model started k-means from the centres in ${p.init}; a candidate can only be refitted with k-means++ or random`);
  }
  if (p.outliersFrom) {
    throw new UserError(`${modelPath}: the production model took its outliers from ${p.outliersFrom}, a list of its own customers; a candidate needs a model whose outliers came from its IsolationForest`);
  }
  const compat: Compat = model.mode === "seed" ? "seed" : "none";
  return { compat, k: p.k, seed: p.seed, nInit: p.nInit, maxIter: p.maxIter, tol: p.tol, init: p.init, variance: p.variance };
}

export async function fitCandidate(engine: Engine, timer: StepTimer, c: CandidateInput, modelPath: string): Promise<Candidate> {
  const opts: RunOptions = { ...productionRunOptions(c.production, modelPath), input: c.input, out: c.runDir, ...(c.runId ? { runId: c.runId } : {}) };
  const { k } = opts;
  const forest = await timer.step("outliers", () => isolationForestInterruptible(engine, c.fit.matrix, { seed: opts.seed }, c.signal), (f) => `${f.isOutlier.reduce((s, v) => s + v, 0)} flagged`);
  const kept = keepRows(c.fit, forest.isOutlier);
  if (kept.ids.length <= k) {
    throw new UserError(`${c.input}: ${kept.ids.length} customers of the fitting half remain after outliers; k = ${k} needs at least ${k + 1}`);
  }
  const scaled = await timer.step("scale", () => scaleFeatures(engine, kept.matrix, FEATURE_NAMES, opts.compat, c.signal));
  const reduced = await timer.step("pca", () => reduceDimensions(engine, scaled.matrix, opts.variance, opts.compat, c.signal), (r) => `${r.fit.nComponents} components`);
  const p = reduced.fit.nComponents;
  const scores = engine.upload(reduced.scores);
  try {
    const fitted = await timer.step("kmeans", () => clusterCustomers(engine, scores, { k, init: opts.init as "k-means++" | "random", nInit: opts.nInit, maxIter: opts.maxIter, tol: opts.tol, seed: opts.seed }, c.signal), (f) => `inertia ${f.inertia.toFixed(2)}, ${f.nIter} iterations`);
    const empty = fitted.sizes.filter((s) => s === 0).length;
    if (empty > 0) throw new UserError(`${c.input}: k-means found only ${k - empty} distinct groups among the ${kept.ids.length} customers of the fitting half; k = ${k} needs more distinct customers`);
    const rows = (data: Float64Array, cols: number) => Array.from({ length: data.length / cols }, (_, i) => data.subarray(i * cols, i * cols + cols));
    const match = matchClusters(
      FEATURE_NAMES,
      { scaling: c.production.scaling, pca: c.production.pca, centroids: c.production.kmeans.centroids },
      { scaling: scaled.model, pca: { mean: reduced.fit.mean, components: rows(reduced.fit.components.data, reduced.fit.components.cols) }, centroids: rows(fitted.centers, p) },
      c.common,
    );
    const clusters = renumberClusters(fitted, match.productionOf, p);
    const quality = await timer.step("metrics", () => evaluateClusters(engine, scores, clusters.labels, k, c.signal, { size: c.maxEvalCustomers, seed: opts.seed }), (q) => `silhouette ${q.silhouette.toFixed(4)}`);
    const names = c.production.clusters.map((cl) => cl.name);
    const profiles = renameClusters(clusterProfiles(FEATURE_NAMES, kept.matrix, clusters.labels, quality.samples, k), names);
    const clusterOf = new Map<number, number>();
    kept.ids.forEach((id, i) => {
      clusterOf.set(id, clusters.labels[i]!);
    });
    const recommendations = await timer.step("recommendations", () => recommend(c.job.cleaned, clusterOf, { compat: opts.compat }));
    const segments = businessFigures(c.job.cleaned, c.fit, forest.isOutlier, clusterOf, names, recommendations, opts);
    const summary = {
      ...summarize({ job: c.job, all: c.fit, kept, reduced, clusters, quality, profiles, segments }, opts.compat, k),
      input: c.input,
      timingsMs: timer.timingsMs,
      runDir: c.runDir,
      ...(c.runId ? { runId: c.runId } : {}),
    };
    const artifacts: RunArtifacts = {
      opts,
      now: c.now,
      sha256: c.job.sha256,
      asOf: formatDay(lastPurchaseDay(c.job.cleaned)!),
      forest,
      all: c.fit,
      flagged: forest.isOutlier,
      kept,
      scaled,
      reduced,
      clusters,
      clusterOrder: `matched to ${c.productionLabel} by centroid`,
      quality,
      profiles,
      recommendations,
      segments,
      summary,
    };
    return { artifacts, match };
  } finally {
    scores.free();
  }
}
