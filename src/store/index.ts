/**
 * The run store: one SQLite file (default `custseg.db` in the working directory, beside `runs/`;
 * `--store` or CUSTSEG_STORE name another) recording what ran. The run directory keeps what a run
 * produced; the store keeps its id, experiment, parent, status, times, parameters, metrics, tags,
 * input hash, tool version, run directory, and the model registry pointing at those runs.
 *
 * Like src/io this is I/O: jobs and CLI commands call it, pure pipeline steps never do.
 *
 * ```ts
 * const store = openStore(storePath(flag), { create: true });   // opens, migrates, WAL, busy timeout
 * const parent = startRun(store, { experiment: "tune", params: { grid: "k=3,4,8 …" }, runDir });
 * const trial = startRun(store, { experiment: "tune", parentId: parent.id, params: { k: 3, init: "k-means++", n_init: 10, max_iter: 300, seed: 42 } });
 * logMetrics(store, trial.id, { silhouette, davies_bouldin, calinski_harabasz, inertia });
 * finishRun(store, trial.id);                                   // or failRun(store, trial.id, err)
 * // a whole grid's finished trials at once, in one transaction:
 * recordChildRuns(store, parent.id, trials.map((t) => ({ params: t.params, metrics: t.metrics })), { experiment: "tune" });
 * finishRun(store, parent.id, { inputHash });
 * registerModel(store, best.id, "segments", { modelPath });     // → { model, version, … }
 * closeStore(store);
 * ```
 *
 * Conventions, so `--where` and `runs compare` line up across commands: parameter names in
 * snake_case as the flags say them (`k`, `init`, `n_init`, `max_iter`, `tol`, `seed`, `variance`,
 * `compat`); metrics `silhouette`, `davies_bouldin`, `calinski_harabasz`, `inertia`.
 *
 * Concurrency: WAL mode; every write is one short BEGIN IMMEDIATE transaction that waits for
 * another writer up to the busy timeout (5 s; CUSTSEG_STORE_BUSY_MS), then fails with one line
 * (a UserError), never "database is locked" and never an endless retry.
 *
 * Failure: a run records its pid and host. A process that exits with runs still open marks them
 * killed (SIGINT/SIGTERM) or failed; one that dies outright (SIGKILL) leaves them running until
 * `reapStaleRuns` (called by the `runs` and `model` commands) finds the pid gone and marks them killed.
 *
 * Errors meant for the user (unknown run, bad filter, busy store, foreign or newer file, refusing
 * to register a failed run …) are UserErrors with one-line messages.
 */
export { closeStore, DEFAULT_STORE, openStore, type OpenOptions, type Store, storePath } from "./open.js";
export { SCHEMA_VERSION } from "./schema.js";
export {
  type ChildRun,
  childRunIds,
  createExperiment,
  DEFAULT_EXPERIMENT,
  deleteRun,
  type EndRunOptions,
  type Experiment,
  failRun,
  finishRun,
  getRun,
  killRun,
  listExperiments,
  logMetrics,
  logParams,
  type ParamValue,
  RUN_STATUSES,
  reapStaleRuns,
  recordChildRuns,
  type RunRecord,
  type RunStatus,
  type StartRunOptions,
  setRunDir,
  setTags,
  startRun,
} from "./runs.js";
export { type SearchOptions, searchRuns } from "./query.js";
export { parseFilter, parseOrderBy } from "./filter.js";
export {
  getModelVersion,
  listModels,
  type ModelEvent,
  type ModelVersion,
  modelHistory,
  PROMOTION_STAGES,
  parseStage,
  type RegisteredModel,
  type RegisterOptions,
  registerModel,
  type Stage,
  STAGES,
  setAlias,
  type TransitionOptions,
  transitionStage,
  versionByAlias,
  versionInStage,
} from "./registry.js";
export { type ResolvedModel, resolveModelRef } from "./resolve.js";
