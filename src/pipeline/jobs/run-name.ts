// Default run directory names for runs not recorded in the run store.
import { createHash } from "node:crypto";
import type { RunOptions } from "../options.js";

let runsInProcess = 0;

/** `<UTC time>-<short hash of data and options>-<process tag>`. */
export function runDirName(now: Date, sha256: string, opts: RunOptions): string {
  return `${runStamp(now)}-${shortHash(sha256, opts)}-${runTag()}`;
}

/**
 * The process id, and a sequence number after the first run of a process: two runs started in
 * the same second with the same options (by two processes, or twice by one) get different names.
 */
function runTag(): string {
  runsInProcess++;
  return runsInProcess === 1 ? `p${process.pid}` : `p${process.pid}.${runsInProcess}`;
}

/** 20261126T103200Z: sortable, and safe in file names everywhere. */
function runStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** Short hash of the data and the options that shape the result: equal runs get equal suffixes. */
function shortHash(sha256: string, opts: RunOptions): string {
  const { compat, k, seed, nInit, maxIter, tol, init, variance, outliersFrom } = opts;
  return createHash("sha256").update(JSON.stringify({ sha256, compat, k, seed, nInit, maxIter, tol, init, variance, outliersFrom })).digest("hex").slice(0, 8);
}
