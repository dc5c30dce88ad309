// `custseg run` through the step graph: keys, the lock check, the runner, then the run directory
// written from the report step's stored files with this run's id and time, the lock and the run's
// record in the artefact store. Loads no Arrow and starts no engine by itself: a run whose steps are
// all stored copies files and finishes.
import { basename } from "node:path";
import type { Engine } from "../../engine/engine.js";
import { OptionError } from "../../errors.js";
import { readHashed, writeRunRecord } from "../../io/artifacts.js";
import { round1 } from "../progress.js";
import { DEFAULT_LOCK_FILE, RUN_DEFAULTS, type RunOptions, type RunSummary } from "../options.js";
import { type GraphKeys, graphKeys } from "./graph/keys.js";
import { lockOf, lockReasons, readLock, writeLock } from "./graph/lock.js";
import { type GraphRun, runGraph, type StepOutcome } from "./graph/runner.js";
import { STEP_NAMES, type StepName } from "./graph/steps.js";
import { checkRunDirectory, fillRunFiles, writeRunFiles } from "./run-files.js";
import { checkOptions, readNamesFile } from "./run-inputs.js";
import { runDirName } from "./run-name.js";

export interface GraphFlags {
  /** The artefact store; without one every step runs and nothing is stored or locked. */
  artifacts?: string;
  /** custseg.lock's path (default: custseg.lock in the working directory). */
  lock?: string;
  from?: string;
  to?: string;
  /** Refuse to run when a step's inputs, parameters or code differ from the lock. */
  locked?: boolean;
}

/** An engine, or a way to start one when a step first needs it. */
export type EngineSource = Engine | (() => Promise<Engine>);

export interface RunJobResult {
  /** With the run directory, when the run went as far as the report. */
  summary?: RunSummary;
  sha256: string;
  steps: StepOutcome[];
  graph: GraphRun;
}

export function stepName(option: string, name: string | undefined): StepName | undefined {
  if (name === undefined) return undefined;
  if ((STEP_NAMES as readonly string[]).includes(name)) return name as StepName;
  throw new OptionError(option, `must be one of ${STEP_NAMES.join(", ")}, got ${JSON.stringify(name)}`);
}

export async function runJob(engine: EngineSource, opts: RunOptions, flags: GraphFlags = {}): Promise<RunJobResult> {
  checkOptions(opts);
  const from = stepName("from", flags.from);
  const to = stepName("to", flags.to);
  const complete = to === undefined || to === "report";
  if (complete) {
    if (opts.out) checkRunDirectory(opts.out, true, "out");
    else checkRunDirectory(opts.runsDir ?? RUN_DEFAULTS.runsDir, false, "runsDir");
  }
  // Read before any work, so a bad names file fails in a second, not after the clustering.
  if (opts.names) await readNamesFile(opts.names, opts.k);
  const now = opts.now ?? new Date();
  const store = flags.artifacts;
  const lockPath = flags.lock ?? DEFAULT_LOCK_FILE;
  // The source is read and hashed once: for the keys, and for the load step, which parses these bytes.
  const source = await readHashed(opts.input);
  const keys = store ? await graphKeys(opts, source) : undefined;
  if (flags.locked) await checkLocked(lockPath, keys, to);
  const sha256 = source?.sha256 ?? "";

  let started: Promise<Engine> | undefined;
  const engineOnce = typeof engine === "function" ? () => (started ??= engine()) : () => Promise.resolve(engine);
  const graph = await runGraph({ opts, engine: engineOnce, reporter: opts.reporter ?? silent, store, keys, from, to, source });
  if (!complete) return { sha256, steps: graph.outcomes, graph };

  const runDir = opts.out ?? `${opts.runsDir ?? RUN_DEFAULTS.runsDir}/${opts.runId ?? runDirName(now, sha256, opts)}`;
  const t0 = performance.now();
  opts.reporter?.start("write");
  const files = await graph.value("report");
  const timingsMs = { ...graph.timingsMs };
  const { files: filled, summary } = fillRunFiles(files, { runDir, runId: opts.runId, now, timingsMs });
  await writeRunFiles(runDir, filled);
  if (store && keys) {
    await writeLock(lockPath, lockOf(opts, keys, graph.outcomes));
    await writeRunRecord(store, { run: opts.runId ?? basename(runDir), runDir, finishedAt: new Date().toISOString(), keys: graph.outcomes.map((o) => o.key!) });
  }
  const ms = performance.now() - t0;
  // The summary already written carries the timings so far; the returned one adds the write.
  timingsMs.write = round1(ms);
  opts.reporter?.done("write", ms, runDir);
  return { summary: { ...summary, timingsMs }, sha256, steps: graph.outcomes, graph };
}

/** Refuses (an OptionError on --locked) when the lock file does not match what this run would compute. */
export async function checkLockedRun(opts: RunOptions, flags: GraphFlags): Promise<void> {
  await checkLocked(flags.lock ?? DEFAULT_LOCK_FILE, flags.artifacts ? await graphKeys(opts) : undefined, stepName("to", flags.to));
}

async function checkLocked(lockPath: string, keys: GraphKeys | undefined, to: StepName | undefined): Promise<void> {
  if (!keys) throw new OptionError("locked", (n) => `needs the artefact store; it cannot be combined with ${n("noCache")}`);
  const lock = await readLock(lockPath);
  if (!lock) throw new OptionError("locked", (n) => `refuses to run: ${lockPath} does not exist; run once without ${n("locked")} to write it`);
  for (const name of STEP_NAMES) {
    const reasons = lockReasons(keys[name], lock.steps[name]);
    if (reasons.length) throw new OptionError("locked", (n) => `refuses to run: ${lockPath} does not match this run at ${name}: ${reasons.join("; ")}; run without ${n("locked")} to update it`);
    if (name === to) return;
  }
}

const silent = { start() {}, done() {}, note() {} };
