import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./shared.js";

/** The compiled CLI the tests run. */
export const cliPath = join(repoRoot, "dist", "src", "cli", "index.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `custseg ...args` to completion (stack traces off, as a user sees it). */
export function runCli(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const res = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd,
    encoding: "utf8",
    env: { ...process.env, CUSTSEG_DEBUG: "0", ...opts.env },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}
