// `custseg status`: what a run with the given options would recompute, step by step, against
// custseg.lock and the artefact store. Options not given are the lock's, then the run defaults.
import { OptionError } from "../../errors.js";
import { RUN_DEFAULTS, type RunOptions } from "../options.js";
import { graphKeys } from "./graph/keys.js";
import { graphStatus, readLock, type StepStatus } from "./graph/lock.js";

export interface StatusResult {
  lock: string;
  /** Whether the lock file exists. */
  locked: boolean;
  options: Partial<RunOptions>;
  steps: StepStatus[];
}

export async function statusJob(given: Partial<RunOptions>, lockPath: string, artifacts: string | undefined): Promise<StatusResult> {
  const lock = await readLock(lockPath);
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const opts = { ...RUN_DEFAULTS, ...lock?.options, ...defined } as RunOptions;
  // A different input path names a different input: its label follows it unless given.
  if (defined.input !== undefined && given.inputLabel === undefined) opts.inputLabel = defined.input as string;
  if (!opts.input) throw new OptionError("input", `is needed: ${lockPath} ${lock ? "names no input" : "does not exist"}`);
  const keys = await graphKeys(opts);
  return { lock: lockPath, locked: lock !== undefined, options: opts, steps: await graphStatus(keys, lock, artifacts) };
}
