// Experiments and runs: starting, logging parameters, metrics and tags, ending, reading, deleting.
// Every write is one short BEGIN IMMEDIATE transaction, so concurrent custseg processes queue on
// the busy timeout instead of failing with "database is locked".
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { UserError } from "../errors.js";
import { VERSION } from "../version.js";
import { read, type Store, stmt, write } from "./open.js";

export type RunStatus = "running" | "finished" | "failed" | "killed";
export const RUN_STATUSES: readonly RunStatus[] = ["running", "finished", "failed", "killed"];
export const DEFAULT_EXPERIMENT = "default";

export type ParamValue = string | number | boolean;

export interface Experiment {
  id: number;
  name: string;
  createdAt: number;
}

export interface RunRecord {
  id: string;
  experiment: string;
  parentId: string | null;
  name: string | null;
  status: RunStatus;
  /** Milliseconds since the epoch. */
  startTime: number;
  endTime: number | null;
  inputHash: string | null;
  toolVersion: string;
  /** Absolute path of the run directory, where the run's outputs live. */
  runDir: string | null;
  pid: number | null;
  host: string | null;
  /** Why a failed or killed run ended. */
  error: string | null;
  params: Record<string, string>;
  metrics: Record<string, number | null>;
  tags: Record<string, string>;
}

export interface StartRunOptions {
  /** Experiment name, created on first use; default "default". */
  experiment?: string;
  /** The parent run, for trials of a grid. */
  parentId?: string;
  name?: string;
  params?: Record<string, ParamValue>;
  tags?: Record<string, string>;
  /** The run directory (stored as an absolute path); may also be set later with setRunDir. */
  runDir?: string;
  inputHash?: string;
  /** The run's clock (its id is derived from it); default now. */
  now?: Date;
}

/** The experiment of that name, created if absent. */
export function createExperiment(store: Store, name: string): Experiment {
  if (!name.trim()) throw new UserError("an experiment name must not be empty");
  return write(store, () => {
    stmt(store, "INSERT INTO experiments (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING").run(name, Date.now());
    const row = stmt(store, "SELECT id, name, created_at AS createdAt FROM experiments WHERE name = ?").get(name) as Experiment;
    return row;
  });
}

export function listExperiments(store: Store): Experiment[] {
  return read(store, () => stmt(store, "SELECT id, name, created_at AS createdAt FROM experiments ORDER BY id").all() as Experiment[]);
}

/** 20261126T103200Z-1a2b3c4d: sorts by start time, is safe in file names, and unique per process and second. */
export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(4).toString("hex")}`;
}

/**
 * Records a new run as running, with this process's pid and host so a run whose process died
 * without ending it is recognised as stale (see reapStaleRuns). If this process exits before the
 * run is ended, an exit hook marks it killed (signal) or failed.
 */
export function startRun(store: Store, opts: StartRunOptions = {}): RunRecord {
  const experiment = opts.experiment ?? DEFAULT_EXPERIMENT;
  const now = opts.now ?? new Date();
  const id = newRunId(now);
  write(store, () => {
    const exp = createExperiment(store, experiment);
    if (opts.parentId !== undefined) mustBeParent(store, opts.parentId);
    insertRun(store, id, exp.id, opts, now, null);
    if (opts.params) putParams(store, id, opts.params);
    if (opts.tags) putTags(store, id, opts.tags);
  });
  store.openRuns.add(id);
  installExitHook(store);
  return getRun(store, id);
}

/** A finished child run: what startRun then finishRun would record, given at once. */
export interface ChildRun {
  name?: string;
  params: Record<string, ParamValue>;
  tags?: Record<string, string>;
  metrics: Record<string, number>;
  runDir?: string;
}

/**
 * Records many finished child runs of one parent (the trials of a grid) in one transaction, with
 * the rows startRun and finishRun would write for each, but no per-run existence checks, nested
 * transactions or read-backs. Returns their ids in the order given.
 */
export function recordChildRuns(store: Store, parentId: string, children: readonly ChildRun[], opts: { experiment?: string; now?: Date } = {}): string[] {
  const now = opts.now ?? new Date();
  return write(store, () => {
    const exp = createExperiment(store, opts.experiment ?? DEFAULT_EXPERIMENT);
    mustBeParent(store, parentId);
    const ended = Date.now();
    return children.map((child) => {
      const id = newRunId(now);
      insertRun(store, id, exp.id, { ...child, parentId }, now, ended);
      putParams(store, id, child.params);
      if (child.tags) putTags(store, id, child.tags);
      putMetrics(store, id, child.metrics);
      return id;
    });
  });
}

function mustBeParent(store: Store, parentId: string): void {
  if (!stmt(store, "SELECT 1 FROM runs WHERE id = ?").get(parentId)) throw new UserError(`no run ${parentId} to be the parent of a new run`);
}

/** A run's row: running (endTime null) or already finished at endTime. */
function insertRun(store: Store, id: string, experimentId: number, opts: Pick<StartRunOptions, "parentId" | "name" | "inputHash" | "runDir">, now: Date, endTime: number | null): void {
  stmt(
    store,
    `INSERT INTO runs (id, experiment_id, parent_id, name, status, start_time, end_time, input_hash, tool_version, run_dir, pid, pid_start, host)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    experimentId,
    opts.parentId ?? null,
    opts.name ?? null,
    endTime === null ? "running" : "finished",
    now.getTime(),
    endTime,
    opts.inputHash ?? null,
    VERSION,
    opts.runDir ? resolve(opts.runDir) : null,
    process.pid,
    ownStart(),
    hostname(),
  );
}

/** Parameters are text, as in MLflow; a numeric value is also kept as a number for `--where` comparisons. */
export function logParams(store: Store, runId: string, params: Record<string, ParamValue>): void {
  write(store, () => {
    mustExist(store, runId);
    putParams(store, runId, params);
  });
}

/** A metric keeps its last logged value. A non-finite value (a degenerate trial) is stored as null. */
export function logMetrics(store: Store, runId: string, metrics: Record<string, number>): void {
  write(store, () => {
    mustExist(store, runId);
    putMetrics(store, runId, metrics);
  });
}

export function setTags(store: Store, runId: string, tags: Record<string, string>): void {
  write(store, () => {
    mustExist(store, runId);
    putTags(store, runId, tags);
  });
}

// The row writers, inside a caller's transaction, for a run known to exist.
function putParams(store: Store, runId: string, params: Record<string, ParamValue>): void {
  const put = stmt(store, "INSERT INTO params (run_id, key, value, num) VALUES (?, ?, ?, ?) ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value, num = excluded.num");
  for (const [key, value] of Object.entries(params)) {
    const text = String(value);
    const num = typeof value === "number" ? value : text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : null;
    put.run(runId, key, text, num !== null && Number.isFinite(num) ? num : null);
  }
}

function putMetrics(store: Store, runId: string, metrics: Record<string, number>): void {
  const put = stmt(store, "INSERT INTO metrics (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value");
  for (const [key, value] of Object.entries(metrics)) put.run(runId, key, Number.isFinite(value) ? value : null);
}

function putTags(store: Store, runId: string, tags: Record<string, string>): void {
  const put = stmt(store, "INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value");
  for (const [key, value] of Object.entries(tags)) put.run(runId, key, String(value));
}

export function setRunDir(store: Store, runId: string, runDir: string): void {
  write(store, () => {
    mustExist(store, runId);
    stmt(store, "UPDATE runs SET run_dir = ? WHERE id = ?").run(resolve(runDir), runId);
  });
}

export interface EndRunOptions {
  metrics?: Record<string, number>;
  inputHash?: string;
}

/** Marks a running run finished, logging any last metrics in the same transaction. */
export function finishRun(store: Store, runId: string, opts: EndRunOptions = {}): void {
  endRun(store, runId, "finished", null, opts);
}

/** Marks a running run failed with the reason (an Error's message, or text). */
export function failRun(store: Store, runId: string, reason: unknown, opts: EndRunOptions = {}): void {
  endRun(store, runId, "failed", reasonText(reason), opts);
}

/** Marks a running run killed (interrupted by a signal or stopped by the user). */
export function killRun(store: Store, runId: string, reason: string): void {
  endRun(store, runId, "killed", reason, {});
}

function endRun(store: Store, runId: string, status: RunStatus, error: string | null, opts: EndRunOptions): void {
  write(store, () => {
    mustExist(store, runId);
    if (opts.metrics) putMetrics(store, runId, opts.metrics);
    const res = stmt(store, "UPDATE runs SET status = ?, end_time = ?, error = ?, input_hash = coalesce(?, input_hash) WHERE id = ? AND status = 'running'").run(
      status,
      Date.now(),
      error,
      opts.inputHash ?? null,
      runId,
    );
    if (res.changes === 0) {
      const { status: now } = stmt(store, "SELECT status FROM runs WHERE id = ?").get(runId) as { status: string };
      throw new UserError(`run ${runId} has already ended (${now})`);
    }
  });
  store.openRuns.delete(runId);
  if (store.openRuns.size === 0) storesWithOpenRuns.delete(store);
}

function reasonText(reason: unknown): string {
  const text = reason instanceof Error ? reason.message : String(reason);
  return text.split("\n")[0]!.slice(0, 2000);
}

function mustExist(store: Store, runId: string): void {
  if (!stmt(store, "SELECT 1 FROM runs WHERE id = ?").get(runId)) throw new UserError(`no run ${runId} in ${store.path}`);
}

/** A run as its row reads (RUN_COLUMNS), before its parameters, metrics and tags are added. */
type RunRow = Omit<RunRecord, "params" | "metrics" | "tags">;

export const RUN_COLUMNS = `r.id, e.name AS experiment, r.parent_id AS parentId, r.name, r.status, r.start_time AS startTime,
  r.end_time AS endTime, r.input_hash AS inputHash, r.tool_version AS toolVersion, r.run_dir AS runDir, r.pid, r.host, r.error`;

/** Fills in the parameters, metrics and tags of run rows (one query per table, not per run). */
export function withDetails(store: Store, rows: RunRow[]): RunRecord[] {
  const byId = new Map<string, RunRecord>(rows.map((r) => [r.id, { ...r, params: {}, metrics: {}, tags: {} }]));
  if (rows.length === 0) return [];
  const ids = JSON.stringify(rows.map((r) => r.id));
  const each = <V>(table: string, put: (run: RunRecord, key: string, value: V) => void) => {
    const got = stmt(store, `SELECT run_id AS runId, key, value FROM ${table} WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY key`).all(ids) as { runId: string; key: string; value: V }[];
    for (const g of got) put(byId.get(g.runId)!, g.key, g.value);
  };
  each<string>("params", (r, k, v) => {
    r.params[k] = v;
  });
  each<number | null>("metrics", (r, k, v) => {
    r.metrics[k] = v;
  });
  each<string>("tags", (r, k, v) => {
    r.tags[k] = v;
  });
  return rows.map((r) => byId.get(r.id)!);
}

/** One run by id, or by a unique suffix of at least 6 characters (the random part of the id). */
export function getRun(store: Store, ref: string): RunRecord {
  return read(store, () => {
    const base = `SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id`;
    let rows = stmt(store, `${base} WHERE r.id = ?`).all(ref) as RunRow[];
    if (rows.length === 0 && ref.length >= 6) {
      rows = stmt(store, `${base} WHERE substr(r.id, -length(?)) = ? LIMIT 2`).all(ref, ref) as RunRow[];
      if (rows.length > 1) throw new UserError(`run ${ref} is ambiguous in ${store.path}; give more of its id`);
    }
    if (rows.length === 0) throw new UserError(`no run ${ref} in ${store.path}`);
    return withDetails(store, rows)[0]!;
  });
}

/** The ids of a run's child runs (grid trials), in start order. */
export function childRunIds(store: Store, runId: string): string[] {
  return read(store, () => (stmt(store, "SELECT id FROM runs WHERE parent_id = ? ORDER BY start_time, id").all(runId) as { id: string }[]).map((r) => r.id));
}

/**
 * Deletes a run and its child runs. Refused while a registered model version points at any of them
 * (delete or re-point the version first); the run directory is the caller's to remove.
 */
export function deleteRun(store: Store, runId: string): RunRecord[] {
  return write(store, () => {
    const run = getRun(store, runId);
    const family = [run.id, ...childRunIds(store, run.id)];
    const used = stmt(store, "SELECT model, version, run_id AS runId FROM model_versions WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY model, version").all(
      JSON.stringify(family),
    ) as { model: string; version: number; runId: string }[];
    if (used.length > 0) {
      const list = used.map((u) => `${u.model} version ${u.version}${u.runId === run.id ? "" : ` (child run ${u.runId})`}`).join(", ");
      throw new UserError(`run ${run.id} is registered as ${list}; it cannot be deleted`);
    }
    const removed = withDetails(store, stmt(store, `SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(family)) as RunRow[]);
    stmt(store, "DELETE FROM runs WHERE parent_id = ?").run(run.id);
    stmt(store, "DELETE FROM runs WHERE id = ?").run(run.id);
    return removed;
  });
}

/** Whether a process with this pid exists on this machine (EPERM: it exists but is not ours). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * When the process with this pid started, in ms since the epoch, where /proc tells (Linux); else
 * undefined. /proc/PID/stat's 22nd field counts clock ticks since boot, in USER_HZ (100 on every
 * Linux ABI Node runs on); boot time is /proc/stat's btime, in whole seconds.
 */
export function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses: field 3 onwards.
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[22 - 3]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** Slack for comparing two readings of a process's start (boot time in whole seconds, 10 ms ticks). */
const START_SLACK_MS = 2000;

/** This process's start, read once. */
let ownStartMs: number | null | undefined;
function ownStart(): number | null {
  if (ownStartMs === undefined) ownStartMs = processStartMs(process.pid) ?? null;
  return ownStartMs;
}

/**
 * Whether the process that started a run is still alive. A pid is reused once its process is
 * gone, so a live pid whose process started at another time (beyond the clock's slack) is a later
 * process, and the run's own process has ended. Runs recorded without a start are judged by pid.
 */
function runProcessAlive(pid: number, pidStart: number | null): boolean {
  if (!processAlive(pid)) return false;
  if (pidStart === null) return true;
  const started = processStartMs(pid);
  return started === undefined || Math.abs(started - pidStart) <= START_SLACK_MS;
}

/**
 * Runs still marked running whose process on this host is gone (SIGKILL, power loss, a crash past
 * every handler; its pid possibly taken by a later process since) are marked killed, with the reason. Runs of other hosts cannot be checked and
 * are left as they are. Returns the ids it marked.
 */
export function reapStaleRuns(store: Store): string[] {
  const host = hostname();
  const candidates = read(
    store,
    () => stmt(store, "SELECT id, pid, pid_start AS pidStart FROM runs WHERE status = 'running' AND host = ?").all(host) as { id: string; pid: number | null; pidStart: number | null }[],
  );
  const stale = candidates.filter((c) => c.pid !== null && !runProcessAlive(c.pid, c.pidStart));
  if (stale.length === 0) return [];
  write(store, () => {
    const mark = stmt(store, "UPDATE runs SET status = 'killed', error = ? WHERE id = ? AND status = 'running'");
    for (const s of stale) mark.run(`stale: its process ${s.pid} on ${host} ended without finishing the run`, s.id);
  });
  return stale.map((s) => s.id);
}

/** Stores with runs this process started and has not ended; one exit listener serves them all. */
const storesWithOpenRuns = new Set<Store>();
let exitHookInstalled = false;

/**
 * On exit, runs this process started and never ended are marked: killed after SIGINT/SIGTERM
 * (exit codes 130, 143), failed otherwise. better-sqlite3 is synchronous, so this works inside
 * the 'exit' event, after the CLI's signal handler has called process.exit.
 */
function installExitHook(store: Store): void {
  if (!exitHookInstalled) process.once("exit", markUnfinished);
  exitHookInstalled = true;
  storesWithOpenRuns.add(store);
}

function markUnfinished(code: number): void {
  const killed = code === 130 || code === 143;
  for (const store of storesWithOpenRuns) {
    if (!store.db.open) continue;
    for (const id of [...store.openRuns]) {
      try {
        if (killed) killRun(store, id, `interrupted (${code === 130 ? "SIGINT" : "SIGTERM"})`);
        else failRun(store, id, `the process exited (code ${code}) before the run ended`);
      } catch {
        // Exiting anyway: the run stays "running" and is reaped as stale by the next reader.
      }
    }
  }
}
