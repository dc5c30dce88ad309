// The compiled CLI as a user meets it: run to completion (runCli) or alongside the test, which may
// signal it or run others meanwhile (startCli); and the one way a failure must read (assertFailure).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as assert from "uvu/assert";
import { repoRoot } from "./shared.js";

/** The CLI the tests run: the bundle `bin` names (scripts/bundle.mjs). */
export const cliPath = join(repoRoot, "dist", "cli", "custseg.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to the test's own environment. */
  env?: NodeJS.ProcessEnv;
  /** Node flags before the script (e.g. `--import` of a probe). */
  nodeArgs?: readonly string[];
}

// Stack traces off, as a user sees the CLI.
const cliEnv = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, CUSTSEG_DEBUG: "0", ...env });

/** Runs node `script ...args` to completion. A process that could not be run says why on stderr. */
export function runNode(script: string, args: readonly string[], opts: CliOptions = {}): CliResult {
  const res = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], { cwd: opts.cwd, encoding: "utf8", env: cliEnv(opts.env) });
  const stderr = res.error ? `${res.stderr ?? ""}${res.error.message}` : res.stderr;
  return { code: res.status, signal: res.signal, stdout: res.stdout ?? "", stderr };
}

/** Runs `custseg ...args` to completion (see runNode). */
export const runCli = (args: readonly string[], opts: CliOptions = {}): CliResult => runNode(cliPath, args, opts);

export interface StartOptions extends CliOptions {
  /** Called once the child has started (to signal it, or close its stdout). */
  onStart?: (child: ChildProcess) => void;
  /** Called with all of stderr so far each time more arrives (e.g. to signal at a given line). */
  onStderr?: (stderr: string, child: ChildProcess) => void;
}

/**
 * Runs node `script ...args` without blocking the test, which may serve HTTP, run other processes
 * or send signals meanwhile; resolves when the child has exited and its output is closed.
 */
export function startNode(script: string, args: readonly string[], opts: StartOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], {
      cwd: opts.cwd,
      env: cliEnv(opts.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      opts.onStderr?.(stderr, child);
    });
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    opts.onStart?.(child);
  });
}

/** `custseg ...args` as a real process that runs alongside the test (see startNode). */
export const startCli = (args: readonly string[], opts: StartOptions = {}): Promise<CliResult> => startNode(cliPath, args, opts);

/**
 * A failure as a user sees it: exit `code`, nothing on stdout, exactly one `custseg:` line on
 * stderr, no stack trace or internal error, and `pattern` matching the message — that line and
 * what follows it (a usage error's details and its `--help` hint). With `alone`, the message is
 * one line and all of stderr (commands that print no progress).
 */
export function assertFailure(res: CliResult, pattern: RegExp, { code = 1, alone = false } = {}): void {
  assert.is(res.code, code, res.stderr);
  assert.is(res.stdout, "");
  const lines = res.stderr.trimEnd().split("\n");
  if (alone) assert.is(lines.length, 1, res.stderr);
  assert.is(lines.filter((l) => l.startsWith("custseg:")).length, 1, res.stderr);
  assert.match(lines.slice(lines.findIndex((l) => l.startsWith("custseg:"))).join("\n"), pattern);
  assert.not.match(res.stderr, /\n\s+at |internal error/);
}

/** An `onStderr` that sends `signal` to the child once, when its stderr first matches `when`. */
export function signalWhen(when: RegExp, signal: NodeJS.Signals): NonNullable<StartOptions["onStderr"]> {
  let sent = false;
  return (stderr, child) => {
    if (!sent && when.test(stderr)) {
      sent = true;
      child.kill(signal);
    }
  };
}

/** CPU seconds a process has used (Linux), or undefined elsewhere. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ ticks
  } catch {
    return undefined;
  }
}
