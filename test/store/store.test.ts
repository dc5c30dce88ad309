// The run store in one process: migrations and refusals of foreign or newer files, the run
// lifecycle, search with bound parameters, and the registry's stage, alias and resolver rules.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UserError } from "../../src/errors.js";
import { MIGRATIONS } from "../../src/store/schema.js";
import {
  closeStore,
  deleteRun,
  failRun,
  finishRun,
  getRun,
  listModels,
  logMetrics,
  logParams,
  modelHistory,
  openStore,
  reapStaleRuns,
  recordChildRuns,
  registerModel,
  resolveModelRef,
  SCHEMA_VERSION,
  type Store,
  searchRuns,
  setAlias,
  setRunDir,
  setTags,
  startRun,
  transitionStage,
} from "../../src/store/index.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-store-"));
let n = 0;
const fresh = (): Store => openStore(join(tmp, `s${++n}.db`), { create: true });
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** A finished run with a model.json in its run directory. */
function finishedRun(store: Store, params: Record<string, number | string>, metrics: Record<string, number>, experiment = "default") {
  const run = startRun(store, { experiment, params });
  const dir = join(tmp, `run-${run.id}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "model.json"), "{}\n");
  setRunDir(store, run.id, dir);
  finishRun(store, run.id, { metrics });
  return getRun(store, run.id);
}

function throwsUser(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
    assert.unreachable("no error");
  } catch (err) {
    assert.instance(err, UserError, String(err));
    assert.match((err as Error).message, pattern);
    assert.not.match((err as Error).message, /\n/);
  }
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test("a new store is created, migrated to the current schema, in WAL mode; opening again is a no-op", () => {
  const store = fresh();
  assert.is(store.db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  assert.is(store.db.pragma("journal_mode", { simple: true }), "wal");
  closeStore(store);
  const again = openStore(store.path);
  assert.is(again.db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  closeStore(again);
});

test("refusals, with nothing written: a missing store for readers, a file that is not SQLite, another application's database, a newer schema", () => {
  throwsUser(() => openStore(join(tmp, "absent.db")), /no run store at .*absent\.db \(custseg run creates it/);

  const text = join(tmp, "notes.db");
  writeFileSync(text, "these are my notes, not a database\n");
  const before = sha(text);
  throwsUser(() => openStore(text, { create: true }), /notes\.db is not a custseg run store \(not an SQLite database\)/);
  assert.is(sha(text), before);

  const foreign = join(tmp, "foreign.db");
  const f = new Database(foreign);
  f.exec("CREATE TABLE t (x)");
  f.close();
  const foreignBefore = sha(foreign);
  throwsUser(() => openStore(foreign, { create: true }), /foreign\.db is an SQLite database of another application/);
  assert.is(sha(foreign), foreignBefore);

  const newer = fresh();
  newer.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  newer.db.pragma("journal_mode = DELETE");
  closeStore(newer);
  const newerBefore = sha(newer.path);
  throwsUser(() => openStore(newer.path, { create: true }), new RegExp(`written by a newer custseg \\(store schema ${SCHEMA_VERSION + 1}; this custseg reads up to ${SCHEMA_VERSION}\\); upgrade custseg`));
  assert.is(sha(newer.path), newerBefore);
});

test("run lifecycle: running → finished with params, metrics, tags; failed keeps its reason; ending twice is refused", () => {
  const store = fresh();
  const run = startRun(store, { experiment: "exp", params: { k: 3, init: "k-means++" }, tags: { note: "first" }, runDir: "somewhere" });
  assert.is(run.status, "running");
  assert.is(run.pid, process.pid);
  assert.ok(run.runDir!.startsWith("/"), "run directories are stored absolute");
  assert.match(run.id, /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
  logParams(store, run.id, { seed: 0 });
  logMetrics(store, run.id, { silhouette: 0.31, inertia: Number.NaN });
  setTags(store, run.id, { note: "second" });
  finishRun(store, run.id, { inputHash: "abc" });
  const done = getRun(store, run.id);
  assert.is(done.status, "finished");
  assert.equal(done.params, { init: "k-means++", k: "3", seed: "0" });
  assert.equal(done.metrics, { inertia: null, silhouette: 0.31 });
  assert.equal(done.tags, { note: "second" });
  assert.is(done.inputHash, "abc");
  assert.ok(done.endTime! >= done.startTime);
  throwsUser(() => finishRun(store, run.id), /already ended \(finished\)/);

  const bad = startRun(store, {});
  failRun(store, bad.id, new Error("input.csv: line 3: no such column\nstack"));
  const failed = getRun(store, bad.id);
  assert.is(failed.status, "failed");
  assert.is(failed.error, "input.csv: line 3: no such column");
  assert.is(failed.experiment, "default");
  assert.equal(getRun(store, bad.id.slice(-8)).id, bad.id, "a run is found by the last 8 characters of its id");
  throwsUser(() => getRun(store, "nope"), /no run nope in /);
  throwsUser(() => startRun(store, { parentId: "missing" }), /no run missing to be the parent/);
  closeStore(store);
});

test("recordChildRuns: each child is the run startRun then finishRun record; an unknown parent writes nothing", () => {
  const store = fresh();
  const parent = startRun(store, { experiment: "tune" });
  const now = new Date("2026-01-02T03:04:05Z");
  const one = startRun(store, { experiment: "tune", parentId: parent.id, params: { k: 3, init: "random", tol: 1e-4 }, tags: { rank: "2" }, runDir: "best", now });
  finishRun(store, one.id, { metrics: { silhouette: 0.25, inertia: Number.POSITIVE_INFINITY } });
  const ids = recordChildRuns(
    store,
    parent.id,
    [
      { params: { k: 3, init: "random", tol: 1e-4 }, tags: { rank: "2" }, metrics: { silhouette: 0.25, inertia: Number.POSITIVE_INFINITY }, runDir: "best" },
      { params: { k: 4 }, metrics: { silhouette: 0.3 } },
    ],
    { experiment: "tune", now },
  );
  assert.is(ids.length, 2);
  const [bulk, second] = ids.map((id) => getRun(store, id));
  const comparable = (r: ReturnType<typeof getRun>) => ({ ...r, id: "", endTime: r.endTime !== null });
  assert.equal(comparable(bulk!), comparable(getRun(store, one.id)));
  assert.equal(second!.params, { k: "4" });
  assert.equal(second!.tags, {});
  assert.equal(searchRuns(store, { parentId: parent.id, where: "params.tol < 0.001" }).length, 2, "numeric parameters compare as numbers");
  assert.not.ok(store.openRuns.has(ids[0]!), "finished children are not left for the exit hook");

  const before = searchRuns(store, { nested: true }).length;
  throwsUser(() => recordChildRuns(store, "missing", [{ params: { k: 3 }, metrics: {} }]), /no run missing to be the parent/);
  assert.is(searchRuns(store, { nested: true }).length, before);
  closeStore(store);
});

test("search: MLflow filters bound as parameters, ordering with missing values last, child runs on request", () => {
  const store = fresh();
  const parent = startRun(store, { experiment: "tune", params: { grid: "k=3,4,8" } });
  for (const [k, s] of [[3, 0.3], [4, 0.2], [8, 0.25]] as const) {
    const child = startRun(store, { experiment: "tune", parentId: parent.id, params: { k, init: k === 8 ? "random" : "k-means++" } });
    finishRun(store, child.id, { metrics: { silhouette: s } });
  }
  finishRun(store, parent.id);
  const other = startRun(store, { experiment: "default", params: { k: 3 } });
  failRun(store, other.id, "boom");

  const ks = (runs: { params: Record<string, string> }[]) => runs.map((r) => r.params.k);
  assert.equal(ks(searchRuns(store, { nested: true, where: "metrics.silhouette > 0.2", orderBy: "metrics.silhouette DESC" })), ["3", "8"]);
  assert.equal(ks(searchRuns(store, { parentId: parent.id, where: "params.k >= 4", orderBy: "params.k" })), ["4", "8"]);
  assert.equal(ks(searchRuns(store, { nested: true, where: "params.k = '3'" })).sort(), ["3", "3"]);
  assert.equal(ks(searchRuns(store, { nested: true, where: "params.init LIKE 'K-%'" })), [], "LIKE is case-sensitive, as in MLflow");
  assert.is(searchRuns(store, { nested: true, where: "params.init ILIKE 'K-%'" }).length, 2);
  assert.equal(searchRuns(store, { where: "attributes.status = 'FAILED'" }).map((r) => r.id), [other.id]);
  assert.equal(searchRuns(store, { experiment: "tune" }).map((r) => r.id), [parent.id], "top-level runs only by default");
  assert.is(searchRuns(store, { nested: true, orderBy: "metrics.silhouette" }).at(-1)!.metrics.silhouette, undefined, "runs without the metric come last");
  // Keys and constants are bound, never pasted: a hostile key matches nothing and breaks nothing.
  assert.equal(searchRuns(store, { nested: true, where: `params."k' OR 1=1 --" = 3 and tags.x != 'a'' OR ''1''=''1'` }), []);
  assert.is(searchRuns(store, { nested: true }).length, 5);
  closeStore(store);
});

test("delete: a run and its children go; a run a model version points at is refused", () => {
  const store = fresh();
  const parent = startRun(store, { experiment: "tune" });
  const child = startRun(store, { experiment: "tune", parentId: parent.id });
  finishRun(store, child.id);
  finishRun(store, parent.id);
  assert.equal(deleteRun(store, parent.id).map((r) => r.id).sort(), [parent.id, child.id].sort());
  assert.equal(searchRuns(store, { nested: true }), []);

  const kept = finishedRun(store, { k: 3 }, { silhouette: 0.3 });
  registerModel(store, kept.id, "segments");
  throwsUser(() => deleteRun(store, kept.id), new RegExp(`run ${kept.id} is registered as segments version 1; it cannot be deleted`));
  assert.is(getRun(store, kept.id).id, kept.id);
  closeStore(store);
});

test("registry: versions count up, promotion archives the previous holder of the stage, every move is in the history", () => {
  const store = fresh();
  const a = finishedRun(store, { k: 3 }, { silhouette: 0.3 });
  const b = finishedRun(store, { k: 4 }, { silhouette: 0.2 });
  assert.is(registerModel(store, a.id, "segments").version, 1);
  assert.is(registerModel(store, b.id, "segments", { reason: "k = 4" }).version, 2);
  transitionStage(store, "segments", 1, "production", { reason: "first" });
  transitionStage(store, "segments", 2, "staging");
  const promoted = transitionStage(store, "segments", 2, "production", { reason: "better" });
  assert.is(promoted.stage, "production");
  const [model] = listModels(store, "segments");
  assert.equal(model!.versions.map((v) => [v.version, v.stage]), [[2, "production"], [1, "archived"]]);
  const history = modelHistory(store, "segments").map((e) => [e.version, e.kind, e.from, e.to, e.reason]);
  assert.equal(history, [
    [1, "registered", null, a.id, null],
    [2, "registered", null, b.id, "k = 4"],
    [1, "stage", "none", "production", "first"],
    [2, "stage", "none", "staging", null],
    [1, "stage", "production", "archived", "version 2 promoted to production"],
    [2, "stage", "staging", "production", "better"],
  ]);
  throwsUser(() => transitionStage(store, "segments", 7, "production"), /model 'segments' has no version 7 \(its versions are 1 to 2\)/);
  throwsUser(() => transitionStage(store, "nothing", 1, "production"), /no registered model 'nothing'/);
  closeStore(store);
});

test("registry: only a finished run with a model.json can be registered", () => {
  const store = fresh();
  const failed = startRun(store, {});
  failRun(store, failed.id, "bad input");
  throwsUser(() => registerModel(store, failed.id, "segments"), new RegExp(`run ${failed.id} is failed; only a finished run can be registered`));
  const running = startRun(store, {});
  throwsUser(() => registerModel(store, running.id, "segments"), /is running; only a finished run/);
  finishRun(store, running.id);
  throwsUser(() => registerModel(store, running.id, "segments"), /has no run directory/);
  const gone = finishedRun(store, {}, {});
  rmSync(join(gone.runDir!, "model.json"));
  throwsUser(() => registerModel(store, gone.id, "segments"), /model\.json does not exist/);
  throwsUser(() => registerModel(store, gone.id, "bad name!"), /model name 'bad name!'/);
  assert.equal(listModels(store), []);
  closeStore(store);
});

test("resolveModelRef: stages in any case, versions, latest, aliases, paths; clear errors otherwise", () => {
  const store = fresh();
  const a = finishedRun(store, { k: 3 }, {});
  const b = finishedRun(store, { k: 4 }, {});
  registerModel(store, a.id, "segments");
  registerModel(store, b.id, "segments");
  transitionStage(store, "segments", 1, "production");
  setAlias(store, "segments", "champion", 2);
  const modelA = join(a.runDir!, "model.json");
  const modelB = join(b.runDir!, "model.json");
  assert.is(resolveModelRef(store, "models:/segments/production").path, modelA);
  assert.is(resolveModelRef(store, "models:/segments/Production").path, modelA);
  assert.is(resolveModelRef(store, "models:/segments/2").path, modelB);
  assert.is(resolveModelRef(store, "models:/segments/latest").path, modelB);
  assert.is(resolveModelRef(store, "models:/segments@champion").version!.version, 2);
  setAlias(store, "segments", "champion", 1);
  assert.is(resolveModelRef(store, "models:/segments@champion").path, modelA, "an alias moves");
  assert.is(resolveModelRef(store, a.runDir!).path, modelA, "a run directory");
  assert.is(resolveModelRef(store, modelB).path, modelB, "a model.json");
  assert.is(resolveModelRef(store.path, "models:/segments/1").path, modelA, "a store given by its file name");
  throwsUser(() => resolveModelRef(store, "models:/segments/staging"), /model 'segments' has no version in staging/);
  throwsUser(() => resolveModelRef(store, "models:/segments/gold"), /unknown stage 'gold'/);
  throwsUser(() => resolveModelRef(store, "models:/segments@nobody"), /has no alias 'nobody'/);
  throwsUser(() => resolveModelRef(store, "models:/segments"), /models:\/NAME\/STAGE, models:\/NAME\/VERSION or models:\/NAME@ALIAS/);
  throwsUser(() => resolveModelRef(store, join(tmp, "nowhere")), /nowhere does not exist/);
  throwsUser(() => setAlias(store, "segments", "v3", 1), /cannot be 'latest' or v<number>/);
  closeStore(store);
});

test("stale runs: a live run is kept; a run whose pid now belongs to a later process is marked killed", async () => {
  const store = fresh();
  const live = startRun(store, {});
  const reused = startRun(store, {});
  // A process that is alive now, started long after the run's own process (as if its pid were reused).
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
  try {
    await new Promise((resolve) => child.once("spawn", resolve));
    store.db.prepare("UPDATE runs SET pid = ?, pid_start = pid_start - 3600000 WHERE id = ?").run(child.pid, reused.id);
    assert.equal(reapStaleRuns(store), [reused.id]);
    assert.is(getRun(store, live.id)!.status, "running");
    assert.is(getRun(store, reused.id)!.status, "killed");
    assert.match(getRun(store, reused.id)!.error!, new RegExp(`^stale: its process ${child.pid} on .+ ended without finishing the run$`));
  } finally {
    child.kill();
    closeStore(store);
  }
});

test("a store of schema 1 is upgraded in place; its running runs are still judged by pid alone", () => {
  const path = join(tmp, "v1.db");
  const db = new Database(path);
  db.pragma("application_id = 0x63736567");
  db.exec(MIGRATIONS[0]!);
  db.pragma("user_version = 1");
  db.prepare("INSERT INTO experiments (id, name, created_at) VALUES (1, 'default', 0)").run();
  db.prepare("INSERT INTO runs (id, experiment_id, status, start_time, tool_version, pid, host) VALUES ('old', 1, 'running', 0, '0.1.0', ?, ?)").run(process.pid, hostname());
  db.close();
  const store = openStore(path);
  assert.is(store.db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  assert.equal(reapStaleRuns(store), []);
  assert.is(getRun(store, "old")!.status, "running");
  closeStore(store);
});

test.run();
