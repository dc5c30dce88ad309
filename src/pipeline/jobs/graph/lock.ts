// custseg.lock: for the last complete run, each step's key, code version, parameters, the files
// it read and the keys of the steps it read, and the sha256 of each part of its output. Written
// atomically; steps in graph order and every object's members sorted, so it diffs well in git.
// `status` and `run --locked` compare what a run would compute with it.
import { writeFileAtomic } from "../../../io/atomic.js";
import { checkArtifact, readOptionalText } from "../../../io/artifacts.js";
import { OptionHintError, UserError } from "../../../errors.js";
import type { RunOptions } from "../../options.js";
import { canonical, type GraphKeys, type StepKey } from "./keys.js";
import type { StepOutcome } from "./runner.js";
import { GRAPH, type StepName } from "./steps.js";

export const LOCK_FORMAT = "custseg-lock/1";

/** The run options a lock records: those that decide the steps' keys. */
export type LockedOptions = Pick<
  RunOptions,
  "input" | "inputLabel" | "compat" | "encoding" | "map" | "outliersFrom" | "k" | "seed" | "nInit" | "maxIter" | "tol" | "init" | "variance" | "names" | "currency"
>;

export interface LockedStep extends StepKey {
  /** sha256 of each part of the stored output. */
  outputs: Record<string, string>;
}

export interface LockFile {
  format: typeof LOCK_FORMAT;
  options: LockedOptions;
  steps: Partial<Record<StepName, LockedStep>>;
}

export function lockedOptions(o: RunOptions): LockedOptions {
  const { input, inputLabel, compat, encoding, map, outliersFrom, k, seed, nInit, maxIter, tol, init, variance, names, currency } = o;
  return canonical({ input, inputLabel, compat, encoding, map, outliersFrom, k, seed, nInit, maxIter, tol, init, variance, names, currency }) as LockedOptions;
}

export function lockOf(opts: RunOptions, keys: GraphKeys, outcomes: readonly StepOutcome[]): LockFile {
  const steps: LockFile["steps"] = {};
  for (const def of GRAPH) {
    const o = outcomes.find((x) => x.name === def.name);
    if (!o?.manifest) continue;
    const outputs = Object.fromEntries(Object.keys(o.manifest.parts).sort().map((p) => [p, o.manifest!.parts[p]!.sha256]));
    steps[def.name] = canonical({ ...keys[def.name], outputs }) as LockedStep;
  }
  return { format: LOCK_FORMAT, options: lockedOptions(opts), steps };
}

export async function writeLock(path: string, lock: LockFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(lock, null, 2)}\n`);
}

/** The lock file, or undefined where there is none; one that cannot be read is the user's error. */
export async function readLock(path: string): Promise<LockFile | undefined> {
  let text: string | undefined;
  try {
    text = await readOptionalText(path);
  } catch (err) {
    throw new UserError(`${path}: cannot read the lock file: ${(err as Error).message}`, 1, { input: path });
  }
  if (text === undefined) return undefined;
  try {
    const lock = JSON.parse(text) as LockFile;
    if (lock.format === LOCK_FORMAT && lock.steps && lock.options) return lock;
  } catch {
    // worded below
  }
  throw new OptionHintError((n) => `${path}: not a ${LOCK_FORMAT} lock file; remove it or name another with ${n("lock")}`, { input: path });
}

/** Why a step's output differs from the locked one (empty: the same key). */
export function lockReasons(now: StepKey, locked: LockedStep | undefined): string[] {
  if (!locked) return ["not in the lock"];
  if (now.key === locked.key) return [];
  const reasons: string[] = [];
  for (const role of new Set([...Object.keys(now.files), ...Object.keys(locked.files ?? {})])) {
    const a = now.files[role];
    const b = locked.files?.[role];
    if (a?.sha256 !== b?.sha256) reasons.push(`input changed: ${role}${a ? ` (${a.path})` : " (none now)"}`);
  }
  for (const step of Object.keys(now.inputs) as StepName[]) {
    if (now.inputs[step] !== locked.inputs?.[step]) reasons.push(`input changed: ${step}`);
  }
  const p = (now.params ?? {}) as Record<string, unknown>;
  const q = (locked.params ?? {}) as Record<string, unknown>;
  const changed = [...new Set([...Object.keys(p), ...Object.keys(q)])].filter((k) => JSON.stringify(p[k]) !== JSON.stringify(q[k]));
  if (changed.length) reasons.push(`parameter changed: ${changed.join(", ")}`);
  if (now.code !== locked.code) reasons.push("code changed");
  return reasons.length ? reasons : ["key changed"];
}

export interface StepStatus {
  step: StepName;
  fresh: boolean;
  reasons: string[];
  key: string;
}

/** Each step against the lock and the store: fresh, or stale and why. */
export async function graphStatus(keys: GraphKeys, lock: LockFile | undefined, store: string | undefined): Promise<StepStatus[]> {
  const out: StepStatus[] = [];
  for (const def of GRAPH) {
    const now = keys[def.name];
    const reasons = lock ? lockReasons(now, lock.steps[def.name]) : ["no lock file"];
    if (!store) reasons.push("artefact missing (no artefact store)");
    else {
      const check = await checkArtifact(store, now.key);
      if (!("manifest" in check)) reasons.push(check.problem === "missing" ? "artefact missing" : `artefact damaged (${check.detail})`);
    }
    out.push({ step: def.name, fresh: reasons.length === 0, reasons, key: now.key });
  }
  return out;
}
