// Runs the compiled CLI as a child process without blocking the test (which may serve HTTP or send
// signals meanwhile), and reports the child's peak resident memory as the child itself measured it.
import { type ChildProcess, spawn } from "node:child_process";
import { cliPath } from "./cli.js";

const RSS_MARK = "custseg-test-peak-rss-kb=";
// Loaded before the CLI: prints the process's peak RSS (getrusage, all threads) when it exits.
const rssProbe = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\n${RSS_MARK}"+process.resourceUsage().maxRSS+"\\n"))`;

export interface WatchedResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr without the probe's line. */
  stderr: string;
  /** Peak resident set of the child in MB, where it exited normally. */
  peakRssMb?: number;
  /** Whether the liveness bound ran out and the child was killed. */
  killed: boolean;
}

export interface WatchedOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Kill the child (SIGKILL) if it is still alive after this long: a liveness bound, not a speed test. */
  livenessMs?: number;
  /** Called once the child has started. */
  onStart?: (child: ChildProcess) => void;
  /** Called with every chunk of stderr as it arrives. */
  onStderr?: (text: string, child: ChildProcess) => void;
}

export function runWatched(args: string[], opts: WatchedOptions = {}): Promise<WatchedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", rssProbe, cliPath, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, CUSTSEG_DEBUG: "0", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, opts.livenessMs ?? 60_000);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      opts.onStderr?.(String(d), child);
    });
    child.once("error", reject);
    child.once("close", (status, signal) => {
      clearTimeout(timer);
      const at = stderr.lastIndexOf(`\n${RSS_MARK}`);
      const peakRssMb = at >= 0 ? Number(stderr.slice(at + RSS_MARK.length + 1).trim()) / 1024 : undefined;
      resolve({ status, signal, stdout, stderr: at >= 0 ? stderr.slice(0, at) : stderr, peakRssMb, killed });
    });
    opts.onStart?.(child);
  });
}

/** The non-empty lines of a stderr text. */
export const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");
